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

/// Implements [`crate::Storage`] (every aggregate's trait) for `$store` over `$db`; `$begin`
/// opens write transactions (`BEGIN IMMEDIATE` on SQLite).
#[macro_export]
macro_rules! impl_sql_storage {
    ($store:ty, $db:ty, $backend:literal, $claim_sql:expr, $begin:literal) => {
        const _: () = {
            use ::sqlx::Row as _;
            use $crate::domain::{
                AccountId, AccountSettings, AccountStatus, ApiKeyId, ConnectionId, FulfillmentStatus, InvoiceTrigger,
                OrderTask, OrganisationId, UserId,
            };
            use $crate::*;

            fn backend_err(e: ::sqlx::Error) -> StoreError {
                if let ::sqlx::Error::Database(db) = &e
                    && db.is_unique_violation()
                {
                    return StoreError::Conflict(db.message().to_owned());
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
            $crate::sql_jobs!($store, $db, $backend, $claim_sql, $begin);
        };
    };
}
