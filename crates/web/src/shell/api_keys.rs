//! "Klucze API": the organisation's keys for `/api/v1` — listed with when each was last
//! used, created (shown once) and revoked.

use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use secrecy::ExposeSecret;
use serde::Deserialize;

use crate::WebState;
use crate::auth::UiUser;
use crate::error::page_error;
use crate::i18n::Tr;
use crate::views::{Chrome, render};

struct KeyRow {
    id: String,
    name: String,
    prefix: String,
    created: String,
    last_used: String,
}

#[derive(Template)]
#[template(path = "api_keys.html")]
struct ApiKeysPage {
    c: Chrome,
    keys: Vec<KeyRow>,
    /// The key just created, shown this once.
    new_key: Option<String>,
    error: Option<String>,
}

async fn page(
    state: &WebState,
    tr: &Tr,
    user: &app::CurrentUser,
    new_key: Option<String>,
    error: Option<String>,
) -> Response {
    let keys = match state.app.api_keys(&user.organisation_id).await {
        Ok(k) => k,
        Err(e) => return page_error(tr, e),
    };
    let keys = keys
        .into_iter()
        .map(|k| KeyRow {
            id: k.id.to_string(),
            name: k.name,
            prefix: k.prefix,
            created: domain::time::polish_time_text(k.created_at_ms),
            last_used: k
                .last_used_at_ms
                .map_or_else(|| tr.t("api-keys-never"), domain::time::polish_time_text),
        })
        .collect();
    let mut r = render(&ApiKeysPage {
        c: Chrome::for_user(tr, user),
        keys,
        new_key,
        error,
    });
    if r.status() == StatusCode::OK {
        // The new key is on this page: never kept by a cache (set on every page, too).
        r.headers_mut().insert(
            axum::http::header::CACHE_CONTROL,
            axum::http::HeaderValue::from_static("no-store"),
        );
    }
    r
}

/// The list and the form.
pub async fn api_keys(State(state): State<WebState>, tr: Tr, UiUser(user): UiUser) -> Response {
    page(&state, &tr, &user, None, None).await
}

#[derive(Deserialize)]
pub struct NewKeyForm {
    name: String,
}

/// Creates a key and shows it once.
pub async fn create(
    State(state): State<WebState>,
    tr: Tr,
    UiUser(user): UiUser,
    Form(form): Form<NewKeyForm>,
) -> Response {
    match state.app.create_api_key(&user.organisation_id, &form.name).await {
        Ok(key) => page(&state, &tr, &user, Some(key.expose_secret().to_owned()), None).await,
        Err(app::AppError::Validation { field, problem }) => {
            let error = tr.invalid(field, &problem);
            let mut r = page(&state, &tr, &user, None, Some(error)).await;
            *r.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
            r
        }
        Err(e) => page_error(&tr, e),
    }
}

/// Revokes a key; requests with it are refused from now on.
pub async fn revoke(State(state): State<WebState>, tr: Tr, UiUser(user): UiUser, Path(id): Path<String>) -> Response {
    match state.app.revoke_api_key(&user.organisation_id, &id).await {
        Ok(()) => Redirect::to("/api-keys").into_response(),
        Err(e) => page_error(&tr, e),
    }
}
