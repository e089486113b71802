//! The PostgreSQL store: several `serve` and `worker` processes share one database. Jobs
//! are claimed with `FOR UPDATE SKIP LOCKED`, so two workers never take the same one.
#![forbid(unsafe_code)]

use std::str::FromStr;
use std::time::Duration;

use sqlx::postgres::{PgConnectOptions, PgPoolOptions};

/// The store on a PostgreSQL database.
#[derive(Debug, Clone)]
pub struct PgStore {
    pool: sqlx::PgPool,
}

impl PgStore {
    /// Connects to `url` (`postgres://user:password@host/db`) and runs migrations.
    pub async fn open(url: &str) -> Result<Self, store::StoreError> {
        let options = PgConnectOptions::from_str(url).map_err(|e| store::StoreError::Backend(Box::new(e)))?;
        let pool = PgPoolOptions::new()
            .max_connections(16)
            .acquire_timeout(Duration::from_secs(10))
            .connect_with(options)
            .await
            .map_err(|e| store::StoreError::Backend(Box::new(e)))?;
        sqlx::migrate!("./migrations")
            .run(&pool)
            .await
            .map_err(|e| store::StoreError::Backend(Box::new(e)))?;
        let store = Self { pool };
        while store::InvoiceStore::fill_buyer_keys(&store, 1_000).await? > 0 {}
        Ok(store)
    }
}

store::impl_sql_storage!(
    PgStore,
    sqlx::Postgres,
    "postgres",
    "UPDATE jobs SET state = 'running', locked_by = $1, locked_until_ms = $2, attempts = attempts + 1 \
     WHERE id = (SELECT id FROM jobs WHERE (state = 'queued' AND run_at_ms <= $3) \
                 OR (state = 'running' AND locked_until_ms < $3) ORDER BY run_at_ms, id LIMIT 1 FOR UPDATE SKIP LOCKED) \
     RETURNING id, kind, dedup_key, payload, attempts, max_attempts",
    "BEGIN"
);
