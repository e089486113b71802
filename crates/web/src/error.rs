//! One error type per surface: HTML pages for the UI, `application/problem+json` for the
//! API. Internal errors are logged with their chain and never shown.

use app::AppError;
use axum::Json;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use serde_json::json;

use crate::i18n::Tr;

fn shell(tr: &Tr, title: &str, message: &str) -> String {
    crate::ui::simple_page(tr, title, message)
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
