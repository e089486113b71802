use serde::{Deserialize, Serialize};

/// The token endpoint's success body (`/auth/oauth/token`), for every grant.
///
/// `expires_in` is 43199 (12 h); `refresh_token` is absent for `client_credentials`;
/// `scope` lists the granted scopes separated by spaces.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenResponse {
    /// RS256 JWT access token.
    pub access_token: String,
    /// Always `bearer`.
    pub token_type: String,
    /// RS256 JWT refresh token; single use, rotates on every refresh.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refresh_token: Option<String>,
    /// Access-token lifetime in seconds.
    pub expires_in: i64,
    /// Granted scopes, space-separated.
    #[serde(default)]
    pub scope: String,
    /// Legacy marker Allegro still sends.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub allegro_api: Option<bool>,
    /// Issuer, e.g. `https://allegro.pl/`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub iss: Option<String>,
    /// Token id (UUID).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub jti: Option<String>,
}

/// The device endpoint's success body (`/auth/oauth/device`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeviceCodeResponse {
    /// Code the application polls the token endpoint with.
    pub device_code: String,
    /// Seconds both codes stay valid (3600).
    pub expires_in: i64,
    /// Code the user types on the verification page.
    pub user_code: String,
    /// Minimum seconds between polls (5).
    pub interval: i64,
    /// Page where the user enters the code.
    pub verification_uri: String,
    /// The same page with the code filled in.
    pub verification_uri_complete: String,
}

/// Claims of an Allegro access or refresh token (RS256 JWT), as observed on real tokens.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenClaims {
    /// Issuer (`https://allegro.pl`); absent on older tokens.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub iss: Option<String>,
    /// The Allegro user id; absent on `client_credentials` tokens.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_name: Option<String>,
    /// Granted scopes.
    #[serde(default)]
    pub scope: Vec<String>,
    /// Legacy marker.
    #[serde(default)]
    pub allegro_api: bool,
    /// Expiry, epoch seconds.
    pub exp: i64,
    /// Client ID the token was issued to.
    pub client_id: String,
    /// Token id.
    pub jti: String,
    /// In refresh tokens: the `jti` of the access token issued with it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ati: Option<String>,
}
