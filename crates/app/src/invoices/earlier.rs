//! Invoices for earlier orders. Automatic invoicing serves orders that reach their trigger
//! after it was switched on; orders paid before, and orders an import brought in, wait for
//! the seller's explicit "Wystaw faktury dla wcześniejszych zamówień", which first says how
//! many, of which days, and how many are past the legal deadline (art. 106i ust. 1).

use allegro_client::types::CheckoutForm;
use domain::OrderId;

use crate::invoices::IssueOutcome;
use crate::{App, AppError, CurrentUser};

/// At most this many earlier orders are shown and invoiced at once.
const EARLIER_LIMIT: i64 = 2_000;

/// What issuing each earlier order did.
pub type EarlierIssued = Vec<(OrderId, Result<IssueOutcome, AppError>)>;

/// The earlier orders automatic invoicing left alone.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EarlierOrders {
    /// The orders, oldest purchase first.
    pub orders: Vec<OrderId>,
    /// The earliest sale day among them (`YYYY-MM-DD`).
    pub first_day: Option<String>,
    /// The latest.
    pub last_day: Option<String>,
    /// How many of them are past the day their invoice was due (the 15th of the month
    /// after the sale).
    pub past_deadline: usize,
}

/// The instant of an order's sale for the invoice (P_6): the payment of a paid order,
/// else its purchase.
pub(crate) fn sale_at_ms(form: Option<&CheckoutForm>, bought_at_ms: i64) -> i64 {
    form.and_then(|f| f.payment.as_ref())
        .and_then(|p| p.finished_at)
        .map_or(bought_at_ms, |t| t.as_millis())
}

impl App {
    /// The organisation's earlier orders without an invoice: how many, of which days, how
    /// many past their deadline.
    pub async fn earlier_orders(&self, user: &CurrentUser) -> Result<EarlierOrders, AppError> {
        let orders = self
            .store
            .earlier_orders_to_invoice(&user.organisation_id, EARLIER_LIMIT)
            .await?;
        let today = domain::time::polish_day(self.now_ms());
        let mut days = Vec::with_capacity(orders.len());
        let mut past_deadline = 0;
        for o in &orders {
            let form = serde_json::from_str::<CheckoutForm>(&o.data).ok();
            let day = domain::time::polish_day(sale_at_ms(form.as_ref(), o.bought_at_ms));
            if domain::calendar::invoice_deadline(day) < today {
                past_deadline += 1;
            }
            days.push(day);
        }
        Ok(EarlierOrders {
            orders: orders.into_iter().map(|o| o.id).collect(),
            first_day: days.iter().min().map(ToString::to_string),
            last_day: days.iter().max().map(ToString::to_string),
            past_deadline,
        })
    }

    /// "Wystaw faktury dla wcześniejszych zamówień": invoices the earlier orders the seller
    /// was shown (`expected` of them at most, oldest first), each exactly once.
    #[tracing::instrument(name = "earlier_invoices", skip_all, fields(organisation_id = %user.organisation_id))]
    pub async fn invoice_earlier_orders(&self, user: &CurrentUser, expected: usize) -> Result<EarlierIssued, AppError> {
        let earlier = self.earlier_orders(user).await?;
        let mut out = Vec::new();
        for order in earlier.orders.into_iter().take(expected) {
            if self.is_stopping() {
                break;
            }
            let result = self.issue_invoice(user, &order).await;
            if let Err(e) = &result {
                // Asked for now: from here on the worker retries it like any automatic
                // invoice (a missing NBP table loaded later, a profile fixed).
                self.postpone(
                    &user.organisation_id,
                    &order,
                    domain::OrderTask::Invoice,
                    &e.to_stored_problem(),
                )
                .await?;
            }
            out.push((order, result));
        }
        Ok(out)
    }
}
