//! An organisation's KSeF settings: the environment, its sealed KSeF token, what it sends
//! and what the last connection check found.

mod sql;

use async_trait::async_trait;
use domain::OrganisationId;

use crate::{Sealed, StoreResult};

/// KSeF settings as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KsefSettingsRecord {
    /// Whose.
    pub organisation_id: OrganisationId,
    /// `test`, `demo`, `production` or `custom`.
    pub environment: String,
    /// The API's base URL of a custom environment.
    pub api_url: Option<String>,
    /// The KSeF token, sealed.
    pub token: Option<Sealed>,
    /// What may be shown of the token (its reference and NIP, the secret masked).
    pub token_hint: Option<String>,
    /// Consumer invoices go to KSeF too.
    pub send_consumer: bool,
    /// Invoices issued from this day (`YYYY-MM-DD`) on are sent.
    pub send_from: Option<String>,
    /// The context NIP the last successful check logged into.
    pub checked_nip: Option<String>,
    /// The token's permissions the last check read, comma-separated.
    pub checked_permissions: Option<String>,
    /// When the last successful check ran.
    pub checked_at_ms: Option<i64>,
    /// Why KSeF refuses the token (a stored problem), until it is replaced.
    pub token_problem: Option<String>,
    /// Last change.
    pub updated_at_ms: i64,
}

/// KSeF settings.
#[async_trait]
pub trait KsefStore: Send + Sync {
    /// The organisation's KSeF settings, if saved.
    async fn ksef_settings(&self, org: &OrganisationId) -> StoreResult<Option<KsefSettingsRecord>>;
    /// Saves the organisation's KSeF settings whole.
    async fn save_ksef_settings(&self, settings: &KsefSettingsRecord) -> StoreResult<()>;
}
