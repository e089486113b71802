//! Order sync against the emulator with Allegro's journal quirks on: after the journal pass
//! and reconciliation, the orders we hold equal the orders Allegro holds — none missing,
//! none twice, field for field.

use std::collections::BTreeMap;
use std::sync::Arc;

use allegro_client::CheckoutFormsQuery;
use allegro_emulator::{EmulatorConfig, Faults, OrderPlan};
use app::LinkOutcome;

async fn truth(
    emu: &allegro_emulator::EmulatorHandle,
    app: &app::App,
    org: &domain::OrganisationId,
    account: &domain::AccountId,
) -> BTreeMap<String, (String, Option<String>, String)> {
    let (client_id, token) = app.access_token(org, account).await.unwrap();
    let api =
        allegro_client::Allegro::builder(allegro_client::Environment::custom(&emu.base_url, &emu.base_url).unwrap())
            .build();
    let account_api = api.account(&client_id, &token);
    let stream = account_api.checkout_forms_all(CheckoutFormsQuery::default(), emu.emulator.now_ms());
    let mut stream = std::pin::pin!(stream);
    let mut out = BTreeMap::new();
    while let Some(form) = std::future::poll_fn(|cx| futures_core::Stream::poll_next(stream.as_mut(), cx)).await {
        let f = form.unwrap();
        out.insert(
            f.id.clone(),
            (
                f.status.as_str().to_owned(),
                f.revision.clone(),
                serde_json::to_string(&f).unwrap(),
            ),
        );
    }
    out
}

async fn held(app: &app::App, account: &domain::AccountId) -> BTreeMap<String, (String, Option<String>, String)> {
    let orders = app.store().account_orders(account).await.unwrap();
    let map: BTreeMap<_, _> = orders
        .iter()
        .map(|o| (o.id.clone(), (o.status.clone(), o.revision.clone(), o.data.clone())))
        .collect();
    assert_eq!(map.len(), orders.len(), "an order is stored twice");
    map
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn journal_quirks_and_5xx_lose_nothing_after_reconciliation() {
    let emu = allegro_emulator::spawn("127.0.0.1:0", EmulatorConfig { seed: 31 })
        .await
        .unwrap();
    let seller = emu.emulator.create_seller("sklep-sync", "x").unwrap();
    emu.emulator
        .set_faults(Faults {
            skip_ready_for_processing: 0.3,
            duplicate_events: 0.2,
            out_of_order_events: 0.2,
            ..Faults::default()
        })
        .unwrap();
    let app = testkit::app(
        testkit::open_store(&testkit::sqlite_url()).await,
        Arc::new(domain::SystemClock),
        "http://bridge.test",
        None,
    );
    let (org, user) = testkit::owner(&app, "Sklep", "anna@sklep.pl").await;
    let conn = testkit::own_app_connection(&app, &org, &emu, None).await;
    let LinkOutcome::Linked { account, .. } = testkit::link(&app, &user, &conn, &emu, "sklep-sync", None).await else {
        panic!()
    };

    // The first sync of an empty account marks its journal's start.
    let empty = app.sync_account(&account).await.unwrap();
    assert_eq!(empty.counts, store::UpsertCounts::default());
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
    let expected = truth(&emu, &app, &org, &account).await;
    let stale = held(&app, &account)
        .await
        .iter()
        .filter(|(id, v)| expected.get(*id).map(|e| &e.0) != Some(&v.0))
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
    let holding = held(&app, &account).await;
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
    let emu = allegro_emulator::spawn("127.0.0.1:0", EmulatorConfig { seed: 41 })
        .await
        .unwrap();
    let app = testkit::app(
        testkit::open_store(&testkit::sqlite_url()).await,
        Arc::new(domain::SystemClock),
        "http://bridge.test",
        None,
    );
    let (org, user) = testkit::owner(&app, "Sklep", "anna@sklep.pl").await;
    let conn = testkit::own_app_connection(&app, &org, &emu, None).await;
    let mut accounts = Vec::new();
    for n in 0..4 {
        let login = format!("sklep-{n}");
        let seller = emu.emulator.create_seller(&login, "x").unwrap();
        let LinkOutcome::Linked { account, .. } = testkit::link(&app, &user, &conn, &emu, &login, None).await else {
            panic!()
        };
        accounts.push((seller, account));
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
        emu.emulator
            .generate_orders(
                seller,
                OrderPlan {
                    count: 20,
                    seed: n as u64,
                    days: 1,
                    pending_share: 0.0,
                    pay_within_seconds: 60,
                },
            )
            .unwrap();
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
