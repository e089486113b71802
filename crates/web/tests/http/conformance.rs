//! The API cannot drift from its OpenAPI document: every `/api/v1` answer the HTTP tests
//! provoke passes through [`check`], which validates its JSON against the schema the
//! document names for that operation and status (`Problem` for every
//! `application/problem+json`). An answer the document does not describe, or one that
//! does not match it, is replaced by a 500 naming the difference, so the test that
//! provoked it fails.

use std::sync::{LazyLock, Mutex};

use axum::body::Body;
use axum::extract::Request;
use axum::http::{StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use openapi_schemas::{Nulls, Schemas};
use serde_json::Value;

static DOCUMENT: LazyLock<Mutex<Schemas>> =
    LazyLock::new(|| Mutex::new(Schemas::from_value(web::openapi_document(), Nulls::AsDocumented)));

/// The document's path template for `path` (`/api/v1/orders/{id}` for `/api/v1/orders/7`).
fn template(spec: &Value, path: &str) -> Option<String> {
    let paths = spec["paths"].as_object()?;
    if paths.contains_key(path) {
        return Some(path.to_owned());
    }
    let wanted: Vec<&str> = path.trim_end_matches('/').split('/').collect();
    paths.keys().find_map(|t| {
        let parts: Vec<&str> = t.split('/').collect();
        let same = parts.len() == wanted.len()
            && parts
                .iter()
                .zip(&wanted)
                .all(|(p, w)| p == w || (p.starts_with('{') && p.ends_with('}')));
        same.then(|| t.clone())
    })
}

/// Where an answer differs from the document, if it does.
fn difference(method: &str, path: &str, status: StatusCode, content_type: &str, body: &[u8]) -> Option<String> {
    let json: Value = serde_json::from_slice(body).ok()?;
    let mut schemas = DOCUMENT.lock().unwrap_or_else(|e| e.into_inner());
    let schema = if content_type.starts_with("application/problem+json") {
        "Problem".to_owned()
    } else {
        let Some(t) = template(schemas.spec(), path) else {
            return Some(format!("{method} {path}: no such path in the document"));
        };
        let described = &schemas.spec()["paths"][&t][method]["responses"][status.as_str()]["content"]["application/json"]
            ["schema"]["$ref"];
        match described.as_str() {
            Some(r) => r.to_owned(),
            None => {
                return Some(format!(
                    "{method} {t} answered {status} with JSON the document does not describe"
                ));
            }
        }
    };
    schemas
        .validate(&schema, &json)
        .err()
        .map(|e| format!("{method} {path} {status}: {e}"))
}

/// The middleware.
pub async fn check(request: Request, next: Next) -> Response {
    let method = request.method().as_str().to_ascii_lowercase();
    let path = request.uri().path().to_owned();
    let response = next.run(request).await;
    if !path.starts_with("/api/v1/") || path == "/api/v1/openapi.json" {
        return response;
    }
    let content_type = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    if !content_type.contains("json") {
        return response;
    }
    let (parts, body) = response.into_parts();
    let bytes = axum::body::to_bytes(body, usize::MAX).await.unwrap_or_default();
    if let Some(difference) = difference(&method, &path, parts.status, &content_type, &bytes) {
        eprintln!("OpenAPI drift: {difference}");
        return (
            StatusCode::INTERNAL_SERVER_ERROR,
            format!("OpenAPI drift: {difference}"),
        )
            .into_response();
    }
    Response::from_parts(parts, Body::from(bytes))
}

#[test]
fn a_drifted_answer_is_caught() {
    // An order without its required currency, and one with a field the document lacks.
    let order = serde_json::json!({
        "id": "o-1", "account_id": "a", "status": "READY_FOR_PROCESSING", "fulfillment_status": null,
        "marketplace": "allegro-pl", "buyer_login": "kupiec", "bought_at": "2026-11-30T10:00:00+01:00",
        "revision": null, "total": "10.00", "currency": "PLN",
    });
    let ok = serde_json::to_vec(&order).unwrap();
    assert_eq!(
        difference("get", "/api/v1/orders/o-1", StatusCode::OK, "application/json", &ok),
        None
    );
    let mut missing = order.clone();
    missing.as_object_mut().unwrap().remove("currency");
    let missing = serde_json::to_vec(&missing).unwrap();
    assert!(
        difference(
            "get",
            "/api/v1/orders/o-1",
            StatusCode::OK,
            "application/json",
            &missing
        )
        .is_some()
    );
    let mut extra = order.clone();
    extra["surprise"] = Value::Bool(true);
    let extra = serde_json::to_vec(&extra).unwrap();
    assert!(difference("get", "/api/v1/orders/o-1", StatusCode::OK, "application/json", &extra).is_some());
    assert!(
        difference(
            "get",
            "/api/v1/orders/o-1",
            StatusCode::CREATED,
            "application/json",
            &ok
        )
        .is_some(),
        "a status the document does not describe"
    );
}
