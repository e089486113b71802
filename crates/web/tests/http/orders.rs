//! Synced orders through the API and the back-office.

use super::*;

#[tokio::test]
async fn synced_orders_through_the_api() {
    let h = spawn_app().await;
    let (org, user) = testkit::owner(&h.app, "Firma", "anna@a.pl").await;
    let conn = testkit::own_app_connection(&h.app, &org, &h.emu, None).await;
    let app::LinkOutcome::Linked { account, .. } = testkit::link(&h.app, &user, &conn, &h.emu, "sklep-a", None).await
    else {
        panic!("linked")
    };
    let seller = h.app.account(&user, &account).await.unwrap().allegro_user_id;
    h.emu
        .emulator
        .generate_orders(
            &seller,
            allegro_emulator::OrderPlan {
                count: 120,
                seed: 8,
                days: 20,
                pending_share: 0.0,
                pay_within_seconds: 60,
            },
        )
        .unwrap();
    let report = h.app.sync_account(&account).await.unwrap();
    assert_eq!(report.counts.new, 120);
    let key = h.api_key(&org, "ERP").await;
    let api = Client::new();
    let get = |q: &str| {
        let (api, key, url) = (api.clone(), key.clone(), format!("{}/api/v1/orders{q}", h.base));
        async move { api.get(url).bearer_auth(key).send().await.unwrap() }
    };
    let all: Value = get("?limit=200").await.json().await.unwrap();
    assert_eq!(all["total"], 120);
    assert_eq!(all["orders"].as_array().unwrap().len(), 120);
    let page: Value = get("?limit=50&offset=100").await.json().await.unwrap();
    assert_eq!(page["orders"].as_array().unwrap().len(), 20);
    let cancelled: Value = get("?status=CANCELLED").await.json().await.unwrap();
    let n = cancelled["total"].as_i64().unwrap();
    assert!(n > 0 && n < 120);
    assert!(
        cancelled["orders"]
            .as_array()
            .unwrap()
            .iter()
            .all(|o| o["status"] == "CANCELLED")
    );
    let bad = get("?from=2026-13-01").await;
    assert_eq!(bad.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(bad.json::<Value>().await.unwrap()["field"], "from");
    let none: Value = get("?from=2099-01-01").await.json().await.unwrap();
    assert_eq!(none["total"], 0);
    let first = all["orders"][0]["id"].as_str().unwrap();
    let one: Value = api
        .get(format!("{}/api/v1/orders/{first}", h.base))
        .bearer_auth(&key)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(one["checkout_form"]["id"], first);
    let (other, _) = testkit::owner(&h.app, "Inna", "jan@b.pl").await;
    let other_key = h.api_key(&other, "x").await;
    let hidden = api
        .get(format!("{}/api/v1/orders/{first}", h.base))
        .bearer_auth(&other_key)
        .send()
        .await
        .unwrap();
    assert_eq!(hidden.status(), StatusCode::NOT_FOUND);
    let listed: Value = api
        .get(format!("{}/api/v1/orders", h.base))
        .bearer_auth(&other_key)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(listed["total"], 0);

    // The same orders in the back-office.
    let mut b = Browser::new(&h.base);
    b.login("anna@a.pl", testkit::PASSWORD).await;
    let (status, page, _) = b.get("/orders").await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("120 zamówień"), "Polish plural");
    assert_eq!(page.matches("<tr><td><a href=\"/orders/").count(), 50, "one page of 50");
    assert!(page.contains("id=\"next\""));
    let (_, page, _) = b.get("/orders?status=CANCELLED").await;
    assert!(page.contains(&format!("{n} zamówie")));
    let (_, page, _) = b.get("/orders?from=2026-99-01").await;
    assert!(page.contains("role=\"alert\""), "a bad date is explained");
    let (status, page, _) = b.get(&format!("/orders/{first}")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("<h2>Pozycje</h2>") && page.contains(first), "{page}");
    assert!(page.contains("<h2>Historia statusów</h2>"), "{page}");
    assert!(
        page.contains("<td id=\"payment\">Płatność online"),
        "payment shown: {page}"
    );
    assert!(page.contains("<table id=\"lines\""));
    let mut outsider = Browser::new(&h.base);
    outsider.login("jan@b.pl", testkit::PASSWORD).await;
    let (status, page, _) = outsider.get(&format!("/orders/{first}")).await;
    assert!(
        page.contains("class=\"error\" role=\"alert\"") && page.contains("href=\"/\" id=\"back\""),
        "an error says so as an alert and leads back: {page}"
    );
    assert_eq!(status, StatusCode::NOT_FOUND);
}
