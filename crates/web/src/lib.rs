//! allegro-bridge's back-office: the HTML UI (server-rendered, works without JavaScript,
//! Polish and English) and the JSON API `/api/v1`.
#![recursion_limit = "256"]
#![forbid(unsafe_code)]
// Handlers return ready-made `Response`s as errors, as axum does.
#![allow(clippy::result_large_err)]

mod api;
mod api_keys_ui;
mod auth;
mod error;
mod headers;
pub mod i18n;
mod imports_ui;
mod input;
pub mod invoice_query;
mod invoices_ui;
pub mod order_query;
mod ui;
mod warehouse_ui;

use axum::Router;
use axum::routing::{get, post};

pub use api::document as openapi_document;

/// State of every handler.
#[derive(Clone, Debug)]
pub struct WebState {
    /// The application.
    pub app: app::App,
    /// Mark cookies `Secure` (when served over HTTPS).
    pub secure_cookies: bool,
    /// Largest order or waybill file accepted (UI and API); larger ones get 413.
    pub max_upload_bytes: usize,
}

/// The whole back-office: UI routes (behind the CSRF check) and the API.
pub fn router(state: WebState) -> Router {
    let ui = Router::new()
        .route("/", get(ui::index))
        .route("/setup", get(ui::setup_form).post(ui::setup))
        .route("/login", get(ui::login_form).post(ui::login))
        .route("/logout", post(ui::logout))
        .route("/lang/{code}", get(ui::set_lang))
        .route("/accounts", get(ui::accounts))
        .route("/accounts/{id}/relink", post(ui::relink))
        .route(
            "/accounts/{id}/disconnect",
            get(ui::disconnect_form).post(ui::disconnect),
        )
        .route("/accounts/{id}/settings", get(ui::settings).post(ui::save_settings))
        .route("/orders", get(ui::orders))
        .route("/orders/{id}", get(ui::order))
        .route("/orders/{id}/shipments", post(ui::add_waybill))
        .route("/orders/{id}/fulfillment", post(ui::set_fulfillment))
        .route("/orders/{id}/wz", post(warehouse_ui::issue_wz))
        .route("/orders/{id}/wz.pdf", get(warehouse_ui::wz_pdf))
        .route("/warehouse", get(warehouse_ui::warehouse))
        .route("/warehouse/sync", post(warehouse_ui::sync))
        .route("/warehouse/receipts", post(warehouse_ui::receive))
        .route("/warehouse/settings", post(warehouse_ui::save_settings))
        .route("/warehouse/warehouses", post(warehouse_ui::add_warehouse))
        .route("/orders/{order}/shipments/{id}/resend", post(ui::resend_waybill))
        .route("/imports", get(imports_ui::imports).post(imports_ui::start))
        .route(
            "/imports/file",
            post(imports_ui::upload).layer(axum::extract::DefaultBodyLimit::max(state.max_upload_bytes)),
        )
        .route(
            "/imports/waybills",
            post(imports_ui::upload_waybills).layer(axum::extract::DefaultBodyLimit::max(state.max_upload_bytes)),
        )
        .route("/imports/{id}", get(imports_ui::import))
        .route(
            "/invoicing-profile",
            get(invoices_ui::profile).post(invoices_ui::save_profile),
        )
        .route("/invoices", get(invoices_ui::invoices))
        .route("/invoices/{id}", get(invoices_ui::invoice))
        .route("/invoices/{id}/xml", get(invoices_ui::invoice_xml))
        .route("/invoices/{id}/pdf", get(invoices_ui::invoice_pdf))
        .route("/invoices/{id}/resend", post(invoices_ui::resend))
        .route("/orders/{id}/invoice", post(invoices_ui::issue))
        .route("/orders/{id}/correction", post(invoices_ui::correct))
        .route("/api-keys", get(api_keys_ui::api_keys).post(api_keys_ui::create))
        .route("/api-keys/{id}/revoke", post(api_keys_ui::revoke))
        .route("/connections", get(ui::connections).post(ui::create_connection))
        .route("/connections/{id}", get(ui::connection))
        .route("/connections/{id}/credentials", post(ui::save_credentials))
        .route("/connections/{id}/link", post(ui::start_link))
        .route("/allegro/install/{id}", get(ui::callback))
        .route("/assets/app.css", get(ui::css))
        .route("/assets/app.js", get(ui::js))
        .route("/assets/htmx-2.0.4.min.js", get(ui::htmx))
        .route_layer(axum::middleware::from_fn_with_state(state.clone(), auth::csrf));
    Router::new()
        .merge(ui)
        .merge(api::router(state.max_upload_bytes))
        .layer(axum::middleware::from_fn(input::refuse_control_characters))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            headers::security_headers,
        ))
        .with_state(state)
}

/// The default largest import file (`--max-upload-mb`).
pub const MAX_IMPORT_FILE_BYTES: usize = 64 * 1024 * 1024;

/// A `Content-Disposition` value (RFC 6266): an ASCII `filename` any client reads, and the
/// exact name in `filename*` (UTF-8, percent-encoded), so a series with quotes, slashes or
/// Polish letters can neither break the header nor name a path.
pub(crate) fn content_disposition(disposition: &str, file_name: &str) -> String {
    let fallback: String = file_name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_') {
                c
            } else {
                '_'
            }
        })
        .collect();
    let exact = percent_encoding::utf8_percent_encode(file_name, percent_encoding::NON_ALPHANUMERIC);
    format!("{disposition}; filename=\"{fallback}\"; filename*=UTF-8''{exact}")
}

/// The file format a `Content-Type` names, if any.
pub(crate) fn file_format(content_type: &str) -> Option<app::order_files::Format> {
    let mime = content_type.split(';').next().unwrap_or("").trim().to_ascii_lowercase();
    match mime.as_str() {
        "text/csv" | "application/csv" | "text/comma-separated-values" => Some(app::order_files::Format::Csv),
        "application/xml" | "text/xml" => Some(app::order_files::Format::Xml),
        _ => None,
    }
}

/// The encoding asked for, or the `charset` of the `Content-Type`, or auto.
pub(crate) fn file_encoding(asked: Option<&str>, content_type: &str) -> Result<app::order_files::Encoding, String> {
    let charset = content_type
        .split(';')
        .skip(1)
        .find_map(|p| p.trim().strip_prefix("charset="))
        .map(|c| c.trim_matches('"'));
    asked.or(charset).unwrap_or("auto").parse()
}

/// `2026-11-23 18:07` in Europe/Warsaw is what sellers expect; UTC with the zone named is
/// what we can say without a zone database in this crate.
pub fn format_time(ms: i64) -> String {
    let secs = ms.div_euclid(1000);
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    // Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!("{y:04}-{m:02}-{d:02} {:02}:{:02} UTC", rem / 3600, (rem % 3600) / 60)
}

#[cfg(test)]
mod tests {
    #[test]
    fn file_names_cannot_break_the_header() {
        assert_eq!(
            super::content_disposition("attachment", "FV\"/../ż 1.xml"),
            "attachment; filename=\"FV__..___1.xml\"; filename*=UTF-8''FV%22%2F%2E%2E%2F%C5%BC%201%2Exml"
        );
    }

    #[test]
    fn formats_times() {
        assert_eq!(super::format_time(0), "1970-01-01 00:00 UTC");
        assert_eq!(super::format_time(951_782_400_000), "2000-02-29 00:00 UTC");
        assert_eq!(super::format_time(1_795_453_217_923), "2026-11-23 17:00 UTC");
    }
}
