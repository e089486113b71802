//! Waybills on the order page: adding one, sending one again, and how a push's state is worded.

use crate::WebState;
use crate::auth::UiUser;
use crate::error::page_error;
use crate::i18n::Tr;
use crate::orders::order_page;
use crate::views::order_href;
use app::AppError;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};

/// A waybill on the order page.
pub(crate) struct ShipmentRow {
    pub(crate) id: String,
    pub(crate) carrier: String,
    pub(crate) waybill: String,
    /// "all" or the offers it carries.
    pub(crate) items: String,
    /// Where its push to Allegro stands, in words.
    pub(crate) allegro: String,
    /// The push failed for good or for now.
    pub(crate) problem: bool,
    /// "Wyślij ponownie" posts here.
    pub(crate) resend: Option<String>,
}

/// The waybill form as the seller filled it, and what was wrong.
#[derive(Debug, Default)]
pub struct WaybillForm {
    pub(crate) carrier_id: String,
    pub(crate) carrier_name: String,
    pub(crate) waybill: String,
    pub(crate) line_items: Vec<String>,
    pub(crate) error: Option<String>,
    pub(crate) fulfillment_error: Option<String>,
}

/// "Dodaj numer przesyłki": adds the waybill and shows the order again, or the form with
/// what is wrong.
pub async fn add_waybill(
    State(state): State<WebState>,
    tr: Tr,
    UiUser(user): UiUser,
    Path(id): Path<domain::OrderId>,
    body: axum::body::Bytes,
) -> Response {
    let mut form = WaybillForm::default();
    for (key, value) in url::form_urlencoded::parse(&body) {
        match key.as_ref() {
            "carrier_id" => form.carrier_id = value.into_owned(),
            "carrier_name" => form.carrier_name = value.into_owned(),
            "waybill" => form.waybill = value.into_owned(),
            "line_item" => form.line_items.push(value.into_owned()),
            _ => {}
        }
    }
    let parsed = domain::NewWaybill::parse(
        &form.carrier_id,
        Some(&form.carrier_name),
        &form.waybill,
        form.line_items.clone(),
    );
    let result = match parsed {
        Ok(w) => state.app.add_waybill(&user, &id, w).await,
        Err(e) => Err(app::invalid(e.field, e.problem)),
    };
    match result {
        Ok(_) => Redirect::to(&format!("{}?waybill=added#shipments", order_href(&id))).into_response(),
        Err(AppError::Validation { field, problem }) => {
            form.error = Some(tr.args(
                "waybill-invalid",
                &[
                    ("field", &tr.t(&format!("waybill-field-{field}"))),
                    ("error", &tr.problem(&problem)),
                ],
            ));
            let mut page = order_page(&state, &tr, &user, &id, form).await;
            *page.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
            page
        }
        Err(e) => page_error(&tr, e),
    }
}

/// "Wyślij ponownie" on a refused waybill.
pub async fn resend_waybill(
    State(state): State<WebState>,
    tr: Tr,
    UiUser(user): UiUser,
    Path((order, id)): Path<(domain::OrderId, domain::ShipmentId)>,
) -> Response {
    match state.app.resend_waybill(&user, &id).await {
        Ok(()) => Redirect::to(&format!("{}#shipments", order_href(&order))).into_response(),
        Err(e) => page_error(&tr, e),
    }
}

/// A waybill's push to Allegro in the seller's words.
pub(crate) fn carrier_name(carriers: &Option<std::sync::Arc<Vec<app::Carrier>>>, id: &str) -> String {
    carriers
        .as_deref()
        .and_then(|list| list.iter().find(|c| c.id == id))
        .and_then(|c| c.name.clone())
        .unwrap_or_else(|| id.to_owned())
}

pub(crate) fn push_words(tr: &Tr, s: &store::ShipmentRecord) -> (String, bool) {
    use domain::PushState;
    let reason = |error: &Option<String>| {
        let e = error.as_deref().unwrap_or_default();
        let key = app::push_error_key(e);
        let detail = e.split_once(": ").map_or("", |(_, d)| d);
        let plain = tr.t(&format!("waybill-error-{key}"));
        if detail.is_empty() {
            plain
        } else {
            format!("{plain} (Allegro: {detail})")
        }
    };
    match s.push.state {
        PushState::Pushed => (
            tr.args(
                "waybill-pushed",
                &[(
                    "at",
                    &domain::time::polish_time_text(s.push.pushed_at_ms.unwrap_or_default()),
                )],
            ),
            false,
        ),
        PushState::Pending if s.push.error.is_some() => (
            tr.args(
                "waybill-retry",
                &[
                    ("error", &reason(&s.push.error)),
                    ("next", &domain::time::polish_time_text(s.push.next_at_ms)),
                ],
            ),
            true,
        ),
        PushState::Pending => (tr.t("waybill-pending"), false),
        PushState::Refused => (tr.args("waybill-refused", &[("error", &reason(&s.push.error))]), true),
        PushState::NotApplicable => (tr.t("waybill-not-applicable"), false),
    }
}
