//! The JSON API `/api/v1` (bearer API key), described by `/api/v1/openapi.json`.

use crate::order_query::OrderParams;
use axum::extract::{Path, Query, State, rejection::JsonRejection};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use axum::{Json, Router};
use domain::{AccountId, ConnectionId, ConnectionMode, Environment};
use secrecy::SecretString;
use serde::Deserialize;
use serde_json::{Value, json};

use crate::WebState;
use crate::auth::ApiUser;
use crate::error::ApiError;

pub fn router(max_upload_bytes: usize) -> Router<WebState> {
    Router::new()
        .route("/api/v1/openapi.json", get(openapi))
        .route("/api/v1/connections", get(list_connections).post(create_connection))
        .route("/api/v1/connections/{id}/credentials", put(set_credentials))
        .route("/api/v1/connections/{id}/link", post(link))
        .route("/api/v1/accounts", get(list_accounts))
        .route("/api/v1/accounts/{id}", axum::routing::delete(delete_account))
        .route("/api/v1/accounts/{id}/settings", get(get_settings).put(put_settings))
        .route("/api/v1/orders", get(list_orders))
        .route("/api/v1/orders/{id}", get(get_order))
        .route("/api/v1/accounts/{id}/imports", post(start_import))
        .route("/api/v1/imports", get(list_imports))
        .route("/api/v1/invoicing-profile", get(get_profile).put(put_profile))
        .route("/api/v1/orders/{id}/invoice", post(issue_invoice))
        .route("/api/v1/orders/{id}/correction", post(issue_correction))
        .route("/api/v1/invoices", get(list_invoices))
        .route("/api/v1/invoices/{id}", get(get_invoice))
        .route("/api/v1/invoices/{id}/xml", get(invoice_xml))
        .route("/api/v1/invoices/{id}/pdf", get(invoice_pdf))
        .route("/api/v1/invoices/{id}/resend", post(resend_invoice))
        .route("/api/v1/orders/{id}/shipments", get(list_shipments).post(add_shipment))
        .route("/api/v1/orders/{id}/fulfillment", put(set_fulfillment))
        .route("/api/v1/shipments/{id}/resend", post(resend_shipment))
        .route("/api/v1/carriers", get(list_carriers))
        .route("/api/v1/products", get(list_products))
        .route("/api/v1/warehouses", get(list_warehouses).post(add_warehouse))
        .route("/api/v1/products/sync", post(sync_products))
        .route("/api/v1/products/{id}/stock", post(adjust_stock))
        .route("/api/v1/stock-movements", get(list_movements))
        .route("/api/v1/warehouse-documents", get(list_documents))
        .route(
            "/api/v1/warehouse-settings",
            get(get_warehouse_settings).put(put_warehouse_settings),
        )
        .route("/api/v1/orders/{id}/wz", get(get_wz).post(issue_wz))
        .route("/api/v1/orders/{id}/wz/pdf", get(wz_pdf))
        .route("/api/v1/imports/{id}", get(get_import))
        .route(
            "/api/v1/imports/file",
            post(import_file).layer(axum::extract::DefaultBodyLimit::max(max_upload_bytes)),
        )
}

fn body<T>(payload: Result<Json<T>, JsonRejection>) -> Result<T, ApiError> {
    payload
        .map(|Json(v)| v)
        .map_err(|e| ApiError::BadRequest(e.body_text()))
}

fn id<T: std::str::FromStr>(raw: &str) -> Result<T, ApiError> {
    raw.parse().map_err(|_| ApiError::App(app::AppError::NotFound))
}

fn connection_json(state: &WebState, c: &store::Connection) -> Value {
    json!({
        "id": c.id,
        "mode": c.mode,
        "environment": c.environment,
        "auth_url": c.auth_url,
        "api_url": c.api_url,
        "redirect_uri": state.app.redirect_uri(c),
        "client_id": c.client_id,
        "has_credentials": c.mode == ConnectionMode::ServiceApp || c.client_secret.is_some(),
    })
}

async fn list_connections(State(state): State<WebState>, ApiUser(user): ApiUser) -> Result<Json<Value>, ApiError> {
    let list = state.app.connections(&user.organisation_id).await?;
    Ok(Json(
        json!({ "connections": list.iter().map(|c| connection_json(&state, c)).collect::<Vec<_>>() }),
    ))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NewConnection {
    mode: ConnectionMode,
    #[serde(default = "production")]
    environment: Environment,
    auth_url: Option<String>,
    api_url: Option<String>,
}

fn production() -> Environment {
    Environment::Production
}

async fn create_connection(
    State(state): State<WebState>,
    ApiUser(user): ApiUser,
    payload: Result<Json<NewConnection>, JsonRejection>,
) -> Result<Response, ApiError> {
    let req = body(payload)?;
    let urls = req.auth_url.zip(req.api_url);
    let c = state
        .app
        .create_connection(&user.organisation_id, req.mode, req.environment, urls)
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(json!({"id": c.id, "redirect_uri": state.app.redirect_uri(&c)})),
    )
        .into_response())
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Credentials {
    client_id: String,
    client_secret: String,
}

async fn set_credentials(
    State(state): State<WebState>,
    ApiUser(user): ApiUser,
    Path(raw): Path<String>,
    payload: Result<Json<Credentials>, JsonRejection>,
) -> Result<StatusCode, ApiError> {
    let req = body(payload)?;
    let cid: ConnectionId = id(&raw)?;
    state
        .app
        .set_credentials(
            &user.organisation_id,
            &cid,
            &req.client_id,
            &SecretString::from(req.client_secret),
        )
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn link(
    State(state): State<WebState>,
    ApiUser(user): ApiUser,
    Path(raw): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let cid: ConnectionId = id(&raw)?;
    let url = state.app.start_link(&user, &cid, None).await?;
    Ok(Json(json!({ "authorization_url": url.as_str() })))
}

async fn list_accounts(State(state): State<WebState>, ApiUser(user): ApiUser) -> Result<Json<Value>, ApiError> {
    let accounts = state.app.accounts(&user).await?;
    let list: Vec<Value> = accounts
        .iter()
        .map(|a| {
            json!({
                "id": a.id,
                "login": a.login,
                "allegro_user_id": a.allegro_user_id,
                "status": a.status,
                "status_reason": a.status_reason,
                "connection_id": a.connection_id,
                "scopes": a.scopes.split_whitespace().collect::<Vec<_>>(),
                "at_risk": state.app.at_risk(a),
                "last_refresh_at": a.last_refresh_at_ms.map(crate::format_time),
                "last_sync_at": a.last_sync_at_ms.map(crate::format_time),
                "linked_at": crate::format_time(a.created_at_ms),
            })
        })
        .collect();
    Ok(Json(json!({ "accounts": list })))
}

async fn delete_account(
    State(state): State<WebState>,
    ApiUser(user): ApiUser,
    Path(raw): Path<String>,
) -> Result<StatusCode, ApiError> {
    let aid: AccountId = id(&raw)?;
    state.app.disconnect(&user, &aid).await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn get_settings(
    State(state): State<WebState>,
    ApiUser(user): ApiUser,
    Path(raw): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let aid: AccountId = id(&raw)?;
    let s = state.app.settings(&user, &aid).await?;
    Ok(Json(
        serde_json::to_value(s).map_err(|e| ApiError::App(app::AppError::Internal(e.into())))?,
    ))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SettingsBody {
    enabled: bool,
    vat_goods: String,
    vat_delivery: String,
    invoice_trigger: String,
    invoice_series: String,
    #[serde(default)]
    invoice_every_order: bool,
    #[serde(default)]
    delivery_follows_goods: bool,
    #[serde(default)]
    sent_on_waybill: bool,
}

async fn put_settings(
    State(state): State<WebState>,
    ApiUser(user): ApiUser,
    Path(raw): Path<String>,
    payload: Result<Json<SettingsBody>, JsonRejection>,
) -> Result<StatusCode, ApiError> {
    let b = body(payload)?;
    let aid: AccountId = id(&raw)?;
    let s = crate::ui::parse_settings(
        b.enabled,
        &b.vat_goods,
        &b.vat_delivery,
        &b.invoice_trigger,
        &b.invoice_series,
        crate::ui::SettingsChoices {
            every_order: b.invoice_every_order,
            delivery_follows_goods: b.delivery_follows_goods,
            sent_on_waybill: b.sent_on_waybill,
        },
    )?;
    state.app.save_settings(&user, &aid, &s).await?;
    Ok(StatusCode::NO_CONTENT)
}

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

async fn list_orders(
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

async fn get_order(
    State(state): State<WebState>,
    ApiUser(user): ApiUser,
    Path(raw): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let order = state.app.order(&user, &raw).await?;
    Ok(Json(order_json(&order, true)))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FulfillmentBody {
    status: String,
}

async fn set_fulfillment(
    State(state): State<WebState>,
    ApiUser(user): ApiUser,
    Path(raw): Path<String>,
    payload: Result<Json<FulfillmentBody>, JsonRejection>,
) -> Result<Json<Value>, ApiError> {
    let b = body(payload)?;
    let order = state.app.set_fulfillment(&user, &raw, &b.status).await?;
    Ok(Json(order_json(&order, true)))
}

fn date_of(ms: Option<i64>) -> Value {
    ms.map_or(Value::Null, |ms| Value::String(crate::format_time(ms)[..10].to_owned()))
}

/// An import as the API shows it.
pub(crate) fn import_json(i: &store::Import) -> Value {
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
        "error": i.error,
        "created_at": crate::format_time(i.created_at_ms),
        "updated_at": crate::format_time(i.updated_at_ms),
    })
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ImportRange {
    from: String,
    to: String,
}

async fn start_import(
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

async fn list_imports(State(state): State<WebState>, ApiUser(user): ApiUser) -> Result<Json<Value>, ApiError> {
    let list = state.app.imports(&user).await?;
    Ok(Json(
        json!({ "imports": list.iter().map(import_json).collect::<Vec<_>>() }),
    ))
}

async fn get_import(
    State(state): State<WebState>,
    ApiUser(user): ApiUser,
    Path(raw): Path<String>,
) -> Result<Json<Value>, ApiError> {
    Ok(Json(import_json(&state.app.import(&user, &raw).await?)))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FileQuery {
    account: String,
    name: Option<String>,
    encoding: Option<String>,
}

async fn import_file(
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

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ProfileBody {
    name: String,
    nip: String,
    address_line1: String,
    address_line2: String,
    #[serde(default = "default_country")]
    country: String,
    bank_account: Option<String>,
    #[serde(default)]
    place_of_issue: String,
    #[serde(default = "default_payment_days")]
    payment_days: u32,
    exemption_basis: Option<String>,
}

fn default_country() -> String {
    "PL".into()
}

fn default_payment_days() -> u32 {
    14
}

fn profile_json(p: &domain::InvoicingProfile) -> Value {
    json!({
        "name": p.seller.name,
        "nip": p.seller.nip.as_ref().map(|n| n.as_str().to_owned()),
        "address_line1": p.seller.address_line1,
        "address_line2": p.seller.address_line2,
        "country": p.seller.country,
        "bank_account": p.bank_account,
        "place_of_issue": p.place_of_issue,
        "payment_days": p.payment_days,
        "exemption_basis": p.exemption_basis,
    })
}

async fn get_profile(State(state): State<WebState>, ApiUser(user): ApiUser) -> Result<Json<Value>, ApiError> {
    let profile = state
        .app
        .invoicing_profile(&user)
        .await?
        .ok_or(ApiError::App(app::AppError::NotFound))?;
    Ok(Json(profile_json(&profile)))
}

async fn put_profile(
    State(state): State<WebState>,
    ApiUser(user): ApiUser,
    payload: Result<Json<ProfileBody>, JsonRejection>,
) -> Result<StatusCode, ApiError> {
    let b = body(payload)?;
    let nip: domain::Nip = b
        .nip
        .parse()
        .map_err(|e: domain::NipError| ApiError::App(app::invalid("nip", e.to_string())))?;
    let profile = domain::InvoicingProfile {
        seller: domain::Party {
            name: b.name,
            nip: Some(nip),
            address_line1: b.address_line1,
            address_line2: b.address_line2,
            country: b.country.to_uppercase(),
        },
        bank_account: b.bank_account.filter(|a| !a.trim().is_empty()),
        place_of_issue: b.place_of_issue,
        payment_days: b.payment_days,
        exemption_basis: b.exemption_basis.filter(|e| !e.trim().is_empty()),
    };
    state.app.save_invoicing_profile(&user, &profile).await?;
    Ok(StatusCode::NO_CONTENT)
}

fn invoice_json(r: &store::InvoiceRecord) -> Value {
    json!({
        "id": r.id,
        "number": r.number,
        "kind": r.kind,
        "order_id": r.order_id,
        "account_id": r.account_id,
        "issue_date": r.issue_date,
        "buyer": r.buyer_name,
        "total": minor_text(r.total_minor),
        "currency": r.currency,
        "xml": format!("/api/v1/invoices/{}/xml", r.id),
        "pdf": format!("/api/v1/invoices/{}/pdf", r.id),
        "allegro": {
            "state": r.upload.state.as_str(),
            "invoice_id": r.upload.allegro_invoice_id,
            "uploaded_at": r.upload.uploaded_at_ms.and_then(|ms| jiff::Timestamp::from_millisecond(ms).ok()).map(|t| t.to_string()),
            "attempts": r.upload.attempts,
            "error": r.upload.error,
        },
    })
}

async fn resend_invoice(
    State(state): State<WebState>,
    ApiUser(user): ApiUser,
    Path(raw): Path<String>,
) -> Result<Response, ApiError> {
    state.app.resend_invoice(&user, &raw).await?;
    let (record, _) = state.app.invoice(&user, &raw).await?;
    Ok((StatusCode::ACCEPTED, Json(invoice_json(&record))).into_response())
}

async fn issue_correction(
    State(state): State<WebState>,
    ApiUser(user): ApiUser,
    Path(order): Path<String>,
) -> Result<Response, ApiError> {
    Ok(match state.app.issue_correction(&user, &order).await? {
        app::IssueOutcome::Issued(r) => (StatusCode::CREATED, Json(invoice_json(&r))).into_response(),
        app::IssueOutcome::AlreadyIssued(r) => (StatusCode::OK, Json(invoice_json(&r))).into_response(),
    })
}

async fn issue_invoice(
    State(state): State<WebState>,
    ApiUser(user): ApiUser,
    Path(order): Path<String>,
) -> Result<Response, ApiError> {
    Ok(match state.app.issue_invoice(&user, &order).await? {
        app::IssueOutcome::Issued(r) => (StatusCode::CREATED, Json(invoice_json(&r))).into_response(),
        app::IssueOutcome::AlreadyIssued(r) => (StatusCode::OK, Json(invoice_json(&r))).into_response(),
    })
}

/// A waybill as the API shows it.
pub(crate) fn shipment_json(s: &store::ShipmentRecord) -> Value {
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
struct ShipmentBody {
    carrier_id: String,
    #[serde(default)]
    carrier_name: Option<String>,
    waybill: String,
    #[serde(default)]
    line_items: Option<Vec<String>>,
}

async fn add_shipment(
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
    .map_err(|e| ApiError::App(app::invalid(e.field, e.message)))?;
    let (record, created) = state.app.add_waybill(&user, &order, waybill).await?;
    let status = if created { StatusCode::CREATED } else { StatusCode::OK };
    Ok((status, Json(shipment_json(&record))).into_response())
}

async fn list_shipments(
    State(state): State<WebState>,
    ApiUser(user): ApiUser,
    Path(order): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let all = state.app.order_shipments(&user, &order).await?;
    Ok(Json(
        json!({"shipments": all.iter().map(shipment_json).collect::<Vec<_>>()}),
    ))
}

async fn resend_shipment(
    State(state): State<WebState>,
    ApiUser(user): ApiUser,
    Path(raw): Path<String>,
) -> Result<StatusCode, ApiError> {
    state.app.resend_waybill(&user, &raw).await?;
    Ok(StatusCode::ACCEPTED)
}

async fn list_carriers(State(state): State<WebState>, ApiUser(user): ApiUser) -> Result<Json<Value>, ApiError> {
    let carriers = state.app.carriers(&user).await?;
    Ok(Json(
        json!({"carriers": carriers.as_deref().map(|c| c.as_slice()).unwrap_or_default()}),
    ))
}

fn product_json(p: &store::ProductStock) -> Value {
    json!({
        "id": p.id,
        "sku": p.sku,
        "name": p.name,
        "stock": p.stock.iter().map(|(w, q)| json!({"warehouse_id": w, "quantity": q})).collect::<Vec<_>>(),
        "offers": p.offers,
    })
}

pub(crate) fn document_json(d: &store::WarehouseDocument) -> Value {
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

async fn list_products(State(state): State<WebState>, ApiUser(user): ApiUser) -> Result<Json<Value>, ApiError> {
    let products = state.app.products(&user).await?;
    Ok(Json(
        json!({"products": products.iter().map(product_json).collect::<Vec<_>>()}),
    ))
}

async fn sync_products(State(state): State<WebState>, ApiUser(user): ApiUser) -> Result<Json<Value>, ApiError> {
    Ok(Json(json!(state.app.sync_products(&user).await?)))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct StockBody {
    quantity: i64,
    #[serde(default)]
    note: Option<String>,
    #[serde(default)]
    warehouse_id: Option<String>,
}

async fn adjust_stock(
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

async fn list_warehouses(State(state): State<WebState>, ApiUser(user): ApiUser) -> Result<Json<Value>, ApiError> {
    let all = state.app.warehouses(&user).await?;
    Ok(Json(
        json!({"warehouses": all.iter().map(|w| json!({"id": w.id, "name": w.name})).collect::<Vec<_>>()}),
    ))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct WarehouseBody {
    name: String,
}

async fn add_warehouse(
    State(state): State<WebState>,
    ApiUser(user): ApiUser,
    payload: Result<Json<WarehouseBody>, JsonRejection>,
) -> Result<Response, ApiError> {
    let b = body(payload)?;
    let w = state.app.add_warehouse(&user, &b.name).await?;
    Ok((StatusCode::CREATED, Json(json!({"id": w.id, "name": w.name}))).into_response())
}

async fn list_movements(State(state): State<WebState>, ApiUser(user): ApiUser) -> Result<Json<Value>, ApiError> {
    let movements = state.app.stock_movements(&user).await?;
    Ok(Json(json!({"movements": movements.iter().map(|m| json!({
        "id": m.id, "warehouse_id": m.warehouse_id, "product_id": m.product_id, "delta": m.delta,
        "reason": m.reason, "document_id": m.document_id, "note": m.note, "at_ms": m.at_ms,
    })).collect::<Vec<_>>()})))
}

async fn list_documents(State(state): State<WebState>, ApiUser(user): ApiUser) -> Result<Json<Value>, ApiError> {
    let documents = state.app.warehouse_documents(&user).await?;
    Ok(Json(
        json!({"documents": documents.iter().map(document_json).collect::<Vec<_>>()}),
    ))
}

async fn get_warehouse_settings(
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
struct WarehouseSettingsBody {
    wz_trigger: Option<String>,
    #[serde(default)]
    warehouse_id: Option<String>,
}

async fn put_warehouse_settings(
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

async fn get_wz(
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

async fn issue_wz(
    State(state): State<WebState>,
    ApiUser(user): ApiUser,
    Path(order): Path<String>,
) -> Result<Response, ApiError> {
    let (doc, created) = state.app.issue_wz(&user, &order).await?;
    let status = if created { StatusCode::CREATED } else { StatusCode::OK };
    Ok((status, Json(document_json(&doc))).into_response())
}

fn default_page() -> i64 {
    50
}

async fn list_invoices(
    State(state): State<WebState>,
    ApiUser(user): ApiUser,
    query: Result<axum::extract::Query<crate::invoice_query::InvoiceParams>, axum::extract::rejection::QueryRejection>,
) -> Result<Json<Value>, ApiError> {
    let q = query
        .map(|axum::extract::Query(q)| q)
        .map_err(|e| ApiError::BadRequest(e.body_text()))?;
    let filter = q
        .filter()
        .map_err(|(field, message)| ApiError::App(app::invalid(field, message)))?;
    let (offset, limit) = (q.offset.unwrap_or(0), q.limit.unwrap_or_else(default_page));
    let (list, total) = state.app.invoices(&user, &filter, offset, limit).await?;
    Ok(Json(json!({
        "invoices": list.iter().map(invoice_json).collect::<Vec<_>>(),
        "total": total,
        "offset": offset,
        "limit": limit,
    })))
}

async fn get_invoice(
    State(state): State<WebState>,
    ApiUser(user): ApiUser,
    Path(raw): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let (record, invoice) = state.app.invoice(&user, &raw).await?;
    let mut v = invoice_json(&record);
    v["per_rate"] = json!(
        invoice
            .summary
            .per_rate
            .iter()
            .map(|t| json!({
                "rate": t.rate.as_str(),
                "net": crate::api::minor_text(t.net),
                "vat": crate::api::minor_text(t.vat),
                "gross": crate::api::minor_text(t.gross),
            }))
            .collect::<Vec<_>>()
    );
    v["lines"] = json!(
        invoice
            .summary
            .lines
            .iter()
            .map(|l| json!({
                "name": l.name,
                "quantity": l.quantity,
                "unit_gross": crate::api::minor_text(l.unit_gross),
                "gross": crate::api::minor_text(l.gross),
                "rate": l.rate.as_str(),
            }))
            .collect::<Vec<_>>()
    );
    v["in_words"] = json!(domain::amount_in_words_pl(record.total_minor, &record.currency));
    Ok(Json(v))
}

pub(crate) fn minor_text(m: i64) -> String {
    let sign = if m < 0 { "-" } else { "" };
    format!("{sign}{}.{:02}", m.unsigned_abs() / 100, m.unsigned_abs() % 100)
}

async fn invoice_xml(
    State(state): State<WebState>,
    ApiUser(user): ApiUser,
    Path(raw): Path<String>,
) -> Result<Response, ApiError> {
    let (record, xml) = state.app.invoice_xml(&user, &raw).await?;
    let file = record.file_name("xml");
    Ok((
        [
            (
                axum::http::header::CONTENT_TYPE,
                "application/xml; charset=utf-8".to_owned(),
            ),
            (
                axum::http::header::CONTENT_DISPOSITION,
                crate::content_disposition("attachment", &file),
            ),
        ],
        xml,
    )
        .into_response())
}

async fn invoice_pdf(
    State(state): State<WebState>,
    ApiUser(user): ApiUser,
    Path(raw): Path<String>,
    Query(q): Query<crate::invoices_ui::PdfQuery>,
) -> Result<Response, ApiError> {
    let (record, pdf) = state.app.invoice_pdf(&user, &raw, q.language()?).await?;
    Ok(crate::invoices_ui::pdf_response(&record.file_name("pdf"), pdf))
}

async fn wz_pdf(
    State(state): State<WebState>,
    ApiUser(user): ApiUser,
    Path(order): Path<String>,
) -> Result<Response, ApiError> {
    let (name, pdf) = state.app.wz_pdf(&user, &order).await?;
    Ok(crate::invoices_ui::pdf_response(&format!("{name}.pdf"), pdf))
}

async fn openapi() -> Json<Value> {
    Json(document())
}

fn op(summary: &str, ok: &str, body: Option<Value>) -> Value {
    let mut o = json!({
        "summary": summary,
        "security": [{"apiKey": []}],
        "responses": {
            ok: {"description": "success"},
            "401": {"description": "no or wrong API key", "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}},
            "404": {"description": "not found in your organisation", "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}},
            "422": {"description": "invalid input; `field` names it", "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}},
        }
    });
    if let Some(schema) = body {
        o["requestBody"] = json!({"required": true, "content": {"application/json": {"schema": schema}}});
    }
    o
}

/// The OpenAPI 3.1 document of `/api/v1`.
pub fn document() -> Value {
    let id_param =
        json!([{"name": "id", "in": "path", "required": true, "schema": {"type": "string", "format": "uuid"}}]);
    let settings = json!({
        "type": "object",
        "required": ["enabled", "vat_goods", "vat_delivery", "invoice_trigger", "invoice_series"],
        "properties": {
            "enabled": {"type": "boolean", "description": "„Włącz”: the integration acts on this account"},
            "vat_goods": {"type": "string", "enum": ["23", "8", "5", "0", "zw", "np"]},
            "vat_delivery": {"type": "string", "enum": ["23", "8", "5", "0", "zw", "np"]},
            "invoice_trigger": {"type": "string", "enum": ["READY_FOR_PROCESSING", "PROCESSING", "READY_FOR_SHIPMENT", "SENT", "PICKED_UP"]},
            "invoice_series": {"type": "string", "example": "FV/{n}/{MM}/{YYYY}"},
            "invoice_every_order": {"type": "boolean", "default": false, "description": "invoice every order, not only those whose buyer asked"},
            "delivery_follows_goods": {"type": "boolean", "default": false, "description": "tax delivery at the goods' rate (split for mixed rates) instead of vat_delivery"},
            "sent_on_waybill": {"type": "boolean", "default": false, "description": "set the order's fulfilment to SENT on Allegro once a waybill is on it"}
        }
    });
    json!({
        "openapi": "3.1.0",
        "info": {"title": "allegro-bridge API", "version": "1", "description": "Linked Allegro accounts and their connections. Authenticate with `Authorization: Bearer <API key>` (`allegro-bridge api-keys create`). Every call sees only its organisation."},
        "servers": [{"url": "/"}],
        "components": {
            "securitySchemes": {"apiKey": {"type": "http", "scheme": "bearer"}},
            "schemas": {
                "Problem": {"type": "object", "properties": {"type": {"type": "string"}, "title": {"type": "string"}, "status": {"type": "integer"}, "detail": {"type": "string"}, "field": {"type": ["string", "null"]}}},
                "Settings": settings,
            }
        },
        "paths": {
            "/api/v1/connections": {
                "get": op("List connections", "200", None),
                "post": op("Create a connection; answers its id and the redirect URI to register in Allegro's portal", "201", Some(json!({
                    "type": "object", "required": ["mode"],
                    "properties": {"mode": {"type": "string", "enum": ["own_app", "service_app"]}, "environment": {"type": "string", "enum": ["production", "sandbox", "custom"]}, "auth_url": {"type": "string"}, "api_url": {"type": "string"}}
                }))),
            },
            "/api/v1/connections/{id}/credentials": {
                "parameters": id_param,
                "put": op("Set an own app's Client ID and Client Secret (stored encrypted)", "204", Some(json!({"type": "object", "required": ["client_id", "client_secret"], "properties": {"client_id": {"type": "string"}, "client_secret": {"type": "string", "writeOnly": true}}}))),
            },
            "/api/v1/connections/{id}/link": {
                "parameters": id_param,
                "post": op("Start linking: answers the authorization_url to open in a browser", "200", None),
            },
            "/api/v1/accounts": {"get": op("List linked accounts (status active | needs_relogin | disconnected)", "200", None)},
            "/api/v1/accounts/{id}": {"parameters": id_param, "delete": op("Disconnect an account (tokens dropped, history kept)", "204", None)},
            "/api/v1/orders": {
                "get": {
                    "summary": "Orders (synced, imported from Allegro or from files) with the UI's filters and sorts, and the number matching",
                    "security": [{"apiKey": []}],
                    "parameters": [
                        {"name": "account", "in": "query", "schema": {"type": "string", "format": "uuid"}},
                        {"name": "status", "in": "query", "schema": {"type": "string", "enum": ["BOUGHT", "FILLED_IN", "READY_FOR_PROCESSING", "CANCELLED"]}},
                        {"name": "fulfillment_status", "in": "query", "schema": {"type": "string"}},
                        {"name": "marketplace", "in": "query", "schema": {"type": "string", "example": "allegro-pl"}},
                        {"name": "buyer", "in": "query", "schema": {"type": "string"}},
                        {"name": "from", "in": "query", "description": "bought on or after (YYYY-MM-DD, UTC)", "schema": {"type": "string", "format": "date"}},
                        {"name": "to", "in": "query", "description": "bought on or before (YYYY-MM-DD, UTC)", "schema": {"type": "string", "format": "date"}},
                        {"name": "invoice", "in": "query", "description": "yes: the buyer asked for an invoice; no: did not", "schema": {"type": "string", "enum": ["yes", "no"]}},
                        {"name": "sort", "in": "query", "schema": {"type": "string", "enum": ["bought_desc", "bought_asc", "total_desc", "total_asc", "buyer_asc"], "default": "bought_desc"}},
                        {"name": "offset", "in": "query", "schema": {"type": "integer", "minimum": 0, "default": 0}},
                        {"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 200, "default": 50}}
                    ],
                    "responses": {"200": {"description": "orders, total, offset, limit"}, "401": {"description": "no or wrong API key"}, "422": {"description": "invalid filter; `field` names it"}}
                }
            },
            "/api/v1/orders/{id}": {"parameters": [{"name": "id", "in": "path", "required": true, "schema": {"type": "string"}}], "get": op("One order with Allegro's checkout form", "200", None)},
            "/api/v1/accounts/{id}/imports": {
                "parameters": id_param,
                "post": op("Import the account's orders bought from–to (YYYY-MM-DD, both inclusive, at most 12 months back) from Allegro; a worker runs it. Answers the import (202, Location: /api/v1/imports/{id}); asking again for the same range while it runs answers the same import", "202", Some(json!({"type": "object", "required": ["from", "to"], "properties": {"from": {"type": "string", "format": "date"}, "to": {"type": "string", "format": "date"}}}))),
            },
            "/api/v1/imports": {"get": op("The latest imports, newest first", "200", None)},
            "/api/v1/invoicing-profile": {
                "get": op("The seller's invoicing profile (404 until saved)", "200", None),
                "put": op("Save the invoicing profile; the NIP's check digit is verified", "204", Some(json!({"type": "object", "required": ["name", "nip", "address_line1", "address_line2"], "properties": {"name": {"type": "string"}, "nip": {"type": "string", "example": "526-025-09-95"}, "address_line1": {"type": "string"}, "address_line2": {"type": "string", "example": "00-001 Warszawa"}, "country": {"type": "string", "default": "PL"}, "bank_account": {"type": ["string", "null"], "description": "NRB, 26 digits"}, "place_of_issue": {"type": "string"}, "payment_days": {"type": "integer", "default": 14}, "exemption_basis": {"type": ["string", "null"], "description": "legal basis printed for exempt (zw) lines"}}}))),
            },
            "/api/v1/orders/{id}/invoice": {
                "parameters": [{"name": "id", "in": "path", "required": true, "schema": {"type": "string"}}],
                "post": op("Issue the order's VAT invoice with the next number of the account's series (201), or answer the one it already has (200); exactly one per order", "201", None),
            },
            "/api/v1/orders/{id}/correction": {
                "parameters": [{"name": "id", "in": "path", "required": true, "schema": {"type": "string"}}],
                "post": op("Issue the correction (KOR) of a cancelled or returned order's invoice (201), or answer the one it has (200); 422 when the order is neither or has no invoice", "201", None),
            },
            "/api/v1/invoices": {
                "get": {
                    "summary": "Issued invoices, newest first, filtered; 422 names a wrong parameter",
                    "security": [{"apiKey": []}],
                    "parameters": [
                        {"name": "number", "in": "query", "description": "part of the number", "schema": {"type": "string"}},
                        {"name": "buyer", "in": "query", "description": "part of the buyer's name", "schema": {"type": "string"}},
                        {"name": "kind", "in": "query", "schema": {"type": "string", "enum": ["vat", "correction"]}},
                        {"name": "from", "in": "query", "description": "issued on or after", "schema": {"type": "string", "format": "date"}},
                        {"name": "to", "in": "query", "description": "issued on or before", "schema": {"type": "string", "format": "date"}},
                        {"name": "allegro", "in": "query", "description": "where sending the PDF to the Allegro order stands", "schema": {"type": "string", "enum": ["pending", "uploaded", "refused", "not_applicable"]}},
                        {"name": "offset", "in": "query", "schema": {"type": "integer", "minimum": 0, "default": 0}},
                        {"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 200, "default": 50}}
                    ],
                    "responses": {"200": {"description": "invoices, total, offset, limit"}, "401": {"description": "no or wrong API key"}}
                }
            },
            "/api/v1/invoices/{id}": {"parameters": id_param, "get": op("One invoice: number, buyer, lines, totals per rate, amount in words", "200", None)},
            "/api/v1/invoices/{id}/xml": {"parameters": id_param, "get": op("The invoice as KSeF FA(3) XML (valid against schemat_FA(3)_v1-0E)", "200", None)},
            "/api/v1/invoices/{id}/resend": {"parameters": id_param, "post": op("Send the invoice to its Allegro order again (refused or waiting); 409 when it is already there or the order came from a file", "202", None)},
            "/api/v1/invoices/{id}/pdf": {"parameters": id_param, "get": {
                "summary": "The invoice as A4 PDF with the KSeF KOD I QR code",
                "parameters": [{"name": "lang", "in": "query", "description": "pl (default) or en", "schema": {"type": "string", "enum": ["pl", "en"]}}],
                "responses": {"200": {"description": "application/pdf"}, "422": {"description": "unknown language"}, "404": {"description": "no such invoice"}}}},
            "/api/v1/orders/{id}/shipments": {
                "parameters": [{"name": "id", "in": "path", "required": true, "schema": {"type": "string"}}],
                "get": op("The order's waybills, each with where its push to Allegro stands (allegro.state: pending | pushed | refused | not_applicable; allegro.error.code says why in a stable word)", "200", None),
                "post": op("Add a waybill: {carrier_id, waybill, carrier_name (only for OTHER), line_items? (Allegro line item ids; absent: the whole order)}. 201 added and queued for Allegro, 200 when the order already has this carrier's number, 422 names the wrong field (a carrier Allegro does not list, more than 64 characters, a line item of another order)", "201", None),
            },
            "/api/v1/orders/{id}/fulfillment": {
                "parameters": [{"name": "id", "in": "path", "required": true, "schema": {"type": "string"}}],
                "put": op("Set the order's fulfilment status on Allegro: {status: NEW | PROCESSING | READY_FOR_SHIPMENT | READY_FOR_PICKUP | SENT | PICKED_UP | CANCELLED | SUSPENDED}, sent with the order's revision; when Allegro says it is outdated the order is read again and the change tried once more. Answers the order as Allegro now has it; 409 when Allegro refuses (e.g. its limit of changes per order) or the account is not connected", "200", None),
            },
            "/api/v1/products": {"get": op("Products (one per SKU, the offers' external.id) with their stock per warehouse and the offers that sell them", "200", None)},
            "/api/v1/warehouses": {
                "get": op("The organisation's warehouses (the first one, \"Magazyn główny\", is made when needed)", "200", None),
                "post": op("Add a warehouse: {name} (1–60 characters, unique); 422 names a taken or empty name", "201", None),
            },
            "/api/v1/products/sync": {"post": op("Read every offer of the connected accounts from Allegro and keep a product per SKU: {offers, new_products, without_sku}", "200", None)},
            "/api/v1/products/{id}/stock": {"parameters": id_param, "post": op("Receive goods (quantity > 0) or count them out (< 0): {quantity, note?, warehouse_id? (default: the issuing warehouse)}; answers the new stock there", "200", None)},
            "/api/v1/stock-movements": {"get": op("The latest 500 stock movements: receipt, adjustment, wz (goods issued for an order), wz_cancelled (given back)", "200", None)},
            "/api/v1/warehouse-documents": {"get": op("Goods-issue documents (WZ/n/YYYY), newest first, with their lines and state (issued | cancelled)", "200", None)},
            "/api/v1/warehouse-settings": {
                "get": op("When WZs are issued: wz_trigger (a fulfilment status, or null: only by hand)", "200", None),
                "put": op("Set wz_trigger (PROCESSING, READY_FOR_SHIPMENT, READY_FOR_PICKUP, SENT, PICKED_UP or null) and, optionally, warehouse_id: the warehouse WZs take goods from", "204", None),
            },
            "/api/v1/orders/{id}/wz": {
                "parameters": [{"name": "id", "in": "path", "required": true, "schema": {"type": "string"}}],
                "get": op("The order's WZ", "200", None),
                "post": op("Issue the order's WZ now (201), or answer the one it has (200); 422 names a line whose offer is not a product yet", "201", None),
            },
            "/api/v1/orders/{id}/wz/pdf": {
                "parameters": [{"name": "id", "in": "path", "required": true, "schema": {"type": "string"}}],
                "get": {"summary": "The order's WZ as an A4 PDF", "security": [{"apiKey": []}], "responses": {"200": {"description": "application/pdf"}, "404": {"description": "no such order, or no WZ yet"}}},
            },
            "/api/v1/shipments/{id}/resend": {"parameters": id_param, "post": op("Send a refused or waiting waybill to Allegro again (202); 409 when it is already there or its order came from a file", "202", None)},
            "/api/v1/carriers": {"get": op("Allegro's carriers (GET /order/carriers, read through a connected account and kept for an hour)", "200", None)},
            "/api/v1/imports/{id}": {"parameters": id_param, "get": op("An import: state (queued | running | done | failed), expected, fetched, and new / updated / unchanged counts", "200", None)},
            "/api/v1/imports/file": {
                "post": {
                    "summary": "Import orders from a CSV or XML file (layout: docs/IMPORT.md, schema: docs/orders-import.xsd) into a linked account. The whole file is checked first; a file with any problem stores nothing and answers 422 with `errors` [{line, column, field, message}]. Orders already held from Allegro are not duplicated (counted unchanged).",
                    "security": [{"apiKey": []}],
                    "parameters": [
                        {"name": "account", "in": "query", "required": true, "schema": {"type": "string", "format": "uuid"}},
                        {"name": "name", "in": "query", "description": "the file's name, used in messages and to tell .csv from .xml", "schema": {"type": "string"}},
                        {"name": "encoding", "in": "query", "description": "auto (UTF-8, else Windows-1250), utf-8 or windows-1250; a charset in Content-Type is used too", "schema": {"type": "string", "enum": ["auto", "utf-8", "windows-1250"]}}
                    ],
                    "requestBody": {"required": true, "content": {"text/csv": {"schema": {"type": "string", "format": "binary"}}, "application/xml": {"schema": {"type": "string", "format": "binary"}}}},
                    "responses": {"201": {"description": "the import with its counts"}, "401": {"description": "no or wrong API key"}, "404": {"description": "no such account in your organisation"}, "413": {"description": "over 64 MiB"}, "422": {"description": "the file's problems, each with line and column"}}
                }
            },
            "/api/v1/accounts/{id}/settings": {
                "parameters": id_param,
                "get": op("An account's settings", "200", None),
                "put": op("Replace an account's settings", "204", Some(json!({"$ref": "#/components/schemas/Settings"}))),
            }
        }
    })
}

#[cfg(test)]
mod tests {
    /// Every route of the API, as (method, path): the OpenAPI document is checked against it.
    pub const ROUTES: &[(&str, &str)] = &[
        ("get", "/api/v1/connections"),
        ("post", "/api/v1/connections"),
        ("put", "/api/v1/connections/{id}/credentials"),
        ("post", "/api/v1/connections/{id}/link"),
        ("get", "/api/v1/accounts"),
        ("delete", "/api/v1/accounts/{id}"),
        ("get", "/api/v1/accounts/{id}/settings"),
        ("put", "/api/v1/accounts/{id}/settings"),
        ("get", "/api/v1/orders"),
        ("get", "/api/v1/orders/{id}"),
        ("post", "/api/v1/accounts/{id}/imports"),
        ("get", "/api/v1/imports"),
        ("get", "/api/v1/imports/{id}"),
        ("post", "/api/v1/imports/file"),
        ("get", "/api/v1/invoicing-profile"),
        ("put", "/api/v1/invoicing-profile"),
        ("post", "/api/v1/orders/{id}/invoice"),
        ("post", "/api/v1/orders/{id}/correction"),
        ("get", "/api/v1/invoices"),
        ("get", "/api/v1/invoices/{id}"),
        ("get", "/api/v1/invoices/{id}/xml"),
        ("get", "/api/v1/invoices/{id}/pdf"),
        ("post", "/api/v1/invoices/{id}/resend"),
        ("get", "/api/v1/orders/{id}/shipments"),
        ("post", "/api/v1/orders/{id}/shipments"),
        ("post", "/api/v1/shipments/{id}/resend"),
        ("put", "/api/v1/orders/{id}/fulfillment"),
        ("get", "/api/v1/products"),
        ("get", "/api/v1/warehouses"),
        ("post", "/api/v1/warehouses"),
        ("post", "/api/v1/products/sync"),
        ("post", "/api/v1/products/{id}/stock"),
        ("get", "/api/v1/stock-movements"),
        ("get", "/api/v1/warehouse-documents"),
        ("get", "/api/v1/warehouse-settings"),
        ("put", "/api/v1/warehouse-settings"),
        ("get", "/api/v1/orders/{id}/wz"),
        ("post", "/api/v1/orders/{id}/wz"),
        ("get", "/api/v1/orders/{id}/wz/pdf"),
        ("get", "/api/v1/carriers"),
    ];

    #[test]
    fn the_document_lists_every_route() {
        let doc = super::document();
        for (method, path) in ROUTES {
            assert!(
                doc["paths"][path][method].is_object(),
                "{method} {path} is not documented"
            );
        }
        let documented: usize = doc["paths"]
            .as_object()
            .unwrap()
            .values()
            .map(|p| p.as_object().unwrap().keys().filter(|k| *k != "parameters").count())
            .sum();
        assert_eq!(
            documented,
            ROUTES.len(),
            "the document has operations the router does not"
        );
    }
}
