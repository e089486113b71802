/// A job to enqueue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewJob {
    /// Kind, e.g. `refresh_token`.
    pub kind: String,
    /// At most one queued or running job per (kind, dedup key).
    pub dedup_key: String,
    /// JSON payload.
    pub payload: String,
    /// Not before.
    pub run_at_ms: i64,
    /// Attempts before it is dead.
    pub max_attempts: i32,
}

/// A claimed job.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Job {
    /// Id.
    pub id: i64,
    /// Kind.
    pub kind: String,
    /// Dedup key.
    pub dedup_key: String,
    /// JSON payload.
    pub payload: String,
    /// Attempts so far, this one included.
    pub attempts: i32,
    /// Attempts allowed.
    pub max_attempts: i32,
}
