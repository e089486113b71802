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

fn rss_mb() -> f64 {
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
