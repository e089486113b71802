//! Orders with the real binary, as separate processes:
//! - `orders import` killed (SIGKILL) in the middle of a large import, run again: it
//!   resumes, and the result and counts equal an uninterrupted run's;
//! - `worker` killed in the middle of reading a long journal, restarted: every order
//!   Allegro has is stored, once, field for field;
//! - two workers on one PostgreSQL syncing the same accounts: every order stored once;
//! - `orders import-file`: a broken file is refused with file/line/column, nothing stored.

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use allegro_emulator::Faults;
use domain::AccountId;
use store::ImportState;

struct Process(Child);

impl Drop for Process {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn bin() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_allegro-bridge"));
    c.env("ALLEGRO_BRIDGE_ALLOW_CUSTOM_ALLEGRO_URLS", "true")
        .env("ALLEGRO_BRIDGE_ALLOW_PRIVATE_ALLEGRO_URLS", "true")
        .env("RUST_LOG", "warn")
        .env("ALLEGRO_BRIDGE_NBP_URL", "off");
    c
}

fn worker(database: &str, key_file: &PathBuf) -> Process {
    let child = bin()
        .args(["worker", "--database", database, "--key-file"])
        .arg(key_file)
        .args([
            "--worker-interval-seconds",
            "1",
            "--poll-busy-seconds",
            "1",
            "--poll-max-seconds",
            "2",
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("starting allegro-bridge worker");
    Process(child)
}

/// The shop, its linked accounts (login, seller id, account) and the key file the
/// processes share.
struct Setup {
    shop: testkit::Shop,
    accounts: Vec<(String, String, AccountId)>,
    key_file: PathBuf,
}

impl std::ops::Deref for Setup {
    type Target = testkit::Shop;
    fn deref(&self) -> &testkit::Shop {
        &self.shop
    }
}

async fn setup(database: &str, sellers: usize) -> Setup {
    let shop = testkit::Shop::new(database, 12).await;
    let mut accounts = Vec::new();
    for n in 0..sellers {
        let login = format!("sklep-{n}");
        let (seller, account) = shop.link_seller(&login).await;
        accounts.push((login, seller, account));
    }
    Setup {
        shop,
        accounts,
        key_file: testkit::key_file(),
    }
}

/// The Polish calendar day of an instant, as imports read their ranges.
fn day(ms: i64) -> String {
    domain::time::polish_day_text(ms)
}

async fn wait_until<F, Fut>(what: &str, seconds: u64, mut done: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let deadline = Instant::now() + Duration::from_secs(seconds);
    while !done().await {
        assert!(Instant::now() < deadline, "timed out waiting until {what}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigkill_during_a_large_import_then_the_same_result() {
    let db = testkit::sqlite_url();
    let s = setup(&db, 1).await;
    let (login, seller, account) = s.accounts[0].clone();
    let n = s.paid_orders(&seller, 6_000, 3, 10);
    // Slow pages, so the kill lands in the middle.
    s.emu
        .emulator
        .set_faults(Faults {
            latency_ms: 40,
            ..Faults::default()
        })
        .unwrap();
    let now = s.app.now_ms();
    let (from, to) = (day(now - 11 * 86_400_000), day(now));
    let import = |db: &str| {
        let mut c = bin();
        c.args([
            "orders",
            "import",
            "--account",
            &login,
            "--from",
            &from,
            "--to",
            &to,
            "--database",
            db,
            "--key-file",
        ])
        .arg(&s.key_file);
        c
    };
    let mut first = Process(import(&db).stdout(Stdio::null()).stderr(Stdio::null()).spawn().unwrap());
    let store = s.app.store().clone();
    let org = s.org.clone();
    wait_until("the import is a third done", 120, || {
        let (store, org) = (store.clone(), org.clone());
        async move {
            store
                .imports(&org, 1)
                .await
                .unwrap()
                .first()
                .is_some_and(|i| i.fetched >= 2_000)
        }
    })
    .await;
    first.0.kill().unwrap(); // SIGKILL
    first.0.wait().unwrap();
    let stopped = s.app.store().imports(&s.org, 1).await.unwrap().remove(0);
    assert_eq!(stopped.state, ImportState::Running);
    assert!(stopped.fetched < n as i64, "killed before the end: {stopped:?}");
    s.emu.emulator.set_faults(Faults::default()).unwrap();
    let out = import(&db).output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains(&format!("resuming import {}", stopped.id)), "{stdout}");
    assert!(
        stdout.contains(&format!("done: {n} orders read — {n} new, 0 updated, 0 unchanged")),
        "{stdout}"
    );
    let imports = s.app.store().imports(&s.org, 10).await.unwrap();
    assert_eq!(imports.len(), 1, "resumed, not started again");
    assert_eq!(imports[0].state, ImportState::Done);
    let stored = testkit::stored_orders(&s.app, &account).await;
    assert_eq!(stored, testkit::allegro_orders(&s.emu, &s.app, &s.org, &account).await);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigkill_during_continuous_sync_then_nothing_missing() {
    let db = testkit::sqlite_url();
    let s = setup(&db, 1).await;
    let (_, seller, account) = s.accounts[0].clone();
    // The first pass marks the journal's start (an empty account).
    let mut w = worker(&db, &s.key_file);
    let store = s.app.store().clone();
    let id = account.clone();
    wait_until("the first sync", 60, || {
        let (store, id) = (store.clone(), id.clone());
        async move { store.sync_cursor(&id).await.unwrap().is_some() }
    })
    .await;
    // 2 500 new orders reach the journal; each is fetched on its own, slowly.
    let n = s.paid_orders(&seller, 2_500, 8, 20);
    s.emu
        .emulator
        .set_faults(Faults {
            latency_ms: 5,
            duplicate_events: 0.1,
            ..Faults::default()
        })
        .unwrap();
    let app = s.app.clone();
    let id = account.clone();
    wait_until("the worker is in the middle of the journal", 120, || {
        let (app, id) = (app.clone(), id.clone());
        async move { app.store().account_orders(&id).await.unwrap().len() >= 800 }
    })
    .await;
    w.0.kill().unwrap(); // SIGKILL
    w.0.wait().unwrap();
    let held = s.app.store().account_orders(&account).await.unwrap().len();
    assert!(held < n, "killed before the end ({held} of {n})");
    s.emu.emulator.set_faults(Faults::default()).unwrap();
    let _w = worker(&db, &s.key_file);
    let app = s.app.clone();
    let id = account.clone();
    wait_until("every order is stored", 120, || {
        let (app, id) = (app.clone(), id.clone());
        async move { app.store().account_orders(&id).await.unwrap().len() >= n }
    })
    .await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    let stored = testkit::stored_orders(&s.app, &account).await;
    assert_eq!(stored, testkit::allegro_orders(&s.emu, &s.app, &s.org, &account).await);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_workers_on_one_postgres_store_every_order_once() {
    let db = testkit::postgres_url().await;
    let s = setup(&db, 6).await;
    let _a = worker(&db, &s.key_file);
    let _b = worker(&db, &s.key_file);
    let store = s.app.store().clone();
    let ids: Vec<AccountId> = s.accounts.iter().map(|a| a.2.clone()).collect();
    wait_until("every account's first sync", 60, || {
        let (store, ids) = (store.clone(), ids.clone());
        async move {
            for id in &ids {
                if store.sync_cursor(id).await.unwrap().is_none() {
                    return false;
                }
            }
            true
        }
    })
    .await;
    let mut total = 0;
    for (n, (_, seller, _)) in s.accounts.iter().enumerate() {
        total += s.paid_orders(seller, 150, n as u64, 5);
    }
    let app = s.app.clone();
    wait_until("both workers stored every order", 120, || {
        let (app, ids) = (app.clone(), ids.clone());
        async move {
            let mut held = 0;
            for id in &ids {
                held += app.store().account_orders(id).await.unwrap().len();
            }
            held >= total
        }
    })
    .await;
    for (_, _, account) in &s.accounts {
        let stored = testkit::stored_orders(&s.app, account).await;
        assert_eq!(stored, testkit::allegro_orders(&s.emu, &s.app, &s.org, account).await);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_broken_file_is_refused_where_it_breaks_and_a_good_one_is_counted() {
    let db = testkit::sqlite_url();
    let s = setup(&db, 1).await;
    let (login, _, account) = s.accounts[0].clone();
    let corpus = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").unwrap()).join("../order-files/tests/corpus");
    let run = |file: &str| {
        bin()
            .args(["orders", "import-file"])
            .arg(corpus.join(file))
            .args(["--account", &login, "--database", &db, "--key-file"])
            .arg(&s.key_file)
            .output()
            .unwrap()
    };
    let bad = run("broken-bad-date.csv");
    assert!(!bad.status.success());
    let err = String::from_utf8_lossy(&bad.stderr);
    assert!(
        err.contains("broken-bad-date.csv, wiersz 3, kolumna 2 (bought_at): „")
            && err.contains("nie jest datą z godziną"),
        "{err}"
    );
    assert!(
        s.app.store().account_orders(&account).await.unwrap().is_empty(),
        "nothing stored"
    );
    let good = run("good-excel-1250.csv");
    let out = String::from_utf8_lossy(&good.stdout);
    assert!(good.status.success(), "{out} {}", String::from_utf8_lossy(&good.stderr));
    assert!(out.contains("2 orders — 2 new, 0 updated, 0 unchanged"), "{out}");
    let again = run("good-excel-1250.csv");
    assert!(String::from_utf8_lossy(&again.stdout).contains("2 orders — 0 new, 0 updated, 2 unchanged"));
    assert_eq!(s.app.store().account_orders(&account).await.unwrap().len(), 2);
}
