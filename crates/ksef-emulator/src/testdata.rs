//! KSeF TEST's test-data endpoints (research §A(i)): subjects and persons, permissions,
//! blocked contexts, the attachment opt-in, lowered session limits and custom rate
//! limits. Creation needs no token, as on TEST.

use std::sync::Arc;

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Json, Router};
use ksef_api_types::RateLimitValues;
use serde::Deserialize;

use crate::KsefEmulator;
use crate::limits::Group;
use crate::respond::{Caller, bad_request, validation};

type Body = Result<Json<serde_json::Value>, axum::extract::rejection::JsonRejection>;

fn field<'a>(body: &'a serde_json::Value, path: &[&str]) -> Option<&'a str> {
    path.iter().try_fold(body, |v, k| v.get(k)).and_then(|v| v.as_str())
}

fn ok() -> Response {
    StatusCode::OK.into_response()
}

fn create(emu: &KsefEmulator, caller: &Caller, body: Body, key: &[&str], deceased: bool) -> Response {
    or_respond!(emu.public(caller));
    let now = emu.now_ms();
    let Ok(Json(body)) = body else {
        return validation(caller, now, "Nieprawidłowa treść żądania.");
    };
    let Some(nip) = field(&body, key).filter(|n| ksef_api_types::nip_shape(n)) else {
        return validation(caller, now, format!("{}: wymagany numer NIP.", key.join(".")));
    };
    let mut state = emu.state.lock();
    if !state.test_subjects.insert(nip.to_owned()) {
        return bad_request(
            caller,
            now,
            30001,
            "Podmiot lub uprawnienie już istnieje.",
            vec![nip.to_owned()],
        );
    }
    if deceased && body.get("isDeceased").and_then(|v| v.as_bool()) == Some(true) {
        state.deceased.insert(nip.to_owned());
    }
    ok()
}

async fn subject(State(emu): State<Arc<KsefEmulator>>, caller: Caller, body: Body) -> Response {
    create(&emu, &caller, body, &["subjectNip"], false)
}

async fn person(State(emu): State<Arc<KsefEmulator>>, caller: Caller, body: Body) -> Response {
    create(&emu, &caller, body, &["nip"], true)
}

fn remove(emu: &KsefEmulator, caller: &Caller, body: Body, key: &[&str]) -> Response {
    or_respond!(emu.public(caller));
    let now = emu.now_ms();
    let Ok(Json(body)) = body else {
        return validation(caller, now, "Nieprawidłowa treść żądania.");
    };
    let Some(nip) = field(&body, key) else {
        return validation(caller, now, "Brak numeru NIP.");
    };
    let mut state = emu.state.lock();
    state.test_subjects.remove(nip);
    state.deceased.remove(nip);
    ok()
}

async fn subject_remove(State(emu): State<Arc<KsefEmulator>>, caller: Caller, body: Body) -> Response {
    remove(&emu, &caller, body, &["subjectNip"])
}

async fn person_remove(State(emu): State<Arc<KsefEmulator>>, caller: Caller, body: Body) -> Response {
    remove(&emu, &caller, body, &["nip"])
}

async fn permissions(State(emu): State<Arc<KsefEmulator>>, caller: Caller, body: Body) -> Response {
    or_respond!(emu.public(&caller));
    let now = emu.now_ms();
    let Ok(Json(body)) = body else {
        return validation(&caller, now, "Nieprawidłowa treść żądania.");
    };
    if field(&body, &["contextIdentifier", "value"]).is_none()
        || field(&body, &["authorizedIdentifier", "value"]).is_none()
    {
        return validation(&caller, now, "contextIdentifier i authorizedIdentifier są wymagane.");
    }
    ok()
}

fn set_flag(
    emu: &KsefEmulator,
    caller: &Caller,
    body: Body,
    path: &[&str],
    on: bool,
    which: fn(&mut crate::state::State) -> &mut std::collections::HashSet<String>,
) -> Response {
    or_respond!(emu.public(caller));
    let now = emu.now_ms();
    let Ok(Json(body)) = body else {
        return validation(caller, now, "Nieprawidłowa treść żądania.");
    };
    let Some(nip) = field(&body, path) else {
        return validation(caller, now, format!("{}: wymagany.", path.join(".")));
    };
    let mut state = emu.state.lock();
    let set = which(&mut state);
    if on {
        set.insert(nip.to_owned());
    } else {
        set.remove(nip);
    }
    ok()
}

async fn block(State(emu): State<Arc<KsefEmulator>>, caller: Caller, body: Body) -> Response {
    set_flag(&emu, &caller, body, &["contextIdentifier", "value"], true, |s| {
        &mut s.blocked
    })
}

async fn unblock(State(emu): State<Arc<KsefEmulator>>, caller: Caller, body: Body) -> Response {
    set_flag(&emu, &caller, body, &["contextIdentifier", "value"], false, |s| {
        &mut s.blocked
    })
}

async fn attachment(State(emu): State<Arc<KsefEmulator>>, caller: Caller, body: Body) -> Response {
    set_flag(&emu, &caller, body, &["nip"], true, |s| &mut s.attachments_allowed)
}

async fn attachment_revoke(State(emu): State<Arc<KsefEmulator>>, caller: Caller, body: Body) -> Response {
    set_flag(&emu, &caller, body, &["nip"], false, |s| &mut s.attachments_allowed)
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct SessionLimits {
    #[serde(rename = "maxInvoiceSizeInMB")]
    max_invoice_size_in_mb: usize,
    #[serde(rename = "maxInvoiceWithAttachmentSizeInMB")]
    max_invoice_with_attachment_size_in_mb: usize,
    max_invoices: usize,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct SetSessionLimits {
    online_session: SessionLimits,
}

async fn session_limits(
    State(emu): State<Arc<KsefEmulator>>,
    caller: Caller,
    body: Result<Json<SetSessionLimits>, axum::extract::rejection::JsonRejection>,
) -> Response {
    or_respond!(emu.access(&caller, Group::Other, &[]));
    let now = emu.now_ms();
    let Ok(Json(body)) = body else {
        return validation(&caller, now, "Nieprawidłowa treść SetSessionLimitsRequest.");
    };
    let mut settings = emu.settings();
    settings.max_invoice_bytes = body.online_session.max_invoice_size_in_mb * 1_000_000;
    settings.max_invoice_bytes_with_attachments =
        body.online_session.max_invoice_with_attachment_size_in_mb * 1_000_000;
    settings.max_invoices_per_session = body.online_session.max_invoices;
    emu.set_settings(settings);
    ok()
}

async fn session_limits_reset(State(emu): State<Arc<KsefEmulator>>, caller: Caller) -> Response {
    or_respond!(emu.access(&caller, Group::Other, &[]));
    let defaults = crate::Settings::default();
    let mut settings = emu.settings();
    settings.max_invoice_bytes = defaults.max_invoice_bytes;
    settings.max_invoice_bytes_with_attachments = defaults.max_invoice_bytes_with_attachments;
    settings.max_invoices_per_session = defaults.max_invoices_per_session;
    emu.set_settings(settings);
    ok()
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct SetRateLimits {
    rate_limits: std::collections::BTreeMap<Group, RateLimitValues>,
}

async fn rate_limits(
    State(emu): State<Arc<KsefEmulator>>,
    caller: Caller,
    body: Result<Json<SetRateLimits>, axum::extract::rejection::JsonRejection>,
) -> Response {
    or_respond!(emu.access(&caller, Group::Other, &[]));
    let now = emu.now_ms();
    let Ok(Json(body)) = body else {
        return validation(&caller, now, "Nieprawidłowa treść SetRateLimitsRequest.");
    };
    let mut limiter = emu.limiter.lock();
    limiter.limits.extend(body.rate_limits);
    limiter.reset();
    ok()
}

async fn rate_limits_production(State(emu): State<Arc<KsefEmulator>>, caller: Caller) -> Response {
    or_respond!(emu.access(&caller, Group::Other, &[]));
    let mut limiter = emu.limiter.lock();
    limiter.limits = crate::limits::production();
    limiter.reset();
    ok()
}

pub(crate) fn router() -> Router<Arc<KsefEmulator>> {
    Router::new()
        .route("/testdata/subject", post(subject))
        .route("/testdata/subject/remove", post(subject_remove))
        .route("/testdata/person", post(person))
        .route("/testdata/person/remove", post(person_remove))
        .route("/testdata/permissions", post(permissions))
        .route("/testdata/permissions/revoke", post(permissions))
        .route("/testdata/context/block", post(block))
        .route("/testdata/context/unblock", post(unblock))
        .route("/testdata/attachment", post(attachment))
        .route("/testdata/attachment/revoke", post(attachment_revoke))
        .route(
            "/testdata/limits/context/session",
            post(session_limits).delete(session_limits_reset),
        )
        .route(
            "/testdata/rate-limits",
            post(rate_limits).delete(rate_limits_production),
        )
        .route("/testdata/rate-limits/production", post(rate_limits_production))
}
