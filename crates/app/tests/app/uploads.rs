//! Invoices sent to their Allegro orders: each PDF reaches its order exactly once, through
//! random 429s and 5xx, across crashes between the two steps, and what Allegro refuses
//! waits for the seller's "Wyślij ponownie".

use std::sync::Arc;

use app::{App, CurrentUser, IssueOutcome};
use store::UploadState;

/// A shop on a test clock with `count` synced orders and an invoice for each paid PLN
/// order: (shop, clock, issued invoices as (order id, number, invoice id)).
async fn shop_with_invoices(
    seed: u64,
    count: usize,
) -> (
    testkit::Shop,
    Arc<testkit::TestClock>,
    Vec<(domain::OrderId, String, domain::InvoiceId)>,
) {
    let clock = testkit::TestClock::real_time();
    let shop = testkit::Shop::with_clock(&testkit::sqlite_url(), seed, clock.clone()).await;
    let (seller, account) = shop.link_seller(&format!("sklep-{seed}")).await;
    shop.paid_orders(&seller, count, seed, 5);
    shop.app.sync_account(&account).await.unwrap();
    shop.app
        .save_invoicing_profile(&shop.user, &testkit::invoicing_profile("Sklep Wysyłkowy sp. z o.o."))
        .await
        .unwrap();
    let mut issued = Vec::new();
    for o in shop.app.store().account_orders(&account).await.unwrap() {
        if o.currency != "PLN" || o.status != "READY_FOR_PROCESSING" {
            continue;
        }
        let IssueOutcome::Issued(inv) = shop.app.issue_invoice(&shop.user, &o.id).await.unwrap() else {
            panic!("a new invoice for {}", o.id)
        };
        assert_eq!(inv.upload.state, UploadState::Pending);
        issued.push((o.id.clone(), inv.number.clone(), inv.id.clone()));
    }
    assert!(issued.len() >= 3, "{} invoices", issued.len());
    (shop, clock, issued)
}

/// Passes of the uploader, both clocks (ours and the emulator's, whose antivirus scan takes
/// 5 s) moved past every backoff and lease between them, until no invoice is pending;
/// returns the passes it took.
async fn upload_all(shop: &testkit::Shop, clock: &testkit::TestClock) -> usize {
    let (app, user) = (&shop.app, &shop.user);
    for pass in 1..=40 {
        app.upload_due_invoices(500).await.unwrap();
        let (all, _) = app.invoices(user, &Default::default(), 0, 200).await.unwrap();
        if all.iter().all(|i| i.upload.state != UploadState::Pending) {
            return pass;
        }
        clock.advance_ms(3_600_000);
        shop.emu.emulator.advance_clock(3_600);
    }
    panic!("uploads still pending after 40 passes");
}

fn assert_once_each(shop: &testkit::Shop, issued: &[(domain::OrderId, String, domain::InvoiceId)]) {
    for (order, number, _) in issued {
        assert_eq!(
            shop.emu.emulator.order_invoices(order),
            vec![(Some(number.clone()), true)],
            "order {order}: exactly one invoice, with its file"
        );
    }
}

async fn upload_state(app: &App, user: &CurrentUser, id: &domain::InvoiceId) -> store::InvoiceUpload {
    app.invoice(user, id).await.unwrap().0.upload
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_invoice_reaches_its_order_once_through_429s_and_5xx() {
    let (shop, clock, issued) = shop_with_invoices(301, 40).await;
    shop.emu
        .emulator
        .set_faults(allegro_emulator::Faults {
            rate_429: 0.25,
            rate_5xx: 0.15,
            ..Default::default()
        })
        .unwrap();
    let requests_before = shop.emu.emulator.api_requests();
    upload_all(&shop, &clock).await;
    // Two requests an invoice without faults; the faults made it retry (in the client or
    // on a later pass).
    let requests = shop.emu.emulator.api_requests() - requests_before;
    assert!(
        requests > 2 * issued.len() as u64,
        "{requests} requests for {} invoices",
        issued.len()
    );
    assert_once_each(&shop, &issued);
    for (_, _, id) in &issued {
        let u = upload_state(&shop.app, &shop.user, id).await;
        assert_eq!(u.state, UploadState::Uploaded, "{u:?}");
        assert!(u.allegro_invoice_id.is_some() && u.uploaded_at_ms.is_some());
    }
    // Nothing is sent twice on later passes.
    shop.app.upload_due_invoices(500).await.unwrap();
    assert_once_each(&shop, &issued);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_crash_between_the_two_steps_still_uploads_once() {
    let (shop, clock, issued) = shop_with_invoices(302, 20).await;
    let (client_id, token) = shop
        .app
        .access_token(
            &shop.org,
            &shop
                .app
                .store()
                .invoice(&shop.org, &issued[0].2)
                .await
                .unwrap()
                .unwrap()
                .account_id,
        )
        .await
        .unwrap();
    let api = allegro_client::Allegro::builder(
        allegro_client::Environment::custom(&shop.emu.base_url, &shop.emu.base_url).unwrap(),
    )
    .build();
    let allegro = api.account(&client_id, &token);
    // 1. Metadata added, then the process died before keeping its id.
    let (order, number, _) = &issued[0];
    allegro
        .add_invoice(order.as_str(), "x.pdf", Some(number))
        .await
        .unwrap();
    // 2. Metadata and file both sent, then the process died before marking it uploaded.
    let (order2, number2, _) = &issued[1];
    let meta = allegro
        .add_invoice(order2.as_str(), "x.pdf", Some(number2))
        .await
        .unwrap();
    allegro
        .upload_invoice_file(
            order2.as_str(),
            meta.id.as_deref().unwrap(),
            b"%PDF-1.7 earlier attempt".to_vec(),
        )
        .await
        .unwrap();
    // 3. A worker claimed one and died holding it: nobody sends it until its lease ends.
    let now = shop.app.now_ms();
    let held = shop.app.store().claim_due_uploads(now, now + 120_000, 1).await.unwrap();
    assert_eq!(held.len(), 1);
    // (It may be one of the two above: then Allegro holds what the "crash" left there.)
    let before = shop.emu.emulator.order_invoices(held[0].order_id.as_str());
    shop.app.upload_due_invoices(500).await.unwrap();
    assert_eq!(
        upload_state(&shop.app, &shop.user, &held[0].id).await.state,
        UploadState::Pending,
        "held by the dead worker's lease"
    );
    assert_eq!(
        shop.emu.emulator.order_invoices(held[0].order_id.as_str()),
        before,
        "nothing sent for the held invoice"
    );
    upload_all(&shop, &clock).await;
    assert_once_each(&shop, &issued);
    let second = upload_state(&shop.app, &shop.user, &issued[1].2).await;
    assert_eq!(second.state, UploadState::Uploaded);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_invoice_waits_for_wyslij_ponownie() {
    let (shop, clock, issued) = shop_with_invoices(303, 12).await;
    let (order, number, id) = &issued[0];
    // Cancelled before the invoice went out: Allegro takes no invoice for it.
    shop.emu
        .emulator
        .move_order(order, Some(allegro_api_types::CheckoutFormStatus::Cancelled), None)
        .unwrap();
    upload_all(&shop, &clock).await;
    let refused = upload_state(&shop.app, &shop.user, id).await;
    assert_eq!(refused.state, UploadState::Refused);
    let why = app::Problem::from_stored(refused.error.as_deref().unwrap()).expect("a problem worded when shown");
    assert_eq!(why.key, "problem-invoice-refused-invalid", "{refused:?}");
    assert!(why.args.iter().any(|(k, v)| k == "status" && v == "422"), "{why:?}");
    assert!(shop.emu.emulator.order_invoices(order).is_empty());
    assert_once_each(&shop, &issued[1..]);
    // An uploaded invoice cannot be sent again.
    let again = shop.app.resend_invoice(&shop.user, &issued[1].2).await.unwrap_err();
    assert!(
        again.to_string().contains("problem-invoice-already-on-allegro"),
        "{again}"
    );
    // The order is paid again (e.g. the cancellation was a mistake): "Wyślij ponownie".
    shop.emu
        .emulator
        .move_order(
            order,
            Some(allegro_api_types::CheckoutFormStatus::ReadyForProcessing),
            None,
        )
        .unwrap();
    shop.app.resend_invoice(&shop.user, id).await.unwrap();
    assert_eq!(
        upload_state(&shop.app, &shop.user, id).await.state,
        UploadState::Pending
    );
    upload_all(&shop, &clock).await;
    assert_eq!(
        shop.emu.emulator.order_invoices(order),
        vec![(Some(number.clone()), true)]
    );
    // Another organisation cannot touch it.
    let (_, stranger) = testkit::owner(&shop.app, "Inny", "ktos@inny.pl").await;
    assert!(matches!(
        shop.app.resend_invoice(&stranger, id).await,
        Err(app::AppError::NotFound)
    ));
}

/// Shutdown in the middle of a pass (SIGTERM): sends in flight finish, the invoices
/// claimed but not started are given back at once — due now for any worker, with no
/// attempt counted — instead of waiting out the two-minute lease.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stopping_worker_gives_back_what_it_has_not_sent() {
    let (shop, _clock, issued) = shop_with_invoices(307, 40).await;
    assert!(issued.len() > 4, "more invoices than are sent at once");
    // A slow Allegro: 300 ms a request, so the stop lands mid-pass.
    shop.emu
        .emulator
        .set_faults(allegro_emulator::Faults {
            latency_ms: 300,
            ..Default::default()
        })
        .unwrap();
    let pass = {
        let app = shop.app.clone();
        tokio::spawn(async move { app.upload_due_invoices(500).await })
    };
    let (app, user) = (&shop.app, &shop.user);
    let claimed = || async {
        let (all, _) = app.invoices(user, &Default::default(), 0, 200).await.unwrap();
        all.iter()
            .filter(|i| i.upload.next_at_ms > app.now_ms() + 60_000)
            .count()
    };
    while claimed().await == 0 {
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    app.shutdown();
    let stopped_at = std::time::Instant::now();
    let report = pass.await.unwrap().unwrap();
    assert!(
        stopped_at.elapsed() < std::time::Duration::from_secs(60),
        "returned long before the 120 s lease"
    );
    assert!(report.released > 0, "{report:?}");
    assert_eq!(
        report.delivered + report.retried + report.released,
        issued.len(),
        "{report:?}"
    );
    let now = app.now_ms();
    let (all, _) = app.invoices(user, &Default::default(), 0, 200).await.unwrap();
    let waiting: Vec<_> = all.iter().filter(|i| i.upload.state == UploadState::Pending).collect();
    assert_eq!(waiting.len(), report.retried + report.released);
    for inv in &waiting {
        assert!(inv.upload.next_at_ms <= now, "{} still held", inv.number);
    }
    assert_eq!(
        waiting.iter().filter(|i| i.upload.attempts == 0).count(),
        report.released,
        "a release is no attempt"
    );
    // Nothing new is claimed once stopping…
    assert_eq!(
        app.upload_due_invoices(500).await.unwrap(),
        app::OutboxReport::default()
    );
    // …and another worker takes every waiting invoice at once.
    let taken = app.store().claim_due_uploads(now, now + 120_000, 500).await.unwrap();
    assert_eq!(taken.len(), waiting.len());
    for (order, number, _) in &issued {
        let on_allegro = shop.emu.emulator.order_invoices(order);
        assert!(on_allegro.len() <= 1, "{order}: {on_allegro:?}");
        if all
            .iter()
            .any(|i| &i.number == number && i.upload.state == UploadState::Uploaded)
        {
            assert_eq!(on_allegro, vec![(Some(number.clone()), true)]);
        }
    }
}
