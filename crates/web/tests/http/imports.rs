//! Imports through the API and the import screens, with the orders list's filters.

use super::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn imports_through_the_api() {
    let h = spawn_app().await;
    let (org, _, account, n) = owner_with_orders(&h, 250, 2, 5).await;
    let key = h.api_key(&org, "ERP").await;
    let api = Client::new();
    // Polish calendar days, as import ranges are read.
    let today = domain::time::polish_day_text(h.app.now_ms());
    let week_ago = domain::time::polish_day_text(h.app.now_ms() - 7 * 86_400_000);
    let start = |from: &str, to: &str| {
        let (api, key) = (api.clone(), key.clone());
        let url = format!("{}/api/v1/accounts/{account}/imports", h.base);
        let body = json!({"from": from, "to": to});
        async move { api.post(url).bearer_auth(key).json(&body).send().await.unwrap() }
    };
    let queued = start(&week_ago, &today).await;
    assert_eq!(queued.status(), StatusCode::ACCEPTED);
    let location = queued.headers()[header::LOCATION].to_str().unwrap().to_owned();
    let queued: Value = queued.json().await.unwrap();
    assert_eq!(queued["state"], "queued");
    assert_eq!(location, format!("/api/v1/imports/{}", queued["id"].as_str().unwrap()));
    // Asked again while queued: the same import.
    let again: Value = start(&week_ago, &today).await.json().await.unwrap();
    assert_eq!(again["id"], queued["id"]);
    // A worker runs it.
    assert_eq!(h.app.run_due_jobs(60_000).await.unwrap(), 1);
    let done: Value = api
        .get(format!("{}{location}", h.base))
        .bearer_auth(&key)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(done["state"], "done", "{done}");
    assert_eq!(
        (
            done["new"].as_u64(),
            done["updated"].as_u64(),
            done["unchanged"].as_u64()
        ),
        (Some(n as u64), Some(0), Some(0))
    );
    assert_eq!(done["fetched"], n);
    // Ranges Allegro no longer keeps are refused, naming the field.
    let old = start("2020-01-01", "2020-02-01").await;
    assert_eq!(old.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let old: Value = old.json().await.unwrap();
    assert_eq!(old["field"], "from");
    // Worded in Polish by default, with the key and arguments for a client's own words…
    assert!(old["detail"].as_str().unwrap().contains("przez 12 miesięcy"), "{old}");
    assert_eq!(old["code"], "problem-range-too-old", "{old}");
    assert!(old["args"]["earliest"].is_string(), "{old}");
    // …and in English when the client asks for it.
    let english: Value = api
        .post(format!("{}/api/v1/accounts/{account}/imports", h.base))
        .bearer_auth(&key)
        .header(header::ACCEPT_LANGUAGE, "en-GB,en;q=0.9")
        .json(&json!({"from": "2020-01-01", "to": "2020-02-01"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(
        english["detail"]
            .as_str()
            .unwrap()
            .starts_with("Allegro keeps orders for 12 months"),
        "{english}"
    );

    // Files: a good Windows-1250 CSV, a broken one, and one naming an order Allegro sent.
    let corpus =
        std::path::PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").unwrap()).join("../order-files/tests/corpus");
    let upload = |name: &str, bytes: Vec<u8>, content_type: &str| {
        let (api, key) = (api.clone(), key.clone());
        let url = format!("{}/api/v1/imports/file?account={account}&name={name}", h.base);
        let ct = content_type.to_owned();
        async move {
            api.post(url)
                .bearer_auth(key)
                .header(header::CONTENT_TYPE, ct)
                .body(bytes)
                .send()
                .await
                .unwrap()
        }
    };
    let good = upload(
        "zamowienia.csv",
        std::fs::read(corpus.join("good-excel-1250.csv")).unwrap(),
        "text/csv; charset=windows-1250",
    )
    .await;
    assert_eq!(good.status(), StatusCode::CREATED);
    let good: Value = good.json().await.unwrap();
    assert_eq!((good["kind"].as_str(), good["new"].as_u64()), (Some("csv"), Some(2)));
    let held = h.app.store().account_orders(&account).await.unwrap().len();
    assert_eq!(held, n + 2);
    let bad = upload(
        "zle.csv",
        std::fs::read(corpus.join("broken-bad-amount.csv")).unwrap(),
        "text/csv",
    )
    .await;
    assert_eq!(bad.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let bad: Value = bad.json().await.unwrap();
    assert_eq!(bad["file"], "zle.csv");
    assert_eq!(bad["errors"][0]["line"], 2);
    assert_eq!(bad["errors"][0]["column"], 7);
    assert_eq!(bad["errors"][0]["field"], "unit_price");
    let from_allegro = h.app.store().account_orders(&account).await.unwrap()[5].id.clone();
    let csv = format!(
        "order_id;bought_at;buyer_login;offer_name;quantity;unit_price\n{from_allegro};2026-11-01 10:00;ktos;Kubek;1;10,00\n"
    );
    let dup: Value = upload("dup.csv", csv.into_bytes(), "text/csv")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        (dup["new"].as_u64(), dup["unchanged"].as_u64()),
        (Some(0), Some(1)),
        "{dup}"
    );
    assert_eq!(
        h.app.store().account_orders(&account).await.unwrap().len(),
        held,
        "nothing duplicated or added"
    );
    let xml = upload("x", std::fs::read(corpus.join("good.xml")).unwrap(), "application/xml").await;
    assert_eq!(xml.status(), StatusCode::CREATED);
    let list: Value = api
        .get(format!("{}/api/v1/imports", h.base))
        .bearer_auth(&key)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(list["imports"].as_array().unwrap().len(), 4, "{list}");
    // Another organisation sees none of it and cannot import into this account.
    let (other, _) = testkit::owner(&h.app, "Inna", "jan@b.pl").await;
    let other_key = h.api_key(&other, "x").await;
    let hidden = api
        .get(format!("{}{location}", h.base))
        .bearer_auth(&other_key)
        .send()
        .await
        .unwrap();
    assert_eq!(hidden.status(), StatusCode::NOT_FOUND);
    let foreign = api
        .post(format!("{}/api/v1/accounts/{account}/imports", h.base))
        .bearer_auth(&other_key)
        .json(&json!({"from": week_ago, "to": today}))
        .send()
        .await
        .unwrap();
    assert_eq!(foreign.status(), StatusCode::NOT_FOUND);
    let foreign = api
        .post(format!("{}/api/v1/imports/file?account={account}&name=a.csv", h.base))
        .bearer_auth(&other_key)
        .body(std::fs::read(corpus.join("good-utf8-comma.csv")).unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(foreign.status(), StatusCode::NOT_FOUND);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn import_screens_and_order_filters() {
    let h = spawn_app().await;
    let (org, _, account, n) = owner_with_orders(&h, 90, 21, 3).await;
    let mut b = Browser::new(&h.base);
    b.login("anna@a.pl", testkit::PASSWORD).await;
    let (status, page, _) = b.get("/imports").await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        page.contains("Login allegro") && page.contains("Data zakupu od") && page.contains("Importuj"),
        "{page}"
    );
    assert!(page.contains("<code>cena_brutto</code>"), "the file layout is shown");
    let csrf = Browser::csrf(&page);
    let today = domain::time::polish_day_text(h.app.now_ms());
    let aid = account.to_string();
    // A range Allegro no longer keeps is explained on the page.
    let (status, page, _) = b
        .post(
            "/imports",
            &[
                ("_csrf", &csrf),
                ("account", &aid),
                ("from", "2024-01-01"),
                ("to", &today),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        page.contains("id=\"range-error\"") && page.contains("12 miesięcy"),
        "{page}"
    );
    let (status, _, loc) = b
        .post(
            "/imports",
            &[
                ("_csrf", &csrf),
                ("account", &aid),
                ("from", "2026-01-01"),
                ("to", &today),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let loc = loc.unwrap();
    let (_, page, _) = b.get(&loc).await;
    assert!(
        page.contains("w kolejce") && page.contains("hx-trigger=\"every 2s\""),
        "live while queued: {page}"
    );
    h.app.run_due_jobs(60_000).await.unwrap();
    let (_, page, _) = b.get(&loc).await;
    assert!(page.contains("zakończony"), "{page}");
    assert!(page.contains(&format!("<dd id=\"import-new\">{n}</dd>")), "{page}");
    assert!(!page.contains("hx-trigger"), "no polling once done");

    // Files: refused without the token, listed problems for a broken one, counted for a good one.
    let corpus =
        std::path::PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").unwrap()).join("../order-files/tests/corpus");
    let broken = std::fs::read(corpus.join("broken-order-mismatch.csv")).unwrap();
    let (status, _, _) = b
        .upload("/imports/file", &[("account", &aid)], ("zle.csv", &broken))
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "CSRF applies to uploads");
    let (status, page, _) = b
        .upload(
            &format!("/imports/file?_csrf={csrf}"),
            &[("account", &aid), ("encoding", "auto")],
            ("zle.csv", &broken),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("Plik zle.csv nie został zaimportowany"), "{page}");
    assert!(page.contains("zle.csv, wiersz 3, kolumna 3 (buyer_login)"), "{page}");
    let good = std::fs::read(corpus.join("good-excel-1250.csv")).unwrap();
    let (status, _, loc) = b
        .upload(
            &format!("/imports/file?_csrf={csrf}"),
            &[("account", &aid), ("encoding", "windows-1250")],
            ("zamowienia.csv", &good),
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (_, page, _) = b.get(&loc.unwrap()).await;
    assert!(
        page.contains("Import CSV") && page.contains("<dd id=\"import-new\">2</dd>"),
        "{page}"
    );

    // Orders: new filters and sorts, live refresh, the file's orders marked.
    let (_, page, _) = b.get("/orders?invoice=yes&sort=total_desc").await;
    assert!(
        page.contains("hx-get=\"/orders?invoice=yes&#38;sort=total_desc&#38;page=0\""),
        "{page}"
    );
    let wanted = h
        .app
        .store()
        .orders(
            &org,
            &store::OrderFilter {
                needs_invoice: Some(true),
                ..Default::default()
            },
            0,
            200,
        )
        .await
        .unwrap()
        .1;
    assert!(page.contains(&format!("id=\"orders-total\">{wanted} ")), "{page}");
    let (_, page, _) = b.get("/orders?buyer=firma_lodz").await;
    assert!(page.contains("z pliku") && page.contains("1\u{a0}299,00 PLN"), "{page}");
    // Its id holds slashes; the link still opens it.
    assert!(page.contains("href=\"/orders/ZAM%2F2026%2F0002\""), "{page}");
    let (status, page, _) = b.get("/orders/ZAM%2F2026%2F0002").await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("Ekspres do kawy"), "{page}");
    let (_, page, _) = b.get("/orders?sort=price").await;
    assert!(page.contains("role=\"alert\"") && page.contains("sort"), "{page}");
    let (_, page, _) = b
        .get(&format!(
            "/orders?account={aid}&marketplace=allegro-pl&fulfillment_status=NEW"
        ))
        .await;
    assert!(page.contains("<option value=\"allegro-pl\" selected>"), "{page}");
}
