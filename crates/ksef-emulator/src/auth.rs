//! Authentication with a KSeF token (research §A(a)): public keys, challenge, the
//! asynchronous login, single-use redeem, refresh, and the list/revocation of logins.

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{delete, get, post};
use axum::{Json, Router};
use ksef_api_types::{
    AuthenticationChallengeResponse, AuthenticationInitResponse, AuthenticationMethodInfo,
    AuthenticationOperationStatusResponse, AuthenticationTokenRefreshResponse, AuthenticationTokensResponse,
    InitTokenAuthenticationRequest, PublicKeyCertificateUsage, ReferenceNumber, StatusInfo, TokenInfo,
};

use crate::clock::{MINUTE_MS, iso, yyyymmdd};
use crate::respond::{self, Caller, bad_request, json, validation};
use crate::state::{Bearer, BearerKind, Challenge, Login};
use crate::{KsefEmulator, crypto};

async fn public_keys(State(emu): State<Arc<KsefEmulator>>, caller: Caller) -> Response {
    or_respond!(emu.public(&caller));
    let keys = emu.keys.read();
    let entries: Vec<_> = keys.keys.iter().map(|k| k.entry.clone()).collect();
    json(StatusCode::OK, &entries)
}

async fn challenge(State(emu): State<Arc<KsefEmulator>>, caller: Caller) -> Response {
    or_respond!(emu.public(&caller));
    let now = emu.now_ms();
    let challenge = ReferenceNumber::generate(&yyyymmdd(now), "CR", rand::random()).to_string();
    emu.state.lock().challenges.insert(
        challenge.clone(),
        Challenge {
            at_ms: now,
            used: false,
        },
    );
    json(
        StatusCode::OK,
        &AuthenticationChallengeResponse {
            challenge,
            timestamp: iso(now),
            timestamp_ms: now,
            client_ip: caller.ip.to_string(),
        },
    )
}

/// A JWT-shaped bearer token (claims as KSeF's example; the emulator looks it up rather
/// than trusting the signature, so revocation and expiry are exact).
fn jwt(kind: &str, nip: &str, expires_ms: i64, now_ms: i64) -> String {
    use base64::Engine as _;
    let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let header = b64.encode(br#"{"alg":"HS256","typ":"JWT"}"#);
    let claims = serde_json::json!({
        "token-type": kind,
        "context-identifier-type": "Nip",
        "context-identifier-value": nip,
        "authentication-method": "Token",
        "iss": "ksef-api-emulator",
        "aud": "ksef-api-emulator",
        "iat": now_ms / 1000,
        "exp": expires_ms / 1000,
        "jti": format!("{:032x}", rand::random::<u128>()),
    });
    let body = b64.encode(claims.to_string());
    let signature = b64.encode(rand::random::<[u8; 32]>());
    format!("{header}.{body}.{signature}")
}

impl KsefEmulator {
    fn issue_bearer(&self, kind: BearerKind, login: &ReferenceNumber, nip: &str, ttl_s: i64) -> TokenInfo {
        let now = self.now_ms();
        let expires_ms = now + ttl_s * 1000;
        let name = match kind {
            BearerKind::Authentication => "OperationToken",
            BearerKind::Access => "ContextToken",
            BearerKind::Refresh => "RefreshToken",
        };
        let token = jwt(name, nip, expires_ms, now);
        self.state.lock().bearers.insert(
            token.clone(),
            Bearer {
                kind,
                auth: login.clone(),
                expires_ms,
            },
        );
        TokenInfo {
            token,
            valid_until: iso(expires_ms),
        }
    }
}

const TOKEN_INVALID: &str = "Nieprawidłowy token";

async fn ksef_token(
    State(emu): State<Arc<KsefEmulator>>,
    caller: Caller,
    body: Result<Json<InitTokenAuthenticationRequest>, axum::extract::rejection::JsonRejection>,
) -> Response {
    or_respond!(emu.public(&caller));
    let now = emu.now_ms();
    let Ok(Json(request)) = body else {
        return validation(
            &caller,
            now,
            "Treść żądania nie jest poprawnym InitTokenAuthenticationRequest.",
        );
    };
    if request.context_identifier.kind != "Nip" || !ksef_api_types::nip_shape(&request.context_identifier.value) {
        return validation(
            &caller,
            now,
            "contextIdentifier: wymagany typ Nip z poprawnym numerem NIP.",
        );
    }
    let challenge_at = {
        let mut state = emu.state.lock();
        match state.challenges.get_mut(&request.challenge) {
            Some(c) if !c.used && now - c.at_ms <= 10 * MINUTE_MS => {
                c.used = true;
                c.at_ms
            }
            _ => {
                return bad_request(
                    &caller,
                    now,
                    21111,
                    "Nieprawidłowe wyzwanie autoryzacyjne.",
                    vec![format!(
                        "Wyzwanie {} jest nieznane, wykorzystane lub wygasło.",
                        request.challenge
                    )],
                );
            }
        }
    };
    // Decrypt with the named key (21470 if it is unknown or retired), or the current one.
    let plaintext = {
        let keys = emu.keys.read();
        let key = match request.public_key_id.as_deref() {
            Some(id) => match keys.by_id(id, PublicKeyCertificateUsage::KsefTokenEncryption) {
                Some(k) => k,
                None => {
                    return bad_request(
                        &caller,
                        now,
                        21470,
                        "Identyfikator klucza publicznego jest nieznany lub wycofany.",
                        vec![format!("publicKeyId {id}")],
                    );
                }
            },
            None => match keys.current(PublicKeyCertificateUsage::KsefTokenEncryption) {
                Some(k) => k,
                None => return respond::unavailable(),
            },
        };
        crypto::b64(&request.encrypted_token).and_then(|ct| crypto::oaep_decrypt(&key.private, &ct))
    };
    let nip = request.context_identifier.value.clone();
    let reference = ReferenceNumber::generate(&yyyymmdd(now), "AU", rand::random());
    let mut token_reference = None;
    let mut permissions = Vec::new();
    // Authentication is asynchronous: every failure below shows only in the status.
    let outcome = {
        let state = emu.state.lock();
        let decoded = plaintext.as_deref().and_then(|p| std::str::from_utf8(p).ok());
        match decoded.and_then(|s| s.rsplit_once('|')) {
            None => (450, "Nieprawidłowe szyfrowanie tokena".to_owned()),
            Some((token, ts)) => match state.tokens.get(token) {
                _ if ts.parse::<i64>().ok() != Some(challenge_at) => (450, "Nieprawidłowy czas tokena".to_owned()),
                None => (450, TOKEN_INVALID.to_owned()),
                Some(t) => {
                    token_reference = Some(t.reference.clone());
                    permissions = t.permissions.clone();
                    if !t.active {
                        (450, "Token unieważniony".to_owned())
                    } else if t.nip != nip {
                        (450, format!("Token nie może być użyty w kontekście Nip {nip}"))
                    } else if state.blocked.contains(&nip) {
                        (
                            480,
                            "Uwierzytelnianie zablokowane (incydent bezpieczeństwa).".to_owned(),
                        )
                    } else if state.deceased.contains(&nip) {
                        (470, "Uwierzytelnianie osoby zmarłej.".to_owned())
                    } else if t.permissions.is_empty() {
                        (415, "Brak przypisanych uprawnień.".to_owned())
                    } else {
                        (200, String::new())
                    }
                }
            },
        }
    };
    let settings = emu.settings();
    let allowed_ips = request
        .authorization_policy
        .and_then(|p| p.allowed_ips)
        .map(|a| {
            let mut all = a.ip4_addresses.unwrap_or_default();
            all.extend(a.ip4_ranges.unwrap_or_default());
            all.extend(a.ip4_masks.unwrap_or_default());
            all
        })
        .unwrap_or_default();
    let description = match outcome.0 {
        200 => "Uwierzytelnianie zakończone sukcesem",
        415 => "Uwierzytelnianie zakończone niepowodzeniem z powodu braku przypisanych uprawnień",
        450 => "Uwierzytelnianie zakończone niepowodzeniem z powodu błędnego tokenu",
        470 => "Uwierzytelnianie zakończone niepowodzeniem - osoba zmarła",
        _ => "Uwierzytelnianie zakończone niepowodzeniem z powodu zablokowania",
    };
    let details = if outcome.1.is_empty() { vec![] } else { vec![outcome.1] };
    emu.state.lock().logins.insert(
        reference.clone(),
        Login {
            started_ms: now,
            ready_ms: now + settings.auth_delay_ms,
            outcome: (outcome.0, description.to_owned(), details),
            nip: nip.clone(),
            token_reference,
            permissions,
            redeemed: false,
            refresh_token: None,
            refresh_valid_until_ms: None,
            last_refresh_ms: None,
            revoked: false,
            allowed_ips,
        },
    );
    let authentication_token = emu.issue_bearer(
        BearerKind::Authentication,
        &reference,
        &nip,
        settings.authentication_token_ttl_seconds,
    );
    json(
        StatusCode::ACCEPTED,
        &AuthenticationInitResponse {
            reference_number: reference,
            authentication_token,
        },
    )
}

fn status_of(login: &Login, now: i64) -> StatusInfo {
    if now < login.ready_ms {
        return StatusInfo {
            code: 100,
            description: "Uwierzytelnianie w toku".to_owned(),
            details: None,
        };
    }
    StatusInfo {
        code: login.outcome.0,
        description: login.outcome.1.clone(),
        details: (!login.outcome.2.is_empty()).then(|| login.outcome.2.clone()),
    }
}

async fn auth_status(State(emu): State<Arc<KsefEmulator>>, caller: Caller, Path(reference): Path<String>) -> Response {
    or_respond!(emu.public(&caller));
    let now = emu.now_ms();
    let login_ref = or_respond!(emu.bearer(&caller, BearerKind::Authentication));
    if login_ref.as_str() != reference {
        return bad_request(
            &caller,
            now,
            21304,
            "Brak uwierzytelnienia.",
            vec![format!("Operacja {reference} nie została znaleziona.")],
        );
    }
    let state = emu.state.lock();
    let Some(login) = state.logins.get(&login_ref) else {
        return bad_request(&caller, now, 21304, "Brak uwierzytelnienia.", vec![]);
    };
    // KSeF keeps authentication operations for 7 days.
    if now - login.started_ms > 7 * crate::clock::DAY_MS {
        return respond::gone(&caller, now, "Operacja uwierzytelniania wygasła (przechowywana 7 dni).");
    }
    json(
        StatusCode::OK,
        &AuthenticationOperationStatusResponse {
            start_date: iso(login.started_ms),
            authentication_method: "Token".to_owned(),
            authentication_method_info: AuthenticationMethodInfo {
                category: "Token".to_owned(),
                code: "token".to_owned(),
                display_name: "Token KSeF".to_owned(),
            },
            status: status_of(login, now),
            is_token_redeemed: Some(login.redeemed),
            last_token_refresh_date: login.last_refresh_ms.map(iso),
            refresh_token_valid_until: login.refresh_valid_until_ms.map(iso),
        },
    )
}

/// 21301 with a detail, or 21308 for a deceased person.
fn not_authorized(caller: &Caller, now: i64, detail: String) -> Response {
    bad_request(caller, now, 21301, "Brak autoryzacji.", vec![detail])
}

async fn redeem(State(emu): State<Arc<KsefEmulator>>, caller: Caller) -> Response {
    or_respond!(emu.public(&caller));
    let now = emu.now_ms();
    let login_ref = or_respond!(emu.bearer(&caller, BearerKind::Authentication));
    let settings = emu.settings();
    let nip = {
        let mut state = emu.state.lock();
        let revoked_token = {
            let Some(login) = state.logins.get(&login_ref) else {
                return bad_request(&caller, now, 21304, "Brak uwierzytelnienia.", vec![]);
            };
            login
                .token_reference
                .as_ref()
                .is_some_and(|r| state.tokens.values().any(|t| &t.reference == r && !t.active))
        };
        let deceased = state
            .logins
            .get(&login_ref)
            .is_some_and(|l| state.deceased.contains(&l.nip));
        let login = state.logins.get_mut(&login_ref).expect("checked above");
        if login.redeemed {
            return not_authorized(
                &caller,
                now,
                format!("Tokeny dla operacji uwierzytelniania {login_ref} zostały już pobrane."),
            );
        }
        if deceased {
            return bad_request(
                &caller,
                now,
                21308,
                "Próba wykorzystania metod autoryzacyjnych osoby zmarłej.",
                vec![],
            );
        }
        if revoked_token {
            return not_authorized(&caller, now, "Token KSeF został unieważniony.".to_owned());
        }
        let status = status_of(login, now);
        if status.code != 200 {
            return not_authorized(
                &caller,
                now,
                format!(
                    "Status uwierzytelniania ({}) nie pozwala na pobranie tokenów.",
                    status.code
                ),
            );
        }
        login.redeemed = true;
        login.refresh_valid_until_ms = Some(now + settings.refresh_token_ttl_seconds * 1000);
        login.nip.clone()
    };
    let access_token = emu.issue_bearer(BearerKind::Access, &login_ref, &nip, settings.access_token_ttl_seconds);
    let refresh_token = emu.issue_bearer(
        BearerKind::Refresh,
        &login_ref,
        &nip,
        settings.refresh_token_ttl_seconds,
    );
    if let Some(login) = emu.state.lock().logins.get_mut(&login_ref) {
        login.refresh_token = Some(refresh_token.token.clone());
    }
    json(
        StatusCode::OK,
        &AuthenticationTokensResponse {
            access_token,
            refresh_token,
        },
    )
}

async fn refresh(State(emu): State<Arc<KsefEmulator>>, caller: Caller) -> Response {
    or_respond!(emu.public(&caller));
    let now = emu.now_ms();
    let login_ref = or_respond!(emu.bearer(&caller, BearerKind::Refresh));
    let settings = emu.settings();
    let nip = {
        let mut state = emu.state.lock();
        let Some(login) = state.logins.get(&login_ref) else {
            return bad_request(&caller, now, 21304, "Brak uwierzytelnienia.", vec![]);
        };
        let revoked_token = login
            .token_reference
            .as_ref()
            .is_some_and(|r| state.tokens.values().any(|t| &t.reference == r && !t.active));
        if state.deceased.contains(&login.nip) {
            return bad_request(
                &caller,
                now,
                21308,
                "Próba wykorzystania metod autoryzacyjnych osoby zmarłej.",
                vec![],
            );
        }
        if login.revoked {
            return not_authorized(&caller, now, "Sesja uwierzytelniania została unieważniona.".to_owned());
        }
        if revoked_token {
            return not_authorized(&caller, now, "Token KSeF został unieważniony.".to_owned());
        }
        let login = state.logins.get_mut(&login_ref).expect("checked above");
        login.last_refresh_ms = Some(now);
        login.nip.clone()
    };
    let access_token = emu.issue_bearer(BearerKind::Access, &login_ref, &nip, settings.access_token_ttl_seconds);
    json(StatusCode::OK, &AuthenticationTokenRefreshResponse { access_token })
}

fn revoke_login(emu: &KsefEmulator, login_ref: &ReferenceNumber) -> bool {
    let mut state = emu.state.lock();
    let Some(login) = state.logins.get_mut(login_ref) else {
        return false;
    };
    // The refresh token dies; access tokens already issued live until they expire.
    login.revoked = true;
    if let Some(t) = login.refresh_token.take() {
        state.bearers.remove(&t);
    }
    true
}

async fn delete_current(State(emu): State<Arc<KsefEmulator>>, caller: Caller) -> Response {
    let ctx = or_respond!(emu.access(&caller, crate::limits::Group::Other, &[]));
    revoke_login(&emu, &ctx.login);
    axum::response::IntoResponse::into_response(StatusCode::NO_CONTENT)
}

async fn delete_session(
    State(emu): State<Arc<KsefEmulator>>,
    caller: Caller,
    Path(reference): Path<String>,
) -> Response {
    let ctx = or_respond!(emu.access(&caller, crate::limits::Group::Other, &[]));
    let now = emu.now_ms();
    let target: Option<ReferenceNumber> = reference.parse().ok();
    let same_context = target
        .as_ref()
        .is_some_and(|t| emu.state.lock().logins.get(t).is_some_and(|l| l.nip == ctx.nip));
    match target {
        Some(t) if same_context && revoke_login(&emu, &t) => {
            axum::response::IntoResponse::into_response(StatusCode::NO_CONTENT)
        }
        _ => bad_request(
            &caller,
            now,
            21304,
            "Brak uwierzytelnienia.",
            vec![format!("Sesja {reference} nie istnieje.")],
        ),
    }
}

async fn list_sessions(State(emu): State<Arc<KsefEmulator>>, caller: Caller) -> Response {
    let ctx = or_respond!(emu.access(&caller, crate::limits::Group::Other, &[]));
    let now = emu.now_ms();
    let state = emu.state.lock();
    let items: Vec<_> = state
        .logins
        .iter()
        .filter(|(_, l)| {
            l.nip == ctx.nip && l.redeemed && !l.revoked && l.refresh_valid_until_ms.is_some_and(|v| v > now)
        })
        .map(|(r, l)| {
            serde_json::json!({
                "referenceNumber": r,
                "isCurrent": *r == ctx.login,
                "startDate": iso(l.started_ms),
                "authenticationMethod": "Token",
                "authenticationMethodInfo": {"category": "Token", "code": "token", "displayName": "Token KSeF"},
                "status": status_of(l, now),
                "isTokenRedeemed": l.redeemed,
                "lastTokenRefreshDate": l.last_refresh_ms.map(iso),
                "refreshTokenValidUntil": l.refresh_valid_until_ms.map(iso),
            })
        })
        .collect();
    json(StatusCode::OK, &serde_json::json!({ "items": items }))
}

pub(crate) fn router() -> Router<Arc<KsefEmulator>> {
    Router::new()
        .route("/security/public-key-certificates", get(public_keys))
        .route("/auth/challenge", post(challenge))
        .route("/auth/ksef-token", post(ksef_token))
        .route("/auth/token/redeem", post(redeem))
        .route("/auth/token/refresh", post(refresh))
        .route("/auth/sessions", get(list_sessions))
        .route("/auth/sessions/current", delete(delete_current))
        .route("/auth/sessions/{reference}", delete(delete_session))
        .route("/auth/{reference}", get(auth_status))
}
