//! The job queue's runner: claims due jobs under a lease and runs each (today: imports
//! from Allegro), renewing the lease page by page. A job's payload is typed
//! ([`JobPayload`]): its kind is the `jobs.kind` word, its data the JSON beside it, so a
//! job is built and read in one place.

use domain::ImportId;
use store::{ImportState, NewJob};

use crate::orders::JobLease;
use crate::{App, AppError};

/// What a background job does, with its data.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum JobPayload {
    /// Read an Allegro import (orders bought in a range) to its end.
    ImportOrders {
        /// The import.
        import_id: ImportId,
    },
}

impl JobPayload {
    /// The `jobs.kind` word.
    pub fn kind(&self) -> &'static str {
        match self {
            JobPayload::ImportOrders { .. } => "import_orders",
        }
    }

    /// The job to enqueue: at most one queued or running per `dedup_key`.
    pub fn job(&self, dedup_key: &str, run_at_ms: i64, max_attempts: i32) -> NewJob {
        let mut data = serde_json::to_value(self).unwrap_or_default();
        if let Some(map) = data.as_object_mut() {
            map.remove("kind");
        }
        NewJob {
            kind: self.kind().to_owned(),
            dedup_key: dedup_key.to_owned(),
            payload: data.to_string(),
            run_at_ms,
            max_attempts,
        }
    }

    /// A claimed job's payload; an unknown kind or broken data is an error (the job is
    /// retried and, after its attempts, left dead with the reason).
    pub fn of(job: &store::Job) -> Result<Self, AppError> {
        let mut data: serde_json::Value = serde_json::from_str(&job.payload)
            .map_err(|e| AppError::Internal(anyhow::Error::new(e).context(format!("job {} payload", job.id))))?;
        if let Some(map) = data.as_object_mut() {
            map.insert("kind".into(), serde_json::Value::String(job.kind.clone()));
        }
        serde_json::from_value(data).map_err(|e| {
            AppError::Internal(anyhow::Error::new(e).context(format!("job {} of kind {:?}", job.id, job.kind)))
        })
    }
}

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
            let payload = JobPayload::of(&job);
            let outcome = match &payload {
                Ok(JobPayload::ImportOrders { import_id: id }) => {
                    let lease = JobLease {
                        job_id: job.id,
                        worker: &worker,
                        lease_ms,
                    };
                    // Stops between pages when the worker is asked to stop.
                    match self.import_pages(id, Some(lease), |_| !self.is_stopping()).await {
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
                Err(e) => Err(AppError::Internal(anyhow::anyhow!("{e:#}"))),
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
                    if job.attempts >= job.max_attempts
                        && let Ok(JobPayload::ImportOrders { import_id: id }) = &payload
                    {
                        // The last attempt: the import says so instead of "running" forever.
                        // The cause is in the log; the seller reads that it stopped and may
                        // start the import again.
                        let why = crate::Problem::new("problem-import-stopped").arg("attempts", job.attempts);
                        self.store
                            .finish_import(id, ImportState::Failed, Some(&why.to_stored()), self.now_ms())
                            .await?;
                    }
                }
            }
        }
        Ok(ran)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_payload_is_stored_as_its_kind_and_data_and_read_back() {
        let import_id: ImportId = "00000000-0000-4000-8000-000000000001".parse().unwrap();
        let payload = JobPayload::ImportOrders { import_id };
        let new = payload.job("imp-1", 5, 20);
        assert_eq!(new.kind, "import_orders");
        assert_eq!(
            new.payload, r#"{"import_id":"00000000-0000-4000-8000-000000000001"}"#,
            "the kind lives in its column"
        );
        let claimed = |kind: &str, data: &str| store::Job {
            id: 7,
            kind: kind.into(),
            dedup_key: "imp-1".into(),
            payload: data.into(),
            attempts: 1,
            max_attempts: 20,
        };
        assert_eq!(JobPayload::of(&claimed(&new.kind, &new.payload)).unwrap(), payload);
        assert!(JobPayload::of(&claimed("send_fax", "{}")).is_err(), "an unknown kind");
        assert!(JobPayload::of(&claimed("import_orders", "{}")).is_err(), "missing data");
    }
}
