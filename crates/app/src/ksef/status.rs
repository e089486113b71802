//! Where an invoice stands with KSeF, for its page, the list and the API; its UPO.

use domain::InvoiceId;
use store::{KsefState, KsefSubmission};

use crate::{App, AppError, CurrentUser, Problem};

/// An invoice's way to KSeF as the seller sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvoiceInKsef {
    /// Where it stands.
    pub state: KsefState,
    /// The KSeF number, once given.
    pub number: Option<String>,
    /// When KSeF gave it (RFC 3339).
    pub acquired_at: Option<String>,
    /// Why it waits or what KSeF refused.
    pub problem: Option<Problem>,
    /// Failed attempts so far.
    pub attempts: i64,
    /// When it is next tried, while waiting.
    pub next_at_ms: i64,
    /// Whether the UPO is held.
    pub has_upo: bool,
    /// When it was queued.
    pub queued_at_ms: i64,
    /// Issued offline, and why.
    pub offline_mode: Option<domain::OfflineMode>,
    /// The last day it may reach KSeF (`YYYY-MM-DD`); unknown while KSeF's
    /// unavailability lasts.
    pub offline_deadline: Option<String>,
    /// Its PDF carries KOD II (signed with the Offline certificate).
    pub has_certificate_code: bool,
    /// KSeF's mode as it recorded the invoice (`Online` / `Offline`).
    pub invoicing_mode: Option<String>,
    /// The session it was (last) sent in (`SO`/`SB` number).
    pub session: Option<String>,
    /// A technical correction of a refused offline invoice.
    pub technical_correction: bool,
}

impl From<KsefSubmission> for InvoiceInKsef {
    fn from(s: KsefSubmission) -> Self {
        Self {
            state: s.state,
            number: s.ksef_number,
            acquired_at: s.acquired_at,
            problem: s.error.as_deref().and_then(Problem::from_stored),
            attempts: s.attempts,
            next_at_ms: s.next_at_ms,
            has_upo: s.upo.is_some(),
            queued_at_ms: s.queued_at_ms,
            offline_mode: s.offline_mode.as_deref().and_then(domain::OfflineMode::parse),
            offline_deadline: s.offline_deadline,
            has_certificate_code: s.certificate_link.is_some(),
            invoicing_mode: s.invoicing_mode,
            session: s.session_ref,
            technical_correction: s.corrected_hash.is_some(),
        }
    }
}

impl App {
    /// Where the invoice stands with KSeF; `None` when it does not go there.
    pub async fn invoice_in_ksef(&self, user: &CurrentUser, id: &InvoiceId) -> Result<Option<InvoiceInKsef>, AppError> {
        Ok(self
            .store
            .ksef_submission(&user.organisation_id, id)
            .await?
            .map(InvoiceInKsef::from))
    }

    /// Where each of these invoices stands with KSeF (those that go there), for a list.
    pub async fn ksef_of_invoices(
        &self,
        user: &CurrentUser,
        ids: &[InvoiceId],
    ) -> Result<std::collections::HashMap<InvoiceId, InvoiceInKsef>, AppError> {
        Ok(self
            .store
            .ksef_submissions_of(&user.organisation_id, ids)
            .await?
            .into_iter()
            .map(|s| (s.invoice_id.clone(), InvoiceInKsef::from(s)))
            .collect())
    }

    /// The invoice's UPO (KSeF's receipt, XML) and its KSeF number.
    pub async fn invoice_upo(&self, user: &CurrentUser, id: &InvoiceId) -> Result<(String, Vec<u8>), AppError> {
        let s = self
            .store
            .ksef_submission(&user.organisation_id, id)
            .await?
            .ok_or(AppError::NotFound)?;
        match (s.ksef_number, s.upo) {
            (Some(number), Some(upo)) => Ok((number, upo)),
            _ => Err(AppError::NotFound),
        }
    }
}

/// What "Porównaj z KSeF" found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KsefComparison {
    /// The copy KSeF returns by number is byte for byte what was stored and sent.
    Same,
    /// It is not: the sizes, for the seller to report.
    Different {
        /// Bytes stored.
        ours: usize,
        /// Bytes KSeF returned.
        theirs: usize,
    },
}

impl App {
    /// "Porównaj z KSeF": downloads the invoice from KSeF by its number and compares it with
    /// the bytes stored and sent.
    #[tracing::instrument(name = "ksef_compare", skip_all, fields(organisation_id = %user.organisation_id, invoice_id = %id))]
    pub async fn compare_with_ksef(&self, user: &CurrentUser, id: &InvoiceId) -> Result<KsefComparison, AppError> {
        let sent = self
            .store
            .ksef_submission(&user.organisation_id, id)
            .await?
            .ok_or(AppError::NotFound)?;
        let (Some(number), Some(ours)) = (sent.ksef_number, sent.xml) else {
            return Err(AppError::Conflict(Problem::new("problem-ksef-no-number-yet")));
        };
        let number: ksef_client::KsefNumber = number
            .parse()
            .map_err(|e| AppError::Internal(anyhow::anyhow!("a stored KSeF number does not parse: {e}")))?;
        let connection = match self.ksef_connection(&user.organisation_id).await? {
            Ok(c) => c,
            Err(problem) => return Err(AppError::Conflict(problem)),
        };
        let theirs = connection
            .download(&number)
            .await
            .map_err(|e| AppError::Conflict(Problem::new("problem-ksef-unreachable").arg("detail", e.to_string())))?;
        Ok(if theirs == ours {
            KsefComparison::Same
        } else {
            KsefComparison::Different {
                ours: ours.len(),
                theirs: theirs.len(),
            }
        })
    }
}
