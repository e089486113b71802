//! Faktury → KSeF: the organisation's KSeF settings and connection check — the page and
//! the API (`/api/v1/ksef`).

mod api;
mod ui;

use axum::Router;
use axum::routing::{get, post};

use crate::WebState;

/// Routes of the KSeF settings: the page (behind the CSRF check) and the API.
pub(crate) fn router(state: &WebState) -> Router<WebState> {
    let pages = Router::new()
        .route("/invoices/ksef", get(ui::page).post(ui::save))
        .route("/invoices/ksef/check", post(ui::check));
    let api = Router::new()
        .route("/api/v1/ksef", get(api::get_settings).put(api::put_settings))
        .route("/api/v1/ksef/check", post(api::check));
    crate::auth::csrf_protected(state, pages).merge(api)
}

/// The environment a form or a body names: `test`, `demo`, `production`, or `custom` with
/// its URL.
pub(crate) fn environment(code: &str, api_url: Option<&str>) -> Result<app::KsefEnvironment, app::AppError> {
    Ok(match code.trim() {
        "test" | "" => app::KsefEnvironment::Test,
        "demo" => app::KsefEnvironment::Demo,
        "production" => app::KsefEnvironment::Production,
        "custom" => app::KsefEnvironment::Custom(api_url.unwrap_or_default().trim().to_owned()),
        other => {
            return Err(app::invalid(
                "environment",
                app::Problem::new("problem-ksef-environment").arg("value", other),
            ));
        }
    })
}
