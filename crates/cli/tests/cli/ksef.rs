//! Invoices to KSeF with real worker processes: killed between sending and reading the
//! decision, and two workers on PostgreSQL — each invoice in KSeF exactly once, none
//! missing.

use std::time::{Duration, Instant};

use super::invoices::{invoicing_on, worker};

const NIP: &str = testkit::SELLER_NIP;

/// A KSeF emulator and the shop's settings pointing at it (consumer invoices too, so
/// every invoice goes).
pub(crate) async fn ksef_on(shop: &testkit::Shop) -> ksef_emulator::Handle {
    shop.app
        .save_invoicing_profile(&shop.user, &testkit::invoicing_profile("Sklep Faktury sp. z o.o."))
        .await
        .unwrap();
    testkit::ksef_for(&shop.app, &shop.user, true).await
}

/// How many of the organisation's invoices stand in `state` with KSeF.
async fn in_state(shop: &testkit::Shop, state: store::KsefState) -> i64 {
    let filter = store::InvoiceFilter {
        ksef: Some(store::KsefFilter::In(state)),
        ..Default::default()
    };
    shop.app.invoices(&shop.user, &filter, 0, 1).await.unwrap().1
}

/// Waits until every due order has its invoice and every invoice its KSeF number.
pub(crate) async fn all_in_ksef(shop: &testkit::Shop, due: usize, deadline: Instant) {
    loop {
        let issued = shop
            .app
            .invoices(&shop.user, &Default::default(), 0, 1)
            .await
            .unwrap()
            .1 as usize;
        let backlog = shop.app.store().ksef_backlog(None).await.unwrap();
        if backlog.rejected > 0 {
            let filter = store::InvoiceFilter {
                ksef: Some(store::KsefFilter::In(store::KsefState::Rejected)),
                ..Default::default()
            };
            let (refused, _) = shop.app.invoices(&shop.user, &filter, 0, 5).await.unwrap();
            let mut why = Vec::new();
            for r in refused {
                why.push(
                    shop.app
                        .invoice_in_ksef(&shop.user, &r.id)
                        .await
                        .unwrap()
                        .and_then(|k| k.problem),
                );
            }
            panic!("{} refused: {why:?}", backlog.rejected);
        }
        if issued == due && backlog.waiting == 0 {
            return;
        }
        if Instant::now() >= deadline {
            let mut states = Vec::new();
            for s in [
                store::KsefState::Waiting,
                store::KsefState::Sent,
                store::KsefState::Accepted,
            ] {
                states.push((s, in_state(shop, s).await));
            }
            panic!(
                "{issued} of {due} issued, {} not yet in KSeF: {states:?}",
                backlog.waiting
            );
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigkill_between_sending_and_the_decision_sends_each_invoice_once() {
    let db = testkit::sqlite_url();
    let shop = testkit::Shop::new(&db, 89).await;
    let (seller, account) = shop.link_seller("sklep-ksef-kill").await;
    let ksef = ksef_on(&shop).await;
    invoicing_on(&shop, &account).await;
    shop.paid_orders(&seller, 200, 19, 5);
    shop.app.sync_account(&account).await.unwrap();
    let due = shop
        .app
        .store()
        .orders_awaiting_invoice(100_000, i64::MAX)
        .await
        .unwrap()
        .len();
    assert!(due >= 50, "{due}");
    // KSeF decides slowly, so the kill lands while invoices are sent and undecided.
    ksef.emulator.set_faults(ksef_emulator::Faults {
        processing_delay_ms: 2_000,
        latency_ms: 10,
        ..Default::default()
    });
    let key_file = testkit::key_file();
    let mut first = worker(&db, &key_file);
    let deadline = Instant::now() + Duration::from_secs(180);
    while in_state(&shop, store::KsefState::Sent).await == 0 {
        assert!(Instant::now() < deadline, "the worker sent nothing");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    first.0.kill().unwrap(); // SIGKILL, with invoices sent and their decisions unread
    first.0.wait().unwrap();
    assert!(in_state(&shop, store::KsefState::Sent).await > 0);
    ksef.emulator.set_faults(ksef_emulator::Faults::default());
    let _second = worker(&db, &key_file);
    all_in_ksef(&shop, due, deadline).await;
    assert_eq!(in_state(&shop, store::KsefState::Accepted).await as usize, due);
    assert_eq!(
        ksef.emulator.accepted_count(NIP),
        due,
        "each invoice in KSeF exactly once"
    );
}
