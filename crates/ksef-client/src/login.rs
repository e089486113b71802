//! Login with a KSeF token (research §A(a)) and the access token it yields, kept fresh:
//! refreshed a minute before it expires, and a new login when the refresh token is gone
//! or refused.

use std::time::Duration;

use ksef_api_types::{
    AuthenticationChallengeResponse, AuthenticationInitResponse, AuthenticationOperationStatusResponse,
    AuthenticationTokenRefreshResponse, AuthenticationTokensResponse, ContextIdentifier,
    InitTokenAuthenticationRequest, PublicKeyCertificate, PublicKeyCertificateUsage, ReferenceNumber,
};

use crate::client::Call;
use crate::limiter::Group;
use crate::{AuthFailure, KsefClient, KsefError, KsefToken, crypto};

/// How long a login may stay "in progress" before we give up.
const AUTH_DEADLINE: Duration = Duration::from_secs(120);

/// Refresh this long before the access token expires.
const REFRESH_AHEAD_MS: i64 = 60_000;

fn parse_ms(s: &str) -> i64 {
    s.parse::<jiff::Timestamp>().map_or(0, |t| t.as_millisecond())
}

fn now_ms() -> i64 {
    jiff::Timestamp::now().as_millisecond()
}

#[derive(Debug)]
struct Tokens {
    access: String,
    access_until_ms: i64,
    refresh: Option<String>,
    refresh_until_ms: i64,
    reference: ReferenceNumber,
}

/// A login in one context (NIP); every protected call goes through it.
pub struct Login {
    pub(crate) client: KsefClient,
    pub(crate) nip: String,
    token: KsefToken,
    tokens: tokio::sync::Mutex<Tokens>,
}

impl std::fmt::Debug for Login {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Login").field("nip", &self.nip).finish_non_exhaustive()
    }
}

impl KsefClient {
    /// `GET /security/public-key-certificates`, kept until [`Self::forget_keys`].
    pub async fn public_key_certificates(&self) -> Result<Vec<PublicKeyCertificate>, KsefError> {
        if let Some(keys) = self.0.keys.lock().clone() {
            return Ok(keys);
        }
        let keys: Vec<PublicKeyCertificate> = self
            .json(Call::get("/security/public-key-certificates", Group::Public, "", None))
            .await?;
        *self.0.keys.lock() = Some(keys.clone());
        Ok(keys)
    }

    /// Forgets the keys read, so the next use reads them again (after 21470: rotated).
    pub fn forget_keys(&self) {
        *self.0.keys.lock() = None;
    }

    /// The key for `usage` valid now (the newest `validFrom` if several): `(key, publicKeyId)`.
    pub(crate) async fn key_for(
        &self,
        usage: PublicKeyCertificateUsage,
    ) -> Result<(rsa::RsaPublicKey, String), KsefError> {
        let keys = self.public_key_certificates().await?;
        let now = now_ms();
        let cert = keys
            .iter()
            .filter(|k| k.usage.contains(&usage))
            .filter(|k| parse_ms(&k.valid_from) <= now && now < parse_ms(&k.valid_to))
            .max_by_key(|k| parse_ms(&k.valid_from))
            .ok_or_else(|| KsefError::Invalid(format!("KSeF nie publikuje ważnego klucza {usage:?}")))?;
        Ok((crypto::certificate_key(&cert.certificate)?, cert.public_key_id.clone()))
    }

    /// Logs in to the context `nip` with a KSeF token: challenge, the encrypted token,
    /// the asynchronous status (a failure is [`KsefError::Auth`] naming the reason), and
    /// the single-use redeem.
    pub async fn login_with_token(&self, nip: &str, token: &KsefToken) -> Result<Login, KsefError> {
        let tokens = self.authenticate(nip, token).await?;
        Ok(Login {
            client: self.clone(),
            nip: nip.to_owned(),
            token: token.clone(),
            tokens: tokio::sync::Mutex::new(tokens),
        })
    }

    async fn authenticate(&self, nip: &str, token: &KsefToken) -> Result<Tokens, KsefError> {
        let mut rotated = false;
        let init: AuthenticationInitResponse = loop {
            let (key, key_id) = self.key_for(PublicKeyCertificateUsage::KsefTokenEncryption).await?;
            let challenge: AuthenticationChallengeResponse = self
                .json(Call::post("/auth/challenge", Group::Public, "", None))
                .await?;
            let plaintext = format!("{}|{}", token.expose(), challenge.timestamp_ms);
            let request = InitTokenAuthenticationRequest {
                challenge: challenge.challenge,
                context_identifier: ContextIdentifier::nip(nip),
                encrypted_token: crypto::oaep_encrypt(&key, plaintext.as_bytes())?,
                public_key_id: Some(key_id),
                authorization_policy: None,
            };
            match self
                .json(Call::post("/auth/ksef-token", Group::Public, "", None).body(&request))
                .await
            {
                Ok(init) => break init,
                // An emergency key rotation retired the key: read the keys again, once.
                Err(e) if e.code() == Some(21470) && !rotated => {
                    tracing::info!("KSeF retired its token key; reading the keys again");
                    self.forget_keys();
                    rotated = true;
                }
                Err(e) => return Err(e),
            }
        };
        let reference = init.reference_number;
        let auth_token = init.authentication_token.token;
        let deadline = tokio::time::Instant::now() + AUTH_DEADLINE;
        let mut delay = Duration::from_millis(50);
        loop {
            let status: AuthenticationOperationStatusResponse = self
                .json(Call::get(
                    format!("/auth/{reference}"),
                    Group::Public,
                    "",
                    Some(&auth_token),
                ))
                .await?;
            match status.status.code {
                100 => {}
                200 => break,
                code => {
                    return Err(KsefError::Auth(AuthFailure {
                        code,
                        description: status.status.description,
                        details: status.status.details.unwrap_or_default(),
                    }));
                }
            }
            if tokio::time::Instant::now() >= deadline {
                return Err(KsefError::AuthTimeout);
            }
            tokio::time::sleep(delay).await;
            delay = (delay * 2).min(Duration::from_secs(2));
        }
        let redeemed: AuthenticationTokensResponse = self
            .json(Call::post("/auth/token/redeem", Group::Public, "", Some(&auth_token)))
            .await?;
        tracing::info!(nip, auth = %reference, "logged in to KSeF");
        Ok(Tokens {
            access_until_ms: parse_ms(&redeemed.access_token.valid_until),
            access: redeemed.access_token.token,
            refresh_until_ms: parse_ms(&redeemed.refresh_token.valid_until),
            refresh: Some(redeemed.refresh_token.token),
            reference,
        })
    }
}

impl Login {
    /// The context NIP.
    pub fn nip(&self) -> &str {
        &self.nip
    }

    /// The client.
    pub fn client(&self) -> &KsefClient {
        &self.client
    }

    /// The authentication operation's number (`AU`) of the current login.
    pub async fn reference(&self) -> ReferenceNumber {
        self.tokens.lock().await.reference.clone()
    }

    /// A live access token: refreshed when it has less than a minute left, a new login
    /// when the refresh token is gone or refused (revoked token → [`KsefError::Auth`]).
    pub async fn access_token(&self) -> Result<String, KsefError> {
        let mut tokens = self.tokens.lock().await;
        let now = now_ms();
        if tokens.access_until_ms - REFRESH_AHEAD_MS > now {
            return Ok(tokens.access.clone());
        }
        if let Some(refresh) = tokens.refresh.clone().filter(|_| tokens.refresh_until_ms > now + 5_000) {
            let answer: Result<AuthenticationTokenRefreshResponse, _> = self
                .client
                .json(Call::post("/auth/token/refresh", Group::Public, "", Some(&refresh)))
                .await;
            match answer {
                Ok(r) => {
                    tokens.access_until_ms = parse_ms(&r.access_token.valid_until);
                    tokens.access = r.access_token.token;
                    return Ok(tokens.access.clone());
                }
                Err(e @ (KsefError::Api { .. } | KsefError::Unauthorized { .. })) => {
                    tracing::info!(nip = %self.nip, error = %e, "KSeF refused the refresh; logging in again");
                    tokens.refresh = None;
                }
                Err(e) => return Err(e),
            }
        }
        *tokens = self.client.authenticate(&self.nip, &self.token).await?;
        Ok(tokens.access.clone())
    }

    /// Forces the next call to refresh (after a 401).
    pub(crate) async fn expire_access(&self) {
        self.tokens.lock().await.access_until_ms = 0;
    }

    /// A protected JSON call; a 401 refreshes once and tries again.
    pub(crate) async fn json<T: serde::de::DeserializeOwned>(
        &self,
        make: impl Fn(&str) -> Call + Send,
    ) -> Result<T, KsefError> {
        let token = self.access_token().await?;
        match self.client.json(make(&token)).await {
            Err(KsefError::Unauthorized { .. }) => {
                self.expire_access().await;
                let token = self.access_token().await?;
                self.client.json(make(&token)).await
            }
            other => other,
        }
    }

    /// A protected call without a body in the answer; a 401 refreshes once.
    pub(crate) async fn empty(&self, make: impl Fn(&str) -> Call + Send) -> Result<(), KsefError> {
        let token = self.access_token().await?;
        match self.client.call(make(&token)).await {
            Err(KsefError::Unauthorized { .. }) => {
                self.expire_access().await;
                let token = self.access_token().await?;
                self.client.call(make(&token)).await.map(drop)
            }
            other => other.map(drop),
        }
    }

    /// A protected call answered with bytes (XML); a 401 refreshes once.
    pub(crate) async fn bytes(&self, make: impl Fn(&str) -> Call + Send) -> Result<Vec<u8>, KsefError> {
        let token = self.access_token().await?;
        match self.client.bytes(make(&token)).await {
            Err(KsefError::Unauthorized { .. }) => {
                self.expire_access().await;
                let token = self.access_token().await?;
                self.client.bytes(make(&token)).await
            }
            other => other,
        }
    }

    /// `DELETE /auth/sessions/current`: the refresh token dies (the access token lives
    /// until it expires).
    pub async fn revoke_current(&self) -> Result<(), KsefError> {
        self.empty(|t| Call {
            method: reqwest::Method::DELETE,
            ..Call::get("/auth/sessions/current", Group::Other, &self.nip, Some(t))
        })
        .await
    }

    /// `GET /tokens/{referenceNumber}`: a KSeF token's context, permissions and status.
    pub async fn token_status(&self, reference: &str) -> Result<ksef_api_types::TokenStatusResponse, KsefError> {
        let path = format!("/tokens/{reference}");
        self.json(|t| Call::get(path.clone(), Group::Other, &self.nip, Some(t)))
            .await
    }

    /// `GET /rate-limits`: what KSeF says the limits are now, applied to this client.
    pub async fn sync_rate_limits(&self) -> Result<(), KsefError> {
        let limits: std::collections::BTreeMap<String, ksef_api_types::RateLimitValues> = self
            .json(|t| Call::get("/rate-limits", Group::Other, &self.nip, Some(t)))
            .await?;
        for (name, values) in limits {
            if let Some(group) = Group::from_name(&name) {
                self.client.0.limits.set(group, values);
            }
        }
        Ok(())
    }
}
