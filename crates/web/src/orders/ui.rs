//! The orders list and one order's page (its data, history, fulfilment, invoices, waybills and WZ).

use crate::WebState;
use crate::auth::UiUser;
use crate::error::page_error;
use crate::i18n::Tr;
use crate::shipments::ShipmentRow;
use crate::shipments::WaybillForm;
use crate::shipments::carrier_name;
use crate::shipments::push_words;
use crate::views::Chrome;
use crate::views::money;
use crate::views::options;
use crate::views::order_href;
use crate::views::render;
use app::AppError;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use domain::AccountId;

struct OrderRow {
    href: String,
    bought: String,
    account: String,
    buyer: String,
    status: String,
    fulfillment: String,
    total: String,
    /// The buyer asked for an invoice.
    invoice: bool,
    /// Its invoices' and corrections' numbers.
    invoice_numbers: String,
    /// Imported from a file (not yet seen on Allegro).
    from_file: bool,
}

#[derive(Template)]
#[template(path = "orders.html")]
struct OrdersPage {
    c: Chrome,
    rows: Vec<OrderRow>,
    /// (value, label, selected) per select.
    accounts: Vec<(String, String, bool)>,
    statuses: Vec<(String, String, bool)>,
    fulfillments: Vec<(String, String, bool)>,
    marketplaces: Vec<(String, String, bool)>,
    invoices: Vec<(String, String, bool)>,
    sorts: Vec<(String, String, bool)>,
    buyer: String,
    from: String,
    to: String,
    total_text: String,
    error: Option<String>,
    prev: Option<String>,
    next: Option<String>,
    /// This page's own URL, polled by htmx for live refresh.
    live_url: String,
}

const ORDERS_PAGE: i64 = 50;

/// The seller's word for a fulfillment status; an unknown code is shown as Allegro sent it.
fn fulfillment_name(tr: &Tr, code: Option<&str>) -> String {
    match code {
        None => String::new(),
        Some(c) => {
            let key = format!("fulfillment-{c}");
            let text = tr.t(&key);
            if text == key { c.to_owned() } else { text }
        }
    }
}

pub async fn orders(
    State(state): State<WebState>,
    tr: Tr,
    UiUser(user): UiUser,
    Query(q): Query<crate::orders::query::OrderParams>,
) -> Response {
    use crate::orders::query::MARKETPLACES;
    let page = q.page.unwrap_or(0).max(0);
    let (filter, error) = match q.filter() {
        Ok(f) => (f, None),
        Err((field, problem)) => (store::OrderFilter::default(), Some(tr.invalid(field, &problem))),
    };
    let result = async {
        let (list, total) = state
            .app
            .orders_with_invoices(&user, &filter, page * ORDERS_PAGE, ORDERS_PAGE)
            .await?;
        let accounts = state.app.accounts(&user).await?;
        Ok::<_, AppError>((list, total, accounts))
    }
    .await;
    let (list, total, accounts) = match result {
        Ok(v) => v,
        Err(e) => return page_error(&tr, e),
    };
    let login_of = |id: &AccountId| {
        accounts
            .iter()
            .find(|a| &a.id == id)
            .map(|a| a.login.clone())
            .unwrap_or_default()
    };
    let rows = list
        .iter()
        .map(|(o, numbers)| OrderRow {
            href: order_href(&o.id),
            invoice_numbers: numbers.join(", "),
            bought: domain::time::polish_time_text(o.bought_at_ms),
            account: login_of(&o.account_id),
            buyer: o.buyer_login.clone(),
            status: tr.t(&format!("order-status-{}", o.status)),
            fulfillment: fulfillment_name(&tr, o.fulfillment_status.as_deref()),
            total: money(o.total_minor, &o.currency),
            invoice: o.invoice_required,
            from_file: o.source == store::OrderSource::File,
        })
        .collect();
    let chosen = |v: &Option<String>| v.as_deref().map(str::trim).filter(|s| !s.is_empty()).map(str::to_owned);
    let account_ids: Vec<String> = accounts.iter().map(|a| a.id.to_string()).collect();
    let account_refs: Vec<&str> = account_ids.iter().map(String::as_str).collect();
    let sort_words: Vec<&str> = store::OrderSort::ALL.iter().map(|(_, w)| *w).collect();
    render(&OrdersPage {
        c: Chrome::for_user(&tr, &user).with_relogin(&accounts),
        rows,
        accounts: options(
            &account_refs,
            |id| {
                accounts
                    .iter()
                    .find(|a| a.id.as_str() == id)
                    .map(|a| a.login.clone())
                    .unwrap_or_default()
            },
            chosen(&q.account).as_deref(),
        ),
        statuses: options(
            &domain::OrderStatus::known_words(),
            |s| tr.t(&format!("order-status-{s}")),
            chosen(&q.status).as_deref(),
        ),
        fulfillments: options(
            &domain::FulfillmentStatus::ALL
                .iter()
                .map(|s| s.as_str())
                .collect::<Vec<_>>(),
            |s| fulfillment_name(&tr, Some(s)),
            chosen(&q.fulfillment_status).as_deref(),
        ),
        marketplaces: options(&MARKETPLACES, str::to_owned, chosen(&q.marketplace).as_deref()),
        invoices: options(
            &["yes", "no"],
            |v| tr.t(&format!("orders-invoice-{v}")),
            chosen(&q.invoice).as_deref(),
        ),
        sorts: options(
            &sort_words,
            |w| tr.t(&format!("orders-sort-{w}")),
            chosen(&q.sort).as_deref(),
        ),
        buyer: chosen(&q.buyer).unwrap_or_default(),
        from: chosen(&q.from).unwrap_or_default(),
        to: chosen(&q.to).unwrap_or_default(),
        total_text: tr.count("orders-count", total),
        error,
        prev: (page > 0).then(|| format!("/orders?{}", q.query_string(Some(page - 1)))),
        next: ((page + 1) * ORDERS_PAGE < total).then(|| format!("/orders?{}", q.query_string(Some(page + 1)))),
        live_url: format!("/orders?{}", q.query_string(Some(page))),
    })
}

#[derive(Template)]
#[template(path = "order.html")]
struct OrderPage {
    c: Chrome,
    id: String,
    bought: String,
    status: String,
    fulfillment: String,
    /// The buyer, a line each.
    buyer: Vec<String>,
    /// Where it goes, a line each.
    delivery: Vec<String>,
    /// Cancelled: nothing is shipped, so no WZ and no waybill can be added.
    cancelled: bool,
    total: String,
    lines: Vec<(String, i64, String, String)>,
    /// Payment: type, provider, paid amount, when.
    payment: Option<String>,
    /// The buyer's invoice request, in words.
    invoice: String,
    /// Imported from a file.
    from_file: bool,
    /// (seen at, status, fulfillment) oldest first.
    history: Vec<(String, String, String)>,
    /// Where "Wystaw fakturę" posts.
    invoice_action: String,
    /// The order's invoices: (id, number, kind).
    invoices: Vec<(String, String, String)>,
    /// Where "Wystaw korektę" posts, when the order is cancelled or returned and its
    /// invoice has no correction yet.
    correction_action: Option<String>,
    /// Why automatic invoicing failed, in words.
    invoice_failure: Option<String>,
    /// The order's waybills.
    shipments: Vec<ShipmentRow>,
    /// Where "Dodaj numer przesyłki" posts.
    waybill_action: String,
    /// Allegro's carriers (id, name); empty when none could be read (a text field then).
    carriers: Vec<(String, String)>,
    /// The line items a parcel may carry: (id, name).
    line_items: Vec<(String, String)>,
    /// What the seller typed, when the form comes back with an error.
    form: WaybillForm,
    /// Where "Zmień status" posts, for orders from Allegro; and the statuses to choose.
    fulfillment_action: Option<String>,
    fulfillment_choices: Vec<(String, String)>,
    /// The stored status word (the one selected).
    fulfillment_now: String,
    /// Why the last change was refused.
    fulfillment_error: Option<String>,
    /// The order's WZ: (number, state in words).
    wz: Option<(String, String)>,
    /// Where "Wystaw WZ" posts.
    wz_action: String,
    /// Why the automatic WZ failed, in words.
    wz_failure: Option<String>,
}

/// "Zmień status realizacji": sets it on Allegro and shows the order as Allegro has it.
pub async fn set_fulfillment(
    State(state): State<WebState>,
    tr: Tr,
    UiUser(user): UiUser,
    Path(id): Path<domain::OrderId>,
    axum::Form(form): axum::Form<std::collections::HashMap<String, String>>,
) -> Response {
    let status = form.get("status").map(String::as_str).unwrap_or_default();
    match state.app.set_fulfillment(&user, &id, status).await {
        Ok(_) => Redirect::to(&order_href(&id)).into_response(),
        Err(AppError::Conflict(problem) | AppError::Validation { problem, .. }) => {
            let entered = WaybillForm {
                fulfillment_error: Some(tr.problem(&problem)),
                ..WaybillForm::default()
            };
            let mut page = order_page(&state, &tr, &user, &id, entered).await;
            *page.status_mut() = axum::http::StatusCode::CONFLICT;
            page
        }
        Err(e) => page_error(&tr, e),
    }
}

pub async fn order(
    State(state): State<WebState>,
    tr: Tr,
    UiUser(user): UiUser,
    Path(id): Path<domain::OrderId>,
) -> Response {
    order_page(&state, &tr, &user, &id, WaybillForm::default()).await
}

pub(crate) async fn order_page(
    state: &WebState,
    tr: &Tr,
    user: &app::CurrentUser,
    id: &domain::OrderId,
    entered: WaybillForm,
) -> Response {
    let found = async {
        let (o, form) = state.app.order_with_form(user, id).await?;
        let history = state.app.order_history(user, id).await?;
        let invoices = state.app.order_invoices(user, id).await?;
        let failure = state
            .app
            .order_task_failure(user, id, domain::OrderTask::Invoice)
            .await?;
        let shipments = state.app.order_shipments(user, id).await?;
        let carriers = state.app.carriers(user).await?;
        let wz = state.app.order_wz(user, id).await?;
        let wz_failure = state.app.order_task_failure(user, id, domain::OrderTask::Wz).await?;
        let account = state.app.account(user, &o.account_id).await?;
        Ok::<_, AppError>((
            (o, form),
            history,
            invoices,
            failure,
            shipments,
            carriers,
            (wz, wz_failure),
            account,
        ))
    }
    .await;
    let ((o, form), history, invoices, failure, shipments, carriers, (wz, wz_failure), account) = match found {
        Ok(v) => v,
        Err(e) => return page_error(tr, e),
    };
    let delivery = super::details::delivery_lines(tr, &form);
    let buyer = super::details::buyer_lines(&form, &o.buyer_login);
    let form_line_items: Vec<(String, String)> = form
        .line_items
        .iter()
        .map(|li| (li.id.clone(), li.offer.name.clone()))
        .collect();
    let lines = form
        .line_items
        .iter()
        .map(|li| {
            (
                li.offer.name.clone(),
                li.quantity,
                super::details::money(&li.price),
                li.tax
                    .as_ref()
                    .and_then(|t| t.rate.as_deref())
                    .map(|r| format!("{}%", r.trim_end_matches(".00")))
                    .unwrap_or_default(),
            )
        })
        .collect();
    let payment = form.payment.as_ref().map(|p| super::details::payment_words(tr, p));
    let nip = form
        .invoice
        .as_ref()
        .and_then(|i| i.address.as_ref())
        .and_then(|a| a.company.as_ref())
        .and_then(|c| c.ids.as_ref())
        .and_then(|ids| ids.first())
        .map(|id| id.value.clone());
    render(&OrderPage {
        c: Chrome::for_user(tr, user),
        id: o.id.to_string(),
        bought: domain::time::polish_time_text(o.bought_at_ms),
        status: tr.t(&format!("order-status-{}", o.status)),
        fulfillment: fulfillment_name(tr, o.fulfillment_status.as_deref()),
        buyer,
        delivery,
        cancelled: o.status.is_cancelled(),
        total: money(o.total_minor, &o.currency),
        lines,
        payment,
        invoice: match (o.invoice_required, nip) {
            (true, Some(nip)) => format!("{} (NIP {nip})", tr.t("orders-invoice-yes")),
            (true, None) => tr.t("orders-invoice-yes"),
            (false, _) => tr.t("orders-invoice-no"),
        },
        from_file: o.source == store::OrderSource::File,
        invoice_action: format!("{}/invoice", order_href(&o.id)),
        correction_action: (o.status.is_cancelled() || o.fulfillment_status.as_deref() == Some("RETURNED"))
            .then_some(())
            .filter(|()| {
                invoices.iter().any(|i| i.kind == domain::InvoiceKind::Vat)
                    && !invoices.iter().any(|i| i.kind == domain::InvoiceKind::Correction)
            })
            .map(|()| format!("{}/correction", order_href(&o.id))),
        invoice_failure: failure.filter(|_| invoices.is_empty()).map(|(n, e)| {
            tr.args(
                "order-invoice-failed",
                &[("attempts", &n.to_string()), ("error", &tr.stored(&e))],
            )
        }),
        invoices: invoices
            .iter()
            .map(|i| (i.id.to_string(), i.number.clone(), i.kind.to_string()))
            .collect(),
        history: history
            .iter()
            .map(|h| {
                (
                    domain::time::polish_time_text(h.seen_at_ms),
                    tr.t(&format!("order-status-{}", h.status)),
                    fulfillment_name(tr, h.fulfillment_status.as_deref()),
                )
            })
            .collect(),
        shipments: shipments
            .iter()
            .map(|s| {
                let (mut allegro, mut problem) = push_words(tr, s);
                // Said at once, not only after the worker's first try.
                if s.push.state == domain::PushState::Pending
                    && s.push.error.is_none()
                    && account.status != domain::AccountStatus::Active
                {
                    allegro = format!(
                        "{} {}",
                        tr.t("waybill-pending"),
                        tr.t("waybill-error-account_not_connected")
                    );
                    problem = true;
                }
                let names: Vec<String> = s
                    .line_items
                    .iter()
                    .map(|li| {
                        form_line_items
                            .iter()
                            .find(|(id, _)| id == li)
                            .map_or_else(|| li.clone(), |(_, name)| name.clone())
                    })
                    .collect();
                ShipmentRow {
                    id: s.id.to_string(),
                    carrier: s
                        .carrier_name
                        .clone()
                        .unwrap_or_else(|| carrier_name(&carriers, &s.carrier_id)),
                    waybill: s.waybill.clone(),
                    items: if names.is_empty() {
                        tr.t("waybill-all-items")
                    } else {
                        names.join(", ")
                    },
                    allegro,
                    problem,
                    resend: (s.push.state == domain::PushState::Refused
                        || (s.push.state == domain::PushState::Pending && s.push.error.is_some()))
                    .then(|| format!("{}/shipments/{}/resend", order_href(&o.id), s.id)),
                }
            })
            .collect(),
        waybill_action: format!("{}/shipments", order_href(&o.id)),
        carriers: carriers
            .as_deref()
            .map(|list| {
                list.iter()
                    .map(|c| {
                        (
                            c.id.clone(),
                            c.name.clone().unwrap_or_else(|| tr.t("waybill-other-carrier")),
                        )
                    })
                    .collect()
            })
            .unwrap_or_default(),
        line_items: form_line_items,
        fulfillment_action: (o.source == store::OrderSource::Allegro)
            .then(|| format!("{}/fulfillment", order_href(&o.id))),
        fulfillment_choices: domain::FulfillmentStatus::SELLER_SETS
            .iter()
            .map(|s| (s.as_str().to_owned(), fulfillment_name(tr, Some(s.as_str()))))
            .collect(),
        fulfillment_now: o.fulfillment_status.clone().unwrap_or_default(),
        fulfillment_error: entered.fulfillment_error.clone(),
        wz: wz
            .as_ref()
            .map(|d| (d.number.clone(), tr.t(&format!("wz-state-{}", d.state)))),
        wz_failure: wz_failure.filter(|_| wz.is_none()).map(|(n, e)| {
            tr.args(
                "order-wz-failed",
                &[("attempts", &n.to_string()), ("error", &tr.stored(&e))],
            )
        }),
        wz_action: format!("{}/wz", order_href(&o.id)),
        form: entered,
    })
}
