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
use domain::InvoiceId;
use store::{Delivery, InvoiceRecord};

use super::issue::{PdfLanguage, PdfMarks, render_pdf};
use crate::outbox::{self, Failure, Outbox, OutboxReport};
use crate::{App, AppError, CurrentUser};

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
            status: status @ (403 | 404 | 413 | 422),
            errors,
            ..
        } => {
            // Kept as a problem worded when shown: what Allegro refused, in the seller's
            // words with what to do, and Allegro's own words (its `userMessage`, else its
            // message) beside them.
            let key = match status {
                403 => "problem-invoice-refused-forbidden",
                404 => "problem-invoice-refused-no-order",
                413 => "problem-invoice-refused-too-large",
                _ => "problem-invoice-refused-invalid",
            };
            let allegro = if errors.is_empty() {
                text
            } else {
                errors
                    .iter()
                    .map(|x| x.user_message.as_deref().unwrap_or(&x.message))
                    .collect::<Vec<_>>()
                    .join("; ")
            };
            Failure::Refused(
                domain::Problem::new(key)
                    .arg("status", status)
                    .arg("allegro", allegro)
                    .to_stored(),
            )
        }
        _ => Failure::Retry {
            after_ms: backoff,
            error: text,
        },
    }
}

fn is_conflict(e: &AllegroError) -> bool {
    matches!(e, AllegroError::Api { status: 409, .. })
}

/// Invoice PDFs to their Allegro orders, through the one outbox runner.
pub(crate) struct InvoiceUploads;

impl Outbox for InvoiceUploads {
    type Item = InvoiceRecord;
    const METRIC: &'static str = "allegro_bridge_invoice_uploads_total";
    // A few at a time: each is a PDF render (CPU, on the blocking pool) and two requests
    // to Allegro (waiting), so they overlap well; Allegro's limits are per Client ID and
    // the client's budget already paces them.
    const AT_ONCE: usize = 4;

    async fn claim(app: &App, now_ms: i64, held_until_ms: i64, limit: i64) -> Result<Vec<InvoiceRecord>, AppError> {
        Ok(app.store.claim_due_uploads(now_ms, held_until_ms, limit).await?)
    }

    async fn send(app: &App, item: &InvoiceRecord) -> Result<Option<String>, Failure> {
        app.upload(item).await.map(|()| None)
    }

    async fn record(app: &App, item: &InvoiceRecord, outcome: &Delivery) -> Result<(), AppError> {
        Ok(app.store.finish_upload(&item.id, outcome).await?)
    }

    fn interrupted() -> String {
        "wysyłkę przerwało zatrzymanie serwera; zostanie ponowiona".into()
    }

    fn label(item: &InvoiceRecord) -> String {
        format!("{} (invoice {}, order {})", item.number, item.id, item.order_id)
    }
}

impl App {
    /// Uploads the invoices that are due (oldest first, up to `limit`). Safe in any number
    /// of processes at once: each invoice is claimed by one, and reaches Allegro once.
    pub async fn upload_due_invoices(&self, limit: i64) -> Result<OutboxReport, AppError> {
        outbox::drain::<InvoiceUploads>(self, limit).await
    }

    /// The buyer's copy carries the KSeF number: an invoice on its way to KSeF waits for
    /// it (its bytes and number then make the PDF), at most `ksef_upload_wait_ms` from
    /// when it was queued; after that it goes labelled OFFLINE rather than keep the buyer
    /// waiting. While the organisation cannot send (no token, or KSeF refused it) there is
    /// no number to wait for: it goes at once, labelled OFFLINE. An invoice issued offline
    /// goes as soon as its bytes (and KOD II) are fixed — that is what offline mode is for.
    async fn ksef_marks_for_upload(&self, record: &InvoiceRecord) -> Result<PdfMarks, Failure> {
        let sent = self
            .store
            .ksef_submission(&record.organisation_id, &record.id)
            .await
            .map_err(|e| Failure::Retry {
                after_ms: 30_000,
                error: format!("{e:#}"),
            })?;
        let Some(sent) = sent else {
            return Ok(PdfMarks::default());
        };
        if sent.state == store::KsefState::Accepted {
            return Ok(sent.into());
        }
        let settings = self
            .store
            .ksef_settings(&record.organisation_id)
            .await
            .map_err(|e| Failure::Retry {
                after_ms: 30_000,
                error: format!("{e:#}"),
            })?;
        let can_send = settings
            .as_ref()
            .is_some_and(|s| s.token.is_some() && s.token_problem.is_none());
        let until = sent.queued_at_ms + self.ksef_upload_wait_ms;
        let now = self.now_ms();
        if sent.offline_mode.is_some() {
            let with_certificate = settings.as_ref().is_some_and(|s| s.offline_certificate.is_some());
            let fixed = sent.xml.is_some() && (sent.certificate_link.is_some() || !with_certificate);
            if fixed || now >= until {
                return Ok(PdfMarks {
                    ksef_number: None,
                    ..sent.into()
                });
            }
            // The KSeF worker fixes the bytes and signs KOD II within seconds.
            return Err(Failure::Retry {
                after_ms: 2_000,
                error: crate::Problem::new("problem-upload-waits-for-ksef")
                    .arg("until", domain::time::polish_time_text(until))
                    .to_stored(),
            });
        }
        if can_send && now < until {
            return Err(Failure::Retry {
                after_ms: (until - now).clamp(1_000, 15_000),
                error: crate::Problem::new("problem-upload-waits-for-ksef")
                    .arg("until", domain::time::polish_time_text(until))
                    .to_stored(),
            });
        }
        Ok(PdfMarks {
            xml: sent.xml,
            ..PdfMarks::default()
        })
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
        let marks = self.ksef_marks_for_upload(record).await?;
        let (_, invoice) = self.invoice(&user, &record.id).await.map_err(retry)?;
        let pdf = render_pdf(invoice, marks, PdfLanguage::Polish).await.map_err(retry)?;
        let file_name = record.file_name("pdf");
        let metadata = match &record.upload.allegro_invoice_id {
            Some(id) => id.clone(),
            None => match allegro
                .add_invoice(record.order_id.as_str(), &file_name, Some(&record.number))
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
                        .invoices(record.order_id.as_str())
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
        match allegro
            .upload_invoice_file(record.order_id.as_str(), &metadata, pdf)
            .await
        {
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
    pub async fn resend_invoice(&self, user: &CurrentUser, id: &InvoiceId) -> Result<(), AppError> {
        let (record, _) = self.invoice(user, id).await?;
        if !self
            .store
            .resend_invoice(&user.organisation_id, &record.id, self.now_ms())
            .await?
        {
            return Err(crate::conflict(match record.upload.state {
                store::UploadState::Uploaded => "problem-invoice-already-on-allegro",
                _ => "problem-order-from-file",
            }));
        }
        Ok(())
    }
}
