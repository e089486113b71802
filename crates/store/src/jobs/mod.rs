//! The job queue: typed work claimed under a lease by workers.

mod records;
mod sql;

use async_trait::async_trait;

pub use records::*;

use crate::StoreResult;

/// The job queue: typed work claimed under a lease by workers.
#[async_trait]
pub trait JobStore: Send + Sync {
    /// Enqueues a job unless one with the same kind and dedup key is queued or running.
    async fn enqueue_job(&self, job: &NewJob) -> StoreResult<bool>;
    /// Claims the next due job with a lease until `lease_until_ms`.
    async fn claim_job(&self, worker: &str, now_ms: i64, lease_until_ms: i64) -> StoreResult<Option<Job>>;
    /// Marks a job done, if `worker` still holds it.
    async fn complete_job(&self, id: i64, worker: &str) -> StoreResult<bool>;
    /// Records a failure: retried at `retry_at_ms`, or dead after its last attempt.
    async fn fail_job(&self, id: i64, worker: &str, error: &str, retry_at_ms: i64) -> StoreResult<bool>;
    /// Gives a job `worker` holds back to the queue, due at `now_ms`, the attempt not
    /// counted (the worker is stopping; the job resumes from its last checkpoint).
    async fn release_job(&self, id: i64, worker: &str, now_ms: i64) -> StoreResult<bool>;
}
