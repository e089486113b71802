//! The API of waybills and carriers.

use crate::WebState;
use crate::api::body;
use crate::auth::ApiUser;
use crate::error::ApiError;
use axum::Json;
use axum::extract::{Path, State, rejection::JsonRejection};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::{Value, json};

/// A waybill as the API shows it.
fn shipment_json(s: &store::ShipmentRecord) -> Value {
    json!({
        "id": s.id,
        "order_id": s.order_id,
        "carrier_id": s.carrier_id,
        "carrier_name": s.carrier_name,
        "waybill": s.waybill,
        "line_items": s.line_items,
        "created_at_ms": s.created_at_ms,
        "allegro": {
            "state": s.push.state,
            "shipment_id": s.push.allegro_shipment_id,
            "pushed_at_ms": s.push.pushed_at_ms,
            "attempts": s.push.attempts,
            "error": s.push.error.as_deref().map(|e| json!({
                "code": app::push_error_key(e),
                "message": e.split_once(": ").map_or(e, |(_, m)| m),
            })),
        },
    })
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ShipmentBody {
    carrier_id: String,
    #[serde(default)]
    carrier_name: Option<String>,
    waybill: String,
    #[serde(default)]
    line_items: Option<Vec<String>>,
}

pub(crate) async fn add_shipment(
    State(state): State<WebState>,
    ApiUser(user): ApiUser,
    Path(order): Path<String>,
    payload: Result<Json<ShipmentBody>, JsonRejection>,
) -> Result<Response, ApiError> {
    let b = body(payload)?;
    let waybill = domain::NewWaybill::parse(
        &b.carrier_id,
        b.carrier_name.as_deref(),
        &b.waybill,
        b.line_items.unwrap_or_default(),
    )
    .map_err(|e| ApiError::App(app::invalid(e.field, e.problem)))?;
    let (record, created) = state.app.add_waybill(&user, &order, waybill).await?;
    let status = if created { StatusCode::CREATED } else { StatusCode::OK };
    Ok((status, Json(shipment_json(&record))).into_response())
}

pub(crate) async fn list_shipments(
    State(state): State<WebState>,
    ApiUser(user): ApiUser,
    Path(order): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let all = state.app.order_shipments(&user, &order).await?;
    Ok(Json(
        json!({"shipments": all.iter().map(shipment_json).collect::<Vec<_>>()}),
    ))
}

pub(crate) async fn resend_shipment(
    State(state): State<WebState>,
    ApiUser(user): ApiUser,
    Path(raw): Path<String>,
) -> Result<StatusCode, ApiError> {
    state.app.resend_waybill(&user, &raw).await?;
    Ok(StatusCode::ACCEPTED)
}

pub(crate) async fn list_carriers(
    State(state): State<WebState>,
    ApiUser(user): ApiUser,
) -> Result<Json<Value>, ApiError> {
    let carriers = state.app.carriers(&user).await?;
    Ok(Json(
        json!({"carriers": carriers.as_deref().map(|c| c.as_slice()).unwrap_or_default()}),
    ))
}
