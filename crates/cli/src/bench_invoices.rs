//! `allegro-bridge bench invoices`: FA(3) XML per second (computing VAT and writing the
//! XML, nothing else), XML + PDF per second on one thread and on every core, invoices
//! issued per second end to end (order read, VAT, gap-free number and storage in SQLite),
//! invoices sent to Allegro per second, and the time from an order's payment on the
//! emulator to its invoice being stored (and its PDF on the order) by the worker's steps.

use std::time::Instant;

use anyhow::anyhow;
use domain::{DeliveryVat, GoodsLine, Invoice, InvoicingProfile, Party, Payment, VatRate, compute};

use crate::bench::BenchWorld;

/// Options of `bench invoices`.
pub struct InvoiceBench {
    /// Invoices to issue.
    pub count: usize,
}

fn party(name: &str, nip: Option<&str>) -> Party {
    Party {
        name: name.into(),
        nip: nip.and_then(|n| n.parse().ok()),
        vat_eu: None,
        address_line1: "ul. Handlowa 1".into(),
        address_line2: "00-001 Warszawa".into(),
        country: "PL".into(),
    }
}

impl InvoiceBench {
    /// Runs and prints the figures.
    pub async fn run(&self) -> anyhow::Result<()> {
        // XML alone.
        let goods = [
            GoodsLine {
                name: "Kubek ceramiczny 300 ml".into(),
                quantity: 2,
                unit_gross: 3999,
                discount_gross: 0,
                rate: VatRate::Standard23,
            },
            GoodsLine {
                name: "Książka".into(),
                quantity: 1,
                unit_gross: 4990,
                discount_gross: 0,
                rate: VatRate::Reduced5,
            },
        ];
        let n = self.count.max(1);
        let started = Instant::now();
        let mut bytes = 0;
        for i in 0..n {
            let inv = bench_invoice(&goods, i);
            bytes += invoice_xml::fa3(&inv).map_err(|e| anyhow!(e))?.len();
        }
        let secs = started.elapsed().as_secs_f64();
        println!(
            "FA(3) XML alone:      {n} invoices in {secs:.2} s = {:.0}/s ({} bytes each)",
            n as f64 / secs,
            bytes / n
        );

        // XML + PDF, as the worker makes them for Allegro: one thread, then every core.
        let render = |i: usize| -> anyhow::Result<usize> {
            let inv = bench_invoice(&goods, i);
            let xml = invoice_xml::fa3(&inv).map_err(|e| anyhow!(e))?;
            Ok(invoice_pdf::render(
                &inv,
                &xml,
                invoice_pdf::KsefMarks::default(),
                invoice_pdf::Language::Polish,
            )?
            .len())
        };
        render(0)?; // the first one loads fonts and parses the template
        let pdfs = n.min(2_000);
        let started = Instant::now();
        let mut pdf_bytes = 0;
        for i in 0..pdfs {
            pdf_bytes += render(i)?;
        }
        let secs = started.elapsed().as_secs_f64();
        println!(
            "FA(3) XML + PDF:      {pdfs} invoices in {secs:.2} s = {:.0}/s on 1 thread ({} kB PDF each)",
            pdfs as f64 / secs,
            pdf_bytes / pdfs / 1024
        );
        let threads = std::thread::available_parallelism().map_or(2, |t| t.get());
        let started = Instant::now();
        std::thread::scope(|scope| -> anyhow::Result<()> {
            let workers: Vec<_> = (0..threads)
                // Other invoices than the one-thread pass rendered: typst memoises, and the
                // same invoice again would cost a fraction.
                .map(|t| {
                    scope.spawn(move || {
                        (pdfs + t..2 * pdfs)
                            .step_by(threads)
                            .try_for_each(|i| render(i).map(drop))
                    })
                })
                .collect();
            for w in workers {
                w.join().map_err(|_| anyhow!("a rendering thread panicked"))??;
            }
            Ok(())
        })?;
        let secs = started.elapsed().as_secs_f64();
        println!(
            "FA(3) XML + PDF:      {pdfs} invoices in {secs:.2} s = {:.0}/s on {threads} threads",
            pdfs as f64 / secs
        );

        // End to end through the app on SQLite.
        let world = BenchWorld::new("invoices", 6, allegro_emulator::Settings::default()).await?;
        let (seller, account) = world.link("bench-invoices").await?;
        let user = app::CurrentUser::for_organisation(world.org.clone());
        world
            .app
            .save_invoicing_profile(
                &user,
                &InvoicingProfile {
                    seller: party("Sklep Bench", Some("5260250995")),
                    bank_account: None,
                    place_of_issue: "Warszawa".into(),
                    payment_days: 14,
                    exemption_basis: None,
                    registers: domain::Registers::default(),
                    intra_eu_supply: false,
                    oss: false,
                },
            )
            .await
            .map_err(crate::runtime::app_error)?;
        world
            .emu
            .emulator
            .generate_orders(
                &seller,
                allegro_emulator::OrderPlan {
                    count: n + n / 3,
                    seed: 3,
                    days: 10,
                    pending_share: 0.0,
                    pay_within_seconds: 60,
                },
            )
            .map_err(|e| anyhow!(e))?;
        world
            .app
            .sync_account(&account)
            .await
            .map_err(crate::runtime::app_error)?;
        let orders: Vec<_> = world
            .app
            .store()
            .account_orders(&account)
            .await?
            .into_iter()
            .filter(|o| o.currency == "PLN" && o.status.is_ready_for_processing())
            .take(n)
            .collect();
        let started = Instant::now();
        for o in &orders {
            world
                .app
                .issue_invoice(&user, &o.id)
                .await
                .map_err(crate::runtime::app_error)?;
        }
        let secs = started.elapsed().as_secs_f64();
        println!(
            "issued end to end:    {} invoices in {secs:.2} s = {:.0}/s (order read, VAT, number, SQLite)",
            orders.len(),
            orders.len() as f64 / secs
        );
        let started = Instant::now();
        let mut sent = 0;
        loop {
            let r = world
                .app
                .upload_due_invoices(500)
                .await
                .map_err(crate::runtime::app_error)?;
            sent += r.delivered;
            if r.is_empty() {
                break;
            }
        }
        let secs = started.elapsed().as_secs_f64();
        println!(
            "sent to Allegro:      {sent} invoices in {secs:.2} s = {:.0}/s (PDF rendered, POST metadata + PUT file to the emulator)",
            sent as f64 / secs
        );

        // From payment on Allegro to the invoice stored: one journal read and one invoicing
        // pass, as the worker does them (add the polling interval for the wall-clock bound).
        let settings = domain::AccountSettings {
            enabled: true,
            ..Default::default()
        };
        world
            .app
            .save_settings(&user, &account, &settings)
            .await
            .map_err(crate::runtime::app_error)?;
        world
            .emu
            .emulator
            .generate_orders(
                &seller,
                allegro_emulator::OrderPlan {
                    count: 50,
                    seed: 99,
                    days: 1,
                    pending_share: 1.0,
                    pay_within_seconds: 1,
                },
            )
            .map_err(|e| anyhow!(e))?;
        world
            .app
            .sync_account(&account)
            .await
            .map_err(crate::runtime::app_error)?;
        world
            .app
            .issue_due_invoices(10_000)
            .await
            .map_err(crate::runtime::app_error)?;
        // Everything issued so far is on Allegro before the clock starts.
        while world
            .app
            .upload_due_invoices(1_000)
            .await
            .map_err(crate::runtime::app_error)?
            .delivered
            > 0
        {}
        world.emu.emulator.advance_clock(2); // they get paid
        let started = Instant::now();
        world
            .app
            .sync_account(&account)
            .await
            .map_err(crate::runtime::app_error)?;
        let issued = world
            .app
            .issue_due_invoices(10_000)
            .await
            .map_err(crate::runtime::app_error)?;
        let stored_ms = started.elapsed().as_secs_f64() * 1000.0;
        println!(
            "paid → invoice stored: {} invoices for orders paid at once in {:.0} ms (one journal read + one invoicing pass; the worker polls a busy account every 20 s, a quiet one within 90 s)",
            issued
                .iter()
                .filter(|(_, r)| matches!(r, Ok(app::IssueOutcome::Issued(_))))
                .count(),
            stored_ms
        );
        let uploaded = world
            .app
            .upload_due_invoices(10_000)
            .await
            .map_err(crate::runtime::app_error)?;
        println!(
            "paid → PDF on the order: {} invoices on their Allegro orders {:.0} ms after payment (+ one upload pass)",
            uploaded.delivered,
            started.elapsed().as_secs_f64() * 1000.0
        );
        Ok(())
    }
}

/// The benchmark's invoice number `i`: two rates and delivery, a consumer, paid on Allegro;
/// its own buyer, goods and amounts, as real invoices differ.
fn bench_invoice(goods: &[GoodsLine], i: usize) -> Invoice {
    let goods: Vec<GoodsLine> = goods
        .iter()
        .map(|g| GoodsLine {
            name: format!("{} (partia {i})", g.name),
            unit_gross: g.unit_gross + (i % 500) as i64,
            ..g.clone()
        })
        .collect();
    Invoice {
        number: format!("FV/{}/11/2026", i + 1),
        issue_date: "2026-11-23".into(),
        place_of_issue: Some("Warszawa".into()),
        sale_date: "2026-11-22".into(),
        seller: party("Sklep", Some("5260250995")),
        buyer: party(&format!("Jan Kowalski {i}"), None),
        currency: "PLN".into(),
        summary: compute(&goods, 1499, DeliveryVat::Fixed(VatRate::Standard23), "Koszt dostawy"),
        exchange: None,
        payment: Payment::Paid {
            date: "2026-11-22".into(),
            description: "Płatność online przez Allegro".into(),
        },
        order_id: format!("order-{i}"),
        order_date: "2026-11-22".into(),
        exemption_basis: None,
        correction_of: None,
        created_at: "2026-11-23T10:00:00Z".into(),
        seller_registers: domain::Registers::default(),
        split_payment: false,
        to_receipt: false,
    }
}
