//! OAuth grants and tokens: authorization codes, device grants, access and refresh tokens.

/// An authorization code waiting to be exchanged.
#[derive(Debug, Clone)]
pub struct AuthCode {
    /// Client it was issued to.
    pub client_id: String,
    /// Seller who consented.
    pub seller: usize,
    /// `redirect_uri` used at `/authorize`; the exchange must repeat it exactly.
    pub redirect_uri: String,
    /// Scopes granted.
    pub scopes: Vec<String>,
    /// PKCE S256 challenge, if one was sent.
    pub code_challenge: Option<String>,
    /// Expiry (issue + 10 s).
    pub expires_at_ms: i64,
}

/// The state of a device authorization.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DeviceState {
    /// Waiting for the user.
    Pending,
    /// The user approved as this seller.
    Approved(usize),
    /// The user refused.
    Denied,
    /// A token was already issued for it.
    Used,
}

/// A device-flow grant.
#[derive(Debug, Clone)]
pub struct DeviceGrant {
    /// Client.
    pub client_id: String,
    /// Code shown to the user.
    pub user_code: String,
    /// Scopes requested (already narrowed to the app's).
    pub scopes: Vec<String>,
    /// Expiry.
    pub expires_at_ms: i64,
    /// Where it stands.
    pub state: DeviceState,
    /// Last poll, for `slow_down`.
    pub last_poll_ms: Option<i64>,
    /// Current minimum poll interval in seconds.
    pub interval_s: i64,
}

/// An issued access token.
#[derive(Debug, Clone)]
pub struct AccessRecord {
    /// The JWT itself; presented tokens must match it exactly.
    pub token: String,
    /// Seller, or `None` for `client_credentials`.
    pub seller: Option<usize>,
    /// Client.
    pub client_id: String,
    /// Scopes.
    pub scopes: Vec<String>,
    /// Expiry.
    pub expires_at_ms: i64,
    /// Seller's token epoch at issue.
    pub epoch: u32,
    /// Superseded by a refresh.
    pub revoked: bool,
}

/// An issued refresh token.
#[derive(Debug, Clone)]
pub struct RefreshRecord {
    /// The JWT.
    pub token: String,
    /// Seller.
    pub seller: usize,
    /// Client.
    pub client_id: String,
    /// Scopes.
    pub scopes: Vec<String>,
    /// Expiry (issue + 90 days by default).
    pub expires_at_ms: i64,
    /// Seller's token epoch at issue.
    pub epoch: u32,
    /// First use; it stays usable for 60 s after that.
    pub used_at_ms: Option<i64>,
    /// `jti` of the access token issued with it.
    pub ati: String,
}
