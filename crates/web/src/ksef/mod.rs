//! Faktury → KSeF: the organisation's KSeF settings and connection check — the page and
//! the API (`/api/v1/ksef`).

mod api;
mod ui;

use axum::Router;
use axum::routing::{get, post};

use crate::WebState;

/// Routes of the KSeF settings: the page (behind the CSRF check) and the API.
pub(crate) fn router(state: &WebState) -> Router<WebState> {
    let pages = Router::new()
        .route("/invoices/{id}/upo", get(ui::upo))
        .route("/invoices/{id}/ksef-resend", post(ui::resend))
        .route("/invoices/{id}/ksef-compare", post(ui::compare))
        .route("/invoices/ksef", get(ui::page).post(ui::save))
        .route("/invoices/ksef/check", post(ui::check))
        .route("/invoices/ksef/certificate", post(ui::save_certificate))
        .route("/invoices/ksef/certificate/remove", post(ui::remove_certificate));
    let api = Router::new()
        .route("/api/v1/ksef", get(api::get_settings).put(api::put_settings))
        .route("/api/v1/ksef/check", post(api::check))
        .route(
            "/api/v1/ksef/offline-certificate",
            axum::routing::put(api::put_offline_certificate).delete(api::delete_offline_certificate),
        )
        .route("/api/v1/invoices/{id}/upo", get(api::upo))
        .route("/api/v1/invoices/{id}/ksef/resend", post(api::resend));
    crate::auth::csrf_protected(state, pages).merge(api)
}

/// Where an invoice stands with KSeF, in the seller's words.
pub(crate) fn invoice_text(tr: &crate::i18n::Tr, k: &app::InvoiceInKsef) -> String {
    let why = k.problem.as_ref().map(|p| tr.problem(p)).unwrap_or_default();
    if let Some(mode) = k.offline_mode
        && k.state != app::KsefState::Accepted
    {
        let state = match k.state {
            app::KsefState::Rejected => tr.t1("ksef-invoice-rejected", "why", &why),
            app::KsefState::Sent => tr.t("ksef-invoice-sent"),
            _ => tr.t("ksef-invoice-waiting"),
        };
        return tr.args(
            "ksef-invoice-offline",
            &[
                ("mode", &tr.t(&format!("ksef-offline-{}", mode.as_str()))),
                (
                    "deadline",
                    &deadline_text(tr, Some(mode), k.offline_deadline.as_deref()),
                ),
                ("state", &state),
            ],
        );
    }
    match k.state {
        app::KsefState::Accepted => {
            // KSeF gives the moment in RFC 3339 (UTC); the seller reads Polish time.
            let at = k
                .acquired_at
                .as_deref()
                .and_then(|at| at.parse::<jiff::Timestamp>().ok())
                .map_or_else(
                    || "—".to_owned(),
                    |t| domain::time::polish_time_text(t.as_millisecond()),
                );
            tr.args(
                "ksef-invoice-accepted",
                &[("number", k.number.as_deref().unwrap_or("—")), ("at", &at)],
            )
        }
        app::KsefState::Rejected => tr.t1("ksef-invoice-rejected", "why", &why),
        app::KsefState::Sent => tr.t("ksef-invoice-sent"),
        app::KsefState::Waiting if why.is_empty() => tr.t("ksef-invoice-waiting"),
        app::KsefState::Waiting => tr.args(
            "ksef-invoice-waiting-because",
            &[("why", &why), ("next", &domain::time::polish_time_text(k.next_at_ms))],
        ),
    }
}

/// The invoice's way to KSeF step by step, for its page: queued, issued offline (with the
/// deadline), a technical correction, the session, failed attempts, the number or the
/// refusal.
pub(crate) fn history(tr: &crate::i18n::Tr, k: &app::InvoiceInKsef) -> Vec<String> {
    let mut steps = vec![tr.t1(
        "ksef-history-queued",
        "at",
        &domain::time::polish_time_text(k.queued_at_ms),
    )];
    if let Some(mode) = k.offline_mode {
        steps.push(tr.args(
            "ksef-history-offline",
            &[
                ("mode", &tr.t(&format!("ksef-offline-{}", mode.as_str()))),
                (
                    "deadline",
                    &deadline_text(tr, Some(mode), k.offline_deadline.as_deref()),
                ),
            ],
        ));
    }
    if k.technical_correction {
        steps.push(tr.t("ksef-history-technical-correction"));
    }
    if let Some(session) = &k.session {
        steps.push(tr.t1("ksef-history-session", "session", session));
    }
    if k.attempts > 0 {
        steps.push(tr.count("ksef-history-attempts", k.attempts));
    }
    match (k.state, &k.number) {
        (app::KsefState::Accepted, Some(number)) => steps.push(tr.args(
            "ksef-history-accepted",
            &[("number", number), ("mode", k.invoicing_mode.as_deref().unwrap_or("—"))],
        )),
        (app::KsefState::Rejected, _) => steps.push(tr.t("ksef-history-rejected")),
        _ => {}
    }
    steps
}

/// An offline invoice's deadline as the seller reads it: the day, or — while KSeF's
/// unavailability or the failure lasts — how it will be counted from its end.
pub(crate) fn deadline_text(tr: &crate::i18n::Tr, mode: Option<domain::OfflineMode>, deadline: Option<&str>) -> String {
    match (deadline, mode) {
        (Some(day), _) => day.to_owned(),
        (None, Some(domain::OfflineMode::Failure)) => tr.t("ksef-offline-deadline-open-failure"),
        (None, Some(domain::OfflineMode::Unavailable)) => tr.t("ksef-offline-deadline-open-unavailable"),
        (None, _) => tr.t("ksef-offline-deadline-open"),
    }
}

/// The environment a form or a body names: `test`, `demo`, `production`, or `custom` with
/// its URL.
pub(crate) fn environment(code: &str, api_url: Option<&str>) -> Result<app::KsefEnvironment, app::AppError> {
    Ok(match code.trim() {
        "test" | "" => app::KsefEnvironment::Test,
        "demo" => app::KsefEnvironment::Demo,
        "production" => app::KsefEnvironment::Production,
        "custom" => app::KsefEnvironment::Custom(api_url.unwrap_or_default().trim().to_owned()),
        other => {
            return Err(app::invalid(
                "environment",
                app::Problem::new("problem-ksef-environment").arg("value", other),
            ));
        }
    })
}
