//! The API of orders.

use crate::WebState;
use crate::api::body;
use crate::auth::ApiUser;
use crate::error::ApiError;
use crate::orders::query::OrderParams;
use axum::Json;
use axum::extract::{Path, State, rejection::JsonRejection};
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// An order as the API answers it (`components.schemas.Order`).
#[derive(Debug, Serialize)]
pub(crate) struct OrderOut {
    id: String,
    account_id: String,
    status: String,
    fulfillment_status: Option<String>,
    marketplace: Option<String>,
    buyer_login: String,
    /// RFC 3339 with Poland's offset.
    bought_at: String,
    revision: Option<String>,
    /// `1299.00`.
    total: Option<String>,
    currency: String,
    /// Allegro's checkout form as stored (one order's answer only).
    #[serde(skip_serializing_if = "Option::is_none")]
    checkout_form: Option<Value>,
}

impl OrderOut {
    fn of(o: &store::OrderRecord, full: bool) -> Result<Self, ApiError> {
        let checkout_form = if full {
            // The form exactly as stored; one that does not read back is an error, never null.
            Some(serde_json::from_str(&o.data).map_err(|e| {
                ApiError::App(app::AppError::Internal(
                    anyhow::Error::new(e).context(format!("the stored order {} did not read back", o.id)),
                ))
            })?)
        } else {
            None
        };
        Ok(Self {
            id: o.id.to_string(),
            account_id: o.account_id.to_string(),
            status: o.status.to_string(),
            fulfillment_status: o.fulfillment_status.clone(),
            marketplace: o.marketplace.clone(),
            buyer_login: o.buyer_login.clone(),
            bought_at: domain::time::rfc3339(o.bought_at_ms),
            revision: o.revision.clone(),
            total: o.total_minor.map(|m| format!("{}.{:02}", m / 100, (m % 100).abs())),
            currency: o.currency.clone(),
            checkout_form,
        })
    }
}

/// A page of orders (`components.schemas.OrderPage`).
#[derive(Debug, Serialize)]
pub(crate) struct OrderPage {
    orders: Vec<OrderOut>,
    total: i64,
    offset: i64,
    limit: i64,
}

pub(crate) async fn list_orders(
    State(state): State<WebState>,
    ApiUser(user): ApiUser,
    query: Result<axum::extract::Query<OrderParams>, axum::extract::rejection::QueryRejection>,
) -> Result<Json<OrderPage>, ApiError> {
    let q = query
        .map(|axum::extract::Query(q)| q)
        .map_err(|e| ApiError::BadRequest(e.body_text()))?;
    let filter = q
        .filter()
        .map_err(|(field, problem)| ApiError::App(app::invalid(field, problem)))?;
    let (offset, limit) = (q.offset.unwrap_or(0), q.limit.unwrap_or(50));
    let (orders, total) = state.app.orders(&user, &filter, offset, limit).await?;
    Ok(Json(OrderPage {
        orders: orders
            .iter()
            .map(|o| OrderOut::of(o, false))
            .collect::<Result<_, _>>()?,
        total,
        offset,
        limit,
    }))
}

pub(crate) async fn get_order(
    State(state): State<WebState>,
    ApiUser(user): ApiUser,
    Path(raw): Path<domain::OrderId>,
) -> Result<Json<OrderOut>, ApiError> {
    let order = state.app.order(&user, &raw).await?;
    Ok(Json(OrderOut::of(&order, true)?))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct FulfillmentBody {
    status: String,
}

pub(crate) async fn set_fulfillment(
    State(state): State<WebState>,
    ApiUser(user): ApiUser,
    Path(raw): Path<domain::OrderId>,
    payload: Result<Json<FulfillmentBody>, JsonRejection>,
) -> Result<Json<OrderOut>, ApiError> {
    let b = body(payload)?;
    let order = state.app.set_fulfillment(&user, &raw, &b.status).await?;
    Ok(Json(OrderOut::of(&order, true)?))
}
