//! Faktury → Kursy NBP: the tables the organisation's invoices wait for, the rates on
//! record, and a file of NBP's table the seller loads for their own invoices when NBP
//! cannot be asked.

use askama::Template;
use axum::extract::{Multipart, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use crate::WebState;
use crate::auth::UiUser;
use crate::error::page_error;
use crate::i18n::Tr;
use crate::views::{Chrome, render};

/// A rate on record, as the page shows it.
struct RateRow {
    day: String,
    currency: String,
    rate: String,
    table: String,
    source: String,
}

#[derive(Template)]
#[template(path = "rates.html")]
struct RatesPage {
    c: Chrome,
    /// The tables invoices wait for, in words, and a line to copy for each.
    missing: Vec<(String, String)>,
    rows: Vec<RateRow>,
    loaded: Option<String>,
    error: Option<String>,
}

/// `?loaded=N` after a file was stored.
#[derive(Debug, Deserialize, Default)]
pub struct Loaded {
    loaded: Option<i64>,
}

async fn rates_page(
    state: &WebState,
    tr: &Tr,
    user: &app::CurrentUser,
    loaded: Option<i64>,
    error: Option<String>,
) -> Response {
    let found = async {
        Ok::<_, app::AppError>((
            state.app.rates_missing(&user.organisation_id).await?,
            state.app.rates_on_record(user, 60).await?,
        ))
    }
    .await;
    let (missing, on_record) = match found {
        Ok(v) => v,
        Err(e) => return page_error(tr, e),
    };
    render(&RatesPage {
        c: Chrome::for_user(tr, user),
        missing: missing
            .iter()
            .map(|(currency, day, n)| {
                (
                    tr.count_args("rates-missing-item", *n, &[("currency", currency), ("day", day)]),
                    format!("{currency};{day};…;…/A/NBP/{}", day.get(..4).unwrap_or_default()),
                )
            })
            .collect(),
        rows: on_record
            .into_iter()
            .map(|r| RateRow {
                day: r.rate.effective_date,
                currency: r.rate.currency,
                rate: r.rate.rate.polish(),
                table: r.rate.table_no,
                source: match r.own_file {
                    Some(file) => tr.t1("rates-source-own", "file", &file),
                    None => tr.t("rates-source-nbp"),
                },
            })
            .collect(),
        loaded: loaded.map(|n| tr.count("rates-loaded", n)),
        error,
    })
}

/// The page.
pub async fn rates(State(state): State<WebState>, tr: Tr, UiUser(user): UiUser, Query(q): Query<Loaded>) -> Response {
    rates_page(&state, &tr, &user, q.loaded, None).await
}

/// "Wczytaj kursy": a file of `waluta;RRRR-MM-DD;kurs;tabela` lines (multipart). Every
/// line is checked first; a bad one is named with its line and nothing is stored.
pub async fn load(State(state): State<WebState>, tr: Tr, UiUser(user): UiUser, form: Multipart) -> Response {
    let upload = match crate::upload::read_upload(form, &tr, state.max_upload_bytes).await {
        Ok(u) => u,
        Err(r) => return r,
    };
    let refuse = |text: String| async {
        let mut page = rates_page(&state, &tr, &user, None, Some(text)).await;
        *page.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
        page
    };
    let Some((name, _, bytes)) = upload.file.filter(|(n, _, b)| !n.is_empty() || !b.is_empty()) else {
        return refuse(tr.t("rates-choose-file")).await;
    };
    let Ok(text) = std::str::from_utf8(&bytes) else {
        return refuse(tr.t1("rates-not-utf8", "file", &name)).await;
    };
    match state.app.load_organisation_rates(&user, &name, text).await {
        Ok(n) => Redirect::to(&format!("/invoices/rates?loaded={n}")).into_response(),
        Err(app::AppError::Validation { problem, .. }) => refuse(tr.problem(&problem)).await,
        Err(e) => page_error(&tr, e),
    }
}
