//! `bench upload`: the peak memory of importing a big CSV file, and whether another
//! organisation's writes go through while it is stored (they must never wait long).

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use anyhow::anyhow;

use crate::bench::BenchWorld;
use crate::bench_orders::synthetic_csv;

/// Options of `bench upload`.
pub struct UploadBench {
    /// Size of the file, in MB.
    pub megabytes: usize,
}

/// The process's peak resident memory (VmHWM), in MB.
fn peak_mb() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|v| v.parse::<f64>().ok())
        })
        .map_or(f64::NAN, |kb| kb / 1024.0)
}

impl UploadBench {
    /// Runs and prints the figures.
    pub async fn run(&self) -> anyhow::Result<()> {
        let world = BenchWorld::new("upload", 5, allegro_emulator::Settings::default()).await?;
        let (_, account) = world.link("bench-upload").await?;
        // ~100 bytes a row in the synthetic layout.
        let rows = self.megabytes * 1_000_000 / 100;
        let csv = bytes::Bytes::from(synthetic_csv(rows).into_bytes());
        let (other, _) = world
            .app
            .create_organisation(
                "Inna firma",
                "inna@bench.pl",
                secrecy::SecretString::from("inna-firma-haslo"),
            )
            .await
            .map_err(crate::runtime::app_error)?;
        // Peak memory from here on (Linux: 5 resets VmHWM to the current RSS).
        let _ = std::fs::write("/proc/self/clear_refs", "5");
        let before = crate::bench::rss_mb();
        // Another organisation writes every 50 ms while the file is stored.
        let stop = Arc::new(AtomicBool::new(false));
        let writer = {
            let (app, stop) = (world.app.clone(), stop.clone());
            tokio::spawn(async move {
                let (mut writes, mut failed, mut slowest) = (0u32, 0u32, Duration::ZERO);
                while !stop.load(Ordering::Relaxed) {
                    let started = Instant::now();
                    match app.create_api_key(&other, "w").await {
                        Ok(_) => writes += 1,
                        Err(_) => failed += 1,
                    }
                    slowest = slowest.max(started.elapsed());
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
                (writes, failed, slowest)
            })
        };
        let user = app::CurrentUser::for_organisation(world.org.clone());
        let started = Instant::now();
        let size = csv.len();
        let import = world
            .app
            .import_file(&user, &account, "duzy.csv", csv, None, app::order_files::Encoding::Auto)
            .await
            .map_err(|e| anyhow!("{e}"))?;
        let secs = started.elapsed().as_secs_f64();
        stop.store(true, Ordering::Relaxed);
        let (writes, failed, slowest) = writer.await?;
        println!(
            "file import:          {:.1} MB, {} orders in {secs:.1} s = {:.0} orders/s ({} new)",
            size as f64 / 1e6,
            import.fetched,
            import.fetched as f64 / secs,
            import.counts.new
        );
        println!(
            "memory (MB):          {before:.0} before, {:.0} at the peak while reading and storing (the file itself included)",
            peak_mb()
        );
        println!(
            "another organisation: {writes} writes during the import, {failed} failed, slowest {} ms",
            slowest.as_millis()
        );
        Ok(())
    }
}
