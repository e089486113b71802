//! Waybills pushed to their Allegro orders: each exactly once through random 429s and 5xx
//! and a crash after Allegro took it; Allegro's refusals kept in plain words; a
//! disconnected account's waybills queued until it is connected again.

use std::sync::Arc;

use allegro_client::types::CheckoutForm;
use domain::{NewWaybill, PushState};

/// A shop on a test clock with `count` synced orders: (shop, clock, account, order ids).
async fn shop_with_orders(
    seed: u64,
    count: usize,
) -> (
    testkit::Shop,
    Arc<testkit::TestClock>,
    domain::AccountId,
    Vec<domain::OrderId>,
) {
    let clock = testkit::TestClock::real_time();
    let shop = testkit::Shop::with_clock(&testkit::sqlite_url(), seed, clock.clone()).await;
    let (seller, account) = shop.link_seller(&format!("wysylka-{seed}")).await;
    shop.paid_orders(&seller, count, seed, 5);
    shop.app.sync_account(&account).await.unwrap();
    let orders = shop
        .app
        .store()
        .account_orders(&account)
        .await
        .unwrap()
        .into_iter()
        // A cancelled order takes no waybill.
        .filter(|o| !o.status.is_cancelled())
        .map(|o| o.id)
        .collect();
    (shop, clock, account, orders)
}

fn waybill(carrier: &str, number: &str) -> NewWaybill {
    NewWaybill::parse(carrier, None, number, vec![]).unwrap()
}

/// Passes of the pusher with both clocks moved past every backoff and lease between them,
/// until no waybill is pending.
async fn push_all(shop: &testkit::Shop, clock: &testkit::TestClock, orders: &[domain::OrderId]) {
    for _ in 0..40 {
        shop.app.push_due_shipments(500).await.unwrap();
        let mut pending = false;
        for o in orders {
            let all = shop.app.order_shipments(&shop.user, o).await.unwrap();
            pending |= all.iter().any(|s| s.push.state == PushState::Pending);
        }
        if !pending {
            return;
        }
        clock.advance_ms(3_600_000);
        shop.emu.emulator.advance_clock(3_600);
    }
    panic!("waybills still pending after 40 passes");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_waybill_reaches_its_order_once_through_429s_and_5xx() {
    let (shop, clock, _, orders) = shop_with_orders(401, 30).await;
    let orders = &orders[..24];
    let mut expected = Vec::new();
    for (i, o) in orders.iter().enumerate() {
        let order = shop.app.order(&shop.user, o).await.unwrap();
        let form: CheckoutForm = serde_json::from_str(&order.data).unwrap();
        // Every third parcel carries only the first line item.
        let items = if i % 3 == 0 {
            vec![form.line_items[0].id.clone()]
        } else {
            vec![]
        };
        let w = NewWaybill::parse("INPOST", None, &format!("6200{i:020}"), items.clone()).unwrap();
        let (record, created) = shop.app.add_waybill(&shop.user, o, w.clone()).await.unwrap();
        assert!(created);
        assert_eq!(record.push.state, PushState::Pending);
        // Added twice (a double click): still one waybill.
        let (again, created) = shop.app.add_waybill(&shop.user, o, w).await.unwrap();
        assert!(!created);
        assert_eq!(again.id, record.id);
        let all_items: Vec<String> = form.line_items.iter().map(|li| li.id.clone()).collect();
        expected.push((
            o.clone(),
            format!("6200{i:020}"),
            if items.is_empty() { all_items } else { items },
        ));
    }
    shop.emu
        .emulator
        .set_faults(allegro_emulator::Faults {
            rate_429: 0.25,
            rate_5xx: 0.15,
            ..Default::default()
        })
        .unwrap();
    let before = shop.emu.emulator.api_requests();
    push_all(&shop, &clock, orders).await;
    assert!(
        shop.emu.emulator.api_requests() - before > orders.len() as u64,
        "the faults made some pushes retry"
    );
    for (order, number, items) in &expected {
        assert_eq!(
            shop.emu.emulator.order_shipments(order),
            vec![("INPOST".to_owned(), number.clone(), items.clone())],
            "order {order}: the waybill once, with its line items"
        );
        let stored = shop.app.order_shipments(&shop.user, order).await.unwrap();
        assert_eq!(stored.len(), 1);
        assert_eq!(stored[0].push.state, PushState::Pushed);
        assert!(stored[0].push.allegro_shipment_id.is_some());
    }
}

#[tokio::test]
async fn a_push_that_reached_allegro_before_a_crash_is_not_posted_again() {
    let (shop, clock, _, orders) = shop_with_orders(402, 4).await;
    let (first, second) = (&orders[0], &orders[1]);
    shop.app
        .add_waybill(&shop.user, first, waybill("DPD", "0000007268757Q"))
        .await
        .unwrap();
    shop.app
        .add_waybill(&shop.user, second, waybill("DPD", "0000007268758Q"))
        .await
        .unwrap();
    // A worker claims both, posts the first, and dies before recording anything.
    let now = shop.app.now_ms();
    let claimed = shop.app.store().claim_due_pushes(now, now + 120_000, 10).await.unwrap();
    assert_eq!(claimed.len(), 2);
    assert!(shop.emu.emulator.add_shipment_directly(first, "DPD", "0000007268757Q"));
    // Nothing is taken over while the dead worker's lease lasts.
    assert_eq!(
        shop.app.push_due_shipments(10).await.unwrap(),
        app::OutboxReport::default()
    );
    clock.advance_ms(121_000);
    let report = shop.app.push_due_shipments(10).await.unwrap();
    assert_eq!(report.delivered, 2);
    assert_eq!(
        shop.emu.emulator.order_shipments(first).len(),
        1,
        "found on Allegro, not posted again"
    );
    assert_eq!(
        shop.emu.emulator.order_shipments(second).len(),
        1,
        "never reached Allegro: posted"
    );
    let stored = shop.app.order_shipments(&shop.user, first).await.unwrap();
    assert_eq!(stored[0].push.state, PushState::Pushed);
}

#[tokio::test]
async fn what_allegro_refuses_says_why_and_waits_for_the_seller() {
    let (shop, clock, _, orders) = shop_with_orders(403, 14).await;
    // Allegro takes one number on at most 10 orders.
    for o in &orders[..11] {
        shop.app
            .add_waybill(&shop.user, o, waybill("DHL", "JJD000390007"))
            .await
            .unwrap();
        push_all(&shop, &clock, std::slice::from_ref(o)).await;
    }
    let refused = shop
        .app
        .order_shipments(&shop.user, &orders[10])
        .await
        .unwrap()
        .remove(0);
    assert_eq!(refused.push.state, PushState::Refused);
    let error = refused.push.error.clone().unwrap();
    assert_eq!(app::push_error_key(&error), "waybill_used_too_often", "{error}");
    assert!(shop.emu.emulator.order_shipments(&orders[10]).is_empty());
    // Not tried again by itself…
    clock.advance_ms(24 * 3_600_000);
    assert_eq!(
        shop.app.push_due_shipments(10).await.unwrap(),
        app::OutboxReport::default()
    );
    // …only when the seller sends it again (and Allegro still refuses it).
    shop.app.resend_waybill(&shop.user, &refused.id).await.unwrap();
    assert_eq!(shop.app.push_due_shipments(10).await.unwrap().refused, 1);
    // A pushed one cannot be sent again.
    let pushed = shop
        .app
        .order_shipments(&shop.user, &orders[0])
        .await
        .unwrap()
        .remove(0);
    assert!(matches!(
        shop.app.resend_waybill(&shop.user, &pushed.id).await,
        Err(app::AppError::Conflict(_))
    ));
    // What we can check ourselves never goes out: an unknown carrier, a line item of
    // another order, an order of nobody.
    let bad = shop
        .app
        .add_waybill(&shop.user, &orders[11], waybill("KURIER_XYZ", "1"))
        .await;
    assert!(
        matches!(
            bad,
            Err(app::AppError::Validation {
                field: "carrier_id",
                ..
            })
        ),
        "{bad:?}"
    );
    let foreign = NewWaybill::parse("DHL", None, "2", vec!["not-a-line-item".into()]).unwrap();
    let bad = shop.app.add_waybill(&shop.user, &orders[11], foreign).await;
    assert!(
        matches!(
            bad,
            Err(app::AppError::Validation {
                field: "line_items",
                ..
            })
        ),
        "{bad:?}"
    );
    let bad = shop
        .app
        .add_waybill(&shop.user, &"no-such-order".parse().unwrap(), waybill("DHL", "3"))
        .await;
    assert!(matches!(bad, Err(app::AppError::NotFound)), "{bad:?}");
}

#[tokio::test]
async fn a_disconnected_accounts_waybills_wait_until_it_is_connected_again() {
    let (shop, clock, account, orders) = shop_with_orders(404, 3).await;
    shop.app.disconnect(&shop.user, &account).await.unwrap();
    let (record, _) = shop
        .app
        .add_waybill(&shop.user, &orders[0], waybill("INPOST", "AD-1239134"))
        .await
        .unwrap();
    assert_eq!(shop.app.push_due_shipments(10).await.unwrap().retried, 1);
    let waiting = shop
        .app
        .order_shipments(&shop.user, &orders[0])
        .await
        .unwrap()
        .remove(0);
    assert_eq!(waiting.push.state, PushState::Pending);
    assert_eq!(
        app::push_error_key(waiting.push.error.as_deref().unwrap()),
        "account_not_connected"
    );
    assert!(shop.emu.emulator.order_shipments(&orders[0]).is_empty());
    // Connected again: due at once, not after the long wait.
    clock.advance_ms(60_000);
    let outcome = testkit::link(
        &shop.app,
        &shop.user,
        &shop.conn,
        &shop.emu,
        "wysylka-404",
        Some(&account),
    )
    .await;
    assert!(matches!(outcome, app::LinkOutcome::Linked { .. }), "{outcome:?}");
    assert_eq!(shop.app.push_due_shipments(10).await.unwrap().delivered, 1);
    let on_allegro: Vec<_> = shop
        .emu
        .emulator
        .order_shipments(&orders[0])
        .into_iter()
        .map(|(carrier, number, _)| (carrier, number))
        .collect();
    assert_eq!(on_allegro, [("INPOST".to_owned(), "AD-1239134".to_owned())]);
    assert_eq!(
        shop.app.order_shipments(&shop.user, &orders[0]).await.unwrap()[0].id,
        record.id
    );
}

#[tokio::test]
async fn fulfilment_is_set_on_allegro_and_an_outdated_revision_is_read_again_once() {
    let (shop, _, _, orders) = shop_with_orders(405, 4).await;
    let id = &orders[0];
    let order = shop.app.set_fulfillment(&shop.user, id, "processing").await.unwrap();
    assert_eq!(order.fulfillment_status.as_deref(), Some("PROCESSING"));
    let stored = shop.app.order(&shop.user, id).await.unwrap();
    assert_eq!(
        stored.fulfillment_status.as_deref(),
        Some("PROCESSING"),
        "stored as Allegro has it"
    );
    // Allegro changes the order behind our back (its revision moves on): the stale
    // revision gets a 409, the order is read again and the change goes through.
    shop.emu
        .emulator
        .move_order(id, None, Some(allegro_client::types::FulfillmentStatus::ReadyForPickup))
        .unwrap();
    let before = shop.app.order(&shop.user, id).await.unwrap().revision;
    let order = shop.app.set_fulfillment(&shop.user, id, "SENT").await.unwrap();
    assert_eq!(order.fulfillment_status.as_deref(), Some("SENT"));
    assert_ne!(order.revision, before);
    // What a seller cannot set, or an unknown word, names the field.
    for bad in ["RETURNED", "SHIPPED", ""] {
        let e = shop.app.set_fulfillment(&shop.user, id, bad).await;
        assert!(
            matches!(e, Err(app::AppError::Validation { field: "status", .. })),
            "{bad}: {e:?}"
        );
    }
    // Allegro's own limit on changes per order comes back in words.
    let mut refused = None;
    for status in ["PROCESSING", "READY_FOR_SHIPMENT"].iter().cycle().take(120) {
        if let Err(e) = shop.app.set_fulfillment(&shop.user, id, status).await {
            refused = Some(e);
            break;
        }
    }
    match refused {
        Some(app::AppError::Conflict(p)) => {
            assert_eq!(p.key, "problem-status-refused", "{p}");
            // Allegro's own words come along for the seller.
            assert!(!p.args[0].1.is_empty(), "{p}");
        }
        other => panic!("Allegro's limit: {other:?}"),
    }
}

#[tokio::test]
async fn a_waybill_can_mark_the_order_sent() {
    let (shop, _, account, orders) = shop_with_orders(406, 6).await;
    let id = &orders[0];
    shop.app.set_fulfillment(&shop.user, id, "PROCESSING").await.unwrap();
    // Off by default: the status stays.
    shop.app
        .add_waybill(&shop.user, id, waybill("INPOST", "A-1"))
        .await
        .unwrap();
    shop.app.push_due_shipments(10).await.unwrap();
    assert_eq!(
        shop.app
            .order(&shop.user, id)
            .await
            .unwrap()
            .fulfillment_status
            .as_deref(),
        Some("PROCESSING")
    );
    let mut settings = shop.app.settings(&shop.user, &account).await.unwrap();
    settings.sent_on_waybill = true;
    shop.app.save_settings(&shop.user, &account, &settings).await.unwrap();
    assert!(
        shop.app.settings(&shop.user, &account).await.unwrap().sent_on_waybill,
        "saved"
    );
    shop.app
        .add_waybill(&shop.user, id, waybill("INPOST", "A-2"))
        .await
        .unwrap();
    shop.app.push_due_shipments(10).await.unwrap();
    assert_eq!(
        shop.app
            .order(&shop.user, id)
            .await
            .unwrap()
            .fulfillment_status
            .as_deref(),
        Some("SENT")
    );
    let on_allegro = shop.app.store().account_orders(&account).await.unwrap();
    let form: CheckoutForm = serde_json::from_str(&on_allegro.iter().find(|o| o.id == *id).unwrap().data).unwrap();
    assert_eq!(
        form.fulfillment.and_then(|f| f.status).map(|s| s.as_str()),
        Some("SENT"),
        "as Allegro has it"
    );
}

/// Finding 1 of the security probe: an organisation whose connection points at a fake
/// "Allegro" listing one carrier must not change what another organisation sees, nor
/// make its DPD waybills refused.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn another_organisations_fake_allegro_never_changes_our_carriers() {
    let (shop, _clock, _, orders) = shop_with_orders(431, 2).await;
    // The attacker: a second organisation on the same server, its own "Allegro".
    let fake = allegro_emulator::spawn("127.0.0.1:0", allegro_emulator::EmulatorConfig { seed: 432 })
        .await
        .unwrap();
    fake.emulator.set_settings(allegro_emulator::Settings {
        carriers_only: vec!["OTHER".into()],
        ..Default::default()
    });
    fake.emulator.create_seller("oszust", "x").unwrap();
    let (org_b, user_b) = testkit::owner(&shop.app, "Oszust", "oszust@b.pl").await;
    let conn_b = testkit::own_app_connection(&shop.app, &org_b, &fake, None).await;
    let app::LinkOutcome::Linked { .. } = testkit::link(&shop.app, &user_b, &conn_b, &fake, "oszust", None).await
    else {
        panic!("the attacker links");
    };
    // The attacker reads first, filling any cache.
    let theirs = shop.app.carriers(&user_b).await.unwrap().unwrap();
    assert_eq!(theirs.iter().map(|c| c.id.as_str()).collect::<Vec<_>>(), ["OTHER"]);

    let ours = shop.app.carriers(&shop.user).await.unwrap().unwrap();
    assert!(ours.iter().any(|c| c.id == "DPD"), "{ours:?}");
    let (stored, created) = shop
        .app
        .add_waybill(&shop.user, &orders[0], waybill("DPD", "0000007268757Q"))
        .await
        .unwrap();
    assert!(created);
    assert_eq!(stored.carrier_id, "DPD");
    // And the other way round: the attacker's list stays theirs.
    let theirs_again = shop.app.carriers(&user_b).await.unwrap().unwrap();
    assert_eq!(theirs_again.len(), 1);
}
