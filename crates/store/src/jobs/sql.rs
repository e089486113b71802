//! The SQL of JobStore (see [`crate::jobs`]), written once for both backends.

/// Implements [`crate::JobStore`] for `$store`; expanded by [`crate::impl_sql_storage`]
/// beside the shared helpers.
#[doc(hidden)]
#[macro_export]
macro_rules! sql_jobs {
    ($store:ty, $db:ty, $backend:literal, $claim_sql:expr, $begin:literal) => {
        #[::async_trait::async_trait]
        impl JobStore for $store {
            async fn enqueue_job(&self, j: &NewJob) -> StoreResult<bool> {
                // The partial unique index on (kind, dedup_key) for queued/running jobs
                // turns a duplicate into "nothing inserted".
                let done = ::sqlx::query(
                    "INSERT INTO jobs (kind, dedup_key, payload, state, attempts, max_attempts, run_at_ms) \
                     VALUES ($1, $2, $3, 'queued', 0, $4, $5) ON CONFLICT DO NOTHING",
                )
                .bind(&j.kind)
                .bind(&j.dedup_key)
                .bind(&j.payload)
                .bind(j.max_attempts)
                .bind(j.run_at_ms)
                .execute(&self.pool)
                .await
                .map_err(backend_err)?;
                Ok(done.rows_affected() == 1)
            }

            async fn claim_job(&self, worker: &str, now_ms: i64, lease_until_ms: i64) -> StoreResult<Option<Job>> {
                let row = ::sqlx::query($claim_sql)
                    .bind(worker)
                    .bind(lease_until_ms)
                    .bind(now_ms)
                    .fetch_optional(&self.pool)
                    .await
                    .map_err(backend_err)?;
                row.map(|r| {
                    Ok(Job {
                        id: get(&r, "id")?,
                        kind: get(&r, "kind")?,
                        dedup_key: get(&r, "dedup_key")?,
                        payload: get(&r, "payload")?,
                        attempts: get(&r, "attempts")?,
                        max_attempts: get(&r, "max_attempts")?,
                    })
                })
                .transpose()
            }

            async fn complete_job(&self, id: i64, worker: &str) -> StoreResult<bool> {
                let done = ::sqlx::query(
                    "UPDATE jobs SET state = 'done', locked_by = NULL, locked_until_ms = NULL WHERE id = $1 AND locked_by = $2 AND state = 'running'",
                )
                .bind(id)
                .bind(worker)
                .execute(&self.pool)
                .await
                .map_err(backend_err)?;
                Ok(done.rows_affected() == 1)
            }

            async fn fail_job(&self, id: i64, worker: &str, error: &str, retry_at_ms: i64) -> StoreResult<bool> {
                let done = ::sqlx::query(
                    "UPDATE jobs SET state = CASE WHEN attempts >= max_attempts THEN 'dead' ELSE 'queued' END, \
                     last_error = $1, run_at_ms = $2, locked_by = NULL, locked_until_ms = NULL \
                     WHERE id = $3 AND locked_by = $4 AND state = 'running'",
                )
                .bind($crate::sql::stored_error(error))
                .bind(retry_at_ms)
                .bind(id)
                .bind(worker)
                .execute(&self.pool)
                .await
                .map_err(backend_err)?;
                Ok(done.rows_affected() == 1)
            }

            async fn release_job(&self, id: i64, worker: &str, now_ms: i64) -> StoreResult<bool> {
                let done = ::sqlx::query(
                    "UPDATE jobs SET state = 'queued', run_at_ms = $1, attempts = attempts - 1, locked_by = NULL, \
                     locked_until_ms = NULL WHERE id = $2 AND locked_by = $3 AND state = 'running' AND attempts > 0",
                )
                .bind(now_ms)
                .bind(id)
                .bind(worker)
                .execute(&self.pool)
                .await
                .map_err(backend_err)?;
                Ok(done.rows_affected() == 1)
            }
        }
    };
}
