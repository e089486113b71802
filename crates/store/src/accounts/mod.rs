//! Connections (Allegro apps), OAuth state and linked Allegro accounts with their tokens and settings.

mod records;
mod sql;

use async_trait::async_trait;
use domain::{AccountId, AccountSettings, AccountStatus, ConnectionId, OrganisationId};

pub use records::*;

use crate::Sealed;
use crate::StoreResult;

/// Connections (Allegro apps), OAuth state and linked Allegro accounts with their tokens and settings.
#[async_trait]
pub trait AccountStore: Send + Sync {
    /// Creates a connection.
    async fn create_connection(&self, connection: &Connection) -> StoreResult<()>;
    /// The organisation's connections, oldest first.
    async fn connections(&self, org: &OrganisationId) -> StoreResult<Vec<Connection>>;
    /// One connection of the organisation.
    async fn connection(&self, org: &OrganisationId, id: &ConnectionId) -> StoreResult<Option<Connection>>;
    /// Replaces a connection's Client ID and (encrypted) Client Secret; false if not found,
    /// or if another organisation has a connection with that Client ID in the same
    /// environment (one app's request budget belongs to one organisation).
    async fn set_connection_credentials(
        &self,
        org: &OrganisationId,
        id: &ConnectionId,
        client_id: &str,
        client_secret: &Sealed,
        now_ms: i64,
    ) -> StoreResult<bool>;
    /// Stores a pending OAuth `state`.
    async fn create_oauth_state(&self, state: &OAuthState) -> StoreResult<()>;
    /// Consumes a `state`: the first call gets it, later calls see `Used`.
    async fn take_oauth_state(&self, state_hash: &str, now_ms: i64) -> StoreResult<StateLookup>;

    // linked accounts
    /// Stores tokens after linking: a new account, or new tokens for the account the
    /// organisation already has for the same Allegro user id — moved to this connection
    /// when another one linked it (one account per Allegro user and organisation).
    async fn link_account(&self, link: &NewLink) -> StoreResult<LinkResult>;
    /// Stores tokens after re-linking `account`, only if `allegro_user_id` is the one the
    /// account belongs to (invariant 4); false changes nothing.
    async fn relink_account(&self, org: &OrganisationId, account: &AccountId, link: &NewLink) -> StoreResult<bool>;
    /// The organisation's accounts, in the order they were linked.
    async fn accounts(&self, org: &OrganisationId) -> StoreResult<Vec<Account>>;
    /// One account of the organisation.
    async fn account(&self, org: &OrganisationId, id: &AccountId) -> StoreResult<Option<Account>>;
    /// One account, for workers (no organisation scope).
    async fn account_for_worker(&self, id: &AccountId) -> StoreResult<Option<Account>>;
    /// Sets an account's status and the reason shown to the seller.
    async fn set_account_status(
        &self,
        id: &AccountId,
        status: AccountStatus,
        reason: Option<&str>,
        now_ms: i64,
    ) -> StoreResult<()>;
    /// Disconnects: drops the tokens, keeps the account and its history; false if not found.
    async fn disconnect_account(&self, org: &OrganisationId, id: &AccountId, now_ms: i64) -> StoreResult<bool>;
    /// Takes the refresh lease of an account until `until_ms` if nobody holds it.
    async fn try_lease_refresh(&self, id: &AccountId, owner: &str, until_ms: i64, now_ms: i64) -> StoreResult<bool>;
    /// Stores a rotated token pair, only while `owner` holds the lease (a fencing check);
    /// returns false if the lease was lost, in which case nothing is written.
    async fn store_refreshed_tokens(
        &self,
        id: &AccountId,
        owner: &str,
        tokens: &TokenPair,
        now_ms: i64,
    ) -> StoreResult<bool>;
    /// Releases the refresh lease.
    async fn release_refresh_lease(&self, id: &AccountId, owner: &str) -> StoreResult<()>;
    /// Active accounts whose access token expires before `expires_before_ms` or that were
    /// last refreshed before `refreshed_before_ms` (keep-alive), soonest first.
    async fn accounts_due_for_refresh(
        &self,
        expires_before_ms: i64,
        refreshed_before_ms: i64,
        limit: i64,
    ) -> StoreResult<Vec<AccountId>>;
    /// Active accounts at risk of lapsing: refresh token ending before
    /// `refresh_expires_before_ms`, or no successful refresh since `refreshed_before_ms`.
    async fn count_accounts_at_risk(
        &self,
        refresh_expires_before_ms: i64,
        refreshed_before_ms: i64,
    ) -> StoreResult<i64>;
    /// Number of accounts per status, all organisations (for metrics).
    async fn account_status_counts(&self) -> StoreResult<Vec<(AccountStatus, i64)>>;
    /// An account's settings (defaults if never saved).
    async fn account_settings(&self, org: &OrganisationId, id: &AccountId) -> StoreResult<Option<AccountSettings>>;
    /// Saves an account's settings; false if the account is not the organisation's.
    async fn save_account_settings(
        &self,
        org: &OrganisationId,
        id: &AccountId,
        settings: &AccountSettings,
        now_ms: i64,
    ) -> StoreResult<bool>;
}
