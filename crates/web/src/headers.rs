//! Security headers on every response, in one middleware so no handler can forget them.
//!
//! The UI has no inline script or style (htmx's own indicator style is switched off in
//! `base.html`), so the policy allows only this origin's files.

use axum::extract::{Request, State};
use axum::http::{HeaderValue, header};
use axum::middleware::Next;
use axum::response::Response;

use crate::WebState;

/// The Content Security Policy of every page. `form-action` is left out on purpose: linking
/// an account posts a form whose answer redirects to Allegro's login page, and browsers
/// apply `form-action` to that redirect too.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self'; style-src 'self'; \
     img-src 'self' data:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'";

/// Adds the security headers; pages and API answers (buyers' data) are never cached,
/// the versioned assets may be.
pub async fn security_headers(State(state): State<WebState>, request: Request, next: Next) -> Response {
    let is_asset = request.uri().path().starts_with("/assets/");
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    let mut set = |name: header::HeaderName, value: &'static str| {
        headers.insert(name, HeaderValue::from_static(value));
    };
    set(header::CONTENT_SECURITY_POLICY, CONTENT_SECURITY_POLICY);
    set(header::X_FRAME_OPTIONS, "DENY");
    set(header::X_CONTENT_TYPE_OPTIONS, "nosniff");
    set(header::REFERRER_POLICY, "same-origin");
    if !is_asset {
        set(header::CACHE_CONTROL, "no-store");
    }
    if state.secure_cookies {
        // Cookies are `Secure` only when the operator serves over HTTPS; only then may the
        // browser be told to never use plain HTTP again.
        set(header::STRICT_TRANSPORT_SECURITY, "max-age=31536000");
    }
    response
}
