use std::time::Duration;

use allegro_api_types::{AuthError, DeviceCodeResponse, TokenClaims, TokenResponse};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rand::Rng;
use reqwest::StatusCode;
use secrecy::{ExposeSecret, SecretString};
use sha2::{Digest, Sha256};
use url::Url;

use crate::Environment;
use crate::error::{OAuthError, redact};

/// A PKCE S256 pair: keep the verifier, send the challenge.
pub struct Pkce {
    /// 64 random URL-safe characters (43–128 allowed).
    pub verifier: SecretString,
    /// `BASE64URL(SHA256(verifier))`, no padding.
    pub challenge: String,
}

impl Pkce {
    /// A fresh random pair.
    pub fn new() -> Self {
        let verifier: String = {
            const CHARS: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~";
            let mut rng = rand::rng();
            (0..64)
                .map(|_| CHARS[rng.random_range(0..CHARS.len())] as char)
                .collect()
        };
        Self::from_verifier(verifier)
    }

    /// The pair for a stored verifier.
    pub fn from_verifier(verifier: String) -> Self {
        let challenge = URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()));
        Self {
            verifier: SecretString::from(verifier),
            challenge,
        }
    }
}

impl Default for Pkce {
    fn default() -> Self {
        Self::new()
    }
}

/// Tokens from the token endpoint.
#[derive(Debug, Clone)]
pub struct TokenSet {
    /// Access token (12 h).
    pub access_token: SecretString,
    /// Refresh token; rotates on every refresh. Absent for client credentials.
    pub refresh_token: Option<SecretString>,
    /// Seconds the access token lives.
    pub expires_in: i64,
    /// Granted scopes.
    pub scopes: Vec<String>,
}

impl TokenSet {
    fn from_response(r: TokenResponse) -> Self {
        Self {
            access_token: SecretString::from(r.access_token),
            refresh_token: r.refresh_token.map(SecretString::from),
            expires_in: r.expires_in,
            scopes: r.scope.split_whitespace().map(str::to_owned).collect(),
        }
    }

    /// The access token's claims (`user_name` = Allegro user id, `scope`, `exp`), decoded
    /// without verifying the signature: Allegro publishes no key, and the token came
    /// straight from Allegro over TLS.
    pub fn claims(&self) -> Result<TokenClaims, OAuthError> {
        decode_claims(self.access_token.expose_secret())
    }
}

/// Decodes a JWT's claims for information (no signature check).
pub fn decode_claims(jwt: &str) -> Result<TokenClaims, OAuthError> {
    let payload = jwt
        .split('.')
        .nth(1)
        .ok_or_else(|| OAuthError::Decode("not a JWT".into()))?;
    let bytes = URL_SAFE_NO_PAD
        .decode(payload.trim_end_matches('='))
        .map_err(|e| OAuthError::Decode(format!("JWT payload is not base64url: {e}")))?;
    serde_json::from_slice(&bytes).map_err(|e| OAuthError::Decode(format!("JWT claims: {e}")))
}

/// What the device endpoint returned: show `user_code` and `verification_uri` to the user.
#[derive(Debug, Clone)]
pub struct DeviceAuthorization {
    /// Code to poll with (secret).
    pub device_code: SecretString,
    /// Code the user types, e.g. `cbt3zdu4g`.
    pub user_code: String,
    /// Page to open.
    pub verification_uri: String,
    /// The page with the code filled in.
    pub verification_uri_complete: String,
    /// Minimum seconds between polls.
    pub interval: Duration,
    /// How long the codes live.
    pub expires_in: Duration,
}

impl DeviceAuthorization {
    /// `user_code` grouped as Allegro suggests showing it: `XXX XXX XXX`.
    pub fn display_code(&self) -> String {
        let upper = self.user_code.to_uppercase();
        upper
            .as_bytes()
            .chunks(3)
            .map(|c| String::from_utf8_lossy(c).into_owned())
            .collect::<Vec<_>>()
            .join(" ")
    }
}

/// One poll of the device flow.
#[derive(Debug)]
pub enum DevicePoll {
    /// The user has not decided yet: poll again after the interval.
    Pending,
    /// Polling too fast: add 5 s to the interval.
    SlowDown,
    /// The user pressed "Nie, anuluj".
    Denied,
    /// The codes expired: start over.
    Expired,
    /// Unknown or already used device code: start over.
    Invalid,
    /// Linked.
    Token(TokenSet),
}

/// OAuth with one app's credentials.
#[derive(Clone)]
pub struct OAuthClient {
    http: reqwest::Client,
    env: Environment,
    client_id: String,
    client_secret: SecretString,
}

impl std::fmt::Debug for OAuthClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OAuthClient")
            .field("client_id", &self.client_id)
            .field("env", &self.env)
            .finish_non_exhaustive()
    }
}

impl OAuthClient {
    /// A client for the app `client_id` with its secret, timing out requests after 30 s.
    pub fn new(env: Environment, client_id: impl Into<String>, client_secret: SecretString) -> Self {
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(30))
            .build()
            .expect("a reqwest client with default TLS builds");
        Self::with_http(http, env, client_id, client_secret)
    }

    /// Same, sharing an existing HTTP client.
    pub fn with_http(
        http: reqwest::Client,
        env: Environment,
        client_id: impl Into<String>,
        client_secret: SecretString,
    ) -> Self {
        Self {
            http,
            env,
            client_id: client_id.into(),
            client_secret,
        }
    }

    /// The app's Client ID.
    pub fn client_id(&self) -> &str {
        &self.client_id
    }

    /// The URL to send the seller's browser to. `scopes` empty = everything the app has.
    pub fn authorization_url(&self, redirect_uri: &str, state: &str, pkce: Option<&Pkce>, scopes: &[&str]) -> Url {
        let mut url = self.env.auth_url("/auth/oauth/authorize");
        {
            let mut q = url.query_pairs_mut();
            q.append_pair("response_type", "code");
            q.append_pair("client_id", &self.client_id);
            q.append_pair("redirect_uri", redirect_uri);
            q.append_pair("state", state);
            if !scopes.is_empty() {
                q.append_pair("scope", &scopes.join(" "));
            }
            if let Some(p) = pkce {
                q.append_pair("code_challenge_method", "S256");
                q.append_pair("code_challenge", &p.challenge);
            }
        }
        url
    }

    /// Exchanges an authorization code (valid 10 s, single use) with Basic auth; with a
    /// PKCE verifier when the authorization URL carried a challenge.
    pub async fn exchange_code(
        &self,
        code: &str,
        redirect_uri: &str,
        verifier: Option<&SecretString>,
    ) -> Result<TokenSet, OAuthError> {
        let mut form = vec![
            ("grant_type", "authorization_code"),
            ("code", code),
            ("redirect_uri", redirect_uri),
        ];
        if let Some(v) = verifier {
            form.push(("code_verifier", v.expose_secret()));
        }
        self.token(&form, true).await
    }

    /// The PKCE exchange without the client secret: `client_id` + `code_verifier` in the
    /// body instead of Basic auth (AUTH-TUT).
    pub async fn exchange_code_pkce(
        &self,
        code: &str,
        redirect_uri: &str,
        verifier: &SecretString,
    ) -> Result<TokenSet, OAuthError> {
        let form = [
            ("grant_type", "authorization_code"),
            ("code", code),
            ("redirect_uri", redirect_uri),
            ("client_id", self.client_id.as_str()),
            ("code_verifier", verifier.expose_secret()),
        ];
        self.token(&form, false).await
    }

    /// Refreshes: returns the rotated pair. The old refresh token dies (60 s of grace), so
    /// store the new one before using it.
    pub async fn refresh(&self, refresh_token: &SecretString) -> Result<TokenSet, OAuthError> {
        self.token(
            &[
                ("grant_type", "refresh_token"),
                ("refresh_token", refresh_token.expose_secret()),
            ],
            true,
        )
        .await
    }

    /// An application token (no user, no refresh token).
    pub async fn client_credentials(&self) -> Result<TokenSet, OAuthError> {
        self.token(&[("grant_type", "client_credentials")], true).await
    }

    /// Starts the device flow. `client_id` goes in the query, as Allegro still wants (GH#11893).
    pub async fn start_device(&self, scopes: &[&str]) -> Result<DeviceAuthorization, OAuthError> {
        let mut url = self.env.auth_url("/auth/oauth/device");
        url.query_pairs_mut().append_pair("client_id", &self.client_id);
        let mut form = Vec::new();
        if !scopes.is_empty() {
            form.push(("scope", scopes.join(" ")));
        }
        let response = self
            .http
            .post(url)
            .basic_auth(&self.client_id, Some(self.client_secret.expose_secret()))
            .form(&form)
            .send()
            .await
            .map_err(OAuthError::Transport)?;
        let status = response.status();
        let body = response.bytes().await.map_err(OAuthError::Transport)?;
        if !status.is_success() {
            return Err(oauth_error(status, &body));
        }
        let r: DeviceCodeResponse = serde_json::from_slice(&body).map_err(|e| OAuthError::Decode(e.to_string()))?;
        Ok(DeviceAuthorization {
            device_code: SecretString::from(r.device_code),
            user_code: r.user_code,
            verification_uri: r.verification_uri,
            verification_uri_complete: r.verification_uri_complete,
            interval: Duration::from_secs(r.interval.max(1) as u64),
            expires_in: Duration::from_secs(r.expires_in.max(0) as u64),
        })
    }

    /// Polls once.
    pub async fn poll_device(&self, device_code: &SecretString) -> Result<DevicePoll, OAuthError> {
        let form = [
            ("grant_type", "urn:ietf:params:oauth:grant-type:device_code"),
            ("device_code", device_code.expose_secret()),
        ];
        match self.token(&form, true).await {
            Ok(tokens) => Ok(DevicePoll::Token(tokens)),
            Err(OAuthError::Other { error, .. }) => Ok(match error.as_str() {
                "authorization_pending" => DevicePoll::Pending,
                "slow_down" => DevicePoll::SlowDown,
                "access_denied" => DevicePoll::Denied,
                "expired_token" => DevicePoll::Expired,
                _ => DevicePoll::Invalid,
            }),
            Err(e) => Err(e),
        }
    }

    /// Polls until the user decides or the codes expire, honouring `interval` and adding
    /// 5 s on every `slow_down` (RFC 8628 §3.5). Returns the final, non-pending outcome.
    pub async fn wait_for_device(&self, auth: &DeviceAuthorization) -> Result<DevicePoll, OAuthError> {
        let deadline = tokio::time::Instant::now() + auth.expires_in;
        let mut interval = auth.interval;
        loop {
            tokio::time::sleep(interval).await;
            if tokio::time::Instant::now() > deadline {
                return Ok(DevicePoll::Expired);
            }
            match self.poll_device(&auth.device_code).await? {
                DevicePoll::Pending => {}
                DevicePoll::SlowDown => interval += Duration::from_secs(5),
                other => return Ok(other),
            }
        }
    }

    async fn token(&self, form: &[(&str, &str)], basic: bool) -> Result<TokenSet, OAuthError> {
        // Parameters go only in the form body since 23 Sep 2025 (GH#11867).
        let mut request = self.http.post(self.env.auth_url("/auth/oauth/token")).form(form);
        if basic {
            request = request.basic_auth(&self.client_id, Some(self.client_secret.expose_secret()));
        }
        let response = request.send().await.map_err(OAuthError::Transport)?;
        let status = response.status();
        let body = response.bytes().await.map_err(OAuthError::Transport)?;
        if !status.is_success() {
            return Err(oauth_error(status, &body));
        }
        let parsed: TokenResponse = serde_json::from_slice(&body).map_err(|e| OAuthError::Decode(e.to_string()))?;
        Ok(TokenSet::from_response(parsed))
    }
}

fn oauth_error(status: StatusCode, body: &[u8]) -> OAuthError {
    let parsed: Option<AuthError> = serde_json::from_slice(body).ok();
    let (error, description) = match parsed {
        Some(e) => (e.error, e.error_description.unwrap_or_default()),
        None => (
            String::from("unknown"),
            String::from_utf8_lossy(body).chars().take(200).collect(),
        ),
    };
    match (status.as_u16(), error.as_str()) {
        (_, "invalid_grant") => OAuthError::InvalidGrant {
            description: redact(&description),
        },
        (401, _) => OAuthError::Unauthorized { error },
        (429, _) => OAuthError::RateLimited,
        (s, _) => OAuthError::Other {
            status: s,
            error,
            description: redact(&description),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pkce_matches_rfc7636_example() {
        // RFC 7636, appendix B.
        let p = Pkce::from_verifier("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk".into());
        assert_eq!(p.challenge, "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM");
        let fresh = Pkce::new();
        assert_eq!(fresh.verifier.expose_secret().len(), 64);
        assert_ne!(fresh.challenge, Pkce::new().challenge);
    }

    #[test]
    fn authorization_url_carries_state_scopes_and_challenge() {
        let c = OAuthClient::new(Environment::production(), "abc", SecretString::from("s"));
        let p = Pkce::new();
        let url = c.authorization_url(
            "https://x.pl/cb",
            "st4te",
            Some(&p),
            &["allegro:api:orders:read", "allegro:api:profile:read"],
        );
        assert_eq!(url.host_str(), Some("allegro.pl"));
        let q: std::collections::HashMap<_, _> = url.query_pairs().into_owned().collect();
        assert_eq!(q["response_type"], "code");
        assert_eq!(q["state"], "st4te");
        assert_eq!(q["scope"], "allegro:api:orders:read allegro:api:profile:read");
        assert_eq!(q["code_challenge_method"], "S256");
        assert_eq!(q["code_challenge"], p.challenge);
    }

    #[test]
    fn echoed_tokens_are_redacted() {
        let e = oauth_error(
            StatusCode::BAD_REQUEST,
            br#"{"error":"invalid_grant","error_description":"Invalid refresh token: eyJsecret"}"#,
        );
        let text = e.to_string();
        assert!(!text.contains("eyJsecret"), "{text}");
        assert!(matches!(e, OAuthError::InvalidGrant { .. }));
    }
}
