//! Times and dates are Polish (Europe/Warsaw): pages show wall-clock times, date filters are
//! Polish calendar days, the API answers RFC 3339 with Poland's offset, and a day that does
//! not exist is refused rather than rolled over.

use reqwest::{Client, StatusCode, header};
use serde_json::Value;

use super::{Browser, owner_with_orders, spawn_app};

#[tokio::test]
async fn a_purchase_at_23_30_polish_time_on_the_31st_belongs_to_the_31st() {
    let h = spawn_app().await;
    let (org, _user, account, _) = owner_with_orders(&h, 0, 1, 1).await;
    let key = h.api_key(&org, "ERP").await;
    let api = Client::new();
    // 23:30 on 31 October in Warsaw (CET since the 25th) is 22:30 UTC: still the 31st in
    // both. 00:30 on 1 December in Warsaw is 23:30 UTC on 30 November.
    let csv = "order_id;bought_at;buyer_login;offer_name;quantity;unit_price\n\
               PL-LATE;2026-10-31 23:30;nocny;Kubek;1;10,00\n\
               PL-EARLY;2026-12-01 00:30;ranny;Talerz;1;20,00\n";
    let uploaded = api
        .post(format!("{}/api/v1/imports/file?account={account}&name=noc.csv", h.base))
        .bearer_auth(&key)
        .header(header::CONTENT_TYPE, "text/csv")
        .body(csv)
        .send()
        .await
        .unwrap();
    assert_eq!(
        uploaded.status(),
        StatusCode::CREATED,
        "{}",
        uploaded.text().await.unwrap()
    );
    let get = |q: &str| {
        let (api, key, url) = (api.clone(), key.clone(), format!("{}/api/v1/orders{q}", h.base));
        async move { api.get(url).bearer_auth(key).send().await.unwrap() }
    };
    let ids = |v: &Value| -> Vec<String> {
        let mut ids: Vec<String> = v["orders"]
            .as_array()
            .unwrap()
            .iter()
            .map(|o| o["id"].as_str().unwrap().to_owned())
            .collect();
        ids.sort();
        ids
    };
    let oct31: Value = get("?from=2026-10-31&to=2026-10-31").await.json().await.unwrap();
    assert_eq!(ids(&oct31), ["PL-LATE"], "{oct31}");
    let nov: Value = get("?from=2026-11-01&to=2026-11-30").await.json().await.unwrap();
    assert_eq!(
        ids(&nov),
        Vec::<String>::new(),
        "00:30 Polish time on 1 December is not November: {nov}"
    );
    let dec1: Value = get("?from=2026-12-01&to=2026-12-01").await.json().await.unwrap();
    assert_eq!(ids(&dec1), ["PL-EARLY"], "{dec1}");
    let late = oct31["orders"][0]["bought_at"].as_str().unwrap();
    assert_eq!(late, "2026-10-31T23:30:00+01:00", "RFC 3339 with Poland's offset");
    let early: Value = get("?from=2026-12-01").await.json().await.unwrap();
    assert_eq!(early["orders"][0]["bought_at"], "2026-12-01T00:30:00+01:00");

    // Days that do not exist are refused, naming the parameter, not read as 3 March.
    for bad in ["2026-02-31", "2026-2-3", "31.10.2026"] {
        let r = get(&format!("?from={bad}")).await;
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY, "{bad}");
        assert_eq!(r.json::<Value>().await.unwrap()["field"], "from", "{bad}");
    }

    // The back-office shows Polish wall-clock times and filters by Polish days too.
    let mut b = Browser::new(&h.base);
    b.login("anna@a.pl", testkit::PASSWORD).await;
    let (_, page, _) = b.get("/orders?from=2026-10-31&to=2026-10-31").await;
    assert!(page.contains("2026-10-31 23:30"), "{page}");
    assert!(!page.contains("PL-EARLY") && !page.contains("UTC"), "{page}");
    let (_, page, _) = b.get("/orders/PL-EARLY").await;
    assert!(page.contains("2026-12-01 00:30"), "{page}");
    let (_, page, _) = b.get("/orders?from=2026-02-31").await;
    assert!(
        page.contains("role=\"alert\""),
        "a day that does not exist is explained: {page}"
    );
}
