//! `allegro-bridge bench emulator`: the emulator's throughput on loopback and its memory
//! with many orders loaded.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use allegro_emulator::{EmulatorConfig, NewApp, OrderPlan};
use anyhow::{Context as _, anyhow};

/// Options of the benchmark.
pub struct EmulatorBench {
    /// Orders loaded for the one seller.
    pub orders: usize,
    /// Seconds per measurement.
    pub seconds: u64,
    /// Concurrent connections.
    pub connections: usize,
}

/// This process's resident memory in MB.
pub fn rss_mb() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|v| v.parse::<f64>().ok())
        })
        .map_or(f64::NAN, |kb| kb / 1024.0)
}

impl EmulatorBench {
    /// Runs and prints the figures.
    pub async fn run(&self) -> anyhow::Result<()> {
        let before = rss_mb();
        let emu = allegro_emulator::spawn("127.0.0.1:0", EmulatorConfig { seed: 1 })
            .await
            .context("starting the emulator")?;
        let seller = emu.emulator.create_seller("bench", "bench").map_err(|e| anyhow!(e))?;
        let started = Instant::now();
        emu.emulator
            .generate_orders(
                &seller,
                OrderPlan {
                    count: self.orders,
                    seed: 1,
                    days: 300,
                    pending_share: 0.0,
                    pay_within_seconds: 60,
                },
            )
            .map_err(|e| anyhow!(e))?;
        let loaded = rss_mb();
        println!(
            "orders loaded:        {} in {:.1} s",
            self.orders,
            started.elapsed().as_secs_f64()
        );
        println!(
            "RSS before / after:   {before:.0} MB / {loaded:.0} MB (+{:.0} MB for the orders and their events)",
            loaded - before
        );
        let (client_id, _) = emu
            .emulator
            .register_app(NewApp {
                name: "Bench".into(),
                description: None,
                redirect_uris: vec!["http://localhost/cb".into()],
                app_type: None,
                scopes: None,
            })
            .map_err(|e| anyhow!(e))?;
        // No Client ID may be throttled in a benchmark of the emulator itself.
        emu.emulator.set_settings(allegro_emulator::Settings {
            requests_per_minute: u32::MAX,
            ..Default::default()
        });
        let http = reqwest::Client::builder()
            .pool_max_idle_per_host(self.connections)
            .build()?;
        let token: serde_json::Value = http
            .post(format!("{}/__emulator/tokens", emu.base_url))
            .json(&serde_json::json!({"client_id": client_id, "seller_id": seller}))
            .send()
            .await?
            .json()
            .await?;
        let token = token["access_token"].as_str().context("minting a token")?.to_owned();
        for (label, paged) in [("GET /me", false), ("GET /order/checkout-forms?limit=100", true)] {
            let done = Arc::new(AtomicU64::new(0));
            let bytes = Arc::new(AtomicU64::new(0));
            let deadline = Instant::now() + Duration::from_secs(self.seconds);
            let mut tasks = Vec::new();
            for worker in 0..self.connections {
                let (http, token, base, done, bytes) = (
                    http.clone(),
                    token.clone(),
                    emu.base_url.clone(),
                    done.clone(),
                    bytes.clone(),
                );
                tasks.push(tokio::spawn(async move {
                    let mut i = worker as u64;
                    while Instant::now() < deadline {
                        let url = if paged {
                            format!("{base}/order/checkout-forms?limit=100&offset={}", (i * 100) % 9900)
                        } else {
                            format!("{base}/me")
                        };
                        i += 7;
                        let r = http
                            .get(url)
                            .bearer_auth(&token)
                            .header("accept", "application/vnd.allegro.public.v1+json")
                            .send()
                            .await;
                        if let Ok(r) = r
                            && r.status().is_success()
                            && let Ok(b) = r.bytes().await
                        {
                            bytes.fetch_add(b.len() as u64, Ordering::Relaxed);
                            done.fetch_add(1, Ordering::Relaxed);
                        }
                    }
                }));
            }
            for t in tasks {
                t.await?;
            }
            let n = done.load(Ordering::Relaxed) as f64;
            let secs = self.seconds as f64;
            println!(
                "{label:<38} {:>8.0} req/s  ({:.0} KB per response, {} connections)",
                n / secs,
                bytes.load(Ordering::Relaxed) as f64 / n.max(1.0) / 1024.0,
                self.connections
            );
        }
        println!("RSS at the end:       {:.0} MB", rss_mb());
        Ok(())
    }
}

/// `allegro-bridge bench refresh`: memory of a server with many linked idle accounts, and
/// the time to refresh them all against the emulator.
pub struct RefreshBench {
    /// Accounts to link.
    pub accounts: usize,
}

/// `YYYY-MM-DD` of epoch milliseconds (UTC).
pub fn utc_day(ms: i64) -> String {
    domain::time::polish_day_text(ms)
}

/// A scratch world for benchmarks: the emulator, an app on a fresh SQLite file, an
/// organisation with an own-app connection registered in the emulator's portal.
pub struct BenchWorld {
    /// Scratch folder (removed on drop).
    pub dir: std::path::PathBuf,
    /// Database URL.
    pub db: String,
    /// Key file.
    pub key_file: std::path::PathBuf,
    /// The emulator.
    pub emu: allegro_emulator::EmulatorHandle,
    /// The app.
    pub app: app::App,
    /// The organisation.
    pub org: domain::OrganisationId,
    user: app::CurrentUser,
    conn: domain::ConnectionId,
}

impl Drop for BenchWorld {
    fn drop(&mut self) {
        std::fs::remove_dir_all(&self.dir).ok();
    }
}

impl BenchWorld {
    /// Sets the world up; `settings` tunes the emulator.
    pub async fn new(name: &str, seed: u64, settings: allegro_emulator::Settings) -> anyhow::Result<Self> {
        use app::{App, AppConfig, Cipher, RefreshPolicy};
        use secrecy::{ExposeSecret, SecretString};
        let dir = std::env::temp_dir().join(format!("ab-bench-{name}-{}", std::process::id()));
        std::fs::create_dir_all(&dir).context("creating a scratch folder")?;
        let db = format!("sqlite:{}", dir.join("bench.db").display());
        let key_file = dir.join("bench.key");
        let key = Cipher::generate_key_hex();
        std::fs::write(&key_file, format!("1:{key}\n")).context("writing the bench key")?;
        #[cfg(unix)]
        std::fs::set_permissions(&key_file, std::os::unix::fs::PermissionsExt::from_mode(0o600))
            .context("chmod 600 on the bench key")?;
        let emu = allegro_emulator::spawn("127.0.0.1:0", EmulatorConfig { seed })
            .await
            .context("starting the emulator")?;
        emu.emulator.set_settings(settings);
        let store: store::Store = std::sync::Arc::new(store_sqlite::SqliteStore::open(&db).await?);
        let cipher = Cipher::new(1, &[(1, SecretString::from(key))])?;
        let config = AppConfig {
            public_url: "http://bridge.bench".into(),
            service_app: None,
            session_ttl_ms: 3_600_000,
            refresh: RefreshPolicy::default(),
            custom_allegro_urls: app::CustomAllegroUrls::any(),
        };
        let app = App::new(store, cipher, std::sync::Arc::new(domain::SystemClock), config);
        let (org, _) = app
            .create_organisation("Bench", "bench@bench.pl", SecretString::from("bench-password-1"))
            .await
            .map_err(crate::runtime::app_error)?;
        let session = app
            .login("bench@bench.pl", SecretString::from("bench-password-1"))
            .await
            .map_err(crate::runtime::app_error)?;
        let user = app
            .user_for_session(session.cookie.expose_secret())
            .await
            .map_err(crate::runtime::app_error)?
            .context("session")?;
        let conn = app
            .create_connection(
                &org,
                domain::ConnectionMode::OwnApp,
                domain::Environment::Custom,
                Some((emu.base_url.clone(), emu.base_url.clone())),
            )
            .await
            .map_err(crate::runtime::app_error)?;
        let (cid, secret) = emu
            .emulator
            .register_app(NewApp {
                name: "Bench".into(),
                description: None,
                redirect_uris: vec![app.redirect_uri(&conn)],
                app_type: None,
                scopes: None,
            })
            .map_err(|e| anyhow!(e))?;
        app.set_credentials(&org, &conn.id, &cid, &SecretString::from(secret))
            .await
            .map_err(crate::runtime::app_error)?;
        Ok(Self {
            dir,
            db,
            key_file,
            emu,
            app,
            org,
            user,
            conn: conn.id,
        })
    }

    /// Creates a seller in the emulator and links it; returns (seller id, account).
    pub async fn link(&self, login: &str) -> anyhow::Result<(String, domain::AccountId)> {
        let seller = self.emu.emulator.create_seller(login, "x").map_err(|e| anyhow!(e))?;
        let url = self
            .app
            .start_link(&self.user, &self.conn, None)
            .await
            .map_err(crate::runtime::app_error)?;
        let back = self
            .emu
            .emulator
            .consent(url.as_str(), login, true)
            .map_err(|e| anyhow!(e))?;
        let q = |k: &str| {
            url::Url::parse(&back)
                .ok()
                .and_then(|u| u.query_pairs().find(|(n, _)| n == k).map(|(_, v)| v.into_owned()))
        };
        let outcome = self
            .app
            .complete_link(
                Some(&self.user),
                Some(&self.conn),
                q("state").as_deref(),
                q("code").as_deref(),
                None,
            )
            .await
            .map_err(crate::runtime::app_error)?;
        match outcome {
            app::LinkOutcome::Linked { account, .. } => Ok((seller, account)),
            other => Err(anyhow!("linking {login}: {other:?}")),
        }
    }
}

impl RefreshBench {
    /// Runs and prints the figures.
    pub async fn run(&self) -> anyhow::Result<()> {
        use app::RefreshOutcome;
        // 10-minute access tokens: every account is inside the 1-hour refresh margin.
        let world = BenchWorld::new(
            "refresh",
            5,
            allegro_emulator::Settings {
                access_token_ttl_seconds: 600,
                ..Default::default()
            },
        )
        .await?;
        let (app, emu, db, key_file) = (&world.app, &world.emu, &world.db, &world.key_file);
        let started = Instant::now();
        for n in 0..self.accounts {
            world.link(&format!("bench-{n}")).await?;
        }
        println!(
            "linked accounts:      {} in {:.1} s",
            self.accounts,
            started.elapsed().as_secs_f64()
        );

        // A real server process on this database, idle: its memory.
        let port = std::net::TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
        let mut server = std::process::Command::new(std::env::current_exe()?)
            .args([
                "serve",
                "--listen",
                &format!("127.0.0.1:{port}"),
                "--database",
                db,
                "--key-file",
            ])
            .arg(key_file)
            .args(["--no-worker"])
            .env("RUST_LOG", "warn")
            .stdout(std::process::Stdio::null())
            .spawn()
            .context("starting allegro-bridge serve")?;
        tokio::time::sleep(Duration::from_secs(2)).await;
        for _ in 0..20 {
            let _ = reqwest::get(format!("http://127.0.0.1:{port}/login")).await;
        }
        let status = std::fs::read_to_string(format!("/proc/{}/status", server.id())).unwrap_or_default();
        let rss = status
            .lines()
            .find(|l| l.starts_with("VmRSS:"))
            .unwrap_or("VmRSS: ? kB")
            .to_owned();
        server.kill().ok();
        server.wait().ok();
        println!(
            "serve, idle, {} accounts: {}",
            self.accounts,
            rss.trim_start_matches("VmRSS:").trim()
        );

        let started = Instant::now();
        let done = app
            .refresh_due_accounts(self.accounts as i64 + 10)
            .await
            .map_err(crate::runtime::app_error)?;
        let secs = started.elapsed().as_secs_f64();
        let refreshed = done.iter().filter(|(_, o)| *o == RefreshOutcome::Refreshed).count();
        println!(
            "refreshed:            {refreshed} of {} in {secs:.1} s ({:.0} per minute, one worker)",
            done.len(),
            refreshed as f64 / secs * 60.0
        );
        let stats: serde_json::Value = reqwest::get(format!("{}/__emulator/stats", emu.base_url))
            .await?
            .json()
            .await?;
        println!("token endpoint:       {}", stats["oauth_outcomes"]);
        Ok(())
    }
}
