//! The API of the warehouse: products, stock, warehouses, movements, WZ documents and settings.

use crate::WebState;
use crate::api::body;
use crate::auth::ApiUser;
use crate::error::ApiError;
use axum::Json;
use axum::extract::{Path, State, rejection::JsonRejection};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};

/// A product with its stock per warehouse (`components.schemas.Product`).
#[derive(Debug, Serialize)]
pub(crate) struct ProductOut {
    id: String,
    sku: String,
    name: String,
    stock: Vec<StockOut>,
    offers: Vec<String>,
}

/// Stock of a product in one warehouse; also the answer to a stock change.
#[derive(Debug, Serialize)]
pub(crate) struct StockOut {
    warehouse_id: String,
    quantity: i64,
}

impl From<&store::ProductStock> for ProductOut {
    fn from(p: &store::ProductStock) -> Self {
        Self {
            id: p.id.to_string(),
            sku: p.sku.clone(),
            name: p.name.clone(),
            stock: p
                .stock
                .iter()
                .map(|(w, q)| StockOut {
                    warehouse_id: w.to_string(),
                    quantity: *q,
                })
                .collect(),
            offers: p.offers.clone(),
        }
    }
}

/// `components.schemas.Products`.
#[derive(Debug, Serialize)]
pub(crate) struct Products {
    products: Vec<ProductOut>,
}

/// The new stock after a change (`components.schemas.StockChanged`).
#[derive(Debug, Serialize)]
pub(crate) struct StockChanged {
    product_id: String,
    quantity: i64,
}

/// A warehouse (`components.schemas.Warehouse`).
#[derive(Debug, Serialize)]
pub(crate) struct WarehouseOut {
    id: String,
    name: String,
}

/// `components.schemas.Warehouses`.
#[derive(Debug, Serialize)]
pub(crate) struct Warehouses {
    warehouses: Vec<WarehouseOut>,
}

/// A stock movement (`components.schemas.Movement`).
#[derive(Debug, Serialize)]
pub(crate) struct MovementOut {
    id: String,
    warehouse_id: String,
    product_id: String,
    delta: i64,
    reason: domain::MovementReason,
    document_id: Option<String>,
    note: Option<String>,
    at_ms: i64,
}

/// `components.schemas.Movements`.
#[derive(Debug, Serialize)]
pub(crate) struct Movements {
    movements: Vec<MovementOut>,
}

/// A goods-issue document (`components.schemas.WarehouseDocument`).
#[derive(Debug, Serialize)]
pub(crate) struct DocumentOut {
    id: String,
    kind: String,
    number: String,
    order_id: String,
    warehouse_id: String,
    state: domain::WzState,
    issued_at_ms: i64,
    cancelled_at_ms: Option<i64>,
    lines: Vec<DocumentLineOut>,
}

/// One line of a WZ.
#[derive(Debug, Serialize)]
pub(crate) struct DocumentLineOut {
    product_id: String,
    sku: String,
    name: String,
    quantity: i64,
}

impl From<&store::WarehouseDocument> for DocumentOut {
    fn from(d: &store::WarehouseDocument) -> Self {
        Self {
            id: d.id.to_string(),
            kind: d.kind.clone(),
            number: d.number.clone(),
            order_id: d.order_id.to_string(),
            warehouse_id: d.warehouse_id.to_string(),
            state: d.state,
            issued_at_ms: d.issued_at_ms,
            cancelled_at_ms: d.cancelled_at_ms,
            lines: d
                .lines
                .iter()
                .map(|l| DocumentLineOut {
                    product_id: l.product_id.to_string(),
                    sku: l.sku.clone(),
                    name: l.name.clone(),
                    quantity: l.quantity,
                })
                .collect(),
        }
    }
}

/// `components.schemas.WarehouseDocuments`.
#[derive(Debug, Serialize)]
pub(crate) struct Documents {
    documents: Vec<DocumentOut>,
}

/// `components.schemas.WarehouseSettings`.
#[derive(Debug, Serialize)]
pub(crate) struct SettingsOut {
    wz_trigger: Option<String>,
    warehouse_id: Option<String>,
}

pub(crate) async fn list_products(
    State(state): State<WebState>,
    ApiUser(user): ApiUser,
) -> Result<Json<Products>, ApiError> {
    let products = state.app.products(&user).await?;
    Ok(Json(Products {
        products: products.iter().map(ProductOut::from).collect(),
    }))
}

pub(crate) async fn sync_products(
    State(state): State<WebState>,
    ApiUser(user): ApiUser,
) -> Result<Json<app::ProductSync>, ApiError> {
    Ok(Json(state.app.sync_products(&user).await?))
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
    Path(raw): Path<domain::ProductId>,
    payload: Result<Json<StockBody>, JsonRejection>,
) -> Result<Json<StockChanged>, ApiError> {
    let b = body(payload)?;
    let quantity = state
        .app
        .adjust_stock(&user, b.warehouse_id.as_deref(), &raw, b.quantity, b.note.as_deref())
        .await?;
    Ok(Json(StockChanged {
        product_id: raw.to_string(),
        quantity,
    }))
}

pub(crate) async fn list_warehouses(
    State(state): State<WebState>,
    ApiUser(user): ApiUser,
) -> Result<Json<Warehouses>, ApiError> {
    let all = state.app.warehouses(&user).await?;
    Ok(Json(Warehouses {
        warehouses: all
            .into_iter()
            .map(|w| WarehouseOut {
                id: w.id.to_string(),
                name: w.name,
            })
            .collect(),
    }))
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
    Ok((
        StatusCode::CREATED,
        Json(WarehouseOut {
            id: w.id.to_string(),
            name: w.name,
        }),
    )
        .into_response())
}

pub(crate) async fn list_movements(
    State(state): State<WebState>,
    ApiUser(user): ApiUser,
) -> Result<Json<Movements>, ApiError> {
    let movements = state.app.stock_movements(&user).await?;
    Ok(Json(Movements {
        movements: movements
            .into_iter()
            .map(|m| MovementOut {
                id: m.id,
                warehouse_id: m.warehouse_id.to_string(),
                product_id: m.product_id.to_string(),
                delta: m.delta,
                reason: m.reason,
                document_id: m.document_id,
                note: m.note,
                at_ms: m.at_ms,
            })
            .collect(),
    }))
}

pub(crate) async fn list_documents(
    State(state): State<WebState>,
    ApiUser(user): ApiUser,
) -> Result<Json<Documents>, ApiError> {
    let documents = state.app.warehouse_documents(&user).await?;
    Ok(Json(Documents {
        documents: documents.iter().map(DocumentOut::from).collect(),
    }))
}

pub(crate) async fn get_warehouse_settings(
    State(state): State<WebState>,
    ApiUser(user): ApiUser,
) -> Result<Json<SettingsOut>, ApiError> {
    let s = state.app.warehouse_settings(&user).await?;
    Ok(Json(SettingsOut {
        wz_trigger: s.wz_trigger,
        warehouse_id: s.warehouse_id.map(|w| w.to_string()),
    }))
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
    Path(order): Path<domain::OrderId>,
) -> Result<Json<DocumentOut>, ApiError> {
    state.app.order(&user, &order).await?;
    let wz = state
        .app
        .order_wz(&user, &order)
        .await?
        .ok_or(app::AppError::NotFound)?;
    Ok(Json(DocumentOut::from(&wz)))
}

pub(crate) async fn issue_wz(
    State(state): State<WebState>,
    ApiUser(user): ApiUser,
    Path(order): Path<domain::OrderId>,
) -> Result<Response, ApiError> {
    let (doc, created) = state.app.issue_wz(&user, &order).await?;
    let status = if created { StatusCode::CREATED } else { StatusCode::OK };
    Ok((status, Json(DocumentOut::from(&doc))).into_response())
}

pub(crate) async fn wz_pdf(
    State(state): State<WebState>,
    ApiUser(user): ApiUser,
    Path(order): Path<domain::OrderId>,
) -> Result<Response, ApiError> {
    let (name, pdf) = state.app.wz_pdf(&user, &order).await?;
    Ok(crate::invoices::pdf_response(&format!("{name}.pdf"), pdf))
}
