//! The API of the warehouse: products, stock, warehouses, movements, WZ documents and settings.

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

fn product_json(p: &store::ProductStock) -> Value {
    json!({
        "id": p.id,
        "sku": p.sku,
        "name": p.name,
        "stock": p.stock.iter().map(|(w, q)| json!({"warehouse_id": w, "quantity": q})).collect::<Vec<_>>(),
        "offers": p.offers,
    })
}

fn document_json(d: &store::WarehouseDocument) -> Value {
    json!({
        "id": d.id,
        "kind": d.kind,
        "number": d.number,
        "order_id": d.order_id,
        "warehouse_id": d.warehouse_id,
        "state": d.state,
        "issued_at_ms": d.issued_at_ms,
        "cancelled_at_ms": d.cancelled_at_ms,
        "lines": d.lines.iter().map(|l| json!({"product_id": l.product_id, "sku": l.sku, "name": l.name, "quantity": l.quantity})).collect::<Vec<_>>(),
    })
}

pub(crate) async fn list_products(
    State(state): State<WebState>,
    ApiUser(user): ApiUser,
) -> Result<Json<Value>, ApiError> {
    let products = state.app.products(&user).await?;
    Ok(Json(
        json!({"products": products.iter().map(product_json).collect::<Vec<_>>()}),
    ))
}

pub(crate) async fn sync_products(
    State(state): State<WebState>,
    ApiUser(user): ApiUser,
) -> Result<Json<Value>, ApiError> {
    Ok(Json(json!(state.app.sync_products(&user).await?)))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct StockBody {
    quantity: i64,
    #[serde(default)]
    note: Option<String>,
    #[serde(default)]
    warehouse_id: Option<String>,
}

pub(crate) async fn adjust_stock(
    State(state): State<WebState>,
    ApiUser(user): ApiUser,
    Path(raw): Path<String>,
    payload: Result<Json<StockBody>, JsonRejection>,
) -> Result<Json<Value>, ApiError> {
    let b = body(payload)?;
    let quantity = state
        .app
        .adjust_stock(&user, b.warehouse_id.as_deref(), &raw, b.quantity, b.note.as_deref())
        .await?;
    Ok(Json(json!({"product_id": raw, "quantity": quantity})))
}

pub(crate) async fn list_warehouses(
    State(state): State<WebState>,
    ApiUser(user): ApiUser,
) -> Result<Json<Value>, ApiError> {
    let all = state.app.warehouses(&user).await?;
    Ok(Json(
        json!({"warehouses": all.iter().map(|w| json!({"id": w.id, "name": w.name})).collect::<Vec<_>>()}),
    ))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct WarehouseBody {
    name: String,
}

pub(crate) async fn add_warehouse(
    State(state): State<WebState>,
    ApiUser(user): ApiUser,
    payload: Result<Json<WarehouseBody>, JsonRejection>,
) -> Result<Response, ApiError> {
    let b = body(payload)?;
    let w = state.app.add_warehouse(&user, &b.name).await?;
    Ok((StatusCode::CREATED, Json(json!({"id": w.id, "name": w.name}))).into_response())
}

pub(crate) async fn list_movements(
    State(state): State<WebState>,
    ApiUser(user): ApiUser,
) -> Result<Json<Value>, ApiError> {
    let movements = state.app.stock_movements(&user).await?;
    Ok(Json(json!({"movements": movements.iter().map(|m| json!({
        "id": m.id, "warehouse_id": m.warehouse_id, "product_id": m.product_id, "delta": m.delta,
        "reason": m.reason, "document_id": m.document_id, "note": m.note, "at_ms": m.at_ms,
    })).collect::<Vec<_>>()})))
}

pub(crate) async fn list_documents(
    State(state): State<WebState>,
    ApiUser(user): ApiUser,
) -> Result<Json<Value>, ApiError> {
    let documents = state.app.warehouse_documents(&user).await?;
    Ok(Json(
        json!({"documents": documents.iter().map(document_json).collect::<Vec<_>>()}),
    ))
}

pub(crate) async fn get_warehouse_settings(
    State(state): State<WebState>,
    ApiUser(user): ApiUser,
) -> Result<Json<Value>, ApiError> {
    let s = state.app.warehouse_settings(&user).await?;
    Ok(Json(
        json!({"wz_trigger": s.wz_trigger, "warehouse_id": s.warehouse_id}),
    ))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct WarehouseSettingsBody {
    wz_trigger: Option<String>,
    #[serde(default)]
    warehouse_id: Option<String>,
}

pub(crate) async fn put_warehouse_settings(
    State(state): State<WebState>,
    ApiUser(user): ApiUser,
    payload: Result<Json<WarehouseSettingsBody>, JsonRejection>,
) -> Result<StatusCode, ApiError> {
    let b = body(payload)?;
    state
        .app
        .save_warehouse_settings(&user, b.wz_trigger.as_deref(), b.warehouse_id.as_deref())
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

pub(crate) async fn get_wz(
    State(state): State<WebState>,
    ApiUser(user): ApiUser,
    Path(order): Path<String>,
) -> Result<Json<Value>, ApiError> {
    state.app.order(&user, &order).await?;
    let wz = state
        .app
        .order_wz(&user, &order)
        .await?
        .ok_or(app::AppError::NotFound)?;
    Ok(Json(document_json(&wz)))
}

pub(crate) async fn issue_wz(
    State(state): State<WebState>,
    ApiUser(user): ApiUser,
    Path(order): Path<String>,
) -> Result<Response, ApiError> {
    let (doc, created) = state.app.issue_wz(&user, &order).await?;
    let status = if created { StatusCode::CREATED } else { StatusCode::OK };
    Ok((status, Json(document_json(&doc))).into_response())
}

pub(crate) async fn wz_pdf(
    State(state): State<WebState>,
    ApiUser(user): ApiUser,
    Path(order): Path<String>,
) -> Result<Response, ApiError> {
    let (name, pdf) = state.app.wz_pdf(&user, &order).await?;
    Ok(crate::invoices::pdf_response(&format!("{name}.pdf"), pdf))
}
