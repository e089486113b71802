//! The SQLite store: embedded, one file, the default. WAL mode and a busy timeout let the
//! web server and workers of one process write concurrently; writes are serialised by
//! SQLite itself, so claiming a job is one atomic `UPDATE … RETURNING`.
#![forbid(unsafe_code)]

use std::str::FromStr;
use std::time::Duration;

use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};

/// The store on an SQLite database.
#[derive(Debug, Clone)]
pub struct SqliteStore {
    pool: sqlx::SqlitePool,
}

impl SqliteStore {
    /// Opens (creating if missing) `url` (`sqlite:path/to/file.db`) and runs migrations.
    pub async fn open(url: &str) -> Result<Self, store::StoreError> {
        let options = SqliteConnectOptions::from_str(url).map_err(|e| store::StoreError::Backend(Box::new(e)))?;
        create_private(options.get_filename()).map_err(|e| store::StoreError::Backend(Box::new(e)))?;
        let options = options
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(10));
        let pool = SqlitePoolOptions::new()
            .max_connections(8)
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

/// Creates a missing database file readable by its owner only (mode 0600): it holds
/// buyers' personal data. SQLite gives its `-wal` and `-shm` files the same mode.
fn create_private(path: &std::path::Path) -> std::io::Result<()> {
    if path.as_os_str().is_empty() || path.as_os_str() == ":memory:" || path.exists() {
        return Ok(());
    }
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt as _;
        options.mode(0o600);
    }
    match options.open(path) {
        Ok(_) => Ok(()),
        // Another process created it first.
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
        Err(e) => Err(e),
    }
}

store::impl_sql_storage!(
    SqliteStore,
    sqlx::Sqlite,
    "sqlite",
    "UPDATE jobs SET state = 'running', locked_by = $1, locked_until_ms = $2, attempts = attempts + 1 \
     WHERE id = (SELECT id FROM jobs WHERE (state = 'queued' AND run_at_ms <= $3) \
                 OR (state = 'running' AND locked_until_ms < $3) ORDER BY run_at_ms, id LIMIT 1) \
     RETURNING id, kind, dedup_key, payload, attempts, max_attempts",
    // Write transactions take the write lock at BEGIN: a deferred one that reads first
    // and writes later gets SQLITE_BUSY at once (no busy wait) when another connection
    // wrote in between.
    "BEGIN IMMEDIATE"
);
