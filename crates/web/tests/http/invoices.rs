//! Invoices through the API and the invoice screens.

use super::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn invoices_through_the_api() {
    let h = spawn_app().await;
    let (org, _, account, _) = owner_with_orders(&h, 30, 12, 5).await;
    h.app.sync_account(&account).await.unwrap();
    let key = h.api_key(&org, "ERP").await;
    let api = Client::new();
    let url = |p: &str| format!("{}{p}", h.base);
    let none = api
        .get(url("/api/v1/invoicing-profile"))
        .bearer_auth(&key)
        .send()
        .await
        .unwrap();
    assert_eq!(none.status(), StatusCode::NOT_FOUND);
    let profile = json!({
        "name": "Sklep Anny", "nip": "526-025-09-94",
        "address_line1": "ul. Handlowa 1", "address_line2": "00-001 Warszawa",
        "place_of_issue": "Warszawa"
    });
    let typo = api
        .put(url("/api/v1/invoicing-profile"))
        .bearer_auth(&key)
        .json(&profile)
        .send()
        .await
        .unwrap();
    assert_eq!(typo.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(typo.json::<Value>().await.unwrap()["field"], "nip");
    let mut good = profile.clone();
    good["nip"] = json!("526-025-09-95");
    // A bank account with a mistyped digit is caught by its check digits.
    let mut mistyped = good.clone();
    mistyped["bank_account"] = json!("61 1090 1014 0000 0712 1981 2875");
    let refused = api
        .put(url("/api/v1/invoicing-profile"))
        .bearer_auth(&key)
        .json(&mistyped)
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body: Value = refused.json().await.unwrap();
    assert_eq!(body["field"], "bank_account", "{body}");
    assert!(body["detail"].as_str().unwrap().contains("cyfrę kontrolną"), "{body}");
    // Register entries: checked, and kept.
    let mut bad_regon = good.clone();
    bad_regon["regon"] = json!("12345");
    let refused = api
        .put(url("/api/v1/invoicing-profile"))
        .bearer_auth(&key)
        .json(&bad_regon)
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(refused.json::<Value>().await.unwrap()["field"], "regon");
    good["krs"] = json!("0000123456");
    good["regon"] = json!("146123456");
    good["oss"] = json!(true);
    let saved = api
        .put(url("/api/v1/invoicing-profile"))
        .bearer_auth(&key)
        .json(&good)
        .send()
        .await
        .unwrap();
    assert_eq!(saved.status(), StatusCode::NO_CONTENT);
    let back: Value = api
        .get(url("/api/v1/invoicing-profile"))
        .bearer_auth(&key)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        (back["nip"].as_str(), back["payment_days"].as_u64()),
        (Some("5260250995"), Some(14))
    );
    assert_eq!(
        (back["krs"].as_str(), back["regon"].as_str(), back["bdo"].as_str()),
        (Some("0000123456"), Some("146123456"), None)
    );
    assert_eq!(
        (back["oss"].as_bool(), back["intra_eu_supply"].as_bool()),
        (Some(true), Some(false))
    );
    let orders = h.app.store().account_orders(&account).await.unwrap();
    let order = orders
        .iter()
        .find(|o| o.currency == "PLN" && o.status == "READY_FOR_PROCESSING")
        .unwrap();
    let first = api
        .post(url(&format!("/api/v1/orders/{}/invoice", order.id)))
        .bearer_auth(&key)
        .send()
        .await
        .unwrap();
    assert_eq!(first.status(), StatusCode::CREATED);
    let first: Value = first.json().await.unwrap();
    assert!(first["number"].as_str().unwrap().starts_with("FV/1/"), "{first}");
    let again = api
        .post(url(&format!("/api/v1/orders/{}/invoice", order.id)))
        .bearer_auth(&key)
        .json(&json!({"to_receipt": true}))
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), StatusCode::OK);
    assert_eq!(again.json::<Value>().await.unwrap()["id"], first["id"]);
    // An invoice to a receipt (FP) through the API; an unknown field is refused.
    let receipt_order = orders
        .iter()
        .find(|o| o.currency == "PLN" && o.id != order.id && o.status.is_ready_for_processing())
        .unwrap();
    let typo = api
        .post(url(&format!("/api/v1/orders/{}/invoice", receipt_order.id)))
        .bearer_auth(&key)
        .json(&json!({"to_reciept": true}))
        .send()
        .await
        .unwrap();
    assert_eq!(typo.status(), StatusCode::BAD_REQUEST);
    let fp = api
        .post(url(&format!("/api/v1/orders/{}/invoice", receipt_order.id)))
        .bearer_auth(&key)
        .json(&json!({"to_receipt": true, "receipt_has_buyer_nip": true}))
        .send()
        .await
        .unwrap();
    assert_eq!(fp.status(), StatusCode::CREATED);
    let fp: Value = fp.json().await.unwrap();
    let xml = api
        .get(url(&format!("/api/v1/invoices/{}/xml", fp["id"].as_str().unwrap())))
        .bearer_auth(&key)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(xml.contains("<FP>1</FP>"), "{xml}");
    // A cancelled order without an invoice gets none (409, said in Polish).
    let cancelled = orders
        .iter()
        .find(|o| {
            o.currency == "PLN" && o.id != order.id && o.id != receipt_order.id && o.status.is_ready_for_processing()
        })
        .unwrap();
    h.emu
        .emulator
        .move_order(
            cancelled.id.as_str(),
            Some(allegro_api_types::CheckoutFormStatus::Cancelled),
            None,
        )
        .unwrap();
    h.app.sync_account(&account).await.unwrap();
    let refused = api
        .post(url(&format!("/api/v1/orders/{}/invoice", cancelled.id)))
        .bearer_auth(&key)
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), StatusCode::CONFLICT);
    let body = refused.text().await.unwrap();
    assert!(body.contains("anulowane"), "{body}");
    // A series without the year is refused when saved, naming the field.
    let no_year = api
        .put(url(&format!("/api/v1/accounts/{account}/settings")))
        .bearer_auth(&key)
        .json(&json!({"enabled": true, "vat_goods": "23", "vat_delivery": "23",
                      "invoice_trigger": "READY_FOR_PROCESSING", "invoice_series": "FV/{n}/{MM}"}))
        .send()
        .await
        .unwrap();
    assert_eq!(no_year.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body: Value = no_year.json().await.unwrap();
    assert_eq!(body["field"], "invoice_series", "{body}");
    assert!(body["detail"].as_str().unwrap_or_default().contains("{YYYY}"), "{body}");
    let id = first["id"].as_str().unwrap();
    let one: Value = api
        .get(url(&format!("/api/v1/invoices/{id}")))
        .bearer_auth(&key)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(one["in_words"].as_str().unwrap().ends_with("/100"), "{one}");
    assert!(!one["per_rate"].as_array().unwrap().is_empty());
    let xml = api
        .get(url(&format!("/api/v1/invoices/{id}/xml")))
        .bearer_auth(&key)
        .send()
        .await
        .unwrap();
    assert_eq!(xml.status(), StatusCode::OK);
    assert!(
        xml.headers()[header::CONTENT_DISPOSITION]
            .to_str()
            .unwrap()
            .contains(".xml")
    );
    let xml = xml.text().await.unwrap();
    assert!(xml.contains("<P_2>FV/1/") && xml.contains(order.id.as_str()), "{xml}");
    for lang in ["", "?lang=en"] {
        let pdf = api
            .get(url(&format!("/api/v1/invoices/{id}/pdf{lang}")))
            .bearer_auth(&key)
            .send()
            .await
            .unwrap();
        assert_eq!(pdf.status(), StatusCode::OK);
        assert_eq!(pdf.headers()[header::CONTENT_TYPE], "application/pdf");
        assert!(
            pdf.headers()[header::CONTENT_DISPOSITION]
                .to_str()
                .unwrap()
                .contains(".pdf")
        );
        assert!(pdf.bytes().await.unwrap().starts_with(b"%PDF-"));
    }
    let bad_lang = api
        .get(url(&format!("/api/v1/invoices/{id}/pdf?lang=de")))
        .bearer_auth(&key)
        .send()
        .await
        .unwrap();
    assert_eq!(bad_lang.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad_lang.text().await.unwrap().contains("lang"));
    let list: Value = api
        .get(url("/api/v1/invoices?number=FV/1/"))
        .bearer_auth(&key)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(list["total"], 1);
    assert_eq!(list["invoices"][0]["allegro"]["state"], "pending");
    let filtered = |q: &'static str| {
        let (api, key, url) = (api.clone(), key.clone(), url(&format!("/api/v1/invoices?{q}")));
        async move { api.get(url).bearer_auth(&key).send().await.unwrap() }
    };
    let none: Value = filtered("kind=correction&from=2020-01-01").await.json().await.unwrap();
    assert_eq!(none["total"], 0);
    let wrong = filtered("to=yesterday").await;
    assert_eq!(wrong.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(wrong.text().await.unwrap().contains("to"));
    // "Wyślij ponownie" through the API: accepted while waiting, refused once it is there.
    let resend = api
        .post(url(&format!("/api/v1/invoices/{id}/resend")))
        .bearer_auth(&key)
        .send()
        .await
        .unwrap();
    assert_eq!(resend.status(), StatusCode::ACCEPTED);
    h.app.upload_due_invoices(10).await.unwrap();
    let sent: Value = filtered("allegro=uploaded").await.json().await.unwrap();
    // This one and the invoice to a receipt.
    assert_eq!(sent["total"], 2);
    assert!(sent["invoices"][0]["allegro"]["uploaded_at"].is_string(), "{sent}");
    let again = api
        .post(url(&format!("/api/v1/invoices/{id}/resend")))
        .bearer_auth(&key)
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), StatusCode::CONFLICT);
    // Another organisation sees none of it.
    let (other, _) = testkit::owner(&h.app, "Inna", "jan@b.pl").await;
    let other_key = h.api_key(&other, "x").await;
    let hidden = api
        .get(url(&format!("/api/v1/invoices/{id}/xml")))
        .bearer_auth(&other_key)
        .send()
        .await
        .unwrap();
    assert_eq!(hidden.status(), StatusCode::NOT_FOUND);
    let hidden_pdf = api
        .get(url(&format!("/api/v1/invoices/{id}/pdf")))
        .bearer_auth(&other_key)
        .send()
        .await
        .unwrap();
    assert_eq!(hidden_pdf.status(), StatusCode::NOT_FOUND);
    let hidden_pdf = api
        .get(url(&format!("/api/v1/invoices/{id}/pdf")))
        .bearer_auth(&other_key)
        .send()
        .await
        .unwrap();
    assert_eq!(hidden_pdf.status(), StatusCode::NOT_FOUND);
    let foreign = api
        .post(url(&format!("/api/v1/orders/{}/invoice", order.id)))
        .bearer_auth(&other_key)
        .send()
        .await
        .unwrap();
    assert_eq!(foreign.status(), StatusCode::NOT_FOUND);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn invoice_screens() {
    let h = spawn_app().await;
    let (org, _, account, _) = owner_with_orders(&h, 20, 14, 5).await;
    h.app.sync_account(&account).await.unwrap();
    let mut b = Browser::new(&h.base);
    b.login("anna@a.pl", testkit::PASSWORD).await;
    let (status, page, _) = b.get("/invoicing-profile").await;
    assert_eq!(status, StatusCode::OK);
    let csrf = Browser::csrf(&page);
    let form = |nip: &'static str| {
        vec![
            ("name", "Sklep Anny"),
            ("nip", nip),
            ("address_line1", "ul. Handlowa 1"),
            ("address_line2", "00-001 Warszawa"),
            ("bank_account", ""),
            ("place_of_issue", "Warszawa"),
            ("payment_days", "14"),
            ("exemption_basis", ""),
        ]
    };
    let mut typo = form("526-025-09-94");
    typo.push(("_csrf", &csrf));
    let (status, page, _) = b.post("/invoicing-profile", &typo).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        page.contains("id=\"profile-error\"") && page.contains("cyfra kontrolna się nie zgadza"),
        "{page}"
    );
    assert!(page.contains("value=\"Sklep Anny\""), "what was typed stays");
    let mut good = form("526-025-09-95");
    good.push(("_csrf", &csrf));
    let (status, _, loc) = b.post("/invoicing-profile", &good).await;
    assert_eq!(
        (status, loc.as_deref()),
        (StatusCode::SEE_OTHER, Some("/invoicing-profile?saved=1"))
    );
    let order = h
        .app
        .store()
        .account_orders(&account)
        .await
        .unwrap()
        .into_iter()
        .find(|o| o.currency == "PLN" && o.status == "READY_FOR_PROCESSING")
        .unwrap();
    // A failed automatic attempt is explained on the order's page.
    h.app
        .store()
        .postpone_order_task(
            &order.organisation_id,
            &order.id,
            domain::OrderTask::Invoice,
            "the lines add up to 10 but the buyer paid 12",
            0,
        )
        .await
        .unwrap();
    let (_, page, _) = b.get(&format!("/orders/{}", order.id)).await;
    assert!(page.contains("Wystaw fakturę"), "{page}");
    assert!(
        page.contains("id=\"invoice-failure\"") && page.contains("prób: 1") && page.contains("buyer paid 12"),
        "{page}"
    );
    let (status, _, loc) = b
        .post(&format!("/orders/{}/invoice", order.id), &[("_csrf", &csrf)])
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let loc = loc.unwrap();
    let (_, page, _) = b.get(&loc).await;
    assert!(
        page.contains("Faktura FV/1/") && page.contains("Słownie:") && page.contains("/100"),
        "{page}"
    );
    // The order's page now shows its invoice instead of the button.
    let (_, page, _) = b.get(&format!("/orders/{}", order.id)).await;
    assert!(
        page.contains("id=\"order-invoices\"") && !page.contains("id=\"issue-invoice\""),
        "{page}"
    );
    assert!(
        !page.contains("id=\"invoice-failure\""),
        "issued: the old failure is no longer shown"
    );
    // Pressed again (e.g. from an old page): the same invoice.
    let (_, _, again) = b
        .post(&format!("/orders/{}/invoice", order.id), &[("_csrf", &csrf)])
        .await;
    assert_eq!(again.as_deref(), Some(loc.as_str()));
    let (_, page, _) = b.get("/invoices?number=FV%2F1%2F").await;
    assert!(page.contains("1 faktura"), "{page}");
    let (status, xml, _) = b.get(&format!("{loc}/xml")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(xml.starts_with("<?xml") && xml.contains("<P_2>FV/1/"), "{xml}");
    let (status, pdf, _) = b.get(&format!("{loc}/pdf")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(pdf.starts_with("%PDF-"));
    // Filters: kind, dates, where the upload stands; a wrong one is named.
    let (_, page, _) = b.get("/invoices?kind=correction").await;
    assert!(page.contains("0 faktur"), "{page}");
    let (_, page, _) = b.get("/invoices?kind=vat&allegro=pending&from=2020-01-01").await;
    assert!(
        page.contains("1 faktura") && page.contains("czeka na wysłanie"),
        "{page}"
    );
    let (status, page, _) = b.get("/invoices?kind=proforma").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("id=\"filter-error\"") && page.contains("kind"), "{page}");
    let (_, page, _) = b.get(&loc).await;
    assert!(page.contains("Czeka na wysłanie do zamówienia na Allegro"), "{page}");
    assert!(!page.contains("id=\"resend\""), "nothing failed yet");
    // A refusal is worded with what to do (the stored problem), then "Wyślij ponownie".
    let id: domain::InvoiceId = loc.rsplit('/').next().unwrap().parse().unwrap();
    let refusal = app::Problem::new("problem-invoice-refused-invalid")
        .arg("status", 422)
        .arg("allegro", "Order is cancelled")
        .to_stored();
    h.app
        .store()
        .finish_upload(&id, &store::Delivery::Refused { error: refusal })
        .await
        .unwrap();
    let (_, page, _) = b.get(&loc).await;
    assert!(
        page.contains("Allegro nie przyjęło faktury (HTTP 422: Order is cancelled)")
            && page.contains("kliknij „Wyślij ponownie”"),
        "{page}"
    );
    let (status, _, _) = b.post(&format!("{loc}/resend"), &[("_csrf", &csrf)]).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "sent again");
    // Sent to Allegro by the uploader: the page says so, and it cannot be sent again.
    let report = h.app.upload_due_invoices(10).await.unwrap();
    let upload = h.app.store().invoice(&org, &id).await.unwrap().unwrap().upload;
    assert_eq!(report.delivered, 1, "{report:?} {upload:?}");
    let (_, page, _) = b.get(&loc).await;
    assert!(page.contains("Dołączona do zamówienia na Allegro"), "{page}");
    let (status, _, _) = b.post(&format!("{loc}/resend"), &[("_csrf", &csrf)]).await;
    assert_eq!(status, StatusCode::CONFLICT);
    let (_, page, _) = b.get("/invoices?allegro=uploaded").await;
    assert!(page.contains("1 faktura") && page.contains("wysłana"), "{page}");
    // Cancelled afterwards: the order page offers the correction, which opens as issued.
    let order_page = format!("/orders/{}", order.id);
    let (_, page, _) = b.get(&order_page).await;
    assert!(!page.contains("id=\"issue-correction\""), "not cancelled yet");
    h.emu
        .emulator
        .move_order(
            order.id.as_str(),
            Some(allegro_api_types::CheckoutFormStatus::Cancelled),
            None,
        )
        .unwrap();
    h.app.sync_account(&account).await.unwrap();
    let (_, page, _) = b.get(&order_page).await;
    assert!(page.contains("id=\"issue-correction\""), "{page}");
    let (status, _, kor) = b.post(&format!("{order_page}/correction"), &[("_csrf", &csrf)]).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (_, page, _) = b.get(kor.as_deref().unwrap()).await;
    assert!(page.contains("KOR/1/"), "{page}");
    let (_, page, _) = b.get(&order_page).await;
    assert!(!page.contains("id=\"issue-correction\""), "issued once");
}
