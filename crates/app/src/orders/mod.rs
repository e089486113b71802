//! Orders: the orders list and one order's page and history, synchronisation from
//! Allegro's journal, and imports (Allegro's history and order files).

mod imports;
mod sync;

use store::OrderRecord;

use crate::{App, AppError};

pub(crate) use imports::JobLease;
pub use imports::{DateRange, IMPORT_JOB, ImportError};
pub use sync::{SyncReport, order_record};

impl App {
    /// The organisation's orders matching `filter`: one page and the total.
    pub async fn orders(
        &self,
        user: &crate::CurrentUser,
        filter: &store::OrderFilter,
        offset: i64,
        limit: i64,
    ) -> Result<(Vec<OrderRecord>, i64), AppError> {
        if !(1..=200).contains(&limit) || offset < 0 {
            return Err(crate::invalid("limit", "limit must be 1–200 and offset ≥ 0"));
        }
        Ok(self.store.orders(&user.organisation_id, filter, offset, limit).await?)
    }

    /// One order of the organisation.
    pub async fn order(&self, user: &crate::CurrentUser, id: &str) -> Result<OrderRecord, AppError> {
        self.store
            .order(&user.organisation_id, id)
            .await?
            .ok_or(AppError::NotFound)
    }

    /// The statuses an order of the organisation was seen in, oldest first.
    pub async fn order_history(
        &self,
        user: &crate::CurrentUser,
        id: &str,
    ) -> Result<Vec<store::OrderChange>, AppError> {
        Ok(self.store.order_history(&user.organisation_id, id).await?)
    }
}
