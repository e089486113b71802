//! Sending invoices to KSeF exactly once (issue #16 item 2). A worker claims due
//! submissions (leases), renders each invoice's FA(3) once and stores the bytes before the
//! first send, sends them in the organisation's online session, and records what KSeF
//! decides: the KSeF number, when and how it was given, and the UPO. An outcome we did not
//! see (a crash, a timeout) is resolved by KSeF's answer to the same bytes — the invoice's
//! status in its session, or a 440 duplicate naming the original's KSeF number — never by
//! sending a different document.

use std::collections::BTreeMap;
use std::time::Duration;

use domain::{InvoiceKind, OrganisationId};
use ksef_client::{InvoiceOutcome, KsefError};
use store::{KsefState, KsefSubmission};

use super::connection::Connection;
use crate::{App, AppError, CurrentUser, Problem};

/// How long the worker waits for KSeF's decisions on what it just sent before leaving
/// them for its next round.
const DECISION_WAIT: Duration = Duration::from_secs(10);
/// When the settings are missing or the token is refused, invoices are looked at again
/// after this long (they wait; nothing is lost).
const TOKEN_WAIT_MS: i64 = 10 * 60_000;

/// How many submissions the worker takes in one round: a burst goes as batch sessions of
/// this size (KSeF takes up to 10 000 invoices in one), each read back in one page of its
/// session's list (KSeF's pages hold 1 000), within the claims' five-minute lease.
pub const KSEF_ROUND: i64 = 1_000;
/// The worker's pause between rounds of sending.
pub const KSEF_PAUSE: Duration = Duration::from_secs(2);

/// What a round of sending did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct KsefRound {
    /// Sent (or resent) to KSeF.
    pub sent: usize,
    /// Given a KSeF number.
    pub accepted: usize,
    /// Refused by KSeF.
    pub rejected: usize,
    /// Waiting for a later round (KSeF still deciding, a token to set, KSeF unavailable).
    pub waiting: usize,
    /// KSeF answered the organisation being sent for (an unavailability is over).
    pub(super) answered: bool,
}

/// The first word of KSeF's details that is a KSeF number (checksum and all).
fn named_number(details: &[String]) -> Option<ksef_client::KsefNumber> {
    details
        .iter()
        .flat_map(|d| d.split(|c: char| c.is_whitespace() || c == ',' || c == '.' || c == ';'))
        .find_map(|word| word.parse().ok())
}

fn retry_in(attempts: i64) -> i64 {
    // 10 s, 20 s, 40 s … up to 5 minutes: after an outage invoices go soon after KSeF is
    // back (their offline deadline runs), without hammering it meanwhile.
    (10_000_i64 << attempts.clamp(0, 5)).min(5 * 60_000)
}

impl App {
    /// Sends up to `limit` due invoices to KSeF and reads KSeF's decisions. Safe to run in
    /// any number of processes at once: a submission is held by one of them at a time.
    pub async fn send_due_to_ksef(&self, limit: i64) -> Result<KsefRound, AppError> {
        self.close_idle_ksef_sessions().await;
        let now = self.now_ms();
        let claimed = self.store.claim_due_ksef(now, now + self.ksef_lease_ms, limit).await?;
        let mut by_org: BTreeMap<OrganisationId, Vec<KsefSubmission>> = BTreeMap::new();
        for s in claimed {
            by_org.entry(s.organisation_id.clone()).or_default().push(s);
        }
        let mut round = KsefRound::default();
        for (org, submissions) in by_org {
            if self.is_stopping() {
                // Given back: due again at once for another worker.
                for s in submissions {
                    self.postpone_ksef(s, self.now_ms(), None).await?;
                }
                continue;
            }
            self.send_for_organisation(&org, submissions, &mut round).await?;
        }
        Ok(round)
    }

    #[tracing::instrument(name = "ksef_send", skip_all, fields(organisation_id = %org))]
    async fn send_for_organisation(
        &self,
        org: &OrganisationId,
        submissions: Vec<KsefSubmission>,
        round: &mut KsefRound,
    ) -> Result<(), AppError> {
        // What does not need KSeF first: each invoice's bytes fixed, offline marks and
        // KOD II — an offline invoice reaches its buyer even while KSeF is down.
        let submissions = self.prepare_for_ksef(org, submissions, round).await?;
        if submissions.is_empty() {
            return Ok(());
        }
        let connection = match self.ksef_connection(org).await? {
            Ok(c) => c,
            Err(problem) => {
                let unreachable = problem.key == "problem-ksef-unreachable";
                if unreachable {
                    self.ksef_unreachable(org).await?;
                }
                for s in submissions {
                    round.waiting += 1;
                    let at = if unreachable {
                        self.now_ms() + retry_in(s.attempts)
                    } else {
                        self.now_ms() + TOKEN_WAIT_MS
                    };
                    let attempts = s.attempts + i64::from(unreachable);
                    let s = KsefSubmission { attempts, ..s };
                    self.postpone_ksef(s, at, Some(problem.to_stored())).await?;
                }
                return Ok(());
            }
        };
        let mut deciding = Vec::new();
        let mut in_batch = Vec::new();
        let mut ready = Vec::new();
        for s in submissions {
            if s.state == KsefState::Sent && s.session_ref.is_some() {
                match s.invoice_ref {
                    Some(_) => deciding.push(s),
                    None => in_batch.push(s),
                }
            } else {
                ready.push(s);
            }
        }
        // More than the online limits let go now (KSeF: 10 a second, 30 a minute, 180 an
        // hour per context): the lot goes in batch sessions instead of waiting hours —
        // one for online invoices and one for offline ones (`offlineMode` is the
        // session's). Technical corrections go online only (KSeF allows no other way).
        let room = connection
            .login
            .client()
            .rate_limits()
            .room(connection.login.nip(), ksef_client::Group::InvoiceSend);
        if ready.len() > 1 && ready.len() > room as usize {
            let (one_by_one, batched): (Vec<_>, Vec<_>) = ready.into_iter().partition(|s| s.corrected_hash.is_some());
            let (offline, online): (Vec<_>, Vec<_>) = batched.into_iter().partition(|s| s.offline_mode.is_some());
            for (lot, offline_mode) in [(online, false), (offline, true)] {
                if !lot.is_empty() {
                    self.send_as_batch(org, &connection, lot, offline_mode, round).await?;
                }
            }
            ready = one_by_one;
        }
        for s in ready {
            match self.send_one(org, &connection, &s).await {
                Ok((session, invoice)) => {
                    round.sent += 1;
                    round.answered = true;
                    let read = s.updated_at_ms;
                    let sent = KsefSubmission {
                        state: KsefState::Sent,
                        session_ref: Some(session),
                        invoice_ref: Some(invoice),
                        error: None,
                        next_at_ms: self.now_ms() + 2_000,
                        updated_at_ms: self.now_ms().max(read + 1),
                        ..s
                    };
                    // Stored before waiting for the decision: a crash from here on is
                    // resolved by the invoice's status in its session.
                    if self.store.save_ksef_submission(&sent, read).await? {
                        deciding.push(sent);
                    }
                }
                Err(e) => {
                    round.waiting += 1;
                    self.failed(org, s, &e).await?;
                }
            }
        }
        self.read_batch_decisions(&connection, in_batch, round).await?;
        self.read_decisions(&connection, deciding, round).await?;
        if std::mem::take(&mut round.answered) {
            self.ksef_reachable(org).await?;
        }
        Ok(())
    }

    /// Fixes each claimed invoice's bytes (rendered once, stored before the first send),
    /// marks it offline when KSeF counts as unavailable, and signs KOD II of an offline
    /// invoice; those that cannot be sent yet (a correction waiting for its original's
    /// number) are put back. The rest, ready to go.
    async fn prepare_for_ksef(
        &self,
        org: &OrganisationId,
        submissions: Vec<KsefSubmission>,
        round: &mut KsefRound,
    ) -> Result<Vec<KsefSubmission>, AppError> {
        let settings = self.store.ksef_settings(org).await?;
        let certificate = self.offline_certificate_for(settings.as_ref())?;
        let user = CurrentUser::for_organisation(org.clone());
        let seller_nip = self
            .invoicing_profile(&user)
            .await?
            .and_then(|p| p.seller.nip)
            .map(|n| n.as_str().to_owned())
            .unwrap_or_default();
        let mut prepared = Vec::new();
        for mut s in submissions {
            let read = s.updated_at_ms;
            let mut changed = false;
            if s.xml.is_none() {
                match self.ksef_document(org, &s).await? {
                    Ok(xml) => {
                        // Stored before the first send: every send repeats these bytes.
                        s.xml = Some(xml);
                        changed = true;
                    }
                    Err(problem) => {
                        round.waiting += 1;
                        let at = self.now_ms() + 30_000;
                        self.postpone_ksef(s, at, Some(problem.to_stored())).await?;
                        continue;
                    }
                }
            }
            changed |= self.mark_offline(&mut s, settings.as_ref(), certificate.as_ref(), &seller_nip)?;
            if changed {
                s.updated_at_ms = self.now_ms().max(read + 1);
                if !self.store.save_ksef_submission(&s, read).await? {
                    continue;
                }
            }
            prepared.push(s);
        }
        Ok(prepared)
    }

    /// Reads KSeF's decisions on `deciding`, for up to [`DECISION_WAIT`]; those still
    /// undecided are left for the next round.
    async fn read_decisions(
        &self,
        connection: &Connection,
        mut deciding: Vec<KsefSubmission>,
        round: &mut KsefRound,
    ) -> Result<(), AppError> {
        let until = std::time::Instant::now() + DECISION_WAIT;
        let mut pause = Duration::from_millis(50);
        while !deciding.is_empty() {
            let mut undecided = Vec::new();
            for s in deciding {
                let (Some(session), Some(invoice)) = (s.session_ref.clone(), s.invoice_ref.clone()) else {
                    continue;
                };
                let (Ok(session), Ok(invoice)) = (session.parse(), invoice.parse()) else {
                    continue;
                };
                match connection.login.invoice_status(&session, &invoice).await {
                    Ok(state) => {
                        round.answered = true;
                        match state.outcome {
                            InvoiceOutcome::Processing => undecided.push(s),
                            outcome => self.decided(connection, s, outcome, round).await?,
                        }
                    }
                    Err(e) => {
                        round.waiting += 1;
                        let org = s.organisation_id.clone();
                        self.failed(&org, s, &e).await?;
                    }
                }
            }
            if undecided.is_empty() || std::time::Instant::now() >= until || self.is_stopping() {
                for s in undecided {
                    round.waiting += 1;
                    self.postpone_ksef(s, self.now_ms() + 2_000, None).await?;
                }
                return Ok(());
            }
            tokio::time::sleep(pause).await;
            pause = (pause * 2).min(Duration::from_secs(1));
            deciding = undecided;
        }
        Ok(())
    }

    /// Records KSeF's decision: the number (an original's number for a 440 duplicate of
    /// the same bytes) with the UPO, or the refusal in Polish.
    pub(super) async fn decided(
        &self,
        connection: &Connection,
        s: KsefSubmission,
        outcome: InvoiceOutcome,
        round: &mut KsefRound,
    ) -> Result<(), AppError> {
        let read = s.updated_at_ms;
        let now = self.now_ms().max(read + 1);
        let done = match outcome {
            InvoiceOutcome::Accepted {
                ksef_number,
                acquisition_date,
                invoicing_mode,
                upo_download_url,
            } => {
                let upo = match upo_download_url {
                    Some(url) => connection.login.download_upo(&url).await.ok(),
                    None => None,
                }
                .map(|u| u.xml);
                round.accepted += 1;
                KsefSubmission {
                    state: KsefState::Accepted,
                    ksef_number: Some(ksef_number.to_string()),
                    acquired_at: acquisition_date,
                    invoicing_mode,
                    upo,
                    error: None,
                    updated_at_ms: now,
                    ..s
                }
            }
            // KSeF's words name the original's number when its extensions do not (a
            // batch session's list): a KSeF number carries its own checksum, so a word
            // that parses as one is one.
            InvoiceOutcome::Duplicate {
                original_ksef_number: None,
                original_session,
                details,
            } if named_number(&details).is_some() => {
                let original = named_number(&details);
                return Box::pin(self.decided(
                    connection,
                    s,
                    InvoiceOutcome::Duplicate {
                        original_ksef_number: original,
                        original_session,
                        details,
                    },
                    round,
                ))
                .await;
            }
            InvoiceOutcome::Duplicate {
                original_ksef_number: Some(original),
                ..
            } => {
                // The same seller, kind and number is in KSeF already: that is this
                // invoice, sent before we saw the answer.
                round.accepted += 1;
                KsefSubmission {
                    state: KsefState::Accepted,
                    ksef_number: Some(original.to_string()),
                    error: None,
                    updated_at_ms: now,
                    ..s
                }
            }
            InvoiceOutcome::Duplicate { details, .. } => {
                round.rejected += 1;
                KsefSubmission {
                    state: KsefState::Rejected,
                    error: Some(
                        Problem::new("problem-ksef-rejected")
                            .arg("code", "440")
                            .arg("description", "Duplikat faktury")
                            .arg("details", details.join("; "))
                            .to_stored(),
                    ),
                    updated_at_ms: now,
                    ..s
                }
            }
            InvoiceOutcome::Rejected {
                code,
                description,
                details,
            } => {
                round.rejected += 1;
                tracing::warn!(invoice_id = %s.invoice_id, code, %description, "KSeF refused an invoice");
                KsefSubmission {
                    state: KsefState::Rejected,
                    error: Some(
                        Problem::new("problem-ksef-rejected")
                            .arg("code", code.to_string())
                            .arg("description", description)
                            .arg("details", details.join("; "))
                            .to_stored(),
                    ),
                    updated_at_ms: now,
                    ..s
                }
            }
            InvoiceOutcome::Processing => return Ok(()),
        };
        if done.state == KsefState::Accepted {
            metrics::counter!("allegro_bridge_ksef_accepted_total").increment(1);
            tracing::info!(invoice_id = %done.invoice_id, ksef_number = ?done.ksef_number, "invoice in KSeF");
        }
        self.store.save_ksef_submission(&done, read).await?;
        Ok(())
    }

    /// A call failed: a refused token is remembered on the settings (the banner) and the
    /// organisation's invoices wait for a new one; anything else is retried later with a
    /// growing pause. The submission keeps its state: a send whose answer was lost is
    /// resolved by KSeF's answer to the same bytes next time.
    pub(super) async fn failed(&self, org: &OrganisationId, s: KsefSubmission, e: &KsefError) -> Result<(), AppError> {
        let problem = match e {
            KsefError::Auth(failure) => {
                self.ksef.0.lock().await.remove(org);
                let problem = Problem::new("problem-ksef-token-refused").arg("reason", failure.reason());
                if let Some(mut settings) = self.store.ksef_settings(org).await? {
                    settings.token_problem = Some(problem.to_stored());
                    settings.updated_at_ms = self.now_ms();
                    self.store.save_ksef_settings(&settings).await?;
                }
                problem
            }
            e if e.is_transient() => {
                self.ksef_unreachable(org).await?;
                Problem::new("problem-ksef-unreachable").arg("detail", e.to_string())
            }
            e => Problem::new("problem-ksef-refused").arg("detail", e.to_string()),
        };
        tracing::warn!(invoice_id = %s.invoice_id, error = %e, "KSeF call failed; retried later");
        let at = self.now_ms() + retry_in(s.attempts);
        let failed = KsefSubmission {
            attempts: s.attempts + 1,
            ..s
        };
        self.postpone_ksef(failed, at, Some(problem.to_stored())).await
    }

    /// Saves `s` due again at `at_ms` (with `error` when given; the state unchanged).
    pub(super) async fn postpone_ksef(
        &self,
        s: KsefSubmission,
        at_ms: i64,
        error: Option<String>,
    ) -> Result<(), AppError> {
        let read = s.updated_at_ms;
        let later = KsefSubmission {
            next_at_ms: at_ms,
            error: error.or(s.error.clone()),
            updated_at_ms: self.now_ms().max(read + 1),
            ..s
        };
        self.store.save_ksef_submission(&later, read).await?;
        Ok(())
    }

    /// The FA(3) bytes of a queued invoice, rendered once. A correction names the KSeF
    /// number of the invoice it corrects, so it waits until that invoice has one (art.
    /// 106j; FA(3) `NrKSeFFaKorygowanej`); one never in KSeF is marked `NrKSeFN`.
    async fn ksef_document(
        &self,
        org: &OrganisationId,
        s: &KsefSubmission,
    ) -> Result<Result<Vec<u8>, Problem>, AppError> {
        let user = CurrentUser::for_organisation(org.clone());
        let (record, mut invoice) = self.invoice(&user, &s.invoice_id).await?;
        if record.kind == InvoiceKind::Correction
            && let Some(corrected) = invoice.correction_of.as_mut()
        {
            let original = self
                .store
                .invoice_for_order(org, &record.order_id, InvoiceKind::Vat)
                .await?;
            if let Some(original) = original
                && let Some(sent) = self.store.ksef_submission(org, &original.id).await?
            {
                match (sent.state, sent.ksef_number) {
                    (KsefState::Accepted, Some(number)) => corrected.ksef_number = Some(number),
                    _ => {
                        return Ok(Err(
                            Problem::new("problem-ksef-waits-for-original").arg("number", corrected.number.as_str())
                        ));
                    }
                }
            }
        }
        match invoice_xml::fa3(&invoice) {
            Ok(xml) => Ok(Ok(xml.into_bytes())),
            Err(e) => Ok(Err(Problem::new("problem-invoice-invalid").arg("detail", e.to_string()))),
        }
    }
}
