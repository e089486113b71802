//! Waybills from the command line: `shipments import` (a CSV of order id;carrier;waybill;
//! a bad file adds nothing and names each line), `shipments add`, and a `worker` process
//! that sends each to its Allegro order once; two worker processes issuing WZs on one
//! PostgreSQL with stock that adds up.

use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

fn run(args: &[&str], database: &str) -> Output {
    Command::new(env!("CARGO_BIN_EXE_allegro-bridge"))
        .env("ALLEGRO_BRIDGE_ALLOW_CUSTOM_ALLEGRO_URLS", "true")
        .env("ALLEGRO_BRIDGE_ALLOW_PRIVATE_ALLEGRO_URLS", "true")
        .args(args)
        .args(["--database", database, "--key-file"])
        .arg(testkit::key_file())
        .env("RUST_LOG", "warn")
        .output()
        .expect("running allegro-bridge")
}

struct Process(Child);

impl Drop for Process {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn waybills_from_a_file_and_the_command_line_reach_allegro_once() {
    let db = testkit::sqlite_url();
    let shop = testkit::Shop::new(&db, 91).await;
    let (seller, account) = shop.link_seller("sklep-listy").await;
    shop.paid_orders(&seller, 6, 9, 3);
    shop.app.sync_account(&account).await.unwrap();
    let orders: Vec<domain::OrderId> = shop
        .app
        .store()
        .account_orders(&account)
        .await
        .unwrap()
        .into_iter()
        .map(|o| o.id)
        .collect();
    let file = std::env::temp_dir().join(format!("ab-listy-{}.csv", uuid::Uuid::new_v4()));

    // Bad lines: every one named, nothing added.
    std::fs::write(
        &file,
        format!(
            "Numer zamówienia;Przewoźnik;Numer przesyłki\n{};INPOST;620000000000000000000001\nbrak-takiego;DPD;X1\n{};NO_SUCH;X2\n{};DPD;{}\n",
            orders[0],
            orders[1],
            orders[2],
            "9".repeat(65)
        ),
    )
    .unwrap();
    let bad = run(&["shipments", "import", file.to_str().unwrap()], &db);
    assert!(!bad.status.success());
    let err = String::from_utf8_lossy(&bad.stderr);
    for expected in [
        "wiersz 3, kolumna 1 (order id): w Twojej firmie nie ma zamówienia",
        "wiersz 4, kolumna 2 (carrier): Allegro nie zna przewoźnika",
        "wiersz 5, kolumna 3 (waybill): Numer przesyłki ma najwyżej 64 znaki",
    ] {
        assert!(err.contains(expected), "{expected:?} missing from:\n{err}");
    }
    for o in &orders {
        assert!(
            shop.app.order_shipments(&shop.user, o).await.unwrap().is_empty(),
            "nothing added"
        );
    }

    // A good file; sent again, it adds nothing more.
    std::fs::write(
        &file,
        format!(
            "{};INPOST;620000000000000000000001\n{};dpd;0000007268757Q\n",
            orders[0], orders[1]
        ),
    )
    .unwrap();
    let good = run(&["shipments", "import", file.to_str().unwrap()], &db);
    assert!(good.status.success(), "{}", String::from_utf8_lossy(&good.stderr));
    assert!(String::from_utf8_lossy(&good.stdout).contains("2 waybills added"));
    let again = run(&["shipments", "import", file.to_str().unwrap()], &db);
    assert!(
        String::from_utf8_lossy(&again.stdout).contains("0 waybills added"),
        "{again:?}"
    );
    let one = run(
        &[
            "shipments",
            "add",
            "--order",
            orders[2].as_str(),
            "--carrier",
            "OTHER",
            "--carrier-name",
            "Kurier Jan",
            "--waybill",
            "JAN-1",
        ],
        &db,
    );
    assert!(one.status.success(), "{}", String::from_utf8_lossy(&one.stderr));
    let bad = run(
        &[
            "shipments",
            "add",
            "--order",
            orders[3].as_str(),
            "--carrier",
            "OTHER",
            "--waybill",
            "JAN-2",
        ],
        &db,
    );
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stderr).contains("--carrier-name"));

    // The worker sends them, each once.
    let _worker = Process(
        Command::new(env!("CARGO_BIN_EXE_allegro-bridge"))
            .env("ALLEGRO_BRIDGE_ALLOW_CUSTOM_ALLEGRO_URLS", "true")
            .env("ALLEGRO_BRIDGE_ALLOW_PRIVATE_ALLEGRO_URLS", "true")
            .args(["worker", "--database", &db, "--key-file"])
            .arg(testkit::key_file())
            .env("RUST_LOG", "warn")
            .env("ALLEGRO_BRIDGE_NBP_URL", "off")
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("starting allegro-bridge worker"),
    );
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let mut pushed = 0;
        for o in &orders[..3] {
            pushed += shop
                .app
                .order_shipments(&shop.user, o)
                .await
                .unwrap()
                .iter()
                .filter(|s| s.push.state == domain::PushState::Pushed)
                .count();
        }
        if pushed == 3 {
            break;
        }
        assert!(Instant::now() < deadline, "{pushed} of 3 waybills pushed");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let on_allegro = |o: &domain::OrderId| {
        shop.emu
            .emulator
            .order_shipments(o.as_str())
            .into_iter()
            .map(|(c, w, _)| (c, w))
            .collect::<Vec<_>>()
    };
    assert_eq!(
        on_allegro(&orders[0]),
        [("INPOST".to_owned(), "620000000000000000000001".to_owned())]
    );
    assert_eq!(
        on_allegro(&orders[1]),
        [("DPD".to_owned(), "0000007268757Q".to_owned())]
    );
    assert_eq!(on_allegro(&orders[2]), [("OTHER".to_owned(), "JAN-1".to_owned())]);
    let _ = std::fs::remove_file(&file);
}

/// Two worker processes on one PostgreSQL, hundreds of orders at the WZ trigger: one WZ
/// per order, numbers 1…n, and every product's stock is what it was less what the WZs
/// took — equal to the sum of its movements.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_workers_issue_each_wz_once_and_stock_adds_up() {
    let db = testkit::postgres_url().await;
    let shop = testkit::Shop::new(&db, 92).await;
    let (seller, account) = shop.link_seller("sklep-magazyn").await;
    let (app, user) = (&shop.app, &shop.user);
    shop.paid_orders(&seller, 600, 12, 5);
    app.sync_account(&account).await.unwrap();
    app.sync_products(user).await.unwrap();
    let products = app.products(user).await.unwrap();
    for p in &products {
        app.adjust_stock(user, None, &p.id, 1_000, Some("PZ/1")).await.unwrap();
    }
    // The generator's orders are at every fulfilment stage; PROCESSING and on get a WZ.
    app.save_warehouse_settings(user, Some("PROCESSING"), None)
        .await
        .unwrap();
    let due = app.store().orders_awaiting_wz(100_000, i64::MAX).await.unwrap().len();
    assert!(due >= 100, "{due} orders due a WZ");
    let worker = || {
        Process(
            Command::new(env!("CARGO_BIN_EXE_allegro-bridge"))
                .env("ALLEGRO_BRIDGE_ALLOW_CUSTOM_ALLEGRO_URLS", "true")
                .env("ALLEGRO_BRIDGE_ALLOW_PRIVATE_ALLEGRO_URLS", "true")
                .args(["worker", "--database", &db, "--key-file"])
                .arg(testkit::key_file())
                .env("RUST_LOG", "warn")
                .env("ALLEGRO_BRIDGE_NBP_URL", "off")
                .stdout(Stdio::null())
                .stderr(Stdio::inherit())
                .spawn()
                .expect("starting allegro-bridge worker"),
        )
    };
    let (_a, _b) = (worker(), worker());
    let deadline = Instant::now() + Duration::from_secs(120);
    while !app.store().orders_awaiting_wz(1, i64::MAX).await.unwrap().is_empty() {
        assert!(Instant::now() < deadline, "the workers did not issue every WZ");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let documents = app.warehouse_documents(user).await.unwrap();
    assert_eq!(documents.len(), due);
    let mut numbers: Vec<u64> = documents
        .iter()
        .map(|d| d.number.split('/').nth(1).unwrap().parse().unwrap())
        .collect();
    numbers.sort_unstable();
    assert_eq!(
        numbers,
        (1..=due as u64).collect::<Vec<_>>(),
        "WZ/1… with no gap or repeat"
    );
    let mut taken: std::collections::HashMap<domain::ProductId, i64> = std::collections::HashMap::new();
    for d in &documents {
        for l in &d.lines {
            *taken.entry(l.product_id.clone()).or_default() += l.quantity;
        }
    }
    let movements = app
        .store()
        .stock_movements(&user.organisation_id, 1_000_000)
        .await
        .unwrap();
    for p in app.products(user).await.unwrap() {
        let now: i64 = p.stock.iter().map(|(_, q)| q).sum();
        assert_eq!(now, 1_000 - taken.get(&p.id).copied().unwrap_or(0), "{}", p.sku);
        let sum: i64 = movements.iter().filter(|m| m.product_id == p.id).map(|m| m.delta).sum();
        assert_eq!(now, sum, "{}: stock is the sum of its movements", p.sku);
    }
}
