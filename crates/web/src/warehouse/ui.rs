//! "Magazyn": products and their stock, receiving goods, when WZs are issued, the
//! goods-issue documents and the stock movements.

use app::AppError;
use askama::Template;
use axum::Form;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use crate::WebState;
use crate::auth::UiUser;
use crate::error::page_error;
use crate::i18n::Tr;
use crate::views::{Chrome, render};

#[derive(Template)]
#[template(path = "warehouse.html")]
struct WarehousePage {
    c: Chrome,
    /// (id, name, issuing).
    warehouses: Vec<(String, String, bool)>,
    /// (id, SKU, name, stock per warehouse in `warehouses` order, total).
    products: Vec<(String, String, String, Vec<i64>, i64)>,
    /// Per product (in `products` order): its annex-15 answer (`""`, `tak`, `nie`).
    annex15: Vec<&'static str>,
    /// Products whose total stock is below zero (more issued than received).
    negative: i64,
    /// (status word, name, chosen).
    triggers: Vec<(String, String, bool)>,
    /// (number, order link, order id, state, when, pieces).
    documents: Vec<(String, String, String, String, String, i64)>,
    /// (when, SKU, delta, reason, note).
    movements: Vec<(String, String, i64, String, String)>,
    notice: Option<String>,
    error: Option<String>,
    /// The "Przyjmij" form as shown: what the seller entered, after an error.
    receipt: ReceiptShown,
}

/// The "Przyjmij" form's values.
#[derive(Debug, Default)]
struct ReceiptShown {
    warehouse_id: String,
    product_id: String,
    quantity: String,
    note: String,
}

impl WarehousePage {
    /// The annex-15 answer of the `i`-th product.
    fn annex15_of(&self, i: usize) -> &'static str {
        self.annex15.get(i).copied().unwrap_or_default()
    }
}

/// `?synced=…` after reading products, `?saved=1` after the settings.
#[derive(Debug, Deserialize, Default)]
pub struct Notice {
    synced: Option<String>,
    saved: Option<String>,
    received: Option<String>,
}

pub async fn warehouse(
    State(state): State<WebState>,
    tr: Tr,
    UiUser(user): UiUser,
    Query(n): Query<Notice>,
) -> Response {
    let notice = n
        .synced
        .map(|s| tr.args("warehouse-synced", &[("count", &s)]))
        .or(n.saved.map(|_| tr.t("warehouse-saved")))
        .or(n.received.map(|_| tr.t("warehouse-received")));
    warehouse_page(&state, &tr, &user, notice, None, None).await
}

async fn warehouse_page(
    state: &WebState,
    tr: &Tr,
    user: &app::CurrentUser,
    notice: Option<String>,
    error: Option<String>,
    entered: Option<&ReceiptForm>,
) -> Response {
    let found = async {
        Ok::<_, AppError>((
            state.app.warehouses(user).await?,
            state.app.products(user).await?,
            state.app.warehouse_settings(user).await?,
            state.app.warehouse_documents(user).await?,
            state.app.stock_movements(user).await?,
        ))
    }
    .await;
    let (warehouses, products, settings, documents, movements) = match found {
        Ok(v) => v,
        Err(e) => return page_error(tr, e),
    };
    let sku_of = |id: &domain::ProductId| {
        products
            .iter()
            .find(|p| p.id == *id)
            .map_or_else(|| id.to_string(), |p| p.sku.clone())
    };
    let negative = products
        .iter()
        .filter(|p| p.stock.iter().map(|(_, q)| q).sum::<i64>() < 0)
        .count() as i64;
    render(&WarehousePage {
        c: Chrome::for_user(tr, user),
        warehouses: warehouses
            .iter()
            .enumerate()
            .map(|(i, w)| {
                let issuing = settings.warehouse_id.as_ref().map_or(i == 0, |id| *id == w.id);
                (w.id.to_string(), w.name.clone(), issuing)
            })
            .collect(),
        negative,
        annex15: products
            .iter()
            .map(|p| match p.annex15 {
                Some(true) => "tak",
                Some(false) => "nie",
                None => "",
            })
            .collect(),
        products: products
            .iter()
            .map(|p| {
                let per: Vec<i64> = warehouses
                    .iter()
                    .map(|w| p.stock.iter().find(|(id, _)| *id == w.id).map_or(0, |(_, q)| *q))
                    .collect();
                (
                    p.id.to_string(),
                    p.sku.clone(),
                    p.name.clone(),
                    per,
                    p.stock.iter().map(|(_, q)| q).sum(),
                )
            })
            .collect(),
        triggers: domain::FulfillmentStatus::WZ_TRIGGERS
            .iter()
            .map(|t| {
                (
                    t.as_str().to_owned(),
                    tr.t(&format!("fulfillment-{t}")),
                    settings.wz_trigger.as_deref() == Some(t.as_str()),
                )
            })
            .collect(),
        documents: documents
            .iter()
            .map(|d| {
                (
                    d.number.clone(),
                    crate::views::order_href(&d.order_id),
                    d.order_id.to_string(),
                    tr.t(&format!("wz-state-{}", d.state)),
                    domain::time::polish_time_text(d.issued_at_ms),
                    d.lines.iter().map(|l| l.quantity).sum(),
                )
            })
            .collect(),
        movements: movements
            .iter()
            .map(|m| {
                (
                    domain::time::polish_time_text(m.at_ms),
                    sku_of(&m.product_id),
                    m.delta,
                    tr.t(&format!("movement-{}", m.reason)),
                    m.note.clone().unwrap_or_default(),
                )
            })
            .collect(),
        notice,
        error,
        receipt: match entered {
            Some(f) => ReceiptShown {
                warehouse_id: f.warehouse_id.clone().unwrap_or_default(),
                product_id: f.product_id.to_string(),
                quantity: f.quantity.clone(),
                note: f.note.clone().unwrap_or_default(),
            },
            None => ReceiptShown::default(),
        },
    })
}

/// "Pobierz produkty z Allegro".
pub async fn sync(State(state): State<WebState>, tr: Tr, UiUser(user): UiUser) -> Response {
    match state.app.sync_products(&user).await {
        Ok(r) => Redirect::to(&format!("/warehouse?synced={}", r.new_products)).into_response(),
        Err(e) => page_error(&tr, e),
    }
}

#[derive(Debug, Deserialize)]
pub struct ReceiptForm {
    warehouse_id: Option<String>,
    product_id: domain::ProductId,
    quantity: String,
    note: Option<String>,
}

/// "Przyjmij": goods received (or counted out with a minus).
pub async fn receive(
    State(state): State<WebState>,
    tr: Tr,
    UiUser(user): UiUser,
    Form(f): Form<ReceiptForm>,
) -> Response {
    let quantity = match f.quantity.trim().parse::<i64>() {
        Ok(q) => q,
        Err(_) => {
            let e = tr.args(
                "error-field",
                &[
                    ("field", &tr.t("warehouse-quantity")),
                    ("message", &tr.t("warehouse-quantity-whole")),
                ],
            );
            return with_status(warehouse_page(&state, &tr, &user, None, Some(e), Some(&f)).await);
        }
    };
    match state
        .app
        .adjust_stock(
            &user,
            f.warehouse_id.as_deref(),
            &f.product_id,
            quantity,
            f.note.as_deref(),
        )
        .await
    {
        Ok(_) => Redirect::to("/warehouse?received=1").into_response(),
        Err(AppError::Validation { field, problem }) => {
            let e = tr.invalid(field, &problem);
            with_status(warehouse_page(&state, &tr, &user, None, Some(e), Some(&f)).await)
        }
        Err(e) => page_error(&tr, e),
    }
}

fn with_status(mut page: Response) -> Response {
    *page.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    page
}

#[derive(Debug, Deserialize)]
pub struct SettingsForm {
    wz_trigger: String,
    warehouse_id: Option<String>,
}

/// When WZs are issued.
pub async fn save_settings(
    State(state): State<WebState>,
    tr: Tr,
    UiUser(user): UiUser,
    Form(f): Form<SettingsForm>,
) -> Response {
    match state
        .app
        .save_warehouse_settings(&user, Some(&f.wz_trigger), f.warehouse_id.as_deref())
        .await
    {
        Ok(()) => Redirect::to("/warehouse?saved=1").into_response(),
        Err(AppError::Validation { field, problem }) => {
            let e = tr.invalid(field, &problem);
            with_status(warehouse_page(&state, &tr, &user, None, Some(e), None).await)
        }
        Err(e) => page_error(&tr, e),
    }
}

#[derive(Debug, Deserialize)]
pub struct WarehouseForm {
    name: String,
}

/// "Dodaj magazyn".
pub async fn add_warehouse(
    State(state): State<WebState>,
    tr: Tr,
    UiUser(user): UiUser,
    Form(f): Form<WarehouseForm>,
) -> Response {
    match state.app.add_warehouse(&user, &f.name).await {
        Ok(_) => Redirect::to("/warehouse?saved=1").into_response(),
        Err(AppError::Validation { field, problem }) => {
            let e = tr.invalid(field, &problem);
            with_status(warehouse_page(&state, &tr, &user, None, Some(e), None).await)
        }
        Err(e) => page_error(&tr, e),
    }
}

/// "Wystaw WZ" on an order.
pub async fn issue_wz(
    State(state): State<WebState>,
    tr: Tr,
    UiUser(user): UiUser,
    axum::extract::Path(order): axum::extract::Path<domain::OrderId>,
) -> Response {
    match state.app.issue_wz(&user, &order).await {
        Ok(_) => Redirect::to(&format!("{}#wz", crate::views::order_href(&order))).into_response(),
        Err(e) => page_error(&tr, e),
    }
}

/// The order's WZ as PDF.
pub async fn wz_pdf(
    State(state): State<WebState>,
    tr: Tr,
    UiUser(user): UiUser,
    axum::extract::Path(order): axum::extract::Path<domain::OrderId>,
) -> Response {
    match state.app.wz_pdf(&user, &order).await {
        Ok((name, pdf)) => crate::invoices::pdf_response(&format!("{name}.pdf"), pdf),
        Err(e) => page_error(&tr, e),
    }
}

/// The annex-15 answer for one product.
#[derive(Debug, Deserialize)]
pub struct Annex15Form {
    annex15: String,
}

/// "Załącznik 15": whether a product is goods of annex 15 to the VAT Act (split payment).
pub async fn set_annex15(
    State(state): State<WebState>,
    tr: Tr,
    UiUser(user): UiUser,
    axum::extract::Path(id): axum::extract::Path<domain::ProductId>,
    Form(f): Form<Annex15Form>,
) -> Response {
    let answer = match f.annex15.as_str() {
        "tak" => Some(true),
        "nie" => Some(false),
        _ => None,
    };
    match state.app.set_product_annex15(&user, &id, answer).await {
        Ok(()) => Redirect::to("/warehouse?saved=1#products").into_response(),
        Err(e) => page_error(&tr, e),
    }
}
