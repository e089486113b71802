//! A real Chromium (Debian `chromium` + `chromium-driver`) drives the back-office and the
//! emulator's pages: first-run setup → own-app connection (seed 000's order) → "Połącz
//! konto Allegro" → emulator login → "Tak, powiąż" → Aktywne; a password change on Allegro
//! → "Wymaga ponownego logowania" → re-link as the same user → Aktywne; re-link as another
//! user → refused, nothing changed.

use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::Duration;

use allegro_emulator::{EmulatorConfig, EmulatorHandle, NewApp};
use app::{App, AppConfig, Cipher, RefreshPolicy};
use secrecy::SecretString;
use thirtyfour::prelude::*;

struct ChromeDriver(Child);

impl Drop for ChromeDriver {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

// The child is killed and waited for in `Drop`.
#[allow(clippy::zombie_processes)]
async fn chromedriver() -> (ChromeDriver, u16) {
    let bin = std::env::var("CHROMEDRIVER").unwrap_or_else(|_| "/usr/bin/chromedriver".into());
    assert!(
        std::path::Path::new(&bin).exists(),
        "{bin} is missing: install Debian's chromium and chromium-driver (.ci/setup does)"
    );
    let port = free_port();
    let child = Command::new(&bin)
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    for _ in 0..100 {
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return (ChromeDriver(child), port);
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("chromedriver did not start on port {port}");
}

struct Harness {
    base: String,
    emu: EmulatorHandle,
    app: App,
}

async fn spawn_app() -> Harness {
    let emu = allegro_emulator::spawn("127.0.0.1:0", EmulatorConfig { seed: 9 })
        .await
        .unwrap();
    emu.emulator.create_seller("sklep-a", "haslo-a").unwrap();
    emu.emulator.create_seller("sklep-b", "haslo-b").unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let db = format!(
        "sqlite:{}",
        std::env::temp_dir()
            .join(format!(
                "ab-browser-{}-{}.db",
                std::process::id(),
                std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .unwrap()
                    .as_nanos()
            ))
            .display()
    );
    let _ = std::fs::remove_file(db.trim_start_matches("sqlite:"));
    let store: store::Store = Arc::new(store_sqlite::SqliteStore::open(&db).await.unwrap());
    let cipher = Cipher::new(1, &[(1, SecretString::from("cd".repeat(32)))]).unwrap();
    let config = AppConfig {
        public_url: base.clone(),
        service_app: None,
        session_ttl_ms: 3_600_000,
        refresh: RefreshPolicy::default(),
        custom_allegro_urls: app::CustomAllegroUrls::any(),
    };
    let app = App::new(store, cipher, Arc::new(domain::SystemClock), config);
    let router = web::router(web::WebState {
        app: app.clone(),
        secure_cookies: false,
        max_upload_bytes: web::MAX_IMPORT_FILE_BYTES,
    });
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    Harness { base, emu, app }
}

async fn browser(port: u16) -> WebDriver {
    let mut caps = DesiredCapabilities::chrome();
    caps.set_binary("/usr/bin/chromium").unwrap();
    for arg in [
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-dev-shm-usage",
        "--window-size=1200,900",
        "--lang=pl-PL",
    ] {
        caps.add_arg(arg).unwrap();
    }
    let dir = std::env::temp_dir().join(format!("ab-chrome-{}-{port}", std::process::id()));
    caps.add_arg(&format!("--user-data-dir={}", dir.display())).unwrap();
    WebDriver::new(format!("http://127.0.0.1:{port}"), caps).await.unwrap()
}

async fn fill(d: &WebDriver, id: &str, text: &str) {
    let field = d.query(By::Id(id)).first().await.unwrap();
    field.clear().await.unwrap();
    field.send_keys(text).await.unwrap();
}

async fn click(d: &WebDriver, id: &str) {
    d.query(By::Id(id)).first().await.unwrap().click().await.unwrap();
}

/// Clicks something that loads a new page and waits until the old page is gone.
async fn click_nav(d: &WebDriver, css: &str) {
    let element = d.query(By::Css(css)).first().await.unwrap();
    element.click().await.unwrap();
    element.wait_until().stale().await.unwrap();
}

async fn text_of(d: &WebDriver, css: &str) -> String {
    // Live parts (htmx) replace elements under our feet: a stale element is looked up again.
    for _ in 0..10 {
        if let Ok(text) = d.query(By::Css(css)).first().await.unwrap().text().await {
            return text;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("{css} kept going stale");
}

async fn emulator_login(d: &WebDriver, login: &str, password: &str) {
    // Allegro's login page, or "Kontynuuj / Zmień konto" for a remembered browser; wait
    // for the navigation to land on one of them.
    let first = d.query(By::Css("#login, #change-account")).first().await.unwrap();
    if first.id().await.unwrap().as_deref() == Some("change-account") {
        first.click().await.unwrap();
        first.wait_until().stale().await.unwrap();
    }
    fill(d, "login", login).await;
    fill(d, "password", password).await;
    click_nav(d, "button[type=submit]").await;
}

async fn account_status(d: &WebDriver, base: &str) -> (String, String) {
    d.goto(format!("{base}/accounts")).await.unwrap();
    (
        text_of(d, "#accounts tbody tr td.login").await,
        text_of(d, "#accounts tbody tr td.status").await,
    )
}

mod accessibility;
mod accounts;
mod imports;
mod invoices;
mod ksef;
mod orders;
mod shell;
mod warehouse;

/// Anna's shop, its sklep-a account linked, `count` paid orders synced: the account.
async fn shop_with_orders(h: &Harness, count: usize, seed: u64) -> domain::AccountId {
    let (org, user) = testkit::owner(&h.app, "Sklep", "anna@sklep.pl").await;
    let conn = testkit::own_app_connection(&h.app, &org, &h.emu, None).await;
    let app::LinkOutcome::Linked { account, .. } = testkit::link(&h.app, &user, &conn, &h.emu, "sklep-a", None).await
    else {
        panic!("linked")
    };
    let seller = h.app.account(&user, &account).await.unwrap().allegro_user_id;
    h.emu
        .emulator
        .generate_orders(
            &seller,
            allegro_emulator::OrderPlan {
                count,
                seed,
                days: 3,
                pending_share: 0.0,
                pay_within_seconds: 60,
            },
        )
        .unwrap();
    h.app.sync_account(&account).await.unwrap();
    account
}

/// Anna's shop with something on every page (8 synced orders, an invoicing profile, an
/// invoice, an import): the path of every page of the back-office.
async fn shop_with_every_page(h: &Harness) -> Vec<String> {
    let account = shop_with_orders(h, 8, 21).await;
    let (org, owner) = anna(h).await;
    h.app
        .save_invoicing_profile(
            &owner,
            &testkit::invoicing_profile("Sklep Anny sp. z o.o. z bardzo długą nazwą handlową"),
        )
        .await
        .unwrap();
    let order = h
        .app
        .store()
        .account_orders(&account)
        .await
        .unwrap()
        .into_iter()
        .find(|o| o.currency == "PLN" && o.status.is_ready_for_processing())
        .unwrap();
    let app::IssueOutcome::Issued(invoice) = h.app.issue_invoice(&owner, &order.id).await.unwrap() else {
        panic!("issued")
    };
    let today = domain::time::polish_day(h.app.now_ms());
    let import = h
        .app
        .start_import(
            &owner,
            &account,
            &today.yesterday().unwrap().to_string(),
            &today.to_string(),
        )
        .await
        .unwrap();
    let connection = h.app.store().connections(&org).await.unwrap()[0].id.clone();
    [
        "/".to_owned(),
        "/accounts".to_owned(),
        format!("/accounts/{account}/settings"),
        "/orders".to_owned(),
        format!("/orders/{}", order.id),
        "/imports".to_owned(),
        format!("/imports/{}", import.id),
        "/invoices".to_owned(),
        format!("/invoices/{}", invoice.id),
        "/invoicing-profile".to_owned(),
        "/invoices/rates".to_owned(),
        "/invoices/earlier".to_owned(),
        "/invoices/ksef".to_owned(),
        "/warehouse".to_owned(),
        "/connections".to_owned(),
        format!("/connections/{connection}"),
        "/api-keys".to_owned(),
    ]
    .to_vec()
}

/// Anna's organisation and Anna as its owner (after `shop_with_orders`).
async fn anna(h: &Harness) -> (domain::OrganisationId, app::CurrentUser) {
    let org = h
        .app
        .store()
        .user_by_email("anna@sklep.pl")
        .await
        .unwrap()
        .expect("Anna's shop is set up")
        .organisation_id;
    (org.clone(), app::CurrentUser::for_organisation(org))
}

/// Logs Anna in, in Polish.
async fn log_in(d: &WebDriver, base: &str) {
    d.goto(format!("{base}/lang/pl")).await.unwrap();
    d.goto(format!("{base}/login")).await.unwrap();
    fill(d, "email", "anna@sklep.pl").await;
    fill(d, "password", testkit::PASSWORD).await;
    click_nav(d, "button[type=submit]").await;
}

/// `1 299,00 PLN` as the back-office prints totals.
fn crate_money(minor: i64) -> String {
    let whole = (minor / 100).to_string();
    let mut grouped = String::new();
    for (i, c) in whole.chars().enumerate() {
        if i > 0 && (whole.len() - i).is_multiple_of(3) {
            grouped.push(' ');
        }
        grouped.push(c);
    }
    format!("{grouped},{:02} PLN", minor % 100)
}

/// Saves a screenshot named `name` when `ALLEGRO_BRIDGE_SCREENSHOTS` names a folder (the
/// README's pictures).
async fn screenshot(d: &WebDriver, name: &str) {
    if let Ok(dir) = std::env::var("ALLEGRO_BRIDGE_SCREENSHOTS") {
        d.screenshot(&std::path::PathBuf::from(dir).join(name)).await.unwrap();
    }
}

/// The seller changes the password on Allegro: every token of `seller` is revoked.
async fn change_password_on_allegro(h: &Harness, seller: &str) {
    reqwest::Client::new()
        .post(format!("{}/__emulator/sellers/{seller}/revoke", h.emu.base_url))
        .json(&serde_json::json!({"reason": "password_change"}))
        .send()
        .await
        .unwrap();
}
