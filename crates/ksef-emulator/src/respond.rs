//! What every handler answers with: KSeF's two error shapes, the 401/403/410/429 problem
//! bodies, JSON and XML, and the caller's details read from the request.

use std::net::{IpAddr, SocketAddr};

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use ksef_api_types::{
    ApiError, ExceptionDetails, ExceptionInfo, ExceptionResponse, ProblemDetails, StatusInfo, TooManyRequestsResponse,
};
use serde::Serialize;

/// Who is calling and how they want errors.
#[derive(Debug, Clone)]
pub struct Caller {
    /// The peer address.
    pub ip: IpAddr,
    /// `X-Error-Format: problem-details` was sent.
    pub problem: bool,
    /// `Authorization: Bearer …`.
    pub bearer: Option<String>,
    /// `scheme://host[:port]` the caller used, for presigned links (KSeF answers with the
    /// host of the environment that was called).
    pub origin: String,
    /// The request path, for `instance`.
    pub path: String,
}

impl<S: Send + Sync> FromRequestParts<S> for Caller {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let ip = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map_or(IpAddr::from([127, 0, 0, 1]), |c| c.0.ip());
        let header = |name: &str| parts.headers.get(name).and_then(|v| v.to_str().ok());
        let problem = header(ksef_api_types::ERROR_FORMAT_HEADER)
            .is_some_and(|v| v.eq_ignore_ascii_case(ksef_api_types::PROBLEM_DETAILS));
        let bearer = header("authorization")
            .and_then(|v| v.strip_prefix("Bearer ").or_else(|| v.strip_prefix("bearer ")))
            .map(|t| t.trim().to_owned());
        let host = header("host").unwrap_or("localhost").to_owned();
        let scheme = header("x-forwarded-proto").unwrap_or("http");
        Ok(Self {
            ip,
            problem,
            bearer,
            origin: format!("{scheme}://{host}"),
            path: parts.uri.path().to_owned(),
        })
    }
}

/// A JSON body.
pub fn json<T: Serialize>(status: StatusCode, body: &T) -> Response {
    (status, axum::Json(body)).into_response()
}

/// An XML body (UPOs, invoices) with `x-ms-meta-hash` = Base64 SHA-256 of the bytes.
pub fn xml_with_hash(bytes: Vec<u8>) -> Response {
    let hash = crate::crypto::sha256_b64(&bytes);
    let mut response = (StatusCode::OK, [(header::CONTENT_TYPE, "application/xml")], bytes).into_response();
    if let Ok(v) = HeaderValue::from_str(&hash) {
        response.headers_mut().insert("x-ms-meta-hash", v);
    }
    response
}

fn trace_id() -> String {
    format!("{:016x}", rand::random::<u64>())
}

fn problem(status: StatusCode, body: ProblemDetails) -> Response {
    let bytes = serde_json::to_vec(&body).unwrap_or_default();
    (status, [(header::CONTENT_TYPE, "application/problem+json")], bytes).into_response()
}

/// A 400 with one KSeF exception code, in the shape the caller asked for.
pub fn bad_request(caller: &Caller, now_ms: i64, code: i32, description: &str, details: Vec<String>) -> Response {
    let details = (!details.is_empty()).then_some(details);
    if caller.problem {
        return problem(
            StatusCode::BAD_REQUEST,
            ProblemDetails {
                title: "Bad Request".to_owned(),
                status: 400,
                detail: description.to_owned(),
                instance: Some(caller.path.clone()),
                errors: Some(vec![ApiError {
                    code,
                    description: description.to_owned(),
                    details,
                }]),
                trace_id: Some(trace_id()),
                timestamp: crate::clock::iso(now_ms),
                ..Default::default()
            },
        );
    }
    json(
        StatusCode::BAD_REQUEST,
        &ExceptionResponse {
            exception: Some(ExceptionInfo {
                exception_detail_list: Some(vec![ExceptionDetails {
                    exception_code: code,
                    exception_description: Some(description.to_owned()),
                    details,
                }]),
                reference_number: None,
                service_code: Some(trace_id()),
                service_ctx: Some("srvKSeF".to_owned()),
                service_name: Some("ksef-emulator".to_owned()),
                timestamp: Some(crate::clock::iso(now_ms)),
            }),
        },
    )
}

/// 21405 "Błąd walidacji danych wejściowych." with what was wrong.
pub fn validation(caller: &Caller, now_ms: i64, detail: impl Into<String>) -> Response {
    bad_request(
        caller,
        now_ms,
        21405,
        "Błąd walidacji danych wejściowych.",
        vec![detail.into()],
    )
}

/// 401: no, unknown or expired bearer token (always problem details).
pub fn unauthorized(caller: &Caller, now_ms: i64, detail: &str) -> Response {
    problem(
        StatusCode::UNAUTHORIZED,
        ProblemDetails {
            title: "Unauthorized".to_owned(),
            status: 401,
            detail: detail.to_owned(),
            instance: Some(caller.path.clone()),
            trace_id: Some(trace_id()),
            timestamp: crate::clock::iso(now_ms),
            ..Default::default()
        },
    )
}

/// 403 with its `reasonCode` (always problem details).
pub fn forbidden(
    caller: &Caller,
    now_ms: i64,
    reason_code: &str,
    detail: &str,
    security: Option<serde_json::Value>,
) -> Response {
    problem(
        StatusCode::FORBIDDEN,
        ProblemDetails {
            title: "Forbidden".to_owned(),
            status: 403,
            detail: detail.to_owned(),
            instance: Some(caller.path.clone()),
            reason_code: Some(reason_code.to_owned()),
            security,
            trace_id: Some(trace_id()),
            timestamp: crate::clock::iso(now_ms),
            ..Default::default()
        },
    )
}

/// 410 Gone (always problem details).
pub fn gone(caller: &Caller, now_ms: i64, detail: &str) -> Response {
    problem(
        StatusCode::GONE,
        ProblemDetails {
            title: "Gone".to_owned(),
            status: 410,
            detail: detail.to_owned(),
            instance: Some(caller.path.clone()),
            trace_id: Some(trace_id()),
            timestamp: crate::clock::iso(now_ms),
            ..Default::default()
        },
    )
}

/// 429 with `Retry-After` in whole seconds, in the shape the caller asked for.
pub fn too_many(caller: &Caller, now_ms: i64, retry_after_s: i64, detail: String) -> Response {
    let mut response = if caller.problem {
        problem(
            StatusCode::TOO_MANY_REQUESTS,
            ProblemDetails {
                title: "Too Many Requests".to_owned(),
                status: 429,
                detail,
                instance: Some(caller.path.clone()),
                trace_id: Some(trace_id()),
                timestamp: crate::clock::iso(now_ms),
                ..Default::default()
            },
        )
    } else {
        json(
            StatusCode::TOO_MANY_REQUESTS,
            &TooManyRequestsResponse {
                status: StatusInfo {
                    code: 429,
                    description: "Too Many Requests".to_owned(),
                    details: Some(vec![detail]),
                },
            },
        )
    };
    if let Ok(v) = HeaderValue::from_str(&retry_after_s.max(1).to_string()) {
        response.headers_mut().insert(header::RETRY_AFTER, v);
    }
    response
}

/// 503 as during a KSeF failure (the `unavailable` fault).
pub fn unavailable() -> Response {
    (
        StatusCode::SERVICE_UNAVAILABLE,
        [(header::CONTENT_TYPE, "application/json")],
        r#"{"title":"Service Unavailable","status":503,"detail":"System KSeF jest chwilowo niedostępny."}"#,
    )
        .into_response()
}

/// The control API's error body `{"error": "..."}`.
pub fn control_error(status: StatusCode, message: impl Into<String>) -> Response {
    json(status, &serde_json::json!({ "error": message.into() }))
}
