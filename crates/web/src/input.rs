//! Refuses form and JSON input carrying control characters (NUL, escape…), naming the
//! field: PostgreSQL refuses NUL in text (a 500 later), XML 1.0 forbids it on an invoice,
//! and no field a person types needs one. Files have their own check (`order-files`).

use axum::body::{Body, to_bytes};
use axum::extract::Request;
use axum::http::{Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::i18n::Tr;

/// A list filter's parameter, trimmed; `None` when missing or blank (a blank field of a
/// filter form means "any").
pub(crate) fn nonempty(v: &Option<String>) -> Option<String> {
    v.as_ref().map(|s| s.trim().to_owned()).filter(|s| !s.is_empty())
}

/// Largest form or JSON body read (files go through multipart, which this skips).
const MAX_FORM_BYTES: usize = 1024 * 1024;

/// The first field of a body that carries a forbidden control character.
fn field_with_control(content_type: &str, bytes: &[u8]) -> Option<String> {
    let bad = |s: &str| s.chars().any(domain::text::is_forbidden_control);
    if content_type.starts_with("application/x-www-form-urlencoded") {
        return url::form_urlencoded::parse(bytes)
            .find(|(k, v)| bad(k) || bad(v))
            .map(|(k, _)| k.into_owned());
    }
    if content_type.starts_with("application/json") {
        fn walk(path: &str, v: &serde_json::Value, bad: &dyn Fn(&str) -> bool) -> Option<String> {
            match v {
                serde_json::Value::String(s) if bad(s) => Some(path.to_owned()),
                serde_json::Value::Array(items) => items
                    .iter()
                    .enumerate()
                    .find_map(|(i, x)| walk(&format!("{path}[{i}]"), x, bad)),
                serde_json::Value::Object(map) => map.iter().find_map(|(k, x)| {
                    let p = if path.is_empty() {
                        k.clone()
                    } else {
                        format!("{path}.{k}")
                    };
                    if bad(k) { Some(p) } else { walk(&p, x, bad) }
                }),
                _ => None,
            }
        }
        // A body that is not JSON is left to the handler's own error.
        let value: serde_json::Value = serde_json::from_slice(bytes).ok()?;
        return walk("", &value, &bad);
    }
    None
}

/// The middleware: 422 naming the field, before any handler sees the body.
pub async fn refuse_control_characters(request: Request, next: Next) -> Response {
    if matches!(*request.method(), Method::GET | Method::HEAD | Method::OPTIONS) {
        return next.run(request).await;
    }
    let content_type = request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_ascii_lowercase();
    let checked =
        content_type.starts_with("application/x-www-form-urlencoded") || content_type.starts_with("application/json");
    if !checked {
        return next.run(request).await;
    }
    let api = request.uri().path().starts_with("/api/");
    let (mut parts, body) = request.into_parts();
    let Ok(bytes) = to_bytes(body, MAX_FORM_BYTES).await else {
        return (StatusCode::PAYLOAD_TOO_LARGE, "form too large").into_response();
    };
    if let Some(field) = field_with_control(&content_type, &bytes) {
        let message = format!("pole {field} zawiera niedozwolony znak sterujący (np. NUL); usuń go i wyślij ponownie");
        return if api {
            let body = serde_json::json!({
                "type": "about:blank", "title": "Invalid input", "status": 422, "detail": message, "field": field,
            });
            (
                StatusCode::UNPROCESSABLE_ENTITY,
                [(header::CONTENT_TYPE, "application/problem+json")],
                body.to_string(),
            )
                .into_response()
        } else {
            use axum::extract::FromRequestParts as _;
            let tr = Tr::from_request_parts(&mut parts, &())
                .await
                .unwrap_or_else(|n| match n {});
            let message = tr.args("input-control-character", &[("field", &field)]);
            (
                StatusCode::UNPROCESSABLE_ENTITY,
                axum::response::Html(crate::views::simple_page(&tr, &tr.t("error-title"), &message)),
            )
                .into_response()
        };
    }
    next.run(Request::from_parts(parts, Body::from(bytes))).await
}

#[cfg(test)]
mod tests {
    #[test]
    fn finds_the_field() {
        assert_eq!(
            super::field_with_control("application/x-www-form-urlencoded", b"name=Jan&city=A%00B").as_deref(),
            Some("city")
        );
        assert_eq!(
            super::field_with_control("application/json", br#"{"a":{"b":["ok","x\u0000"]}}"#).as_deref(),
            Some("a.b[1]")
        );
        assert_eq!(
            super::field_with_control("application/json", "{\"a\":\"Łódź\\nul. Długa\"}".as_bytes()),
            None
        );
    }
}
