//! The shell: login, first-run setup, logout, the language switch, API keys and the assets.

mod api_keys;
mod assets;
mod ui;

use axum::Router;
use axum::routing::{get, post};

use crate::WebState;

/// Routes of the shell (all behind the CSRF check).
pub(crate) fn router(state: &WebState) -> Router<WebState> {
    let pages = Router::new()
        .route("/", get(ui::index))
        .route("/setup", get(ui::setup_form).post(ui::setup))
        .route("/login", get(ui::login_form).post(ui::login))
        .route("/logout", post(ui::logout))
        .route("/lang/{code}", get(ui::set_lang))
        .route("/api-keys", get(api_keys::api_keys).post(api_keys::create))
        .route("/api-keys/{id}/revoke", post(api_keys::revoke))
        .route("/assets/app.css", get(assets::css))
        .route("/assets/app.js", get(assets::js))
        .route("/assets/htmx-2.0.4.min.js", get(assets::htmx));
    crate::auth::csrf_protected(state, pages)
}
