//! Sending invoices to their Allegro orders (`research/allegro-api.md` §8.7): the PDF is
//! attached in two steps, `POST …/invoices` (metadata with the invoice number), then
//! `PUT …/invoices/{id}/file`, each invoice exactly once:
//! - the metadata id is stored as soon as Allegro gives it, so a retry after a crash
//!   between the steps uploads to that id instead of adding metadata again;
//! - a crash before the id was stored meets 409 on the repeated POST (Allegro already has
//!   that number on the order): the metadata is found by number with `GET …/invoices`,
//!   and if it already has its file the upload is done;
//! - a `PUT` answered 409 ("invoice already has a file") means an earlier attempt landed.
//!
//! Rate limits (429), the antivirus scan of an earlier file (422) and Allegro's own
//! failures are retried on a growing backoff; what Allegro will never take (e.g. an
//! invoice for a cancelled order) is marked refused and waits for the seller's "Wyślij
//! ponownie".

use allegro_client::AllegroError;
use store::{InvoiceRecord, UploadOutcome};

use super::issue::{PdfLanguage, render_pdf};
use crate::{App, AppError, CurrentUser};

/// Invoices sent at the same time by one worker.
const UPLOADS_AT_ONCE: usize = 4;

/// What one pass of [`App::upload_due_invoices`] did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UploadReport {
    /// Attached to their orders.
    pub uploaded: usize,
    /// Failed for now; tried again later.
    pub retried: usize,
    /// Refused by Allegro for good.
    pub refused: usize,
}

enum Failure {
    Retry { after_ms: i64, error: String },
    Refused(String),
}

/// Why Allegro's answer stops or delays the upload.
fn classify(e: &AllegroError, attempts: i64) -> Failure {
    let backoff = domain::retry_after_ms(30_000, attempts);
    let text = e.to_string();
    match e {
        AllegroError::RateLimited { .. } => Failure::Retry {
            after_ms: 60_000,
            error: text,
        },
        AllegroError::Api {
            status: 422, errors, ..
        } if errors
            .iter()
            .any(|x| x.code.contains("SCANN") || x.message.to_lowercase().contains("scanned")) =>
        {
            // The previous file of this order is still being scanned: a few seconds.
            Failure::Retry {
                after_ms: 10_000,
                error: text,
            }
        }
        AllegroError::Api {
            status: 403 | 404 | 413 | 422,
            ..
        } => Failure::Refused(text),
        _ => Failure::Retry {
            after_ms: backoff,
            error: text,
        },
    }
}

fn is_conflict(e: &AllegroError) -> bool {
    matches!(e, AllegroError::Api { status: 409, .. })
}

impl App {
    /// Uploads the invoices that are due (oldest first, up to `limit`). Safe in any number
    /// of processes at once: each invoice is claimed by one, and reaches Allegro once.
    pub async fn upload_due_invoices(&self, limit: i64) -> Result<UploadReport, AppError> {
        let now = self.now_ms();
        let claimed = self
            .store
            .claim_due_uploads(now, now + self.upload_lease_ms, limit)
            .await?;
        let mut report = UploadReport::default();
        // A few at a time: each is a PDF render (CPU, on the blocking pool) and two requests
        // to Allegro (waiting), so they overlap well; Allegro's limits are per Client ID and
        // the client's budget already paces them.
        let mut running = tokio::task::JoinSet::new();
        let mut claimed = claimed.into_iter();
        loop {
            while running.len() < UPLOADS_AT_ONCE {
                let Some(record) = claimed.next() else { break };
                let app = self.clone();
                running.spawn(async move {
                    let outcome = match app.upload(&record).await {
                        Ok(()) => UploadOutcome::Uploaded { at_ms: app.now_ms() },
                        Err(Failure::Retry { after_ms, error }) => UploadOutcome::Retry {
                            next_at_ms: app.now_ms() + after_ms,
                            error,
                        },
                        Err(Failure::Refused(error)) => UploadOutcome::Refused { error },
                    };
                    (record, outcome)
                });
            }
            let Some(done) = running.join_next().await else { break };
            // Recorded as each one ends, so a crash loses at most the ones in flight.
            let (record, outcome) =
                done.map_err(|e| AppError::Internal(anyhow::Error::new(e).context("an invoice upload stopped")))?;
            match &outcome {
                UploadOutcome::Uploaded { .. } => {
                    report.uploaded += 1;
                    metrics::counter!("allegro_bridge_invoice_uploads_total", "outcome" => "uploaded").increment(1);
                }
                UploadOutcome::Retry { error, .. } => {
                    report.retried += 1;
                    tracing::warn!(invoice = %record.number, %error, "invoice upload to Allegro will be retried");
                }
                UploadOutcome::Refused { error } => {
                    report.refused += 1;
                    tracing::warn!(invoice = %record.number, %error, "Allegro refused the invoice");
                }
            }
            self.store.finish_upload(&record.id, &outcome).await?;
        }
        Ok(report)
    }

    #[tracing::instrument(name = "invoice_upload", skip_all, fields(invoice_id = %record.id, order_id = %record.order_id, number = %record.number))]
    async fn upload(&self, record: &InvoiceRecord) -> Result<(), Failure> {
        let retry = |e: AppError| Failure::Retry {
            after_ms: domain::retry_after_ms(30_000, record.upload.attempts),
            error: format!("{e:#}"),
        };
        let account = self
            .store
            .account_for_worker(&record.account_id)
            .await
            .map_err(|e| retry(e.into()))?
            .ok_or_else(|| Failure::Refused("the Allegro account is no longer linked".into()))?;
        if account.status != domain::AccountStatus::Active {
            return Err(Failure::Retry {
                after_ms: 15 * 60_000,
                error: format!(
                    "the Allegro account {} is not connected ({})",
                    account.login,
                    account.status.as_str()
                ),
            });
        }
        let access = self.account_api(account).await.map_err(retry)?;
        let allegro = access.rest();
        let user = CurrentUser::for_organisation(record.organisation_id.clone());
        let (_, invoice) = self.invoice(&user, &record.id).await.map_err(retry)?;
        let pdf = render_pdf(invoice, PdfLanguage::Polish).await.map_err(retry)?;
        let file_name = record.file_name("pdf");
        let metadata = match &record.upload.allegro_invoice_id {
            Some(id) => id.clone(),
            None => match allegro
                .add_invoice(&record.order_id, &file_name, Some(&record.number))
                .await
            {
                Ok(created) => {
                    let id = created.id.ok_or_else(|| Failure::Retry {
                        after_ms: 60_000,
                        error: "Allegro added the invoice without giving its id".into(),
                    })?;
                    self.store
                        .save_allegro_invoice_id(&record.id, Some(&id))
                        .await
                        .map_err(|e| retry(e.into()))?;
                    id
                }
                // The number is already on the order: an earlier attempt added it.
                Err(e) if is_conflict(&e) => {
                    let listed = allegro
                        .invoices(&record.order_id)
                        .await
                        .map_err(|e| classify(&e, record.upload.attempts))?;
                    let Some(found) = listed
                        .invoices
                        .unwrap_or_default()
                        .into_iter()
                        .find(|i| i.invoice_number.as_deref() == Some(record.number.as_str()))
                    else {
                        return Err(Failure::Refused(e.to_string()));
                    };
                    if found.file.is_some() {
                        return Ok(());
                    }
                    let id = found.id.ok_or_else(|| Failure::Refused(e.to_string()))?;
                    self.store
                        .save_allegro_invoice_id(&record.id, Some(&id))
                        .await
                        .map_err(|e| retry(e.into()))?;
                    id
                }
                Err(e) => return Err(classify(&e, record.upload.attempts)),
            },
        };
        match allegro.upload_invoice_file(&record.order_id, &metadata, pdf).await {
            Ok(()) => Ok(()),
            // The file is already there: an earlier attempt's PUT landed.
            Err(e) if is_conflict(&e) => Ok(()),
            // The metadata is gone: add it again next time.
            Err(e @ AllegroError::Api { status: 404, .. }) => {
                self.store
                    .save_allegro_invoice_id(&record.id, None)
                    .await
                    .map_err(|e| retry(e.into()))?;
                Err(Failure::Retry {
                    after_ms: 10_000,
                    error: e.to_string(),
                })
            }
            Err(e) => Err(classify(&e, record.upload.attempts)),
        }
    }

    /// "Wyślij ponownie": a refused or waiting invoice is sent to Allegro at the worker's
    /// next pass. An invoice already on Allegro, or for an order from a file, cannot be.
    pub async fn resend_invoice(&self, user: &CurrentUser, id: &str) -> Result<(), AppError> {
        let (record, _) = self.invoice(user, id).await?;
        if !self
            .store
            .resend_invoice(&user.organisation_id, &record.id, self.now_ms())
            .await?
        {
            return Err(AppError::Conflict(match record.upload.state {
                store::UploadState::Uploaded => "the invoice is already on Allegro".into(),
                _ => "this invoice's order did not come from Allegro".into(),
            }));
        }
        Ok(())
    }
}
