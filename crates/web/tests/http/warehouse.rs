//! The warehouse through the API and its screens.

use super::*;

#[tokio::test]
async fn the_warehouse_through_the_api() {
    let h = spawn_app().await;
    let (org, _, account, _) = owner_with_orders(&h, 8, 23, 5).await;
    h.app.sync_account(&account).await.unwrap();
    let key = h.api_key(&org, "WMS").await;
    let api = Client::new();
    let url = |p: &str| format!("{}{p}", h.base);
    let get = |p: &str| api.get(url(p)).bearer_auth(&key).send();
    let products: Value = get("/api/v1/products").await.unwrap().json().await.unwrap();
    assert_eq!(products["products"], json!([]));
    let order = h.app.store().account_orders(&account).await.unwrap().remove(0);
    // No products yet: the WZ names the line it cannot take.
    let r = api
        .post(url(&format!("/api/v1/orders/{}/wz", order.id)))
        .bearer_auth(&key)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.json::<Value>().await.unwrap()["field"], "products");
    let read: Value = api
        .post(url("/api/v1/products/sync"))
        .bearer_auth(&key)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(read["new_products"].as_u64().unwrap() > 0, "{read}");
    let products: Value = get("/api/v1/products").await.unwrap().json().await.unwrap();
    let first = &products["products"][0];
    let id = first["id"].as_str().unwrap();
    assert!(first["sku"].as_str().unwrap().starts_with("SKU-"), "{first}");
    for p in products["products"].as_array().unwrap() {
        let r = api
            .post(url(&format!("/api/v1/products/{}/stock", p["id"].as_str().unwrap())))
            .bearer_auth(&key)
            .json(&json!({"quantity": 50, "note": "PZ/1/2026"}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK);
        assert_eq!(r.json::<Value>().await.unwrap()["quantity"], 50);
    }
    let r = api
        .post(url(&format!("/api/v1/products/{id}/stock")))
        .bearer_auth(&key)
        .json(&json!({"quantity": 0}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let r = api
        .put(url("/api/v1/warehouse-settings"))
        .bearer_auth(&key)
        .json(&json!({"wz_trigger": "DELIVERED"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let r = api
        .put(url("/api/v1/warehouse-settings"))
        .bearer_auth(&key)
        .json(&json!({"wz_trigger": "SENT"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    let settings: Value = get("/api/v1/warehouse-settings").await.unwrap().json().await.unwrap();
    assert_eq!(settings["wz_trigger"], "SENT");
    // A second warehouse: its own stock, and WZs may take from it.
    let r = api
        .post(url("/api/v1/warehouses"))
        .bearer_auth(&key)
        .json(&json!({"name": "Magazyn Gdańsk"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
    let gdansk: Value = r.json().await.unwrap();
    let again = api
        .post(url("/api/v1/warehouses"))
        .bearer_auth(&key)
        .json(&json!({"name": "Magazyn Gdańsk"}))
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let all: Value = get("/api/v1/warehouses").await.unwrap().json().await.unwrap();
    assert_eq!(all["warehouses"].as_array().unwrap().len(), 2, "{all}");
    let r = api
        .post(url(&format!("/api/v1/products/{id}/stock")))
        .bearer_auth(&key)
        .json(&json!({"quantity": 9, "warehouse_id": gdansk["id"]}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.json::<Value>().await.unwrap()["quantity"], 9);
    let products: Value = get("/api/v1/products").await.unwrap().json().await.unwrap();
    assert_eq!(
        products["products"][0]["stock"].as_array().unwrap().len(),
        2,
        "{products}"
    );
    // By hand: 201, then 200 with the same document.
    let r = api
        .post(url(&format!("/api/v1/orders/{}/wz", order.id)))
        .bearer_auth(&key)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
    let wz: Value = r.json().await.unwrap();
    assert!(wz["number"].as_str().unwrap().starts_with("WZ/1/"), "{wz}");
    let r = api
        .post(url(&format!("/api/v1/orders/{}/wz", order.id)))
        .bearer_auth(&key)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.json::<Value>().await.unwrap()["id"], wz["id"]);
    let got: Value = get(&format!("/api/v1/orders/{}/wz", order.id))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(got["number"], wz["number"]);
    let docs: Value = get("/api/v1/warehouse-documents").await.unwrap().json().await.unwrap();
    assert_eq!(docs["documents"].as_array().unwrap().len(), 1);
    let moves: Value = get("/api/v1/stock-movements").await.unwrap().json().await.unwrap();
    let out: i64 = moves["movements"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["reason"] == "wz")
        .map(|m| m["delta"].as_i64().unwrap())
        .sum();
    let taken: i64 = wz["lines"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["quantity"].as_i64().unwrap())
        .sum();
    assert_eq!(out, -taken);
}

#[tokio::test]
async fn the_warehouse_screens() {
    let h = spawn_app().await;
    let (_, user, account, _) = owner_with_orders(&h, 6, 24, 5).await;
    h.app.sync_account(&account).await.unwrap();
    let mut b = Browser::new(&h.base);
    b.login("anna@a.pl", testkit::PASSWORD).await;
    let (status, page, _) = b.get("/warehouse").await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("Pobierz produkty z Allegro"), "{page}");
    let csrf = Browser::csrf(&page);
    let (status, _, location) = b.post("/warehouse/sync", &[("_csrf", csrf.as_str())]).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (_, page, _) = b.get(&location.unwrap()).await;
    assert!(
        page.contains("id=\"warehouse-notice\"") && page.contains("<table id=\"stock\""),
        "{page}"
    );
    let products = h.app.products(&user).await.unwrap();
    let product = &products[0];
    let (status, page, _) = b
        .post(
            "/warehouse/receipts",
            &[
                ("_csrf", csrf.as_str()),
                ("product_id", product.id.as_str()),
                ("quantity", "dwa"),
                ("note", ""),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("id=\"warehouse-error\""), "{page}");
    let (status, _, _) = b
        .post(
            "/warehouse/receipts",
            &[
                ("_csrf", csrf.as_str()),
                ("product_id", product.id.as_str()),
                ("quantity", "25"),
                ("note", "PZ/7"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (status, _, _) = b
        .post(
            "/warehouse/settings",
            &[("_csrf", csrf.as_str()), ("wz_trigger", "SENT")],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (status, _, _) = b
        .post(
            "/warehouse/warehouses",
            &[("_csrf", csrf.as_str()), ("name", "Magazyn Poznań")],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (status, page, _) = b
        .post("/warehouse/warehouses", &[("_csrf", csrf.as_str()), ("name", "")])
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{page}");
    let (_, page, _) = b.get("/warehouse").await;
    assert!(page.contains("<option value=\"SENT\" selected"), "{page}");
    assert!(
        page.contains("<th class=\"num\">Magazyn Poznań</th>"),
        "a column per warehouse: {page}"
    );
    assert!(
        page.contains("PZ/7") && page.contains("przyjęcie"),
        "the movement is listed: {page}"
    );
    // "Wystaw WZ" on an order whose products are known.
    let order = h.app.store().account_orders(&account).await.unwrap().remove(0);
    let path = format!("/orders/{}", order.id);
    let (_, page, _) = b.get(&path).await;
    assert!(page.contains("id=\"issue-wz\""), "{page}");
    let (status, _, _) = b.post(&format!("{path}/wz"), &[("_csrf", csrf.as_str())]).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (_, page, _) = b.get(&path).await;
    assert!(
        page.contains("WZ/1/") && page.contains("wydano") && !page.contains("id=\"issue-wz\""),
        "{page}"
    );
    let (_, page, _) = b.get("/warehouse").await;
    assert!(
        page.contains("<table id=\"documents\"") && page.contains("wydanie (WZ)"),
        "{page}"
    );
}
