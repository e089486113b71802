//! The OAuth host: `/auth/oauth/authorize`, `/auth/oauth/token`, `/auth/oauth/device`.
//! Rules follow `research/allegro-api.md` §2 and §10 items 2–4.

use std::sync::Arc;

use allegro_api_types::{DeviceCodeResponse, TokenClaims, TokenResponse};
use axum::Router;
use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, Method, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use rand::Rng;
use sha2::{Digest, Sha256};

use crate::Emulator;
use crate::pages;
use crate::respond::{auth_error, json};
use crate::world::{AccessRecord, AppKind, AuthCode, DeviceGrant, DeviceState, RefreshRecord, World};

/// Signs tokens with the emulator's RS256 key. The key is a published test key (see
/// `keys/`), so emulator tokens are worthless anywhere else.
pub struct Signer {
    key: EncodingKey,
}

impl Signer {
    pub fn load() -> Self {
        let pem = include_bytes!("../keys/emulator-signing-key.pem");
        let key = EncodingKey::from_rsa_pem(pem).expect("the bundled emulator key is a valid RSA PEM");
        Self { key }
    }

    fn sign(&self, claims: &TokenClaims) -> String {
        jsonwebtoken::encode(&Header::new(Algorithm::RS256), claims, &self.key).expect("RS256 signing with a valid key")
    }
}

pub fn router() -> Router<Arc<Emulator>> {
    Router::new()
        .route("/auth/oauth/authorize", get(authorize))
        .route("/auth/oauth/authorize/decision", post(authorize_decision))
        .route("/auth/oauth/token", post(token).get(token))
        .route("/auth/oauth/device", post(device))
}

/// The parsed query or form of a request, keeping repeated keys.
pub struct Params(Vec<(String, String)>);

impl Params {
    pub fn parse(raw: &str) -> Self {
        Self(url::form_urlencoded::parse(raw.as_bytes()).into_owned().collect())
    }

    pub fn get(&self, key: &str) -> Option<&str> {
        self.0.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str())
    }

    pub fn all(&self, key: &str) -> Vec<&str> {
        self.0
            .iter()
            .filter(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
            .collect()
    }

    pub fn pairs(&self) -> &[(String, String)] {
        &self.0
    }
}

/// The base URL a request was addressed to (`http://host:port`), from its `Host` header.
pub fn base_url(headers: &HeaderMap) -> String {
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("localhost");
    format!("http://{host}")
}

/// What an `/authorize` request asks for, once validated against the app.
#[derive(Debug, Clone)]
pub struct AuthorizeRequest {
    pub client_id: String,
    pub app_name: String,
    pub redirect_uri: String,
    pub state: Option<String>,
    pub scopes: Vec<String>,
    pub code_challenge: Option<String>,
}

impl AuthorizeRequest {
    /// The query string that reproduces this request on `/authorize`.
    pub fn to_query(&self) -> String {
        let mut q = url::form_urlencoded::Serializer::new(String::new());
        q.append_pair("response_type", "code");
        q.append_pair("client_id", &self.client_id);
        q.append_pair("redirect_uri", &self.redirect_uri);
        if let Some(s) = &self.state {
            q.append_pair("state", s);
        }
        q.append_pair("scope", &self.scopes.join(" "));
        if let Some(c) = &self.code_challenge {
            q.append_pair("code_challenge", c);
            q.append_pair("code_challenge_method", "S256");
        }
        q.finish()
    }
}

/// Either a validated request or the response to send instead: an error page when the
/// client or redirect URI is wrong (never redirect to an unverified URI), or a redirect
/// carrying `error` once the redirect URI is trusted.
fn validate_authorize(world: &World, params: &Params) -> Result<AuthorizeRequest, Response> {
    let client_id = params.get("client_id").unwrap_or_default();
    let Some(app) = world.apps.get(client_id) else {
        return Err(pages::error_page(
            StatusCode::BAD_REQUEST,
            "Nieznana aplikacja (client_id).",
            4011,
        ));
    };
    let redirect_uri = params.get("redirect_uri").unwrap_or_default();
    if !app.redirect_uris.iter().any(|u| u == redirect_uri) {
        return Err(pages::error_page(
            StatusCode::BAD_REQUEST,
            "Adres przekierowania (redirect_uri) nie zgadza się z adresem zarejestrowanym dla aplikacji.",
            4012,
        ));
    }
    let state = params.get("state").map(str::to_owned);
    let fail = |error: &str| {
        Err(Redirect::to(&redirect_with(redirect_uri, &[("error", error)], state.as_deref())).into_response())
    };
    if params.get("response_type") != Some("code") {
        return fail("unsupported_response_type");
    }
    if app.kind != AppKind::AuthorizationCode {
        return fail("unauthorized_client");
    }
    let challenge = params.get("code_challenge").filter(|c| !c.is_empty());
    match params.get("code_challenge_method") {
        None if challenge.is_none() => {}
        Some("S256") if challenge.is_some() => {}
        _ => return fail("invalid_request"),
    }
    let scopes = match params.get("scope").map(str::trim).filter(|s| !s.is_empty()) {
        // No scope: everything the app declared. A narrower set narrows; extra scopes are
        // dropped (AUTH-TUT, scope negotiation).
        None => app.scopes.clone(),
        Some(requested) => {
            let wanted: Vec<&str> = requested.split([' ', '+', ',']).filter(|s| !s.is_empty()).collect();
            let granted: Vec<String> = app
                .scopes
                .iter()
                .filter(|s| wanted.contains(&s.as_str()))
                .cloned()
                .collect();
            if granted.is_empty() {
                return fail("invalid_scope");
            }
            granted
        }
    };
    Ok(AuthorizeRequest {
        client_id: client_id.to_owned(),
        app_name: app.name.clone(),
        redirect_uri: redirect_uri.to_owned(),
        state,
        scopes,
        code_challenge: challenge.map(str::to_owned),
    })
}

/// `redirect_uri` with extra query pairs and `state` appended.
pub fn redirect_with(redirect_uri: &str, pairs: &[(&str, &str)], state: Option<&str>) -> String {
    let mut q = url::form_urlencoded::Serializer::new(String::new());
    for (k, v) in pairs {
        q.append_pair(k, v);
    }
    if let Some(s) = state {
        q.append_pair("state", s);
    }
    let sep = if redirect_uri.contains('?') { '&' } else { '?' };
    format!("{redirect_uri}{sep}{}", q.finish())
}

async fn authorize(State(emu): State<Arc<Emulator>>, headers: HeaderMap, RawQuery(raw): RawQuery) -> Response {
    let raw = raw.unwrap_or_default();
    let params = Params::parse(&raw);
    let world = emu.world.read();
    let request = or_respond!(validate_authorize(&world, &params));
    let this_page = format!("/auth/oauth/authorize?{}", request.to_query());
    let Some(seller) = pages::session_seller(&world, &headers) else {
        return Redirect::to(&pages::login_url(&this_page)).into_response();
    };
    let login = world.sellers[seller].login.clone();
    // Seed 004: a remembered browser first asks "Kontynuuj" or "Zmień konto"; right after
    // logging in (or after "Kontynuuj") the consent page follows.
    if params.get("emu_continue") == Some("1") {
        pages::consent_page(&request, &login)
    } else {
        pages::continue_page(&format!("{this_page}&emu_continue=1"), &this_page, &login)
    }
}

async fn authorize_decision(State(emu): State<Arc<Emulator>>, headers: HeaderMap, body: Bytes) -> Response {
    let params = Params::parse(&String::from_utf8_lossy(&body));
    let now = emu.now_ms();
    let mut world = emu.world.write();
    let request = or_respond!(validate_authorize(&world, &params));
    let Some(seller) = pages::session_seller(&world, &headers) else {
        return Redirect::to(&pages::login_url(&format!(
            "/auth/oauth/authorize?{}",
            request.to_query()
        )))
        .into_response();
    };
    let target = decide(
        &mut world,
        &request,
        seller,
        params.get("decision") == Some("approve"),
        now,
    );
    Redirect::to(&target).into_response()
}

/// The seller's answer on the consent page: a code (single use, 10 s) or `access_denied`;
/// returns where the browser goes next.
fn decide(world: &mut World, request: &AuthorizeRequest, seller: usize, approve: bool, now: i64) -> String {
    if !approve {
        return redirect_with(
            &request.redirect_uri,
            &[("error", "access_denied")],
            request.state.as_deref(),
        );
    }
    let code = world.random_token(32);
    world.auth_codes.insert(
        code.clone(),
        AuthCode {
            client_id: request.client_id.clone(),
            seller,
            redirect_uri: request.redirect_uri.clone(),
            scopes: request.scopes.clone(),
            code_challenge: request.code_challenge.clone(),
            // Single use and valid for 10 seconds (AUTH-TUT).
            expires_at_ms: now + 10_000,
        },
    );
    redirect_with(&request.redirect_uri, &[("code", &code)], request.state.as_deref())
}

impl Emulator {
    /// Answers the consent page for `login` without a browser: validates the
    /// authorization URL as `/authorize` does and returns the redirect (with `code` or
    /// `error=access_denied`). For tests and tools; the pages do the same for people.
    pub fn consent(&self, authorization_url: &str, login: &str, approve: bool) -> Result<String, String> {
        let query = authorization_url.split_once('?').map_or("", |(_, q)| q);
        let params = Params::parse(query);
        let now = self.now_ms();
        let mut world = self.world.write();
        let request = validate_authorize(&world, &params)
            .map_err(|r| format!("the authorization URL is refused ({})", r.status()))?;
        let seller = *world
            .seller_by_login
            .get(&login.trim().to_lowercase())
            .ok_or_else(|| format!("no seller {login}"))?;
        Ok(decide(&mut world, &request, seller, approve, now))
    }
}

/// `Authorization: Basic base64(client_id:client_secret)`, decoded.
fn basic_credentials(headers: &HeaderMap) -> Option<(String, String)> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let encoded = value.strip_prefix("Basic ").or_else(|| value.strip_prefix("basic "))?;
    let decoded = String::from_utf8(STANDARD.decode(encoded.trim()).ok()?).ok()?;
    let (id, secret) = decoded.split_once(':')?;
    Some((id.to_owned(), secret.to_owned()))
}

/// The `error` of an OAuth error response, read back from the header we set.
fn oauth_error_code(response: &Response) -> String {
    response
        .headers()
        .get("x-emulator-oauth-error")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("error")
        .to_owned()
}

fn unauthorized() -> Response {
    auth_error(StatusCode::UNAUTHORIZED, "Unauthorized", "Unauthorized")
}

fn bad(error: &str, description: &str) -> Response {
    auth_error(StatusCode::BAD_REQUEST, error, description)
}

async fn token(
    State(emu): State<Arc<Emulator>>,
    method: Method,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
    body: Bytes,
) -> Response {
    let faults = emu.faults.read().clone();
    if faults.token_rate_5xx > 0.0 && rand::rng().random_bool(faults.token_rate_5xx.min(1.0)) {
        return json(
            StatusCode::SERVICE_UNAVAILABLE,
            &serde_json::json!({"error": "temporarily_unavailable"}),
        );
    }
    let response = token_inner(&emu, &method, &headers, query.as_deref(), &body);
    let outcome = if response.status().is_success() {
        "ok".to_owned()
    } else {
        oauth_error_code(&response)
    };
    emu.traffic.lock().count_oauth("POST /auth/oauth/token", &outcome);
    if faults.token_latency_ms > 0 {
        // The grant is already processed (a refresh token already rotated) when the slow
        // answer leaves: a client killed meanwhile must rely on the 60 s grace period.
        tokio::time::sleep(std::time::Duration::from_millis(faults.token_latency_ms)).await;
    }
    response
}

fn token_inner(emu: &Emulator, method: &Method, headers: &HeaderMap, query: Option<&str>, body: &[u8]) -> Response {
    // Since 23 Sep 2025 only POST with the parameters in the form body (GH#11867, GH#12028).
    if method != Method::POST {
        return auth_error(
            StatusCode::METHOD_NOT_ALLOWED,
            "method_not_allowed",
            "Request method 'GET' is not supported",
        );
    }
    if query.is_some_and(|q| !q.is_empty()) {
        return bad(
            "invalid_request",
            "Parameters must be sent in the request body, not in the query string",
        );
    }
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    if !content_type.starts_with("application/x-www-form-urlencoded") {
        return bad(
            "invalid_request",
            "Content-Type must be application/x-www-form-urlencoded",
        );
    }
    let form = Params::parse(&String::from_utf8_lossy(body));
    let grant = form.get("grant_type").unwrap_or_default().to_owned();
    let basic = basic_credentials(headers);
    let now = emu.now_ms();
    let settings = emu.settings.read().clone();
    let mut world = emu.world.write();

    let client_id = match &basic {
        Some((id, secret)) => {
            match world.apps.get(id) {
                Some(app) if &app.client_secret == secret => {}
                _ => return unauthorized(),
            }
            id.clone()
        }
        // Only the PKCE code exchange may go without Basic auth (AUTH-TUT).
        None if grant == "authorization_code" && form.get("code_verifier").is_some() => match form.get("client_id") {
            Some(id) if world.apps.contains_key(id) => id.to_owned(),
            _ => return unauthorized(),
        },
        None => {
            return auth_error(
                StatusCode::UNAUTHORIZED,
                "unauthorized",
                "Full authentication is required to access this resource",
            );
        }
    };
    let app_kind = world.apps[&client_id].kind;

    match grant.as_str() {
        "authorization_code" => {
            if app_kind != AppKind::AuthorizationCode {
                return auth_error(
                    StatusCode::UNAUTHORIZED,
                    "unauthorized_client",
                    "Client does not have the authorization_code grant.",
                );
            }
            let Some(code) = form.get("code").filter(|c| !c.is_empty()) else {
                return bad("invalid_request", "An authorization code must be supplied.");
            };
            let invalid = || bad("invalid_grant", &format!("Invalid authorization code: {code}"));
            // Single use: removed on the first attempt, whatever its outcome.
            let Some(grant) = world.auth_codes.remove(code) else {
                return invalid();
            };
            if grant.expires_at_ms < now || grant.client_id != client_id {
                return invalid();
            }
            if form.get("redirect_uri") != Some(grant.redirect_uri.as_str()) {
                return bad("invalid_grant", "Redirect URI mismatch.");
            }
            match (&grant.code_challenge, form.get("code_verifier")) {
                (Some(challenge), Some(verifier)) => {
                    let ok_len = (43..=128).contains(&verifier.len());
                    let computed = URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()));
                    if !ok_len || &computed != challenge {
                        return bad("invalid_grant", "Invalid code verifier.");
                    }
                }
                (Some(_), None) => return bad("invalid_request", "Code verifier required."),
                (None, Some(_)) if basic.is_none() => return unauthorized(),
                _ => {}
            }
            issue(
                emu,
                &mut world,
                &settings,
                &client_id,
                Some(grant.seller),
                grant.scopes,
                now,
                true,
            )
        }
        "refresh_token" => {
            let Some(presented) = form.get("refresh_token").filter(|t| !t.is_empty()) else {
                return bad("invalid_request", "Missing refresh token");
            };
            let invalid = || bad("invalid_grant", &format!("Invalid refresh token: {presented}"));
            let Some(jti) = jwt_claims(presented).map(|c| c.jti) else {
                return invalid();
            };
            let Some(record) = world.refresh_tokens.get(&jti).cloned() else {
                return invalid();
            };
            if record.token != presented || record.client_id != client_id {
                return invalid();
            }
            if record.epoch != world.sellers[record.seller].token_epoch {
                // Consent lost (password change, logout everywhere, sales block): GH#10958.
                return unauthorized();
            }
            if record.expires_at_ms < now {
                return invalid();
            }
            // Single use, with 60 s of grace after the first use (AUTH-TUT).
            match record.used_at_ms {
                Some(first) if now - first > settings.refresh_grace_seconds * 1000 => return invalid(),
                Some(_) => {}
                None => {
                    if let Some(r) = world.refresh_tokens.get_mut(&jti) {
                        r.used_at_ms = Some(now);
                    }
                    // Refreshing invalidates the access token issued with it (GH#10619).
                    if let Some(at) = world.access_tokens.get_mut(&record.ati) {
                        at.revoked = true;
                    }
                }
            }
            issue(
                emu,
                &mut world,
                &settings,
                &client_id,
                Some(record.seller),
                record.scopes,
                now,
                true,
            )
        }
        "urn:ietf:params:oauth:grant-type:device_code" => {
            if app_kind != AppKind::DeviceCode {
                return auth_error(
                    StatusCode::UNAUTHORIZED,
                    "unauthorized_client",
                    "Client does not have the device_code grant.",
                );
            }
            let device_code = form.get("device_code").unwrap_or_default().to_owned();
            let Some(grant) = world.device_grants.get_mut(&device_code) else {
                return bad("invalid_request", "Invalid device code");
            };
            if grant.client_id != client_id || grant.state == DeviceState::Used {
                return bad("invalid_request", "Invalid device code");
            }
            if grant.expires_at_ms < now {
                return bad("expired_token", "Device code expired");
            }
            let too_fast = grant
                .last_poll_ms
                .is_some_and(|last| now - last < grant.interval_s * 1000);
            grant.last_poll_ms = Some(now);
            if too_fast {
                grant.interval_s += 5;
                return json(StatusCode::BAD_REQUEST, &serde_json::json!({"error": "slow_down"}));
            }
            match grant.state.clone() {
                DeviceState::Pending => bad("authorization_pending", "User has not authorized the device code yet."),
                DeviceState::Denied => json(StatusCode::BAD_REQUEST, &serde_json::json!({"error": "access_denied"})),
                DeviceState::Used => bad("invalid_request", "Invalid device code"),
                DeviceState::Approved(seller) => {
                    grant.state = DeviceState::Used;
                    let scopes = grant.scopes.clone();
                    issue(emu, &mut world, &settings, &client_id, Some(seller), scopes, now, true)
                }
            }
        }
        "client_credentials" => {
            let scopes = world.apps[&client_id].scopes.clone();
            issue(emu, &mut world, &settings, &client_id, None, scopes, now, false)
        }
        "" => bad("invalid_request", "Missing grant type"),
        other => bad("unsupported_grant_type", &format!("Unsupported grant type: {other}")),
    }
}

#[allow(clippy::too_many_arguments)]
pub(crate) fn issue(
    emu: &Emulator,
    world: &mut World,
    settings: &crate::Settings,
    client_id: &str,
    seller: Option<usize>,
    scopes: Vec<String>,
    now: i64,
    with_refresh: bool,
) -> Response {
    if let Some(s) = seller {
        // Allegro limits how many tokens one user may be issued (AUTH-TUT, GH#5117).
        let issues = &mut world.sellers[s].token_issues;
        while issues.front().is_some_and(|t| now - t > 3_600_000) {
            issues.pop_front();
        }
        if issues.len() as u32 >= settings.tokens_per_user_per_hour {
            return auth_error(
                StatusCode::TOO_MANY_REQUESTS,
                "too_many_requests",
                "Too many tokens generated for this user",
            );
        }
        issues.push_back(now);
    }
    let iss = "https://allegro.pl".to_owned();
    let user_name = seller.map(|s| world.sellers[s].id.clone());
    let epoch = seller.map_or(0, |s| world.sellers[s].token_epoch);
    let access_jti = world.uuid();
    let access_exp = now + settings.access_token_ttl_seconds * 1000;
    let access = emu.signer.sign(&TokenClaims {
        iss: Some(iss.clone()),
        user_name: user_name.clone(),
        scope: scopes.clone(),
        allegro_api: true,
        exp: access_exp / 1000,
        client_id: client_id.to_owned(),
        jti: access_jti.clone(),
        ati: None,
    });
    world.access_tokens.insert(
        access_jti.clone(),
        AccessRecord {
            token: access.clone(),
            seller,
            client_id: client_id.to_owned(),
            scopes: scopes.clone(),
            expires_at_ms: access_exp,
            epoch,
            revoked: false,
        },
    );
    let refresh = match (with_refresh, seller) {
        (true, Some(s)) => {
            let jti = world.uuid();
            let exp = now + settings.refresh_token_ttl_seconds * 1000;
            let token = emu.signer.sign(&TokenClaims {
                iss: Some(iss.clone()),
                user_name,
                scope: scopes.clone(),
                allegro_api: true,
                exp: exp / 1000,
                client_id: client_id.to_owned(),
                jti: jti.clone(),
                ati: Some(access_jti.clone()),
            });
            world.refresh_tokens.insert(
                jti,
                RefreshRecord {
                    token: token.clone(),
                    seller: s,
                    client_id: client_id.to_owned(),
                    scopes: scopes.clone(),
                    expires_at_ms: exp,
                    epoch,
                    used_at_ms: None,
                    ati: access_jti.clone(),
                },
            );
            Some(token)
        }
        _ => None,
    };
    json(
        StatusCode::OK,
        &TokenResponse {
            access_token: access,
            token_type: "bearer".into(),
            refresh_token: refresh,
            expires_in: settings.access_token_ttl_seconds,
            scope: scopes.join(" "),
            allegro_api: Some(true),
            iss: Some(format!("{iss}/")),
            jti: Some(access_jti),
        },
    )
}

/// Claims of a JWT, read without checking the signature (lookups then compare the whole
/// token with the one issued).
pub fn jwt_claims(token: &str) -> Option<TokenClaims> {
    let payload = token.split('.').nth(1)?;
    let bytes = URL_SAFE_NO_PAD.decode(payload.trim_end_matches('=')).ok()?;
    serde_json::from_slice(&bytes).ok()
}

async fn device(
    State(emu): State<Arc<Emulator>>,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
    body: Bytes,
) -> Response {
    let query = Params::parse(query.as_deref().unwrap_or_default());
    let form = Params::parse(&String::from_utf8_lossy(&body));
    let Some((id, secret)) = basic_credentials(&headers) else {
        return auth_error(
            StatusCode::UNAUTHORIZED,
            "unauthorized",
            "Full authentication is required to access this resource",
        );
    };
    // client_id stays a query parameter here even after the 2025 change (GH#11893); the
    // older body form is still accepted.
    let named = query.get("client_id").or_else(|| form.get("client_id"));
    if named.is_some_and(|n| n != id) {
        return unauthorized();
    }
    let now = emu.now_ms();
    let mut world = emu.world.write();
    let app = match world.apps.get(&id) {
        Some(app) if app.client_secret == secret => app.clone(),
        _ => return unauthorized(),
    };
    if app.kind != AppKind::DeviceCode {
        return auth_error(
            StatusCode::UNAUTHORIZED,
            "unauthorized_client",
            "Client does not have the device_code grant.",
        );
    }
    let scopes = match query.get("scope").or_else(|| form.get("scope")) {
        Some(requested) if !requested.trim().is_empty() => {
            let wanted: Vec<&str> = requested.split([' ', '+']).collect();
            app.scopes
                .iter()
                .filter(|s| wanted.contains(&s.as_str()))
                .cloned()
                .collect()
        }
        _ => app.scopes.clone(),
    };
    let device_code = world.random_token(32);
    let user_code = world.random_string(9, b"abcdefghijkmnpqrstuvwxyz23456789");
    world.device_grants.insert(
        device_code.clone(),
        DeviceGrant {
            client_id: id,
            user_code: user_code.clone(),
            scopes,
            expires_at_ms: now + 3_600_000,
            state: DeviceState::Pending,
            last_poll_ms: None,
            interval_s: 5,
        },
    );
    let verification_uri = format!("{}/skojarz-aplikacje", base_url(&headers));
    json(
        StatusCode::OK,
        &DeviceCodeResponse {
            device_code,
            expires_in: 3600,
            verification_uri_complete: format!("{verification_uri}?code={user_code}"),
            user_code,
            interval: 5,
            verification_uri,
        },
    )
}

/// Finds a pending device grant by the code the user typed (spaces and case ignored).
pub fn device_grant_by_user_code<'w>(world: &'w mut World, typed: &str, now: i64) -> Option<&'w mut DeviceGrant> {
    let wanted: String = typed
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .collect::<String>()
        .to_lowercase();
    world
        .device_grants
        .values_mut()
        .find(|g| g.user_code == wanted && g.expires_at_ms >= now && g.state == DeviceState::Pending)
}

/// Read-only view of who a bearer token belongs to.
#[derive(Debug, Clone)]
pub struct Caller {
    pub seller: Option<usize>,
    pub scopes: Vec<String>,
}

/// Checks a bearer token; `Err` is the 401 to send.
pub fn authenticate(world: &World, headers: &HeaderMap, now: i64) -> Result<Caller, Response> {
    let Some(value) = headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok()) else {
        return Err(auth_error(
            StatusCode::UNAUTHORIZED,
            "unauthorized",
            "Full authentication is required to access this resource",
        ));
    };
    let Some(token) = value
        .strip_prefix("Bearer ")
        .or_else(|| value.strip_prefix("bearer "))
        .map(str::trim)
    else {
        return Err(auth_error(
            StatusCode::UNAUTHORIZED,
            "unauthorized",
            "Full authentication is required to access this resource",
        ));
    };
    let cannot_convert = || {
        auth_error(
            StatusCode::UNAUTHORIZED,
            "invalid_token",
            "Cannot convert access token to JSON",
        )
    };
    let Some(claims) = jwt_claims(token) else {
        return Err(cannot_convert());
    };
    let Some(record) = world.access_tokens.get(&claims.jti).filter(|r| r.token == token) else {
        return Err(cannot_convert());
    };
    let epoch_ok = record
        .seller
        .is_none_or(|s| world.sellers[s].token_epoch == record.epoch);
    if record.revoked || !epoch_ok || record.expires_at_ms < now {
        return Err(auth_error(
            StatusCode::UNAUTHORIZED,
            "invalid_token",
            &format!("Access token expired: {token}"),
        ));
    }
    Ok(Caller {
        seller: record.seller,
        scopes: record.scopes.clone(),
    })
}

/// The Client ID a bearer token names, without validating it (for rate accounting).
pub fn client_id_of(headers: &HeaderMap) -> Option<String> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let token = value.strip_prefix("Bearer ")?;
    jwt_claims(token.trim()).map(|c| c.client_id)
}
