//! "Wyślij ponownie do KSeF" (issue #16 item 3): an invoice KSeF refused keeps its number;
//! once the seller fixed the cause — the invoicing profile, the buyer's data on Allegro —
//! the document is made again from them and sent anew. Legally the refused document was
//! never issued (a B2B invoice exists when KSeF accepts it), so the corrected one takes its
//! number; its dates and lines stay. An invoice issued offline goes back as KSeF's
//! **technical correction** (`hashOfCorrectedInvoice`: the hash of the refused bytes), sent
//! offline again: its buyer already holds it.

use domain::InvoiceId;
use store::KsefState;

use crate::invoices::buyer_of_order;
use crate::{App, AppError, CurrentUser, Problem, invalid};

impl App {
    /// Queues a refused invoice again with the seller from the current invoicing profile
    /// and the buyer from the order as it is now; 409 unless KSeF refused it.
    #[tracing::instrument(name = "ksef_resend", skip_all, fields(organisation_id = %user.organisation_id, invoice_id = %id))]
    pub async fn resend_to_ksef(&self, user: &CurrentUser, id: &InvoiceId) -> Result<(), AppError> {
        let (record, mut invoice) = self.invoice(user, id).await?;
        let Some(refused) = self
            .store
            .ksef_submission(&user.organisation_id, id)
            .await?
            .filter(|s| s.state == KsefState::Rejected)
        else {
            return Err(AppError::Conflict(Problem::new("problem-ksef-not-rejected")));
        };
        // A refused technical correction is corrected again against the offline invoice
        // KSeF first refused (KSeF allows one accepted correction of it).
        let corrected_hash = match (&refused.offline_mode, refused.corrected_hash, refused.xml) {
            (Some(_), Some(first), _) => Some(first),
            (Some(_), None, Some(xml)) => Some(super::batch::hash_of(&xml)),
            _ => None,
        };
        let profile = self
            .invoicing_profile(user)
            .await?
            .ok_or_else(|| invalid("profile", "problem-profile-missing"))?;
        invoice.seller = profile.seller.clone();
        invoice.seller_registers = profile.registers.clone();
        invoice.place_of_issue = Some(profile.place_of_issue.clone()).filter(|p| !p.trim().is_empty());
        if invoice.correction_of.is_none() {
            invoice.buyer = buyer_of_order(self, user, &record.order_id).await?;
        }
        let document = serde_json::to_string(&invoice)
            .map_err(|e| AppError::Internal(anyhow::Error::new(e).context("writing an invoice")))?;
        if !self
            .store
            .reopen_rejected_ksef(
                &user.organisation_id,
                id,
                &document,
                corrected_hash.as_deref(),
                self.now_ms(),
            )
            .await?
        {
            return Err(AppError::Conflict(Problem::new("problem-ksef-not-rejected")));
        }
        Ok(())
    }
}
