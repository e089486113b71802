//! The control API under `/__ksef/` (JSON in and out; errors `{"error": "..."}`): KSeF
//! tokens as a taxpayer's app would generate them, Offline certificates, faults,
//! settings, the clock, key rotation and statistics. Documented in the crate's README.

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post, put};
use axum::{Json, Router};
use ksef_api_types::{PublicKeyCertificateUsage, RateLimitValues, ReferenceNumber};
use serde::{Deserialize, Serialize};

use crate::limits::Group;
use crate::respond::{control_error, json};
use crate::state::KsefToken;
use crate::{KsefEmulator, Profile};

/// Lifetimes, sizes and the profile.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct Settings {
    /// `test` or `prod`.
    pub profile: Profile,
    /// How long a login stays at status 100 before its final status.
    pub auth_delay_ms: i64,
    /// Access token lifetime (KSeF: 15 minutes).
    pub access_token_ttl_seconds: i64,
    /// Refresh token lifetime (KSeF: 7 days).
    pub refresh_token_ttl_seconds: i64,
    /// Authentication token lifetime.
    pub authentication_token_ttl_seconds: i64,
    /// Session lifetime (KSeF: 12 hours).
    pub session_ttl_seconds: i64,
    /// Invoices per session (KSeF: 10 000).
    pub max_invoices_per_session: usize,
    /// Bytes per invoice without attachments (KSeF: 1 000 000).
    pub max_invoice_bytes: usize,
    /// Bytes per invoice with attachments (KSeF: 3 000 000).
    pub max_invoice_bytes_with_attachments: usize,
    /// From acceptance until the invoice can be downloaded (21165 before).
    pub storage_delay_ms: i64,
    /// Lifetime of presigned links.
    pub presigned_ttl_seconds: i64,
    /// From close until a session is processed (status 170 meanwhile).
    pub close_delay_ms: i64,
    /// In the `test` profile, name the receiver in UPOs as TEST does ("… środowisko
    /// testowe (TE)"), which the official XSD's fixed value refuses. Off by default, so
    /// every UPO validates against `upo-v4-3.xsd`.
    pub test_receiver_name_in_upo: bool,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            profile: Profile::Test,
            auth_delay_ms: 0,
            access_token_ttl_seconds: 900,
            refresh_token_ttl_seconds: 7 * 86_400,
            authentication_token_ttl_seconds: 2_700,
            session_ttl_seconds: 12 * 3_600,
            max_invoices_per_session: 10_000,
            max_invoice_bytes: 1_000_000,
            max_invoice_bytes_with_attachments: 3_000_000,
            storage_delay_ms: 0,
            presigned_ttl_seconds: 3_600,
            close_delay_ms: 0,
            test_receiver_name_in_upo: false,
        }
    }
}

/// Failures to inject.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct Faults {
    /// Every `/v2` call answers 503, as during a KSeF failure.
    pub unavailable: bool,
    /// Share (0.0–1.0) of `/v2` calls answered 500.
    pub error_share: f64,
    /// Delay before every `/v2` answer (network latency).
    pub latency_ms: u64,
    /// Time an invoice stays at 150 before its outcome.
    pub processing_delay_ms: i64,
}

/// Requests and invoices counted so far.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Stats {
    /// Every `/v2` request.
    pub total: u64,
    /// By `METHOD /route`.
    pub by_endpoint: BTreeMap<String, u64>,
    /// By HTTP status.
    pub by_status: BTreeMap<String, u64>,
    /// Invoices by final status code.
    pub invoices_by_status: BTreeMap<String, u64>,
}

impl Stats {
    pub(crate) fn count_request(&mut self, endpoint: &str, status: u16) {
        self.total += 1;
        *self.by_endpoint.entry(endpoint.to_owned()).or_default() += 1;
        *self.by_status.entry(status.to_string()).or_default() += 1;
    }

    pub(crate) fn count_invoice(&mut self, code: i32) {
        *self.invoices_by_status.entry(code.to_string()).or_default() += 1;
    }
}

/// `POST /__ksef/tokens`.
#[derive(Debug, Clone, Deserialize)]
pub struct NewToken {
    /// The context NIP.
    pub nip: String,
    /// e.g. `["InvoiceWrite", "InvoiceRead"]`.
    #[serde(default)]
    pub permissions: Vec<String>,
    /// For people.
    #[serde(default)]
    pub description: Option<String>,
}

pub(crate) fn create_token(emu: &KsefEmulator, request: NewToken) -> Result<(String, String), String> {
    if !ksef_api_types::nip_shape(&request.nip) {
        return Err(format!("{} is not a NIP", request.nip));
    }
    let now = emu.now_ms();
    let reference = ReferenceNumber::generate(&crate::clock::yyyymmdd(now), "EC", rand::random());
    let secret: String = (0..32).map(|_| format!("{:02x}", rand::random::<u8>())).collect();
    let token = format!("{reference}|nip-{}|{secret}", request.nip);
    emu.state.lock().tokens.insert(
        token.clone(),
        KsefToken {
            reference: reference.clone(),
            nip: request.nip,
            permissions: request.permissions,
            description: request.description.unwrap_or_else(|| "Token KSeF".to_owned()),
            active: true,
            created_ms: now,
        },
    );
    Ok((token, reference.to_string()))
}

pub(crate) fn issue_offline_certificate(emu: &KsefEmulator, nip: &str) -> anyhow::Result<(String, String, String)> {
    use x509_cert::der::{DecodePem, Encode};
    let (cert_pem, key_pem, serial) = emu.keys.read().issue_offline(nip, emu.now_ms())?;
    let cert = x509_cert::Certificate::from_pem(cert_pem.as_bytes())?;
    let spki_der = cert.tbs_certificate.subject_public_key_info.to_der()?;
    emu.state.lock().offline_certificates.insert(
        serial.clone(),
        crate::state::OfflineCertificate {
            nip: nip.to_owned(),
            spki_der,
        },
    );
    Ok((cert_pem, key_pem, serial))
}

async fn post_token(State(emu): State<Arc<KsefEmulator>>, Json(request): Json<NewToken>) -> Response {
    match create_token(&emu, request) {
        Ok((token, reference)) => json(
            StatusCode::CREATED,
            &serde_json::json!({ "token": token, "referenceNumber": reference }),
        ),
        Err(e) => control_error(StatusCode::BAD_REQUEST, e),
    }
}

#[derive(Deserialize)]
struct Nip {
    nip: String,
}

async fn post_offline_certificate(State(emu): State<Arc<KsefEmulator>>, Json(body): Json<Nip>) -> Response {
    match issue_offline_certificate(&emu, &body.nip) {
        Ok((certificate_pem, private_key_pem, serial)) => json(
            StatusCode::CREATED,
            &serde_json::json!({
                "certificate_pem": certificate_pem,
                "private_key_pem": private_key_pem,
                "serial": serial,
            }),
        ),
        Err(e) => control_error(StatusCode::BAD_REQUEST, e.to_string()),
    }
}

#[derive(Deserialize)]
struct FaultsBody {
    #[serde(flatten)]
    faults: Faults,
    /// Reject the next `count` invoices with `code`.
    reject_next: Option<RejectNext>,
}

#[derive(Deserialize)]
struct RejectNext {
    count: usize,
    code: i32,
}

async fn put_faults(State(emu): State<Arc<KsefEmulator>>, Json(body): Json<FaultsBody>) -> Response {
    if !(0.0..=1.0).contains(&body.faults.error_share) {
        return control_error(StatusCode::BAD_REQUEST, "error_share must be between 0.0 and 1.0");
    }
    if let Some(r) = body.reject_next {
        if ![405, 410, 415, 430, 435, 450, 500, 550].contains(&r.code) {
            return control_error(
                StatusCode::BAD_REQUEST,
                "reject_next.code must be an invoice failure status",
            );
        }
        emu.state.lock().reject_next = vec![r.code; r.count];
    }
    emu.set_faults(body.faults.clone());
    json(StatusCode::OK, &body.faults)
}

async fn get_faults(State(emu): State<Arc<KsefEmulator>>) -> Response {
    json(StatusCode::OK, &*emu.faults.read())
}

#[derive(Deserialize)]
struct SettingsBody {
    #[serde(flatten)]
    settings: Settings,
    /// `false` turns the rate limits off.
    rate_limits: Option<bool>,
    /// Per group, e.g. `{"invoiceSend": {"perSecond": 10, "perMinute": 30, "perHour": 180}}`.
    limits: Option<BTreeMap<Group, RateLimitValues>>,
}

async fn put_settings(State(emu): State<Arc<KsefEmulator>>, Json(body): Json<SettingsBody>) -> Response {
    emu.set_settings(body.settings.clone());
    let mut limiter = emu.limiter.lock();
    if let Some(enabled) = body.rate_limits {
        limiter.enabled = enabled;
    }
    if let Some(limits) = body.limits {
        limiter.limits.extend(limits);
    }
    limiter.reset();
    json(StatusCode::OK, &body.settings)
}

async fn get_settings(State(emu): State<Arc<KsefEmulator>>) -> Response {
    let limiter = emu.limiter.lock();
    json(
        StatusCode::OK,
        &serde_json::json!({
            "settings": *emu.settings.read(),
            "rate_limits": limiter.enabled,
            "limits": limiter.limits,
        }),
    )
}

#[derive(Deserialize)]
struct Advance {
    seconds: i64,
}

async fn advance(State(emu): State<Arc<KsefEmulator>>, Json(body): Json<Advance>) -> Response {
    emu.advance_clock(body.seconds);
    json(
        StatusCode::OK,
        &serde_json::json!({ "now": crate::clock::iso(emu.now_ms()) }),
    )
}

async fn clock(State(emu): State<Arc<KsefEmulator>>) -> Response {
    json(
        StatusCode::OK,
        &serde_json::json!({ "now": crate::clock::iso(emu.now_ms()) }),
    )
}

async fn stats(State(emu): State<Arc<KsefEmulator>>) -> Response {
    json(StatusCode::OK, &emu.stats())
}

#[derive(Deserialize)]
struct Rotate {
    usage: PublicKeyCertificateUsage,
    #[serde(default)]
    emergency: bool,
}

async fn rotate(State(emu): State<Arc<KsefEmulator>>, Json(body): Json<Rotate>) -> Response {
    let now = emu.now_ms();
    match emu.keys.write().rotate(body.usage, body.emergency, now) {
        Ok(()) => json(StatusCode::OK, &serde_json::json!({ "rotated": body.usage })),
        Err(e) => control_error(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()),
    }
}

#[derive(Deserialize)]
struct Revoke {
    reference_number: String,
}

async fn revoke(State(emu): State<Arc<KsefEmulator>>, Json(body): Json<Revoke>) -> Response {
    if emu.revoke_token(&body.reference_number) {
        json(StatusCode::OK, &serde_json::json!({ "revoked": body.reference_number }))
    } else {
        control_error(StatusCode::NOT_FOUND, "no such token")
    }
}

pub(crate) fn router() -> Router<Arc<KsefEmulator>> {
    Router::new()
        .route("/__ksef/tokens", post(post_token))
        .route("/__ksef/tokens/revoke", post(revoke))
        .route("/__ksef/offline-certificates", post(post_offline_certificate))
        .route("/__ksef/faults", put(put_faults).get(get_faults))
        .route("/__ksef/settings", put(put_settings).get(get_settings))
        .route("/__ksef/clock", get(clock))
        .route("/__ksef/clock/advance", post(advance))
        .route("/__ksef/keys/rotate", post(rotate))
        .route("/__ksef/stats", get(stats))
}
