use crate::Sealed;
use domain::{AccountId, AccountStatus, ConnectionId, ConnectionMode, Environment, OrganisationId};

/// A connection: the OAuth app accounts are linked through.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Connection {
    /// Id; also the last segment of its unique redirect URI.
    pub id: ConnectionId,
    /// Organisation.
    pub organisation_id: OrganisationId,
    /// Own app or the service app.
    pub mode: ConnectionMode,
    /// Production, sandbox or custom URLs.
    pub environment: Environment,
    /// Auth host base URL.
    pub auth_url: String,
    /// API host base URL.
    pub api_url: String,
    /// Client ID (own app, once pasted).
    pub client_id: Option<String>,
    /// Client Secret, sealed (own app, once pasted).
    pub client_secret: Option<Sealed>,
    /// Created.
    pub created_at_ms: i64,
    /// Updated.
    pub updated_at_ms: i64,
}

/// A pending OAuth authorization: `state` is single use, bound to the user's session and
/// the connection, and expires.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OAuthState {
    /// SHA-256 of the `state` value, hex.
    pub state_hash: String,
    /// Organisation.
    pub organisation_id: OrganisationId,
    /// Connection.
    pub connection_id: ConnectionId,
    /// SHA-256 of the session that started it (the callback must come from the same one).
    pub session_hash: String,
    /// The PKCE verifier, sealed.
    pub pkce_verifier: Sealed,
    /// When re-linking: the account that must come back with the same Allegro user.
    pub relink_account_id: Option<AccountId>,
    /// Expiry.
    pub expires_at_ms: i64,
}

/// What `take_oauth_state` found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StateLookup {
    /// First use, not expired.
    Valid(OAuthState),
    /// Already used.
    Used,
    /// Expired.
    Expired,
    /// Never issued.
    Unknown,
}

/// Tokens as stored: sealed, with their expiries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenPair {
    /// Access token, sealed.
    pub access_token: Sealed,
    /// Refresh token, sealed.
    pub refresh_token: Sealed,
    /// Access-token expiry.
    pub access_expires_at_ms: i64,
    /// Refresh-token expiry.
    pub refresh_expires_at_ms: i64,
}

/// The result of a successful authorization, to store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewLink {
    /// Id for a new account (unused when the account exists).
    pub account_id: AccountId,
    /// Organisation.
    pub organisation_id: OrganisationId,
    /// Connection.
    pub connection_id: ConnectionId,
    /// Allegro user id (from `/me`, equal to the token's `user_name`).
    pub allegro_user_id: String,
    /// Login from `/me`.
    pub login: String,
    /// Granted scopes, space-separated.
    pub scopes: String,
    /// Tokens.
    pub tokens: TokenPair,
    /// Now.
    pub now_ms: i64,
}

/// What `link_account` did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LinkResult {
    /// A new account.
    Created(AccountId),
    /// The connection already had this Allegro user: its tokens were replaced.
    Updated(AccountId),
    /// Another connection of the organisation had this Allegro user: the account (its
    /// orders, invoices, waybills and settings) now works through this connection.
    Moved {
        /// The account.
        account: AccountId,
        /// The connection it was linked through before.
        from: ConnectionId,
    },
}

/// A linked Allegro account (tokens stay sealed).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Account {
    /// Id.
    pub id: AccountId,
    /// Organisation.
    pub organisation_id: OrganisationId,
    /// Connection.
    pub connection_id: ConnectionId,
    /// Allegro user id.
    pub allegro_user_id: String,
    /// Allegro login.
    pub login: String,
    /// Status.
    pub status: AccountStatus,
    /// Why it needs a new login, in words for the seller.
    pub status_reason: Option<String>,
    /// Granted scopes, space-separated.
    pub scopes: String,
    /// Tokens, while linked.
    pub tokens: Option<TokenPair>,
    /// Last successful refresh.
    pub last_refresh_at_ms: Option<i64>,
    /// Last successful sync.
    pub last_sync_at_ms: Option<i64>,
    /// Linked.
    pub created_at_ms: i64,
    /// Updated.
    pub updated_at_ms: i64,
}
