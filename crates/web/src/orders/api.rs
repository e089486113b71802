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

/// Milliseconds of midnight UTC of a `YYYY-MM-DD` date; the error names the parameter.
pub(crate) fn day_ms(field: &'static str, raw: &str) -> Result<i64, ApiError> {
    let bad = || ApiError::App(app::invalid(field, format!("{raw:?} is not a date YYYY-MM-DD")));
    // A calendar date that exists (2026-02-31 does not), in the years orders can have.
    let date: jiff::civil::Date = raw.trim().parse().map_err(|_| bad())?;
    if date.year() < 1970 {
        return Err(bad());
    }
    let start = date.to_zoned(jiff::tz::TimeZone::UTC).map_err(|_| bad())?;
    Ok(start.timestamp().as_millisecond())
}

fn order_json(o: &store::OrderRecord, full: bool) -> Value {
    let mut v = json!({
        "id": o.id,
        "account_id": o.account_id,
        "status": o.status,
        "fulfillment_status": o.fulfillment_status,
        "marketplace": o.marketplace,
        "buyer_login": o.buyer_login,
        "bought_at": crate::format_time(o.bought_at_ms),
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
        .map_err(|(field, message)| ApiError::App(app::invalid(field, message)))?;
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
    ms.map_or(Value::Null, |ms| Value::String(crate::format_time(ms)[..10].to_owned()))
}
