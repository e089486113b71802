//! Waybills: adding one on the order page, sending one again, carriers — pages and the API.

mod api;
mod ui;

use axum::Router;
use axum::routing::{get, post};

use crate::WebState;

pub(crate) use ui::ShipmentRow;
pub(crate) use ui::WaybillForm;
pub(crate) use ui::carrier_name;
pub(crate) use ui::push_words;

/// Routes of waybills: pages (behind the CSRF check) and the API.
pub(crate) fn router(state: &WebState) -> Router<WebState> {
    let pages = Router::new()
        .route("/orders/{id}/shipments", post(ui::add_waybill))
        .route("/orders/{order}/shipments/{id}/resend", post(ui::resend_waybill));
    let api = Router::new()
        .route(
            "/api/v1/orders/{id}/shipments",
            get(api::list_shipments).post(api::add_shipment),
        )
        .route("/api/v1/shipments/{id}/resend", post(api::resend_shipment))
        .route("/api/v1/carriers", get(api::list_carriers));
    crate::auth::csrf_protected(state, pages).merge(api)
}
