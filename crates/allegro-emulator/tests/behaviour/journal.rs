//! The order journal: quirks on demand, scheduled payments, retention windows.

use super::*;

#[tokio::test]
async fn journal_quirks_on_demand() {
    let plan = OrderPlan {
        count: 200,
        seed: 2,
        days: 10,
        pending_share: 0.0,
        pay_within_seconds: 60,
    };
    let count = |events: &[Value], t: &str| events.iter().filter(|e| e["type"] == t).count();

    let emu = emulator().await;
    let (id, _) = app(&emu, None);
    let clean_seller = emu.emulator.create_seller("czysty", "x").unwrap();
    emu.emulator.generate_orders(&clean_seller, plan).unwrap();
    let token = mint(&emu, &id, Some(&clean_seller)).await["access_token"]
        .as_str()
        .unwrap()
        .to_owned();
    let clean = all_events(&emu, &token).await;
    let ready_clean = count(&clean, "READY_FOR_PROCESSING");
    assert!(ready_clean > 100);
    assert!(
        clean
            .windows(2)
            .all(|w| w[0]["occurredAt"].as_str() <= w[1]["occurredAt"].as_str()),
        "clean journal is in time order"
    );

    // Same seed on a second emulator, with every quirk on.
    let emu = emulator().await;
    let (id, _) = app(&emu, None);
    let seller = emu.emulator.create_seller("czysty", "x").unwrap();
    emu.emulator
        .set_faults(Faults {
            skip_ready_for_processing: 0.3,
            duplicate_events: 0.2,
            out_of_order_events: 0.2,
            ..Faults::default()
        })
        .unwrap();
    emu.emulator.generate_orders(&seller, plan).unwrap();
    let token = mint(&emu, &id, Some(&seller)).await["access_token"]
        .as_str()
        .unwrap()
        .to_owned();
    let quirky = all_events(&emu, &token).await;
    let ready = count(&quirky, "READY_FOR_PROCESSING");
    assert!(
        ready < ready_clean,
        "some READY_FOR_PROCESSING were skipped: {ready} vs {ready_clean}"
    );
    let keys: Vec<(String, String)> = quirky
        .iter()
        .map(|e| {
            (
                e["order"]["checkoutForm"]["id"].as_str().unwrap().to_owned(),
                e["type"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    let unique: std::collections::HashSet<_> = keys.iter().collect();
    assert!(unique.len() < keys.len(), "some events are duplicated under new ids");
    assert!(
        quirky
            .windows(2)
            .any(|w| w[0]["occurredAt"].as_str() > w[1]["occurredAt"].as_str()),
        "some events arrive late"
    );
    assert!(
        quirky
            .windows(2)
            .all(|w| w[0]["id"].as_str().unwrap().parse::<u64>().unwrap()
                < w[1]["id"].as_str().unwrap().parse::<u64>().unwrap()),
        "ids still increase"
    );
    // The orders themselves are all there, whatever the journal says.
    let page: Value = Client::new()
        .get(format!("{}/order/checkout-forms?limit=1", emu.base_url))
        .bearer_auth(&token)
        .header("accept", V1)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(page["totalCount"], 200);
}

#[tokio::test]
async fn pending_orders_get_paid_as_the_clock_moves_and_windows_age_out() {
    let emu = emulator().await;
    let (id, _) = app(&emu, None);
    let seller = emu.emulator.create_seller("zegar", "x").unwrap();
    emu.emulator
        .generate_orders(
            &seller,
            OrderPlan {
                count: 20,
                seed: 8,
                days: 2,
                pending_share: 1.0,
                pay_within_seconds: 300,
            },
        )
        .unwrap();
    let token = mint(&emu, &id, Some(&seller)).await["access_token"]
        .as_str()
        .unwrap()
        .to_owned();
    let http = Client::new();
    let get = |path: String| {
        let (http, token, base) = (http.clone(), token.clone(), emu.base_url.clone());
        async move {
            http.get(format!("{base}{path}"))
                .bearer_auth(token)
                .header("accept", V1)
                .send()
                .await
                .unwrap()
                .json::<Value>()
                .await
                .unwrap()
        }
    };
    let ready = get("/order/checkout-forms?status=READY_FOR_PROCESSING".into()).await;
    assert_eq!(ready["totalCount"], 0, "nothing paid yet");
    let stats = get("/order/event-stats".into()).await;
    let before = stats["latestEvent"]["id"]
        .as_str()
        .unwrap_or_else(|| panic!("{stats}"))
        .to_owned();
    emu.emulator.advance_clock(301);
    let ready = get("/order/checkout-forms?status=READY_FOR_PROCESSING".into()).await;
    assert_eq!(ready["totalCount"], 20, "all paid within 300 s");
    let new_events = get(format!("/order/events?from={before}&type=READY_FOR_PROCESSING")).await;
    assert_eq!(new_events["events"].as_array().unwrap().len(), 20);
    // The journal keeps 60 days, orders 365 (fresh tokens: the old one lived 12 h).
    emu.emulator.advance_clock(61 * 86_400);
    let token = mint(&emu, &id, Some(&seller)).await["access_token"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(
        get_json(&emu, &token, "/order/events").await["events"]
            .as_array()
            .unwrap()
            .is_empty()
    );
    assert!(get_json(&emu, &token, "/order/event-stats").await["latestEvent"].is_null());
    assert_eq!(get_json(&emu, &token, "/order/checkout-forms").await["totalCount"], 20);
    emu.emulator.advance_clock(305 * 86_400);
    let token = mint(&emu, &id, Some(&seller)).await["access_token"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(get_json(&emu, &token, "/order/checkout-forms").await["totalCount"], 0);
}
