//! Waybills: stored once, pushed once.

use super::*;

/// Waybills: one per (order, carrier, number) however often it is added, each due push
/// claimed by one process with its attempts counted, outcomes kept, "send again".
pub async fn shipments_once_and_pushed_once(store: Store) {
    let t = tenant(&store, 120).await;
    let a = linked(&store, &t, 1201).await;
    let waybill = |carrier: &str, number: &str, items: &[&str]| {
        domain::NewWaybill::parse(carrier, None, number, items.iter().map(|s| s.to_string()).collect()).unwrap()
    };
    let new = |i: u128, order: &str, w: domain::NewWaybill, push: bool| NewShipment {
        id: uuid(1_200_000 + i),
        organisation_id: t.org.clone(),
        account_id: a.clone(),
        order_id: id(order),
        waybill: w,
        created_at_ms: 100 + i as i64,
        push,
    };
    let (first, created) = store
        .add_shipment(&new(1, "o-1", waybill("INPOST", "AD-1", &["li-2", "li-1"]), true))
        .await
        .unwrap();
    assert!(created);
    assert_eq!(
        (
            first.carrier_id.as_str(),
            first.waybill.as_str(),
            first.line_items.clone()
        ),
        ("INPOST", "AD-1", vec!["li-1".to_owned(), "li-2".to_owned()])
    );
    assert_eq!((first.push.state, first.push.attempts), (domain::PushState::Pending, 0));
    // The same number again (another id, a double click, a CSV imported twice): the same waybill.
    let (again, created) = store
        .add_shipment(&new(2, "o-1", waybill("inpost", " AD-1 ", &[]), true))
        .await
        .unwrap();
    assert!(!created);
    assert_eq!(again.id, first.id);
    // Another carrier's number, another order, an order from a file.
    store
        .add_shipment(&new(3, "o-1", waybill("DPD", "AD-1", &[]), true))
        .await
        .unwrap();
    for i in 4..30 {
        store
            .add_shipment(&new(i, &format!("o-{i}"), waybill("DHL", &format!("W{i}"), &[]), true))
            .await
            .unwrap();
    }
    let (file, _) = store
        .add_shipment(&new(30, "file-1", waybill("DHL", "F1", &[]), false))
        .await
        .unwrap();
    assert_eq!(file.push.state, domain::PushState::NotApplicable);
    let on_order = store.order_shipments(&t.org, &id("o-1")).await.unwrap();
    assert_eq!(
        on_order.iter().map(|s| s.carrier_id.as_str()).collect::<Vec<_>>(),
        ["INPOST", "DPD"]
    );
    let other = tenant(&store, 121).await;
    assert!(store.order_shipments(&other.org, &id("o-1")).await.unwrap().is_empty());
    assert!(store.shipment(&other.org, &first.id).await.unwrap().is_none());
    // Four processes claim at once: each due push goes to exactly one.
    let mut tasks = Vec::new();
    for _ in 0..4 {
        let store = Arc::clone(&store);
        tasks.push(tokio::spawn(async move {
            let mut got = Vec::new();
            loop {
                let claimed = store.claim_due_pushes(1_000, 61_000, 5).await.unwrap();
                if claimed.is_empty() {
                    return got;
                }
                got.extend(claimed.into_iter().map(|r| (r.id, r.push.attempts)));
            }
        }));
    }
    let mut all = Vec::new();
    for task in tasks {
        all.extend(task.await.unwrap());
    }
    assert_eq!(all.len(), 28, "every due push once, the file order's never");
    assert!(all.iter().all(|(_, attempts)| *attempts == 1));
    // Held until the lease ends; then due again, with the attempt counted.
    assert!(store.claim_due_pushes(60_000, 120_000, 100).await.unwrap().is_empty());
    let again = store.claim_due_pushes(61_000, 120_000, 100).await.unwrap();
    assert_eq!(again.len(), 28);
    assert!(again.iter().all(|s| s.push.attempts == 2));
    // Released by a stopping worker: due at once, the attempt the claim counted undone.
    let released = again[2].id.clone();
    store
        .finish_push(
            &released,
            &Delivery::Released {
                now_ms: 62_000,
                held_until_ms: 120_000,
            },
        )
        .await
        .unwrap();
    let due = store.claim_due_pushes(62_000, 120_000, 100).await.unwrap();
    assert_eq!(due.iter().map(|s| &s.id).collect::<Vec<_>>(), vec![&released]);
    assert_eq!(due[0].push.attempts, 2, "claimed twice, released once");
    let ids: Vec<ShipmentId> = on_order.iter().map(|s| s.id.clone()).collect();
    let (pushed, refused) = (&ids[0], &ids[1]);
    store
        .finish_push(
            pushed,
            &Delivery::Done {
                at_ms: 61_500,
                remote_id: Some("SU5QT1NUOkFELTE=".into()),
            },
        )
        .await
        .unwrap();
    store
        .finish_push(
            refused,
            &Delivery::Refused {
                error: "Numer nie pasuje do przewoźnika".into(),
            },
        )
        .await
        .unwrap();
    let get = |id: ShipmentId| {
        let (store, org) = (Arc::clone(&store), t.org.clone());
        async move { store.shipment(&org, &id).await.unwrap().unwrap().push }
    };
    let p = get(pushed.clone()).await;
    assert_eq!(
        (p.state, p.allegro_shipment_id.as_deref(), p.pushed_at_ms),
        (domain::PushState::Pushed, Some("SU5QT1NUOkFELTE="), Some(61_500))
    );
    let r = get(refused.clone()).await;
    assert_eq!(
        (r.state, r.error.as_deref()),
        (domain::PushState::Refused, Some("Numer nie pasuje do przewoźnika"))
    );
    // A late Retry (a lost lease) never undoes a refusal.
    store
        .finish_push(
            refused,
            &Delivery::Retry {
                next_at_ms: 1,
                error: "late".into(),
            },
        )
        .await
        .unwrap();
    assert_eq!(get(refused.clone()).await.state, domain::PushState::Refused);
    // Send again: the refused one is due now; a pushed one, a file one or another
    // organisation's cannot be.
    assert!(store.resend_shipment(&t.org, refused, 130_000).await.unwrap());
    assert!(!store.resend_shipment(&t.org, pushed, 130_000).await.unwrap());
    assert!(!store.resend_shipment(&t.org, &file.id, 130_000).await.unwrap());
    assert!(!store.resend_shipment(&other.org, refused, 130_000).await.unwrap());
    let due: Vec<_> = store
        .claim_due_pushes(130_000, 190_000, 100)
        .await
        .unwrap()
        .into_iter()
        .map(|s| s.id)
        .collect();
    assert!(due.contains(refused) && !due.contains(pushed), "{due:?}");
    // A failed push waits; connecting the account again wakes it.
    store
        .finish_push(
            refused,
            &Delivery::Retry {
                next_at_ms: 10_000_000,
                error: "account not connected".into(),
            },
        )
        .await
        .unwrap();
    let due = store.claim_due_pushes(200_000, 260_000, 100).await.unwrap();
    assert!(!due.iter().any(|s| &s.id == refused), "waits for its time");
    assert_eq!(store.wake_account_pushes(&a, 270_000).await.unwrap(), 1);
    let due = store.claim_due_pushes(270_000, 330_000, 100).await.unwrap();
    assert!(due.iter().any(|s| &s.id == refused), "woken");
}
