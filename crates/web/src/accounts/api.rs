//! The API of connections and linked accounts.

use crate::WebState;
use crate::api::{body, id};
use crate::auth::ApiUser;
use crate::error::ApiError;
use axum::Json;
use axum::extract::{Path, State, rejection::JsonRejection};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use domain::{AccountId, ConnectionId, ConnectionMode, Environment};
use secrecy::SecretString;
use serde::{Deserialize, Serialize};

/// A connection as the API answers it (`components.schemas.Connection`); the secret is
/// never in it, only whether one is set.
#[derive(Debug, Serialize)]
pub(crate) struct ConnectionOut {
    id: ConnectionId,
    mode: ConnectionMode,
    environment: Environment,
    auth_url: String,
    api_url: String,
    redirect_uri: String,
    client_id: Option<String>,
    has_credentials: bool,
}

impl ConnectionOut {
    fn of(state: &WebState, c: &store::Connection) -> Self {
        Self {
            id: c.id.clone(),
            mode: c.mode,
            environment: c.environment,
            auth_url: c.auth_url.clone(),
            api_url: c.api_url.clone(),
            redirect_uri: state.app.redirect_uri(c),
            client_id: c.client_id.clone(),
            has_credentials: c.mode == ConnectionMode::ServiceApp || c.client_secret.is_some(),
        }
    }
}

/// `components.schemas.Connections`.
#[derive(Debug, Serialize)]
pub(crate) struct Connections {
    connections: Vec<ConnectionOut>,
}

/// `components.schemas.NewConnectionOut`: the id and the redirect URI to register.
#[derive(Debug, Serialize)]
pub(crate) struct CreatedConnection {
    id: ConnectionId,
    redirect_uri: String,
}

/// `components.schemas.Link`.
#[derive(Debug, Serialize)]
pub(crate) struct Link {
    authorization_url: String,
}

/// A linked account as the API answers it (`components.schemas.Account`).
#[derive(Debug, Serialize)]
pub(crate) struct AccountOut {
    id: AccountId,
    login: String,
    allegro_user_id: String,
    status: domain::AccountStatus,
    status_reason: Option<String>,
    connection_id: ConnectionId,
    scopes: Vec<String>,
    at_risk: bool,
    last_refresh_at: Option<String>,
    last_sync_at: Option<String>,
    linked_at: String,
}

/// `components.schemas.Accounts`.
#[derive(Debug, Serialize)]
pub(crate) struct Accounts {
    accounts: Vec<AccountOut>,
}

pub(crate) async fn list_connections(
    State(state): State<WebState>,
    ApiUser(user): ApiUser,
) -> Result<Json<Connections>, ApiError> {
    let list = state.app.connections(&user.organisation_id).await?;
    Ok(Json(Connections {
        connections: list.iter().map(|c| ConnectionOut::of(&state, c)).collect(),
    }))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct NewConnection {
    mode: ConnectionMode,
    #[serde(default = "production")]
    environment: Environment,
    auth_url: Option<String>,
    api_url: Option<String>,
}

pub(crate) fn production() -> Environment {
    Environment::Production
}

pub(crate) async fn create_connection(
    State(state): State<WebState>,
    ApiUser(user): ApiUser,
    payload: Result<Json<NewConnection>, JsonRejection>,
) -> Result<Response, ApiError> {
    let req = body(payload)?;
    let urls = req.auth_url.zip(req.api_url);
    let c = state
        .app
        .create_connection(&user.organisation_id, req.mode, req.environment, urls)
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(CreatedConnection {
            redirect_uri: state.app.redirect_uri(&c),
            id: c.id,
        }),
    )
        .into_response())
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Credentials {
    client_id: String,
    client_secret: String,
}

pub(crate) async fn set_credentials(
    State(state): State<WebState>,
    ApiUser(user): ApiUser,
    Path(raw): Path<String>,
    payload: Result<Json<Credentials>, JsonRejection>,
) -> Result<StatusCode, ApiError> {
    let req = body(payload)?;
    let cid: ConnectionId = id(&raw)?;
    state
        .app
        .set_credentials(
            &user.organisation_id,
            &cid,
            &req.client_id,
            &SecretString::from(req.client_secret),
        )
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

pub(crate) async fn link(
    State(state): State<WebState>,
    ApiUser(user): ApiUser,
    Path(raw): Path<String>,
) -> Result<Json<Link>, ApiError> {
    let cid: ConnectionId = id(&raw)?;
    let url = state.app.start_link(&user, &cid, None).await?;
    Ok(Json(Link {
        authorization_url: url.to_string(),
    }))
}

pub(crate) async fn list_accounts(
    State(state): State<WebState>,
    ApiUser(user): ApiUser,
) -> Result<Json<Accounts>, ApiError> {
    let accounts = state.app.accounts(&user).await?;
    let accounts = accounts
        .iter()
        .map(|a| AccountOut {
            id: a.id.clone(),
            login: a.login.clone(),
            allegro_user_id: a.allegro_user_id.clone(),
            status: a.status,
            status_reason: a.status_reason.clone(),
            connection_id: a.connection_id.clone(),
            scopes: a.scopes.split_whitespace().map(str::to_owned).collect(),
            at_risk: state.app.at_risk(a),
            last_refresh_at: a.last_refresh_at_ms.map(domain::time::rfc3339),
            last_sync_at: a.last_sync_at_ms.map(domain::time::rfc3339),
            linked_at: domain::time::rfc3339(a.created_at_ms),
        })
        .collect();
    Ok(Json(Accounts { accounts }))
}

pub(crate) async fn delete_account(
    State(state): State<WebState>,
    ApiUser(user): ApiUser,
    Path(raw): Path<String>,
) -> Result<StatusCode, ApiError> {
    let aid: AccountId = id(&raw)?;
    state.app.disconnect(&user, &aid).await?;
    Ok(StatusCode::NO_CONTENT)
}

pub(crate) async fn get_settings(
    State(state): State<WebState>,
    ApiUser(user): ApiUser,
    Path(raw): Path<String>,
) -> Result<Json<domain::AccountSettings>, ApiError> {
    let aid: AccountId = id(&raw)?;
    Ok(Json(state.app.settings(&user, &aid).await?))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct SettingsBody {
    enabled: bool,
    vat_goods: String,
    vat_delivery: String,
    invoice_trigger: String,
    invoice_series: String,
    #[serde(default)]
    invoice_every_order: bool,
    #[serde(default)]
    delivery_follows_goods: bool,
    #[serde(default)]
    sent_on_waybill: bool,
    #[serde(default)]
    cod_sale_when_sent: bool,
}

pub(crate) async fn put_settings(
    State(state): State<WebState>,
    ApiUser(user): ApiUser,
    Path(raw): Path<String>,
    payload: Result<Json<SettingsBody>, JsonRejection>,
) -> Result<StatusCode, ApiError> {
    let b = body(payload)?;
    let aid: AccountId = id(&raw)?;
    let s = crate::accounts::parse_settings(
        b.enabled,
        &b.vat_goods,
        &b.vat_delivery,
        &b.invoice_trigger,
        &b.invoice_series,
        crate::accounts::SettingsChoices {
            every_order: b.invoice_every_order,
            delivery_follows_goods: b.delivery_follows_goods,
            sent_on_waybill: b.sent_on_waybill,
            cod_sale_when_sent: b.cod_sale_when_sent,
        },
    )?;
    state.app.save_settings(&user, &aid, &s).await?;
    Ok(StatusCode::NO_CONTENT)
}
