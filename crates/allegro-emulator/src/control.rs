//! The control API under `/__emulator/` (JSON in and out), documented in the README.

use std::net::IpAddr;
use std::sync::Arc;

use allegro_api_types::{CheckoutFormStatus, FulfillmentStatus};
use axum::Json;
use axum::Router;
use axum::extract::{Path, State, rejection::JsonRejection};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post, put};
use serde::Deserialize;
use serde_json::json;

use crate::generator::OrderPlan;
use crate::respond::{control_error, json as json_response};
use crate::world::{App, AppKind};
use crate::{Emulator, Faults, Settings};

/// An app registration, as the portal's form or `POST /__emulator/apps` gives it.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewApp {
    /// Application name (3–50 characters).
    pub name: String,
    /// Optional description.
    #[serde(default)]
    pub description: Option<String>,
    /// Redirect URIs (one per line in the portal).
    #[serde(default)]
    pub redirect_uris: Vec<String>,
    /// `authorization_code` (default) or `device_code`.
    #[serde(default, rename = "type")]
    pub app_type: Option<String>,
    /// Permissions; default all.
    #[serde(default)]
    pub scopes: Option<Vec<String>>,
}

/// Allegro's rules for a redirect URI: a protocol, no fragment, no relative path, not a
/// private IP address (seed 000 step 5; staff, GH#6236). Loopback is allowed for local use.
pub fn validate_redirect_uri(raw: &str) -> Result<(), String> {
    let parsed =
        url::Url::parse(raw).map_err(|_| format!("{raw:?}: adres URI musi zawierać protokół (np. https://)"))?;
    if !matches!(parsed.scheme(), "http" | "https") {
        return Err(format!("{raw:?}: dozwolone protokoły to https i http"));
    }
    if raw.contains('#') {
        return Err(format!("{raw:?}: adres nie może zawierać fragmentu URI (#)"));
    }
    if raw
        .split('?')
        .next()
        .unwrap_or_default()
        .split('/')
        .skip(3)
        .any(|seg| seg == "." || seg == "..")
    {
        return Err(format!("{raw:?}: adres nie może zawierać ścieżek względnych"));
    }
    let host = parsed
        .host_str()
        .unwrap_or_default()
        .trim_start_matches('[')
        .trim_end_matches(']');
    if host.is_empty() {
        return Err(format!("{raw:?}: brak nazwy hosta"));
    }
    if let Ok(ip) = host.parse::<IpAddr>() {
        let private = match ip {
            IpAddr::V4(v4) => v4.is_private() || v4.is_link_local() || v4.is_unspecified(),
            IpAddr::V6(v6) => v6.is_unique_local() || v6.is_unicast_link_local() || v6.is_unspecified(),
        };
        if private && !ip.is_loopback() {
            return Err(format!("{raw:?}: adres nie może być prywatnym adresem IP"));
        }
    }
    Ok(())
}

/// Registers an app; `owner` is the portal user, if registered through the pages.
pub fn register_app(emu: &Emulator, request: NewApp, owner: Option<usize>) -> Result<(String, String), String> {
    let name = request.name.trim();
    if !(3..=50).contains(&name.chars().count()) {
        return Err("Nazwa aplikacji musi mieć od 3 do 50 znaków.".into());
    }
    let kind = match request.app_type.as_deref() {
        None | Some("authorization_code") => AppKind::AuthorizationCode,
        Some("device_code") => AppKind::DeviceCode,
        Some(other) => return Err(format!("type must be authorization_code or device_code, got {other:?}")),
    };
    if kind == AppKind::AuthorizationCode && request.redirect_uris.is_empty() {
        return Err("Podaj co najmniej jeden adres URI do przekierowania.".into());
    }
    for uri in &request.redirect_uris {
        validate_redirect_uri(uri)?;
    }
    let scopes = match request.scopes {
        None => allegro_api_types::scopes::ALL
            .iter()
            .map(|s| s.name.to_owned())
            .collect(),
        Some(list) => {
            for s in &list {
                if allegro_api_types::scopes::find(s).is_none() {
                    return Err(format!("unknown scope {s:?}"));
                }
            }
            list
        }
    };
    let now = emu.now_ms();
    let mut world = emu.world.write();
    if let Some(owner) = owner
        && world.apps.values().filter(|a| a.owner == Some(owner)).count() >= 5
    {
        return Err("Osiągnięto limit 5 aplikacji na jednym koncie.".into());
    }
    let client_id = world.random_string(32, b"0123456789abcdef");
    let client_secret = world.random_token(64);
    world.apps.insert(
        client_id.clone(),
        App {
            client_id: client_id.clone(),
            client_secret: client_secret.clone(),
            name: name.to_owned(),
            description: request.description.unwrap_or_default(),
            kind,
            redirect_uris: request.redirect_uris,
            scopes,
            owner,
            created_at_ms: now,
        },
    );
    Ok((client_id, client_secret))
}

pub fn router() -> Router<Arc<Emulator>> {
    Router::new()
        .route("/__emulator/apps", post(create_app))
        .route("/__emulator/sellers", post(create_seller))
        .route("/__emulator/sellers/{id}/orders", post(create_orders))
        .route("/__emulator/sellers/{id}/revoke", post(revoke))
        .route("/__emulator/orders/{id}/status", post(move_order))
        .route("/__emulator/orders/{id}/buyer-cancel", post(buyer_cancel))
        .route("/__emulator/clock", get(clock))
        .route("/__emulator/clock/advance", post(advance))
        .route("/__emulator/faults", put(set_faults).get(get_faults))
        .route("/__emulator/settings", put(set_settings).get(get_settings))
        .route("/__emulator/stats", get(stats))
        .route("/__emulator/tokens", post(mint_token))
}

fn body<T>(payload: Result<Json<T>, JsonRejection>) -> Result<T, Response> {
    payload
        .map(|Json(v)| v)
        .map_err(|e| control_error(StatusCode::UNPROCESSABLE_ENTITY, e.body_text()))
}

async fn create_app(State(emu): State<Arc<Emulator>>, payload: Result<Json<NewApp>, JsonRejection>) -> Response {
    let request = or_respond!(body(payload));
    match register_app(&emu, request, None) {
        Ok((client_id, client_secret)) => json_response(
            StatusCode::CREATED,
            &json!({"client_id": client_id, "client_secret": client_secret}),
        ),
        Err(e) => control_error(StatusCode::UNPROCESSABLE_ENTITY, e),
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NewSeller {
    login: String,
    password: String,
}

async fn create_seller(State(emu): State<Arc<Emulator>>, payload: Result<Json<NewSeller>, JsonRejection>) -> Response {
    let request = or_respond!(body(payload));
    if request.password.is_empty() {
        return control_error(StatusCode::UNPROCESSABLE_ENTITY, "password must not be empty");
    }
    match emu.create_seller(&request.login, &request.password) {
        Ok(id) => json_response(StatusCode::CREATED, &json!({"id": id, "login": request.login.trim()})),
        Err(e) => control_error(StatusCode::CONFLICT, e),
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NewOrders {
    count: usize,
    #[serde(default)]
    seed: u64,
    #[serde(default = "default_days")]
    days: i64,
    #[serde(default)]
    pending_share: f64,
    #[serde(default = "default_pay_within")]
    pay_within_seconds: i64,
}

fn default_days() -> i64 {
    30
}

fn default_pay_within() -> i64 {
    600
}

async fn create_orders(
    State(emu): State<Arc<Emulator>>,
    Path(id): Path<String>,
    payload: Result<Json<NewOrders>, JsonRejection>,
) -> Response {
    let request = or_respond!(body(payload));
    if request.count > 1_000_000 || !(1..=730).contains(&request.days) || !(0.0..=1.0).contains(&request.pending_share)
    {
        return control_error(
            StatusCode::UNPROCESSABLE_ENTITY,
            "count ≤ 1 000 000, days 1–730, pending_share 0.0–1.0",
        );
    }
    let plan = OrderPlan {
        count: request.count,
        seed: request.seed,
        days: request.days,
        pending_share: request.pending_share,
        pay_within_seconds: request.pay_within_seconds,
    };
    match emu.generate_orders(&id, plan) {
        Ok(created) => json_response(StatusCode::CREATED, &json!({"created": created})),
        Err(e) => control_error(StatusCode::NOT_FOUND, e),
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Revoke {
    reason: String,
}

async fn revoke(
    State(emu): State<Arc<Emulator>>,
    Path(id): Path<String>,
    payload: Result<Json<Revoke>, JsonRejection>,
) -> Response {
    let request = or_respond!(body(payload));
    if !matches!(
        request.reason.as_str(),
        "password_change" | "logout_all" | "sales_block" | "email_change" | "app_unlinked"
    ) {
        return control_error(
            StatusCode::UNPROCESSABLE_ENTITY,
            "reason must be password_change, logout_all, sales_block, email_change or app_unlinked",
        );
    }
    let mut world = emu.world.write();
    let Some(&idx) = world.seller_by_id.get(&id) else {
        return control_error(StatusCode::NOT_FOUND, format!("no seller with id {id}"));
    };
    // Every one of these kills all access and refresh tokens of the user (AUTH-TUT).
    world.sellers[idx].token_epoch += 1;
    world
        .browser_sessions
        .retain(|_, s| *s != idx || request.reason == "app_unlinked");
    json_response(StatusCode::OK, &json!({"revoked": true, "reason": request.reason}))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct MoveOrder {
    #[serde(default)]
    status: Option<String>,
    #[serde(default)]
    fulfillment: Option<String>,
}

async fn buyer_cancel(State(emu): State<Arc<Emulator>>, Path(id): Path<String>) -> Response {
    match emu.buyer_cancel(&id) {
        Ok(()) => axum::response::IntoResponse::into_response(StatusCode::NO_CONTENT),
        Err(e) if e.starts_with("no order") => control_error(StatusCode::NOT_FOUND, e),
        Err(e) => control_error(StatusCode::CONFLICT, e),
    }
}

async fn move_order(
    State(emu): State<Arc<Emulator>>,
    Path(id): Path<String>,
    payload: Result<Json<MoveOrder>, JsonRejection>,
) -> Response {
    let request = or_respond!(body(payload));
    let status = match request
        .status
        .as_deref()
        .map(str::parse::<CheckoutFormStatus>)
        .transpose()
    {
        Ok(s) => s,
        Err(e) => return control_error(StatusCode::UNPROCESSABLE_ENTITY, e),
    };
    let fulfillment = match request
        .fulfillment
        .as_deref()
        .map(str::parse::<FulfillmentStatus>)
        .transpose()
    {
        Ok(s) => s,
        Err(e) => return control_error(StatusCode::UNPROCESSABLE_ENTITY, e),
    };
    if status.is_none() && fulfillment.is_none() {
        return control_error(StatusCode::UNPROCESSABLE_ENTITY, "give status and/or fulfillment");
    }
    let faults = emu.faults.read().clone();
    let now = emu.now_ms();
    let mut world = emu.world.write();
    let Some(&idx) = world.order_by_id.get(&id) else {
        return control_error(StatusCode::NOT_FOUND, format!("no order {id}"));
    };
    if let Some(s) = status {
        world.set_status(idx, s, now, &faults);
    }
    if let Some(f) = fulfillment {
        world.set_fulfillment(idx, f, now, &faults);
    }
    let key = &world.orders[idx].key;
    json_response(
        StatusCode::OK,
        &json!({"id": id, "status": key.status, "revision": key.revision}),
    )
}

async fn clock(State(emu): State<Arc<Emulator>>) -> Response {
    json_response(StatusCode::OK, &json!({"now": crate::clock::iso(emu.now_ms())}))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Advance {
    seconds: i64,
}

async fn advance(State(emu): State<Arc<Emulator>>, payload: Result<Json<Advance>, JsonRejection>) -> Response {
    let request = or_respond!(body(payload));
    if request.seconds < 0 {
        return control_error(
            StatusCode::UNPROCESSABLE_ENTITY,
            "the clock only moves forward: seconds must be ≥ 0",
        );
    }
    emu.advance_clock(request.seconds);
    json_response(StatusCode::OK, &json!({"now": crate::clock::iso(emu.now_ms())}))
}

async fn set_faults(State(emu): State<Arc<Emulator>>, payload: Result<Json<Faults>, JsonRejection>) -> Response {
    let faults = or_respond!(body(payload));
    match emu.set_faults(faults.clone()) {
        Ok(()) => json_response(StatusCode::OK, &faults),
        Err(e) => control_error(StatusCode::UNPROCESSABLE_ENTITY, e),
    }
}

async fn get_faults(State(emu): State<Arc<Emulator>>) -> Response {
    json_response(StatusCode::OK, &*emu.faults.read())
}

async fn set_settings(State(emu): State<Arc<Emulator>>, payload: Result<Json<Settings>, JsonRejection>) -> Response {
    let settings = or_respond!(body(payload));
    if settings.access_token_ttl_seconds < 1
        || settings.refresh_token_ttl_seconds < 1
        || settings.requests_per_minute < 1
    {
        return control_error(StatusCode::UNPROCESSABLE_ENTITY, "lifetimes and limits must be ≥ 1");
    }
    emu.set_settings(settings.clone());
    json_response(StatusCode::OK, &settings)
}

async fn get_settings(State(emu): State<Arc<Emulator>>) -> Response {
    json_response(StatusCode::OK, &*emu.settings.read())
}

async fn stats(State(emu): State<Arc<Emulator>>) -> Response {
    let t = emu.traffic.lock();
    json_response(
        StatusCode::OK,
        &json!({
            "total": t.total,
            "throttled": t.throttled,
            "by_endpoint": t.by_endpoint,
            "by_client": t.by_client,
            "by_status": t.by_status,
            "oauth_outcomes": t.oauth_outcomes,
        }),
    )
}

#[cfg(test)]
mod tests {
    use super::validate_redirect_uri;

    #[test]
    fn redirect_uri_rules() {
        for ok in [
            "https://shop.example.pl/allegro/install/1",
            "http://localhost:8080/cb",
            "http://127.0.0.1:9/cb",
            "http://[::1]:9/cb",
        ] {
            assert!(validate_redirect_uri(ok).is_ok(), "{ok}");
        }
        for (bad, why) in [
            ("shop.example.pl/cb", "protokół"),
            ("https://shop.example.pl/cb#x", "fragment"),
            ("https://shop.example.pl/a/../cb", "względnych"),
            ("http://192.168.1.10/cb", "prywatnym"),
            ("http://10.0.0.1/cb", "prywatnym"),
            ("ftp://shop.example.pl/cb", "protokoły"),
        ] {
            let err = validate_redirect_uri(bad).unwrap_err();
            assert!(err.contains(why), "{bad}: {err}");
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct MintToken {
    client_id: String,
    #[serde(default)]
    seller_id: Option<String>,
    #[serde(default)]
    scopes: Option<Vec<String>>,
}

/// Issues tokens as if the seller had consented (no browser), for tests and benchmarks.
/// Without `seller_id` it is a client-credentials token.
async fn mint_token(State(emu): State<Arc<Emulator>>, payload: Result<Json<MintToken>, JsonRejection>) -> Response {
    let request = or_respond!(body(payload));
    let now = emu.now_ms();
    let settings = emu.settings.read().clone();
    let mut world = emu.world.write();
    let Some(app) = world.apps.get(&request.client_id) else {
        return control_error(
            StatusCode::NOT_FOUND,
            format!("no app with client_id {}", request.client_id),
        );
    };
    let scopes = request.scopes.unwrap_or_else(|| app.scopes.clone());
    let seller = match request.seller_id {
        None => None,
        Some(id) => match world.seller_by_id.get(&id) {
            Some(&s) => Some(s),
            None => return control_error(StatusCode::NOT_FOUND, format!("no seller with id {id}")),
        },
    };
    crate::oauth::issue(
        &emu,
        &mut world,
        &settings,
        &request.client_id,
        seller,
        scopes,
        now,
        seller.is_some(),
    )
}
