//! Typed statuses: where an invoice stands and where a session stands.

use ksef_api_types::{KsefNumber, SessionInvoiceStatusResponse, SessionStatusResponse};

/// What KSeF decided about one invoice.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InvoiceOutcome {
    /// 100/150: not decided yet; ask again.
    Processing,
    /// 200: it has a KSeF number.
    Accepted {
        /// The number.
        ksef_number: KsefNumber,
        /// When it was given (RFC 3339).
        acquisition_date: Option<String>,
        /// `Online` or `Offline`.
        invoicing_mode: Option<String>,
        /// Presigned UPO link (no token needed), until it expires.
        upo_download_url: Option<String>,
    },
    /// 440: the same seller NIP + kind + number is in KSeF already.
    Duplicate {
        /// The number KSeF gave the original.
        original_ksef_number: Option<KsefNumber>,
        /// The session it came in.
        original_session: Option<String>,
        /// KSeF's words.
        details: Vec<String>,
    },
    /// Refused: 405 session error, 410 permissions, 415 attachment, 430 file
    /// verification (schema), 435 decryption, 450 semantics, 500 unknown, 550 cancelled.
    Rejected {
        /// The status code.
        code: i32,
        /// KSeF's description.
        description: String,
        /// What failed.
        details: Vec<String>,
    },
}

impl InvoiceOutcome {
    /// A final outcome (not [`InvoiceOutcome::Processing`]).
    pub fn is_final(&self) -> bool {
        !matches!(self, InvoiceOutcome::Processing)
    }
}

/// An invoice's status with its reference and outcome.
#[derive(Debug, Clone)]
pub struct InvoiceState {
    /// `EE` number.
    pub reference_number: String,
    /// Position in its session.
    pub ordinal_number: i32,
    /// `P_2`, once read.
    pub invoice_number: Option<String>,
    /// The hash as sent.
    pub invoice_hash: String,
    /// The outcome.
    pub outcome: InvoiceOutcome,
    /// The raw answer.
    pub raw: SessionInvoiceStatusResponse,
}

impl From<SessionInvoiceStatusResponse> for InvoiceState {
    fn from(r: SessionInvoiceStatusResponse) -> Self {
        let details = r.status.details.clone().unwrap_or_default();
        let outcome = match r.status.code {
            100 | 150 => InvoiceOutcome::Processing,
            200 => match r.ksef_number.clone() {
                Some(ksef_number) => InvoiceOutcome::Accepted {
                    ksef_number,
                    acquisition_date: r.acquisition_date.clone(),
                    invoicing_mode: r.invoicing_mode.clone(),
                    upo_download_url: r.upo_download_url.clone(),
                },
                None => InvoiceOutcome::Processing,
            },
            440 => {
                let ext = r.status.extensions.clone().unwrap_or_default();
                let get = |k: &str| ext.get(k).cloned().flatten();
                InvoiceOutcome::Duplicate {
                    original_ksef_number: get("originalKsefNumber").and_then(|n| n.parse().ok()),
                    original_session: get("originalSessionReferenceNumber"),
                    details,
                }
            }
            code => InvoiceOutcome::Rejected {
                code,
                description: r.status.description.clone(),
                details,
            },
        };
        Self {
            reference_number: r.reference_number.to_string(),
            ordinal_number: r.ordinal_number,
            invoice_number: r.invoice_number.clone(),
            invoice_hash: r.invoice_hash.clone(),
            outcome,
            raw: r,
        }
    }
}

/// Where a session stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SessionState {
    /// 100: open.
    Open,
    /// 150/170: closed, being processed.
    Closing,
    /// 200: processed; UPO pages ready.
    Processed {
        /// Invoices accepted.
        successful: i32,
        /// Invoices refused.
        failed: i32,
        /// Presigned UPO page links.
        upo_pages: Vec<String>,
    },
    /// 415, 440, 445, …: failed as a whole.
    Failed {
        /// Status code.
        code: i32,
        /// KSeF's description and details.
        description: String,
    },
}

impl From<&SessionStatusResponse> for SessionState {
    fn from(r: &SessionStatusResponse) -> Self {
        match r.status.code {
            100 => SessionState::Open,
            150 | 170 => SessionState::Closing,
            200 => SessionState::Processed {
                successful: r.successful_invoice_count.unwrap_or(0),
                failed: r.failed_invoice_count.unwrap_or(0),
                upo_pages: r
                    .upo
                    .as_ref()
                    .map(|u| u.pages.iter().map(|p| p.download_url.clone()).collect())
                    .unwrap_or_default(),
            },
            code => SessionState::Failed {
                code,
                description: match &r.status.details {
                    Some(d) if !d.is_empty() => format!("{}: {}", r.status.description, d.join("; ")),
                    _ => r.status.description.clone(),
                },
            },
        }
    }
}
