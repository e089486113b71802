//! Volume (issue #16 item 2): when more invoices wait than KSeF's online limits let go now
//! (180 an hour per context), they go as one batch session — a ZIP, encrypted, uploaded in
//! parts — and their decisions are read from the session's invoice list once KSeF has
//! processed it, matched to ours by the hash of the exact bytes.

use base64::Engine as _;
use domain::OrganisationId;
use ksef_client::SessionState;
use sha2::{Digest, Sha256};
use store::{KsefState, KsefSubmission};

use super::connection::Connection;
use super::sending::KsefRound;
use crate::{App, AppError, Problem};

/// SHA-256 of the bytes, Base64 — how KSeF names an invoice's hash in a session's list.
pub(super) fn hash_of(xml: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(Sha256::digest(xml))
}

impl App {
    /// Sends `ready` (their bytes stored) as one batch session (`offline_mode` for invoices
    /// issued offline); each is then `Sent` in
    /// that session, its decision read by [`App::read_batch_decisions`]. Should the answer
    /// be lost, the same bytes sent again get KSeF's 440 naming the original's number.
    pub(super) async fn send_as_batch(
        &self,
        org: &OrganisationId,
        connection: &Connection,
        ready: Vec<KsefSubmission>,
        offline_mode: bool,
        round: &mut KsefRound,
    ) -> Result<(), AppError> {
        let files: Vec<(String, Vec<u8>)> = ready
            .iter()
            .map(|s| (format!("{}.xml", s.invoice_id), s.xml.clone().unwrap_or_default()))
            .collect();
        match connection
            .login
            .send_batch(ksef_client::types::FormCode::fa3(), &files, offline_mode)
            .await
        {
            Ok(session) => {
                round.answered = true;
                tracing::info!(organisation_id = %org, session = %session, invoices = ready.len(), "KSeF batch session sent");
                for s in ready {
                    round.sent += 1;
                    let read = s.updated_at_ms;
                    let sent = KsefSubmission {
                        state: KsefState::Sent,
                        session_ref: Some(session.to_string()),
                        invoice_ref: None,
                        error: None,
                        next_at_ms: self.now_ms() + 3_000,
                        updated_at_ms: self.now_ms().max(read + 1),
                        ..s
                    };
                    self.store.save_ksef_submission(&sent, read).await?;
                }
            }
            Err(e) => {
                for s in ready {
                    round.waiting += 1;
                    self.failed(org, s, &e).await?;
                }
            }
        }
        Ok(())
    }

    /// Reads the decisions on invoices sent in batch sessions: once a session is
    /// processed, each invoice's outcome from its list; a session that failed as a whole
    /// (or an invoice missing from its list) puts the invoices back to be sent again.
    pub(super) async fn read_batch_decisions(
        &self,
        connection: &Connection,
        in_batch: Vec<KsefSubmission>,
        round: &mut KsefRound,
    ) -> Result<(), AppError> {
        let mut by_session: std::collections::BTreeMap<String, Vec<KsefSubmission>> = Default::default();
        for s in in_batch {
            by_session
                .entry(s.session_ref.clone().unwrap_or_default())
                .or_default()
                .push(s);
        }
        for (session, submissions) in by_session {
            let Ok(reference) = session.parse::<ksef_client::ReferenceNumber>() else {
                continue;
            };
            let state = match connection.login.session_status(&reference).await {
                Ok((state, _)) => {
                    round.answered = true;
                    state
                }
                Err(e) => {
                    for s in submissions {
                        round.waiting += 1;
                        let org = s.organisation_id.clone();
                        self.failed(&org, s, &e).await?;
                    }
                    continue;
                }
            };
            let failed = match state {
                SessionState::Processed { .. } => None,
                SessionState::Failed { code, description, .. } => {
                    tracing::warn!(session = %session, code, %description, "a KSeF batch session failed");
                    Some(Problem::new("problem-ksef-refused").arg("detail", format!("{code}: {description}")))
                }
                _ => {
                    for s in submissions {
                        round.waiting += 1;
                        self.postpone_ksef(s, self.now_ms() + 3_000, None).await?;
                    }
                    continue;
                }
            };
            // Processed or failed as a whole, each invoice's own outcome decides: a session
            // "fails" (445) when none of its invoices was accepted — e.g. when they all were
            // already in KSeF (440, sent before a crash we did not see the end of), and
            // those are settled by the original's number, not sent again.
            let listed = match connection.login.session_invoices(&reference, false).await {
                Ok(listed) => listed,
                Err(e) => {
                    for s in submissions {
                        round.waiting += 1;
                        let org = s.organisation_id.clone();
                        self.failed(&org, s, &e).await?;
                    }
                    continue;
                }
            };
            for s in submissions {
                let hash = hash_of(s.xml.as_deref().unwrap_or_default());
                match listed.iter().find(|i| i.invoice_hash == hash) {
                    Some(found) if found.outcome.is_final() => {
                        let with_ref = KsefSubmission {
                            invoice_ref: Some(found.reference_number.clone()),
                            ..s
                        };
                        self.decided(connection, with_ref, found.outcome.clone(), round).await?;
                    }
                    Some(_) if failed.is_none() => {
                        round.waiting += 1;
                        self.postpone_ksef(s, self.now_ms() + 3_000, None).await?;
                    }
                    _ => {
                        round.waiting += 1;
                        let why = failed
                            .clone()
                            .unwrap_or_else(|| Problem::new("problem-ksef-batch-missing"));
                        self.resend_later(s, why).await?;
                    }
                }
            }
        }
        Ok(())
    }

    /// Back to waiting, to be sent again (the same bytes) after a pause.
    async fn resend_later(&self, s: KsefSubmission, problem: Problem) -> Result<(), AppError> {
        let read = s.updated_at_ms;
        let again = KsefSubmission {
            state: KsefState::Waiting,
            session_ref: None,
            invoice_ref: None,
            attempts: s.attempts + 1,
            next_at_ms: self.now_ms() + 30_000,
            error: Some(problem.to_stored()),
            updated_at_ms: self.now_ms().max(read + 1),
            ..s
        };
        self.store.save_ksef_submission(&again, read).await?;
        Ok(())
    }
}
