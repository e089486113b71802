//! Invoices: the invoicing profile, the invoices list and page, issuing invoices and
//! corrections, their XML and PDF, sending one again, NBP rates — pages and the API.

mod api;
mod earlier_ui;
pub mod query;
mod rates_ui;
mod ui;

use axum::Router;
use axum::routing::{get, post};

use crate::WebState;

pub(crate) use ui::{PdfQuery, pdf_response};

/// Routes of invoices: pages (behind the CSRF check) and the API.
pub(crate) fn router(state: &WebState) -> Router<WebState> {
    let pages = Router::new()
        .route("/invoicing-profile", get(ui::profile).post(ui::save_profile))
        .route("/invoices", get(ui::invoices))
        .route("/invoices/rates", get(rates_ui::rates).post(rates_ui::load))
        .route(
            "/invoices/earlier",
            get(earlier_ui::earlier).post(earlier_ui::issue_earlier),
        )
        .route("/invoices/{id}", get(ui::invoice))
        .route("/invoices/{id}/xml", get(ui::invoice_xml))
        .route("/invoices/{id}/pdf", get(ui::invoice_pdf))
        .route("/invoices/{id}/resend", post(ui::resend))
        .route("/orders/{id}/invoice", post(ui::issue))
        .route("/orders/{id}/correction", post(ui::correct));
    let api = Router::new()
        .route("/api/v1/invoicing-profile", get(api::get_profile).put(api::put_profile))
        .route("/api/v1/orders/{id}/invoice", post(api::issue_invoice))
        .route("/api/v1/orders/{id}/correction", post(api::issue_correction))
        .route("/api/v1/invoices", get(api::list_invoices))
        .route("/api/v1/invoices/{id}", get(api::get_invoice))
        .route("/api/v1/invoices/{id}/xml", get(api::invoice_xml))
        .route("/api/v1/invoices/{id}/pdf", get(api::invoice_pdf))
        .route("/api/v1/invoices/{id}/resend", post(api::resend_invoice));
    crate::auth::csrf_protected(state, pages).merge(api)
}
