//! Presigned links: UPO downloads and batch part uploads work without the access token,
//! are not rate-limited, carry an expiry and an HMAC, and use the host the caller used
//! (so a client that refuses loopback links can call the emulator by a host name).

use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, put};
use serde::Deserialize;

use crate::respond::xml_with_hash;
use crate::upo::PAGE;
use crate::{KsefEmulator, crypto};

impl KsefEmulator {
    /// A presigned link to `path` on `origin`; `(url, expiry RFC 3339)`.
    pub(crate) fn presign(&self, origin: &str, path: &str) -> (String, String) {
        let expires_ms = self.now_ms() + self.settings.read().presigned_ttl_seconds * 1000;
        let sig = crypto::sign(&self.secret, &format!("{path}|{expires_ms}"));
        (
            format!("{origin}{path}?se={expires_ms}&sig={sig}"),
            crate::clock::iso(expires_ms),
        )
    }

    fn presigned_ok(&self, path: &str, query: &Signed) -> bool {
        query.se > self.now_ms() && crypto::sign(&self.secret, &format!("{path}|{}", query.se)) == query.sig
    }
}

#[derive(Deserialize)]
struct Signed {
    se: i64,
    sig: String,
}

fn denied() -> Response {
    (
        StatusCode::FORBIDDEN,
        [("content-type", "application/xml")],
        "<Error><Code>AuthenticationFailed</Code><Message>Link wygasł lub jest nieprawidłowy.</Message></Error>",
    )
        .into_response()
}

async fn invoice_upo(
    State(emu): State<Arc<KsefEmulator>>,
    Path((session, ksef)): Path<(String, String)>,
    Query(q): Query<Signed>,
) -> Response {
    if !emu.presigned_ok(&format!("/storage/upo/{session}/invoice/{ksef}"), &q) {
        return denied();
    }
    let Ok(number) = ksef.parse() else { return denied() };
    let state = emu.state.lock();
    let Some(inv) = state.invoices.get(&number) else {
        return denied();
    };
    xml_with_hash(emu.upo_xml(&session, &[(&number, inv)], None))
}

async fn session_upo(
    State(emu): State<Arc<KsefEmulator>>,
    Path((session, page)): Path<(String, usize)>,
    Query(q): Query<Signed>,
) -> Response {
    if !emu.presigned_ok(&format!("/storage/upo/{session}/page/{page}"), &q) {
        return denied();
    }
    match emu.session_upo_page(&session, page) {
        Some(bytes) => xml_with_hash(bytes),
        None => denied(),
    }
}

impl KsefEmulator {
    /// Page `page` (from 1) of a session's UPO, if the session has accepted invoices.
    pub(crate) fn session_upo_page(&self, session: &str, page: usize) -> Option<Vec<u8>> {
        let reference = session.parse().ok()?;
        let state = self.state.lock();
        let s = state.sessions.get(&reference)?;
        let accepted: Vec<_> = s
            .invoices
            .iter()
            .filter_map(|i| match &i.outcome {
                crate::state::Outcome::Accepted { ksef } => state.invoices.get(ksef).map(|inv| (ksef, inv)),
                _ => None,
            })
            .collect();
        let pages = accepted.len().div_ceil(PAGE).max(1);
        if page == 0 || page > pages || accepted.is_empty() {
            return None;
        }
        let from = (page - 1) * PAGE;
        let to = (from + PAGE).min(accepted.len());
        Some(self.upo_xml(
            session,
            &accepted[from..to],
            Some((page, pages, from + 1, to, accepted.len())),
        ))
    }
}

async fn batch_part(
    State(emu): State<Arc<KsefEmulator>>,
    Path((session, ordinal)): Path<(String, usize)>,
    Query(q): Query<Signed>,
    body: Bytes,
) -> Response {
    if !emu.presigned_ok(&format!("/storage/batch/{session}/{ordinal}"), &q) {
        return denied();
    }
    let Ok(reference) = session.parse() else {
        return denied();
    };
    let mut state = emu.state.lock();
    let Some(s) = state.sessions.get_mut(&reference) else {
        return denied();
    };
    if s.closed_ms.is_some() {
        return (StatusCode::CONFLICT, "Sesja jest zamknięta.").into_response();
    }
    let Some(part) = ordinal.checked_sub(1).and_then(|i| s.parts.get_mut(i)) else {
        return denied();
    };
    part.2 = Some(body.to_vec());
    StatusCode::CREATED.into_response()
}

pub(crate) fn router() -> Router<Arc<KsefEmulator>> {
    Router::new()
        .route("/storage/upo/{session}/invoice/{ksef}", get(invoice_upo))
        .route("/storage/upo/{session}/page/{page}", get(session_upo))
        .route(
            "/storage/batch/{session}/{ordinal}",
            put(batch_part).layer(axum::extract::DefaultBodyLimit::max(110 * 1024 * 1024)),
        )
}
