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

mod authorize;
mod device;
mod token;

pub use authorize::AuthorizeRequest;
use authorize::{authorize, authorize_decision};
use device::device;
pub use device::device_grant_by_user_code;
pub(crate) use token::issue;
use token::token;

/// Signs tokens with the emulator's RS256 key. The key is a published test key (see
/// `keys/`), so emulator tokens are worthless anywhere else.
pub struct Signer {
    key: EncodingKey,
}

impl Signer {
    pub fn load() -> Self {
        let pem = include_bytes!("../../keys/emulator-signing-key.pem");
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

/// Claims of a JWT, read without checking the signature (lookups then compare the whole
/// token with the one issued).
pub fn jwt_claims(token: &str) -> Option<TokenClaims> {
    let payload = token.split('.').nth(1)?;
    let bytes = URL_SAFE_NO_PAD.decode(payload.trim_end_matches('=')).ok()?;
    serde_json::from_slice(&bytes).ok()
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
