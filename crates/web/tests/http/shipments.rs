//! Waybills through the API and the order page.

use super::*;

#[tokio::test]
async fn waybills_through_the_api_and_the_order_page() {
    let h = spawn_app().await;
    let (org, user, account, _) = owner_with_orders(&h, 10, 21, 5).await;
    h.app.sync_account(&account).await.unwrap();
    let key = h.api_key(&org, "WMS").await;
    let api = Client::new();
    let url = |p: &str| format!("{}{p}", h.base);
    let orders = h.app.store().account_orders(&account).await.unwrap();
    let (first, second) = (&orders[0], &orders[1]);
    let post = |order: &str, body: Value| {
        api.post(url(&format!("/api/v1/orders/{order}/shipments")))
            .bearer_auth(&key)
            .json(&body)
            .send()
    };
    // Carriers as Allegro lists them.
    let carriers: Value = api
        .get(url("/api/v1/carriers"))
        .bearer_auth(&key)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(
        carriers["carriers"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["id"] == "INPOST"),
        "{carriers}"
    );
    // Wrong input names its field: too long, unknown carrier, OTHER without a name, a
    // line item of another order, an unknown key.
    for (body, field) in [
        (json!({"carrier_id": "INPOST", "waybill": "1".repeat(65)}), "waybill"),
        (json!({"carrier_id": "NO_SUCH", "waybill": "1"}), "carrier_id"),
        (json!({"carrier_id": "OTHER", "waybill": "1"}), "carrier_name"),
        (
            json!({"carrier_id": "DPD", "waybill": "1", "line_items": ["x-1"]}),
            "line_items",
        ),
    ] {
        let r = post(first.id.as_str(), body.clone()).await.unwrap();
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert_eq!(r.json::<Value>().await.unwrap()["field"], field, "{body}");
    }
    let r = post(first.id.as_str(), json!({"carrier_id": "DPD", "waybil": "1"}))
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    assert!(
        h.app.order_shipments(&user, &first.id).await.unwrap().is_empty(),
        "nothing stored"
    );
    let r = post("no-such-order", json!({"carrier_id": "DPD", "waybill": "1"}))
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    // Added (201), again (200, the same one), listed with its push state.
    let r = post(
        first.id.as_str(),
        json!({"carrier_id": "inpost", "waybill": " 620000000000000000000001 "}),
    )
    .await
    .unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
    let added: Value = r.json().await.unwrap();
    assert_eq!(
        (added["carrier_id"].as_str(), added["waybill"].as_str()),
        (Some("INPOST"), Some("620000000000000000000001"))
    );
    assert_eq!(added["allegro"]["state"], "pending");
    let r = post(
        first.id.as_str(),
        json!({"carrier_id": "INPOST", "waybill": "620000000000000000000001"}),
    )
    .await
    .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.json::<Value>().await.unwrap()["id"], added["id"]);
    h.app.push_due_shipments(10).await.unwrap();
    let listed: Value = api
        .get(url(&format!("/api/v1/orders/{}/shipments", first.id)))
        .bearer_auth(&key)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let one = &listed["shipments"][0];
    assert_eq!(listed["shipments"].as_array().unwrap().len(), 1);
    assert_eq!(one["allegro"]["state"], "pushed", "{listed}");
    assert!(one["allegro"]["shipment_id"].is_string());
    assert_eq!(h.emu.emulator.order_shipments(first.id.as_str()).len(), 1);
    let r = api
        .post(url(&format!(
            "/api/v1/shipments/{}/resend",
            one["id"].as_str().unwrap()
        )))
        .bearer_auth(&key)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CONFLICT, "already on Allegro");

    // The order page: the form, a mistake kept with what was typed, then the waybill.
    let mut b = Browser::new(&h.base);
    b.login("anna@a.pl", testkit::PASSWORD).await;
    let path = format!("/orders/{}", second.id);
    let (status, page, _) = b.get(&path).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        page.contains("id=\"add-waybill\"") && page.contains("<option value=\"DPD\""),
        "{page}"
    );
    let csrf = Browser::csrf(&page);
    let too_long = "9".repeat(65);
    let (status, page, _) = b
        .post(
            &format!("{path}/shipments"),
            &[
                ("_csrf", csrf.as_str()),
                ("carrier_id", "DPD"),
                ("carrier_name", ""),
                ("waybill", too_long.as_str()),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("id=\"waybill-error\"") && page.contains("64"), "{page}");
    assert!(
        page.contains("<option value=\"DPD\" selected"),
        "the chosen carrier stays"
    );
    let (status, _, location) = b
        .post(
            &format!("{path}/shipments"),
            &[
                ("_csrf", csrf.as_str()),
                ("carrier_id", "DPD"),
                ("carrier_name", ""),
                ("waybill", "0000007268757Q"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert!(location.unwrap().contains("#shipments"));
    let (_, page, _) = b.get(&path).await;
    assert!(
        page.contains("0000007268757Q") && page.contains("Czeka na wysłanie"),
        "{page}"
    );
    h.app.push_due_shipments(10).await.unwrap();
    let (_, page, _) = b.get(&path).await;
    assert!(page.contains("Na zamówieniu w Allegro od"), "{page}");

    // Fulfilment: through the API, then the order page's form.
    let put = |status: &str| {
        api.put(url(&format!("/api/v1/orders/{}/fulfillment", second.id)))
            .bearer_auth(&key)
            .json(&json!({"status": status}))
            .send()
    };
    let r = put("processing").await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.json::<Value>().await.unwrap()["fulfillment_status"], "PROCESSING");
    let r = put("RETURNED").await.unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.json::<Value>().await.unwrap()["field"], "status");
    let (_, page, _) = b.get(&path).await;
    assert!(
        page.contains("<option value=\"PROCESSING\" selected"),
        "the form shows Allegro's status"
    );
    let csrf = Browser::csrf(&page);
    let (status, _, location) = b
        .post(
            &format!("{path}/fulfillment"),
            &[("_csrf", csrf.as_str()), ("status", "SENT")],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert!(location.unwrap().starts_with("/orders/"));
    let (_, page, _) = b.get(&path).await;
    assert!(page.contains("<span id=\"fulfillment\">Wysłane</span>"), "{page}");

    // A CSV of waybills on the Import page: a bad line refuses the whole file.
    let (_, page, _) = b.get("/imports").await;
    let csrf = Browser::csrf(&page);
    let third = &orders[2].id;
    let bad = format!("{third};DPD;W-1\nnie-ma-takiego;DPD;W-2\n");
    let (status, page, _) = b
        .upload(
            &format!("/imports/waybills?_csrf={csrf}"),
            &[("encoding", "auto")],
            ("listy.csv", bad.as_bytes()),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        page.contains("listy.csv, wiersz 2, kolumna 1 (order id): w Twojej firmie nie ma zamówienia"),
        "{page}"
    );
    assert!(h.app.order_shipments(&user, third).await.unwrap().is_empty());
    let good = format!("{third};DPD;W-1\n{};INPOST;620000000000000000000001\n", first.id);
    let (status, page, _) = b
        .upload(
            &format!("/imports/waybills?_csrf={csrf}"),
            &[("encoding", "auto")],
            ("listy.csv", good.as_bytes()),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        page.contains("id=\"waybills-done\"")
            && page.contains("Dodane numery przesyłek: 1")
            && page.contains("już były na zamówieniach: 1"),
        "{page}"
    );
    // A disconnected account: the waybill waits, and the page says why at once.
    h.app.disconnect(&user, &account).await.unwrap();
    let fourth = format!("/orders/{}", orders[3].id);
    let (status, _, _) = b
        .post(
            &format!("{fourth}/shipments"),
            &[
                ("_csrf", csrf.as_str()),
                ("carrier_id", "DPD"),
                ("carrier_name", ""),
                ("waybill", "QUEUED-1"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (_, page, _) = b.get(&fourth).await;
    assert!(
        page.contains("QUEUED-1") && page.contains("konto Allegro jest odłączone"),
        "{page}"
    );
}
