//! Faktury → KSeF over HTTP: the token is write-only (never in a page or an answer), a
//! wrong one is refused naming what, "Sprawdź połączenie" shows the NIP and permissions,
//! and the API says the same.

use super::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_ksef_page_and_api_never_show_the_token() {
    fn as_refs<'a>(f: &'a [(&'static str, String)]) -> Vec<(&'static str, &'a str)> {
        f.iter().map(|(k, v)| (*k, v.as_str())).collect()
    }
    let h = spawn_app().await;
    let (org, user, account, _) = owner_with_orders(&h, 40, 16, 3).await;
    h.app.sync_account(&account).await.unwrap();
    h.app
        .save_invoicing_profile(&user, &testkit::invoicing_profile("Sklep Anny"))
        .await
        .unwrap();
    let ksef = ksef_emulator::spawn("127.0.0.1:0", ksef_emulator::Settings::default())
        .await
        .unwrap();
    let token = |nip: &str| {
        ksef.emulator
            .create_token(ksef_emulator::NewToken {
                nip: nip.into(),
                permissions: vec!["InvoiceWrite".into(), "InvoiceRead".into()],
                description: None,
            })
            .unwrap()
            .0
    };
    let (good, other) = (token("5260250995"), token("5265877635"));
    let secret = good.rsplit('|').next().unwrap().to_owned();

    let mut b = Browser::new(&h.base);
    b.login("anna@a.pl", testkit::PASSWORD).await;
    let (status, page, _) = b.get("/invoices").await;
    assert!(status == StatusCode::OK && page.contains("href=\"/invoices/ksef\""));
    let (status, page, _) = b.get("/invoices/ksef").await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        page.contains("id=\"certificate-none\"") && page.contains("id=\"ksef-not-checked\""),
        "{page}"
    );
    let csrf = Browser::csrf(&page);
    let form = |t: &str| {
        vec![
            ("_csrf", csrf.clone()),
            ("environment", "custom".to_owned()),
            ("api_url", ksef.api_url.clone()),
            ("token", t.to_owned()),
            ("send_from", "2026-12-01".to_owned()),
        ]
    };
    // Another NIP's token: refused naming both, the custom URL kept, the token not echoed.
    let wrong = form(&other);
    let (status, page, _) = b.post("/invoices/ksef", &as_refs(&wrong)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("5265877635") && page.contains("5260250995"), "{page}");
    assert!(page.contains(&ksef.api_url) && !page.contains(other.rsplit('|').next().unwrap()));
    let right = form(&good);
    let (status, _, loc) = b.post("/invoices/ksef", &as_refs(&right)).await;
    assert_eq!(
        (status, loc.as_deref()),
        (StatusCode::SEE_OTHER, Some("/invoices/ksef?saved=1"))
    );
    let (_, page, _) = b.get("/invoices/ksef?saved=1").await;
    assert!(page.contains("id=\"token-hint\"") && !page.contains(&secret), "{page}");
    let (status, _, _) = b.post("/invoices/ksef/check", &[("_csrf", &csrf)]).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (_, page, _) = b.get("/invoices/ksef").await;
    assert!(
        page.contains("id=\"ksef-checked\"") && page.contains("InvoiceWrite"),
        "{page}"
    );

    // The API: the token never answered, a typo in a field refused.
    let key = h.api_key(&org, "ERP").await;
    let api = Client::new();
    let url = |p: &str| format!("{}{p}", h.base);
    let got: Value = api
        .get(url("/api/v1/ksef"))
        .bearer_auth(&key)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        (got["token_set"].as_bool(), got["environment"].as_str()),
        (Some(true), Some("custom"))
    );
    assert_eq!(got["checked"]["nip"], "5260250995");
    assert!(!got.to_string().contains(&secret));
    let typo = api
        .put(url("/api/v1/ksef"))
        .bearer_auth(&key)
        .json(&json!({"environment": "test", "tokn": "x"}))
        .send()
        .await
        .unwrap();
    assert_eq!(typo.status(), StatusCode::BAD_REQUEST);
    let bad_env = api
        .put(url("/api/v1/ksef"))
        .bearer_auth(&key)
        .json(&json!({"environment": "staging"}))
        .send()
        .await
        .unwrap();
    assert_eq!(bad_env.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let put: Value = api
        .put(url("/api/v1/ksef"))
        .bearer_auth(&key)
        .json(&json!({"environment": "custom", "api_url": ksef.api_url, "send_consumer": true}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        (put["token_set"].as_bool(), put["send_consumer"].as_bool()),
        (Some(true), Some(true))
    );
    let check = api
        .post(url("/api/v1/ksef/check"))
        .bearer_auth(&key)
        .send()
        .await
        .unwrap();
    assert_eq!(check.status(), StatusCode::OK);
    let check: Value = check.json().await.unwrap();
    assert_eq!(check["nip"], "5260250995");

    // A company's invoice goes to KSeF: its page shows the number and the UPO, and so does
    // the API.
    let orders = h.app.store().account_orders(&account).await.unwrap();
    let company = orders
        .iter()
        .find(|o| o.currency == "PLN" && o.status.is_ready_for_processing() && o.data.contains("PL_NIP"))
        .unwrap();
    let app::IssueOutcome::Issued(invoice) = h.app.issue_invoice(&user, &company.id).await.unwrap() else {
        panic!("issued")
    };
    let (_, page, _) = b.get(&format!("/invoices/{}", invoice.id)).await;
    assert!(page.contains("data-state=\"waiting\""), "{page}");
    let mut accepted = 0;
    for _ in 0..20 {
        accepted += h.app.send_due_to_ksef(10).await.unwrap().accepted;
        if accepted == 1 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
    assert_eq!(accepted, 1);
    let (_, page, _) = b.get(&format!("/invoices/{}", invoice.id)).await;
    assert!(
        page.contains("data-state=\"accepted\"") && page.contains("id=\"upo\""),
        "{page}"
    );
    assert!(
        page.contains("KSeF nadał numer") && page.contains("(tryb Online)"),
        "{page}"
    );
    let number = page
        .split("numer ")
        .nth(1)
        .and_then(|r| r.split(' ').next())
        .unwrap()
        .to_owned();
    assert!(number.starts_with("5260250995-"), "{number}");
    let (status, upo, _) = b.get(&format!("/invoices/{}/upo", invoice.id)).await;
    assert!(status == StatusCode::OK && upo.contains(&number), "{upo}");
    let detail: Value = api
        .get(url(&format!("/api/v1/invoices/{}", invoice.id)))
        .bearer_auth(&key)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        (detail["ksef"]["state"].as_str(), detail["ksef"]["number"].as_str()),
        (Some("accepted"), Some(number.as_str()))
    );
    let upo = api
        .get(url(detail["ksef"]["upo_url"].as_str().unwrap()))
        .bearer_auth(&key)
        .send()
        .await
        .unwrap();
    assert_eq!(upo.status(), StatusCode::OK);
    // "Porównaj z KSeF": KSeF's copy is ours.
    let (status, _, loc) = b
        .post(&format!("/invoices/{}/ksef-compare", invoice.id), &[("_csrf", &csrf)])
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (_, page, _) = b.get(loc.as_deref().unwrap()).await;
    assert!(
        page.contains("id=\"ksef-compared\"") && page.contains("bajt w bajt"),
        "{page}"
    );
    // The list: filtered by KSeF state, the number in its own column and in the API.
    let (_, list, _) = b.get("/invoices?ksef=accepted").await;
    assert!(list.contains(&number) && list.contains(&invoice.number), "{list}");
    let (_, outside, _) = b.get("/invoices?ksef=outside").await;
    assert!(!outside.contains(&invoice.number), "{outside}");
    let page: Value = api
        .get(url("/api/v1/invoices?ksef=accepted"))
        .bearer_auth(&key)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        (page["total"].as_i64(), page["invoices"][0]["ksef"]["number"].as_str()),
        (Some(1), Some(number.as_str()))
    );
    let wrong = api
        .get(url("/api/v1/invoices?ksef=maybe"))
        .bearer_auth(&key)
        .send()
        .await
        .unwrap();
    assert_eq!(wrong.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(wrong.json::<Value>().await.unwrap()["field"], "ksef");
    // Only a refused invoice can be sent again.
    let again = api
        .post(url(&format!("/api/v1/invoices/{}/ksef/resend", invoice.id)))
        .bearer_auth(&key)
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), StatusCode::CONFLICT);
    // The PDF carries the KSeF number under KOD I instead of OFFLINE.
    let pdf = api
        .get(url(&format!("/api/v1/invoices/{}/pdf", invoice.id)))
        .bearer_auth(&key)
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    let text = testkit::pdf_text(&pdf);
    assert!(text.contains(&number) && !text.contains("OFFLINE"), "{text}");
    // The XML download is the exact bytes KSeF holds.
    let xml = api
        .get(url(&format!("/api/v1/invoices/{}/xml", invoice.id)))
        .bearer_auth(&key)
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    assert_eq!(ksef.emulator.invoice_bytes(&number).as_deref(), Some(&xml[..]));

    // KSeF revokes the token: the check answers 409 and the page shows the banner.
    let reference = good.split('|').next().unwrap();
    assert!(ksef.emulator.revoke_token(reference));
    let refused = api
        .post(url("/api/v1/ksef/check"))
        .bearer_auth(&key)
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), StatusCode::CONFLICT);
    let (_, page, _) = b.get("/invoices/ksef").await;
    assert!(page.contains("id=\"ksef-token-problem\""), "{page}");
    // The start page says so too, linking to where it is fixed.
    let (_, start, _) = b.get("/").await;
    assert!(
        start.contains("href=\"/invoices/ksef\"") && start.contains("KSeF odrzuca token"),
        "{start}"
    );
}

/// The Offline certificate is write-only (its key never in a page or an answer; a key that
/// is not the certificate's refused in Polish); offline24 from the form; an offline
/// invoice's page, list row and API say its mode and deadline, and its PDF carries KOD II.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_offline_certificate_is_write_only_and_offline_invoices_show_their_deadline() {
    let h = spawn_app().await;
    let (org, user, account, _) = owner_with_orders(&h, 40, 17, 3).await;
    h.app.sync_account(&account).await.unwrap();
    h.app
        .save_invoicing_profile(&user, &testkit::invoicing_profile("Sklep Anny"))
        .await
        .unwrap();
    let ksef = testkit::ksef_for(&h.app, &user, false).await;
    let (certificate, key, serial) = ksef.emulator.issue_offline_certificate(testkit::SELLER_NIP).unwrap();
    let (_, other_key, _) = ksef.emulator.issue_offline_certificate(testkit::SELLER_NIP).unwrap();
    let key_body = |k: &str| k.lines().filter(|l| !l.starts_with("-----")).collect::<String>();

    let mut b = Browser::new(&h.base);
    b.login("anna@a.pl", testkit::PASSWORD).await;
    let (_, page, _) = b.get("/invoices/ksef").await;
    let csrf = Browser::csrf(&page);
    // Another certificate's key: refused, saying why, nothing stored, the key not echoed.
    let (status, page, _) = b
        .post(
            "/invoices/ksef/certificate",
            &[
                ("_csrf", &csrf),
                ("certificate", &certificate),
                ("private_key", &other_key),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("nie pasuje do certyfikatu"), "{page}");
    assert!(page.contains("id=\"certificate-none\"") && !page.contains(&key_body(&other_key)[..40]));
    let (status, _, _) = b
        .post(
            "/invoices/ksef/certificate",
            &[("_csrf", &csrf), ("certificate", &certificate), ("private_key", &key)],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (_, page, _) = b.get("/invoices/ksef").await;
    assert!(
        page.contains("id=\"certificate-set\"") && page.contains(&serial),
        "{page}"
    );
    assert!(!page.contains(&key_body(&key)[..40]), "the key is never shown");
    // offline24 from the form.
    let (status, _, _) = b
        .post(
            "/invoices/ksef",
            &[
                ("_csrf", &csrf),
                ("environment", "custom"),
                ("api_url", &ksef.api_url),
                ("send_from", "2026-01-01"),
                ("offline24", "1"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (_, page, _) = b.get("/invoices/ksef").await;
    assert!(page.contains("id=\"offline24\" value=\"1\" checked"), "{page}");

    // The API: the certificate's serial and validity, never its key.
    let api_key = h.api_key(&org, "ERP").await;
    let api = Client::new();
    let url = |p: &str| format!("{}{p}", h.base);
    let got: Value = api
        .get(url("/api/v1/ksef"))
        .bearer_auth(&api_key)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(got["offline24"], true);
    assert_eq!(got["offline_certificate"]["serial"], serial.as_str());
    assert!(!got.to_string().contains(&key_body(&key)[..40]));
    let refused = api
        .put(url("/api/v1/ksef/offline-certificate"))
        .bearer_auth(&api_key)
        .json(&json!({"certificate": "nie PEM", "private_key": key}))
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);

    // An offline24 invoice: its deadline on the page, in the list and in the API; KOD II
    // in its PDF.
    let orders = h.app.store().account_orders(&account).await.unwrap();
    let company = orders
        .iter()
        .find(|o| o.currency == "PLN" && o.status.is_ready_for_processing() && o.data.contains("PL_NIP"))
        .unwrap();
    let app::IssueOutcome::Issued(invoice) = h.app.issue_invoice(&user, &company.id).await.unwrap() else {
        panic!("issued")
    };
    let issued = domain::time::parse_day(&invoice.issue_date).unwrap();
    let due = domain::ksef_offline::business_days_after(issued, 1).to_string();
    ksef.emulator.set_faults(ksef_emulator::Faults {
        processing_delay_ms: 3_600_000,
        ..Default::default()
    });
    h.app.send_due_to_ksef(10).await.unwrap();
    let (_, page, _) = b.get(&format!("/invoices/{}", invoice.id)).await;
    assert!(
        page.contains("wystawiona offline (tryb offline24)") && page.contains(&due),
        "{page}"
    );
    // Its history: queued, issued offline with the deadline, the session it went in.
    let history = page.split("id=\"ksef-history\"").nth(1).expect("the KSeF history");
    assert!(
        history.contains("dodana do kolejki KSeF")
            && history.contains("do KSeF najpóźniej")
            && history.contains("wysłana w sesji"),
        "{history}"
    );
    let (_, list, _) = b.get("/invoices?ksef=offline").await;
    assert!(list.contains(&invoice.number) && list.contains(&due), "{list}");
    let detail: Value = api
        .get(url(&format!("/api/v1/invoices/{}", invoice.id)))
        .bearer_auth(&api_key)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(detail["ksef"]["offline"]["mode"], "offline24");
    assert_eq!(detail["ksef"]["offline"]["deadline"], due.as_str());
    assert_eq!(detail["ksef"]["offline"]["certificate_code"], true);
    let pdf = api
        .get(url(&format!("/api/v1/invoices/{}/pdf", invoice.id)))
        .bearer_auth(&api_key)
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    let text = testkit::pdf_text(&pdf);
    assert!(text.contains("OFFLINE") && text.contains("CERTYFIKAT"), "{text}");
    // The start page names it with its deadline.
    let (_, start, _) = b.get("/").await;
    assert!(
        start.contains("/invoices?ksef=offline") && start.contains(&due),
        "{start}"
    );
    // Removed: offline invoices issued from now on carry KOD I only.
    let removed: Value = api
        .delete(url("/api/v1/ksef/offline-certificate"))
        .bearer_auth(&api_key)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(removed["offline_certificate"], Value::Null);
}
