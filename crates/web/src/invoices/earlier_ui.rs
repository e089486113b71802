//! Faktury → "Faktury dla wcześniejszych zamówień": the orders automatic invoicing leaves
//! alone (paid before it was switched on, or brought in by an import), how many, of which
//! days and how many past the legal deadline — and the one button that invoices them.

use askama::Template;
use axum::Form;
use axum::extract::State;
use axum::response::Response;
use serde::Deserialize;

use crate::WebState;
use crate::auth::UiUser;
use crate::error::page_error;
use crate::i18n::Tr;
use crate::views::{Chrome, render};

#[derive(Template)]
#[template(path = "earlier.html")]
struct EarlierPage {
    c: Chrome,
    count: usize,
    summary: String,
    late: Option<String>,
    done: Option<String>,
    failed: Option<String>,
}

async fn earlier_page(
    state: &WebState,
    tr: &Tr,
    user: &app::CurrentUser,
    done: Option<String>,
    failed: Option<String>,
) -> Response {
    let earlier = match state.app.earlier_orders(user).await {
        Ok(e) => e,
        Err(e) => return page_error(tr, e),
    };
    let count = earlier.orders.len();
    render(&EarlierPage {
        c: Chrome::for_user(tr, user),
        count,
        summary: tr.count_args(
            "earlier-summary",
            count as i64,
            &[
                ("first", earlier.first_day.as_deref().unwrap_or_default()),
                ("last", earlier.last_day.as_deref().unwrap_or_default()),
            ],
        ),
        late: (earlier.past_deadline > 0).then(|| tr.count("earlier-late", earlier.past_deadline as i64)),
        done,
        failed,
    })
}

/// The page.
pub async fn earlier(State(state): State<WebState>, tr: Tr, UiUser(user): UiUser) -> Response {
    earlier_page(&state, &tr, &user, None, None).await
}

/// The form: how many orders the seller was shown.
#[derive(Debug, Deserialize)]
pub struct EarlierForm {
    count: usize,
}

/// "Wystaw faktury dla wcześniejszych zamówień": invoices the orders shown, oldest first.
pub async fn issue_earlier(
    State(state): State<WebState>,
    tr: Tr,
    UiUser(user): UiUser,
    Form(form): Form<EarlierForm>,
) -> Response {
    let done = match state.app.invoice_earlier_orders(&user, form.count).await {
        Ok(d) => d,
        Err(e) => return page_error(&tr, e),
    };
    let issued = done.iter().filter(|(_, r)| r.is_ok()).count() as i64;
    let failed = done.len() as i64 - issued;
    earlier_page(
        &state,
        &tr,
        &user,
        Some(tr.count("earlier-issued", issued)),
        (failed > 0).then(|| tr.count("earlier-failed", failed)),
    )
    .await
}
