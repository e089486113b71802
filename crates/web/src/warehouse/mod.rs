//! The warehouse: products and stock, warehouses, receipts, WZ documents and settings —
//! pages and the API.

mod api;
mod ui;

use axum::Router;
use axum::routing::{get, post};

use crate::WebState;

/// Routes of the warehouse: pages (behind the CSRF check) and the API.
pub(crate) fn router(state: &WebState) -> Router<WebState> {
    let pages = Router::new()
        .route("/orders/{id}/wz", post(ui::issue_wz))
        .route("/orders/{id}/wz.pdf", get(ui::wz_pdf))
        .route("/warehouse", get(ui::warehouse))
        .route("/warehouse/sync", post(ui::sync))
        .route("/warehouse/receipts", post(ui::receive))
        .route("/warehouse/settings", post(ui::save_settings))
        .route("/warehouse/warehouses", post(ui::add_warehouse))
        .route("/warehouse/products/{id}/annex15", post(ui::set_annex15));
    let api = Router::new()
        .route("/api/v1/products", get(api::list_products))
        .route("/api/v1/warehouses", get(api::list_warehouses).post(api::add_warehouse))
        .route("/api/v1/products/sync", post(api::sync_products))
        .route("/api/v1/products/{id}/stock", post(api::adjust_stock))
        .route("/api/v1/stock-movements", get(api::list_movements))
        .route("/api/v1/warehouse-documents", get(api::list_documents))
        .route(
            "/api/v1/warehouse-settings",
            get(api::get_warehouse_settings).put(api::put_warehouse_settings),
        )
        .route("/api/v1/orders/{id}/wz", get(api::get_wz).post(api::issue_wz))
        .route("/api/v1/orders/{id}/wz/pdf", get(api::wz_pdf));
    crate::auth::csrf_protected(state, pages).merge(api)
}
