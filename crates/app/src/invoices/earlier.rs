//! Invoices for earlier orders. Automatic invoicing serves orders that reach their trigger
//! after it was switched on; orders paid before, and orders an import brought in, wait for
//! the seller's explicit "Wystaw faktury dla wcześniejszych zamówień", which first says how
//! many, of which days, and how many are past the legal deadline (art. 106i ust. 1).

use std::collections::HashMap;

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

impl App {
    /// The organisation's earlier orders without an invoice: how many, of which days, how
    /// many past their deadline.
    pub async fn earlier_orders(&self, user: &CurrentUser) -> Result<EarlierOrders, AppError> {
        let orders = self
            .store
            .earlier_orders_to_invoice(&user.organisation_id, EARLIER_LIMIT)
            .await?;
        let now = self.now_ms();
        let today = domain::time::polish_day(now);
        let mut days = Vec::with_capacity(orders.len());
        let mut past_deadline = 0;
        // Each account's choice of when a cash-on-delivery sale happens, read once.
        let mut cod_sale_when_sent = HashMap::new();
        for o in &orders {
            // Dated as its invoice will be (the same rule): a cash-on-delivery order not
            // yet picked up is a sale of the day it is invoiced, not of its purchase.
            let sale_at = match serde_json::from_str::<CheckoutForm>(&o.data) {
                Ok(form) => {
                    let when_sent = match cod_sale_when_sent.get(&o.account_id) {
                        Some(&v) => v,
                        None => {
                            let v = self.settings(user, &o.account_id).await?.cod_sale_when_sent;
                            cod_sale_when_sent.insert(o.account_id.clone(), v);
                            v
                        }
                    };
                    let delivery = self.delivery_of(&user.organisation_id, o, &form).await?;
                    super::terms::sale_at_ms(&form, o, delivery, when_sent, now)
                }
                Err(_) => o.bought_at_ms,
            };
            let day = domain::time::polish_day(sale_at);
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
