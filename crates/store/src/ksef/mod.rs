//! An organisation's KSeF settings: the environment, its sealed KSeF token, what it sends
//! and what the last connection check found.

mod sql;

use async_trait::async_trait;
use domain::{InvoiceId, OrganisationId};

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
    /// The organisation issues in offline24 mode (art. 106nda): invoices go to the buyer at
    /// once and reach KSeF by the next business day.
    pub offline24: bool,
    /// The KSeF Offline certificate and its private key (PEM, sealed), for KOD II.
    pub offline_certificate: Option<Sealed>,
    /// What may be shown of it: its serial number and validity.
    pub offline_certificate_hint: Option<String>,
    /// Since when KSeF has not answered this organisation's calls (none while it does).
    pub unreachable_since_ms: Option<i64>,
    /// Since when a KSeF failure announced by the Ministry is declared (none otherwise).
    pub failure_since_ms: Option<i64>,
    /// Last change.
    pub updated_at_ms: i64,
}

impl KsefSettingsRecord {
    /// Settings never saved: the test environment, no token, nothing sent, nothing checked.
    pub fn never_saved(org: &OrganisationId) -> Self {
        Self {
            organisation_id: org.clone(),
            environment: "test".to_owned(),
            api_url: None,
            token: None,
            token_hint: None,
            send_consumer: false,
            send_from: None,
            checked_nip: None,
            checked_permissions: None,
            checked_at_ms: None,
            token_problem: None,
            offline24: false,
            offline_certificate: None,
            offline_certificate_hint: None,
            unreachable_since_ms: None,
            failure_since_ms: None,
            updated_at_ms: 0,
        }
    }
}

/// Where an invoice stands with KSeF.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum KsefState {
    /// Queued; not sent yet (or sent with an outcome unknown to us: KSeF's answer to the
    /// same bytes decides).
    Waiting,
    /// Sent; KSeF's decision not read yet.
    Sent,
    /// In KSeF with its number.
    Accepted,
    /// Refused by KSeF; waits for the seller ("Wyślij ponownie do KSeF").
    Rejected,
}

/// How an invoice goes to KSeF, decided when it is issued.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct KsefQueue {
    /// Issued offline, and why (`domain::OfflineMode`).
    pub offline_mode: Option<String>,
    /// The last day it may reach KSeF (`YYYY-MM-DD`), when already known.
    pub offline_deadline: Option<String>,
}

impl KsefState {
    /// As stored.
    pub fn as_str(self) -> &'static str {
        match self {
            KsefState::Waiting => "waiting",
            KsefState::Sent => "sent",
            KsefState::Accepted => "accepted",
            KsefState::Rejected => "rejected",
        }
    }

    /// From the stored text.
    pub fn parse(s: &str) -> Option<Self> {
        [
            KsefState::Waiting,
            KsefState::Sent,
            KsefState::Accepted,
            KsefState::Rejected,
        ]
        .into_iter()
        .find(|k| k.as_str() == s)
    }
}

/// The invoices list's KSeF filter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KsefFilter {
    /// On its way to KSeF, in this state.
    In(KsefState),
    /// Issued offline and not in KSeF yet (with a deadline).
    Offline,
    /// Not going to KSeF (a consumer's, an OSS sale, issued before sending started).
    Outside,
}

impl KsefFilter {
    /// Every choice, in the order the list offers them.
    pub const ALL: [KsefFilter; 6] = [
        KsefFilter::In(KsefState::Waiting),
        KsefFilter::In(KsefState::Sent),
        KsefFilter::In(KsefState::Accepted),
        KsefFilter::In(KsefState::Rejected),
        KsefFilter::Offline,
        KsefFilter::Outside,
    ];

    /// As the list's parameter names it: a state's word, or `outside`.
    pub fn as_str(self) -> &'static str {
        match self {
            KsefFilter::In(state) => state.as_str(),
            KsefFilter::Offline => "offline",
            KsefFilter::Outside => "outside",
        }
    }

    /// From the parameter's word.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|f| f.as_str() == s)
    }
}

/// An invoice on its way to KSeF.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KsefSubmission {
    /// The invoice.
    pub invoice_id: InvoiceId,
    /// Whose.
    pub organisation_id: OrganisationId,
    /// Where it stands.
    pub state: KsefState,
    /// The exact FA(3) bytes sent (stored before the first send).
    pub xml: Option<Vec<u8>>,
    /// Failed attempts so far.
    pub attempts: i64,
    /// When it is next due (a claim's lease end while held).
    pub next_at_ms: i64,
    /// The online session it was sent in (`SO`).
    pub session_ref: Option<String>,
    /// Its reference in that session (`EE`).
    pub invoice_ref: Option<String>,
    /// The KSeF number.
    pub ksef_number: Option<String>,
    /// When KSeF gave it (RFC 3339).
    pub acquired_at: Option<String>,
    /// `Online` or `Offline`.
    pub invoicing_mode: Option<String>,
    /// The UPO (XML).
    pub upo: Option<Vec<u8>>,
    /// Why the last attempt failed or KSeF refused it (a stored problem).
    pub error: Option<String>,
    /// Issued offline, and why (`domain::OfflineMode`): sent with `offlineMode=true`.
    pub offline_mode: Option<String>,
    /// The last day (`YYYY-MM-DD`, Polish) it may reach KSeF; unknown while KSeF's
    /// unavailability lasts.
    pub offline_deadline: Option<String>,
    /// KOD II as printed on its visualisation (signed with the Offline certificate).
    pub certificate_link: Option<String>,
    /// A technical correction: the Base64 SHA-256 of the refused offline bytes it replaces.
    pub corrected_hash: Option<String>,
    /// When it was queued.
    pub queued_at_ms: i64,
    /// Last change; a save names the value it read, so a holder whose lease ran out
    /// cannot overwrite another's work.
    pub updated_at_ms: i64,
}

/// How the invoices on their way to KSeF stand, for the operator's gauges or one
/// organisation's start page.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct KsefBacklog {
    /// Not yet in KSeF (waiting or sent).
    pub waiting: i64,
    /// When the longest-waiting of them was queued.
    pub oldest_queued_at_ms: Option<i64>,
    /// Refused by KSeF, waiting for the seller.
    pub rejected: i64,
    /// Issued offline and not yet in KSeF.
    pub offline: i64,
    /// The nearest deadline (`YYYY-MM-DD`) of those.
    pub nearest_deadline: Option<String>,
}

/// KSeF settings and the invoices on their way to KSeF.
#[async_trait]
pub trait KsefStore: Send + Sync {
    /// The organisation's KSeF settings, if saved.
    async fn ksef_settings(&self, org: &OrganisationId) -> StoreResult<Option<KsefSettingsRecord>>;
    /// Saves the organisation's KSeF settings whole.
    async fn save_ksef_settings(&self, settings: &KsefSettingsRecord) -> StoreResult<()>;
    /// Records whether KSeF answers the organisation: `Some(now)` keeps the first moment
    /// it stopped answering, `None` forgets it (only this column changes, so a seller
    /// saving the settings meanwhile loses nothing). Whether an unavailability was on record
    /// before.
    async fn set_ksef_unreachable(&self, org: &OrganisationId, since_ms: Option<i64>) -> StoreResult<bool>;
    /// Claims up to `limit` submissions due at `now_ms` (waiting or sent), oldest first:
    /// each is due again at `lease_until_ms` unless saved before, and its `updated_at_ms`
    /// becomes `now_ms`.
    async fn claim_due_ksef(&self, now_ms: i64, lease_until_ms: i64, limit: i64) -> StoreResult<Vec<KsefSubmission>>;
    /// Saves a claimed submission whole, if nobody changed it since `read_at_ms` (its
    /// `updated_at_ms` when read); whether it was saved.
    async fn save_ksef_submission(&self, submission: &KsefSubmission, read_at_ms: i64) -> StoreResult<bool>;
    /// "Wyślij ponownie do KSeF": a refused invoice gets `document` (its data corrected,
    /// same number) and is queued again to be rendered and sent anew — in one transaction,
    /// and only while KSeF's refusal stands; whether it was. An offline invoice goes as a
    /// technical correction of the refused bytes (`corrected_hash`).
    async fn reopen_rejected_ksef(
        &self,
        org: &OrganisationId,
        invoice: &InvoiceId,
        document: &str,
        corrected_hash: Option<&str>,
        now_ms: i64,
    ) -> StoreResult<bool>;
    /// The submissions of these invoices (those that go to KSeF), for a page of the list.
    async fn ksef_submissions_of(
        &self,
        org: &OrganisationId,
        invoices: &[InvoiceId],
    ) -> StoreResult<Vec<KsefSubmission>>;
    /// The backlog of one organisation, or of all when `org` is `None`.
    async fn ksef_backlog(&self, org: Option<&OrganisationId>) -> StoreResult<KsefBacklog>;
    /// KSeF's unavailability ended for `org` on `ended` (`YYYY-MM-DD`): the invoices
    /// issued offline in `mode` whose deadline was not known yet get `deadline`; how many.
    async fn settle_offline_deadlines(&self, org: &OrganisationId, mode: &str, deadline: &str) -> StoreResult<u64>;
    /// The invoice's submission, if it goes to KSeF.
    async fn ksef_submission(&self, org: &OrganisationId, invoice: &InvoiceId) -> StoreResult<Option<KsefSubmission>>;
}
