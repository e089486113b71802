//! Orders: synchronisation from Allegro's journal, imports (Allegro history and files) and the orders list.

mod records;
mod sql;

use async_trait::async_trait;
use domain::{AccountId, OrderId, OrderTask, OrganisationId};

pub use records::*;

use crate::StoreResult;

/// Orders: synchronisation from Allegro's journal, imports (Allegro history and files) and the orders list.
#[async_trait]
pub trait OrderStore: Send + Sync {
    /// Upserts orders of one account and, in the same transaction, moves its journal
    /// cursor to `cursor` (when given): the cursor never runs ahead of stored orders.
    async fn save_orders(
        &self,
        account: &AccountId,
        orders: &[OrderRecord],
        cursor: Option<&str>,
        now_ms: i64,
    ) -> StoreResult<UpsertCounts>;
    /// Active accounts of every organisation, oldest sync first (for the worker).
    async fn active_accounts(&self, limit: i64) -> StoreResult<Vec<AccountId>>;
    /// Claims up to `limit` active accounts whose next journal read is due at `now_ms`
    /// and that no live lease holds, soonest first, leasing them to `owner` until
    /// `lease_until_ms`: two processes never read one account's journal at once.
    async fn claim_due_syncs(
        &self,
        owner: &str,
        now_ms: i64,
        lease_until_ms: i64,
        limit: i64,
    ) -> StoreResult<Vec<SyncClaim>>;
    /// Releases `owner`'s sync lease and schedules the account's next read.
    async fn schedule_sync(&self, account: &AccountId, owner: &str, next: &SyncSchedule) -> StoreResult<()>;
    /// Extends a running job's lease while `worker` holds it; false if it was lost.
    async fn renew_job(&self, id: i64, worker: &str, lease_until_ms: i64) -> StoreResult<bool>;
    /// Records a successful sync of the account.
    async fn mark_synced(&self, account: &AccountId, now_ms: i64) -> StoreResult<()>;
    /// The account's journal cursor.
    async fn sync_cursor(&self, account: &AccountId) -> StoreResult<Option<String>>;
    /// The organisation's orders matching `filter`, newest purchase first, one page of
    /// them and the number matching.
    async fn orders(
        &self,
        org: &OrganisationId,
        filter: &OrderFilter,
        offset: i64,
        limit: i64,
    ) -> StoreResult<(Vec<OrderRecord>, i64)>;
    /// One order of the organisation.
    async fn order(&self, org: &OrganisationId, id: &OrderId) -> StoreResult<Option<OrderRecord>>;
    /// The statuses an order of the organisation was seen in, oldest first.
    async fn order_history(&self, org: &OrganisationId, id: &OrderId) -> StoreResult<Vec<OrderChange>>;
    /// The account's orders, newest purchase first.
    async fn account_orders(&self, account: &AccountId) -> StoreResult<Vec<OrderRecord>>;
    /// Records that an automatic task for an order failed: the order is left out of that
    /// task's worklist ([`crate::InvoiceStore::orders_awaiting_invoice`],
    /// [`crate::WarehouseStore::orders_awaiting_wz`]) until `next_at_ms`; returns the
    /// attempts so far.
    async fn postpone_order_task(
        &self,
        org: &OrganisationId,
        order_id: &OrderId,
        task: OrderTask,
        error: &str,
        next_at_ms: i64,
    ) -> StoreResult<i64>;
    /// The last failure of an automatic task for an order: (attempts, error), if any.
    async fn order_task_failure(
        &self,
        org: &OrganisationId,
        order_id: &OrderId,
        task: OrderTask,
    ) -> StoreResult<Option<(i64, String)>>;
    /// Paid orders not yet handed to a carrier (and not cancelled): what the seller still
    /// has to send.
    async fn count_orders_to_ship(&self, org: &OrganisationId) -> StoreResult<i64>;
    /// Orders whose automatic `task` failed and is still not done.
    async fn count_order_task_failures(&self, org: &OrganisationId, task: OrderTask) -> StoreResult<i64>;
    /// Why those tasks failed last (at most `limit`, the problems as stored).
    async fn order_task_failure_errors(
        &self,
        org: &OrganisationId,
        task: OrderTask,
        limit: i64,
    ) -> StoreResult<Vec<String>>;
    /// Lets the failed `task`s of an organisation (`None`: of every one) try again at
    /// `now_ms` instead of waiting out their backoff (what they lacked was just supplied);
    /// returns how many.
    async fn retry_order_tasks(&self, org: Option<&OrganisationId>, task: OrderTask, now_ms: i64) -> StoreResult<u64>;
}
