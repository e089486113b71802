//! NBP exchange rates (table A mid rates) for invoices in foreign currencies: NBP's own
//! table (fetched, or loaded by the operator), shared by every organisation, and the rates
//! an organisation loaded itself, which serve its own invoices only.

mod sql;

use async_trait::async_trait;
use domain::{NbpRate, OrganisationId};

use crate::StoreResult;

/// An NBP table-A mid rate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredRate {
    /// Currency code.
    pub currency: String,
    /// `YYYY-MM-DD` the table applies to.
    pub effective_date: String,
    /// PLN per unit, exactly as published.
    pub rate: NbpRate,
    /// Table number.
    pub table_no: String,
}

/// A rate on record, and whose it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RateOnRecord {
    /// The rate.
    pub rate: StoredRate,
    /// The file the organisation loaded it from; `None` for NBP's own table.
    pub own_file: Option<String>,
}

/// NBP exchange rates.
#[async_trait]
pub trait RateStore: Send + Sync {
    /// Stores NBP rates (a newer copy of a day replaces the old one).
    async fn save_rates(&self, rates: &[StoredRate]) -> StoreResult<()>;
    /// The latest stored rate of `currency` effective on or after `from` and before `before`
    /// (`YYYY-MM-DD`).
    async fn rate_between(&self, currency: &str, from: &str, before: &str) -> StoreResult<Option<StoredRate>>;
    /// Stores rates the organisation loaded from `file_name`, all or none.
    async fn save_organisation_rates(
        &self,
        org: &OrganisationId,
        rates: &[StoredRate],
        file_name: &str,
        now_ms: i64,
    ) -> StoreResult<()>;
    /// [`RateStore::rate_between`] among the organisation's own rates.
    async fn organisation_rate_between(
        &self,
        org: &OrganisationId,
        currency: &str,
        from: &str,
        before: &str,
    ) -> StoreResult<Option<StoredRate>>;
    /// The newest rates the organisation's invoices can use (NBP's and its own), newest
    /// day first.
    async fn rates_on_record(&self, org: &OrganisationId, limit: i64) -> StoreResult<Vec<RateOnRecord>>;
}
