//! The API of orders.

use crate::WebState;
use crate::api::body;
use crate::auth::ApiUser;
use crate::error::ApiError;
use crate::orders::query::OrderParams;
use axum::Json;
use axum::extract::{Path, State, rejection::JsonRejection};
use serde::Deserialize;
use serde_json::{Value, json};

fn order_json(o: &store::OrderRecord, full: bool) -> Value {
    let mut v = json!({
        "id": o.id,
        "account_id": o.account_id,
        "status": o.status,
        "fulfillment_status": o.fulfillment_status,
        "marketplace": o.marketplace,
        "buyer_login": o.buyer_login,
        "bought_at": domain::time::rfc3339(o.bought_at_ms),
        "revision": o.revision,
        "total": o.total_minor.map(|m| format!("{}.{:02}", m / 100, (m % 100).abs())),
        "currency": o.currency,
    });
    if full {
        v["checkout_form"] = serde_json::from_str(&o.data).unwrap_or(Value::Null);
    }
    v
}

pub(crate) async fn list_orders(
    State(state): State<WebState>,
    ApiUser(user): ApiUser,
    query: Result<axum::extract::Query<OrderParams>, axum::extract::rejection::QueryRejection>,
) -> Result<Json<Value>, ApiError> {
    let q = query
        .map(|axum::extract::Query(q)| q)
        .map_err(|e| ApiError::BadRequest(e.body_text()))?;
    let filter = q
        .filter()
        .map_err(|(field, problem)| ApiError::App(app::invalid(field, problem)))?;
    let (offset, limit) = (q.offset.unwrap_or(0), q.limit.unwrap_or(50));
    let (orders, total) = state.app.orders(&user, &filter, offset, limit).await?;
    Ok(Json(json!({
        "orders": orders.iter().map(|o| order_json(o, false)).collect::<Vec<_>>(),
        "total": total,
        "offset": offset,
        "limit": limit,
    })))
}

pub(crate) async fn get_order(
    State(state): State<WebState>,
    ApiUser(user): ApiUser,
    Path(raw): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let order = state.app.order(&user, &raw).await?;
    Ok(Json(order_json(&order, true)))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct FulfillmentBody {
    status: String,
}

pub(crate) async fn set_fulfillment(
    State(state): State<WebState>,
    ApiUser(user): ApiUser,
    Path(raw): Path<String>,
    payload: Result<Json<FulfillmentBody>, JsonRejection>,
) -> Result<Json<Value>, ApiError> {
    let b = body(payload)?;
    let order = state.app.set_fulfillment(&user, &raw, &b.status).await?;
    Ok(Json(order_json(&order, true)))
}

pub(crate) fn date_of(ms: Option<i64>) -> Value {
    ms.map_or(Value::Null, |ms| Value::String(domain::time::polish_day_text(ms)))
}
