//! Orders: the orders list and one order's page and history, synchronisation from
//! Allegro's journal, and imports (Allegro's history and order files).

mod imports;
mod sync;

use allegro_client::types::CheckoutForm;
use domain::{OrderId, OrderTask, OrganisationId};
use store::OrderRecord;

use crate::{App, AppError, CurrentUser};

pub(crate) use imports::JobLease;
pub use imports::{DateRange, ImportError};
pub use sync::{SyncReport, order_record};

/// The checkout form an order was stored with, typed: the one place its JSON is read.
/// A form that does not read back is a bug or a hand-edited database, never a default.
pub(crate) fn checkout_form(order: &OrderRecord) -> Result<CheckoutForm, AppError> {
    serde_json::from_str(&order.data).map_err(|e| {
        AppError::Internal(anyhow::Error::new(e).context(format!("the stored order {} did not read back", order.id)))
    })
}

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
            return Err(crate::invalid("limit", "problem-page-limit"));
        }
        Ok(self.store.orders(&user.organisation_id, filter, offset, limit).await?)
    }

    /// One page of the orders list with the numbers of each order's invoices and
    /// corrections (empty when it has none).
    pub async fn orders_with_invoices(
        &self,
        user: &CurrentUser,
        filter: &store::OrderFilter,
        offset: i64,
        limit: i64,
    ) -> Result<(Vec<(OrderRecord, Vec<String>)>, i64), AppError> {
        let (orders, total) = self.orders(user, filter, offset, limit).await?;
        let ids: Vec<OrderId> = orders.iter().map(|o| o.id.clone()).collect();
        let numbers = self.store.invoice_numbers(&user.organisation_id, &ids).await?;
        let page = orders
            .into_iter()
            .map(|o| {
                let of_order = numbers
                    .iter()
                    .filter(|(id, _)| *id == o.id)
                    .map(|(_, n)| n.clone())
                    .collect();
                (o, of_order)
            })
            .collect();
        Ok((page, total))
    }

    /// One order of the organisation.
    pub async fn order(&self, user: &crate::CurrentUser, id: &OrderId) -> Result<OrderRecord, AppError> {
        self.store
            .order(&user.organisation_id, id)
            .await?
            .ok_or(AppError::NotFound)
    }

    /// One order of the organisation with Allegro's checkout form, typed (an order from a
    /// file is stored in the same shape).
    pub async fn order_with_form(
        &self,
        user: &crate::CurrentUser,
        id: &OrderId,
    ) -> Result<(OrderRecord, allegro_client::types::CheckoutForm), AppError> {
        let order = self.order(user, id).await?;
        let form = checkout_form(&order)?;
        Ok((order, form))
    }

    /// The statuses an order of the organisation was seen in, oldest first.
    pub async fn order_history(
        &self,
        user: &crate::CurrentUser,
        id: &OrderId,
    ) -> Result<Vec<store::OrderChange>, AppError> {
        Ok(self.store.order_history(&user.organisation_id, id).await?)
    }

    /// An automatic task for an order failed: it waits 1, 2, 4 … minutes (at most 6 hours)
    /// before the next try, so one order that cannot be done neither floods the log nor
    /// holds up the orders behind it; its page shows why ([`App::order_task_failure`]).
    pub(crate) async fn postpone(
        &self,
        org: &OrganisationId,
        order_id: &OrderId,
        task: OrderTask,
        error: &str,
    ) -> Result<(), AppError> {
        let attempts = self
            .store
            .order_task_failure(org, order_id, task)
            .await?
            .map_or(0, |(n, _)| n);
        let next_at_ms = self.now_ms() + domain::retry_after_ms(60_000, attempts);
        self.store
            .postpone_order_task(org, order_id, task, error, next_at_ms)
            .await?;
        Ok(())
    }

    /// Why an automatic task (the invoice, the WZ) failed last for an order, and how many
    /// times, if it did.
    pub async fn order_task_failure(
        &self,
        user: &CurrentUser,
        order_id: &OrderId,
        task: OrderTask,
    ) -> Result<Option<(i64, String)>, AppError> {
        Ok(self
            .store
            .order_task_failure(&user.organisation_id, order_id, task)
            .await?)
    }
}
