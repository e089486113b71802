//! Invoices issued automatically by two worker processes on one PostgreSQL for a thousand
//! orders that reach the trigger status at once: one invoice per order, numbers 1…n with
//! no gap and no repeat.

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use domain::AccountSettings;

pub(crate) struct Process(pub(crate) Child);

impl Drop for Process {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

pub(crate) fn worker(database: &str, key_file: &std::path::Path) -> Process {
    // A killed worker's claimed uploads are taken over after 2 s, not 2 minutes.
    worker_with_lease(database, key_file, 2)
}

pub(crate) fn worker_with_lease(database: &str, key_file: &std::path::Path, upload_lease_seconds: u32) -> Process {
    Process(
        Command::new(env!("CARGO_BIN_EXE_allegro-bridge"))
            .env("ALLEGRO_BRIDGE_ALLOW_CUSTOM_ALLEGRO_URLS", "true")
            .env("ALLEGRO_BRIDGE_ALLOW_PRIVATE_ALLEGRO_URLS", "true")
            .args(["worker", "--database", database, "--key-file"])
            .arg(key_file)
            .env("RUST_LOG", "warn")
            .env("ALLEGRO_BRIDGE_NBP_URL", "off")
            .env("ALLEGRO_BRIDGE_UPLOAD_LEASE", upload_lease_seconds.to_string())
            // A KSeF round (a batch, its decisions) may take longer than an upload.
            .env("ALLEGRO_BRIDGE_KSEF_LEASE", upload_lease_seconds.max(30).to_string())
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("starting allegro-bridge worker"),
    )
}

/// Saves an invoicing profile, loads NBP rates (for CZK/EUR/HUF orders) and turns
/// invoicing on for the account.
pub(crate) async fn invoicing_on(shop: &testkit::Shop, account: &domain::AccountId) {
    shop.app
        .load_rates("kursy.csv", &testkit::nbp_rates_file(40))
        .await
        .unwrap();
    shop.app
        .save_invoicing_profile(&shop.user, &testkit::invoicing_profile("Sklep Faktury sp. z o.o."))
        .await
        .unwrap();
    shop.app
        .save_settings(
            &shop.user,
            account,
            &AccountSettings {
                enabled: true,
                ..AccountSettings::default()
            },
        )
        .await
        .unwrap();
}

/// Every invoice of the organisation; asserts one per order and numbers 1…n.
async fn assert_gap_free(app: &app::App, user: &app::CurrentUser, expected: usize) {
    let mut all = Vec::new();
    loop {
        let (page, total) = app
            .invoices(user, &Default::default(), all.len() as i64, 200)
            .await
            .unwrap();
        all.extend(page);
        if all.len() as i64 >= total {
            break;
        }
    }
    assert_eq!(all.len(), expected, "one invoice per order");
    let mut orders: Vec<_> = all.iter().map(|i| i.order_id.clone()).collect();
    orders.sort();
    orders.dedup();
    assert_eq!(orders.len(), expected, "no order twice");
    let mut numbers: Vec<usize> = all
        .iter()
        .map(|i| i.number.split('/').nth(1).unwrap().parse().unwrap())
        .collect();
    numbers.sort_unstable();
    assert_eq!(
        numbers,
        (1..=expected).collect::<Vec<_>>(),
        "1…{expected}, no gap, no repeat"
    );
}

/// A shop on SQLite with invoicing on and `count` synced orders: (database, shop, orders
/// due an invoice).
async fn shop_due_invoices(seed: u64, login: &str, count: usize, orders_seed: u64) -> (String, testkit::Shop, usize) {
    let db = testkit::sqlite_url();
    let shop = testkit::Shop::new(&db, seed).await;
    let (seller, account) = shop.link_seller(login).await;
    invoicing_on(&shop, &account).await;
    shop.paid_orders(&seller, count, orders_seed, 5);
    shop.app.sync_account(&account).await.unwrap();
    let due = shop
        .app
        .store()
        .orders_awaiting_invoice(100_000, i64::MAX)
        .await
        .unwrap()
        .len();
    (db, shop, due)
}

/// A worker killed (SIGKILL) while issuing: a number is taken only in the transaction that
/// stores its invoice, so after a restart there is no gap and no invoice twice.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigkill_while_issuing_leaves_no_gap() {
    let (db, shop, due) = shop_due_invoices(83, "sklep-kill", 3_000, 6).await;
    let key_file = testkit::key_file();
    let mut first = worker(&db, &key_file);
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        let issued = shop
            .app
            .invoices(&shop.user, &Default::default(), 0, 1)
            .await
            .unwrap()
            .1 as usize;
        if issued >= due / 4 {
            break;
        }
        assert!(Instant::now() < deadline, "the worker issued nothing");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    first.0.kill().unwrap(); // SIGKILL, mid-way
    first.0.wait().unwrap();
    let left = shop
        .app
        .store()
        .orders_awaiting_invoice(100_000, i64::MAX)
        .await
        .unwrap()
        .len();
    assert!(left > 0, "killed before the end");
    let _second = worker(&db, &key_file);
    while !shop
        .app
        .store()
        .orders_awaiting_invoice(1, i64::MAX)
        .await
        .unwrap()
        .is_empty()
    {
        assert!(Instant::now() < deadline, "the restarted worker did not finish");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_gap_free(&shop.app, &shop.user, due).await;
}

/// Every one of the `due` invoices is on its Allegro order exactly once, with its file.
async fn assert_each_on_its_order_once(shop: &testkit::Shop, due: usize) {
    let mut all = Vec::new();
    while all.len() < due {
        all.extend(
            shop.app
                .invoices(&shop.user, &Default::default(), all.len() as i64, 200)
                .await
                .unwrap()
                .0,
        );
    }
    for inv in &all {
        assert_eq!(
            shop.emu.emulator.order_invoices(inv.order_id.as_str()),
            vec![(Some(inv.number.clone()), true)],
            "order {}: exactly one upload",
            inv.order_id
        );
    }
}

/// Invoices of the organisation in an upload state.
async fn count_upload(app: &app::App, user: &app::CurrentUser, state: store::UploadState) -> i64 {
    let filter = store::InvoiceFilter {
        upload: Some(state),
        ..Default::default()
    };
    app.invoices(user, &filter, 0, 1).await.unwrap().1
}

/// SIGTERM while the worker sends invoices to Allegro (a slow one): the worker exits
/// within its stop limit, cleanly, holding nothing — every invoice is on its order or due
/// at once (not after the two-minute lease), so a new worker sends the rest right away,
/// each exactly once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_while_uploading_finishes_or_gives_back_at_once() {
    let (db, shop, due) = shop_due_invoices(85, "sklep-sigterm", 200, 9).await;
    shop.emu
        .emulator
        .set_faults(allegro_emulator::Faults {
            latency_ms: 200,
            ..Default::default()
        })
        .unwrap();
    let key_file = testkit::key_file();
    let (app, user) = (&shop.app, &shop.user);
    let mut first = worker_with_lease(&db, &key_file, 120);
    let deadline = Instant::now() + Duration::from_secs(120);
    while count_upload(app, user, store::UploadState::Uploaded).await < 5 {
        assert!(Instant::now() < deadline, "the worker uploaded nothing");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    // SIGTERM, as systemd or `docker stop` sends it (sh's kill: no unsafe code here).
    let pid = first.0.id();
    let sent = Command::new("sh")
        .args(["-c", &format!("kill -TERM {pid}")])
        .status()
        .unwrap();
    assert!(sent.success());
    let asked = Instant::now();
    let status = loop {
        if let Some(status) = first.0.try_wait().unwrap() {
            break status;
        }
        assert!(
            asked.elapsed() < app::worker::STOP_LIMIT + Duration::from_secs(5),
            "the worker did not stop in time"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    assert!(status.success(), "a clean exit: {status:?}");
    let now = app.now_ms();
    let mut all = Vec::new();
    loop {
        let (page, total) = app
            .invoices(user, &Default::default(), all.len() as i64, 200)
            .await
            .unwrap();
        all.extend(page);
        if all.len() as i64 >= total {
            break;
        }
    }
    let waiting: Vec<_> = all
        .iter()
        .filter(|i| i.upload.state == store::UploadState::Pending)
        .collect();
    assert!(!waiting.is_empty(), "stopped before the end");
    for inv in &waiting {
        assert!(
            inv.upload.next_at_ms <= now,
            "{} still held by the stopped worker",
            inv.number
        );
    }
    // A new worker sends the rest at once — well inside the stopped one's lease.
    let _second = worker_with_lease(&db, &key_file, 120);
    let deadline = Instant::now() + Duration::from_secs(90);
    loop {
        let issued = app.invoices(user, &Default::default(), 0, 1).await.unwrap().1 as usize;
        if issued == due && count_upload(app, user, store::UploadState::Uploaded).await as usize == due {
            break;
        }
        assert!(Instant::now() < deadline, "the new worker did not send the rest");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_each_on_its_order_once(&shop, due).await;
    assert_gap_free(app, user, due).await;
}

/// A worker killed (SIGKILL) while sending invoices to Allegro — between "stored" and
/// "uploaded", some mid-request: after a restart every invoice is on its order exactly
/// once, and the numbers still have no gap.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigkill_while_uploading_sends_each_invoice_once() {
    let (db, shop, due) = shop_due_invoices(84, "sklep-wysylka", 400, 8).await;
    // A slow Allegro (40 ms a request), so the kill lands mid-upload.
    shop.emu
        .emulator
        .set_faults(allegro_emulator::Faults {
            latency_ms: 40,
            ..Default::default()
        })
        .unwrap();
    let key_file = testkit::key_file();
    let (app, user) = (&shop.app, &shop.user);
    let mut first = worker(&db, &key_file);
    let deadline = Instant::now() + Duration::from_secs(180);
    while count_upload(app, user, store::UploadState::Uploaded).await < 10 {
        assert!(Instant::now() < deadline, "the worker uploaded nothing");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    first.0.kill().unwrap(); // SIGKILL, mid-way
    first.0.wait().unwrap();
    let waiting = count_upload(app, user, store::UploadState::Pending).await;
    assert!(waiting > 0, "killed before the end");
    let _second = worker(&db, &key_file);
    loop {
        let issued = app.invoices(user, &Default::default(), 0, 1).await.unwrap().1 as usize;
        if issued == due && count_upload(app, user, store::UploadState::Pending).await == 0 {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the restarted worker did not send every invoice"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(
        count_upload(app, user, store::UploadState::Uploaded).await as usize,
        due
    );
    assert_each_on_its_order_once(&shop, due).await;
    assert_gap_free(app, user, due).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_workers_issue_a_thousand_invoices_without_gaps_and_send_each_to_ksef_once() {
    let db = testkit::postgres_url().await;
    let shop = testkit::Shop::new(&db, 81).await;
    let (seller, account) = shop.link_seller("sklep-faktury").await;
    let (app, user) = (&shop.app, &shop.user);
    let ksef = super::ksef::ksef_on(&shop).await;
    invoicing_on(&shop, &account).await;
    shop.paid_orders(&seller, 4_000, 3, 5);
    // Every order lands at once (the first sync reads the last 30 days).
    app.sync_account(&account).await.unwrap();
    let due = app
        .store()
        .orders_awaiting_invoice(100_000, i64::MAX)
        .await
        .unwrap()
        .len();
    assert!(due >= 1_000, "{due} orders due an invoice");
    let key_file = testkit::key_file();
    let _a = worker(&db, &key_file);
    let _b = worker(&db, &key_file);
    let deadline = Instant::now() + Duration::from_secs(240);
    while !app
        .store()
        .orders_awaiting_invoice(1, i64::MAX)
        .await
        .unwrap()
        .is_empty()
    {
        assert!(Instant::now() < deadline, "the workers did not issue every invoice");
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    assert_gap_free(app, user, due).await;
    // And every one reached KSeF once, with production limits on (in batch sessions).
    super::ksef::all_in_ksef(&shop, due, deadline).await;
    assert_eq!(
        ksef.emulator.accepted_count("5260250995"),
        due,
        "each invoice in KSeF exactly once"
    );
    // Two processes keep KSeF's limits each for itself (their windows are not shared), so
    // KSeF may answer a few 429s, which the client waits out (Retry-After); one process
    // alone never gets one (app test a_burst_goes_as_a_batch_session_within_the_limits).
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn invoices_export_writes_a_pdf_and_an_xml_per_invoice() {
    let db = testkit::sqlite_url();
    let shop = testkit::Shop::new(&db, 82).await;
    let (seller, account) = shop.link_seller("sklep-eksport").await;
    let (app, user) = (&shop.app, &shop.user);
    app.save_invoicing_profile(user, &testkit::invoicing_profile("Sklep Eksport"))
        .await
        .unwrap();
    shop.paid_orders(&seller, 20, 4, 3);
    app.sync_account(&account).await.unwrap();
    let mut numbers = Vec::new();
    for o in app
        .store()
        .account_orders(&account)
        .await
        .unwrap()
        .iter()
        .filter(|o| o.currency == "PLN")
        .take(3)
    {
        if let app::IssueOutcome::Issued(inv) = app.issue_invoice(user, &o.id).await.unwrap() {
            numbers.push(inv.number);
        }
    }
    assert_eq!(numbers.len(), 3);
    // The business invoices go to KSeF: their UPOs are exported beside them.
    let _ksef = testkit::ksef_for(app, user, true).await;
    // Consumer invoices were issued before sending them was chosen: only businesses' went.
    let mut accepted = 0;
    for _ in 0..40 {
        accepted += app.send_due_to_ksef(10).await.unwrap().accepted;
        let waiting = app.store().ksef_backlog(None).await.unwrap().waiting;
        if waiting == 0 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    // The Polish day, as invoices are dated (at 00:30 in Warsaw it is already tomorrow).
    let today = domain::time::polish_day_text(jiff::Timestamp::now().as_millisecond());
    let out = std::env::temp_dir().join(format!("ab-export-{}", uuid::Uuid::new_v4()));
    let run = Command::new(env!("CARGO_BIN_EXE_allegro-bridge"))
        .env("ALLEGRO_BRIDGE_ALLOW_CUSTOM_ALLEGRO_URLS", "true")
        .env("ALLEGRO_BRIDGE_ALLOW_PRIVATE_ALLEGRO_URLS", "true")
        .args([
            "invoices",
            "export",
            "--from",
            &today,
            "--to",
            &today,
            "--database",
            &db,
            "--key-file",
        ])
        .arg(testkit::key_file())
        .arg("--out")
        .arg(&out)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&run.stdout);
    assert!(
        run.status.success(),
        "{stdout} {}",
        String::from_utf8_lossy(&run.stderr)
    );
    assert!(
        stdout.contains(&format!(
            "3 invoices written to {} ({accepted} with KSeF's UPO)",
            out.display()
        )),
        "{stdout}"
    );
    let upos = std::fs::read_dir(&out)
        .unwrap()
        .filter(|e| e.as_ref().unwrap().file_name().to_string_lossy().ends_with(".upo.xml"))
        .count();
    assert_eq!(upos, accepted);
    assert!(accepted >= 1, "a business invoice among them");
    for n in &numbers {
        let xml = std::fs::read_to_string(out.join(format!("{}.xml", n.replace('/', "_")))).unwrap();
        assert!(xml.contains(&format!("<P_2>{n}</P_2>")));
        let pdf = std::fs::read(out.join(format!("{}.pdf", n.replace('/', "_")))).unwrap();
        assert!(pdf.starts_with(b"%PDF-"), "{n}.pdf is not a PDF");
    }
    let bad = Command::new(env!("CARGO_BIN_EXE_allegro-bridge"))
        .env("ALLEGRO_BRIDGE_ALLOW_CUSTOM_ALLEGRO_URLS", "true")
        .env("ALLEGRO_BRIDGE_ALLOW_PRIVATE_ALLEGRO_URLS", "true")
        .args([
            "invoices",
            "export",
            "--from",
            "2026-13-01",
            "--to",
            &today,
            "--database",
            &db,
            "--key-file",
        ])
        .arg(testkit::key_file())
        .output()
        .unwrap();
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stderr).contains("--from: \"2026-13-01\" is not a date"));
    std::fs::remove_dir_all(&out).ok();
}
