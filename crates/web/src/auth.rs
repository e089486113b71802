//! Who is calling: session cookie (UI), bearer API key (`/api/v1`); and CSRF protection
//! for every UI form, in one middleware so no handler can forget it.

use app::CurrentUser;
use axum::body::{Body, to_bytes};
use axum::extract::{FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use subtle::ConstantTimeEq;

use crate::WebState;
use crate::error::ApiError;
use crate::i18n::Tr;

/// The session cookie.
pub const SESSION_COOKIE: &str = "ab_session";
/// The CSRF cookie for forms shown before login (login, setup).
pub const PRE_CSRF_COOKIE: &str = "ab_csrf";

/// A cookie's value from the request.
pub fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|c| c.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_owned())
}

/// A `Set-Cookie` value: HttpOnly, SameSite=Lax, Secure when served over HTTPS.
pub fn set_cookie(state: &WebState, name: &str, value: &str, max_age_s: i64) -> String {
    let secure = if state.secure_cookies { "; Secure" } else { "" };
    format!("{name}={value}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age_s}{secure}")
}

/// The client's network address: the TCP peer, or — when the peer is a reverse proxy on
/// this machine (loopback) — the last address it added to `X-Forwarded-For`. Used to
/// throttle failed logins per address.
pub struct ClientAddress(pub Option<std::net::IpAddr>);

impl<S: Send + Sync> FromRequestParts<S> for ClientAddress {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let peer = parts
            .extensions
            .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
            .map(|c| c.0.ip());
        let forwarded = || {
            parts
                .headers
                .get_all("x-forwarded-for")
                .iter()
                .filter_map(|v| v.to_str().ok())
                .flat_map(|v| v.split(','))
                .filter_map(|a| a.trim().parse::<std::net::IpAddr>().ok())
                .next_back()
        };
        Ok(ClientAddress(match peer {
            Some(ip) if ip.is_loopback() => forwarded().or(Some(ip)),
            other => other,
        }))
    }
}

/// The logged-in UI user, if any.
pub struct MaybeUser(pub Option<CurrentUser>);

impl FromRequestParts<WebState> for MaybeUser {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &WebState) -> Result<Self, Response> {
        let Some(value) = cookie(&parts.headers, SESSION_COOKIE) else {
            return Ok(MaybeUser(None));
        };
        match state.app.user_for_session(&value).await {
            Ok(user) => Ok(MaybeUser(user)),
            Err(e) => Err(crate::error::page_error(
                &Tr::from_request_parts(parts, state)
                    .await
                    .unwrap_or_else(|n| match n {}),
                e,
            )),
        }
    }
}

/// The logged-in UI user; others are sent to the login page (or first-run setup).
pub struct UiUser(pub CurrentUser);

impl FromRequestParts<WebState> for UiUser {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &WebState) -> Result<Self, Response> {
        match MaybeUser::from_request_parts(parts, state).await? {
            MaybeUser(Some(u)) => Ok(UiUser(u)),
            MaybeUser(None) => {
                let target = match state.app.needs_setup().await {
                    Ok(true) => "/setup",
                    _ => "/login",
                };
                Err(Redirect::to(target).into_response())
            }
        }
    }
}

/// The organisation behind `Authorization: Bearer <API key>`.
pub struct ApiUser(pub CurrentUser);

impl FromRequestParts<WebState> for ApiUser {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &WebState) -> Result<Self, ApiError> {
        let key = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .ok_or(ApiError::Unauthorized)?;
        match state.app.user_for_api_key(key).await {
            Ok(Some(user)) => Ok(ApiUser(user)),
            Ok(None) => Err(ApiError::Unauthorized),
            Err(e) => Err(ApiError::App(e)),
        }
    }
}

/// Refuses state-changing UI requests without the right CSRF token (form field `_csrf`
/// or header `X-CSRF-Token`), and cross-site ones outright. The token is the session's,
/// or before login the `ab_csrf` cookie's (double submit).
pub async fn csrf(State(state): State<WebState>, request: Request, next: Next) -> Response {
    if matches!(*request.method(), Method::GET | Method::HEAD | Method::OPTIONS) {
        return next.run(request).await;
    }
    // The refusal speaks the language the seller chose (cookie) or the browser asks for.
    let tr = Tr::for_headers(request.headers());
    let refuse = || crate::error::csrf_page(&tr);
    if request.headers().get("sec-fetch-site").and_then(|v| v.to_str().ok()) == Some("cross-site") {
        return refuse();
    }
    let expected = match cookie(request.headers(), SESSION_COOKIE) {
        Some(c) => match state.app.user_for_session(&c).await {
            Ok(Some(u)) => u.csrf_token,
            _ => cookie(request.headers(), PRE_CSRF_COOKIE),
        },
        None => cookie(request.headers(), PRE_CSRF_COOKIE),
    };
    let Some(expected) = expected else { return refuse() };
    let (parts, body) = request.into_parts();
    // File uploads (multipart) carry the token in the form's action URL: the body is a
    // file, read by the handler, not here.
    let multipart = parts
        .headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("multipart/form-data"));
    let from_query = || {
        parts.uri.query().and_then(|q| {
            url::form_urlencoded::parse(q.as_bytes())
                .find(|(k, _)| k == "_csrf")
                .map(|(_, v)| v.into_owned())
        })
    };
    if multipart {
        let given = parts
            .headers
            .get("x-csrf-token")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
            .or_else(from_query);
        return match given {
            Some(g) if bool::from(g.as_bytes().ct_eq(expected.as_bytes())) => {
                next.run(Request::from_parts(parts, body)).await
            }
            _ => refuse(),
        };
    }
    let Ok(bytes) = to_bytes(body, 1024 * 1024).await else {
        return (StatusCode::PAYLOAD_TOO_LARGE, "form too large").into_response();
    };
    let from_header = parts
        .headers
        .get("x-csrf-token")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let given = from_header.or_else(|| {
        url::form_urlencoded::parse(&bytes)
            .find(|(k, _)| k == "_csrf")
            .map(|(_, v)| v.into_owned())
    });
    match given {
        Some(g) if bool::from(g.as_bytes().ct_eq(expected.as_bytes())) => {
            next.run(Request::from_parts(parts, Body::from(bytes))).await
        }
        _ => refuse(),
    }
}

/// `pages` behind the CSRF check (a `route_layer`: only the routes already in `pages`).
pub(crate) fn csrf_protected(state: &WebState, pages: axum::Router<WebState>) -> axum::Router<WebState> {
    pages.route_layer(axum::middleware::from_fn_with_state(state.clone(), csrf))
}
