//! The API of imports (Allegro history and order files).

use crate::WebState;
use crate::api::{body, id};
use crate::auth::ApiUser;
use crate::error::ApiError;
use axum::Json;
use axum::extract::{Path, State, rejection::JsonRejection};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use domain::AccountId;
use serde::{Deserialize, Serialize};

/// An import as the API answers it (`components.schemas.Import`).
#[derive(Debug, Serialize)]
pub(crate) struct ImportOut {
    id: String,
    account_id: AccountId,
    /// `allegro`, `csv` or `xml`.
    kind: &'static str,
    file_name: Option<String>,
    /// Polish calendar days.
    from: Option<String>,
    to: Option<String>,
    /// `queued`, `running`, `done` or `failed`.
    state: &'static str,
    expected: Option<i64>,
    fetched: i64,
    new: u64,
    updated: u64,
    unchanged: u64,
    api_calls: i64,
    /// Why it failed, in the request's language.
    error: Option<String>,
    created_at: String,
    updated_at: String,
}

impl From<&store::Import> for ImportOut {
    fn from(i: &store::Import) -> Self {
        Self {
            id: i.id.to_string(),
            account_id: i.account_id.clone(),
            kind: i.kind.as_str(),
            file_name: i.file_name.clone(),
            from: i.from_ms.map(domain::time::polish_day_text),
            to: i.to_ms.map(domain::time::polish_day_text),
            state: i.state.as_str(),
            expected: i.expected,
            fetched: i.fetched,
            new: i.counts.new,
            updated: i.counts.updated,
            unchanged: i.counts.unchanged,
            api_calls: i.api_calls,
            error: i.error.as_deref().map(|e| crate::i18n::Tr::current().stored(e)),
            created_at: domain::time::rfc3339(i.created_at_ms),
            updated_at: domain::time::rfc3339(i.updated_at_ms),
        }
    }
}

/// `components.schemas.Imports`.
#[derive(Debug, Serialize)]
pub(crate) struct Imports {
    imports: Vec<ImportOut>,
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
    let mut r = (StatusCode::ACCEPTED, Json(ImportOut::from(&import))).into_response();
    if let Ok(v) = axum::http::HeaderValue::from_str(&format!("/api/v1/imports/{}", import.id)) {
        r.headers_mut().insert(axum::http::header::LOCATION, v);
    }
    Ok(r)
}

pub(crate) async fn list_imports(
    State(state): State<WebState>,
    ApiUser(user): ApiUser,
) -> Result<Json<Imports>, ApiError> {
    let list = state.app.imports(&user).await?;
    Ok(Json(Imports {
        imports: list.iter().map(ImportOut::from).collect(),
    }))
}

pub(crate) async fn get_import(
    State(state): State<WebState>,
    ApiUser(user): ApiUser,
    Path(raw): Path<domain::ImportId>,
) -> Result<Json<ImportOut>, ApiError> {
    Ok(Json(ImportOut::from(&state.app.import(&user, &raw).await?)))
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
    let account: AccountId = q.account.parse().map_err(|_| {
        ApiError::App(app::invalid(
            "account",
            app::Problem::new("problem-account-id").arg("value", &q.account),
        ))
    })?;
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
    Ok((StatusCode::CREATED, Json(ImportOut::from(&import))).into_response())
}
