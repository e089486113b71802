//! allegro-bridge's back-office: the HTML UI (server-rendered, works without JavaScript,
//! Polish and English) and the JSON API `/api/v1`.
#![recursion_limit = "256"]
#![forbid(unsafe_code)]
// Handlers return ready-made `Response`s as errors, as axum does.
#![allow(clippy::result_large_err)]

mod accounts;
mod api;
mod auth;
mod error;
mod headers;
pub mod i18n;
mod imports;
mod input;
pub mod invoices;
pub mod ksef;
pub mod orders;
mod shell;
mod shipments;
mod trace;
mod upload;
mod views;
mod warehouse;

use axum::Router;

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

/// The whole back-office: each aggregate's pages (behind the CSRF check) and API routes,
/// under the checks every request passes (control characters, security headers), each
/// request in a span with its id (`trace`).
pub fn router(state: WebState) -> Router {
    Router::new()
        .merge(shell::router(&state))
        .merge(accounts::router(&state))
        .merge(orders::router(&state))
        .merge(imports::router(&state))
        .merge(invoices::router(&state))
        .merge(ksef::router(&state))
        .merge(shipments::router(&state))
        .merge(warehouse::router(&state))
        .merge(api::router())
        .layer(axum::middleware::from_fn(input::refuse_control_characters))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            headers::security_headers,
        ))
        // Outermost: the span covers every check, and refusals are logged and counted too.
        .layer(axum::middleware::from_fn(trace::request_span))
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
pub(crate) fn file_encoding(
    asked: Option<&str>,
    content_type: &str,
) -> Result<app::order_files::Encoding, app::Problem> {
    let charset = content_type
        .split(';')
        .skip(1)
        .find_map(|p| p.trim().strip_prefix("charset="))
        .map(|c| c.trim_matches('"'));
    asked.or(charset).unwrap_or("auto").parse()
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
}
