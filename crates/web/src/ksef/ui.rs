//! The "KSeF" page under Faktury: environment, token (write-only, shown as its hint), what
//! is sent, and "Sprawdź połączenie".

use askama::Template;
use axum::Form;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use secrecy::SecretString;
use serde::Deserialize;

use crate::WebState;
use crate::auth::UiUser;
use crate::error::page_error;
use crate::i18n::Tr;
use crate::views::{Chrome, render};

#[derive(Template)]
#[template(path = "ksef.html")]
struct KsefPage {
    c: Chrome,
    f: KsefForm,
    token_hint: Option<String>,
    token_problem: Option<String>,
    checked: Option<String>,
    /// The Offline certificate's serial and validity, when set.
    certificate: Option<String>,
    /// "KSeF nie odpowiada od …" while it does not.
    unreachable: Option<String>,
    /// "Awaria KSeF ogłoszona od …" while declared.
    failure: Option<String>,
    saved: bool,
    error: Option<String>,
}

/// The form's fields as typed; the token is never sent back to the browser.
#[derive(Deserialize, Default, Clone)]
pub struct KsefForm {
    #[serde(default)]
    environment: String,
    #[serde(default)]
    api_url: String,
    #[serde(default)]
    token: String,
    #[serde(default)]
    send_consumer: Option<String>,
    #[serde(default)]
    send_from: String,
    #[serde(default)]
    offline24: Option<String>,
    #[serde(default)]
    failure_announced: Option<String>,
}

/// The Offline certificate form: the certificate and its key (PEM), never shown back.
#[derive(Deserialize, Default)]
pub struct CertificateForm {
    #[serde(default)]
    certificate: String,
    #[serde(default)]
    private_key: String,
}

/// `?saved=1` after saving, `?checked=1` after a good check.
#[derive(Deserialize, Default)]
pub struct Done {
    saved: Option<String>,
}

fn form_of(s: &app::KsefSettings) -> KsefForm {
    KsefForm {
        environment: s.environment.code().to_owned(),
        api_url: match &s.environment {
            app::KsefEnvironment::Custom(url) => url.clone(),
            _ => String::new(),
        },
        token: String::new(),
        send_consumer: s.send_consumer.then(|| "1".to_owned()),
        send_from: s.send_from.clone().unwrap_or_default(),
        offline24: s.offline24.then(|| "1".to_owned()),
        failure_announced: s.failure_since_ms.is_some().then(|| "1".to_owned()),
    }
}

fn checked_text(tr: &Tr, check: &app::KsefCheck) -> String {
    tr.args(
        "ksef-checked",
        &[
            ("nip", &check.nip),
            ("permissions", &check.permissions.join(", ")),
            ("at", &domain::time::polish_time_text(check.at_ms)),
        ],
    )
}

async fn show(
    state: &WebState,
    tr: &Tr,
    user: &app::CurrentUser,
    form: Option<KsefForm>,
    saved: bool,
    error: Option<String>,
) -> Response {
    let settings = match state.app.ksef_settings(user).await {
        Ok(s) => s,
        Err(e) => return page_error(tr, e),
    };
    let failed = error.is_some();
    let mut page = render(&KsefPage {
        c: Chrome::for_user(tr, user),
        f: form.unwrap_or_else(|| form_of(&settings)),
        token_hint: settings.token_hint.clone(),
        token_problem: settings.token_problem.as_ref().map(|p| tr.problem(p)),
        checked: settings.checked.as_ref().map(|c| checked_text(tr, c)),
        certificate: settings.offline_certificate.as_ref().map(|c| {
            tr.args(
                "ksef-certificate-set",
                &[("serial", &c.serial), ("until", &c.valid_until)],
            )
        }),
        unreachable: settings
            .unreachable_since_ms
            .map(|at| tr.t1("ksef-unreachable-since", "at", &domain::time::polish_time_text(at))),
        failure: settings
            .failure_since_ms
            .map(|at| tr.t1("ksef-failure-since", "at", &domain::time::polish_time_text(at))),
        saved,
        error,
    });
    if failed {
        *page.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    }
    page
}

pub async fn page(State(state): State<WebState>, tr: Tr, UiUser(user): UiUser, Query(done): Query<Done>) -> Response {
    show(&state, &tr, &user, None, done.saved.is_some(), None).await
}

pub async fn save(State(state): State<WebState>, tr: Tr, UiUser(user): UiUser, Form(f): Form<KsefForm>) -> Response {
    let result = async {
        let input = app::KsefSettingsInput {
            environment: super::environment(&f.environment, Some(&f.api_url))?,
            token: Some(f.token.trim().to_owned())
                .filter(|t| !t.is_empty())
                .map(SecretString::from),
            send_consumer: f.send_consumer.is_some(),
            send_from: Some(f.send_from.clone()),
            offline24: f.offline24.is_some(),
            failure_announced: f.failure_announced.is_some(),
        };
        state.app.save_ksef_settings(&user, input).await
    }
    .await;
    match result {
        Ok(_) => Redirect::to("/invoices/ksef?saved=1").into_response(),
        Err(app::AppError::Validation { field, problem }) => {
            // The typed token is not sent back: it is a secret.
            let kept = KsefForm {
                token: String::new(),
                ..f
            };
            show(&state, &tr, &user, Some(kept), false, Some(tr.invalid(field, &problem))).await
        }
        Err(e) => page_error(&tr, e),
    }
}

/// Saves the Offline certificate and its key (sealed; the key never shown back).
pub async fn save_certificate(
    State(state): State<WebState>,
    tr: Tr,
    UiUser(user): UiUser,
    Form(f): Form<CertificateForm>,
) -> Response {
    let key = SecretString::from(f.private_key);
    match state
        .app
        .save_ksef_offline_certificate(&user, &f.certificate, &key)
        .await
    {
        Ok(_) => Redirect::to("/invoices/ksef?saved=1").into_response(),
        Err(app::AppError::Validation { field, problem }) => {
            show(&state, &tr, &user, None, false, Some(tr.invalid(field, &problem))).await
        }
        Err(e) => page_error(&tr, e),
    }
}

/// Forgets the Offline certificate.
pub async fn remove_certificate(State(state): State<WebState>, tr: Tr, UiUser(user): UiUser) -> Response {
    match state.app.remove_ksef_offline_certificate(&user).await {
        Ok(_) => Redirect::to("/invoices/ksef?saved=1").into_response(),
        Err(e) => page_error(&tr, e),
    }
}

/// The invoice's UPO (KSeF's receipt) as an XML download.
pub async fn upo(
    State(state): State<WebState>,
    tr: Tr,
    UiUser(user): UiUser,
    axum::extract::Path(id): axum::extract::Path<domain::InvoiceId>,
) -> Response {
    match state.app.invoice_upo(&user, &id).await {
        Ok((number, xml)) => upo_response(&number, xml),
        Err(e) => page_error(&tr, e),
    }
}

/// "Wyślij ponownie do KSeF" on a refused invoice's page.
pub async fn resend(
    State(state): State<WebState>,
    tr: Tr,
    UiUser(user): UiUser,
    axum::extract::Path(id): axum::extract::Path<domain::InvoiceId>,
) -> Response {
    match state.app.resend_to_ksef(&user, &id).await {
        Ok(()) => Redirect::to(&format!("/invoices/{id}")).into_response(),
        Err(e) => page_error(&tr, e),
    }
}

/// "Porównaj z KSeF": the invoice's page again, saying whether KSeF's copy is ours.
pub async fn compare(
    State(state): State<WebState>,
    tr: Tr,
    UiUser(user): UiUser,
    axum::extract::Path(id): axum::extract::Path<domain::InvoiceId>,
) -> Response {
    match state.app.compare_with_ksef(&user, &id).await {
        Ok(app::KsefComparison::Same) => Redirect::to(&format!("/invoices/{id}?compared=same")).into_response(),
        Ok(app::KsefComparison::Different { .. }) => {
            Redirect::to(&format!("/invoices/{id}?compared=different")).into_response()
        }
        Err(e) => page_error(&tr, e),
    }
}

/// A UPO as an XML attachment named by its KSeF number.
pub(crate) fn upo_response(number: &str, xml: Vec<u8>) -> Response {
    (
        [
            (
                axum::http::header::CONTENT_TYPE,
                "application/xml; charset=utf-8".to_owned(),
            ),
            (
                axum::http::header::CONTENT_DISPOSITION,
                crate::content_disposition("attachment", &format!("UPO-{number}.xml")),
            ),
        ],
        xml,
    )
        .into_response()
}

pub async fn check(State(state): State<WebState>, tr: Tr, UiUser(user): UiUser) -> Response {
    match state.app.check_ksef_connection(&user).await {
        Ok(_) => Redirect::to("/invoices/ksef").into_response(),
        Err(app::AppError::Validation { problem, .. } | app::AppError::Conflict(problem)) => {
            show(&state, &tr, &user, None, false, Some(tr.problem(&problem))).await
        }
        Err(e) => page_error(&tr, e),
    }
}
