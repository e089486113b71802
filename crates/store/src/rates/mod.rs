//! NBP exchange rates (table A mid rates), stored for invoices in foreign currencies.

mod sql;

use async_trait::async_trait;

use crate::StoreResult;

/// An NBP table-A mid rate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredRate {
    /// Currency code.
    pub currency: String,
    /// `YYYY-MM-DD` the table applies to.
    pub effective_date: String,
    /// PLN per unit × 10 000.
    pub rate_e4: i64,
    /// Table number.
    pub table_no: String,
}

/// NBP exchange rates, shared by every organisation (NBP publishes one table for all).
#[async_trait]
pub trait RateStore: Send + Sync {
    /// Stores NBP rates (a newer copy of a day replaces the old one).
    async fn save_rates(&self, rates: &[StoredRate]) -> StoreResult<()>;
    /// The latest stored rate of `currency` effective on or after `from` and before `before`
    /// (`YYYY-MM-DD`).
    async fn rate_between(&self, currency: &str, from: &str, before: &str) -> StoreResult<Option<StoredRate>>;
}
