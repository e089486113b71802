//! `/api/v1/ksef`: the KSeF settings (the token write-only: answered as whether it is set
//! and its hint) and `POST /api/v1/ksef/check`.

use axum::Json;
use axum::extract::State;
use axum::extract::rejection::JsonRejection;
use secrecy::SecretString;
use serde::{Deserialize, Serialize};

use crate::WebState;
use crate::api::body;
use crate::auth::ApiUser;
use crate::error::ApiError;
use crate::i18n::Tr;

/// The settings as the API answers them (`components.schemas.KsefSettings`).
#[derive(Debug, Serialize)]
pub(crate) struct KsefSettingsOut {
    environment: &'static str,
    api_url: Option<String>,
    token_set: bool,
    token_hint: Option<String>,
    send_consumer: bool,
    send_from: Option<String>,
    checked: Option<KsefCheckOut>,
    token_problem: Option<String>,
    offline24: bool,
    failure_announced: bool,
    failure_since: Option<String>,
    offline_certificate: Option<OfflineCertificateOut>,
    unreachable_since: Option<String>,
}

/// The Offline certificate as shown (`components.schemas.KsefOfflineCertificate`): never
/// its key.
#[derive(Debug, Serialize)]
pub(crate) struct OfflineCertificateOut {
    serial: String,
    valid_until: String,
}

/// A successful check (`components.schemas.KsefCheck`).
#[derive(Debug, Serialize)]
pub(crate) struct KsefCheckOut {
    nip: String,
    permissions: Vec<String>,
    checked_at: String,
}

impl From<&app::KsefCheck> for KsefCheckOut {
    fn from(c: &app::KsefCheck) -> Self {
        Self {
            nip: c.nip.clone(),
            permissions: c.permissions.clone(),
            checked_at: domain::time::rfc3339(c.at_ms),
        }
    }
}

impl From<&app::KsefSettings> for KsefSettingsOut {
    fn from(s: &app::KsefSettings) -> Self {
        Self {
            environment: s.environment.code(),
            api_url: match &s.environment {
                app::KsefEnvironment::Custom(url) => Some(url.clone()),
                _ => None,
            },
            token_set: s.token_hint.is_some(),
            token_hint: s.token_hint.clone(),
            send_consumer: s.send_consumer,
            send_from: s.send_from.clone(),
            checked: s.checked.as_ref().map(KsefCheckOut::from),
            token_problem: s.token_problem.as_ref().map(|p| Tr::current().problem(p)),
            offline24: s.offline24,
            failure_announced: s.failure_since_ms.is_some(),
            failure_since: s.failure_since_ms.map(domain::time::rfc3339),
            offline_certificate: s.offline_certificate.as_ref().map(|c| OfflineCertificateOut {
                serial: c.serial.clone(),
                valid_until: c.valid_until.clone(),
            }),
            unreachable_since: s.unreachable_since_ms.map(domain::time::rfc3339),
        }
    }
}

/// `PUT /api/v1/ksef`: leaving `token` out keeps the stored one.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct KsefSettingsBody {
    environment: String,
    api_url: Option<String>,
    token: Option<String>,
    #[serde(default)]
    send_consumer: bool,
    send_from: Option<String>,
    #[serde(default)]
    offline24: bool,
    #[serde(default)]
    failure_announced: bool,
}

/// `PUT /api/v1/ksef/offline-certificate`: the certificate and its private key (PEM).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct OfflineCertificateBody {
    certificate: String,
    private_key: String,
}

pub(crate) async fn get_settings(
    State(state): State<WebState>,
    ApiUser(user): ApiUser,
) -> Result<Json<KsefSettingsOut>, ApiError> {
    Ok(Json(KsefSettingsOut::from(&state.app.ksef_settings(&user).await?)))
}

pub(crate) async fn put_settings(
    State(state): State<WebState>,
    ApiUser(user): ApiUser,
    payload: Result<Json<KsefSettingsBody>, JsonRejection>,
) -> Result<Json<KsefSettingsOut>, ApiError> {
    let b = body(payload)?;
    let input = app::KsefSettingsInput {
        environment: super::environment(&b.environment, b.api_url.as_deref())?,
        token: b.token.map(SecretString::from),
        send_consumer: b.send_consumer,
        send_from: b.send_from,
        offline24: b.offline24,
        failure_announced: b.failure_announced,
    };
    Ok(Json(KsefSettingsOut::from(
        &state.app.save_ksef_settings(&user, input).await?,
    )))
}

/// `PUT /api/v1/ksef/offline-certificate`: saves the Offline certificate for KOD II (the
/// key sealed, never answered).
pub(crate) async fn put_offline_certificate(
    State(state): State<WebState>,
    ApiUser(user): ApiUser,
    payload: Result<Json<OfflineCertificateBody>, JsonRejection>,
) -> Result<Json<KsefSettingsOut>, ApiError> {
    let b = body(payload)?;
    let key = SecretString::from(b.private_key);
    Ok(Json(KsefSettingsOut::from(
        &state
            .app
            .save_ksef_offline_certificate(&user, &b.certificate, &key)
            .await?,
    )))
}

/// `DELETE /api/v1/ksef/offline-certificate`.
pub(crate) async fn delete_offline_certificate(
    State(state): State<WebState>,
    ApiUser(user): ApiUser,
) -> Result<Json<KsefSettingsOut>, ApiError> {
    Ok(Json(KsefSettingsOut::from(
        &state.app.remove_ksef_offline_certificate(&user).await?,
    )))
}

/// `GET /api/v1/invoices/{id}/upo`: the UPO XML (404 until KSeF gave the invoice its number).
pub(crate) async fn upo(
    State(state): State<WebState>,
    ApiUser(user): ApiUser,
    axum::extract::Path(raw): axum::extract::Path<String>,
) -> Result<axum::response::Response, ApiError> {
    let id: domain::InvoiceId = crate::api::id(&raw)?;
    let (number, xml) = state.app.invoice_upo(&user, &id).await?;
    Ok(super::ui::upo_response(&number, xml))
}

/// `POST /api/v1/invoices/{id}/ksef/resend`: a refused invoice, its data taken anew from
/// the profile and the order, queued for KSeF again (202); 409 unless KSeF refused it.
pub(crate) async fn resend(
    State(state): State<WebState>,
    ApiUser(user): ApiUser,
    axum::extract::Path(raw): axum::extract::Path<String>,
) -> Result<(axum::http::StatusCode, Json<KsefResendOut>), ApiError> {
    let id: domain::InvoiceId = crate::api::id(&raw)?;
    state.app.resend_to_ksef(&user, &id).await?;
    Ok((
        axum::http::StatusCode::ACCEPTED,
        Json(KsefResendOut {
            state: app::KsefState::Waiting.as_str(),
        }),
    ))
}

/// What "Wyślij ponownie do KSeF" answers (`components.schemas.KsefResend`).
#[derive(Debug, Serialize)]
pub(crate) struct KsefResendOut {
    state: &'static str,
}

pub(crate) async fn check(
    State(state): State<WebState>,
    ApiUser(user): ApiUser,
) -> Result<Json<KsefCheckOut>, ApiError> {
    Ok(Json(KsefCheckOut::from(&state.app.check_ksef_connection(&user).await?)))
}
