//! Online sessions (research §A(b)): a fresh AES-256 key and IV per session, the key
//! encrypted for KSeF; invoices encrypted and sent with their hashes and sizes; statuses,
//! lists, UPOs; and reading invoices back.

use ksef_api_types::{
    EncryptionInfo, FormCode, InvoiceQueryFilters, KsefNumber, OpenOnlineSessionRequest, OpenOnlineSessionResponse,
    PublicKeyCertificateUsage, QueryInvoicesMetadataResponse, ReferenceNumber, ReferenceResponse, SendInvoiceRequest,
    SessionInvoiceStatusResponse, SessionInvoicesResponse, SessionStatusResponse,
};

use crate::client::Call;
use crate::limiter::Group;
use crate::status::{InvoiceState, SessionState};
use crate::{KsefError, Login, crypto};

/// An open online session and its key (the key never leaves the process).
pub struct OnlineSession {
    /// `SO` number.
    pub reference: ReferenceNumber,
    /// RFC 3339; KSeF closes it then.
    pub valid_until: String,
    key: [u8; 32],
    iv: [u8; 16],
}

impl std::fmt::Debug for OnlineSession {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OnlineSession")
            .field("reference", &self.reference)
            .field("valid_until", &self.valid_until)
            .finish_non_exhaustive()
    }
}

/// How an invoice is sent.
#[derive(Debug, Clone, Default)]
pub struct SendOptions {
    /// Issued offline (KOD II, sent later).
    pub offline_mode: bool,
    /// Technical correction of a rejected offline invoice: its SHA-256 (Base64).
    pub hash_of_corrected_invoice: Option<String>,
}

/// A UPO: the XML and its Base64 SHA-256 (checked against `x-ms-meta-hash`).
#[derive(Debug, Clone)]
pub struct Upo {
    /// `Potwierdzenie` XML.
    pub xml: Vec<u8>,
}

impl Login {
    /// Opens an online session for `form` (FA(3) unless you need another).
    pub async fn open_online_session(&self, form: FormCode) -> Result<OnlineSession, KsefError> {
        let (key, iv) = crypto::session_key();
        let mut rotated = false;
        loop {
            let (rsa_key, key_id) = self
                .client
                .key_for(PublicKeyCertificateUsage::SymmetricKeyEncryption)
                .await?;
            let request = OpenOnlineSessionRequest {
                form_code: form.clone(),
                encryption: EncryptionInfo {
                    encrypted_symmetric_key: crypto::oaep_encrypt(&rsa_key, &key)?,
                    initialization_vector: crypto::b64(&iv),
                    public_key_id: Some(key_id),
                },
            };
            let answer: Result<OpenOnlineSessionResponse, _> = self
                .json(|t| Call::post("/sessions/online", Group::OnlineSession, &self.nip, Some(t)).body(&request))
                .await;
            match answer {
                Ok(r) => {
                    tracing::info!(nip = %self.nip, session = %r.reference_number, "KSeF online session opened");
                    return Ok(OnlineSession {
                        reference: r.reference_number,
                        valid_until: r.valid_until,
                        key,
                        iv,
                    });
                }
                Err(e) if e.code() == Some(21470) && !rotated => {
                    self.client.forget_keys();
                    rotated = true;
                }
                Err(e) => return Err(e),
            }
        }
    }

    /// Sends one invoice (its exact bytes) in `session`; its `EE` number. The outcome
    /// comes later through [`Login::invoice_status`].
    pub async fn send_invoice(
        &self,
        session: &OnlineSession,
        xml: &[u8],
        options: &SendOptions,
    ) -> Result<ReferenceNumber, KsefError> {
        let ciphertext = crypto::aes_encrypt(&session.key, &session.iv, xml);
        let request = SendInvoiceRequest {
            invoice_hash: crypto::sha256_b64(xml),
            invoice_size: xml.len() as i64,
            encrypted_invoice_hash: crypto::sha256_b64(&ciphertext),
            encrypted_invoice_size: ciphertext.len() as i64,
            encrypted_invoice_content: crypto::b64(&ciphertext),
            offline_mode: options.offline_mode,
            hash_of_corrected_invoice: options.hash_of_corrected_invoice.clone(),
        };
        let path = format!("/sessions/online/{}/invoices", session.reference);
        let answer: ReferenceResponse = self
            .json(|t| Call::post(path.clone(), Group::InvoiceSend, &self.nip, Some(t)).body(&request))
            .await?;
        Ok(answer.reference_number)
    }

    /// Closes an online session (KSeF then prepares its UPO).
    pub async fn close_online_session(&self, session: &ReferenceNumber) -> Result<(), KsefError> {
        let path = format!("/sessions/online/{session}/close");
        self.empty(|t| Call::post(path.clone(), Group::OnlineSession, &self.nip, Some(t)))
            .await
    }

    /// A session's status.
    pub async fn session_status(
        &self,
        session: &ReferenceNumber,
    ) -> Result<(SessionState, SessionStatusResponse), KsefError> {
        let path = format!("/sessions/{session}");
        let r: SessionStatusResponse = self
            .json(|t| Call::get(path.clone(), Group::SessionMisc, &self.nip, Some(t)))
            .await?;
        Ok((SessionState::from(&r), r))
    }

    /// One invoice's status.
    pub async fn invoice_status(
        &self,
        session: &ReferenceNumber,
        invoice: &ReferenceNumber,
    ) -> Result<InvoiceState, KsefError> {
        let path = format!("/sessions/{session}/invoices/{invoice}");
        let r: SessionInvoiceStatusResponse = self
            .json(|t| Call::get(path.clone(), Group::InvoiceStatus, &self.nip, Some(t)))
            .await?;
        Ok(r.into())
    }

    /// Every invoice of a session (or only the failed ones), following continuation tokens.
    pub async fn session_invoices(
        &self,
        session: &ReferenceNumber,
        failed_only: bool,
    ) -> Result<Vec<InvoiceState>, KsefError> {
        let path = if failed_only {
            format!("/sessions/{session}/invoices/failed?pageSize=1000")
        } else {
            format!("/sessions/{session}/invoices?pageSize=1000")
        };
        let mut out = Vec::new();
        let mut continuation: Option<String> = None;
        loop {
            let page: SessionInvoicesResponse = self
                .json(|t| {
                    Call::get(path.clone(), Group::SessionInvoiceList, &self.nip, Some(t))
                        .header("x-continuation-token", continuation.clone())
                })
                .await?;
            out.extend(page.invoices.into_iter().map(InvoiceState::from));
            match page.continuation_token {
                Some(next) => continuation = Some(next),
                None => return Ok(out),
            }
        }
    }

    /// The UPO of one invoice, by its `EE` number.
    pub async fn invoice_upo(&self, session: &ReferenceNumber, invoice: &ReferenceNumber) -> Result<Upo, KsefError> {
        let path = format!("/sessions/{session}/invoices/{invoice}/upo");
        let xml = self
            .bytes(|t| Call::get(path.clone(), Group::SessionMisc, &self.nip, Some(t)))
            .await?;
        Ok(Upo { xml })
    }

    /// The UPO of one invoice, by its KSeF number.
    pub async fn invoice_upo_by_ksef_number(
        &self,
        session: &ReferenceNumber,
        ksef: &KsefNumber,
    ) -> Result<Upo, KsefError> {
        let path = format!("/sessions/{session}/invoices/ksef/{ksef}/upo");
        let xml = self
            .bytes(|t| Call::get(path.clone(), Group::SessionMisc, &self.nip, Some(t)))
            .await?;
        Ok(Upo { xml })
    }

    /// A page of a processed session's UPO, by its `EU` number (from the session status).
    pub async fn session_upo(&self, session: &ReferenceNumber, upo_page: &ReferenceNumber) -> Result<Upo, KsefError> {
        let path = format!("/sessions/{session}/upo/{upo_page}");
        let xml = self
            .bytes(|t| Call::get(path.clone(), Group::SessionMisc, &self.nip, Some(t)))
            .await?;
        Ok(Upo { xml })
    }

    /// A UPO (invoice or session page) from its presigned link: no token, not limited.
    pub async fn download_upo(&self, url: &str) -> Result<Upo, KsefError> {
        Ok(Upo {
            xml: self.client.presigned(url).await?,
        })
    }

    /// The exact bytes KSeF holds under a KSeF number (checked against its hash).
    pub async fn invoice(&self, ksef: &KsefNumber) -> Result<Vec<u8>, KsefError> {
        let path = format!("/invoices/ksef/{ksef}");
        self.bytes(|t| Call::get(path.clone(), Group::InvoiceDownload, &self.nip, Some(t)))
            .await
    }

    /// One page of invoice metadata.
    pub async fn query_metadata(
        &self,
        filters: &InvoiceQueryFilters,
        page_offset: u32,
        page_size: u32,
    ) -> Result<QueryInvoicesMetadataResponse, KsefError> {
        let path = format!("/invoices/query/metadata?pageOffset={page_offset}&pageSize={page_size}&sortOrder=Asc");
        self.json(|t| {
            Call::post(path.clone(), Group::InvoiceMetadata, &self.nip, Some(t))
                .body(filters)
                .idempotent()
        })
        .await
    }
}
