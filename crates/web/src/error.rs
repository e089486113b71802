//! One error type per surface: HTML pages for the UI, `application/problem+json` for the
//! API. Internal errors are logged with their chain and never shown.

use app::AppError;
use axum::Json;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use serde_json::json;

use crate::i18n::Tr;

fn shell(tr: &Tr, title: &str, message: &str) -> String {
    crate::views::simple_page(tr, title, message)
}

/// An HTML error page for an application error.
pub fn page_error(tr: &Tr, e: AppError) -> Response {
    match e {
        AppError::NotFound => (
            StatusCode::NOT_FOUND,
            Html(shell(tr, &tr.t("error-title"), &tr.t("error-not-found"))),
        )
            .into_response(),
        AppError::Validation { field, message } => (
            StatusCode::UNPROCESSABLE_ENTITY,
            Html(shell(
                tr,
                &tr.t("error-title"),
                &tr.args("error-field", &[("field", field), ("message", &message)]),
            )),
        )
            .into_response(),
        AppError::Conflict(m) => {
            tracing::info!(conflict = %m, "conflict shown as a generic message");
            (
                StatusCode::CONFLICT,
                Html(shell(tr, &tr.t("error-title"), &tr.t("error-conflict"))),
            )
                .into_response()
        }
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
    let body =
        json!({"type": "about:blank", "title": title, "status": status.as_u16(), "detail": detail, "field": field});
    let mut response = (status, Json(body)).into_response();
    response.headers_mut().insert(
        axum::http::header::CONTENT_TYPE,
        axum::http::HeaderValue::from_static("application/problem+json"),
    );
    response
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        match self {
            ApiError::Unauthorized => {
                let mut r = problem(
                    StatusCode::UNAUTHORIZED,
                    "Unauthorized",
                    "send Authorization: Bearer <API key>".into(),
                    None,
                );
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
                format!(
                    "plik jest większy niż dozwolone {} MB na tym serwerze",
                    (limit_bytes / (1024 * 1024)).max(1)
                ),
                Some("file"),
            ),
            ApiError::File(f) => {
                let mut r = problem(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "Invalid file",
                    f.to_string(),
                    Some("file"),
                );
                let body = json!({
                    "type": "about:blank", "title": "Invalid file", "status": 422, "detail": f.to_string(), "field": "file",
                    "file": f.file,
                    "errors": f.errors.iter().map(|e| json!({"line": e.line, "column": e.column, "field": e.field, "message": e.message})).collect::<Vec<_>>(),
                    "more": f.more,
                });
                *r.body_mut() = axum::body::Body::from(body.to_string());
                r
            }
            ApiError::App(AppError::NotFound) => problem(
                StatusCode::NOT_FOUND,
                "Not found",
                "no such resource in your organisation".into(),
                None,
            ),
            ApiError::App(AppError::Validation { field, message }) => {
                problem(StatusCode::UNPROCESSABLE_ENTITY, "Invalid input", message, Some(field))
            }
            ApiError::App(AppError::Conflict(m)) => {
                tracing::info!(conflict = %m, "conflict shown as a generic message");
                problem(
                    StatusCode::CONFLICT,
                    "Conflict",
                    "the change conflicts with existing data".into(),
                    None,
                )
            }
            ApiError::App(AppError::Unauthorized) => {
                problem(StatusCode::UNAUTHORIZED, "Unauthorized", "not allowed".into(), None)
            }
            ApiError::App(AppError::Throttled { retry_after_s }) => {
                let mut r = problem(
                    StatusCode::TOO_MANY_REQUESTS,
                    "Too many requests",
                    format!("zbyt wiele nieudanych prób; spróbuj ponownie za {retry_after_s} s"),
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
                    "something went wrong; it was logged".into(),
                    None,
                )
            }
        }
    }
}
