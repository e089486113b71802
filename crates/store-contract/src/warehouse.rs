//! Stock moved once per document.

use super::*;

/// The warehouse: products by SKU, stock that only moves with a movement, one WZ per order
/// however many processes issue it, stock given back once on cancellation, triggers.
pub async fn stock_moves_once_per_document(store: Store) {
    let t = tenant(&store, 130).await;
    let a = linked(&store, &t, 1301).await;
    let w = store.default_warehouse(&t.org, 10).await.unwrap();
    assert_eq!(
        store.default_warehouse(&t.org, 11).await.unwrap(),
        w,
        "one default warehouse"
    );
    assert_eq!(w.name, "Magazyn główny");
    let second = Warehouse {
        id: uuid(1_300_100),
        organisation_id: t.org.clone(),
        name: "Magazyn Kraków".into(),
    };
    store.create_warehouse(&second, 12).await.unwrap();
    let same_name = Warehouse {
        id: uuid(1_300_101),
        ..second.clone()
    };
    assert!(matches!(
        store.create_warehouse(&same_name, 13).await,
        Err(StoreError::Conflict { field: Some("name") })
    ));
    assert_eq!(store.warehouses(&t.org).await.unwrap(), [w.clone(), second.clone()]);
    assert_eq!(store.default_warehouse(&t.org, 14).await.unwrap(), w, "still the first");
    let offer = |id: &str, sku: &str, name: &str| OfferProduct {
        offer_id: id.into(),
        sku: sku.into(),
        name: name.into(),
    };
    let new = store
        .upsert_offer_products(
            &t.org,
            &a,
            &[
                offer("o-1", "SKU-1", "Kubek"),
                offer("o-2", "SKU-1", "Kubek 300 ml"),
                offer("o-3", "SKU-2", "Talerz"),
            ],
            20,
        )
        .await
        .unwrap();
    assert_eq!(new, 2, "two SKUs, two products");
    let products = store.products(&t.org).await.unwrap();
    assert_eq!(
        products.iter().map(|p| p.sku.as_str()).collect::<Vec<_>>(),
        ["SKU-1", "SKU-2"]
    );
    assert_eq!(products[0].name, "Kubek 300 ml", "the latest title");
    assert_eq!(products[0].offers, ["o-1", "o-2"]);
    let (mug, plate) = (products[0].id.clone(), products[1].id.clone());
    // Annex 15 (split payment): unknown until the seller says; only the owner can say.
    assert_eq!(products[0].annex15, None);
    assert!(store.set_product_annex15(&t.org, &plate, Some(true)).await.unwrap());
    assert_eq!(
        store
            .product_for_offer(&t.org, "o-3", None)
            .await
            .unwrap()
            .unwrap()
            .annex15,
        Some(true)
    );
    let stranger = tenant(&store, 155).await;
    assert!(
        !store
            .set_product_annex15(&stranger.org, &plate, Some(false))
            .await
            .unwrap()
    );
    assert!(store.set_product_annex15(&t.org, &plate, None).await.unwrap());
    assert_eq!(store.products(&t.org).await.unwrap()[1].annex15, None, "taken back");
    assert_eq!(
        store.product_for_offer(&t.org, "o-2", None).await.unwrap().unwrap().id,
        mug
    );
    assert_eq!(
        store
            .product_for_offer(&t.org, "o-9", Some("SKU-2"))
            .await
            .unwrap()
            .unwrap()
            .id,
        plate
    );
    assert!(
        store
            .product_for_offer(&t.org, "o-9", Some("SKU-9"))
            .await
            .unwrap()
            .is_none()
    );
    let other = tenant(&store, 131).await;
    assert!(
        store
            .product_for_offer(&other.org, "o-1", Some("SKU-1"))
            .await
            .unwrap()
            .is_none()
    );
    fn receipt<'a>(warehouse: &'a WarehouseId, product: &'a ProductId, delta: i64) -> StockChange<'a> {
        StockChange {
            warehouse_id: warehouse,
            product_id: product,
            delta,
            reason: domain::MovementReason::Receipt,
            document_id: None,
            note: Some("PZ 1"),
            at_ms: 30,
        }
    }
    assert_eq!(store.adjust_stock(&t.org, &receipt(&w.id, &mug, 10)).await.unwrap(), 10);
    assert_eq!(store.adjust_stock(&t.org, &receipt(&w.id, &plate, 4)).await.unwrap(), 4);
    assert!(
        matches!(
            store.adjust_stock(&other.org, &receipt(&w.id, &mug, 5)).await,
            Err(StoreError::NotFound(_))
        ),
        "another organisation's warehouse is not found, never a conflict"
    );
    // Orders reach the trigger; four processes issue the same WZ at once: one document,
    // stock taken once.
    for (id, fulfillment) in [("wz-1", "PROCESSING"), ("wz-2", "SENT"), ("wz-3", "NEW")] {
        let mut o = order_of(&t, &a, id, "{}", OrderSource::Allegro);
        o.fulfillment_status = Some(fulfillment.into());
        store.save_orders(&a, &[o], None, 40).await.unwrap();
    }
    assert!(
        store.orders_awaiting_wz(10, 0).await.unwrap().is_empty(),
        "no trigger: by hand only"
    );
    store
        .save_warehouse_settings(
            &t.org,
            &WarehouseSettings {
                wz_trigger: Some("PROCESSING".into()),
                warehouse_id: None,
            },
        )
        .await
        .unwrap();
    let due_at = |now: i64| {
        let store = Arc::clone(&store);
        async move {
            store
                .orders_awaiting_wz(10, now)
                .await
                .unwrap()
                .into_iter()
                .map(|(_, o)| o)
                .map(|o| o.to_string())
                .collect::<Vec<String>>()
        }
    };
    assert_eq!(due_at(0).await, ["wz-1", "wz-2"]);
    // A failed attempt waits for its time; reading products clears it.
    assert_eq!(
        store
            .postpone_order_task(&t.org, &id("wz-1"), OrderTask::Wz, "no product", 1_000)
            .await
            .unwrap(),
        1
    );
    assert_eq!(
        store
            .postpone_order_task(&t.org, &id("wz-1"), OrderTask::Wz, "still no product", 2_000)
            .await
            .unwrap(),
        2
    );
    assert_eq!(due_at(1_500).await, ["wz-2"]);
    assert_eq!(due_at(2_000).await, ["wz-1", "wz-2"], "its time has come");
    assert_eq!(
        store
            .order_task_failure(&t.org, &id("wz-1"), OrderTask::Wz)
            .await
            .unwrap(),
        Some((2, "still no product".into()))
    );
    store.upsert_offer_products(&t.org, &a, &[], 45).await.unwrap();
    assert_eq!(
        store
            .order_task_failure(&t.org, &id("wz-1"), OrderTask::Wz)
            .await
            .unwrap(),
        None
    );
    assert_eq!(due_at(1_500).await, ["wz-1", "wz-2"]);
    let line = |product: &ProductId, quantity: i64| WzLine {
        product_id: product.clone(),
        sku: "S".into(),
        name: "Nazwa\tz tabem".into(),
        quantity,
    };
    let mut tasks = Vec::new();
    for i in 0..4 {
        let store = Arc::clone(&store);
        let wz = NewWz {
            id: uuid(1_300_000 + i),
            organisation_id: t.org.clone(),
            order_id: id("wz-1"),
            warehouse_id: w.id.clone(),
            lines: vec![line(&mug, 3), line(&plate, 1)],
            now_ms: 50,
            year: 2026,
        };
        tasks.push(tokio::spawn(async move { store.issue_wz(&wz).await.unwrap() }));
    }
    let mut created = 0;
    let mut numbers = std::collections::BTreeSet::new();
    for task in tasks {
        let (doc, new) = task.await.unwrap();
        created += usize::from(new);
        numbers.insert(doc.number);
    }
    assert_eq!((created, numbers.len()), (1, 1), "one WZ: {numbers:?}");
    assert_eq!(numbers.first().unwrap(), "WZ/1/2026");
    let (second, _) = store
        .issue_wz(&NewWz {
            id: uuid(1_300_010),
            organisation_id: t.org.clone(),
            order_id: id("wz-2"),
            warehouse_id: w.id.clone(),
            lines: vec![line(&mug, 2)],
            now_ms: 60,
            year: 2026,
        })
        .await
        .unwrap();
    assert_eq!(second.number, "WZ/2/2026");
    assert_eq!(second.lines[0].name, "Nazwa z tabem", "stored text stays one line");
    let stock =
        |products: &[ProductStock], id: &ProductId| products.iter().find(|p| p.id == *id).unwrap().stock.clone();
    let products = store.products(&t.org).await.unwrap();
    assert_eq!(stock(&products, &mug), [(w.id.clone(), 10 - 3 - 2)]);
    assert_eq!(stock(&products, &plate), [(w.id.clone(), 3)]);
    assert!(store.orders_awaiting_wz(10, 0).await.unwrap().is_empty());
    // wz-1 is cancelled: four processes give its stock back, once.
    let mut cancelled = order_of(&t, &a, "wz-1", "{\"status\":\"CANCELLED\"}", OrderSource::Allegro);
    cancelled.status = "CANCELLED".into();
    store.save_orders(&a, &[cancelled], None, 70).await.unwrap();
    let due: Vec<String> = store
        .orders_awaiting_wz_cancel(10)
        .await
        .unwrap()
        .into_iter()
        .map(|(_, o)| o.to_string())
        .collect();
    assert_eq!(due, ["wz-1"]);
    let mut tasks = Vec::new();
    for _ in 0..4 {
        let (store, org) = (Arc::clone(&store), t.org.clone());
        tasks.push(tokio::spawn(async move {
            store.cancel_wz(&org, &id("wz-1"), 80).await.unwrap()
        }));
    }
    let mut restored = 0;
    for task in tasks {
        restored += usize::from(task.await.unwrap().is_some());
    }
    assert_eq!(restored, 1);
    assert!(store.orders_awaiting_wz_cancel(10).await.unwrap().is_empty());
    assert_eq!(
        store.wz_for_order(&t.org, &id("wz-1")).await.unwrap().unwrap().state,
        domain::WzState::Cancelled
    );
    let products = store.products(&t.org).await.unwrap();
    assert_eq!(stock(&products, &mug), [(w.id.clone(), 8)]);
    assert_eq!(stock(&products, &plate), [(w.id.clone(), 4)]);
    // Every stock level is the sum of its movements.
    let movements = store.stock_movements(&t.org, 100).await.unwrap();
    for p in &products {
        let sum: i64 = movements.iter().filter(|m| m.product_id == p.id).map(|m| m.delta).sum();
        assert_eq!(p.stock, [(w.id.clone(), sum)], "{}", p.sku);
    }
    assert_eq!(movements.len(), 2 + 2 + 1 + 2);
    assert!(store.stock_movements(&other.org, 100).await.unwrap().is_empty());
    let docs = store.warehouse_documents(&t.org, 10).await.unwrap();
    assert_eq!(
        docs.iter().map(|d| d.number.as_str()).collect::<Vec<_>>(),
        ["WZ/2/2026", "WZ/1/2026"]
    );
}
