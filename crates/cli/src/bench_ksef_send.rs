//! `bench ksef-send`: invoices through the product to KSeF with production limits and
//! network latency: (1) one paid order at a time → its KSeF number (online session), p50
//! and p95; (2) `count` invoices issued at once → all with KSeF numbers (batch sessions),
//! how long, and how many 429s KSeF gave. Both in rounds as the worker runs them
//! (`app::KSEF_ROUND` claimed, `app::KSEF_PAUSE` between rounds).

use std::time::{Duration, Instant};

use anyhow::anyhow;
use secrecy::SecretString;

use crate::bench::BenchWorld;
use crate::runtime::app_error;

/// The benchmark.
pub struct KsefSendBench {
    /// Invoices issued at once.
    pub count: usize,
    /// Latency KSeF's emulator adds to every call.
    pub latency_ms: u64,
}

const NIP: &str = "5260250995";

fn percentile(sorted: &[f64], p: f64) -> f64 {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted.get(i).copied().unwrap_or(0.0)
}

impl KsefSendBench {
    /// Runs and prints the figures.
    pub async fn run(&self) -> anyhow::Result<()> {
        let world = BenchWorld::new("ksef-send", 7, allegro_emulator::Settings::default()).await?;
        let (seller, account) = world.link("bench-ksef").await?;
        let user = app::CurrentUser::for_organisation(world.org.clone());
        let app = &world.app;
        // Production limits (the emulator's default) and a network between.
        let ksef = ksef_emulator::spawn("127.0.0.1:0", ksef_emulator::Settings::default()).await?;
        ksef.emulator.set_faults(ksef_emulator::Faults {
            latency_ms: self.latency_ms,
            ..Default::default()
        });
        let (token, _) = ksef
            .emulator
            .create_token(ksef_emulator::NewToken {
                nip: NIP.into(),
                permissions: vec!["InvoiceWrite".into()],
                description: None,
            })
            .map_err(|e| anyhow!(e))?;
        let mut profile = testkit_profile();
        profile.seller.nip = Some(NIP.parse().map_err(|e| anyhow!("{e}"))?);
        app.save_invoicing_profile(&user, &profile).await.map_err(app_error)?;
        app.save_ksef_settings(
            &user,
            app::KsefSettingsInput {
                environment: app::KsefEnvironment::Custom(ksef.api_url.clone()),
                token: Some(SecretString::from(token)),
                send_consumer: true,
                send_from: Some("2026-01-01".into()),
                offline24: false,
                failure_announced: false,
            },
        )
        .await
        .map_err(app_error)?;
        let n = self.count.max(1);
        world
            .emu
            .emulator
            .generate_orders(
                &seller,
                allegro_emulator::OrderPlan {
                    count: (n + 20) * 4 / 3,
                    seed: 11,
                    days: 10,
                    pending_share: 0.0,
                    pay_within_seconds: 60,
                },
            )
            .map_err(|e| anyhow!(e))?;
        app.sync_account(&account).await.map_err(app_error)?;
        let orders: Vec<_> = app
            .store()
            .account_orders(&account)
            .await?
            .into_iter()
            .filter(|o| o.currency == "PLN" && o.status.is_ready_for_processing())
            .take(n + 20)
            .collect();
        anyhow::ensure!(orders.len() == n + 20, "only {} PLN orders generated", orders.len());

        // (1) One at a time: issued, then rounds of the sender until it has its number.
        let mut one = Vec::new();
        for o in &orders[..20] {
            let started = Instant::now();
            let app::IssueOutcome::Issued(r) = app.issue_invoice(&user, &o.id).await.map_err(app_error)? else {
                continue;
            };
            loop {
                app.send_due_to_ksef(app::KSEF_ROUND).await.map_err(app_error)?;
                let k = app.invoice_in_ksef(&user, &r.id).await.map_err(app_error)?;
                if k.is_some_and(|k| k.number.is_some()) {
                    break;
                }
                anyhow::ensure!(
                    started.elapsed() < Duration::from_secs(600),
                    "no KSeF number in 10 minutes"
                );
                tokio::time::sleep(app::KSEF_PAUSE).await;
            }
            one.push(started.elapsed().as_secs_f64());
        }
        one.sort_by(f64::total_cmp);
        println!(
            "issued → KSeF number, one at a time (online session, {} ms latency): p50 {:.2} s, p95 {:.2} s over {} invoices (add the sync interval for paid → number)",
            self.latency_ms,
            percentile(&one, 0.5),
            percentile(&one, 0.95),
            one.len()
        );

        // (2) A burst: every invoice issued, then the sender until all have numbers.
        for o in &orders[20..] {
            app.issue_invoice(&user, &o.id).await.map_err(app_error)?;
        }
        let before_429 = ksef.emulator.stats().by_status.get("429").copied().unwrap_or(0);
        let started = Instant::now();
        loop {
            app.send_due_to_ksef(app::KSEF_ROUND).await.map_err(app_error)?;
            let backlog = app.store().ksef_backlog(None).await?;
            anyhow::ensure!(backlog.rejected == 0, "KSeF refused {} invoices", backlog.rejected);
            if backlog.waiting == 0 {
                break;
            }
            anyhow::ensure!(
                started.elapsed() < Duration::from_secs(3_600),
                "not all in KSeF within an hour"
            );
            tokio::time::sleep(app::KSEF_PAUSE).await;
        }
        let secs = started.elapsed().as_secs_f64();
        let throttled = ksef.emulator.stats().by_status.get("429").copied().unwrap_or(0) - before_429;
        println!(
            "{n} invoices issued at once → all with KSeF numbers in {secs:.1} s ({:.0}/s; batch sessions, production limits, {} ms latency; 429 answers: {throttled}); online alone at 180/h would take {:.1} h",
            n as f64 / secs,
            self.latency_ms,
            n as f64 / 180.0
        );
        anyhow::ensure!(
            ksef.emulator.accepted_count(NIP) == n + one.len(),
            "each invoice in KSeF once"
        );
        Ok(())
    }
}

fn testkit_profile() -> domain::InvoicingProfile {
    domain::InvoicingProfile {
        seller: domain::Party {
            name: "Sklep Bench".into(),
            nip: None,
            vat_eu: None,
            address_line1: "ul. Handlowa 1".into(),
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
    }
}
