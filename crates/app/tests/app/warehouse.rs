//! The warehouse against the emulator: products from the seller's offers by SKU, a WZ per
//! order at the chosen status taking stock once (two workers at once included), stock
//! given back once when the order is cancelled.

use std::collections::BTreeMap;

use allegro_client::types::{CheckoutForm, CheckoutFormStatus};

/// SKU → stock in the default warehouse.
async fn stock(shop: &testkit::Shop) -> BTreeMap<String, i64> {
    shop.app
        .products(&shop.user)
        .await
        .unwrap()
        .into_iter()
        .map(|p| (p.sku, p.stock.iter().map(|(_, q)| q).sum()))
        .collect()
}

/// SKU → pieces the order's lines take.
async fn wanted(shop: &testkit::Shop, order: &domain::OrderId) -> BTreeMap<String, i64> {
    let o = shop.app.order(&shop.user, order).await.unwrap();
    let form: CheckoutForm = serde_json::from_str(&o.data).unwrap();
    let mut out = BTreeMap::new();
    for li in form.line_items {
        *out.entry(li.offer.external.unwrap().id.unwrap()).or_default() += li.quantity;
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_wz_per_order_at_the_trigger_and_stock_back_on_cancellation() {
    let shop = testkit::Shop::new(&testkit::sqlite_url(), 501).await;
    let (seller, account) = shop.link_seller("magazyn-501").await;
    shop.paid_orders(&seller, 12, 501, 3);
    shop.app.sync_account(&account).await.unwrap();
    // Products: one per SKU of the seller's offers; a second read adds nothing.
    let read = shop.app.sync_products(&shop.user).await.unwrap();
    assert!(read.offers > 0 && read.new_products > 0, "{read:?}");
    assert_eq!(shop.app.sync_products(&shop.user).await.unwrap().new_products, 0);
    let products = shop.app.products(&shop.user).await.unwrap();
    for p in &products {
        assert_eq!(
            shop.app
                .adjust_stock(&shop.user, None, &p.id, 100, Some("PZ/1"))
                .await
                .unwrap(),
            100
        );
    }
    // Zero, and values past the bounds (i64::MIN once passed and broke every later
    // take-out), are refused; the stock is untouched.
    for quantity in [0, i64::MIN, i64::MAX, -1_000_001, 1_000_001] {
        assert!(
            matches!(
                shop.app
                    .adjust_stock(&shop.user, None, &products[0].id, quantity, None)
                    .await,
                Err(app::AppError::Validation { field: "quantity", .. })
            ),
            "{quantity}"
        );
    }
    assert!(matches!(
        shop.app
            .adjust_stock(
                &shop.user,
                None,
                &"00000000-0000-4000-8000-0000000000ff".parse().unwrap(),
                5,
                None
            )
            .await,
        Err(app::AppError::NotFound)
    ));
    // Nothing is issued until the seller picks a trigger.
    assert_eq!(shop.app.run_warehouse(100).await.unwrap(), (0, 0));
    assert!(matches!(
        shop.app
            .save_warehouse_settings(&shop.user, Some("DELIVERED"), None)
            .await,
        Err(app::AppError::Validation {
            field: "wz_trigger",
            ..
        })
    ));
    shop.app
        .save_warehouse_settings(&shop.user, Some("processing"), None)
        .await
        .unwrap();
    let orders: Vec<domain::OrderId> = shop
        .app
        .store()
        .account_orders(&account)
        .await
        .unwrap()
        .into_iter()
        .filter(|o| o.status == "READY_FOR_PROCESSING")
        .map(|o| o.id)
        .collect();
    // All back to NEW first (the generator's orders are at every stage), then half on.
    for o in &orders {
        shop.app.set_fulfillment(&shop.user, o, "NEW").await.unwrap();
    }
    let (moved, stays) = orders.split_at(orders.len() / 2);
    for o in moved {
        shop.app.set_fulfillment(&shop.user, o, "PROCESSING").await.unwrap();
    }
    // Two workers at once: one WZ per order, stock taken once.
    let other = shop.app.clone();
    let (a, b) = tokio::join!(shop.app.run_warehouse(100), other.run_warehouse(100));
    assert_eq!(a.unwrap().0 + b.unwrap().0, moved.len());
    let mut expected: BTreeMap<String, i64> = products.iter().map(|p| (p.sku.clone(), 100)).collect();
    for o in moved {
        let wz = shop.app.order_wz(&shop.user, o).await.unwrap().expect("a WZ");
        assert_eq!(wz.state, domain::WzState::Issued);
        for (sku, q) in wanted(&shop, o).await {
            *expected.get_mut(&sku).unwrap() -= q;
        }
    }
    for o in stays {
        assert!(
            shop.app.order_wz(&shop.user, o).await.unwrap().is_none(),
            "below the trigger"
        );
    }
    assert_eq!(stock(&shop).await, expected);
    assert_eq!(shop.app.run_warehouse(100).await.unwrap(), (0, 0), "nothing twice");
    let numbers: Vec<String> = shop
        .app
        .warehouse_documents(&shop.user)
        .await
        .unwrap()
        .into_iter()
        .map(|d| d.number)
        .collect();
    assert_eq!(numbers.len(), moved.len());
    assert!(numbers.iter().all(|n| n.starts_with("WZ/")), "{numbers:?}");
    // By hand, an order below the trigger gets its WZ; again, the same one.
    let (wz, created) = shop.app.issue_wz(&shop.user, &stays[0]).await.unwrap();
    assert!(created);
    let (again, created) = shop.app.issue_wz(&shop.user, &stays[0]).await.unwrap();
    assert_eq!((again.number, created), (wz.number.clone(), false));
    for (sku, q) in wanted(&shop, &stays[0]).await {
        *expected.get_mut(&sku).unwrap() -= q;
    }
    // The buyer cancels one: its stock comes back, once.
    let cancelled = &moved[0];
    shop.emu
        .emulator
        .move_order(cancelled, Some(CheckoutFormStatus::Cancelled), None)
        .unwrap();
    shop.app.sync_account(&account).await.unwrap();
    assert_eq!(shop.app.run_warehouse(100).await.unwrap(), (0, 1));
    assert_eq!(shop.app.run_warehouse(100).await.unwrap(), (0, 0));
    for (sku, q) in wanted(&shop, cancelled).await {
        *expected.get_mut(&sku).unwrap() += q;
    }
    assert_eq!(stock(&shop).await, expected);
    assert_eq!(
        shop.app.order_wz(&shop.user, cancelled).await.unwrap().unwrap().state,
        domain::WzState::Cancelled
    );
    // A second warehouse keeps its own stock; WZs keep taking from the issuing one.
    let krakow = shop.app.add_warehouse(&shop.user, "Magazyn Kraków").await.unwrap();
    assert!(matches!(
        shop.app.add_warehouse(&shop.user, " Magazyn Kraków ").await,
        Err(app::AppError::Validation { field: "name", .. })
    ));
    assert_eq!(
        shop.app
            .adjust_stock(&shop.user, Some(krakow.id.as_str()), &products[0].id, 7, None)
            .await
            .unwrap(),
        7
    );
    assert!(matches!(
        shop.app
            .adjust_stock(&shop.user, Some("elsewhere"), &products[0].id, 7, None)
            .await,
        Err(app::AppError::Validation {
            field: "warehouse_id",
            ..
        })
    ));
    *expected.get_mut(&products[0].sku).unwrap() += 7;
    assert_eq!(stock(&shop).await, expected, "the total counts both warehouses");
    let per_warehouse = shop.app.products(&shop.user).await.unwrap().remove(0).stock;
    assert_eq!(per_warehouse.len(), 2, "{per_warehouse:?}");
    assert!(per_warehouse.contains(&(krakow.id.clone(), 7)));
    // Every level is the sum of its movements.
    let movements = shop.app.stock_movements(&shop.user).await.unwrap();
    for p in shop.app.products(&shop.user).await.unwrap() {
        for (warehouse, quantity) in &p.stock {
            let sum: i64 = movements
                .iter()
                .filter(|m| m.product_id == p.id && &m.warehouse_id == warehouse)
                .map(|m| m.delta)
                .sum();
            assert_eq!(*quantity, sum, "{} in {warehouse}", p.sku);
        }
    }
}

#[tokio::test]
async fn an_order_without_products_waits_and_says_why_until_products_are_read() {
    let shop = testkit::Shop::new(&testkit::sqlite_url(), 502).await;
    let (seller, account) = shop.link_seller("magazyn-502").await;
    shop.paid_orders(&seller, 4, 502, 3);
    shop.app.sync_account(&account).await.unwrap();
    let order = shop
        .app
        .store()
        .account_orders(&account)
        .await
        .unwrap()
        .into_iter()
        .find(|o| o.status == "READY_FOR_PROCESSING")
        .unwrap()
        .id;
    shop.app.set_fulfillment(&shop.user, &order, "SENT").await.unwrap();
    shop.app
        .save_warehouse_settings(&shop.user, Some("SENT"), None)
        .await
        .unwrap();
    // No products yet: nothing issued, the reason kept, and the order not tried again at
    // once (it would hold up the orders behind it).
    assert_eq!(shop.app.run_warehouse(100).await.unwrap(), (0, 0));
    let (attempts, why) = shop
        .app
        .order_task_failure(&shop.user, &order, domain::OrderTask::Wz)
        .await
        .unwrap()
        .expect("a reason");
    assert_eq!(attempts, 1);
    let why = app::Problem::from_stored(&why).expect("a problem");
    assert_eq!(why.key, "problem-wz-not-a-product", "{why}");
    assert_eq!(shop.app.run_warehouse(100).await.unwrap(), (0, 0));
    assert_eq!(
        shop.app
            .order_task_failure(&shop.user, &order, domain::OrderTask::Wz)
            .await
            .unwrap()
            .unwrap()
            .0,
        1,
        "not retried yet"
    );
    // Reading products lets it through at the next pass.
    shop.app.sync_products(&shop.user).await.unwrap();
    let (issued, _) = shop.app.run_warehouse(100).await.unwrap();
    assert!(issued >= 1);
    assert!(shop.app.order_wz(&shop.user, &order).await.unwrap().is_some());
}
