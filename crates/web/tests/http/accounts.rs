//! Connections, linking and account settings through the API and the pages; callback pages; one-click linking with the operator's app.

use super::*;

#[tokio::test]
async fn api_connections_link_settings_and_errors() {
    let h = spawn_app().await;
    let (org, _) = h
        .app
        .create_organisation("Firma", "anna@a.pl", SecretString::from("bardzo-tajne-haslo"))
        .await
        .unwrap();
    let key = h.api_key(&org, "ERP").await;
    let api = Client::new();
    let url = |p: &str| format!("{}{p}", h.base);
    let r = api.get(url("/api/v1/accounts")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(r.headers()[header::CONTENT_TYPE], "application/problem+json");
    let r = api
        .get(url("/api/v1/accounts"))
        .bearer_auth("abk_wrong")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    // Bad input names the field.
    let r = api
        .post(url("/api/v1/connections"))
        .bearer_auth(&key)
        .json(&json!({"mode": "own_app", "environment": "custom"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.json::<Value>().await.unwrap()["field"], "auth_url");
    let r = api
        .post(url("/api/v1/connections"))
        .bearer_auth(&key)
        .json(&json!({"mode": "nope"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    let r = api
        .post(url("/api/v1/connections"))
        .bearer_auth(&key)
        .json(&json!({"mode": "service_app"}))
        .send()
        .await
        .unwrap();
    assert_eq!(
        r.status(),
        StatusCode::UNPROCESSABLE_ENTITY,
        "no service app configured here"
    );

    let created: Value = api
        .post(url("/api/v1/connections"))
        .bearer_auth(&key)
        .json(
            &json!({"mode": "own_app", "environment": "custom", "auth_url": h.emu.base_url, "api_url": h.emu.base_url}),
        )
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let id = created["id"].as_str().unwrap().to_owned();
    let redirect = created["redirect_uri"].as_str().unwrap().to_owned();
    assert_eq!(redirect, format!("{}/allegro/install/{id}", h.base));
    let r = api
        .post(url(&format!("/api/v1/connections/{id}/link")))
        .bearer_auth(&key)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY, "credentials first");
    let (cid, secret) = h
        .emu
        .emulator
        .register_app(NewApp {
            name: "Via API".into(),
            description: None,
            redirect_uris: vec![redirect],
            app_type: None,
            scopes: None,
        })
        .unwrap();
    let r = api
        .put(url(&format!("/api/v1/connections/{id}/credentials")))
        .bearer_auth(&key)
        .json(&json!({"client_id": cid, "client_secret": secret}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    let link: Value = api
        .post(url(&format!("/api/v1/connections/{id}/link")))
        .bearer_auth(&key)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let authorization_url = link["authorization_url"].as_str().unwrap();
    assert!(authorization_url.contains("code_challenge_method=S256") && authorization_url.contains("state="));
    // A link started through the API completes in any browser.
    let back = h.emu.emulator.consent(authorization_url, "sklep-a", true).unwrap();
    let page = Client::new().get(&back).send().await.unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    assert!(page.text().await.unwrap().contains("sklep-a"));
    let accounts: Value = api
        .get(url("/api/v1/accounts"))
        .bearer_auth(&key)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let account = &accounts["accounts"][0];
    assert_eq!(account["login"], "sklep-a");
    assert_eq!(account["status"], "active");
    assert!(account["allegro_user_id"].as_str().unwrap().parse::<u64>().is_ok());
    let account_id = account["id"].as_str().unwrap();

    let settings: Value = api
        .get(url(&format!("/api/v1/accounts/{account_id}/settings")))
        .bearer_auth(&key)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        settings,
        json!({"enabled": false, "vat_goods": "23", "vat_delivery": "23", "invoice_trigger": "READY_FOR_PROCESSING", "invoice_series": "FV/{n}/{MM}/{YYYY}", "invoice_every_order": false, "delivery_follows_goods": false, "sent_on_waybill": false, "cod_sale_when_sent": false})
    );
    let bad = json!({"enabled": true, "vat_goods": "7", "vat_delivery": "23", "invoice_trigger": "SENT", "invoice_series": "FV/{n}"});
    let r = api
        .put(url(&format!("/api/v1/accounts/{account_id}/settings")))
        .bearer_auth(&key)
        .json(&bad)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let problem: Value = r.json().await.unwrap();
    assert_eq!(problem["field"], "vat_goods");
    assert!(problem["detail"].as_str().unwrap().contains("23, 8, 5, 0, zw or np"));
    let good = json!({"enabled": true, "vat_goods": "8", "vat_delivery": "zw", "invoice_trigger": "SENT", "invoice_series": "FV/{n}/{YYYY}", "invoice_every_order": true, "delivery_follows_goods": false, "sent_on_waybill": true, "cod_sale_when_sent": true});
    let r = api
        .put(url(&format!("/api/v1/accounts/{account_id}/settings")))
        .bearer_auth(&key)
        .json(&good)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    let saved: Value = api
        .get(url(&format!("/api/v1/accounts/{account_id}/settings")))
        .bearer_auth(&key)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(saved, good);
    let r = api
        .delete(url(&format!("/api/v1/accounts/{account_id}")))
        .bearer_auth(&key)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    let accounts: Value = api
        .get(url("/api/v1/accounts"))
        .bearer_auth(&key)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(accounts["accounts"][0]["status"], "disconnected");
    let doc: Value = api
        .get(url("/api/v1/openapi.json"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(doc["openapi"], "3.1.0");
}

#[tokio::test]
async fn callback_pages_and_settings_form() {
    let h = spawn_app().await;
    let [(conn, account, _), _] = two_tenants(&h).await;
    let mut b = Browser::new(&h.base);
    b.login("anna@a.pl", "bardzo-tajne-haslo").await;
    let (status, page, _) = b.get(&format!("/allegro/install/{conn}?state=forged&code=x")).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(page.contains("Link powiązania jest nieprawidłowy"));
    let (_, page, _) = b.get("/accounts").await;
    let csrf = Browser::csrf(&page);
    let (_, _, to_allegro) = b.post(&format!("/connections/{conn}/link"), &[("_csrf", &csrf)]).await;
    let back = h.emu.emulator.consent(&to_allegro.unwrap(), "sklep-a", false).unwrap();
    let (status, page, _) = b.get(back.strip_prefix(&h.base).unwrap()).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("Anulowano powiązanie konta"), "{page}");
    let (status, page, _) = b.get(back.strip_prefix(&h.base).unwrap()).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "a reload: the state is used");
    assert!(page.contains("został już użyty"));

    // Settings: a bad series is explained, nothing saved; a good one is.
    let form = |series: &'static str| {
        vec![
            ("_csrf", csrf.clone()),
            ("enabled", "1".into()),
            ("vat_goods", "5".into()),
            ("vat_delivery", "23".into()),
            ("invoice_trigger", "PICKED_UP".into()),
            ("invoice_series", series.into()),
        ]
    };
    let bad = form("FV/{MM}");
    let bad: Vec<(&str, &str)> = bad.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let (status, page, _) = b.post(&format!("/accounts/{account}/settings"), &bad).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("invoice_series"));
    let (_, page, _) = b.get(&format!("/accounts/{account}/settings")).await;
    assert!(!page.contains("id=\"enabled\" value=\"1\" checked"), "nothing saved");
    assert!(
        page.contains(">23%</option>") && page.contains(">zw — zwolnione z VAT</option>"),
        "rates in words, not bare numbers"
    );
    let good = form("FV/{n}/{MM}/{YYYY}");
    let good: Vec<(&str, &str)> = good.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let (status, _, loc) = b.post(&format!("/accounts/{account}/settings"), &good).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let saved_at = loc.unwrap();
    let (_, page, _) = b.get(&saved_at).await;
    assert!(page.contains("Zapisano") && page.contains("value=\"5\" selected") && page.contains("checked"));
    // Invoices switched on before the invoicing details exist: the page says nothing will
    // be invoiced, and where to fix it; once they exist, it says nothing.
    assert!(page.contains("id=\"no-profile\"") && page.contains("Faktury nie będą wystawiane"));
    let org = h
        .app
        .store()
        .user_by_email("anna@a.pl")
        .await
        .unwrap()
        .unwrap()
        .organisation_id;
    h.app
        .save_invoicing_profile(
            &app::CurrentUser::for_organisation(org),
            &testkit::invoicing_profile("Sklep Anny"),
        )
        .await
        .unwrap();
    let (_, page, _) = b.get(&saved_at).await;
    assert!(!page.contains("id=\"no-profile\""));
    // "Odłącz" warns as seed 004 does.
    let (_, page, _) = b.get(&format!("/accounts/{account}/disconnect")).await;
    assert!(page.contains("nie będziemy mogli zaktualizować listów przewozowych"));
}

#[tokio::test]
async fn with_the_operators_app_one_click_links_an_account() {
    let h = spawn_app_with(true).await;
    h.app
        .create_organisation("Firma", "anna@a.pl", SecretString::from("bardzo-tajne-haslo"))
        .await
        .unwrap();
    let mut b = Browser::new(&h.base);
    b.login("anna@a.pl", "bardzo-tajne-haslo").await;
    let (_, page, _) = b.get("/accounts").await;
    assert!(
        page.contains("action=\"/connections/service/link\"") && page.contains("Połącz konto Allegro"),
        "{page}"
    );
    let csrf = Browser::csrf(&page);
    let (status, _, to_allegro) = b.post("/connections/service/link", &[("_csrf", &csrf)]).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let back = h.emu.emulator.consent(&to_allegro.unwrap(), "sklep-a", true).unwrap();
    assert!(
        back.starts_with(&format!("{}/allegro/install/service?", h.base)),
        "{back}"
    );
    let (status, page, _) = b.get(back.strip_prefix(&h.base).unwrap()).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(page.contains("Konto sklep-a zostało powiązane"));
    let (_, page, _) = b.get("/accounts").await;
    assert!(page.contains("Aktywne"));
    assert_eq!(
        page.matches("/link\"").count(),
        1,
        "one service connection, reused: {page}"
    );
}

/// Linked without every permission ticked in Allegro's portal: the page warns (and says
/// what is missing) instead of showing a success.
#[tokio::test]
async fn a_link_missing_permissions_is_a_warning() {
    let h = spawn_app().await;
    let (org, _) = testkit::owner(&h.app, "Sklep", "ola@sklep.pl").await;
    let conn = testkit::own_app_connection_with_scopes(
        &h.app,
        &org,
        &h.emu,
        None,
        Some(&["allegro:api:orders:read", "allegro:api:profile:read"]),
    )
    .await;
    let mut b = Browser::new(&h.base);
    b.login("ola@sklep.pl", testkit::PASSWORD).await;
    let (_, page, _) = b.get("/accounts").await;
    let csrf = Browser::csrf(&page);
    let (_, _, to_allegro) = b.post(&format!("/connections/{conn}/link"), &[("_csrf", &csrf)]).await;
    let back = h.emu.emulator.consent(&to_allegro.unwrap(), "sklep-a", true).unwrap();
    let (status, page, _) = b.get(back.strip_prefix(&h.base).unwrap()).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("Brakuje:"), "{page}");
    assert!(
        page.contains("class=\"warn\" role=\"status\"") && !page.contains("class=\"ok\""),
        "a warning, not a success: {page}"
    );
}
