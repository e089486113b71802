//! Orders: the list (with its filters and sort), one order's page, fulfilment, and the API.

mod api;
mod details;
pub mod query;
mod ui;

use axum::Router;
use axum::routing::{get, post, put};

use crate::WebState;

pub(crate) use ui::order_page;

/// Routes of orders: pages (behind the CSRF check) and the API.
pub(crate) fn router(state: &WebState) -> Router<WebState> {
    let pages = Router::new()
        .route("/orders", get(ui::orders))
        .route("/orders/{id}", get(ui::order))
        .route("/orders/{id}/fulfillment", post(ui::set_fulfillment));
    let api = Router::new()
        .route("/api/v1/orders", get(api::list_orders))
        .route("/api/v1/orders/{id}", get(api::get_order))
        .route("/api/v1/orders/{id}/fulfillment", put(api::set_fulfillment));
    crate::auth::csrf_protected(state, pages).merge(api)
}
