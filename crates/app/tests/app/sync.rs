//! Order sync against the emulator with Allegro's journal quirks on: after the journal pass
//! and reconciliation, the orders we hold equal the orders Allegro holds — none missing,
//! none twice, field for field.

use allegro_emulator::{Faults, OrderPlan};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn journal_quirks_and_5xx_lose_nothing_after_reconciliation() {
    let shop = testkit::Shop::new(&testkit::sqlite_url(), 31).await;
    let (seller, account) = shop.link_seller("sklep-sync").await;
    let (app, emu, org) = (&shop.app, &shop.emu, &shop.org);
    // The first sync of an empty account marks its journal's start.
    let empty = app.sync_account(&account).await.unwrap();
    assert_eq!(empty.counts, store::UpsertCounts::default());
    emu.emulator
        .set_faults(Faults {
            skip_ready_for_processing: 0.3,
            duplicate_events: 0.2,
            out_of_order_events: 0.2,
            ..Faults::default()
        })
        .unwrap();
    emu.emulator
        .generate_orders(
            &seller,
            OrderPlan {
                count: 300,
                seed: 4,
                days: 40,
                pending_share: 0.2,
                pay_within_seconds: 600,
            },
        )
        .unwrap();
    emu.emulator
        .set_faults(Faults {
            skip_ready_for_processing: 1.0,
            duplicate_events: 0.2,
            out_of_order_events: 0.2,
            rate_5xx: 0.05,
            ..Faults::default()
        })
        .unwrap();
    let first = app.sync_account(&account).await.unwrap();
    assert_eq!(first.counts.new, 300, "{first:?}");
    assert!(first.events > 300, "duplicates were delivered: {first:?}");
    // The pending orders get paid; every READY_FOR_PROCESSING event is skipped.
    emu.emulator.advance_clock(601);
    let again = app.sync_account(&account).await.unwrap();
    assert_eq!(
        again.counts.updated, 0,
        "the journal never said those orders were paid: {again:?}"
    );
    emu.emulator.set_faults(Faults::default()).unwrap();
    let expected = testkit::allegro_orders(emu, app, org, &account).await;
    let stale = testkit::stored_orders(app, &account)
        .await
        .iter()
        .filter(|(id, data)| expected.get(*id) != Some(*data))
        .count();
    assert!(stale > 20, "the journal alone leaves paid orders unpaid ({stale})");

    emu.emulator
        .set_faults(Faults {
            rate_5xx: 0.05,
            ..Faults::default()
        })
        .unwrap();
    let fixed = app.reconcile_account(&account, 365).await.unwrap();
    assert_eq!(fixed.counts.updated as usize, stale, "{fixed:?}");
    assert_eq!(fixed.counts.new, 0);
    emu.emulator.set_faults(Faults::default()).unwrap();
    let holding = testkit::stored_orders(app, &account).await;
    assert_eq!(holding.len(), expected.len(), "missing orders");
    assert_eq!(holding, expected, "field for field");
    // Running everything again changes nothing.
    let idle = app.sync_account(&account).await.unwrap();
    assert_eq!((idle.counts.new, idle.counts.updated), (0, 0));
    let idle = app.reconcile_account(&account, 365).await.unwrap();
    assert_eq!(
        (idle.counts.new, idle.counts.updated, idle.counts.unchanged),
        (0, 0, 300)
    );
}

/// Adaptive polling: due accounts are read, quiet ones wait longer, and a revoked account
/// fails on its own, is backed off, and never holds the others up.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failing_account_never_holds_the_others_up() {
    let shop = testkit::Shop::new(&testkit::sqlite_url(), 41).await;
    let (app, emu) = (&shop.app, &shop.emu);
    let mut accounts = Vec::new();
    for n in 0..4 {
        accounts.push(shop.link_seller(&format!("sklep-{n}")).await);
    }
    let policy = domain::PollPolicy::default();
    // First pass: every account is due; each marks its journal's start.
    let first = app.sync_due_accounts(&policy, 1).await.unwrap();
    assert_eq!(first.len(), 4);
    assert!(first.iter().all(|(_, r)| r.is_ok()), "{first:?}");
    // Nobody is due again right away: quiet accounts wait.
    assert!(app.sync_due_accounts(&policy, 1).await.unwrap().is_empty());
    // New orders for three sellers; the fourth revokes our access (a password change).
    for (n, (seller, _)) in accounts.iter().enumerate().take(3) {
        shop.paid_orders(seller, 20, n as u64, 1);
    }
    reqwest::Client::new()
        .post(format!("{}/__emulator/sellers/{}/revoke", emu.base_url, accounts[3].0))
        .json(&serde_json::json!({"reason": "password_change"}))
        .send()
        .await
        .unwrap();
    // Make everyone due now (as if the quiet interval had passed).
    for (_, account) in &accounts {
        app.store()
            .schedule_sync(
                account,
                "test",
                &store::SyncSchedule {
                    next_at_ms: 0,
                    quiet_polls: 1,
                    failures: 0,
                },
            )
            .await
            .unwrap();
    }
    let pass = app.sync_due_accounts(&policy, 1).await.unwrap();
    assert_eq!(pass.len(), 4);
    for (seller_account, result) in &pass {
        if seller_account == &accounts[3].1 {
            assert!(result.is_err(), "the revoked account fails: {result:?}");
        } else {
            assert_eq!(result.as_ref().unwrap().counts.new, 20, "{result:?}");
        }
    }
    for (_, account) in accounts.iter().take(3) {
        assert_eq!(app.store().account_orders(account).await.unwrap().len(), 20);
    }
    // The failing one is backed off; the busy ones come back soon.
    let now = app.now_ms();
    let claims = app
        .store()
        .claim_due_syncs("probe", now + 25_000, now + 30_000, 10)
        .await
        .unwrap();
    let ids: Vec<_> = claims.iter().map(|c| c.account_id.clone()).collect();
    assert_eq!(ids.len(), 3, "busy accounts are due after 20 s: {claims:?}");
    assert!(!ids.contains(&accounts[3].1), "the failing account waits longer");
}

/// 429s (with Retry-After) and 5xx on top of every journal quirk: each failed pass is
/// retried as the worker retries it, and in the end nothing is missing or stored twice.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn throttling_and_errors_on_top_of_quirks_lose_nothing() {
    let shop = testkit::Shop::new(&testkit::sqlite_url(), 52).await;
    let (seller, account) = shop.link_seller("sklep-429").await;
    let (app, emu, org) = (&shop.app, &shop.emu, &shop.org);
    app.sync_account(&account).await.unwrap();
    emu.emulator
        .generate_orders(
            &seller,
            OrderPlan {
                count: 200,
                seed: 13,
                days: 20,
                pending_share: 0.3,
                pay_within_seconds: 300,
            },
        )
        .unwrap();
    emu.emulator
        .set_faults(Faults {
            rate_429: 0.15,
            rate_5xx: 0.05,
            skip_ready_for_processing: 0.5,
            duplicate_events: 0.2,
            out_of_order_events: 0.2,
            ..Faults::default()
        })
        .unwrap();
    let mut failures = 0;
    let mut passes = 0;
    // The worker's loop: read the journal; a failed pass is simply tried again.
    while passes < 2 {
        match app.sync_account(&account).await {
            Ok(_) => passes += 1,
            Err(_) => failures += 1,
        }
        assert!(failures < 50, "the sync never got through");
        if passes == 1 {
            emu.emulator.advance_clock(301); // the pending orders get paid
        }
    }
    loop {
        match app.reconcile_account(&account, 30).await {
            Ok(_) => break,
            Err(_) => failures += 1,
        }
        assert!(failures < 50, "reconciliation never got through");
    }
    emu.emulator.set_faults(Faults::default()).unwrap();
    let held = testkit::stored_orders(app, &account).await;
    let truth = testkit::allegro_orders(emu, app, org, &account).await;
    assert_eq!(held.len(), 200, "none missing");
    assert_eq!(held, truth, "field for field");
}

/// Allegro's block: over the Client ID's per-minute limit every call is refused (429) until
/// the block and the minute pass. The pass that hits it fails, what it stored stays, and
/// the passes after the block finish the job: nothing missing, nothing twice.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_429_block_mid_sync_loses_nothing() {
    let shop = testkit::Shop::new(&testkit::sqlite_url(), 63).await;
    let (seller, account) = shop.link_seller("sklep-blok").await;
    let (app, emu, org) = (&shop.app, &shop.emu, &shop.org);
    app.sync_account(&account).await.unwrap();
    shop.paid_orders(&seller, 150, 17, 10);
    emu.emulator.set_settings(allegro_emulator::Settings {
        requests_per_minute: 60,
        block_seconds: 60,
        ..allegro_emulator::Settings::default()
    });
    // Each event names an order fetched on its own: the 60th call or so hits the block.
    assert!(app.sync_account(&account).await.is_err(), "the block stops the pass");
    let partial = testkit::stored_orders(app, &account).await.len();
    assert!(partial < 150, "stopped midway ({partial})");
    let mut passes = 1;
    loop {
        emu.emulator.advance_clock(61); // the block and the minute pass
        passes += 1;
        if app.sync_account(&account).await.is_ok() {
            break;
        }
        assert!(passes < 12, "the sync never got past the block");
    }
    assert!(passes > 2, "more than one block on the way: {passes}");
    emu.emulator.set_settings(allegro_emulator::Settings::default());
    emu.emulator.advance_clock(61);
    app.reconcile_account(&account, 30).await.unwrap();
    let held = testkit::stored_orders(app, &account).await;
    assert_eq!(held.len(), 150, "none missing");
    assert_eq!(
        held,
        testkit::allegro_orders(emu, app, org, &account).await,
        "field for field"
    );
}

/// Finding 10 of the security probe: under 50 % server errors, one unreadable order no
/// longer stops the pass, progress counts as progress, and every order arrives within a
/// few passes — read again from a cursor that never skips the unread ones.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn under_half_failing_requests_every_order_still_arrives() {
    let shop = testkit::Shop::new(&testkit::sqlite_url(), 64).await;
    let (seller, account) = shop.link_seller("sklep-awarie").await;
    // Two quick attempts a call: at 50 % errors a quarter of the orders fail each pass.
    let app = shop.app.clone().with_allegro_retry(allegro_client::RetryPolicy {
        max_attempts: 2,
        base_delay: std::time::Duration::from_millis(1),
        max_delay: std::time::Duration::from_millis(5),
    });
    app.sync_account(&account).await.unwrap();
    shop.paid_orders(&seller, 120, 18, 3);
    shop.emu
        .emulator
        .set_faults(Faults {
            rate_5xx: 0.5,
            ..Faults::default()
        })
        .unwrap();
    let mut passes = 0;
    let mut partial_passes = 0;
    while testkit::stored_orders(&app, &account).await.len() < 120 {
        passes += 1;
        // Which calls fail depends on how concurrent fetches interleave, so the count of
        // passes varies run to run (seen: up to 13 of 12 once); 20 still means "a few
        // passes", where a cursor that skipped or a pass that gave up would never finish.
        assert!(passes <= 20, "orders still missing after {passes} passes");
        match app.sync_account(&account).await {
            Ok(report) if report.failed > 0 => {
                assert!(report.fetched > 0, "a pass that stored orders is a success");
                partial_passes += 1;
            }
            Ok(_) => {}
            // The journal read itself can fail too: the next pass goes on.
            Err(_) => {}
        }
    }
    assert!(partial_passes > 0, "some orders failed and the pass still succeeded");
    shop.emu.emulator.set_faults(Faults::default()).unwrap();
    // The cursor never skipped an unread order: a clean pass finds nothing missing.
    app.sync_account(&account).await.unwrap();
    let held = testkit::stored_orders(&app, &account).await;
    assert_eq!(held.len(), 120);
    assert_eq!(
        held,
        testkit::allegro_orders(&shop.emu, &app, &shop.org, &account).await,
        "field for field"
    );
}

/// Finding 9 of the security probe: a NUL (or another control character) in one order from
/// Allegro once stopped that account's sync forever on PostgreSQL; text is now cleaned
/// before it is stored, on both backends.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn control_characters_from_allegro_are_cleaned_before_storing() {
    for database in [testkit::sqlite_url(), testkit::postgres_url().await] {
        let shop = testkit::Shop::new(&database, 65).await;
        let (seller, account) = shop.link_seller("sklep-nul").await;
        shop.paid_orders(&seller, 1, 19, 1);
        shop.app.sync_account(&account).await.unwrap();
        let stored = shop.app.store().account_orders(&account).await.unwrap().remove(0);
        let mut form: allegro_client::types::CheckoutForm = serde_json::from_str(&stored.data).unwrap();
        form.buyer.login = "Łukasz\u{0}\u{1b}[31m".into();
        form.line_items[0].offer.name = "Kubek\u{0} \u{7}ceramiczny\u{85}".into();
        let record = app::order_record(&shop.org, &account, &form).unwrap();
        assert_eq!(record.buyer_login, "Łukasz[31m");
        assert!(
            !record.data.contains("\\u0000") && !record.data.contains('\u{85}'),
            "{}",
            record.data
        );
        shop.app
            .store()
            .save_orders(&account, &[record], None, shop.app.now_ms())
            .await
            .unwrap();
        let again = shop.app.store().account_orders(&account).await.unwrap().remove(0);
        assert!(again.data.contains("Kubek ceramiczny"), "{}", again.data);
    }
}

/// A password changed on Allegro (every token of the seller revoked): the next call answered
/// 401 refreshes the account at once, and the refused refresh flags it for re-login with
/// the reason — not hours later at its next scheduled refresh.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_password_changed_on_allegro_is_noticed_on_the_next_call() {
    let shop = testkit::Shop::new(&testkit::sqlite_url(), 43).await;
    let (seller, account) = shop.link_seller("sklep-haslo").await;
    let app = &shop.app;
    app.sync_account(&account).await.unwrap();
    reqwest::Client::new()
        .post(format!("{}/__emulator/sellers/{seller}/revoke", shop.emu.base_url))
        .json(&serde_json::json!({"reason": "password_change"}))
        .send()
        .await
        .unwrap();
    let still = app.store().account_for_worker(&account).await.unwrap().unwrap();
    assert_eq!(
        still.status,
        domain::AccountStatus::Active,
        "nothing noticed before a call"
    );
    assert!(app.sync_account(&account).await.is_err(), "the call is refused");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    let flagged = loop {
        let a = app.store().account_for_worker(&account).await.unwrap().unwrap();
        if a.status != domain::AccountStatus::Active || std::time::Instant::now() > deadline {
            break a;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    };
    assert_eq!(flagged.status, domain::AccountStatus::NeedsRelogin);
    assert_eq!(flagged.status_reason.as_deref(), Some("revoked"));
}
