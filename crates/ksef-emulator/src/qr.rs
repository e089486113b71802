//! The QR host: KOD I (`/invoice/{nip}/{DD-MM-YYYY}/{hash}`) says whether that invoice is
//! in KSeF and under which number; KOD II (`/certificate/…/{signature}`) checks the
//! issuer's signature against an Offline certificate the emulator issued.

use std::sync::Arc;

use axum::Router;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

use crate::KsefEmulator;

fn answer(headers: &HeaderMap, status: StatusCode, body: serde_json::Value, text: &str) -> Response {
    let wants_json = headers
        .get("accept")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|a| a.contains("application/json"));
    if wants_json {
        (status, axum::Json(body)).into_response()
    } else {
        let escaped = text.replace('&', "&amp;").replace('<', "&lt;");
        (status, Html(format!("<!doctype html><html lang=\"pl\"><meta charset=\"utf-8\"><title>Weryfikacja KSeF</title><p>{escaped}</p></html>"))).into_response()
    }
}

async fn invoice(
    State(emu): State<Arc<KsefEmulator>>,
    headers: HeaderMap,
    Path((nip, date, hash)): Path<(String, String, String)>,
) -> Response {
    let state = emu.state.lock();
    let found = state
        .by_hash
        .get(&(nip.clone(), hash.clone()))
        .and_then(|k| state.invoices.get(k).map(|i| (k, i)));
    match found {
        Some((ksef, inv)) => {
            let p1 = inv.facts.issue_date.split('-').rev().collect::<Vec<_>>().join("-");
            if p1 != date {
                return answer(
                    &headers,
                    StatusCode::OK,
                    serde_json::json!({"found": false, "reason": "date-mismatch"}),
                    "Data wystawienia nie zgadza się z fakturą w KSeF.",
                );
            }
            answer(
                &headers,
                StatusCode::OK,
                serde_json::json!({
                    "found": true,
                    "ksefNumber": ksef,
                    "invoiceNumber": inv.facts.number,
                    "sellerNip": nip,
                    "issueDate": inv.facts.issue_date,
                    "invoicingMode": inv.mode,
                }),
                &format!("Faktura {} jest w KSeF pod numerem {ksef}.", inv.facts.number),
            )
        }
        None => answer(
            &headers,
            StatusCode::OK,
            serde_json::json!({"found": false, "reason": "not-in-ksef"}),
            "Faktury nie ma jeszcze w KSeF.",
        ),
    }
}

/// Verifies RSASSA-PSS (SHA-256, 32-byte salt) or ECDSA P-256 (r‖s or DER) over `message`.
fn verify(spki_der: &[u8], message: &[u8], signature: &[u8]) -> bool {
    use rsa::pkcs8::DecodePublicKey;
    use rsa::signature::Verifier;
    if let Ok(key) = p256::ecdsa::VerifyingKey::from_public_key_der(spki_der) {
        let sig =
            p256::ecdsa::Signature::from_slice(signature).or_else(|_| p256::ecdsa::Signature::from_der(signature));
        return sig.is_ok_and(|s| key.verify(message, &s).is_ok());
    }
    if let Ok(key) = rsa::RsaPublicKey::from_public_key_der(spki_der) {
        let key = rsa::pss::VerifyingKey::<sha2::Sha256>::new(key);
        return rsa::pss::Signature::try_from(signature).is_ok_and(|s| key.verify(message, &s).is_ok());
    }
    false
}

async fn certificate(
    State(emu): State<Arc<KsefEmulator>>,
    headers: HeaderMap,
    Path((ctx_type, ctx_value, nip, serial, hash, signature)): Path<(String, String, String, String, String, String)>,
) -> Response {
    let host = headers.get("host").and_then(|v| v.to_str().ok()).unwrap_or("localhost");
    // What was signed: the link without the scheme, up to and including the hash.
    let signed = format!("{host}/certificate/{ctx_type}/{ctx_value}/{nip}/{serial}/{hash}");
    let state = emu.state.lock();
    let Some(cert) = state.offline_certificates.get(&serial) else {
        return answer(
            &headers,
            StatusCode::OK,
            serde_json::json!({"valid": false, "reason": "unknown-certificate"}),
            "Nieznany certyfikat KSeF.",
        );
    };
    let valid = cert.nip == ctx_value
        && URL_SAFE_NO_PAD
            .decode(&signature)
            .is_ok_and(|sig| verify(&cert.spki_der, signed.as_bytes(), &sig));
    let in_ksef = state.by_hash.get(&(nip.clone(), hash.clone())).cloned();
    answer(
        &headers,
        StatusCode::OK,
        serde_json::json!({"valid": valid, "certificateSerial": serial, "ksefNumber": in_ksef}),
        if valid {
            "Podpis wystawcy jest prawidłowy."
        } else {
            "Podpis wystawcy jest nieprawidłowy."
        },
    )
}

pub(crate) fn router() -> Router<Arc<KsefEmulator>> {
    Router::new().route("/invoice/{nip}/{date}/{hash}", get(invoice)).route(
        "/certificate/{ctx_type}/{ctx_value}/{nip}/{serial}/{hash}/{signature}",
        get(certificate),
    )
}
