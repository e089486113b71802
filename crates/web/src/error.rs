//! One error type per surface: HTML pages for the UI, `application/problem+json` for the
//! API. Internal errors are logged with their chain and never shown.

use app::AppError;
use axum::Json;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use serde_json::json;

use crate::i18n::Tr;

/// An error page: the message in the alert colour, with the way back to the start page
/// (never a bare "Błąd" with nowhere to go).
fn shell(tr: &Tr, title: &str, message: &str) -> String {
    crate::views::error_page(tr, title, message)
}

/// An HTML error page for an application error.
pub fn page_error(tr: &Tr, e: AppError) -> Response {
    match e {
        AppError::NotFound => (
            StatusCode::NOT_FOUND,
            Html(shell(tr, &tr.t("error-title"), &tr.t("error-not-found"))),
        )
            .into_response(),
        AppError::Validation { field, problem } => (
            StatusCode::UNPROCESSABLE_ENTITY,
            Html(shell(tr, &tr.t("error-title"), &tr.invalid(field, &problem))),
        )
            .into_response(),
        AppError::Conflict(p) => (
            StatusCode::CONFLICT,
            Html(shell(tr, &tr.t("error-title"), &tr.problem(&p))),
        )
            .into_response(),
        AppError::Unauthorized => (
            StatusCode::UNAUTHORIZED,
            Html(shell(tr, &tr.t("error-title"), &tr.t("login-failed"))),
        )
            .into_response(),
        AppError::Throttled { retry_after_s } => {
            let mut r = (
                StatusCode::TOO_MANY_REQUESTS,
                Html(shell(tr, &tr.t("error-title"), &throttled_message(tr, retry_after_s))),
            )
                .into_response();
            retry_after(&mut r, retry_after_s);
            r
        }
        AppError::Internal(e) => {
            tracing::error!(error = ?e, "request failed");
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                Html(shell(tr, &tr.t("error-title"), &tr.t("error-generic"))),
            )
                .into_response()
        }
    }
}

/// "Zbyt wiele nieudanych prób logowania. Spróbuj ponownie za 15 min."
pub fn throttled_message(tr: &Tr, retry_after_s: i64) -> String {
    let wait = if retry_after_s >= 120 {
        format!("{} min", (retry_after_s + 59) / 60)
    } else {
        format!("{retry_after_s} s")
    };
    tr.args("login-throttled", &[("wait", &wait)])
}

/// Sets `Retry-After`.
pub fn retry_after(r: &mut Response, seconds: i64) {
    if let Ok(v) = axum::http::HeaderValue::from_str(&seconds.max(1).to_string()) {
        r.headers_mut().insert(axum::http::header::RETRY_AFTER, v);
    }
}

/// The page for a refused CSRF check.
pub fn csrf_page(tr: &Tr) -> Response {
    (
        StatusCode::FORBIDDEN,
        Html(shell(tr, &tr.t("error-title"), &tr.t("error-csrf"))),
    )
        .into_response()
}

/// Errors of the JSON API.
#[derive(Debug)]
pub enum ApiError {
    /// No or a wrong API key.
    Unauthorized,
    /// The body or a parameter is not valid.
    BadRequest(String),
    /// From the use case.
    App(AppError),
    /// An import file with problems (nothing was stored).
    File(app::order_files::FileErrors),
    /// A body over the upload limit.
    TooLarge {
        /// The limit.
        limit_bytes: usize,
    },
}

impl From<app::ImportError> for ApiError {
    fn from(e: app::ImportError) -> Self {
        match e {
            app::ImportError::File(f) => ApiError::File(f),
            app::ImportError::App(a) => ApiError::App(a),
        }
    }
}

impl From<AppError> for ApiError {
    fn from(e: AppError) -> Self {
        ApiError::App(e)
    }
}

fn problem(status: StatusCode, title: &str, detail: String, field: Option<&str>) -> Response {
    problem_response(status, problem_body(status, title, detail, field))
}

fn problem_body(status: StatusCode, title: &str, detail: String, field: Option<&str>) -> serde_json::Value {
    json!({"type": "about:blank", "title": title, "status": status.as_u16(), "detail": detail, "field": field})
}

fn problem_response(status: StatusCode, body: serde_json::Value) -> Response {
    let mut response = (status, Json(body)).into_response();
    response.headers_mut().insert(
        axum::http::header::CONTENT_TYPE,
        axum::http::HeaderValue::from_static("application/problem+json"),
    );
    response
}

/// A problem's arguments as a JSON object.
fn args_json(p: &app::Problem) -> serde_json::Value {
    serde_json::Value::Object(
        p.args
            .iter()
            .map(|(k, v)| (k.clone(), serde_json::Value::String(v.clone())))
            .collect(),
    )
}

/// A problem+json answer with the refusal's key (`code`) and arguments beside its words,
/// so a client can word it in its own language.
fn coded(status: StatusCode, mut body: serde_json::Value, p: &app::Problem) -> Response {
    body["code"] = serde_json::Value::String(p.key.clone());
    body["args"] = args_json(p);
    problem_response(status, body)
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        // The request's language (cookie or Accept-Language); Polish by default.
        let tr = Tr::current();
        match self {
            ApiError::Unauthorized => {
                let mut r = problem(StatusCode::UNAUTHORIZED, "Unauthorized", tr.t("api-unauthorized"), None);
                r.headers_mut().insert(
                    axum::http::header::WWW_AUTHENTICATE,
                    axum::http::HeaderValue::from_static("Bearer"),
                );
                r
            }
            ApiError::BadRequest(detail) => problem(StatusCode::BAD_REQUEST, "Bad request", detail, None),
            ApiError::TooLarge { limit_bytes } => problem(
                StatusCode::PAYLOAD_TOO_LARGE,
                "File too large",
                tr.args(
                    "api-too-large",
                    &[("mb", &(limit_bytes / (1024 * 1024)).max(1).to_string())],
                ),
                Some("file"),
            ),
            ApiError::File(f) => {
                let total = (f.errors.len() + f.more).to_string();
                let detail = tr.args("import-file-refused", &[("file", &f.file), ("count", &total)]);
                let mut r = problem(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "Invalid file",
                    detail.clone(),
                    Some("file"),
                );
                let body = json!({
                    "type": "about:blank", "title": "Invalid file", "status": 422, "detail": detail, "field": "file",
                    "file": f.file,
                    "errors": f.errors.iter().map(|e| json!({
                        "line": e.line, "column": e.column, "field": e.field,
                        "message": tr.problem(&e.problem), "code": e.problem.key, "args": args_json(&e.problem),
                    })).collect::<Vec<_>>(),
                    "more": f.more,
                });
                *r.body_mut() = axum::body::Body::from(body.to_string());
                r
            }
            ApiError::App(AppError::NotFound) => {
                problem(StatusCode::NOT_FOUND, "Not found", tr.t("api-not-found"), None)
            }
            ApiError::App(AppError::Validation { field, problem: p }) => {
                let status = StatusCode::UNPROCESSABLE_ENTITY;
                coded(
                    status,
                    problem_body(status, "Invalid input", tr.problem(&p), Some(field)),
                    &p,
                )
            }
            ApiError::App(AppError::Conflict(p)) => {
                let status = StatusCode::CONFLICT;
                coded(status, problem_body(status, "Conflict", tr.problem(&p), None), &p)
            }
            ApiError::App(AppError::Unauthorized) => {
                problem(StatusCode::UNAUTHORIZED, "Unauthorized", tr.t("api-not-allowed"), None)
            }
            ApiError::App(AppError::Throttled { retry_after_s }) => {
                let mut r = problem(
                    StatusCode::TOO_MANY_REQUESTS,
                    "Too many requests",
                    throttled_message(&tr, retry_after_s),
                    None,
                );
                retry_after(&mut r, retry_after_s);
                r
            }
            ApiError::App(AppError::Internal(e)) => {
                tracing::error!(error = ?e, "API request failed");
                problem(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "Internal error",
                    tr.t("api-internal"),
                    None,
                )
            }
        }
    }
}
