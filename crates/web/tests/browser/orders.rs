//! Orders in a real browser: the order page, waybills.

use super::*;

#[tokio::test]
async fn a_waybill_in_a_real_browser_reaches_the_allegro_order() {
    let h = spawn_app().await;
    let (_driver_process, port) = chromedriver().await;
    let account = shop_with_orders(&h, 6, 31).await;
    let order = h.app.store().account_orders(&account).await.unwrap().remove(0);
    let d = browser(port).await;
    log_in(&d, &h.base).await;
    d.goto(format!("{}/orders/{}", h.base, order.id)).await.unwrap();
    d.query(By::Css("#waybill-carrier option[value=DPD]"))
        .first()
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    fill(&d, "waybill-number", "0000007268757Q").await;
    click_nav(&d, "#add-waybill-submit").await;
    let row = text_of(&d, "#waybills tbody tr").await;
    assert!(row.contains("DPD") && row.contains("0000007268757Q"), "{row}");
    assert!(row.contains("Czeka na wysłanie"), "{row}");
    // The worker's pass; the page then shows what Allegro has.
    assert_eq!(h.app.push_due_shipments(10).await.unwrap().delivered, 1);
    d.refresh().await.unwrap();
    let row = text_of(&d, "#waybills tbody tr").await;
    assert!(row.contains("Na zamówieniu w Allegro"), "{row}");
    let on_allegro: Vec<_> = h
        .emu
        .emulator
        .order_shipments(order.id.as_str())
        .into_iter()
        .map(|(carrier, number, _)| (carrier, number))
        .collect();
    assert_eq!(on_allegro, [("DPD".to_owned(), "0000007268757Q".to_owned())]);
    screenshot(&d, "backoffice-waybill.png").await;
    d.quit().await.unwrap();
}

/// An order's page says what a seller ships with: the buyer's e-mail and phone, where the
/// parcel goes, what delivery cost, how it was paid in words; a cancelled order offers
/// neither "Wystaw WZ" nor a waybill form.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_orders_page_says_what_a_seller_ships_with() {
    let h = spawn_app().await;
    let (_driver_process, port) = chromedriver().await;
    let account = shop_with_orders(&h, 6, 31).await;
    let orders = h.app.store().account_orders(&account).await.unwrap();
    let order = orders.iter().find(|o| o.status.is_ready_for_processing()).unwrap();
    let form: app::allegro_types::CheckoutForm = serde_json::from_str(&order.data).unwrap();
    let d = browser(port).await;
    log_in(&d, &h.base).await;
    d.goto(format!("{}/orders/{}", h.base, order.id)).await.unwrap();
    let buyer = text_of(&d, "#buyer").await;
    assert!(buyer.contains(&form.buyer.email), "{buyer}");
    if let Some(phone) = &form.buyer.phone_number {
        assert!(buyer.contains(phone.as_str()), "{buyer}");
    }
    let delivery = text_of(&d, "#delivery").await;
    assert!(delivery.contains("Koszt dostawy:"), "{delivery}");
    let where_to = form.delivery.as_ref().unwrap();
    match (&where_to.pickup_point, &where_to.address) {
        (Some(point), _) => assert!(
            point
                .address
                .as_ref()
                .and_then(|a| a.city.as_deref())
                .is_none_or(|city| delivery.contains(city)),
            "the pickup point's address: {delivery}"
        ),
        (None, Some(address)) => assert!(
            delivery.contains(&address.street) && delivery.contains(&address.zip_code),
            "the full address: {delivery}"
        ),
        (None, None) => {}
    }
    // Every amount in one Polish form: "1 299,00 PLN", never "1299,00".
    let amounts = d
        .execute(
            "return [...document.querySelectorAll('#lines tbody td:nth-child(3)')].map(c => c.textContent);",
            vec![],
        )
        .await
        .unwrap()
        .convert::<Vec<String>>()
        .unwrap();
    let polish = |text: &str| {
        let (number, currency) = text.rsplit_once(' ').unwrap_or((text, ""));
        let (whole, grosze) = number.split_once(',').unwrap_or((number, ""));
        let groups: Vec<&str> = whole.split('\u{a0}').collect();
        currency.len() == 3
            && grosze.len() == 2
            && groups[0].len() <= 3
            && groups[1..].iter().all(|g| g.len() == 3)
            && groups
                .iter()
                .all(|g| !g.is_empty() && g.chars().all(|c| c.is_ascii_digit()))
    };
    assert!(!amounts.is_empty() && amounts.iter().all(|a| polish(a)), "{amounts:?}");
    let payment = text_of(&d, "#payment").await;
    assert!(
        ["Płatność online", "Za pobraniem", "Przelew tradycyjny"]
            .iter()
            .any(|w| payment.starts_with(w)),
        "payment in words: {payment}"
    );
    assert!(d.find(By::Id("issue-wz")).await.is_ok() && d.find(By::Id("add-waybill")).await.is_ok());
    screenshot(&d, "backoffice-order.png").await;
    // Cancelled on Allegro: nothing left to ship.
    h.emu
        .emulator
        .move_order(&order.id, Some(allegro_api_types::CheckoutFormStatus::Cancelled), None)
        .unwrap();
    h.app.sync_account(&account).await.unwrap();
    d.goto(format!("{}/orders/{}", h.base, order.id)).await.unwrap();
    assert!(text_of(&d, "#cancelled-note").await.contains("Zamówienie anulowane"));
    assert!(d.find(By::Id("issue-wz")).await.is_err(), "no Wystaw WZ");
    assert!(d.find(By::Id("add-waybill")).await.is_err(), "no waybill form");
    d.quit().await.unwrap();
}
