//! Test harness shared by the crates' integration tests: fresh stores on SQLite and
//! PostgreSQL, an [`App`] wired to the emulator, and the seller's steps (an own-app
//! connection registered in the emulator's portal, linking an account).
#![forbid(unsafe_code)]

mod invoices;

pub use invoices::{consumer, invoice, invoicing_profile, line, sample_invoices, seller};

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

use allegro_emulator::{EmulatorHandle, NewApp};
use app::{App, AppConfig, Cipher, CurrentUser, LinkOutcome, RefreshPolicy, ServiceApp};
use domain::{Clock, ConnectionId, ConnectionMode, Environment, OrganisationId};
use secrecy::{ExposeSecret, SecretString};

/// The encryption key every test process uses (hex).
pub const KEY_HEX: &str = "5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a";

/// A clock tests move by hand.
#[derive(Debug)]
pub struct TestClock(pub AtomicI64);

impl TestClock {
    /// A clock at a fixed instant in 2027.
    pub fn new() -> Arc<Self> {
        Arc::new(Self(AtomicI64::new(1_800_000_000_000)))
    }

    /// A clock starting at the real time (so it agrees with the emulator's).
    pub fn real_time() -> Arc<Self> {
        Arc::new(Self(AtomicI64::new(domain::SystemClock.now_ms())))
    }

    /// Moves it forward.
    pub fn advance_ms(&self, ms: i64) {
        self.0.fetch_add(ms, Ordering::SeqCst);
    }
}

impl Clock for TestClock {
    fn now_ms(&self) -> i64 {
        self.0.load(Ordering::SeqCst)
    }
}

/// The cipher of [`KEY_HEX`].
pub fn cipher() -> Cipher {
    Cipher::new(1, &[(1, SecretString::from(KEY_HEX))]).expect("the test key is valid")
}

/// Writes a key file with [`KEY_HEX`] for the binary's `--key-file`.
pub fn key_file() -> std::path::PathBuf {
    let path = std::env::temp_dir().join(format!("ab-test-{}.key", uuid::Uuid::new_v4()));
    std::fs::write(&path, format!("1:{KEY_HEX}\n")).expect("writing a key file");
    // The binary refuses key files other users may read.
    #[cfg(unix)]
    std::fs::set_permissions(&path, std::os::unix::fs::PermissionsExt::from_mode(0o600)).expect("chmod 600");
    path
}

/// A new SQLite database URL in the temporary folder.
pub fn sqlite_url() -> String {
    format!(
        "sqlite:{}",
        std::env::temp_dir()
            .join(format!("ab-test-{}.db", uuid::Uuid::new_v4()))
            .display()
    )
}

/// A new, empty PostgreSQL database on the server `TEST_PG_URL` names.
pub async fn postgres_url() -> String {
    let base = std::env::var("TEST_PG_URL").expect(
        "TEST_PG_URL must name a PostgreSQL server, e.g. postgres://postgres:postgres@127.0.0.1:5432/postgres (scripts/test starts one)",
    );
    let name = format!("ab_test_{}", uuid::Uuid::new_v4().simple());
    let admin = sqlx::PgPool::connect(&base).await.expect("connecting to TEST_PG_URL");
    // The name is generated here, never user input.
    sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
        .execute(&admin)
        .await
        .expect("creating a test database");
    admin.close().await;
    let (server, _) = base.rsplit_once('/').expect("TEST_PG_URL ends with /database");
    format!("{server}/{name}")
}

/// Opens (and migrates) the store at `url`.
pub async fn open_store(url: &str) -> store::Store {
    if url.starts_with("sqlite:") {
        Arc::new(store_sqlite::SqliteStore::open(url).await.expect("opening SQLite"))
    } else {
        Arc::new(store_postgres::PgStore::open(url).await.expect("opening PostgreSQL"))
    }
}

/// An app over `store` with the test key, reachable at `public_url`.
pub fn app(store: store::Store, clock: Arc<dyn Clock>, public_url: &str, service_app: Option<ServiceApp>) -> App {
    let config = AppConfig {
        public_url: public_url.into(),
        service_app,
        session_ttl_ms: 3_600_000,
        refresh: RefreshPolicy::default(),
        custom_allegro_urls: app::CustomAllegroUrls::any(),
    };
    App::new(store, cipher(), clock, config)
}

/// Creates an organisation with `email` as its user (password `bardzo-tajne-haslo`) and
/// logs in: the organisation and the session's user.
pub async fn owner(app: &App, organisation: &str, email: &str) -> (OrganisationId, CurrentUser) {
    let (org, _) = app
        .create_organisation(organisation, email, SecretString::from(PASSWORD))
        .await
        .expect("creating an organisation");
    let session = app
        .login(email, SecretString::from(PASSWORD))
        .await
        .expect("logging in");
    let user = app
        .user_for_session(session.cookie.expose_secret())
        .await
        .expect("reading the session")
        .expect("a session");
    (org, user)
}

/// The password [`owner`] gives users.
pub const PASSWORD: &str = "bardzo-tajne-haslo";

/// Seed 000's order: an own-app connection to the emulator, the app registered in the
/// emulator's portal with the connection's redirect URI (`app_type` as the portal's
/// choice; `None` is "has a browser"), Client ID and Secret saved.
pub async fn own_app_connection(
    app: &App,
    org: &OrganisationId,
    emu: &EmulatorHandle,
    app_type: Option<&str>,
) -> ConnectionId {
    own_app_connection_with_scopes(app, org, emu, app_type, None).await
}

/// [`own_app_connection`] with only `scopes` ticked in the portal (`None`: all).
pub async fn own_app_connection_with_scopes(
    app: &App,
    org: &OrganisationId,
    emu: &EmulatorHandle,
    app_type: Option<&str>,
    scopes: Option<&[&str]>,
) -> ConnectionId {
    let conn = app
        .create_connection(
            org,
            ConnectionMode::OwnApp,
            Environment::Custom,
            Some((emu.base_url.clone(), emu.base_url.clone())),
        )
        .await
        .expect("creating a connection");
    let redirect_uris = if app_type == Some("device_code") {
        vec![]
    } else {
        vec![app.redirect_uri(&conn)]
    };
    let (client_id, secret) = emu
        .emulator
        .register_app(NewApp {
            name: "allegro-bridge test".into(),
            description: None,
            redirect_uris,
            app_type: app_type.map(str::to_owned),
            scopes: scopes.map(|s| s.iter().map(|x| (*x).to_owned()).collect()),
        })
        .expect("registering the app");
    app.set_credentials(org, &conn.id, &client_id, &SecretString::from(secret))
        .await
        .expect("saving credentials");
    conn.id
}

/// The value of `key` in a URL's query.
pub fn query_param(url: &str, key: &str) -> Option<String> {
    url::Url::parse(url)
        .ok()
        .and_then(|u| u.query_pairs().find(|(n, _)| n == key).map(|(_, v)| v.into_owned()))
}

/// Links as the emulator seller `login` (re-links `relink` when given): start, consent,
/// callback.
pub async fn link(
    app: &App,
    user: &CurrentUser,
    conn: &ConnectionId,
    emu: &EmulatorHandle,
    login: &str,
    relink: Option<&domain::AccountId>,
) -> LinkOutcome {
    let url = app.start_link(user, conn, relink).await.expect("starting a link");
    let back = emu.emulator.consent(url.as_str(), login, true).expect("consenting");
    app.complete_link(
        Some(user),
        Some(conn),
        query_param(&back, "state").as_deref(),
        query_param(&back, "code").as_deref(),
        None,
    )
    .await
    .expect("completing a link")
}

/// Every order the emulator holds for the account, as Allegro's API returns it (id →
/// checkout form JSON): the truth a sync is compared with, field for field.
pub async fn allegro_orders(
    emu: &EmulatorHandle,
    app: &App,
    org: &OrganisationId,
    account: &domain::AccountId,
) -> std::collections::BTreeMap<String, String> {
    let (client_id, token) = app.access_token(org, account).await.expect("an access token");
    let api = allegro_client::Allegro::builder(
        allegro_client::Environment::custom(&emu.base_url, &emu.base_url).expect("the emulator's URL"),
    )
    .build();
    let account_api = api.account(&client_id, &token);
    let stream = account_api.checkout_forms_all(allegro_client::CheckoutFormsQuery::default(), emu.emulator.now_ms());
    let mut stream = std::pin::pin!(stream);
    let mut out = std::collections::BTreeMap::new();
    while let Some(form) = std::future::poll_fn(|cx| futures_core::Stream::poll_next(stream.as_mut(), cx)).await {
        let f = form.expect("listing the emulator's orders");
        out.insert(f.id.clone(), serde_json::to_string(&f).expect("serialising an order"));
    }
    out
}

/// Every order stored for the account (id → checkout form JSON); fails if one is stored
/// twice.
pub async fn stored_orders(app: &App, account: &domain::AccountId) -> std::collections::BTreeMap<String, String> {
    let orders = app
        .store()
        .account_orders(account)
        .await
        .expect("reading stored orders");
    let map: std::collections::BTreeMap<_, _> = orders.iter().map(|o| (o.id.to_string(), o.data.clone())).collect();
    assert_eq!(map.len(), orders.len(), "an order is stored twice");
    map
}

/// A seller's back-office wired to a fresh emulator: the app on `database`, an owner
/// ("anna@sklep.pl", [`PASSWORD`]) and an own-app connection registered in the portal.
pub struct Shop {
    /// The emulator.
    pub emu: EmulatorHandle,
    /// The app.
    pub app: App,
    /// The owner's organisation.
    pub org: OrganisationId,
    /// The owner.
    pub user: CurrentUser,
    /// The own-app connection.
    pub conn: ConnectionId,
}

impl Shop {
    /// Starts the emulator (`seed`) and sets the shop up on `database`.
    pub async fn new(database: &str, seed: u64) -> Self {
        Self::with_clock(database, seed, Arc::new(domain::SystemClock)).await
    }

    /// As [`Shop::new`], with the app on `clock` (e.g. a [`TestClock`] to pass backoffs).
    pub async fn with_clock(database: &str, seed: u64, clock: Arc<dyn Clock>) -> Self {
        let emu = allegro_emulator::spawn("127.0.0.1:0", allegro_emulator::EmulatorConfig { seed })
            .await
            .expect("starting the emulator");
        let app = app(open_store(database).await, clock, "http://bridge.test", None);
        let (org, user) = owner(&app, "Sklep", "anna@sklep.pl").await;
        let conn = own_app_connection(&app, &org, &emu, None).await;
        Self {
            emu,
            app,
            org,
            user,
            conn,
        }
    }

    /// Creates a seller `login` in the emulator and links it: (seller id, account).
    pub async fn link_seller(&self, login: &str) -> (String, domain::AccountId) {
        let seller = self.emu.emulator.create_seller(login, "x").expect("creating a seller");
        match link(&self.app, &self.user, &self.conn, &self.emu, login, None).await {
            LinkOutcome::Linked { account, .. } => (seller, account),
            other => panic!("linking {login}: {other:?}"),
        }
    }

    /// `count` paid orders for `seller`, bought over the last `days` days.
    pub fn paid_orders(&self, seller: &str, count: usize, seed: u64, days: i64) -> usize {
        self.emu
            .emulator
            .generate_orders(
                seller,
                allegro_emulator::OrderPlan {
                    count,
                    seed,
                    days,
                    pending_share: 0.0,
                    pay_within_seconds: 60,
                },
            )
            .expect("generating orders")
    }
}

/// The project's `shared/` folder (beside the project's root, in CI too);
/// `ALLEGRO_BRIDGE_SHARED` overrides. Read at run time: a build folder shared between
/// clones may hold a binary compiled in another clone.
pub fn shared_dir() -> std::path::PathBuf {
    std::env::var_os("ALLEGRO_BRIDGE_SHARED")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| {
            std::path::PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR"))
                .join("../../../shared")
        })
}

/// What xmllint says against the official FA(3) schema (offline catalog), or `None` when
/// the XML validates. Needs libxml2-utils (`.ci/setup` installs it).
pub fn fa3_problems(xml: &str) -> Option<String> {
    let xsd = shared_dir().join("ksef/xsd");
    let file = std::env::temp_dir().join(format!("ab-fa3-{}.xml", uuid::Uuid::new_v4()));
    std::fs::write(&file, xml).expect("writing a temporary XML file");
    let out = std::process::Command::new("xmllint")
        .env("XML_CATALOG_FILES", xsd.join("catalog.xml"))
        .args(["--noout", "--nonet", "--schema"])
        .arg(xsd.join("schemat_FA(3)_v1-0E.xsd"))
        .arg(&file)
        .output()
        .expect("xmllint (libxml2-utils) runs; .ci/setup installs it");
    std::fs::remove_file(&file).ok();
    (!out.status.success()).then(|| String::from_utf8_lossy(&out.stderr).into_owned())
}

/// An NBP rates file (`currency;YYYY-MM-DD;rate;table`) as NBP publishes table A: EUR and
/// CZK with four decimals, HUF with six, for every business day of the last `days` days
/// (Polish time), for `App::load_rates`.
pub fn nbp_rates_file(days: i64) -> String {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64);
    let today = domain::time::polish_day(now);
    let mut file = String::from("# currency;date;rate;table\n");
    let mut day = today;
    for back in 1..=days {
        day = day.yesterday().expect("a day before");
        if !domain::calendar::is_business_day(day) {
            continue;
        }
        file.push_str(&format!("EUR;{day};4.{:04};{back}/A/NBP/2026\n", 2000 + back));
        file.push_str(&format!("CZK;{day};0.{:04};{back}/A/NBP/2026\n", 1700 + back));
        file.push_str(&format!("HUF;{day};0.{:06};{back}/A/NBP/2026\n", 11_600 + back));
    }
    file
}

/// The text of a PDF as pdftotext lays it out (`-layout`), with non-breaking spaces as
/// spaces and trailing blanks dropped.
pub fn pdf_text(pdf: &[u8]) -> String {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("invoice.pdf");
    std::fs::write(&file, pdf).unwrap();
    let out = std::process::Command::new("pdftotext")
        .args(["-layout", "-enc", "UTF-8"])
        .arg(&file)
        .arg("-")
        .output()
        .expect("pdftotext (Debian poppler-utils) must be installed: .ci/setup installs it");
    assert!(
        out.status.success(),
        "pdftotext failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout)
        .unwrap()
        .replace('\u{a0}', " ")
        .lines()
        .map(str::trim_end)
        .collect::<Vec<_>>()
        .join("\n")
        .trim()
        .to_owned()
}

/// The NIP of [`invoicing_profile`]'s seller, as KSeF's context.
pub const SELLER_NIP: &str = "5260250995";

/// A KSeF token for `nip` with `permissions`, as the taxpayer's KSeF app would make it.
#[cfg(feature = "ksef")]
pub fn ksef_token(ksef: &ksef_emulator::Handle, nip: &str, permissions: &[&str]) -> String {
    ksef.emulator
        .create_token(ksef_emulator::NewToken {
            nip: nip.into(),
            permissions: permissions.iter().map(|p| (*p).to_owned()).collect(),
            description: None,
        })
        .expect("a KSeF token")
        .0
}

/// A KSeF emulator (production limits) and the organisation's KSeF settings pointing at
/// it, with a token for [`SELLER_NIP`] that may send invoices; `send_consumer` sends
/// consumer invoices too. The invoicing profile must be saved first.
#[cfg(feature = "ksef")]
pub async fn ksef_for(app: &App, user: &CurrentUser, send_consumer: bool) -> ksef_emulator::Handle {
    let ksef = ksef_emulator::spawn("127.0.0.1:0", ksef_emulator::Settings::default())
        .await
        .expect("starting the KSeF emulator");
    let token = ksef_token(&ksef, SELLER_NIP, &["InvoiceWrite", "InvoiceRead"]);
    app.save_ksef_settings(
        user,
        app::KsefSettingsInput {
            environment: app::KsefEnvironment::Custom(ksef.api_url.clone()),
            token: Some(secrecy::SecretString::from(token)),
            send_consumer,
            send_from: Some("2026-01-01".into()),
            offline24: false,
            failure_announced: false,
        },
    )
    .await
    .expect("saving the KSeF settings");
    ksef
}
