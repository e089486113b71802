//! The API of waybills and carriers.

use crate::WebState;
use crate::api::body;
use crate::auth::ApiUser;
use crate::error::ApiError;
use axum::Json;
use axum::extract::{Path, State, rejection::JsonRejection};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};

/// A waybill as the API answers it (`components.schemas.Shipment`).
#[derive(Debug, Serialize)]
pub(crate) struct ShipmentOut {
    id: String,
    order_id: String,
    carrier_id: String,
    carrier_name: Option<String>,
    waybill: String,
    line_items: Vec<String>,
    created_at_ms: i64,
    allegro: PushOut,
}

/// Where the waybill's push to Allegro stands.
#[derive(Debug, Serialize)]
pub(crate) struct PushOut {
    state: domain::PushState,
    shipment_id: Option<String>,
    pushed_at_ms: Option<i64>,
    attempts: i64,
    error: Option<PushErrorOut>,
}

/// Why a push failed: a stable code and Allegro's words.
#[derive(Debug, Serialize)]
pub(crate) struct PushErrorOut {
    code: String,
    message: String,
}

impl From<&store::ShipmentRecord> for ShipmentOut {
    fn from(s: &store::ShipmentRecord) -> Self {
        Self {
            id: s.id.to_string(),
            order_id: s.order_id.to_string(),
            carrier_id: s.carrier_id.clone(),
            carrier_name: s.carrier_name.clone(),
            waybill: s.waybill.clone(),
            line_items: s.line_items.clone(),
            created_at_ms: s.created_at_ms,
            allegro: PushOut {
                state: s.push.state,
                shipment_id: s.push.allegro_shipment_id.clone(),
                pushed_at_ms: s.push.pushed_at_ms,
                attempts: s.push.attempts,
                error: s.push.error.as_deref().map(|e| PushErrorOut {
                    code: app::push_error_key(e).to_owned(),
                    message: e.split_once(": ").map_or(e, |(_, m)| m).to_owned(),
                }),
            },
        }
    }
}

/// `components.schemas.Shipments`.
#[derive(Debug, Serialize)]
pub(crate) struct Shipments {
    shipments: Vec<ShipmentOut>,
}

/// `components.schemas.Carriers`.
#[derive(Debug, Serialize)]
pub(crate) struct Carriers {
    carriers: Vec<app::Carrier>,
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
    Path(order): Path<domain::OrderId>,
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
    Ok((status, Json(ShipmentOut::from(&record))).into_response())
}

pub(crate) async fn list_shipments(
    State(state): State<WebState>,
    ApiUser(user): ApiUser,
    Path(order): Path<domain::OrderId>,
) -> Result<Json<Shipments>, ApiError> {
    let all = state.app.order_shipments(&user, &order).await?;
    Ok(Json(Shipments {
        shipments: all.iter().map(ShipmentOut::from).collect(),
    }))
}

pub(crate) async fn resend_shipment(
    State(state): State<WebState>,
    ApiUser(user): ApiUser,
    Path(raw): Path<domain::ShipmentId>,
) -> Result<StatusCode, ApiError> {
    state.app.resend_waybill(&user, &raw).await?;
    Ok(StatusCode::ACCEPTED)
}

pub(crate) async fn list_carriers(
    State(state): State<WebState>,
    ApiUser(user): ApiUser,
) -> Result<Json<Carriers>, ApiError> {
    let carriers = state.app.carriers(&user).await?;
    Ok(Json(Carriers {
        carriers: carriers.as_deref().cloned().unwrap_or_default(),
    }))
}
