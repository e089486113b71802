use domain::{ApiKeyId, OrganisationId, UserId};

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
    /// Last time a request used it (to the minute).
    pub last_used_at_ms: Option<i64>,
}

/// A sealed value as stored, with what it belongs to: the key-ring check at start opens one
/// value per key id.
#[derive(Debug, Clone)]
pub struct StoredSecret {
    /// The value's purpose as the application seals it (e.g. `connection:{id}:secret`).
    pub purpose: String,
    /// The sealed bytes.
    pub sealed: Sealed,
}

/// Failed logins counted for one account or address.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LoginFailures {
    /// Failures since the count last started.
    pub failures: i64,
    /// The latest failure.
    pub last_failure_ms: i64,
}
