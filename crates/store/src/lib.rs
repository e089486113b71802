//! The `Storage` trait: every read and write allegro-bridge makes, each method one
//! transaction, every query scoped to an organisation. Two implementations share one SQL
//! text (`$N` placeholders work on both SQLite and PostgreSQL):
//! `store-sqlite` (embedded, the default) and `store-postgres` (several instances on one
//! database). The contract suite (the dev-only crate `store-contract`), run by
//! `store-sqlite/tests` and `store-postgres/tests`, checks both the same way.
#![forbid(unsafe_code)]

pub mod accounts;
pub mod imports;
pub mod invoices;
pub mod jobs;
pub mod ksef;
pub mod orders;
pub mod outbox;
pub mod rates;
pub mod shell;
pub mod shipments;
#[doc(hidden)]
pub mod sql;
pub mod warehouse;

use std::sync::Arc;

pub use accounts::*;
pub use imports::*;
pub use invoices::*;
pub use jobs::*;
pub use ksef::*;
pub use orders::*;
pub use outbox::Delivery;
pub use rates::*;
pub use shell::*;
pub use shipments::*;
pub use warehouse::*;

#[doc(hidden)]
pub use domain;
#[doc(hidden)]
pub use tracing;

/// A store shared by the application.
pub type Store = Arc<dyn Storage>;

/// Errors of the store.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// A uniqueness rule was broken: `field` names what it protects (`email`, `name`,
    /// `sku`, `number`…; see [`sql::UNIQUE_RULES`]), `None` for a rule not listed there.
    #[error("conflict: {} is taken", field.unwrap_or("a unique value"))]
    Conflict {
        /// The field the rule protects.
        field: Option<&'static str>,
    },
    /// A row the write needs does not exist, or is not the organisation's — never
    /// reported as a conflict.
    #[error("not found: {0}")]
    NotFound(&'static str),
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

/// Every read and write of allegro-bridge: the sum of one trait per aggregate. Methods
/// taking an `OrganisationId` never see another organisation's rows.
pub trait Storage:
    ShellStore
    + AccountStore
    + OrderStore
    + ImportStore
    + InvoiceStore
    + ShipmentStore
    + WarehouseStore
    + RateStore
    + KsefStore
    + JobStore
    + Send
    + Sync
    + std::fmt::Debug
{
    /// `sqlite` or `postgres`.
    fn backend(&self) -> &'static str;
}
