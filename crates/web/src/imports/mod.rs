//! Imports: Allegro's order history by date range, order files and waybill files — the
//! Import page and the API.

mod api;
mod ui;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post};

use crate::WebState;

/// Routes of imports: pages (behind the CSRF check) and the API; uploads may be up to
/// `state.max_upload_bytes`.
pub(crate) fn router(state: &WebState) -> Router<WebState> {
    let limit = DefaultBodyLimit::max(state.max_upload_bytes);
    let pages = Router::new()
        .route("/imports", get(ui::imports).post(ui::start))
        .route("/imports/file", post(ui::upload).layer(limit))
        .route("/imports/waybills", post(ui::upload_waybills).layer(limit))
        .route("/imports/{id}", get(ui::import));
    let api = Router::new()
        .route("/api/v1/accounts/{id}/imports", post(api::start_import))
        .route("/api/v1/imports", get(api::list_imports))
        .route("/api/v1/imports/{id}", get(api::get_import))
        .route("/api/v1/imports/file", post(api::import_file).layer(limit));
    crate::auth::csrf_protected(state, pages).merge(api)
}
