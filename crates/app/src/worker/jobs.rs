//! The job queue's runner: claims due jobs under a lease and runs each (today: imports
//! from Allegro), renewing the lease page by page.

use store::ImportState;

use crate::orders::JobLease;
use crate::{App, AppError, IMPORT_JOB};

impl App {
    /// Claims and runs due background jobs until none is due; returns how many ran. The
    /// job's lease is renewed after each page, so a crash lets another worker resume.
    pub async fn run_due_jobs(&self, lease_ms: i64) -> Result<usize, AppError> {
        let worker = self.instance.clone();
        let mut ran = 0;
        while !self.is_stopping()
            && let Some(job) = self
                .store
                .claim_job(&worker, self.now_ms(), self.now_ms() + lease_ms)
                .await?
        {
            ran += 1;
            let outcome = match job.kind.as_str() {
                IMPORT_JOB => {
                    let id = job_import_id(&job.payload);
                    let lease = JobLease {
                        job_id: job.id,
                        worker: &worker,
                        lease_ms,
                    };
                    // Stops between pages when the worker is asked to stop.
                    match self.import_pages(&id, Some(lease), |_| !self.is_stopping()).await {
                        Ok(import)
                            if self.is_stopping()
                                && !matches!(import.state, ImportState::Done | ImportState::Failed) =>
                        {
                            // Resumed from its last committed page by the next worker.
                            self.store.release_job(job.id, &worker, self.now_ms()).await?;
                            tracing::info!(job = job.id, import_id = %id, "stopping: import given back");
                            continue;
                        }
                        other => other.map(|_| ()),
                    }
                }
                other => Err(AppError::Internal(anyhow::anyhow!("unknown job kind {other:?}"))),
            };
            match outcome {
                Ok(()) => {
                    self.store.complete_job(job.id, &worker).await?;
                }
                Err(AppError::Validation { problem, .. }) => {
                    // Will not pass on a retry (e.g. the account needs a new login).
                    self.store.complete_job(job.id, &worker).await?;
                    tracing::warn!(job = job.id, error = %problem, "job stopped");
                }
                Err(e) => {
                    let backoff = 5_000 * i64::from(job.attempts.clamp(1, 12));
                    let message = format!("{e:#}");
                    tracing::warn!(job = job.id, error = %message, "job failed; retried");
                    self.store
                        .fail_job(job.id, &worker, &message, self.now_ms() + backoff)
                        .await?;
                    if job.attempts >= job.max_attempts && job.kind == IMPORT_JOB {
                        // The last attempt: the import says so instead of "running" forever.
                        let id = job_import_id(&job.payload);
                        // The cause is in the log; the seller reads that it stopped and may
                        // start the import again.
                        let why = crate::Problem::new("problem-import-stopped").arg("attempts", job.attempts);
                        self.store
                            .finish_import(&id, ImportState::Failed, Some(&why.to_stored()), self.now_ms())
                            .await?;
                    }
                }
            }
        }
        Ok(ran)
    }
}

/// The import an import job runs.
fn job_import_id(payload: &str) -> String {
    serde_json::from_str::<serde_json::Value>(payload)
        .ok()
        .and_then(|v| v["import_id"].as_str().map(str::to_owned))
        .unwrap_or_default()
}
