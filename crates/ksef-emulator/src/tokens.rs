//! KSeF tokens (`/tokens`) and what a context may read of its limits (`/rate-limits`,
//! `/limits/context`).

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use ksef_api_types::{GenerateTokenRequest, GenerateTokenResponse, ReferenceNumber};

use crate::KsefEmulator;
use crate::clock::iso;
use crate::control::NewToken;
use crate::limits::Group;
use crate::respond::{Caller, bad_request, json, validation};
use crate::state::KsefToken;

const KNOWN: [&str; 7] = [
    "InvoiceRead",
    "InvoiceWrite",
    "CredentialsRead",
    "CredentialsManage",
    "SubunitManage",
    "EnforcementOperations",
    "Introspection",
];

/// Revokes a token by its reference number; logins made with it then fail (450) and
/// redeem/refresh on them give 21301.
pub(crate) fn revoke(emu: &KsefEmulator, reference: &str) -> bool {
    let mut state = emu.state.lock();
    let mut found = false;
    for t in state.tokens.values_mut().filter(|t| t.reference.as_str() == reference) {
        t.active = false;
        found = true;
    }
    found
}

fn describe(t: &KsefToken) -> serde_json::Value {
    serde_json::json!({
        "referenceNumber": t.reference,
        "authorIdentifier": {"type": "Nip", "value": t.nip},
        "contextIdentifier": {"type": "Nip", "value": t.nip},
        "description": t.description,
        "requestedPermissions": t.permissions,
        "dateCreated": iso(t.created_ms),
        "status": if t.active { "Active" } else { "Revoked" },
    })
}

async fn generate(
    State(emu): State<Arc<KsefEmulator>>,
    caller: Caller,
    body: Result<Json<GenerateTokenRequest>, axum::extract::rejection::JsonRejection>,
) -> Response {
    let ctx = or_respond!(emu.access(&caller, Group::Other, &["CredentialsManage"]));
    let now = emu.now_ms();
    let Ok(Json(request)) = body else {
        return validation(&caller, now, "Treść żądania nie jest poprawnym GenerateTokenRequest.");
    };
    let len = request.description.chars().count();
    if !(5..=256).contains(&len) || request.permissions.is_empty() {
        return validation(
            &caller,
            now,
            "description: 5–256 znaków; permissions: co najmniej jedno.",
        );
    }
    if let Some(p) = request.permissions.iter().find(|p| !KNOWN.contains(&p.as_str())) {
        return validation(&caller, now, format!("permissions: nieznane uprawnienie {p}."));
    }
    if let Some(p) = request.permissions.iter().find(|p| !ctx.permissions.contains(p)) {
        return bad_request(
            &caller,
            now,
            26001,
            "Brak uprawnień do nadania wskazanych uprawnień tokenowi.",
            vec![p.clone()],
        );
    }
    match crate::control::create_token(
        &emu,
        NewToken {
            nip: ctx.nip,
            permissions: request.permissions,
            description: Some(request.description),
        },
    ) {
        Ok((token, reference)) => json(
            StatusCode::ACCEPTED,
            &GenerateTokenResponse {
                reference_number: reference.parse::<ReferenceNumber>().expect("generated"),
                token,
            },
        ),
        Err(e) => validation(&caller, now, e),
    }
}

async fn list(State(emu): State<Arc<KsefEmulator>>, caller: Caller) -> Response {
    let ctx = or_respond!(emu.access(&caller, Group::Other, &["CredentialsRead", "CredentialsManage"]));
    let state = emu.state.lock();
    let mut tokens: Vec<_> = state.tokens.values().filter(|t| t.nip == ctx.nip).collect();
    tokens.sort_by_key(|t| t.created_ms);
    json(
        StatusCode::OK,
        &serde_json::json!({ "tokens": tokens.into_iter().map(describe).collect::<Vec<_>>() }),
    )
}

fn own_token(emu: &KsefEmulator, ctx: &crate::guard::Ctx, reference: &str, manage: bool) -> Option<KsefToken> {
    let state = emu.state.lock();
    let t = state.tokens.values().find(|t| t.reference.as_str() == reference)?;
    // Since API 2.4.0 a caller may read or revoke the token it logged in with.
    let own = ctx.token_reference.as_ref().is_some_and(|r| r.as_str() == reference);
    let may = own
        || ctx
            .permissions
            .iter()
            .any(|p| p == "CredentialsManage" || (!manage && p == "CredentialsRead"));
    (t.nip == ctx.nip && may).then(|| t.clone())
}

async fn status(State(emu): State<Arc<KsefEmulator>>, caller: Caller, Path(reference): Path<String>) -> Response {
    let ctx = or_respond!(emu.access(&caller, Group::Other, &[]));
    let now = emu.now_ms();
    match own_token(&emu, &ctx, &reference, false) {
        Some(t) => json(StatusCode::OK, &describe(&t)),
        None => validation(&caller, now, format!("Token {reference} nie istnieje.")),
    }
}

async fn delete(State(emu): State<Arc<KsefEmulator>>, caller: Caller, Path(reference): Path<String>) -> Response {
    let ctx = or_respond!(emu.access(&caller, Group::Other, &[]));
    let now = emu.now_ms();
    match own_token(&emu, &ctx, &reference, true) {
        Some(_) => {
            revoke(&emu, &reference);
            StatusCode::NO_CONTENT.into_response()
        }
        None => validation(&caller, now, format!("Token {reference} nie istnieje.")),
    }
}

async fn rate_limits(State(emu): State<Arc<KsefEmulator>>, caller: Caller) -> Response {
    or_respond!(emu.access(&caller, Group::Other, &[]));
    let limiter = emu.limiter.lock();
    let body: serde_json::Map<String, serde_json::Value> = limiter
        .limits
        .iter()
        .filter(|(g, _)| **g != Group::Public)
        .map(|(g, v)| {
            (
                serde_json::to_value(g)
                    .ok()
                    .and_then(|v| v.as_str().map(str::to_owned))
                    .unwrap_or_default(),
                serde_json::to_value(v).unwrap_or_default(),
            )
        })
        .collect();
    json(StatusCode::OK, &body)
}

async fn context_limits(State(emu): State<Arc<KsefEmulator>>, caller: Caller) -> Response {
    or_respond!(emu.access(&caller, Group::Other, &[]));
    let s = emu.settings();
    let mb = |b: usize| (b / 1_000_000) as i64;
    let limits = serde_json::json!({
        "maxInvoiceSizeInMB": mb(s.max_invoice_bytes),
        "maxInvoiceWithAttachmentSizeInMB": mb(s.max_invoice_bytes_with_attachments),
        "maxInvoices": s.max_invoices_per_session,
    });
    json(
        StatusCode::OK,
        &serde_json::json!({ "onlineSession": limits, "batchSession": limits }),
    )
}

pub(crate) fn router() -> Router<Arc<KsefEmulator>> {
    Router::new()
        .route("/tokens", get(list).post(generate))
        .route("/tokens/{reference}", get(status).delete(delete))
        .route("/rate-limits", get(rate_limits))
        .route("/limits/context", get(context_limits))
}
