//! An offline KSeF 2.0 — the API under `/v2` as the Ministry's OpenAPI document has it,
//! the QR host (`/invoice/…`, `/certificate/…`), presigned storage links (`/storage/…`),
//! KSeF's test data endpoints and a control API under `/__ksef/` — faithful enough that
//! passing tests against it means working against KSeF (research `ksef-api.md` §E).
//! See the crate's README for the control API.
#![forbid(unsafe_code)]
// Handlers return the finished error `Response` as their `Err`, as axum handlers do.
#![allow(clippy::result_large_err)]

/// Unwraps a `Result<T, Response>` or returns the response: the handlers' early exits.
macro_rules! or_respond {
    ($result:expr) => {
        match $result {
            Ok(value) => value,
            Err(response) => return response,
        }
    };
}

mod auth;
mod batch;
pub mod clock;
mod control;
mod crypto;
mod facts;
pub mod fixtures;
mod guard;
mod keys;
pub mod limits;
mod process;
mod qr;
mod read;
mod respond;
mod sessions;
mod state;
mod storage;
mod testdata;
mod tokens;
mod upo;
pub mod validate;

use std::net::SocketAddr;
use std::sync::Arc;

use axum::Router;
use parking_lot::{Mutex, RwLock};
use serde::{Deserialize, Serialize};
use tokio::net::TcpListener;

pub use control::{Faults, NewToken, Settings, Stats};

/// Which KSeF environment the emulator behaves like.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Profile {
    /// TEST (TE): NIP checksums not checked, FA(2) accepted, the TE name in UPOs.
    #[default]
    Test,
    /// Production: NIP checksums checked, only FA(3), the official UPO name.
    Prod,
}

/// The emulator's state, shared by every request.
pub struct KsefEmulator {
    state: Mutex<state::State>,
    clock: clock::Clock,
    keys: RwLock<keys::KeyRing>,
    settings: RwLock<Settings>,
    faults: RwLock<Faults>,
    limiter: Mutex<limits::RateLimiter>,
    stats: Mutex<Stats>,
    secret: [u8; 32],
}

impl std::fmt::Debug for KsefEmulator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KsefEmulator").finish_non_exhaustive()
    }
}

impl KsefEmulator {
    /// A new, empty emulator with the given settings.
    pub fn new(settings: Settings) -> anyhow::Result<Arc<Self>> {
        let clock = clock::Clock::default();
        let keys = keys::KeyRing::new(clock.now_ms())?;
        Ok(Arc::new(Self {
            state: Mutex::new(state::State::default()),
            clock,
            keys: RwLock::new(keys),
            settings: RwLock::new(settings),
            faults: RwLock::new(Faults::default()),
            limiter: Mutex::new(limits::RateLimiter::default()),
            stats: Mutex::new(Stats::default()),
            secret: rand::random(),
        }))
    }

    /// The emulator's current time in epoch milliseconds.
    pub fn now_ms(&self) -> i64 {
        self.clock.now_ms()
    }

    /// Moves the emulator's clock forward.
    pub fn advance_clock(&self, seconds: i64) {
        self.clock.advance(seconds);
    }

    /// Creates a KSeF token for `nip` with these permissions, as the taxpayer's app would.
    pub fn create_token(&self, request: NewToken) -> Result<(String, String), String> {
        control::create_token(self, request)
    }

    /// Revokes a KSeF token by its reference number.
    pub fn revoke_token(&self, reference: &str) -> bool {
        tokens::revoke(self, reference)
    }

    /// Replaces the faults.
    pub fn set_faults(&self, faults: Faults) {
        *self.faults.write() = faults;
    }

    /// Replaces the settings.
    pub fn set_settings(&self, settings: Settings) {
        *self.settings.write() = settings;
    }

    /// The settings in effect.
    pub fn settings(&self) -> Settings {
        self.settings.read().clone()
    }

    /// Turns the rate limits on or off (off for benchmarks of the emulator itself).
    pub fn set_rate_limits(&self, enabled: bool) {
        let mut limiter = self.limiter.lock();
        limiter.enabled = enabled;
        limiter.reset();
    }

    /// Requests and invoices counted so far.
    pub fn stats(&self) -> Stats {
        self.stats.lock().clone()
    }

    /// The exact bytes of an accepted invoice.
    pub fn invoice_bytes(&self, ksef_number: &str) -> Option<Vec<u8>> {
        let number = ksef_number.parse().ok()?;
        self.state.lock().invoices.get(&number).map(|i| i.bytes.to_vec())
    }

    /// How many invoices with this seller NIP KSeF holds.
    pub fn accepted_count(&self, nip: &str) -> usize {
        self.state
            .lock()
            .invoices
            .values()
            .filter(|i| i.facts.seller_nip == nip)
            .count()
    }

    /// Issues an Offline certificate for KOD II; `(certificate PEM, key PEM, serial)`.
    pub fn issue_offline_certificate(&self, nip: &str) -> anyhow::Result<(String, String, String)> {
        control::issue_offline_certificate(self, nip)
    }

    /// Every route: `/v2/…`, the QR host, presigned storage and `/__ksef/…`.
    pub fn router(self: &Arc<Self>) -> Router {
        let api = Router::new()
            .merge(auth::router())
            .merge(sessions::router())
            .merge(upo::router())
            .merge(batch::router())
            .merge(read::router())
            .merge(tokens::router())
            .merge(testdata::router())
            .layer(axum::middleware::from_fn_with_state(self.clone(), guard::around_api));
        Router::new()
            .nest("/v2", api)
            .merge(qr::router())
            .merge(storage::router())
            .merge(control::router())
            .with_state(self.clone())
    }
}

/// A running emulator.
#[derive(Debug, Clone)]
pub struct Handle {
    /// `http://127.0.0.1:PORT` (the QR host and presigned links live here too).
    pub base_url: String,
    /// `{base_url}/v2`: the API base a client is given.
    pub api_url: String,
    /// The emulator, for tests that reach behind the API.
    pub emulator: Arc<KsefEmulator>,
}

/// Starts an emulator on `listen` (e.g. `127.0.0.1:0`) in the current runtime.
pub async fn spawn(listen: &str, settings: Settings) -> anyhow::Result<Handle> {
    let emulator = KsefEmulator::new(settings)?;
    let listener = TcpListener::bind(listen).await?;
    let addr = listener.local_addr()?;
    let app = emulator.router().into_make_service_with_connect_info::<SocketAddr>();
    tokio::spawn(async move {
        if let Err(e) = axum::serve(listener, app).await {
            tracing::error!(error = %e, "KSeF emulator stopped");
        }
    });
    let base_url = format!("http://{addr}");
    Ok(Handle {
        api_url: format!("{base_url}/v2"),
        base_url,
        emulator,
    })
}
