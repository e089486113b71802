//! `bench ksef`: (1) invoices the KSeF emulator accepts per second with FA(3) validation
//! on and its limits off (it must never be what limits our own benchmarks); (2) the
//! client against production limits and network latency, in real time: how many
//! invoices it sends online per minute and per hour, and how many 429s KSeF gave.

use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Context as _;
use ksef_client::types::FormCode;
use ksef_client::{Environment, InvoiceOutcome, KsefClient, KsefToken, Login, RateLimits, SendOptions};
use ksef_emulator::{Faults, NewToken, Settings, fixtures};

/// The KSeF benchmark.
pub struct KsefBench {
    /// Invoices for the emulator's own throughput.
    pub count: usize,
    /// Real minutes of sending against production limits (0 skips part 2).
    pub minutes: u64,
    /// Latency the emulator adds to every call.
    pub latency_ms: u64,
}

const NIP: &str = "5265877635";

async fn login(handle: &ksef_emulator::Handle, limits: RateLimits) -> anyhow::Result<Login> {
    let (token, _) = handle
        .emulator
        .create_token(NewToken {
            nip: NIP.into(),
            permissions: vec!["InvoiceWrite".into(), "InvoiceRead".into()],
            description: None,
        })
        .map_err(anyhow::Error::msg)?;
    let client = KsefClient::builder(Environment::custom(&handle.api_url, None)?)
        .rate_limits(limits)
        .build()?;
    Ok(client
        .login_with_token(NIP, &KsefToken::parse(&token).map_err(anyhow::Error::msg)?)
        .await?)
}

async fn final_outcome(
    login: &Login,
    session: &ksef_client::ReferenceNumber,
    invoice: &ksef_client::ReferenceNumber,
) -> anyhow::Result<InvoiceOutcome> {
    loop {
        let state = login.invoice_status(session, invoice).await?;
        if state.outcome.is_final() {
            return Ok(state.outcome);
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

impl KsefBench {
    /// Runs and prints the figures.
    pub async fn run(&self) -> anyhow::Result<()> {
        self.emulator_throughput().await?;
        if self.minutes > 0 {
            self.production_limits().await?;
        }
        Ok(())
    }

    async fn emulator_throughput(&self) -> anyhow::Result<()> {
        let handle = ksef_emulator::spawn("127.0.0.1:0", Settings::default()).await?;
        handle.emulator.set_rate_limits(false);
        let login = Arc::new(login(&handle, RateLimits::unlimited()).await?);
        let session = Arc::new(login.open_online_session(FormCode::fa3()).await?);
        let today = fixtures::today(&handle.emulator);
        let invoices: Vec<Vec<u8>> = (0..self.count)
            .map(|i| fixtures::invoice(NIP, &format!("FV/BENCH/{i}"), &today))
            .collect();
        let started = Instant::now();
        let next = Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let invoices = Arc::new(invoices);
        let mut tasks = Vec::new();
        for _ in 0..16 {
            let (login, session, next, invoices) = (login.clone(), session.clone(), next.clone(), invoices.clone());
            tasks.push(tokio::spawn(async move {
                let mut accepted = 0usize;
                loop {
                    let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    let Some(xml) = invoices.get(i) else {
                        return Ok::<_, anyhow::Error>(accepted);
                    };
                    let r = login.send_invoice(&session, xml, &SendOptions::default()).await?;
                    if matches!(
                        final_outcome(&login, &session.reference, &r).await?,
                        InvoiceOutcome::Accepted { .. }
                    ) {
                        accepted += 1;
                    }
                }
            }));
        }
        let mut accepted = 0;
        for t in tasks {
            accepted += t.await.context("a sending task")??;
        }
        let secs = started.elapsed().as_secs_f64();
        println!(
            "emulator:  {accepted} of {} invoices accepted in {secs:.2} s = {:.0} invoices/s (decrypt + FA(3) XSD + KSeF checks + number; 16 at a time, status polled; limits off)",
            self.count,
            accepted as f64 / secs
        );
        Ok(())
    }

    async fn production_limits(&self) -> anyhow::Result<()> {
        let handle = ksef_emulator::spawn("127.0.0.1:0", Settings::default()).await?;
        handle.emulator.set_faults(Faults {
            latency_ms: self.latency_ms,
            ..Faults::default()
        });
        let login = login(&handle, RateLimits::default()).await?;
        let session = login.open_online_session(FormCode::fa3()).await?;
        let today = fixtures::today(&handle.emulator);
        let started = Instant::now();
        let deadline = started + Duration::from_secs(self.minutes * 60);
        let mut sent = 0usize;
        let mut marks = Vec::new();
        while Instant::now() < deadline {
            let xml = fixtures::invoice(NIP, &format!("FV/LIM/{sent}"), &today);
            let remaining = deadline.saturating_duration_since(Instant::now());
            match tokio::time::timeout(remaining, login.send_invoice(&session, &xml, &SendOptions::default())).await {
                Ok(r) => {
                    r?;
                    sent += 1;
                    marks.push(started.elapsed());
                }
                Err(_) => break,
            }
        }
        let within = |d: Duration| marks.iter().filter(|m| **m <= d).count();
        let stats = handle.emulator.stats();
        let refused = stats.by_status.get("429").copied().unwrap_or(0);
        println!(
            "client:    production limits (invoiceSend 10/s, 30/min, 180/h), {} ms latency, {} min real time:",
            self.latency_ms, self.minutes
        );
        for minutes in [1u64, 6, 30, 60, 61, self.minutes] {
            if minutes <= self.minutes {
                println!(
                    "           sent within {minutes:>3} min: {}",
                    within(Duration::from_secs(minutes * 60))
                );
            }
        }
        println!("           {sent} sent in all; KSeF answered 429 {refused} times");
        Ok(())
    }
}
