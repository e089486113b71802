//! allegro-bridge's use cases. The web layer and the CLI call these; nothing here knows
//! HTTP handlers or SQL. Time comes from a [`Clock`], randomness from the OS.
#![forbid(unsafe_code)]

mod allegro_urls;
pub mod crypto;
mod imports;
mod invoicing;
mod key_ring;
mod linking;
mod login_throttle;
mod passwords;
mod shipping;
mod sync;
mod tokens;
mod uploads;
mod users;
mod warehouse;
pub mod worker;

use std::sync::Arc;

use allegro_client::{Allegro, RateBudgets};
use domain::{Clock, ConnectionId, ConnectionMode, Environment, OrganisationId};
use secrecy::SecretString;
use sha2::{Digest, Sha256};
use store::{Connection, Store, StoreError};

pub use allegro_client::types::scopes;
pub use allegro_urls::{CustomAllegroUrls, is_public};
pub use crypto::Cipher;
pub use imports::{DateRange, IMPORT_JOB, ImportError};
pub use invoicing::{IssueOutcome, PdfLanguage};
pub use key_ring::KeyRingProblem;
pub use linking::{LinkOutcome, StateProblem};
pub use login_throttle::LOCK_MS as LOGIN_LOCK_MS;
pub use order_files;
pub use shipping::{Carrier, PushReport, WaybillImport, push_error_key};
pub use sync::{SyncReport, order_record};
pub use tokens::{RefreshOutcome, RefreshPolicy};
pub use uploads::UploadReport;
pub use users::{CurrentUser, NewSession};
pub use warehouse::{ProductSync, WZ_TRIGGERS};

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
    /// Bad input: which field, and what is wrong.
    #[error("{field}: {message}")]
    Validation {
        /// The field.
        field: &'static str,
        /// What is wrong.
        message: String,
    },
    /// A rule of the data was broken (e.g. the e-mail is taken).
    #[error("{0}")]
    Conflict(String),
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
            StoreError::Conflict(m) => AppError::Conflict(m),
            other => AppError::Internal(anyhow::Error::new(other)),
        }
    }
}

/// A validation error for `field`.
pub fn invalid(field: &'static str, message: impl Into<String>) -> AppError {
    AppError::Validation {
        field,
        message: message.into(),
    }
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
    /// Allegro's carriers, read once an hour.
    pub(crate) carriers: Arc<shipping::CarrierCache>,
    /// Password hashing, a few at a time.
    pub(crate) hashing: passwords::HashingPool,
    /// How Allegro calls are retried (5xx, timeouts, 429).
    pub(crate) allegro_retry: allegro_client::RetryPolicy,
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
            carriers: Arc::default(),
            hashing: passwords::HashingPool::default(),
            allegro_retry: allegro_client::RetryPolicy::default(),
        }
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

    /// The REST client for a connection's environment (shares the Client-ID budgets).
    pub(crate) fn allegro_for(&self, connection: &Connection) -> Result<Allegro, AppError> {
        self.check_connection_urls(connection)?;
        let env = allegro_client::Environment::custom(&connection.api_url, &connection.api_url)
            .map_err(|e| AppError::Internal(anyhow::anyhow!("stored connection URL does not parse: {e}")))?;
        Ok(Allegro::builder(env)
            .budgets(self.allegro_budgets.clone())
            .retry(self.allegro_retry)
            .build())
    }

    /// Refuses calls to a stored custom environment the operator's rule no longer allows
    /// (the rule is checked when a connection is created, and again before every call).
    fn check_connection_urls(&self, connection: &Connection) -> Result<(), AppError> {
        let known = [Environment::Production, Environment::Sandbox]
            .into_iter()
            .map(|e| allegro_urls_of(e).map(|(a, b)| (a.to_owned(), b.to_owned())))
            .chain(
                self.config
                    .service_app
                    .as_ref()
                    .map(|s| Some((s.auth_url.clone(), s.api_url.clone()))),
            )
            .flatten()
            .any(|(auth, api)| auth == connection.auth_url && api == connection.api_url);
        if known || connection.mode == ConnectionMode::ServiceApp {
            return Ok(());
        }
        let rule = &self.config.custom_allegro_urls;
        rule.check_offline("auth_url", &connection.auth_url)?;
        rule.check_offline("api_url", &connection.api_url)?;
        Ok(())
    }

    /// The redirect URI of a connection, to paste into Allegro's portal: unique per
    /// own-app connection; one for the operator's service app (its state names the
    /// connection).
    pub fn redirect_uri(&self, connection: &Connection) -> String {
        let base = self.config.public_url.trim_end_matches('/');
        match connection.mode {
            ConnectionMode::ServiceApp => format!("{base}/allegro/install/service"),
            ConnectionMode::OwnApp => format!("{base}/allegro/install/{}", connection.id),
        }
    }

    /// Creates a connection. `own_app` needs credentials later; `service_app` uses the
    /// operator's app and is refused when none is configured.
    pub async fn create_connection(
        &self,
        org: &OrganisationId,
        mode: ConnectionMode,
        environment: Environment,
        custom_urls: Option<(String, String)>,
    ) -> Result<Connection, AppError> {
        let (auth_url, api_url) = match (mode, environment) {
            (ConnectionMode::ServiceApp, _) => {
                let app = self
                    .config
                    .service_app
                    .as_ref()
                    .ok_or_else(|| invalid("mode", "no service app is configured on this server"))?;
                (app.auth_url.clone(), app.api_url.clone())
            }
            (_, Environment::Custom) => {
                let rule = &self.config.custom_allegro_urls;
                if !rule.enabled() {
                    return Err(invalid(
                        "environment",
                        "własne adresy Allegro są wyłączone na tym serwerze; wybierz produkcję lub sandbox",
                    ));
                }
                let (auth, api) = custom_urls
                    .ok_or_else(|| invalid("auth_url", "własne środowisko wymaga adresów auth_url i api_url"))?;
                (rule.check("auth_url", &auth).await?, rule.check("api_url", &api).await?)
            }
            (_, env) => {
                let (auth, api) = allegro_urls_of(env).expect("production and sandbox have fixed URLs");
                (auth.to_owned(), api.to_owned())
            }
        };
        let now = self.now_ms();
        let connection = Connection {
            id: ConnectionId::from_stored(uuid::Uuid::new_v4().to_string()),
            organisation_id: org.clone(),
            mode,
            environment: if mode == ConnectionMode::ServiceApp {
                self.config.service_app.as_ref().map_or(environment, |s| s.environment)
            } else {
                environment
            },
            auth_url,
            api_url,
            client_id: None,
            client_secret: None,
            created_at_ms: now,
            updated_at_ms: now,
        };
        self.store.create_connection(&connection).await?;
        Ok(connection)
    }

    /// Stores an own app's Client ID and Client Secret (the secret sealed).
    pub async fn set_credentials(
        &self,
        org: &OrganisationId,
        id: &ConnectionId,
        client_id: &str,
        secret: &SecretString,
    ) -> Result<(), AppError> {
        use secrecy::ExposeSecret;
        let client_id = client_id.trim();
        // Allegro's Client IDs are 32 hex characters; Secrets are 64 characters.
        if client_id.len() < 8
            || client_id.len() > 128
            || !client_id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        {
            return Err(invalid(
                "client_id",
                "paste the Client ID from the app's details in Allegro's portal (letters and digits)",
            ));
        }
        let trimmed = secret.expose_secret().trim();
        if trimmed.len() < 8 || trimmed.len() > 256 || trimmed.chars().any(char::is_whitespace) {
            return Err(invalid(
                "client_secret",
                "paste the Client Secret shown after POKAŻ in Allegro's portal",
            ));
        }
        let connection = self.store.connection(org, id).await?.ok_or(AppError::NotFound)?;
        if connection.mode != ConnectionMode::OwnApp {
            return Err(invalid("mode", "the service app's credentials are set by the operator"));
        }
        let taken = || {
            invalid(
                "client_id",
                "ten Client ID należy do aplikacji innej firmy na tym serwerze; zarejestruj własną aplikację w portalu Allegro",
            )
        };
        if self
            .config
            .service_app
            .as_ref()
            .is_some_and(|s| s.client_id == client_id)
        {
            return Err(taken());
        }
        let sealed = self.cipher.seal(&format!("connection:{id}:secret"), trimmed.as_bytes());
        if !self
            .store
            .set_connection_credentials(org, id, client_id, &sealed, self.now_ms())
            .await?
        {
            // The connection exists (read above), so the Client ID is another firm's.
            return Err(match self.store.connection(org, id).await? {
                Some(_) => taken(),
                None => AppError::NotFound,
            });
        }
        Ok(())
    }

    /// The organisation's connection through the operator's app, created on first use, so
    /// a seller only ever clicks "Połącz konto Allegro".
    pub async fn service_connection(&self, org: &OrganisationId) -> Result<Connection, AppError> {
        if let Some(existing) = self
            .store
            .connections(org)
            .await?
            .into_iter()
            .find(|c| c.mode == ConnectionMode::ServiceApp)
        {
            return Ok(existing);
        }
        let env = self
            .config
            .service_app
            .as_ref()
            .map_or(Environment::Production, |s| s.environment);
        self.create_connection(org, ConnectionMode::ServiceApp, env, None).await
    }

    /// An organisation's connections.
    pub async fn connections(&self, org: &OrganisationId) -> Result<Vec<Connection>, AppError> {
        Ok(self.store.connections(org).await?)
    }

    /// One connection.
    pub async fn connection(&self, org: &OrganisationId, id: &ConnectionId) -> Result<Connection, AppError> {
        self.store.connection(org, id).await?.ok_or(AppError::NotFound)
    }

    /// The OAuth client of a connection, if it has credentials.
    pub(crate) fn oauth_for(&self, connection: &Connection) -> Result<allegro_client::OAuthClient, AppError> {
        self.check_connection_urls(connection)?;
        let env = allegro_client::Environment::custom(&connection.auth_url, &connection.api_url)
            .map_err(|e| AppError::Internal(anyhow::anyhow!("stored connection URL does not parse: {e}")))?;
        match connection.mode {
            ConnectionMode::ServiceApp => {
                let app = self
                    .config
                    .service_app
                    .as_ref()
                    .ok_or_else(|| invalid("mode", "the service app is no longer configured"))?;
                Ok(allegro_client::OAuthClient::new(
                    env,
                    app.client_id.clone(),
                    app.client_secret.clone(),
                ))
            }
            ConnectionMode::OwnApp => {
                let (Some(id), Some(sealed)) = (&connection.client_id, &connection.client_secret) else {
                    return Err(invalid("client_id", "paste the Client ID and Client Secret first"));
                };
                let secret = self
                    .cipher
                    .open_secret(&format!("connection:{}:secret", connection.id), sealed)
                    .map_err(|e| AppError::Internal(anyhow::Error::new(e).context("opening a client secret")))?;
                Ok(allegro_client::OAuthClient::new(env, id.clone(), secret))
            }
        }
    }
}

/// Allegro's own URLs (auth, API) of production and the sandbox.
fn allegro_urls_of(env: Environment) -> Option<(&'static str, &'static str)> {
    match env {
        Environment::Production => Some(("https://allegro.pl", "https://api.allegro.pl")),
        Environment::Sandbox => Some((
            "https://allegro.pl.allegrosandbox.pl",
            "https://api.allegro.pl.allegrosandbox.pl",
        )),
        Environment::Custom => None,
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
