//! Linked accounts and connections: their pages, Allegro's OAuth callback, and their API.

mod api;
mod connections_ui;
mod ui;

use axum::Router;
use axum::routing::{get, post, put};

use crate::WebState;

pub(crate) use ui::{SettingsChoices, parse_settings};

/// Routes of accounts and connections: pages (behind the CSRF check) and the API.
pub(crate) fn router(state: &WebState) -> Router<WebState> {
    let pages = Router::new()
        .route("/accounts", get(ui::accounts))
        .route("/accounts/{id}/relink", post(ui::relink))
        .route(
            "/accounts/{id}/disconnect",
            get(ui::disconnect_form).post(ui::disconnect),
        )
        .route("/accounts/{id}/settings", get(ui::settings).post(ui::save_settings))
        .route(
            "/connections",
            get(connections_ui::connections).post(connections_ui::create_connection),
        )
        .route("/connections/{id}", get(connections_ui::connection))
        .route("/connections/{id}/credentials", post(connections_ui::save_credentials))
        .route("/connections/{id}/link", post(connections_ui::start_link))
        .route("/allegro/install/{id}", get(connections_ui::callback));
    let api = Router::new()
        .route(
            "/api/v1/connections",
            get(api::list_connections).post(api::create_connection),
        )
        .route("/api/v1/connections/{id}/credentials", put(api::set_credentials))
        .route("/api/v1/connections/{id}/link", post(api::link))
        .route("/api/v1/accounts", get(api::list_accounts))
        .route("/api/v1/accounts/{id}", axum::routing::delete(api::delete_account))
        .route(
            "/api/v1/accounts/{id}/settings",
            get(api::get_settings).put(api::put_settings),
        );
    crate::auth::csrf_protected(state, pages).merge(api)
}
