//! allegro-bridge's use cases. The web layer and the CLI call these; nothing here knows
//! HTTP handlers or SQL. Time comes from a [`Clock`], randomness from the OS.
#![forbid(unsafe_code)]

mod accounts;
pub mod crypto;
mod invoices;
mod ksef;
mod orders;
mod outbox;
mod shell;
mod shipments;
mod warehouse;
pub mod worker;

use std::sync::Arc;

use allegro_client::RateBudgets;
use domain::{Clock, Environment};
use secrecy::SecretString;
use sha2::{Digest, Sha256};
use store::{Store, StoreError};

pub use accounts::{CustomAllegroUrls, LinkOutcome, RefreshOutcome, RefreshPolicy, StateProblem, is_public};
/// Allegro's types as the app hands them out (the checkout form of an order's page).
pub use allegro_client::types as allegro_types;
pub use allegro_client::types::scopes;
pub use crypto::Cipher;
pub use domain::Problem;
pub use invoices::{EarlierOrders, IssueOutcome, PdfLanguage, ReceiptGiven, issued_late};
pub use ksef::{
    InvoiceInKsef, KSEF_PAUSE, KSEF_ROUND, KsefCheck, KsefComparison, KsefEnvironment, KsefRound, KsefSettings,
    KsefSettingsInput, OfflineCertificateInfo,
};
pub use order_files;
pub use orders::{DateRange, ImportError, SyncReport, order_record};
pub use outbox::OutboxReport;
pub use shell::{CurrentUser, Dashboard, DeadlineAlert, KeyRingProblem, LOGIN_LOCK_MS, NewSession};
pub use shipments::{Carrier, WaybillImport, push_error_key};
pub use store::KsefState;
pub use warehouse::ProductSync;

/// The operator's app that every seller can link through ("Połącz konto Allegro").
#[derive(Clone)]
pub struct ServiceApp {
    /// Environment.
    pub environment: Environment,
    /// Auth host base URL.
    pub auth_url: String,
    /// API host base URL.
    pub api_url: String,
    /// Client ID.
    pub client_id: String,
    /// Client Secret.
    pub client_secret: SecretString,
}

impl std::fmt::Debug for ServiceApp {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ServiceApp")
            .field("client_id", &self.client_id)
            .field("auth_url", &self.auth_url)
            .finish_non_exhaustive()
    }
}

/// What the application needs to know about its deployment.
#[derive(Debug, Clone)]
pub struct AppConfig {
    /// Base URL sellers reach the back-office at (redirect URIs are built on it).
    pub public_url: String,
    /// The operator's app, if configured.
    pub service_app: Option<ServiceApp>,
    /// How long a login session lasts.
    pub session_ttl_ms: i64,
    /// Token refresh timing.
    pub refresh: RefreshPolicy,
    /// Where sellers may point custom Allegro environments (by default nowhere).
    pub custom_allegro_urls: CustomAllegroUrls,
}

/// Errors of the use cases, as the web layer maps them.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// Not found, or not the organisation's.
    #[error("not found")]
    NotFound,
    /// Bad input: which field, and what is wrong (worded for the seller by the surface).
    #[error("{field}: {problem}")]
    Validation {
        /// The field.
        field: &'static str,
        /// What is wrong.
        problem: Problem,
    },
    /// The change conflicts with what is stored or with Allegro's state.
    #[error("{0}")]
    Conflict(Problem),
    /// Wrong login or missing credentials.
    #[error("unauthorized")]
    Unauthorized,
    /// Too many failed logins: try again after this many seconds.
    #[error("too many failed logins; retry in {retry_after_s} s")]
    Throttled {
        /// Seconds to wait.
        retry_after_s: i64,
    },
    /// Anything else; logged, never shown in detail.
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Conflict { field: Some(field) } => {
                AppError::Conflict(Problem::new("problem-taken").arg("field", field))
            }
            StoreError::Conflict { field: None } => AppError::Conflict(Problem::new("problem-conflict")),
            StoreError::NotFound(what) => {
                tracing::info!(what, "a write found nothing to change");
                AppError::NotFound
            }
            other => AppError::Internal(anyhow::Error::new(other)),
        }
    }
}

impl AppError {
    /// What to keep on a row for the seller (why an order's invoice or WZ waits): the
    /// problem for a refusal; for anything else only that the server failed — the cause
    /// goes to the log, never to a page.
    pub fn to_stored_problem(&self) -> String {
        match self {
            AppError::Validation { problem, .. } | AppError::Conflict(problem) => problem.to_stored(),
            AppError::NotFound => Problem::new("problem-not-found").to_stored(),
            other => {
                tracing::warn!(error = %other, "an automatic task failed");
                Problem::new("problem-internal").to_stored()
            }
        }
    }
}

/// A validation error for `field`: a problem key (`"problem-…"`) or a [`Problem`] with
/// its arguments.
pub fn invalid(field: &'static str, problem: impl Into<Problem>) -> AppError {
    AppError::Validation {
        field,
        problem: problem.into(),
    }
}

/// A conflict: a problem key or a [`Problem`] with its arguments.
pub fn conflict(problem: impl Into<Problem>) -> AppError {
    AppError::Conflict(problem.into())
}

/// The application: store, cipher, clock, Allegro client and configuration.
#[derive(Clone)]
pub struct App {
    pub(crate) store: Store,
    pub(crate) cipher: Arc<Cipher>,
    pub(crate) clock: Arc<dyn Clock>,
    pub(crate) allegro_budgets: RateBudgets,
    pub(crate) config: Arc<AppConfig>,
    /// Identifies this process in leases.
    pub(crate) instance: String,
    /// NBP's rates service, when the server may reach it.
    pub(crate) nbp: Option<nbp_client::NbpClient>,
    /// How long a worker holds a claimed invoice upload (or waybill push) before another
    /// may take it over.
    pub(crate) upload_lease_ms: i64,
    /// How long an invoice's PDF waits for its KSeF number before going to Allegro without.
    pub(crate) ksef_upload_wait_ms: i64,
    /// How long a worker holds invoices it is sending to KSeF before another may take them.
    pub(crate) ksef_lease_ms: i64,
    /// KSeF not answering for this long counts as unavailable: invoices are issued offline.
    pub(crate) ksef_offline_after_ms: i64,
    /// Allegro's carriers, read once an hour.
    pub(crate) carriers: Arc<shipments::CarrierCache>,
    /// Password hashing, a few at a time.
    pub(crate) hashing: shell::HashingPool,
    /// How Allegro calls are retried (5xx, timeouts, 429).
    pub(crate) allegro_retry: allegro_client::RetryPolicy,
    /// Cancelled when the process is asked to stop (SIGTERM, Ctrl+C): background work
    /// stops claiming and gives back what it has not started.
    pub(crate) stop: tokio_util::sync::CancellationToken,
    /// The one-time code first-run setup asks for (printed by `serve`), made once per process.
    pub(crate) setup_code: Arc<std::sync::OnceLock<String>>,
    /// This process's KSeF logins and sessions, one per organisation.
    pub(crate) ksef: Arc<ksef::Connections>,
}

impl std::fmt::Debug for App {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("App")
            .field("store", &self.store.backend())
            .field("instance", &self.instance)
            .finish_non_exhaustive()
    }
}

impl App {
    /// The application over `store`.
    pub fn new(store: Store, cipher: Cipher, clock: Arc<dyn Clock>, config: AppConfig) -> Self {
        Self {
            store,
            cipher: Arc::new(cipher),
            clock,
            allegro_budgets: RateBudgets::default(),
            config: Arc::new(config),
            instance: format!("{}-{}", std::process::id(), uuid::Uuid::new_v4().simple()),
            nbp: None,
            upload_lease_ms: 120_000,
            ksef_upload_wait_ms: 600_000,
            ksef_lease_ms: 300_000,
            ksef_offline_after_ms: 300_000,
            carriers: Arc::default(),
            hashing: shell::HashingPool::default(),
            allegro_retry: allegro_client::RetryPolicy::default(),
            stop: tokio_util::sync::CancellationToken::new(),
            setup_code: Arc::default(),
            ksef: Arc::default(),
        }
    }

    /// Asks background work to stop (SIGTERM, Ctrl+C): nothing new is claimed, work in
    /// flight finishes (or is given back), and [`worker::run`] returns.
    pub fn shutdown(&self) {
        self.stop.cancel();
    }

    /// Whether [`App::shutdown`] was called.
    pub fn is_stopping(&self) -> bool {
        self.stop.is_cancelled()
    }

    /// Resolves once [`App::shutdown`] is called.
    pub async fn stopping(&self) {
        self.stop.cancelled().await;
    }

    /// How long a worker holds the invoices it claimed to send to KSeF (default 5
    /// minutes): after a crash another worker takes them over once this has passed, and
    /// KSeF's answer to the same bytes settles what the first one sent.
    pub fn with_ksef_lease(mut self, ms: i64) -> Self {
        self.ksef_lease_ms = ms.max(1_000);
        self
    }

    /// How long KSeF may fail to answer before it counts as unavailable (default 5
    /// minutes, less than the upload wait, so the buyer's copy of an invoice caught by an
    /// outage goes as an offline invoice with KOD II): invoices are then issued in the
    /// offline mode (art. 106nh) and sent as soon as KSeF answers again.
    pub fn with_ksef_offline_after(mut self, ms: i64) -> Self {
        self.ksef_offline_after_ms = ms.max(0);
        self
    }

    /// How long an invoice's PDF waits for its KSeF number before it goes to the Allegro
    /// order without one, labelled OFFLINE (default 10 minutes).
    pub fn with_ksef_upload_wait(mut self, ms: i64) -> Self {
        self.ksef_upload_wait_ms = ms.max(0);
        self
    }

    /// How long a claimed invoice upload is held (default 2 minutes): after a crash, the
    /// invoice is sent by another worker once this has passed.
    pub fn with_upload_lease(mut self, ms: i64) -> Self {
        self.upload_lease_ms = ms.max(1_000);
        self
    }

    /// How Allegro calls are retried (default: 4 attempts from 250 ms); tests and benches
    /// shorten it.
    pub fn with_allegro_retry(mut self, retry: allegro_client::RetryPolicy) -> Self {
        self.allegro_retry = retry;
        self
    }

    /// Lets foreign-currency invoices ask NBP (`https://api.nbp.pl`) for rates not stored yet.
    pub fn with_nbp(mut self, base_url: &str) -> Self {
        self.nbp = Some(nbp_client::NbpClient::new(base_url));
        self
    }

    /// The store (for the CLI's maintenance commands).
    pub fn store(&self) -> &Store {
        &self.store
    }

    /// Now, from the clock.
    pub fn now_ms(&self) -> i64 {
        self.clock.now_ms()
    }

    /// The configuration.
    pub fn config(&self) -> &AppConfig {
        &self.config
    }
}

/// SHA-256 as hex (session ids, states and API keys are stored only as hashes).
pub fn sha256_hex(value: &str) -> String {
    hex::encode(Sha256::digest(value.as_bytes()))
}

/// A random URL-safe token of `bytes` random bytes.
pub fn random_token(bytes: usize) -> String {
    use base64::Engine as _;
    use rand::RngCore;
    let mut buf = vec![0u8; bytes];
    rand::rng().fill_bytes(&mut buf);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(buf)
}
