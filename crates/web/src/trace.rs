//! Every request in a `tracing` span (method, route, request id) closed by one line with
//! its status and latency, and counted in Prometheus metrics. The request id is echoed in
//! `X-Request-Id` (taken from the request when a proxy set a sane one), so a seller's
//! "it failed at 14:02" becomes one search in the JSON logs.

use std::time::Instant;

use axum::extract::{MatchedPath, Request};
use axum::http::HeaderValue;
use axum::middleware::Next;
use axum::response::Response;
use tracing::Instrument;

/// The header carrying the request id, both ways.
pub const REQUEST_ID: &str = "x-request-id";

/// A proxy's request id, if it is short and plain (it lands in logs and a header).
fn incoming_id(request: &Request) -> Option<String> {
    let raw = request.headers().get(REQUEST_ID)?.to_str().ok()?;
    let plain = !raw.is_empty()
        && raw.len() <= 64
        && raw
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'));
    plain.then(|| raw.to_owned())
}

/// The middleware: span, request id, one log line, metrics.
pub async fn request_span(request: Request, next: Next) -> Response {
    let started = Instant::now();
    let id = incoming_id(&request).unwrap_or_else(|| uuid::Uuid::new_v4().simple().to_string());
    let method = request.method().as_str().to_owned();
    // The route template (`/orders/{id}`), never the raw path: ids stay out of metric labels.
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or("unmatched", |m| m.as_str())
        .to_owned();
    let span = tracing::info_span!("request", request_id = %id, method = %method, route = %route);
    // The request's language, for answers worded outside a handler's reach (API problems).
    let tr = crate::i18n::Tr::for_headers(request.headers());
    let mut response = crate::i18n::in_language(tr, next.run(request).instrument(span.clone())).await;
    let status = response.status().as_u16();
    let seconds = started.elapsed().as_secs_f64();
    span.in_scope(|| {
        tracing::info!(status, latency_ms = (seconds * 1000.0).round() as u64, "request done");
    });
    metrics::counter!(
        "allegro_bridge_http_requests_total",
        "method" => method.clone(),
        "route" => route.clone(),
        "status" => status.to_string()
    )
    .increment(1);
    metrics::histogram!("allegro_bridge_http_request_duration_seconds", "method" => method, "route" => route)
        .record(seconds);
    if let Ok(value) = HeaderValue::from_str(&id) {
        response.headers_mut().insert(REQUEST_ID, value);
    }
    response
}
