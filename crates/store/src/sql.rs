//! The SQL shared by both backends. `$N` placeholders work on SQLite (sqlx binds `$NNN` by
//! number) and PostgreSQL, so each query is written once; the backends differ only in
//! their migrations, pool setup and the job-claim statement (`FOR UPDATE SKIP LOCKED` on
//! PostgreSQL). `impl_sql_storage!` expands the one implementation for a backend type
//! that has a `pool: sqlx::Pool<DB>` field. No SQL is built with `format!`.

/// Where an order `o` stands on NEW → PROCESSING → READY_FOR_… → SENT → PICKED_UP, as a
/// number (−1 off that way): `domain::FulfillmentStatus::rank` in SQL. A trigger status is
/// met at its step or any later one (an order may skip steps). Shared by automatic
/// invoices and WZs.
pub fn fulfillment_rank() -> String {
    domain::FulfillmentStatus::rank_sql("COALESCE(o.fulfillment_status, 'NEW')", -1)
}

/// An order (`o`, with its account's settings `s`) is the automatic invoicing's to do: an
/// attempt was already made or asked for it (a failure row: retried like any other), or
/// it reached its invoice trigger while automatic invoicing was on — not first stored by
/// an import, and never seen meeting the trigger before invoicing was switched on
/// (`order_history` keeps every status it was seen in). The rest is invoiced only by the
/// seller's explicit action.
pub fn reached_trigger_while_invoicing() -> String {
    format!(
        "(EXISTS (SELECT 1 FROM order_task_failures f WHERE f.organisation_id = o.organisation_id \
                  AND f.order_id = o.id AND f.task = 'invoice') \
          OR (o.imported = FALSE AND s.invoicing_since_ms IS NOT NULL \
              AND NOT EXISTS (SELECT 1 FROM order_history h WHERE h.organisation_id = o.organisation_id \
                              AND h.order_id = o.id AND h.seen_at_ms < s.invoicing_since_ms \
                              AND h.status = 'READY_FOR_PROCESSING' AND {} >= {})))",
        domain::FulfillmentStatus::rank_sql("COALESCE(h.fulfillment_status, 'NEW')", -1),
        domain::InvoiceTrigger::rank_sql("s.invoice_trigger"),
    )
}

/// The buyer of order `o` may still cancel at `now` (a placeholder): allegro.cz/.sk/.hu,
/// within `domain::marketplace::BUYER_CANCEL_WINDOW_MS` of the purchase.
pub fn buyer_may_cancel(now: &str) -> String {
    use domain::marketplace::{BUYER_CANCEL_MARKETPLACES, BUYER_CANCEL_WINDOW_MS};
    let list = BUYER_CANCEL_MARKETPLACES
        .iter()
        .map(|m| format!("'{m}'"))
        .collect::<Vec<_>>()
        .join(", ");
    format!("(o.marketplace IN ({list}) AND o.bought_at_ms > {now} - {BUYER_CANCEL_WINDOW_MS})")
}

/// A cash-on-delivery order (`o`, its account's settings `s`) whose sale has not happened
/// yet: not yet picked up (or sent, when the seller counts the sale from sending). The
/// payment type lives only in the stored checkout form (our own serde_json output, compact,
/// so the pair is written exactly this way).
pub fn cash_on_delivery_not_yet_sold() -> String {
    use domain::FulfillmentStatus;
    let rank = |s: FulfillmentStatus| s.rank().unwrap_or(99);
    format!(
        "(o.data LIKE '%\"type\":\"CASH_ON_DELIVERY\"%' \
          AND {} < (CASE WHEN s.cod_sale_when_sent = TRUE THEN {} ELSE {} END))",
        fulfillment_rank(),
        rank(FulfillmentStatus::Sent),
        rank(FulfillmentStatus::PickedUp),
    )
}

/// Which field each uniqueness rule protects: (PostgreSQL's constraint or index name,
/// SQLite's `table.column` list as its error names them, the field). The one place a
/// database's unique violation becomes a field the seller can be told about.
pub const UNIQUE_RULES: &[(&str, &str, &str)] = &[
    ("users_email_key", "users.email", "email"),
    ("api_keys_key_hash_key", "api_keys.key_hash", "key"),
    (
        "accounts_connection_id_allegro_user_id_key",
        "accounts.connection_id, accounts.allegro_user_id",
        "account",
    ),
    (
        "accounts_one_per_allegro_user",
        "accounts.organisation_id, accounts.allegro_user_id",
        "account",
    ),
    ("jobs_dedup", "jobs.kind, jobs.dedup_key", "job"),
    (
        "invoices_organisation_id_order_id_kind_key",
        "invoices.organisation_id, invoices.order_id, invoices.kind",
        "order",
    ),
    (
        "invoices_organisation_id_number_key",
        "invoices.organisation_id, invoices.number",
        "number",
    ),
    (
        "invoices_organisation_id_series_period_seq_key",
        "invoices.organisation_id, invoices.series, invoices.period, invoices.seq",
        "number",
    ),
    (
        "shipments_organisation_id_order_id_carrier_id_waybill_key",
        "shipments.organisation_id, shipments.order_id, shipments.carrier_id, shipments.waybill",
        "waybill",
    ),
    (
        "warehouses_organisation_id_name_key",
        "warehouses.organisation_id, warehouses.name",
        "name",
    ),
    (
        "products_organisation_id_sku_key",
        "products.organisation_id, products.sku",
        "sku",
    ),
    (
        "warehouse_documents_organisation_id_kind_order_id_key",
        "warehouse_documents.organisation_id, warehouse_documents.kind, warehouse_documents.order_id",
        "order",
    ),
    (
        "warehouse_documents_organisation_id_number_key",
        "warehouse_documents.organisation_id, warehouse_documents.number",
        "number",
    ),
    ("ksef_submissions_pkey", "ksef_submissions.invoice_id", "invoice"),
    ("ksef_submissions_number", "ksef_submissions.ksef_number", "ksef_number"),
];

/// The field a unique violation concerns: by the constraint's name (PostgreSQL gives it)
/// or by the columns SQLite's message lists (`UNIQUE constraint failed: users.email`).
pub fn unique_field(constraint: Option<&str>, message: &str) -> Option<&'static str> {
    let columns = message.split_once("failed: ").map(|(_, c)| c.trim());
    UNIQUE_RULES
        .iter()
        .find(|(name, cols, _)| constraint == Some(*name) || columns == Some(*cols))
        .map(|(_, _, field)| *field)
}

/// An error message cut to what a row keeps (2 000 characters).
pub fn stored_error(error: &str) -> String {
    error.chars().take(2000).collect()
}

/// Implements [`crate::Storage`] (every aggregate's trait) for `$store` over `$db`; `$begin`
/// opens write transactions (`BEGIN IMMEDIATE` on SQLite).
#[macro_export]
macro_rules! impl_sql_storage {
    ($store:ty, $db:ty, $backend:literal, $claim_sql:expr, $begin:literal) => {
        const _: () = {
            use ::sqlx::Row as _;
            use $crate::domain::{
                AccountId, AccountSettings, AccountStatus, ApiKeyId, ConnectionId, FulfillmentStatus, InvoiceKind,
                ImportId, InvoiceId, InvoiceTrigger, MovementReason, NbpRate, OrderId, OrderStatus, OrderTask, OrganisationId, ProductId,
                ShipmentId, UserId, WarehouseId, WzState,
            };
            use $crate::*;

            fn backend_err(e: ::sqlx::Error) -> StoreError {
                if let ::sqlx::Error::Database(db) = &e
                    && db.is_unique_violation()
                {
                    let field = $crate::sql::unique_field(db.constraint(), db.message());
                    if field.is_none() {
                        $crate::tracing::warn!(constraint = ?db.constraint(), message = db.message(), "a unique rule not in UNIQUE_RULES");
                    }
                    return StoreError::Conflict { field };
                }
                StoreError::Backend(Box::new(e))
            }

            fn get<'r, T>(row: &'r <$db as ::sqlx::Database>::Row, col: &'static str) -> StoreResult<T>
            where
                T: ::sqlx::Decode<'r, $db> + ::sqlx::Type<$db>,
            {
                row.try_get(col).map_err(backend_err)
            }

            fn parse<T: ::std::str::FromStr>(table: &'static str, column: &'static str, raw: String) -> StoreResult<T>
            where
                T::Err: ::std::fmt::Display,
            {
                raw.parse().map_err(|e: T::Err| StoreError::Corrupt {
                    table,
                    column,
                    message: e.to_string(),
                })
            }

            impl Storage for $store {
                fn backend(&self) -> &'static str {
                    $backend
                }
            }

            $crate::sql_shell!($store, $db, $backend, $claim_sql, $begin);
            $crate::sql_accounts!($store, $db, $backend, $claim_sql, $begin);
            $crate::sql_orders!($store, $db, $backend, $claim_sql, $begin);
            $crate::sql_imports!($store, $db, $backend, $claim_sql, $begin);
            $crate::sql_invoices!($store, $db, $backend, $claim_sql, $begin);
            $crate::sql_shipments!($store, $db, $backend, $claim_sql, $begin);
            $crate::sql_warehouse!($store, $db, $backend, $claim_sql, $begin);
            $crate::sql_rates!($store, $db, $backend, $claim_sql, $begin);
            $crate::sql_ksef!($store, $db, $backend, $claim_sql, $begin);
            $crate::sql_jobs!($store, $db, $backend, $claim_sql, $begin);
        };
    };
}
