//! The API of imports (Allegro history and order files).

use crate::WebState;
use crate::api::{body, id};
use crate::auth::ApiUser;
use crate::error::ApiError;
use crate::orders::date_of;
use axum::Json;
use axum::extract::{Path, State, rejection::JsonRejection};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use domain::AccountId;
use serde::Deserialize;
use serde_json::{Value, json};

/// An import as the API shows it.
fn import_json(i: &store::Import) -> Value {
    json!({
        "id": i.id,
        "account_id": i.account_id,
        "kind": i.kind.as_str(),
        "file_name": i.file_name,
        "from": date_of(i.from_ms),
        "to": date_of(i.to_ms),
        "state": i.state.as_str(),
        "expected": i.expected,
        "fetched": i.fetched,
        "new": i.counts.new,
        "updated": i.counts.updated,
        "unchanged": i.counts.unchanged,
        "api_calls": i.api_calls,
        "error": i.error.as_deref().map(|e| crate::i18n::Tr::current().stored(e)),
        "created_at": domain::time::rfc3339(i.created_at_ms),
        "updated_at": domain::time::rfc3339(i.updated_at_ms),
    })
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ImportRange {
    from: String,
    to: String,
}

pub(crate) async fn start_import(
    State(state): State<WebState>,
    ApiUser(user): ApiUser,
    Path(raw): Path<String>,
    payload: Result<Json<ImportRange>, JsonRejection>,
) -> Result<Response, ApiError> {
    let range = body(payload)?;
    let account: AccountId = id(&raw)?;
    let import = state.app.start_import(&user, &account, &range.from, &range.to).await?;
    let mut r = (StatusCode::ACCEPTED, Json(import_json(&import))).into_response();
    if let Ok(v) = axum::http::HeaderValue::from_str(&format!("/api/v1/imports/{}", import.id)) {
        r.headers_mut().insert(axum::http::header::LOCATION, v);
    }
    Ok(r)
}

pub(crate) async fn list_imports(
    State(state): State<WebState>,
    ApiUser(user): ApiUser,
) -> Result<Json<Value>, ApiError> {
    let list = state.app.imports(&user).await?;
    Ok(Json(
        json!({ "imports": list.iter().map(import_json).collect::<Vec<_>>() }),
    ))
}

pub(crate) async fn get_import(
    State(state): State<WebState>,
    ApiUser(user): ApiUser,
    Path(raw): Path<String>,
) -> Result<Json<Value>, ApiError> {
    Ok(Json(import_json(&state.app.import(&user, &raw).await?)))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct FileQuery {
    account: String,
    name: Option<String>,
    encoding: Option<String>,
}

pub(crate) async fn import_file(
    State(state): State<WebState>,
    ApiUser(user): ApiUser,
    query: Result<axum::extract::Query<FileQuery>, axum::extract::rejection::QueryRejection>,
    headers: axum::http::HeaderMap,
    bytes: Result<axum::body::Bytes, axum::extract::rejection::BytesRejection>,
) -> Result<Response, ApiError> {
    let bytes = bytes.map_err(|e| match e.status() {
        StatusCode::PAYLOAD_TOO_LARGE => ApiError::TooLarge {
            limit_bytes: state.max_upload_bytes,
        },
        _ => ApiError::BadRequest(e.body_text()),
    })?;
    let q = query
        .map(|axum::extract::Query(q)| q)
        .map_err(|e| ApiError::BadRequest(e.body_text()))?;
    let account: AccountId = q
        .account
        .parse()
        .map_err(|_| ApiError::App(app::invalid("account", "not an account id")))?;
    let content_type = headers
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let format = crate::file_format(content_type);
    let name = q.name.unwrap_or_else(|| {
        match format {
            Some(app::order_files::Format::Xml) => "upload.xml",
            _ => "upload.csv",
        }
        .to_owned()
    });
    let encoding = crate::file_encoding(q.encoding.as_deref(), content_type)
        .map_err(|m| ApiError::App(app::invalid("encoding", m)))?;
    let import = state
        .app
        .import_file(&user, &account, &name, bytes, format, encoding)
        .await?;
    Ok((StatusCode::CREATED, Json(import_json(&import))).into_response())
}
