//! Organisations, users, sessions, API keys, failed logins and the key ring: the shell around the seller's data.

mod records;
mod sql;

use async_trait::async_trait;
use domain::{ApiKeyId, OrganisationId};

pub use records::*;

use crate::StoreResult;

/// Organisations, users, sessions, API keys, failed logins and the key ring: the shell around the seller's data.
#[async_trait]
pub trait ShellStore: Send + Sync {
    /// Creates an organisation with its first user.
    async fn create_organisation(&self, org: &Organisation, first_user: &User) -> StoreResult<()>;
    /// Adds a user to an existing organisation; `Conflict` if the e-mail is taken.
    async fn create_user(&self, user: &User) -> StoreResult<()>;
    /// The organisation of this id.
    async fn organisation(&self, id: &OrganisationId) -> StoreResult<Option<Organisation>>;
    /// Organisations, oldest first.
    async fn organisations(&self) -> StoreResult<Vec<Organisation>>;
    /// The user with this e-mail (lower-cased).
    async fn user_by_email(&self, email: &str) -> StoreResult<Option<User>>;
    /// Number of users (zero means first-run setup).
    async fn count_users(&self) -> StoreResult<i64>;
    /// Stores a login session.
    async fn create_session(&self, session: &Session) -> StoreResult<()>;
    /// The session with this id hash, if not expired at `now_ms`.
    async fn session(&self, id_hash: &str, now_ms: i64) -> StoreResult<Option<Session>>;
    /// Ends a session.
    async fn delete_session(&self, id_hash: &str) -> StoreResult<()>;
    /// Stores an API key (only its hash).
    async fn create_api_key(&self, key: &ApiKey) -> StoreResult<()>;
    /// The API key with this hash, if not revoked.
    async fn api_key_by_hash(&self, key_hash: &str) -> StoreResult<Option<ApiKey>>;
    /// The organisation's API keys that are not revoked, newest first.
    async fn api_keys(&self, org: &OrganisationId) -> StoreResult<Vec<ApiKey>>;
    /// Revokes one of the organisation's keys; false if there is no such active key.
    async fn revoke_api_key(&self, org: &OrganisationId, id: &ApiKeyId, now_ms: i64) -> StoreResult<bool>;
    /// Notes that a key was used (written at most once a minute per key).
    async fn touch_api_key(&self, id: &ApiKeyId, now_ms: i64) -> StoreResult<()>;

    // login throttling and the key ring
    /// Counts one more failed login for `key` (an account or an address); a count whose
    /// last failure is before `window_start_ms` starts again at 1. The new count.
    async fn record_login_failure(&self, key: &str, now_ms: i64, window_start_ms: i64) -> StoreResult<LoginFailures>;
    /// The failed logins counted for `key`, if any.
    async fn login_failures(&self, key: &str) -> StoreResult<Option<LoginFailures>>;
    /// Forgets the failed logins of `key` (after a successful login).
    async fn clear_login_failures(&self, key: &str) -> StoreResult<()>;
    /// Forgets every count whose last failure is before `before_ms`; how many.
    async fn forget_login_failures(&self, before_ms: i64) -> StoreResult<u64>;
    /// Every long-lived sealed value (Client Secrets, refresh tokens), for the key-ring check.
    async fn stored_secrets(&self) -> StoreResult<Vec<StoredSecret>>;
}
