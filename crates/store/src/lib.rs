//! The `Storage` trait: every read and write allegro-bridge makes, each method one
//! transaction, every query scoped to an organisation. Two implementations share one SQL
//! text (`$N` placeholders work on both SQLite and PostgreSQL):
//! `store-sqlite` (embedded, the default) and `store-postgres` (several instances on one
//! database). The contract suite (the dev-only crate `store-contract`), run by
//! `store-sqlite/tests` and `store-postgres/tests`, checks both the same way.
#![forbid(unsafe_code)]

mod records;
#[doc(hidden)]
pub mod sql;

use std::sync::Arc;

use async_trait::async_trait;
use domain::{AccountId, AccountSettings, AccountStatus, ApiKeyId, ConnectionId, OrganisationId};

pub use records::*;

#[doc(hidden)]
pub use domain;

/// A store shared by the application.
pub type Store = Arc<dyn Storage>;

/// Errors of the store.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// A uniqueness rule was broken (e.g. the e-mail is taken).
    #[error("conflict: {0}")]
    Conflict(String),
    /// A stored value did not parse back (a bug or a hand-edited database).
    #[error("corrupt value in {table}.{column}: {message}")]
    Corrupt {
        /// Table.
        table: &'static str,
        /// Column.
        column: &'static str,
        /// What was wrong.
        message: String,
    },
    /// The database failed.
    #[error("database error: {0}")]
    Backend(#[source] Box<dyn std::error::Error + Send + Sync>),
}

/// A new random id (UUID v4), for rows the store makes itself (stock movements).
#[doc(hidden)]
pub fn new_id() -> String {
    uuid::Uuid::new_v4().to_string()
}

/// Result of the store.
pub type StoreResult<T> = Result<T, StoreError>;

/// Every read and write of allegro-bridge. Methods taking an `OrganisationId` never see
/// another organisation's rows.
#[async_trait]
pub trait Storage: Send + Sync + std::fmt::Debug {
    /// `sqlite` or `postgres`.
    fn backend(&self) -> &'static str;

    // --- organisations, users, sessions, API keys
    /// Creates an organisation with its first user.
    async fn create_organisation(&self, org: &Organisation, first_user: &User) -> StoreResult<()>;
    /// Adds a user to an existing organisation; `Conflict` if the e-mail is taken.
    async fn create_user(&self, user: &User) -> StoreResult<()>;
    /// The organisation of this id.
    async fn organisation(&self, id: &OrganisationId) -> StoreResult<Option<Organisation>>;
    /// Organisations, oldest first.
    async fn organisations(&self) -> StoreResult<Vec<Organisation>>;
    /// The user with this e-mail (lower-cased).
    async fn user_by_email(&self, email: &str) -> StoreResult<Option<User>>;
    /// Number of users (zero means first-run setup).
    async fn count_users(&self) -> StoreResult<i64>;
    /// Stores a login session.
    async fn create_session(&self, session: &Session) -> StoreResult<()>;
    /// The session with this id hash, if not expired at `now_ms`.
    async fn session(&self, id_hash: &str, now_ms: i64) -> StoreResult<Option<Session>>;
    /// Ends a session.
    async fn delete_session(&self, id_hash: &str) -> StoreResult<()>;
    /// Stores an API key (only its hash).
    async fn create_api_key(&self, key: &ApiKey) -> StoreResult<()>;
    /// The API key with this hash, if not revoked.
    async fn api_key_by_hash(&self, key_hash: &str) -> StoreResult<Option<ApiKey>>;
    /// The organisation's API keys that are not revoked, newest first.
    async fn api_keys(&self, org: &OrganisationId) -> StoreResult<Vec<ApiKey>>;
    /// Revokes one of the organisation's keys; false if there is no such active key.
    async fn revoke_api_key(&self, org: &OrganisationId, id: &ApiKeyId, now_ms: i64) -> StoreResult<bool>;
    /// Notes that a key was used (written at most once a minute per key).
    async fn touch_api_key(&self, id: &ApiKeyId, now_ms: i64) -> StoreResult<()>;

    // --- login throttling and the key ring
    /// Counts one more failed login for `key` (an account or an address); a count whose
    /// last failure is before `window_start_ms` starts again at 1. The new count.
    async fn record_login_failure(&self, key: &str, now_ms: i64, window_start_ms: i64) -> StoreResult<LoginFailures>;
    /// The failed logins counted for `key`, if any.
    async fn login_failures(&self, key: &str) -> StoreResult<Option<LoginFailures>>;
    /// Forgets the failed logins of `key` (after a successful login).
    async fn clear_login_failures(&self, key: &str) -> StoreResult<()>;
    /// Forgets every count whose last failure is before `before_ms`; how many.
    async fn forget_login_failures(&self, before_ms: i64) -> StoreResult<u64>;
    /// Every long-lived sealed value (Client Secrets, refresh tokens), for the key-ring check.
    async fn stored_secrets(&self) -> StoreResult<Vec<StoredSecret>>;

    // --- connections and OAuth state
    /// Creates a connection.
    async fn create_connection(&self, connection: &Connection) -> StoreResult<()>;
    /// The organisation's connections, oldest first.
    async fn connections(&self, org: &OrganisationId) -> StoreResult<Vec<Connection>>;
    /// One connection of the organisation.
    async fn connection(&self, org: &OrganisationId, id: &ConnectionId) -> StoreResult<Option<Connection>>;
    /// Replaces a connection's Client ID and (encrypted) Client Secret; false if not found,
    /// or if another organisation has a connection with that Client ID in the same
    /// environment (one app's request budget belongs to one organisation).
    async fn set_connection_credentials(
        &self,
        org: &OrganisationId,
        id: &ConnectionId,
        client_id: &str,
        client_secret: &Sealed,
        now_ms: i64,
    ) -> StoreResult<bool>;
    /// Stores a pending OAuth `state`.
    async fn create_oauth_state(&self, state: &OAuthState) -> StoreResult<()>;
    /// Consumes a `state`: the first call gets it, later calls see `Used`.
    async fn take_oauth_state(&self, state_hash: &str, now_ms: i64) -> StoreResult<StateLookup>;

    // --- linked accounts
    /// Stores tokens after linking: a new account, or new tokens for the account this
    /// connection already has for the same Allegro user id.
    async fn link_account(&self, link: &NewLink) -> StoreResult<LinkResult>;
    /// Stores tokens after re-linking `account`, only if `allegro_user_id` is the one the
    /// account belongs to (invariant 4); false changes nothing.
    async fn relink_account(&self, org: &OrganisationId, account: &AccountId, link: &NewLink) -> StoreResult<bool>;
    /// The organisation's accounts, in the order they were linked.
    async fn accounts(&self, org: &OrganisationId) -> StoreResult<Vec<Account>>;
    /// One account of the organisation.
    async fn account(&self, org: &OrganisationId, id: &AccountId) -> StoreResult<Option<Account>>;
    /// One account, for workers (no organisation scope).
    async fn account_for_worker(&self, id: &AccountId) -> StoreResult<Option<Account>>;
    /// Sets an account's status and the reason shown to the seller.
    async fn set_account_status(
        &self,
        id: &AccountId,
        status: AccountStatus,
        reason: Option<&str>,
        now_ms: i64,
    ) -> StoreResult<()>;
    /// Disconnects: drops the tokens, keeps the account and its history; false if not found.
    async fn disconnect_account(&self, org: &OrganisationId, id: &AccountId, now_ms: i64) -> StoreResult<bool>;
    /// Takes the refresh lease of an account until `until_ms` if nobody holds it.
    async fn try_lease_refresh(&self, id: &AccountId, owner: &str, until_ms: i64, now_ms: i64) -> StoreResult<bool>;
    /// Stores a rotated token pair, only while `owner` holds the lease (a fencing check);
    /// returns false if the lease was lost, in which case nothing is written.
    async fn store_refreshed_tokens(
        &self,
        id: &AccountId,
        owner: &str,
        tokens: &TokenPair,
        now_ms: i64,
    ) -> StoreResult<bool>;
    /// Releases the refresh lease.
    async fn release_refresh_lease(&self, id: &AccountId, owner: &str) -> StoreResult<()>;
    /// Active accounts whose access token expires before `expires_before_ms` or that were
    /// last refreshed before `refreshed_before_ms` (keep-alive), soonest first.
    async fn accounts_due_for_refresh(
        &self,
        expires_before_ms: i64,
        refreshed_before_ms: i64,
        limit: i64,
    ) -> StoreResult<Vec<AccountId>>;
    /// Active accounts at risk of lapsing: refresh token ending before
    /// `refresh_expires_before_ms`, or no successful refresh since `refreshed_before_ms`.
    async fn count_accounts_at_risk(
        &self,
        refresh_expires_before_ms: i64,
        refreshed_before_ms: i64,
    ) -> StoreResult<i64>;
    /// Number of accounts per status, all organisations (for metrics).
    async fn account_status_counts(&self) -> StoreResult<Vec<(AccountStatus, i64)>>;
    /// An account's settings (defaults if never saved).
    async fn account_settings(&self, org: &OrganisationId, id: &AccountId) -> StoreResult<Option<AccountSettings>>;
    /// Saves an account's settings; false if the account is not the organisation's.
    async fn save_account_settings(
        &self,
        org: &OrganisationId,
        id: &AccountId,
        settings: &AccountSettings,
        now_ms: i64,
    ) -> StoreResult<bool>;

    // --- orders
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
    /// Stores a new import and, in the same transaction, the job that runs it (when given;
    /// the CLI runs its imports itself).
    async fn create_import(&self, import: &Import, job: Option<&NewJob>) -> StoreResult<()>;
    /// Stages orders of a checked file (`seq` numbers them from `first_seq`) and counts
    /// them in the import's `fetched`, in one short transaction.
    async fn stage_file_orders(
        &self,
        import_id: &str,
        first_seq: i64,
        orders: &[OrderRecord],
        now_ms: i64,
    ) -> StoreResult<()>;
    /// Publishes up to `limit` staged orders of an import (upserted as a file's orders
    /// are) in one short transaction; the import is done once none is left. The import
    /// after this step.
    async fn publish_file_orders(&self, import_id: &str, limit: i64, now_ms: i64) -> StoreResult<Option<Import>>;
    /// Drops an import's staged orders and marks it failed with `error`.
    async fn abandon_file_import(&self, import_id: &str, error: &str, now_ms: i64) -> StoreResult<()>;
    /// File imports still running whose last step was before `before_ms` (the process
    /// doing them stopped).
    async fn stalled_file_imports(&self, before_ms: i64) -> StoreResult<Vec<Import>>;
    /// Extends a running job's lease while `worker` holds it; false if it was lost.
    async fn renew_job(&self, id: i64, worker: &str, lease_until_ms: i64) -> StoreResult<bool>;
    /// One import of the organisation.
    async fn import(&self, org: &OrganisationId, id: &str) -> StoreResult<Option<Import>>;
    /// One import, for workers (no organisation scope).
    async fn import_for_worker(&self, id: &str) -> StoreResult<Option<Import>>;
    /// The organisation's latest imports, newest first.
    async fn imports(&self, org: &OrganisationId, limit: i64) -> StoreResult<Vec<Import>>;
    /// An unfinished Allegro import of this account and range, to resume.
    async fn unfinished_import(&self, account: &AccountId, from_ms: i64, to_ms: i64) -> StoreResult<Option<Import>>;
    /// Commits one page of an Allegro import: its orders, the checkpoint and the counts
    /// in one transaction (the import is `running` afterwards).
    async fn save_import_page(&self, import_id: &str, page: &ImportPage<'_>, now_ms: i64) -> StoreResult<UpsertCounts>;
    /// Ends an import as done or failed.
    async fn finish_import(
        &self,
        import_id: &str,
        state: ImportState,
        error: Option<&str>,
        now_ms: i64,
    ) -> StoreResult<()>;
    /// Stores a whole file import at once: the import (done, with its counts) and every
    /// order, or nothing. Orders already held from Allegro (in any account of the
    /// organisation) are left as they are and counted unchanged.
    async fn save_file_import(&self, import: &Import, orders: &[OrderRecord]) -> StoreResult<UpsertCounts>;
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
    async fn order(&self, org: &OrganisationId, id: &str) -> StoreResult<Option<OrderRecord>>;
    /// The statuses an order of the organisation was seen in, oldest first.
    async fn order_history(&self, org: &OrganisationId, id: &str) -> StoreResult<Vec<OrderChange>>;
    /// The account's orders, newest purchase first.
    async fn account_orders(&self, account: &AccountId) -> StoreResult<Vec<OrderRecord>>;

    // --- invoicing
    /// Saves the organisation's invoicing profile (JSON).
    async fn save_invoicing_profile(&self, org: &OrganisationId, data: &str, now_ms: i64) -> StoreResult<()>;
    /// The organisation's invoicing profile (JSON), if saved.
    async fn invoicing_profile(&self, org: &OrganisationId) -> StoreResult<Option<String>>;
    /// Issues an invoice exactly once per (order, kind): in one transaction the series'
    /// counter for the period moves by one and the invoice is stored with that number;
    /// if the order already has one, it is returned and no number is used.
    async fn issue_invoice(&self, invoice: &NewInvoice) -> StoreResult<Issued>;
    /// The organisation's invoices matching `filter`, newest first: one page and the total.
    async fn invoices(
        &self,
        org: &OrganisationId,
        filter: &InvoiceFilter,
        offset: i64,
        limit: i64,
    ) -> StoreResult<(Vec<InvoiceRecord>, i64)>;
    /// One invoice of the organisation.
    async fn invoice(&self, org: &OrganisationId, id: &str) -> StoreResult<Option<InvoiceRecord>>;
    /// The order's invoice of `kind` (`vat`, `correction`), if issued.
    async fn invoice_for_order(
        &self,
        org: &OrganisationId,
        order_id: &str,
        kind: &str,
    ) -> StoreResult<Option<InvoiceRecord>>;
    /// Orders due a VAT invoice, oldest purchase first, across organisations: the account is
    /// on ("Włącz"), the buyer asked for an invoice (or the account invoices every order), the order is paid and its fulfilment
    /// has reached the account's trigger status (or gone past it), the
    /// organisation has an invoicing profile, the order has no VAT invoice yet, and no
    /// failed attempt asks to wait past `now_ms`.
    async fn orders_awaiting_invoice(&self, limit: i64, now_ms: i64) -> StoreResult<Vec<(OrganisationId, String)>>;
    /// Records a failed automatic issue: the order is left out of
    /// [`Storage::orders_awaiting_invoice`] until `next_at_ms`; returns the attempts so far.
    async fn record_invoice_failure(
        &self,
        org: &OrganisationId,
        order_id: &str,
        error: &str,
        next_at_ms: i64,
    ) -> StoreResult<i64>;
    /// The last automatic-issue failure of an order: (attempts, error), if any.
    async fn invoice_failure(&self, org: &OrganisationId, order_id: &str) -> StoreResult<Option<(i64, String)>>;
    /// Claims up to `limit` invoices whose upload to Allegro is due at `now_ms`, oldest
    /// first, holding them until `lease_until_ms` (another process skips them meanwhile).
    async fn claim_due_uploads(&self, now_ms: i64, lease_until_ms: i64, limit: i64) -> StoreResult<Vec<InvoiceRecord>>;
    /// Keeps Allegro's id of the invoice's metadata (step 1 of the upload done).
    async fn save_allegro_invoice_id(&self, invoice_id: &str, allegro_invoice_id: Option<&str>) -> StoreResult<()>;
    /// Records how an upload attempt ended.
    async fn finish_upload(&self, invoice_id: &str, outcome: &UploadOutcome) -> StoreResult<()>;
    /// "Wyślij ponownie": a refused or waiting upload is tried again now; false if the
    /// invoice is already on Allegro (or is not the organisation's, or never goes there).
    async fn resend_invoice(&self, org: &OrganisationId, id: &str, now_ms: i64) -> StoreResult<bool>;
    /// Cancelled orders, and orders Allegro marks returned (every item returned and
    /// refunded), that have a VAT invoice but no correction yet, oldest first.
    async fn orders_awaiting_correction(&self, limit: i64) -> StoreResult<Vec<(OrganisationId, String)>>;

    // --- shipping
    /// Stores a waybill unless the order already has this carrier's number; returns the
    /// stored waybill and whether it is new.
    async fn add_shipment(&self, shipment: &NewShipment) -> StoreResult<(ShipmentRecord, bool)>;
    /// The order's waybills, oldest first.
    async fn order_shipments(&self, org: &OrganisationId, order_id: &str) -> StoreResult<Vec<ShipmentRecord>>;
    /// One waybill of the organisation.
    async fn shipment(&self, org: &OrganisationId, id: &str) -> StoreResult<Option<ShipmentRecord>>;
    /// Claims up to `limit` waybills whose push is due at `now_ms`, oldest first, holding
    /// them until `lease_until_ms` and counting the attempt.
    async fn claim_due_pushes(&self, now_ms: i64, lease_until_ms: i64, limit: i64) -> StoreResult<Vec<ShipmentRecord>>;
    /// Records how a push attempt ended.
    async fn finish_push(&self, shipment_id: &str, outcome: &PushOutcome) -> StoreResult<()>;
    /// Sends a refused or waiting waybill again now; false if it is already on Allegro
    /// (or is not the organisation's, or never goes there).
    async fn resend_shipment(&self, org: &OrganisationId, id: &str, now_ms: i64) -> StoreResult<bool>;
    /// Makes the account's waiting pushes due now (it was connected again).
    async fn wake_account_pushes(&self, account: &AccountId, now_ms: i64) -> StoreResult<u64>;

    // --- warehouse
    /// Adds a warehouse; `Conflict` if the organisation has one of that name.
    async fn create_warehouse(&self, warehouse: &Warehouse, now_ms: i64) -> StoreResult<()>;
    /// The organisation's warehouses, oldest first.
    async fn warehouses(&self, org: &OrganisationId) -> StoreResult<Vec<Warehouse>>;
    /// The organisation's first warehouse, made ("Magazyn główny") if it has none.
    async fn default_warehouse(&self, org: &OrganisationId, now_ms: i64) -> StoreResult<Warehouse>;
    /// Stores offers' products: a product per new SKU (its name kept current), each offer
    /// linked to its SKU's product; returns the number of new products.
    async fn upsert_offer_products(
        &self,
        org: &OrganisationId,
        account: &AccountId,
        offers: &[OfferProduct],
        now_ms: i64,
    ) -> StoreResult<u64>;
    /// The organisation's products with their stock, by SKU.
    async fn products(&self, org: &OrganisationId) -> StoreResult<Vec<ProductStock>>;
    /// The product an order line sells: the one its offer is linked to, else the one with
    /// its SKU.
    async fn product_for_offer(
        &self,
        org: &OrganisationId,
        offer_id: &str,
        sku: Option<&str>,
    ) -> StoreResult<Option<ProductStock>>;
    /// Changes a product's stock by `delta` (a receipt or a count), with its movement, in
    /// one transaction; returns the new quantity. `Conflict` if the warehouse or product
    /// is not the organisation's.
    async fn adjust_stock(&self, org: &OrganisationId, change: &StockChange<'_>) -> StoreResult<i64>;
    /// Issues an order's WZ exactly once: number, document, movements and stock in one
    /// transaction; an order that has one gets it back (`false`).
    async fn issue_wz(&self, wz: &NewWz) -> StoreResult<(WarehouseDocument, bool)>;
    /// Cancels an order's issued WZ and gives its stock back, once; `None` if it has no
    /// issued WZ.
    async fn cancel_wz(
        &self,
        org: &OrganisationId,
        order_id: &str,
        now_ms: i64,
    ) -> StoreResult<Option<WarehouseDocument>>;
    /// The order's WZ, if issued.
    async fn wz_for_order(&self, org: &OrganisationId, order_id: &str) -> StoreResult<Option<WarehouseDocument>>;
    /// The organisation's warehouse documents, newest first.
    async fn warehouse_documents(&self, org: &OrganisationId, limit: i64) -> StoreResult<Vec<WarehouseDocument>>;
    /// The organisation's stock movements, newest first.
    async fn stock_movements(&self, org: &OrganisationId, limit: i64) -> StoreResult<Vec<StockMovement>>;
    /// The organisation's warehouse settings (defaults if never saved).
    async fn warehouse_settings(&self, org: &OrganisationId) -> StoreResult<WarehouseSettings>;
    /// Saves them.
    async fn save_warehouse_settings(&self, org: &OrganisationId, settings: &WarehouseSettings) -> StoreResult<()>;
    /// Paid orders whose fulfilment reached (or passed) their organisation's WZ trigger
    /// and that have no WZ, oldest first, across organisations; orders whose last attempt
    /// failed wait until their time.
    async fn orders_awaiting_wz(&self, limit: i64, now_ms: i64) -> StoreResult<Vec<(OrganisationId, String)>>;
    /// Records a failed automatic WZ: the order waits until `next_at_ms`; returns the
    /// attempts so far.
    async fn record_wz_failure(
        &self,
        org: &OrganisationId,
        order_id: &str,
        error: &str,
        next_at_ms: i64,
    ) -> StoreResult<i64>;
    /// The last automatic-WZ failure of an order: (attempts, error), if any.
    async fn wz_failure(&self, org: &OrganisationId, order_id: &str) -> StoreResult<Option<(i64, String)>>;
    /// Cancelled orders whose WZ still holds their stock, across organisations.
    async fn orders_awaiting_wz_cancel(&self, limit: i64) -> StoreResult<Vec<(OrganisationId, String)>>;

    /// Stores NBP rates (a newer copy of a day replaces the old one).
    async fn save_rates(&self, rates: &[StoredRate]) -> StoreResult<()>;
    /// The latest stored rate of `currency` effective on or after `from` and before `before`
    /// (`YYYY-MM-DD`).
    async fn rate_between(&self, currency: &str, from: &str, before: &str) -> StoreResult<Option<StoredRate>>;

    // --- jobs
    /// Enqueues a job unless one with the same kind and dedup key is queued or running.
    async fn enqueue_job(&self, job: &NewJob) -> StoreResult<bool>;
    /// Claims the next due job with a lease until `lease_until_ms`.
    async fn claim_job(&self, worker: &str, now_ms: i64, lease_until_ms: i64) -> StoreResult<Option<Job>>;
    /// Marks a job done, if `worker` still holds it.
    async fn complete_job(&self, id: i64, worker: &str) -> StoreResult<bool>;
    /// Records a failure: retried at `retry_at_ms`, or dead after its last attempt.
    async fn fail_job(&self, id: i64, worker: &str, error: &str, retry_at_ms: i64) -> StoreResult<bool>;
}
