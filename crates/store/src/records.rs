use domain::{AccountId, AccountStatus, ApiKeyId, ConnectionId, ConnectionMode, Environment, OrganisationId, UserId};

/// Bytes sealed by the application's cipher (key id, nonce, ciphertext). The store never
/// sees a token or a secret in clear.
#[derive(Clone, PartialEq, Eq)]
pub struct Sealed(pub Vec<u8>);

impl std::fmt::Debug for Sealed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Sealed({} bytes)", self.0.len())
    }
}

/// An organisation (tenant).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Organisation {
    /// Id.
    pub id: OrganisationId,
    /// Display name.
    pub name: String,
    /// Created.
    pub created_at_ms: i64,
}

/// A back-office user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    /// Id.
    pub id: UserId,
    /// Organisation.
    pub organisation_id: OrganisationId,
    /// E-mail, lower-cased; the login.
    pub email: String,
    /// Argon2id PHC string.
    pub password_hash: String,
    /// Created.
    pub created_at_ms: i64,
}

/// A login session. The cookie holds a random token; the store keeps its SHA-256.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    /// SHA-256 of the cookie value, hex.
    pub id_hash: String,
    /// User.
    pub user_id: UserId,
    /// The user's organisation.
    pub organisation_id: OrganisationId,
    /// The user's e-mail (shown in the header).
    pub email: String,
    /// Per-session CSRF token.
    pub csrf_token: String,
    /// Expiry.
    pub expires_at_ms: i64,
}

/// An API key for `/api/v1`. Only its hash is stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiKey {
    /// Id.
    pub id: ApiKeyId,
    /// Organisation.
    pub organisation_id: OrganisationId,
    /// Name given at creation.
    pub name: String,
    /// SHA-256 of the key, hex.
    pub key_hash: String,
    /// First characters, to recognise it in lists.
    pub prefix: String,
    /// Created.
    pub created_at_ms: i64,
}

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

/// A job to enqueue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewJob {
    /// Kind, e.g. `refresh_token`.
    pub kind: String,
    /// At most one queued or running job per (kind, dedup key).
    pub dedup_key: String,
    /// JSON payload.
    pub payload: String,
    /// Not before.
    pub run_at_ms: i64,
    /// Attempts before it is dead.
    pub max_attempts: i32,
}

/// A claimed job.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Job {
    /// Id.
    pub id: i64,
    /// Kind.
    pub kind: String,
    /// Dedup key.
    pub dedup_key: String,
    /// JSON payload.
    pub payload: String,
    /// Attempts so far, this one included.
    pub attempts: i32,
    /// Attempts allowed.
    pub max_attempts: i32,
}

/// An order as stored: Allegro's checkout form (JSON) and the columns filters use.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrderRecord {
    /// Checkout form id.
    pub id: String,
    /// Organisation.
    pub organisation_id: OrganisationId,
    /// Linked account it came from.
    pub account_id: AccountId,
    /// Allegro status (`READY_FOR_PROCESSING`…).
    pub status: String,
    /// Fulfillment status.
    pub fulfillment_status: Option<String>,
    /// Marketplace id.
    pub marketplace: Option<String>,
    /// Buyer's login.
    pub buyer_login: String,
    /// Purchase time.
    pub bought_at_ms: i64,
    /// Allegro's revision.
    pub revision: Option<String>,
    /// Total to pay in minor units.
    pub total_minor: Option<i64>,
    /// Currency.
    pub currency: String,
    /// The checkout form as Allegro returned it.
    pub data: String,
}

/// What a batch of upserts did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct UpsertCounts {
    /// Orders not seen before.
    pub new: u64,
    /// Orders whose data changed.
    pub updated: u64,
    /// Orders seen again unchanged.
    pub unchanged: u64,
}

/// Filters of the orders list; `None` means any.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OrderFilter {
    /// Linked account.
    pub account_id: Option<AccountId>,
    /// Allegro status.
    pub status: Option<String>,
    /// Fulfillment status.
    pub fulfillment_status: Option<String>,
    /// Marketplace id.
    pub marketplace: Option<String>,
    /// Buyer login (exact).
    pub buyer_login: Option<String>,
    /// Bought at or after.
    pub bought_from_ms: Option<i64>,
    /// Bought before.
    pub bought_to_ms: Option<i64>,
}
