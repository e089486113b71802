//! `allegro-bridge demo`: the back-office and the emulator in one process, with a demo
//! seller on the emulator, the operator's app registered, and a back-office login.

use std::path::Path;

use allegro_emulator::{EmulatorHandle, NewApp, OrderPlan};
use anyhow::{Context as _, anyhow};
use domain::{ConnectionMode, Environment};
use secrecy::{ExposeSecret, SecretString};

use crate::{ServerArgs, StoreArgs, runtime};

/// The demo shop's NIP (a valid checksum, so the emulator's production profile takes it).
pub const DEMO_NIP: &str = "5265877635";

/// What the demo created on the emulator.
pub struct DemoSeller {
    base_url: String,
    login: &'static str,
    password: &'static str,
    orders: usize,
}

/// Creates the demo seller "demo-sklep" (250 orders over 45 days, a few paid as the
/// clock moves) with an own app in its developer-portal account.
pub fn seed_emulator(handle: &EmulatorHandle) -> anyhow::Result<DemoSeller> {
    let emu = &handle.emulator;
    let (login, password) = ("demo-sklep", "demo-haslo");
    let seller_id = emu
        .create_seller(login, password)
        .map_err(|e| anyhow!("creating the demo seller: {e}"))?;
    let plan = OrderPlan {
        count: 250,
        seed: 2026,
        days: 45,
        pending_share: 0.04,
        pay_within_seconds: 900,
    };
    let orders = emu
        .generate_orders(&seller_id, plan)
        .map_err(|e| anyhow!("generating demo orders: {e}"))?;
    emu.create_seller("drugi-sklep", "drugie-haslo")
        .map_err(|e| anyhow!("creating the second seller: {e}"))?;
    Ok(DemoSeller {
        base_url: handle.auth_base_url.clone(),
        login,
        password,
        orders,
    })
}

impl DemoSeller {
    /// Prints the emulator's logins.
    pub fn print(&self) {
        println!("  Allegro (emulator):   {}", self.base_url);
        println!(
            "    seller login:       {} / {} ({} orders)",
            self.login, self.password, self.orders
        );
        println!("    another seller:     drugi-sklep / drugie-haslo");
        println!("    developer portal:   {}/apps", self.base_url);
    }
}

/// The demo shop's invoicing profile: a company with DEMO_NIP in Warsaw.
fn demo_profile() -> anyhow::Result<domain::InvoicingProfile> {
    Ok(domain::InvoicingProfile {
        seller: domain::Party {
            name: "Sklep demo sp. z o.o.".into(),
            nip: Some(DEMO_NIP.parse().map_err(|e| anyhow!("the demo NIP: {e}"))?),
            vat_eu: None,
            address_line1: "ul. Przykładowa 1".into(),
            address_line2: "00-001 Warszawa".into(),
            country: "PL".into(),
        },
        bank_account: None,
        place_of_issue: "Warszawa".into(),
        payment_days: 14,
        exemption_basis: None,
        registers: domain::Registers::default(),
        intra_eu_supply: false,
        oss: false,
    })
}

/// Runs the demo until Ctrl+C.
pub async fn run(listen: &str, emulator_listen: &str, ksef_listen: &str, data: &Path) -> anyhow::Result<()> {
    std::fs::create_dir_all(data).with_context(|| format!("creating the data folder {}", data.display()))?;
    // The emulator forgets everything on exit, so the demo database starts afresh too.
    for suffix in ["", "-wal", "-shm"] {
        let f = data.join(format!("demo.db{suffix}"));
        if f.exists() {
            std::fs::remove_file(&f).with_context(|| format!("removing the old demo database {}", f.display()))?;
        }
    }
    let emulator = allegro_emulator::spawn(emulator_listen, allegro_emulator::EmulatorConfig { seed: 2026 })
        .await
        .context("starting the emulator")?;
    let seller = seed_emulator(&emulator)?;
    let ksef = ksef_emulator::spawn(ksef_listen, ksef_emulator::Settings::default())
        .await
        .context("starting the KSeF emulator")?;
    // The demo shop's KSeF token, as the seller would generate it in KSeF's app.
    let (ksef_token, _) = ksef
        .emulator
        .create_token(ksef_emulator::NewToken {
            nip: DEMO_NIP.into(),
            permissions: vec!["InvoiceWrite".into(), "InvoiceRead".into()],
            description: Some("allegro-bridge (demo)".into()),
        })
        .map_err(|e| anyhow!("creating the demo KSeF token: {e}"))?;
    let public_url = format!("http://{listen}");
    let (client_id, client_secret) = emulator
        .emulator
        .register_app(NewApp {
            name: "allegro-bridge (demo)".into(),
            description: Some("The operator's app of the demo".into()),
            redirect_uris: vec![format!("{public_url}/allegro/install/service")],
            app_type: None,
            scopes: None,
        })
        .map_err(|e| anyhow!("registering the operator's app: {e}"))?;
    let store_args = StoreArgs {
        database: format!("sqlite:{}", data.join("demo.db").display()),
        key_file: data.join("secret.key"),
        new_key: false,
    };
    let server = ServerArgs {
        public_url: Some(public_url.clone()),
        service_client_id: Some(client_id),
        service_client_secret: Some(client_secret),
        service_environment: "custom".into(),
        service_auth_url: Some(emulator.base_url.clone()),
        service_api_url: Some(emulator.base_url.clone()),
        secure_cookies: false,
        worker_interval_seconds: 20,
        refresh_lease_seconds: 60,
        upload_lease_seconds: 120,
        ksef_upload_wait_seconds: 600,
        ksef_lease_seconds: 300,
        ksef_offline_after_seconds: 300,
        // Demo: new orders show up within a few seconds.
        poll_busy_seconds: 3,
        poll_max_seconds: 5,
        // The demo stays offline: load rates with `rates load` for CZK/EUR/HUF invoices.
        nbp_url: "off".into(),
        // The demo's own connections may point at the emulator on this machine.
        allow_custom_allegro_urls: true,
        allow_private_allegro_urls: true,
        allegro_url_hosts: Vec::new(),
        max_upload_mb: 64,
    };
    let app = runtime::build_app(&store_args, &server, listen).await?;
    let email = "demo@allegro-bridge.local";
    let password = app::random_token(12);
    let (org, _) = app
        .create_organisation("Sklep demo", email, SecretString::from(password.clone()))
        .await
        .map_err(runtime::app_error)?;
    app.create_connection(&org, ConnectionMode::ServiceApp, Environment::Custom, None)
        .await
        .map_err(runtime::app_error)?;
    // The demo shop invoices as DEMO_NIP and its KSeF token is set, so invoices to
    // companies get KSeF numbers (issue #16 item 7); the token is never printed.
    let user = app::CurrentUser::for_organisation(org.clone());
    app.save_invoicing_profile(&user, &demo_profile()?)
        .await
        .map_err(runtime::app_error)?;
    app.save_ksef_settings(
        &user,
        app::KsefSettingsInput {
            environment: app::KsefEnvironment::Custom(ksef.api_url.clone()),
            token: Some(SecretString::from(ksef_token)),
            send_consumer: false,
            send_from: None,
            offline24: false,
            failure_announced: false,
        },
    )
    .await
    .map_err(runtime::app_error)?;
    let checked = app.check_ksef_connection(&user).await.map_err(runtime::app_error)?;
    // An Offline certificate from the emulator: invoices issued while KSeF is down carry
    // KOD II ("CERTYFIKAT").
    let (certificate, key, _) = ksef.emulator.issue_offline_certificate(&checked.nip)?;
    app.save_ksef_offline_certificate(&user, &certificate, &SecretString::from(key))
        .await
        .map_err(runtime::app_error)?;
    println!();
    println!("allegro-bridge demo");
    println!("  back-office:          {public_url}");
    println!(
        "    login:              {email} / {}",
        SecretString::from(password).expose_secret()
    );
    seller.print();
    println!("  KSeF (emulator):      {}", ksef.api_url);
    println!(
        "    the demo shop's token (NIP {}) is set: Faktury → KSeF; invoices to companies get KSeF numbers",
        checked.nip
    );
    println!("  Log in, click \"Połącz konto Allegro\", log in to Allegro as demo-sklep and press \"Tak, powiąż\".");
    println!("  The last 30 days of orders arrive by themselves; older ones: Import → Import Allegro.");
    println!("  A CSV to try Import CSV: crates/order-files/tests/corpus/good-excel-1250.csv");
    println!("Press Ctrl+C to stop.");
    let policy = server.poll_policy();
    runtime::run_until_stopped(app, Some((20, policy)), Some((listen, &server))).await
}
