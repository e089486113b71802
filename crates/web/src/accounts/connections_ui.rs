//! Pages of connections (Allegro apps): the list, a new one, its credentials, starting a link, and Allegro's OAuth callback.

use super::ui::connection_label;
use crate::WebState;
use crate::auth::{MaybeUser, UiUser};
use crate::error::page_error;
use crate::i18n::Tr;
use crate::views::Chrome;
use crate::views::SimplePage;
use crate::views::parse_id;
use crate::views::render;
use app::{AppError, CurrentUser, LinkOutcome};
use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use domain::{ConnectionId, ConnectionMode, Environment};
use secrecy::SecretString;
use serde::Deserialize;

struct ConnectionRow {
    id: String,
    label: String,
    state: String,
}

#[derive(Template)]
#[template(path = "connections.html")]
struct ConnectionsPage {
    c: Chrome,
    rows: Vec<ConnectionRow>,
    service_app: bool,
}

pub async fn connections(State(state): State<WebState>, tr: Tr, UiUser(user): UiUser) -> Response {
    let list = match state.app.connections(&user.organisation_id).await {
        Ok(l) => l,
        Err(e) => return page_error(&tr, e),
    };
    let rows = list
        .iter()
        .map(|c| ConnectionRow {
            id: c.id.to_string(),
            label: connection_label(&tr, c),
            state: if c.mode == ConnectionMode::ServiceApp || c.client_id.is_some() {
                tr.t("credentials-ok")
            } else {
                tr.t("credentials-missing")
            },
        })
        .collect();
    render(&ConnectionsPage {
        c: Chrome::for_user(&tr, &user),
        rows,
        service_app: state.app.config().service_app.is_some(),
    })
}

#[derive(Deserialize)]
pub struct NewConnectionForm {
    mode: String,
    environment: Option<String>,
    auth_url: Option<String>,
    api_url: Option<String>,
}

pub async fn create_connection(
    State(state): State<WebState>,
    tr: Tr,
    UiUser(user): UiUser,
    Form(form): Form<NewConnectionForm>,
) -> Response {
    let result = async {
        let mode: ConnectionMode = form
            .mode
            .parse()
            .map_err(|e: domain::DomainError| app::invalid("mode", e))?;
        let environment: Environment = form
            .environment
            .as_deref()
            .unwrap_or("production")
            .parse()
            .map_err(|e: domain::DomainError| app::invalid("environment", e))?;
        let urls = match (
            form.auth_url.filter(|s| !s.trim().is_empty()),
            form.api_url.filter(|s| !s.trim().is_empty()),
        ) {
            (Some(a), Some(b)) => Some((a, b)),
            _ => None,
        };
        state
            .app
            .create_connection(&user.organisation_id, mode, environment, urls)
            .await
    }
    .await;
    match result {
        Ok(c) if c.mode == ConnectionMode::ServiceApp => Redirect::to("/accounts").into_response(),
        Ok(c) => Redirect::to(&format!("/connections/{}", c.id)).into_response(),
        Err(e) => page_error(&tr, e),
    }
}

#[derive(Template)]
#[template(path = "connection.html")]
struct ConnectionPage {
    c: Chrome,
    id: String,
    label: String,
    own_app: bool,
    has_credentials: bool,
    redirect_uri: String,
    portal: String,
    app_name: String,
    client_id: String,
    scopes: Vec<(&'static str, &'static str, &'static str)>,
    saved: bool,
    error: Option<String>,
}

fn portal_url(c: &store::Connection) -> String {
    match c.environment {
        Environment::Production => "https://apps.developer.allegro.pl".into(),
        Environment::Sandbox => "https://apps.developer.allegro.pl.allegrosandbox.pl".into(),
        Environment::Custom => format!("{}/apps", c.auth_url.trim_end_matches('/')),
    }
}

#[derive(Deserialize)]
pub struct SavedQuery {
    pub(crate) saved: Option<String>,
}

async fn connection_page(
    state: &WebState,
    tr: &Tr,
    user: &CurrentUser,
    id: &str,
    saved: bool,
    error: Option<String>,
) -> Response {
    let result = async {
        let id: ConnectionId = parse_id(id)?;
        state.app.connection(&user.organisation_id, &id).await
    }
    .await;
    let conn = match result {
        Ok(c) => c,
        Err(e) => return page_error(tr, e),
    };
    let scopes = app::scopes::REQUIRED_BY_BRIDGE
        .iter()
        .filter_map(|s| app::scopes::find(s))
        .map(|s| (s.group, s.description_pl, s.name))
        .collect();
    let mut response = render(&ConnectionPage {
        c: Chrome::for_user(tr, user),
        id: conn.id.to_string(),
        label: connection_label(tr, &conn),
        own_app: conn.mode == ConnectionMode::OwnApp,
        has_credentials: conn.client_id.is_some(),
        redirect_uri: state.app.redirect_uri(&conn),
        portal: portal_url(&conn),
        app_name: "allegro-bridge".into(),
        client_id: conn.client_id.clone().unwrap_or_default(),
        scopes,
        saved,
        error: error.clone(),
    });
    if error.is_some() {
        *response.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    }
    response
}

pub async fn connection(
    State(state): State<WebState>,
    tr: Tr,
    UiUser(user): UiUser,
    Path(id): Path<String>,
    Query(q): Query<SavedQuery>,
) -> Response {
    connection_page(&state, &tr, &user, &id, q.saved.is_some(), None).await
}

#[derive(Deserialize)]
pub struct CredentialsForm {
    client_id: String,
    client_secret: String,
}

pub async fn save_credentials(
    State(state): State<WebState>,
    tr: Tr,
    UiUser(user): UiUser,
    Path(id): Path<String>,
    Form(form): Form<CredentialsForm>,
) -> Response {
    let result = async {
        let cid: ConnectionId = parse_id(&id)?;
        state
            .app
            .set_credentials(
                &user.organisation_id,
                &cid,
                &form.client_id,
                &SecretString::from(form.client_secret),
            )
            .await
    }
    .await;
    match result {
        Ok(()) => Redirect::to(&format!("/connections/{id}?saved=1")).into_response(),
        Err(AppError::Validation { field, problem }) => {
            let text = tr.invalid(field, &problem);
            connection_page(&state, &tr, &user, &id, false, Some(text)).await
        }
        Err(e) => page_error(&tr, e),
    }
}

pub async fn start_link(
    State(state): State<WebState>,
    tr: Tr,
    UiUser(user): UiUser,
    Path(id): Path<String>,
) -> Response {
    let result = async {
        // "service": the operator's app, its connection created on first use.
        let cid: ConnectionId = if id == "service" {
            state.app.service_connection(&user.organisation_id).await?.id
        } else {
            parse_id(&id)?
        };
        state.app.start_link(&user, &cid, None).await
    }
    .await;
    match result {
        Ok(url) => Redirect::to(url.as_str()).into_response(),
        Err(e) => page_error(&tr, e),
    }
}

#[derive(Deserialize)]
pub struct CallbackQuery {
    state: Option<String>,
    code: Option<String>,
    error: Option<String>,
}

pub async fn callback(
    State(state): State<WebState>,
    tr: Tr,
    MaybeUser(user): MaybeUser,
    Path(id): Path<String>,
    Query(q): Query<CallbackQuery>,
) -> Response {
    let result = async {
        // The operator's app has one redirect URI for everybody; its state names the connection.
        let cid: Option<ConnectionId> = if id == "service" { None } else { Some(parse_id(&id)?) };
        state
            .app
            .complete_link(
                user.as_ref(),
                cid.as_ref(),
                q.state.as_deref(),
                q.code.as_deref(),
                q.error.as_deref(),
            )
            .await
    }
    .await;
    let outcome = match result {
        Ok(o) => o,
        Err(e) => return page_error(&tr, e),
    };
    let (status, kind, paragraphs) = match &outcome {
        LinkOutcome::Linked {
            login,
            created,
            missing,
            moved_from,
            ..
        } => {
            let mut p = vec![match moved_from {
                Some(from) => tr.args(
                    "link-moved",
                    &[("login", login), ("from", &super::ui::connection_label(&tr, from))],
                ),
                None => tr.t1(if *created { "link-ok" } else { "link-updated" }, "login", login),
            }];
            if !missing.is_empty() {
                let list = missing
                    .iter()
                    .map(|(g, d, s)| format!("{g} – {d} ({s})"))
                    .collect::<Vec<_>>()
                    .join("; ");
                p.push(tr.t1("link-missing", "scopes", &list));
            }
            // Linked, but without every permission: a warning, not a success.
            (StatusCode::OK, if missing.is_empty() { "ok" } else { "warn" }, p)
        }
        LinkOutcome::Cancelled => (StatusCode::OK, "warn", vec![tr.t("link-cancelled")]),
        LinkOutcome::BadState(problem) => (
            StatusCode::BAD_REQUEST,
            "error",
            vec![tr.t(&format!("link-state-{problem:?}"))],
        ),
        LinkOutcome::CodeExpired => (StatusCode::BAD_REQUEST, "error", vec![tr.t("link-code-expired")]),
        LinkOutcome::WrongUser { expected, got } => (
            StatusCode::CONFLICT,
            "error",
            vec![tr.args("link-wrong-user", &[("expected", expected), ("got", got)])],
        ),
        LinkOutcome::AllegroFailed(code) => {
            let known = ["bad_client", "no_refresh_token", "user_mismatch"];
            let message = if known.contains(&code.as_str()) {
                tr.t(&format!("link-failed-{code}"))
            } else {
                code.clone()
            };
            (
                StatusCode::BAD_GATEWAY,
                "error",
                vec![tr.t1("link-failed", "message", &message)],
            )
        }
    };
    let title = tr.t("link-title");
    let c = match &user {
        Some(u) => Chrome::for_user(&tr, u),
        None => Chrome {
            t: tr.clone(),
            email: None,
            csrf: String::new(),
            relogin: false,
        },
    };
    let mut response = render(&SimplePage {
        c,
        title: &title,
        paragraphs,
        kind,
    });
    *response.status_mut() = status;
    response
}
