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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn link_relogin_and_refuse_another_user_in_a_real_browser() {
    let h = spawn_app().await;
    let (_driver_process, port) = chromedriver().await;
    let d = browser(port).await;

    // Headless Chromium asks for English; the seller's Polish is one switch away.
    d.goto(format!("{}/lang/pl", h.base)).await.unwrap();
    // First run: the setup page creates the organisation and logs in.
    d.goto(format!("{}/", h.base)).await.unwrap();
    assert!(d.current_url().await.unwrap().path().ends_with("/setup"));
    // Whoever comes first without the code `serve` printed takes nothing over.
    fill(&d, "code", "ABCD-0000").await;
    fill(&d, "organisation", "Sklep Testowy").await;
    fill(&d, "email", "anna@sklep.pl").await;
    fill(&d, "password", "bardzo-tajne-haslo").await;
    click_nav(&d, "form button[type=submit]").await;
    assert!(
        text_of(&d, "p.error")
            .await
            .contains("To nie jest kod z dziennika serwera")
    );
    assert!(h.app.needs_setup().await.unwrap(), "nothing created");
    let code = h
        .app
        .setup_code()
        .await
        .unwrap()
        .expect("a code while setup is to be done");
    fill(&d, "code", &code.to_lowercase()).await;
    fill(&d, "password", "bardzo-tajne-haslo").await;
    click_nav(&d, "form button[type=submit]").await;
    assert_eq!(h.app.setup_code().await.unwrap(), None, "gone once set up");
    let page = d.source().await.unwrap();
    assert!(page.contains("Konta Allegro"), "{page}");

    // Own app, in seed 000's order: the connection's redirect URI first…
    d.goto(format!("{}/connections", h.base)).await.unwrap();
    click(&d, "env-custom").await;
    fill(&d, "auth_url", &h.emu.base_url).await;
    fill(&d, "api_url", &h.emu.base_url).await;
    click_nav(&d, "#create-connection").await;
    let redirect = d
        .find(By::Id("redirect-uri"))
        .await
        .unwrap()
        .value()
        .await
        .unwrap()
        .unwrap();
    assert!(
        redirect.starts_with(&format!("{}/allegro/install/", h.base)),
        "{redirect}"
    );
    let guide = d.source().await.unwrap();
    assert!(guide.contains("dwustopniowe logowanie") && guide.contains("allegro:api:orders:write"));
    let portal = d
        .find(By::Id("portal"))
        .await
        .unwrap()
        .attr("href")
        .await
        .unwrap()
        .unwrap();
    assert!(portal.starts_with("http"), "the developer portal is a link: {portal}");
    // "Kopiuj" says it copied.
    let copy = d.find(By::Css("button.copy")).await.unwrap();
    copy.click().await.unwrap();
    assert_eq!(copy.text().await.unwrap(), "Skopiowano ✓");
    // …registered in Allegro's portal with the permissions ticked…
    let (client_id, secret) = h
        .emu
        .emulator
        .register_app(NewApp {
            name: "Sklep Testowy".into(),
            description: None,
            redirect_uris: vec![redirect],
            app_type: None,
            scopes: None,
        })
        .unwrap();
    // …then Client ID and Secret pasted (the secret masked, with show/hide).
    fill(&d, "client_id", &client_id).await;
    fill(&d, "client_secret", &secret).await;
    assert_eq!(
        d.find(By::Id("client_secret"))
            .await
            .unwrap()
            .attr("type")
            .await
            .unwrap()
            .as_deref(),
        Some("password")
    );
    click(&d, "show-secret").await;
    assert_eq!(
        d.find(By::Id("client_secret"))
            .await
            .unwrap()
            .attr("type")
            .await
            .unwrap()
            .as_deref(),
        Some("text")
    );
    click_nav(&d, "#save-credentials").await;
    assert!(
        text_of(&d, "#credentials-state")
            .await
            .contains("Dane aplikacji zapisane")
    );
    assert!(text_of(&d, "#saved").await.contains("Client Secret zapisane"));
    assert!(
        !d.source().await.unwrap().contains(&secret),
        "the secret is never sent back to the browser"
    );

    // "Połącz konto Allegro" → Allegro's login → "Tak, powiąż".
    click_nav(&d, "#connect").await;
    emulator_login(&d, "sklep-a", "haslo-a").await;
    click_nav(&d, "#approve").await;
    assert!(
        text_of(&d, "#message")
            .await
            .contains("Konto sklep-a zostało powiązane")
    );
    assert_eq!(account_status(&d, &h.base).await, ("sklep-a".into(), "Aktywne".into()));

    // Allegro: the seller changes the password; our next refresh notices.
    let user = h.app.store().user_by_email("anna@sklep.pl").await.unwrap().unwrap();
    let accounts = h.app.store().accounts(&user.organisation_id).await.unwrap();
    let seller_id = accounts[0].allegro_user_id.clone();
    // An import queued before the password change (no worker runs it here).
    let owner = app::CurrentUser::for_organisation(user.organisation_id.clone());
    let today = domain::time::polish_day(h.app.now_ms());
    let queued = h
        .app
        .start_import(
            &owner,
            &accounts[0].id,
            &today.yesterday().unwrap().to_string(),
            &today.to_string(),
        )
        .await
        .unwrap();
    change_password_on_allegro(&h, &seller_id).await;
    // The next call Allegro refuses (here a sync) refreshes the account at once; the
    // refused refresh flags it, with the reason, on every page that depends on it.
    assert!(h.app.sync_account(&accounts[0].id).await.is_err());
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    while h.app.store().accounts(&user.organisation_id).await.unwrap()[0].status == domain::AccountStatus::Active {
        assert!(
            std::time::Instant::now() < deadline,
            "flagged soon after the refused call"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let (_, status) = account_status(&d, &h.base).await;
    assert!(status.starts_with("Wymaga ponownego logowania"), "{status}");
    assert!(
        d.source().await.unwrap().contains("zmiana hasła"),
        "the reason is given"
    );
    assert!(
        text_of(&d, "#relogin-banner")
            .await
            .contains("Jedno z Twoich kont wymaga ponownego logowania")
    );
    for page in ["/orders", "/imports", "/invoices"] {
        d.goto(&format!("{}{page}", h.base)).await.unwrap();
        assert!(
            text_of(&d, "#relogin-banner")
                .await
                .contains("Jedno z Twoich kont wymaga ponownego logowania"),
            "the banner on {page}"
        );
    }
    d.goto(format!("{}/imports", h.base)).await.unwrap();
    assert!(
        d.source()
            .await
            .unwrap()
            .contains("Konto sklep-a wymaga ponownego połączenia"),
        "the queued import {} says why it waits",
        queued.id
    );
    d.goto(format!("{}/accounts", h.base)).await.unwrap();

    // The key button: log in again as the same user.
    click_nav(&d, "button.key").await;
    emulator_login(&d, "sklep-a", "haslo-a").await;
    click_nav(&d, "#approve").await;
    assert!(text_of(&d, "#message").await.contains("sklep-a"));
    assert_eq!(account_status(&d, &h.base).await, ("sklep-a".into(), "Aktywne".into()));
    assert!(d.find(By::Id("relogin-banner")).await.is_err());

    // Another password change, then a re-link attempt as a different Allegro user.
    reqwest::Client::new()
        .post(format!("{}/__emulator/sellers/{seller_id}/revoke", h.emu.base_url))
        .json(&serde_json::json!({"reason": "logout_all"}))
        .send()
        .await
        .unwrap();
    h.app.refresh_account(&accounts[0].id).await.unwrap();
    d.goto(format!("{}/accounts", h.base)).await.unwrap();
    click_nav(&d, "button.key").await;
    emulator_login(&d, "sklep-b", "haslo-b").await;
    click_nav(&d, "#approve").await;
    let refused = text_of(&d, "#message").await;
    assert!(
        refused.contains("sklep-b") && refused.contains("sklep-a") && refused.contains("Nic nie zostało zmienione"),
        "{refused}"
    );
    let (login, status) = account_status(&d, &h.base).await;
    assert_eq!(login, "sklep-a");
    assert!(status.starts_with("Wymaga ponownego logowania"), "{status}");
    assert_eq!(h.app.store().accounts(&user.organisation_id).await.unwrap().len(), 1);

    // English by a switch.
    click_nav(&d, "#lang-switch").await;
    assert!(d.source().await.unwrap().contains("Needs a new login"));
    d.quit().await.unwrap();
}

/// Picks the first account on the import page and uploads `file` ("Wczytaj plik").
async fn upload(d: &WebDriver, base: &str, file: &std::path::Path) {
    d.goto(format!("{base}/imports")).await.unwrap();
    d.query(By::Css("#file-account option[value]:not([value=''])"))
        .first()
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    d.find(By::Id("file"))
        .await
        .unwrap()
        .send_keys(file.display().to_string())
        .await
        .unwrap();
    click_nav(d, "#file-start").await;
}

/// "Import Allegro" by login and purchase dates, then a CSV upload and a broken one, in a
/// real browser; the import's page updates itself (htmx) while the worker runs it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn imports_in_a_real_browser() {
    let h = spawn_app().await;
    let (_driver_process, port) = chromedriver().await;
    let (org, user) = testkit::owner(&h.app, "Sklep", "anna@sklep.pl").await;
    let conn = testkit::own_app_connection(&h.app, &org, &h.emu, None).await;
    let app::LinkOutcome::Linked { account, .. } = testkit::link(&h.app, &user, &conn, &h.emu, "sklep-a", None).await
    else {
        panic!("linked")
    };
    let seller = h.app.account(&user, &account).await.unwrap().allegro_user_id;
    let n = h
        .emu
        .emulator
        .generate_orders(
            &seller,
            allegro_emulator::OrderPlan {
                count: 60,
                seed: 6,
                days: 3,
                pending_share: 0.0,
                pay_within_seconds: 60,
            },
        )
        .unwrap();
    let d = browser(port).await;
    // Polish, whatever headless Chromium sends as Accept-Language.
    log_in(&d, &h.base).await;
    d.goto(format!("{}/imports", h.base)).await.unwrap();
    d.query(By::Css("#import-account option[value]:not([value=''])"))
        .first()
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let week_ago = domain::time::polish_day_text(h.app.now_ms() - 7 * 86_400_000);
    d.execute(
        "document.getElementById('import-from').value = arguments[0];",
        vec![serde_json::json!(week_ago)],
    )
    .await
    .unwrap();
    click_nav(&d, "#import-start").await;
    assert_eq!(text_of(&d, "#import-state").await, "w kolejce");
    // Mark this page: if the result shows up with the mark still there, htmx swapped it in.
    d.execute("window.__same_page = true;", vec![]).await.unwrap();
    assert_eq!(h.app.run_due_jobs(60_000).await.unwrap(), 1);
    let mut done = false;
    for _ in 0..60 {
        if text_of(&d, "#import-state").await == "zakończony" {
            done = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    assert!(done, "the page never showed the finished import");
    assert_eq!(
        d.execute("return window.__same_page === true;", vec![])
            .await
            .unwrap()
            .json(),
        &serde_json::json!(true),
        "updated in place, not reloaded"
    );
    assert_eq!(text_of(&d, "#import-new").await, n.to_string());

    // A CSV from Polish Excel (Windows-1250, semicolons, decimal commas).
    // Chromedriver wants a canonical path; the manifest dir is read at run time (the
    // shared target dir may hold a binary built in another clone).
    let corpus = std::path::PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").unwrap())
        .join("../order-files/tests/corpus")
        .canonicalize()
        .unwrap();
    upload(&d, &h.base, &corpus.join("good-excel-1250.csv")).await;
    assert_eq!(text_of(&d, "#import-new").await, "2");
    // A broken one: every problem listed where it is, nothing stored.
    upload(&d, &h.base, &corpus.join("broken-bad-date.csv")).await;
    let problem = text_of(&d, "#file-error").await;
    assert!(
        problem.contains("broken-bad-date.csv, wiersz 3, kolumna 2 (bought_at): „"),
        "{problem}"
    );
    let address = d.current_url().await.unwrap();
    assert!(
        !address.as_str().contains("_csrf"),
        "the upload's CSRF token is not left in the address: {address}"
    );
    screenshot(&d, "backoffice-imports.png").await;
    assert_eq!(h.app.store().account_orders(&account).await.unwrap().len(), n + 2);
    // The imported orders in the list; the file's marked.
    d.goto(format!("{}/orders?buyer=firma_lodz", h.base)).await.unwrap();
    assert!(text_of(&d, "#orders tbody").await.contains("z pliku"));
    if let Ok(dir) = std::env::var("ALLEGRO_BRIDGE_SCREENSHOTS") {
        d.goto(format!("{}/orders?sort=total_desc", h.base)).await.unwrap();
        d.screenshot(&std::path::PathBuf::from(dir).join("backoffice-orders.png"))
            .await
            .unwrap();
    }
    d.quit().await.unwrap();
}

/// The invoicing details form and "Wystaw fakturę" on an order, in a real browser.
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

/// Logs Anna in, in Polish.
async fn log_in(d: &WebDriver, base: &str) {
    d.goto(format!("{base}/lang/pl")).await.unwrap();
    d.goto(format!("{base}/login")).await.unwrap();
    fill(d, "email", "anna@sklep.pl").await;
    fill(d, "password", testkit::PASSWORD).await;
    click_nav(d, "button[type=submit]").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_invoice_in_a_real_browser() {
    let h = spawn_app().await;
    let (_driver_process, port) = chromedriver().await;
    let account = shop_with_orders(&h, 15, 12).await;
    let order = h
        .app
        .store()
        .account_orders(&account)
        .await
        .unwrap()
        .into_iter()
        .find(|o| o.currency == "PLN" && o.status == "READY_FOR_PROCESSING")
        .unwrap();
    let d = browser(port).await;
    log_in(&d, &h.base).await;
    d.goto(format!("{}/invoicing-profile", h.base)).await.unwrap();
    fill(&d, "name", "Sklep Anny sp. z o.o.").await;
    fill(&d, "nip", "526-025-09-95").await;
    fill(&d, "address_line1", "ul. Długa 5").await;
    fill(&d, "address_line2", "31-147 Kraków").await;
    fill(&d, "place_of_issue", "Kraków").await;
    click_nav(&d, "#save-profile").await;
    assert!(d.find(By::Id("saved")).await.is_ok());
    d.goto(format!("{}/orders/{}", h.base, order.id)).await.unwrap();
    click_nav(&d, "#issue-invoice").await;
    let title = text_of(&d, "h1").await;
    assert!(title.starts_with("Faktura FV/1/"), "{title}");
    assert!(text_of(&d, "#in-words").await.starts_with("Słownie:"));
    assert_eq!(
        text_of(&d, "#invoice-total").await.replace('\u{a0}', " "),
        crate_money(order.total_minor.unwrap())
    );
    assert!(
        text_of(&d, "#allegro-upload")
            .await
            .contains("Czeka na wysłanie do zamówienia na Allegro"),
        "the upload to Allegro is waiting for the worker"
    );
    let pdf = d
        .find(thirtyfour::By::Id("pdf"))
        .await
        .unwrap()
        .attr("href")
        .await
        .unwrap()
        .unwrap();
    assert!(pdf.ends_with("/pdf"), "{pdf}");
    // The orders list shows the order's invoice number.
    d.goto(format!("{}/orders", h.base)).await.unwrap();
    assert!(
        text_of(&d, "#orders")
            .await
            .contains(title.trim_start_matches("Faktura ")),
        "{title}"
    );
    // The list's buyer search: the name in capitals, and without its Polish letters.
    let org = h
        .app
        .store()
        .user_by_email("anna@sklep.pl")
        .await
        .unwrap()
        .unwrap()
        .organisation_id;
    let buyer = h
        .app
        .store()
        .invoices(&org, &store::InvoiceFilter::default(), 0, 10)
        .await
        .unwrap()
        .0[0]
        .buyer_name
        .clone();
    for typed in [buyer.to_uppercase(), domain::text::search_key(&buyer)] {
        d.goto(format!("{}/invoices", h.base)).await.unwrap();
        fill(&d, "buyer", &typed).await;
        click_nav(&d, "form.filters button[type=submit]").await;
        assert!(
            text_of(&d, "#invoices").await.contains(&buyer),
            "{typed:?} finds {buyer:?}"
        );
    }
    screenshot(&d, "backoffice-invoice.png").await;
    d.quit().await.unwrap();
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

#[tokio::test]
async fn a_waybill_in_a_real_browser_reaches_the_allegro_order() {
    let h = spawn_app().await;
    let (_driver_process, port) = chromedriver().await;
    let account = shop_with_orders(&h, 6, 31).await;
    let order = h.app.store().account_orders(&account).await.unwrap().remove(0);
    let d = browser(port).await;
    log_in(&d, &h.base).await;
    d.goto(format!("{}/orders/{}", h.base, order.id)).await.unwrap();
    d.query(By::Css("#waybill-carrier option[value=DPD]"))
        .first()
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    fill(&d, "waybill-number", "0000007268757Q").await;
    click_nav(&d, "#add-waybill-submit").await;
    let row = text_of(&d, "#waybills tbody tr").await;
    assert!(row.contains("DPD") && row.contains("0000007268757Q"), "{row}");
    assert!(row.contains("Czeka na wysłanie"), "{row}");
    // The worker's pass; the page then shows what Allegro has.
    assert_eq!(h.app.push_due_shipments(10).await.unwrap().delivered, 1);
    d.refresh().await.unwrap();
    let row = text_of(&d, "#waybills tbody tr").await;
    assert!(row.contains("Na zamówieniu w Allegro"), "{row}");
    let on_allegro: Vec<_> = h
        .emu
        .emulator
        .order_shipments(order.id.as_str())
        .into_iter()
        .map(|(carrier, number, _)| (carrier, number))
        .collect();
    assert_eq!(on_allegro, [("DPD".to_owned(), "0000007268757Q".to_owned())]);
    screenshot(&d, "backoffice-waybill.png").await;
    d.quit().await.unwrap();
}

#[tokio::test]
async fn the_warehouse_in_a_real_browser() {
    let h = spawn_app().await;
    let (_driver_process, port) = chromedriver().await;
    shop_with_orders(&h, 5, 41).await;
    let d = browser(port).await;
    log_in(&d, &h.base).await;
    d.goto(format!("{}/warehouse", h.base)).await.unwrap();
    click_nav(&d, "#sync-products").await;
    assert!(text_of(&d, "#warehouse-notice").await.contains("nowe produkty"));
    let first_sku = text_of(&d, "#stock tbody tr td").await;
    fill(&d, "receipt-quantity", "40").await;
    fill(&d, "receipt-note", "PZ/1/2026").await;
    click_nav(&d, "#receive-submit").await;
    let row = text_of(&d, &format!("#stock tr[data-sku=\"{first_sku}\"]")).await;
    assert!(row.ends_with("40"), "{row}");
    let movement = text_of(&d, "#movements-table tbody tr").await;
    assert!(movement.contains("+40") && movement.contains("PZ/1/2026"), "{movement}");
    screenshot(&d, "backoffice-warehouse.png").await;
    d.quit().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn api_keys_in_a_real_browser_at_desktop_and_phone_width() {
    let h = spawn_app().await;
    let (_driver_process, port) = chromedriver().await;
    shop_with_orders(&h, 1, 43).await;
    let d = browser(port).await;
    log_in(&d, &h.base).await;
    click_nav(&d, "nav a[href=\"/api-keys\"]").await;
    assert!(text_of(&d, "#no-keys").await.contains("Nie ma jeszcze"));
    fill(&d, "key-name", "Magazyn ERP").await;
    click_nav(&d, "#create-key").await;
    let key = d
        .query(By::Id("new-key-value"))
        .first()
        .await
        .unwrap()
        .prop("value")
        .await
        .unwrap()
        .unwrap();
    assert!(key.starts_with("abk_"), "{key}");
    assert!(text_of(&d, "#api-keys").await.contains("Magazyn ERP"));
    assert!(h.app.user_for_api_key(&key).await.unwrap().is_some());

    // At 390 px the list and its buttons fit the screen.
    d.set_window_rect(0, 0, 390, 844).await.unwrap();
    d.goto(format!("{}/api-keys", h.base)).await.unwrap();
    let widths: Vec<f64> = d
        .execute(
            "const m = document.querySelector('main'); const t = document.querySelector('#api-keys'); \
             const b = document.querySelector('#api-keys button').getBoundingClientRect(); \
             return [m.scrollWidth, t.getBoundingClientRect().right, b.right, window.innerWidth];",
            vec![],
        )
        .await
        .unwrap()
        .convert()
        .unwrap();
    let viewport = widths[3];
    assert!(
        widths[..3].iter().all(|w| *w <= viewport),
        "main, the list and Unieważnij within {viewport} px: {widths:?}"
    );
    click_nav(&d, "#api-keys button.danger").await;
    assert!(text_of(&d, "#no-keys").await.contains("Nie ma jeszcze"));
    assert!(h.app.user_for_api_key(&key).await.unwrap().is_none(), "revoked at once");
    d.quit().await.unwrap();
}

/// Every page of the back-office on a phone (390 px): nothing makes the page wider than the
/// screen (wide tables scroll in their own box), "Wyloguj" is on the screen, and the menu,
/// collapsed behind "Menu", opens and leads on.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_page_fits_a_phone() {
    let h = spawn_app().await;
    let (_driver_process, port) = chromedriver().await;
    let account = shop_with_orders(&h, 8, 21).await;
    let org = h
        .app
        .store()
        .user_by_email("anna@sklep.pl")
        .await
        .unwrap()
        .unwrap()
        .organisation_id;
    let owner = app::CurrentUser::for_organisation(org.clone());
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
    let d = browser(port).await;
    log_in(&d, &h.base).await;
    d.set_window_rect(0, 0, 390, 844).await.unwrap();
    let pages = [
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
        "/warehouse".to_owned(),
        "/connections".to_owned(),
        format!("/connections/{connection}"),
        "/api-keys".to_owned(),
    ];
    for page in &pages {
        d.goto(format!("{}{page}", h.base)).await.unwrap();
        let widths: Vec<f64> = d
            .execute(
                "return [document.documentElement.scrollWidth, window.innerWidth, \
                 document.querySelector('form.logout button').getBoundingClientRect().right];",
                vec![],
            )
            .await
            .unwrap()
            .convert()
            .unwrap();
        assert!(
            widths[0] <= widths[1] && widths[2] <= widths[1],
            "{page}: page {} px and Wyloguj at {} px on a {} px screen",
            widths[0],
            widths[2],
            widths[1]
        );
    }
    d.goto(format!("{}/orders", h.base)).await.unwrap();
    let nav = d.find(By::Css("header nav")).await.unwrap();
    assert!(!nav.is_displayed().await.unwrap(), "the menu is collapsed");
    d.find(By::Id("menu-button")).await.unwrap().click().await.unwrap();
    assert!(nav.is_displayed().await.unwrap(), "Menu opens it");
    click_nav(&d, "header nav a[href=\"/invoices\"]").await;
    assert!(text_of(&d, "h1").await.starts_with("Faktury"));
    screenshot(&d, "backoffice-phone-invoices.png").await;
    d.quit().await.unwrap();
}

/// An order's page says what a seller ships with: the buyer's e-mail and phone, where the
/// parcel goes, what delivery cost, how it was paid in words; a cancelled order offers
/// neither "Wystaw WZ" nor a waybill form.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_orders_page_says_what_a_seller_ships_with() {
    let h = spawn_app().await;
    let (_driver_process, port) = chromedriver().await;
    let account = shop_with_orders(&h, 6, 31).await;
    let orders = h.app.store().account_orders(&account).await.unwrap();
    let order = orders.iter().find(|o| o.status.is_ready_for_processing()).unwrap();
    let form: app::allegro_types::CheckoutForm = serde_json::from_str(&order.data).unwrap();
    let d = browser(port).await;
    log_in(&d, &h.base).await;
    d.goto(format!("{}/orders/{}", h.base, order.id)).await.unwrap();
    let buyer = text_of(&d, "#buyer").await;
    assert!(buyer.contains(&form.buyer.email), "{buyer}");
    if let Some(phone) = &form.buyer.phone_number {
        assert!(buyer.contains(phone.as_str()), "{buyer}");
    }
    let delivery = text_of(&d, "#delivery").await;
    assert!(delivery.contains("Koszt dostawy:"), "{delivery}");
    let where_to = form.delivery.as_ref().unwrap();
    match (&where_to.pickup_point, &where_to.address) {
        (Some(point), _) => assert!(
            point
                .address
                .as_ref()
                .and_then(|a| a.city.as_deref())
                .is_none_or(|city| delivery.contains(city)),
            "the pickup point's address: {delivery}"
        ),
        (None, Some(address)) => assert!(
            delivery.contains(&address.street) && delivery.contains(&address.zip_code),
            "the full address: {delivery}"
        ),
        (None, None) => {}
    }
    let payment = text_of(&d, "#payment").await;
    assert!(
        ["Płatność online", "Za pobraniem", "Przelew tradycyjny"]
            .iter()
            .any(|w| payment.starts_with(w)),
        "payment in words: {payment}"
    );
    assert!(d.find(By::Id("issue-wz")).await.is_ok() && d.find(By::Id("add-waybill")).await.is_ok());
    // Cancelled on Allegro: nothing left to ship.
    h.emu
        .emulator
        .move_order(&order.id, Some(allegro_api_types::CheckoutFormStatus::Cancelled), None)
        .unwrap();
    h.app.sync_account(&account).await.unwrap();
    d.goto(format!("{}/orders/{}", h.base, order.id)).await.unwrap();
    assert!(text_of(&d, "#cancelled-note").await.contains("Zamówienie anulowane"));
    assert!(d.find(By::Id("issue-wz")).await.is_err(), "no Wystaw WZ");
    assert!(d.find(By::Id("add-waybill")).await.is_err(), "no waybill form");
    d.quit().await.unwrap();
}

/// The start page ("Pulpit") says what needs the seller, each item linking to where it is
/// fixed: the first-run steps still to do, the paid orders to send, an account that needs a
/// new login once Allegro refused it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_start_page_says_what_needs_doing() {
    let h = spawn_app().await;
    let (_driver_process, port) = chromedriver().await;
    let account = shop_with_orders(&h, 10, 41).await;
    let d = browser(port).await;
    log_in(&d, &h.base).await;
    d.goto(format!("{}/", h.base)).await.unwrap();
    assert_eq!(text_of(&d, "h1").await, "Pulpit");
    let class = |id: &'static str| {
        let d = d.clone();
        async move {
            d.find(By::Id(id))
                .await
                .unwrap()
                .attr("class")
                .await
                .unwrap()
                .unwrap_or_default()
        }
    };
    assert_eq!(class("step-profile").await, "todo", "no invoicing details yet");
    assert_eq!(class("step-account").await, "done", "an account is linked");
    assert_eq!(class("step-invoicing").await, "todo");
    let todo = text_of(&d, "#todo").await;
    assert!(
        todo.contains("czeka na wysyłkę") || todo.contains("czekają na wysyłkę"),
        "{todo}"
    );
    // Allegro refuses the account (a password change): the next call flags it, and the
    // start page leads to the accounts.
    let org = h
        .app
        .store()
        .user_by_email("anna@sklep.pl")
        .await
        .unwrap()
        .unwrap()
        .organisation_id;
    let seller = h.app.store().accounts(&org).await.unwrap()[0].allegro_user_id.clone();
    change_password_on_allegro(&h, &seller).await;
    assert!(h.app.sync_account(&account).await.is_err());
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    loop {
        d.goto(format!("{}/", h.base)).await.unwrap();
        if text_of(&d, "#todo")
            .await
            .contains("Konto sklep-a wymaga ponownego logowania")
        {
            break;
        }
        assert!(std::time::Instant::now() < deadline, "the start page names the account");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    click_nav(&d, "#todo li.error a[href=\"/accounts\"]").await;
    assert!(text_of(&d, "h1").await.starts_with("Konta Allegro"));
    if let Ok(dir) = std::env::var("ALLEGRO_BRIDGE_SCREENSHOTS") {
        d.goto(format!("{}/", h.base)).await.unwrap();
        d.screenshot(&std::path::PathBuf::from(dir).join("backoffice-start.png"))
            .await
            .unwrap();
    }
    d.quit().await.unwrap();
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
