//! The real `allegro-bridge worker` binary, as separate processes:
//! - killed (SIGKILL) in the middle of a refresh while the token endpoint is slow: after a
//!   restart the account still works (the rotated-but-unseen pair is recovered through
//!   Allegro's 60 s grace, never lost);
//! - two workers on one PostgreSQL refreshing 50 accounts with short-lived tokens, many
//!   cycles: no `invalid_grant`, every account still works.

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use allegro_emulator::{EmulatorConfig, EmulatorHandle, Faults, Settings};
use app::{App, CurrentUser, LinkOutcome};
use domain::AccountStatus;

struct Worker(Child);

impl Drop for Worker {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn worker(database: &str, key_file: &PathBuf) -> Worker {
    let child = Command::new(env!("CARGO_BIN_EXE_allegro-bridge"))
        .env("ALLEGRO_BRIDGE_ALLOW_CUSTOM_ALLEGRO_URLS", "true")
        .env("ALLEGRO_BRIDGE_ALLOW_PRIVATE_ALLEGRO_URLS", "true")
        .args(["worker", "--database", database, "--key-file"])
        .arg(key_file)
        .args(["--worker-interval-seconds", "1", "--refresh-lease-seconds", "3"])
        .env("RUST_LOG", "warn")
        .env("ALLEGRO_BRIDGE_NBP_URL", "off")
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("starting allegro-bridge worker");
    Worker(child)
}

struct Setup {
    emu: EmulatorHandle,
    app: App,
    user: CurrentUser,
    key_file: PathBuf,
}

async fn setup(database: &str, sellers: usize) -> Setup {
    let emu = allegro_emulator::spawn("127.0.0.1:0", EmulatorConfig { seed: 77 })
        .await
        .unwrap();
    // Access tokens of 10 minutes: always inside the worker's 1-hour refresh margin.
    emu.emulator.set_settings(Settings {
        access_token_ttl_seconds: 600,
        ..Settings::default()
    });
    let app = testkit::app(
        testkit::open_store(database).await,
        Arc::new(domain::SystemClock),
        "http://bridge.test",
        None,
    );
    let (org, user) = testkit::owner(&app, "Sklep", "anna@sklep.pl").await;
    let conn = testkit::own_app_connection(&app, &org, &emu, None).await;
    for n in 0..sellers {
        let login = format!("sklep-{n}");
        emu.emulator.create_seller(&login, "x").unwrap();
        let outcome = testkit::link(&app, &user, &conn, &emu, &login, None).await;
        assert!(matches!(outcome, LinkOutcome::Linked { .. }), "{outcome:?}");
    }
    Setup {
        emu,
        app,
        user,
        key_file: testkit::key_file(),
    }
}

async fn stats(emu: &EmulatorHandle) -> serde_json::Value {
    reqwest::get(format!("{}/__emulator/stats", emu.base_url))
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

async fn token_calls(emu: &EmulatorHandle) -> u64 {
    stats(emu).await["by_endpoint"]["POST /auth/oauth/token"]
        .as_u64()
        .unwrap_or(0)
}

/// Every account is active and its stored refresh token still refreshes (a worker killed
/// mid-refresh may leave an access token Allegro already replaced, never a dead refresh
/// token), and the new access token works.
async fn assert_every_account_works(s: &Setup) {
    let api = allegro_client::Allegro::builder(
        allegro_client::Environment::custom(&s.emu.base_url, &s.emu.base_url).unwrap(),
    )
    .build();
    for account in s.app.accounts(&s.user).await.unwrap() {
        assert_eq!(
            account.status,
            AccountStatus::Active,
            "{} {:?}",
            account.login,
            account.status_reason
        );
        assert_eq!(
            s.app.refresh_account(&account.id).await.unwrap(),
            app::RefreshOutcome::Refreshed,
            "{}",
            account.login
        );
        let (client_id, token) = s.app.access_token(&s.user.organisation_id, &account.id).await.unwrap();
        let me = api.account(&client_id, &token).me().await.unwrap();
        assert_eq!(me.login.as_deref(), Some(account.login.as_str()));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigkill_in_the_middle_of_a_refresh_loses_nothing() {
    let db = testkit::sqlite_url();
    let s = setup(&db, 1).await;
    let account = s.app.accounts(&s.user).await.unwrap().remove(0);
    let before = account.last_refresh_at_ms.unwrap();
    let calls = token_calls(&s.emu).await;
    // The emulator rotates the pair, then takes 4 s to answer.
    s.emu
        .emulator
        .set_faults(Faults {
            token_latency_ms: 4_000,
            ..Faults::default()
        })
        .unwrap();
    let mut first = worker(&db, &s.key_file);
    let deadline = Instant::now() + Duration::from_secs(30);
    while token_calls(&s.emu).await == calls {
        assert!(Instant::now() < deadline, "the worker never called the token endpoint");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    // Allegro has rotated the refresh token; the answer is still on its way.
    first.0.kill().unwrap();
    first.0.wait().unwrap();
    let stored = s.app.accounts(&s.user).await.unwrap().remove(0);
    assert_eq!(
        stored.last_refresh_at_ms,
        Some(before),
        "the killed worker stored nothing"
    );
    s.emu.emulator.set_faults(Faults::default()).unwrap();
    let _second = worker(&db, &s.key_file);
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let a = s.app.accounts(&s.user).await.unwrap().remove(0);
        if a.last_refresh_at_ms.unwrap() > before {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the restarted worker did not refresh (status {:?})",
            a.status
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    assert_every_account_works(&s).await;
    let outcomes = &stats(&s.emu).await["oauth_outcomes"];
    assert!(outcomes.get("invalid_grant").is_none(), "{outcomes}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_workers_on_one_postgres_never_burn_a_refresh_token() {
    let db = testkit::postgres_url().await;
    let s = setup(&db, 50).await;
    let calls = token_calls(&s.emu).await;
    // A slow token endpoint makes the two workers overlap on the same accounts, and with
    // no grace period any refresh token used twice is an invalid_grant.
    s.emu
        .emulator
        .set_faults(Faults {
            token_latency_ms: 100,
            ..Faults::default()
        })
        .unwrap();
    s.emu.emulator.set_settings(Settings {
        access_token_ttl_seconds: 600,
        refresh_grace_seconds: 0,
        ..Settings::default()
    });
    let a = worker(&db, &s.key_file);
    let b = worker(&db, &s.key_file);
    // Every account is due on every cycle: wait for several rounds of 50 refreshes, and
    // stop at the first refresh token used twice.
    let deadline = Instant::now() + Duration::from_secs(40);
    loop {
        let st = stats(&s.emu).await;
        assert!(
            st["oauth_outcomes"].get("invalid_grant").is_none(),
            "a worker used a refresh token another one had rotated: {}",
            st["oauth_outcomes"]
        );
        let done = st["by_endpoint"]["POST /auth/oauth/token"].as_u64().unwrap_or(0) - calls;
        if done >= 150 {
            break;
        }
        assert!(Instant::now() < deadline, "workers refreshed too little: {done}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    drop(a);
    drop(b);
    // Killing them may leave a rotated pair unseen (Allegro's real grace covers that) and
    // a lease held until it expires (3 s).
    tokio::time::sleep(Duration::from_secs(4)).await;
    s.emu.emulator.set_settings(Settings {
        access_token_ttl_seconds: 600,
        ..Settings::default()
    });
    let outcomes = &stats(&s.emu).await["oauth_outcomes"];
    eprintln!("OUTCOMES {outcomes}");
    assert!(
        outcomes.get("invalid_grant").is_none(),
        "a worker used a refresh token another one had rotated: {outcomes}"
    );
    assert!(outcomes["ok"].as_u64().unwrap() >= 200);
    assert_every_account_works(&s).await;
}
