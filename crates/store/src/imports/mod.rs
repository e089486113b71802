//! Imports: Allegro order history fetched window by window, and order files (CSV, XLSX) staged then published.

mod records;
mod sql;

use async_trait::async_trait;
use domain::{AccountId, ImportId, OrganisationId};

pub use records::*;

use crate::{NewJob, OrderRecord, StoreResult, UpsertCounts};

/// Imports: Allegro order history fetched window by window, and order files (CSV, XLSX) staged then published.
#[async_trait]
pub trait ImportStore: Send + Sync {
    /// Stores a new import and, in the same transaction, the job that runs it (when given;
    /// the CLI runs its imports itself).
    async fn create_import(&self, import: &Import, job: Option<&NewJob>) -> StoreResult<()>;
    /// Stages orders of a checked file (`seq` numbers them from `first_seq`) and counts
    /// them in the import's `fetched`, in one short transaction.
    async fn stage_file_orders(
        &self,
        import_id: &ImportId,
        first_seq: i64,
        orders: &[OrderRecord],
        now_ms: i64,
    ) -> StoreResult<()>;
    /// Publishes up to `limit` staged orders of an import (upserted as a file's orders
    /// are) in one short transaction; the import is done once none is left. The import
    /// after this step.
    async fn publish_file_orders(&self, import_id: &ImportId, limit: i64, now_ms: i64) -> StoreResult<Option<Import>>;
    /// Drops an import's staged orders and marks it failed with `error`.
    async fn abandon_file_import(&self, import_id: &ImportId, error: &str, now_ms: i64) -> StoreResult<()>;
    /// File imports still running whose last step was before `before_ms` (the process
    /// doing them stopped).
    async fn stalled_file_imports(&self, before_ms: i64) -> StoreResult<Vec<Import>>;
    /// One import of the organisation.
    async fn import(&self, org: &OrganisationId, id: &ImportId) -> StoreResult<Option<Import>>;
    /// One import, for workers (no organisation scope).
    async fn import_for_worker(&self, id: &ImportId) -> StoreResult<Option<Import>>;
    /// The organisation's latest imports, newest first.
    async fn imports(&self, org: &OrganisationId, limit: i64) -> StoreResult<Vec<Import>>;
    /// An unfinished Allegro import of this account and range, to resume.
    async fn unfinished_import(&self, account: &AccountId, from_ms: i64, to_ms: i64) -> StoreResult<Option<Import>>;
    /// Commits one page of an Allegro import: its orders, the checkpoint and the counts
    /// in one transaction (the import is `running` afterwards).
    async fn save_import_page(
        &self,
        import_id: &ImportId,
        page: &ImportPage<'_>,
        now_ms: i64,
    ) -> StoreResult<UpsertCounts>;
    /// Ends an import as done or failed.
    async fn finish_import(
        &self,
        import_id: &ImportId,
        state: ImportState,
        error: Option<&str>,
        now_ms: i64,
    ) -> StoreResult<()>;
    /// Stores a whole file import at once: the import (done, with its counts) and every
    /// order, or nothing. Orders already held from Allegro (in any account of the
    /// organisation) are left as they are and counted unchanged.
    async fn save_file_import(&self, import: &Import, orders: &[OrderRecord]) -> StoreResult<UpsertCounts>;
}
