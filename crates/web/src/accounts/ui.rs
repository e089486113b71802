//! Pages of linked accounts: the list, re-linking, disconnecting and each account's settings.

use super::connections_ui::SavedQuery;
use crate::WebState;
use crate::auth::UiUser;
use crate::error::page_error;
use crate::i18n::Tr;
use crate::views::Chrome;
use crate::views::parse_id;
use crate::views::render;
use app::{AppError, CurrentUser};
use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use domain::{AccountId, AccountSettings, AccountStatus, ConnectionMode, InvoiceSeries, InvoiceTrigger, VatRate};
use serde::Deserialize;

struct AccountRow {
    id: String,
    login: String,
    status: String,
    status_code: &'static str,
    reason: Option<String>,
    at_risk: bool,
    missing: Option<String>,
    last_sync: String,
    /// The connection it works through, named when the organisation has more than one.
    via: Option<String>,
}

struct ConnectOption {
    id: String,
    label: String,
}

#[derive(Template)]
#[template(path = "accounts.html")]
struct AccountsPage {
    c: Chrome,
    rows: Vec<AccountRow>,
    any_needs_relogin: bool,
    connectable: Vec<ConnectOption>,
}

pub(crate) fn connection_label(t: &Tr, c: &store::Connection) -> String {
    let env = t.t(&format!("env-{}", c.environment.as_str()));
    let mode = t.t(&format!("mode-{}", c.mode.as_str()));
    match &c.client_id {
        Some(id) if c.mode == ConnectionMode::OwnApp => {
            format!("{mode} · {env} · {}…", id.chars().take(8).collect::<String>())
        }
        _ => format!("{mode} · {env}"),
    }
}

fn missing_scopes(t: &Tr, granted: &str) -> Option<String> {
    let missing: Vec<String> = app::scopes::REQUIRED_BY_BRIDGE
        .iter()
        .filter(|s| !granted.split_whitespace().any(|g| g == **s))
        .filter_map(|s| app::scopes::find(s))
        .map(|s| format!("{} ({})", s.group, s.name))
        .collect();
    (!missing.is_empty()).then(|| t.t1("missing-scopes", "scopes", &missing.join(", ")))
}

pub async fn accounts(State(state): State<WebState>, tr: Tr, UiUser(user): UiUser) -> Response {
    let result = async {
        let accounts = state.app.accounts(&user).await?;
        let connections = state.app.connections(&user.organisation_id).await?;
        Ok::<_, AppError>((accounts, connections))
    }
    .await;
    let (accounts, connections) = match result {
        Ok(v) => v,
        Err(e) => return page_error(&tr, e),
    };
    let rows = accounts
        .iter()
        .map(|a| AccountRow {
            id: a.id.to_string(),
            login: a.login.clone(),
            status: tr.t(&format!("status-{}", a.status.as_str())),
            status_code: a.status.as_str(),
            reason: a
                .status_reason
                .as_ref()
                .filter(|_| a.status == AccountStatus::NeedsRelogin)
                .map(|r| tr.t(&format!("reason-{r}"))),
            at_risk: state.app.at_risk(a),
            missing: (a.status == AccountStatus::Active)
                .then(|| missing_scopes(&tr, &a.scopes))
                .flatten(),
            last_sync: a
                .last_sync_at_ms
                .map_or_else(|| tr.t("never"), domain::time::polish_time_text),
            via: connections
                .iter()
                .find(|c| c.id == a.connection_id)
                .filter(|_| connections.len() > 1)
                .map(|c| tr.t1("account-via", "connection", &connection_label(&tr, c))),
        })
        .collect();
    let mut connectable: Vec<ConnectOption> = connections
        .iter()
        .filter(|c| c.mode == ConnectionMode::ServiceApp || c.client_id.is_some())
        .map(|c| ConnectOption {
            id: c.id.to_string(),
            label: connection_label(&tr, c),
        })
        .collect();
    // With the operator's app configured, the button works before any connection exists.
    if state.app.config().service_app.is_some() && !connections.iter().any(|c| c.mode == ConnectionMode::ServiceApp) {
        connectable.insert(
            0,
            ConnectOption {
                id: "service".into(),
                label: tr.t("mode-service_app"),
            },
        );
    }
    render(&AccountsPage {
        c: Chrome::for_user(&tr, &user),
        any_needs_relogin: accounts.iter().any(|a| a.status == AccountStatus::NeedsRelogin),
        rows,
        connectable,
    })
}

pub async fn relink(State(state): State<WebState>, tr: Tr, UiUser(user): UiUser, Path(id): Path<String>) -> Response {
    let result = async {
        let aid: AccountId = parse_id(&id)?;
        let account = state.app.account(&user, &aid).await?;
        state.app.start_link(&user, &account.connection_id, Some(&aid)).await
    }
    .await;
    match result {
        Ok(url) => Redirect::to(url.as_str()).into_response(),
        Err(e) => page_error(&tr, e),
    }
}

#[derive(Template)]
#[template(path = "disconnect.html")]
struct DisconnectPage {
    c: Chrome,
    id: String,
    login: String,
}

pub async fn disconnect_form(
    State(state): State<WebState>,
    tr: Tr,
    UiUser(user): UiUser,
    Path(id): Path<String>,
) -> Response {
    let result = async {
        let aid: AccountId = parse_id(&id)?;
        state.app.account(&user, &aid).await
    }
    .await;
    match result {
        Ok(a) => render(&DisconnectPage {
            c: Chrome::for_user(&tr, &user),
            id: a.id.to_string(),
            login: a.login,
        }),
        Err(e) => page_error(&tr, e),
    }
}

pub async fn disconnect(
    State(state): State<WebState>,
    tr: Tr,
    UiUser(user): UiUser,
    Path(id): Path<String>,
) -> Response {
    let result = async {
        let aid: AccountId = parse_id(&id)?;
        state.app.disconnect(&user, &aid).await
    }
    .await;
    match result {
        Ok(()) => Redirect::to("/accounts").into_response(),
        Err(e) => page_error(&tr, e),
    }
}

#[derive(Template)]
#[template(path = "settings.html")]
struct SettingsPage {
    c: Chrome,
    id: String,
    login: String,
    enabled: bool,
    every_order: bool,
    follows_goods: bool,
    sent_on_waybill: bool,
    cod_sale_when_sent: bool,
    series: String,
    /// (value, words, chosen): "23%", "zw — zwolnione z VAT".
    goods_rates: Vec<(&'static str, String, bool)>,
    delivery_rates: Vec<(&'static str, String, bool)>,
    triggers: Vec<(&'static str, String, bool)>,
    saved: bool,
    error: Option<String>,
    /// No invoicing details yet: switching invoices on issues nothing until they exist.
    profile_missing: bool,
}

/// What the settings page says beside the form.
struct SettingsNotes {
    saved: bool,
    error: Option<String>,
    profile_missing: bool,
}

fn settings_page(
    tr: &Tr,
    user: &CurrentUser,
    account: &store::Account,
    s: &AccountSettings,
    series: String,
    notes: SettingsNotes,
) -> Response {
    render(&SettingsPage {
        c: Chrome::for_user(tr, user),
        id: account.id.to_string(),
        login: account.login.clone(),
        enabled: s.enabled,
        every_order: s.invoice_every_order,
        follows_goods: s.delivery_follows_goods,
        sent_on_waybill: s.sent_on_waybill,
        cod_sale_when_sent: s.cod_sale_when_sent,
        series,
        goods_rates: VatRate::ALL
            .iter()
            .map(|r| {
                (
                    r.polish_code().unwrap_or_default(),
                    tr.t(&format!("vat-rate-{}", r.polish_code().unwrap_or_default())),
                    *r == s.vat_goods,
                )
            })
            .collect(),
        delivery_rates: VatRate::ALL
            .iter()
            .map(|r| {
                (
                    r.polish_code().unwrap_or_default(),
                    tr.t(&format!("vat-rate-{}", r.polish_code().unwrap_or_default())),
                    *r == s.vat_delivery,
                )
            })
            .collect(),
        triggers: InvoiceTrigger::ALL
            .iter()
            .map(|t| {
                (
                    t.as_str(),
                    tr.t(&format!("trigger-{}", t.as_str())),
                    *t == s.invoice_trigger,
                )
            })
            .collect(),
        saved: notes.saved,
        error: notes.error,
        profile_missing: notes.profile_missing,
    })
}

pub async fn settings(
    State(state): State<WebState>,
    tr: Tr,
    UiUser(user): UiUser,
    Path(id): Path<String>,
    Query(q): Query<SavedQuery>,
) -> Response {
    let result = async {
        let aid: AccountId = parse_id(&id)?;
        let account = state.app.account(&user, &aid).await?;
        let s = state.app.settings(&user, &aid).await?;
        let profile_missing = state.app.invoicing_profile(&user).await?.is_none();
        Ok::<_, AppError>((account, s, profile_missing))
    }
    .await;
    match result {
        Ok((account, s, profile_missing)) => {
            let series = s.invoice_series.as_str().to_owned();
            let notes = SettingsNotes {
                saved: q.saved.is_some(),
                error: None,
                profile_missing,
            };
            settings_page(&tr, &user, &account, &s, series, notes)
        }
        Err(e) => page_error(&tr, e),
    }
}

#[derive(Deserialize)]
pub struct SettingsForm {
    enabled: Option<String>,
    invoice_every_order: Option<String>,
    delivery_follows_goods: Option<String>,
    sent_on_waybill: Option<String>,
    cod_sale_when_sent: Option<String>,
    vat_goods: String,
    vat_delivery: String,
    invoice_trigger: String,
    invoice_series: String,
}

/// Parses the settings form; the error names the field.
/// The yes/no choices of the settings form.
#[derive(Debug, Clone, Copy, Default)]
pub struct SettingsChoices {
    /// Invoice every order.
    pub every_order: bool,
    /// Delivery follows the goods' rate.
    pub delivery_follows_goods: bool,
    /// SENT on Allegro once a waybill is there.
    pub sent_on_waybill: bool,
    /// A cash-on-delivery sale counts from sending, not from pickup.
    pub cod_sale_when_sent: bool,
}

pub fn parse_settings(
    enabled: bool,
    goods: &str,
    delivery: &str,
    trigger: &str,
    series: &str,
    choices: SettingsChoices,
) -> Result<AccountSettings, AppError> {
    Ok(AccountSettings {
        enabled,
        invoice_every_order: choices.every_order,
        delivery_follows_goods: choices.delivery_follows_goods,
        sent_on_waybill: choices.sent_on_waybill,
        cod_sale_when_sent: choices.cod_sale_when_sent,
        vat_goods: goods
            .parse()
            .map_err(|e: domain::DomainError| app::invalid("vat_goods", e))?,
        vat_delivery: delivery
            .parse()
            .map_err(|e: domain::DomainError| app::invalid("vat_delivery", e))?,
        invoice_trigger: trigger
            .parse()
            .map_err(|e: domain::DomainError| app::invalid("invoice_trigger", e))?,
        invoice_series: InvoiceSeries::parse(series).map_err(|e| app::invalid("invoice_series", e))?,
    })
}

pub async fn save_settings(
    State(state): State<WebState>,
    tr: Tr,
    UiUser(user): UiUser,
    Path(id): Path<String>,
    Form(form): Form<SettingsForm>,
) -> Response {
    let aid: AccountId = match parse_id(&id) {
        Ok(a) => a,
        Err(e) => return page_error(&tr, e),
    };
    let parsed = parse_settings(
        form.enabled.is_some(),
        &form.vat_goods,
        &form.vat_delivery,
        &form.invoice_trigger,
        &form.invoice_series,
        SettingsChoices {
            every_order: form.invoice_every_order.is_some(),
            delivery_follows_goods: form.delivery_follows_goods.is_some(),
            sent_on_waybill: form.sent_on_waybill.is_some(),
            cod_sale_when_sent: form.cod_sale_when_sent.is_some(),
        },
    );
    let saved = match parsed {
        Ok(s) => state.app.save_settings(&user, &aid, &s).await,
        Err(e) => Err(e),
    };
    match saved {
        Ok(()) => Redirect::to(&format!("/accounts/{id}/settings?saved=1")).into_response(),
        Err(AppError::Validation { field, problem }) => {
            let account = match state.app.account(&user, &aid).await {
                Ok(a) => a,
                Err(e) => return page_error(&tr, e),
            };
            // The page shows what the seller chose, not what is stored: a wrong series
            // must not undo the rates, trigger and choices picked beside it.
            let stored = state.app.settings(&user, &aid).await.unwrap_or_default();
            let current = AccountSettings {
                enabled: form.enabled.is_some(),
                invoice_every_order: form.invoice_every_order.is_some(),
                delivery_follows_goods: form.delivery_follows_goods.is_some(),
                sent_on_waybill: form.sent_on_waybill.is_some(),
                cod_sale_when_sent: form.cod_sale_when_sent.is_some(),
                vat_goods: VatRate::parse_polish(&form.vat_goods).unwrap_or(stored.vat_goods),
                vat_delivery: VatRate::parse_polish(&form.vat_delivery).unwrap_or(stored.vat_delivery),
                invoice_trigger: form.invoice_trigger.parse().unwrap_or(stored.invoice_trigger),
                invoice_series: stored.invoice_series,
            };
            let notes = SettingsNotes {
                saved: false,
                error: Some(tr.invalid(field, &problem)),
                profile_missing: matches!(state.app.invoicing_profile(&user).await, Ok(None)),
            };
            let mut r = settings_page(&tr, &user, &account, &current, form.invoice_series, notes);
            *r.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
            r
        }
        Err(e) => page_error(&tr, e),
    }
}
