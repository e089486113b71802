//! Sessions and invoices from outside, call by call (research `ksef-api.md` §E 13–37):
//! every invoice check, profiles, a session's limits and end, UPOs, links without a
//! token, lists, reading back, limits and both error shapes.

use ksef_emulator::{Profile, Settings};
use reqwest::Method;
use serde_json::{Value, json};

use crate::common::{self, Api, NIP, Session, b64, code, sha};

#[tokio::test]
async fn every_invoice_check() {
    let api = Api::new(Settings::default()).await;
    let (access, _) = api.login(&["InvoiceWrite", "InvoiceRead"]).await;
    let s = api.open(&access).await;
    let send_path = format!("/sessions/online/{}/invoices", s.reference);
    // §E16: sizes and hashes must match.
    let xml = api.invoice("FV/C/1");
    let mut wrong = api.send_body(&s, &xml);
    wrong["invoiceSize"] = json!(xml.len() + 1);
    let (st, e) = api.json(Method::POST, &send_path, Some(&access), Some(wrong)).await;
    assert_eq!((st, code(&e)), (400, 21402));
    let mut wrong = api.send_body(&s, &xml);
    wrong["invoiceHash"] = json!(sha(b"other"));
    let (st, e) = api.json(Method::POST, &send_path, Some(&access), Some(wrong)).await;
    assert_eq!((st, code(&e)), (400, 21403));
    // §E17: ciphertext with the IV as a prefix is not what KSeF takes: it decrypts to 16
    // bytes too many (21402); ciphertext that does not decrypt at all is status 435.
    let mut prefixed = s.iv.to_vec();
    prefixed.extend(common::aes(&s.key, &s.iv, &xml));
    let body = json!({"invoiceHash": sha(&xml), "invoiceSize": xml.len(), "encryptedInvoiceHash": sha(&prefixed),
        "encryptedInvoiceSize": prefixed.len(), "encryptedInvoiceContent": b64(&prefixed)});
    let (st, e) = api.json(Method::POST, &send_path, Some(&access), Some(body)).await;
    assert_eq!((st, code(&e)), (400, 21402));
    let mut cut = common::aes(&s.key, &s.iv, &xml);
    cut.pop();
    let body = json!({"invoiceHash": sha(&xml), "invoiceSize": xml.len(), "encryptedInvoiceHash": sha(&cut),
        "encryptedInvoiceSize": cut.len(), "encryptedInvoiceContent": b64(&cut)});
    let st = api.send(&access, &s, body).await;
    assert_eq!(st["status"]["code"], 435, "{st}");
    assert!(st.get("ksefNumber").is_none());
    // §E18: BOM, a non-UTF-8 prolog, a processing instruction, a discouraged character.
    let text = String::from_utf8(api.invoice("FV/C/2")).unwrap();
    let mut bom = vec![0xEF, 0xBB, 0xBF];
    bom.extend(text.as_bytes());
    let windows = text.replacen("encoding=\"UTF-8\"", "encoding=\"windows-1250\"", 1);
    let pi = text.replacen("<Naglowek>", "<?pi data?><Naglowek>", 1);
    let odd = text.replacen("<SystemInfo>SamploFaktur", "<SystemInfo>Samplo\u{86}Faktur", 1);
    for bad in [bom, windows.into_bytes(), pi.into_bytes(), odd.into_bytes()] {
        let st = api.send(&access, &s, api.send_body(&s, &bad)).await;
        assert_eq!(st["status"]["code"], 430, "{st}");
        assert!(st["status"]["details"][0].is_string());
    }
    // §E21: P_1 after the day of acceptance is refused; an earlier day makes it Offline.
    let tomorrow = jiff::Zoned::now().date().tomorrow().unwrap().tomorrow().unwrap();
    let future = ksef_emulator::fixtures::invoice(NIP, "FV/C/3", &tomorrow.to_string());
    let st = api.send(&access, &s, api.send_body(&s, &future)).await;
    assert_eq!(st["status"]["code"], 450, "{st}");
    let earlier = ksef_emulator::fixtures::invoice(NIP, "FV/C/4", "2026-01-15");
    let st = api.send(&access, &s, api.send_body(&s, &earlier)).await;
    assert_eq!(
        (st["status"]["code"].clone(), st["invoicingMode"].clone()),
        (json!(200), json!("Offline"))
    );
    let mut offline = api.send_body(&s, &api.invoice("FV/C/5"));
    offline["offlineMode"] = json!(true);
    let st = api.send(&access, &s, offline).await;
    assert_eq!(st["invoicingMode"], "Offline");
    let st = api.send(&access, &s, api.send_body(&s, &api.invoice("FV/C/6"))).await;
    assert_eq!(st["invoicingMode"], "Online");
    // §E19: the accepted invoice's fields.
    let number: ksef_client::KsefNumber = st["ksefNumber"].as_str().unwrap().parse().unwrap();
    assert_eq!(number.nip(), NIP);
    assert!(st["acquisitionDate"].as_str().unwrap() >= st["invoicingDate"].as_str().unwrap());
    assert!(st["upoDownloadUrl"].is_string() && st["upoDownloadUrlExpirationDate"].is_string());
    // §E20: a duplicate in another session: 440 naming the original.
    let other = api.open(&access).await;
    let st = api
        .send(&access, &other, api.send_body(&other, &api.invoice("FV/C/6")))
        .await;
    assert_eq!(st["status"]["code"], 440);
    assert_eq!(st["status"]["extensions"]["originalKsefNumber"], number.as_str());
    assert_eq!(
        st["status"]["extensions"]["originalSessionReferenceNumber"],
        s.reference.as_str()
    );
    assert!(st["status"]["details"][0].as_str().unwrap().contains(number.as_str()));
    // An invoice of another seller: 410.
    let foreign = ksef_emulator::fixtures::invoice("1111111111", "FV/C/7", &api.today());
    let st = api.send(&access, &s, api.send_body(&s, &foreign)).await;
    assert_eq!(st["status"]["code"], 410);
    // §E23: an attachment in an online session: 415.
    let with_attachment = String::from_utf8(api.invoice("FV/C/8")).unwrap().replacen(
        "</Faktura>",
        "<Zalacznik><BlokDanych><MetaDane><ZKlucz>a</ZKlucz><ZWartosc>b</ZWartosc></MetaDane><Tekst><Akapit>x</Akapit></Tekst></BlokDanych></Zalacznik></Faktura>",
        1,
    );
    let st = api
        .send(&access, &s, api.send_body(&s, with_attachment.as_bytes()))
        .await;
    assert!([415, 430].contains(&st["status"]["code"].as_i64().unwrap()), "{st}");
}

#[tokio::test]
async fn profiles_limits_of_a_session_and_its_end() {
    let api = Api::new(Settings {
        profile: Profile::Prod,
        ..Settings::default()
    })
    .await;
    let (access, _) = api.login(&["InvoiceWrite", "InvoiceRead"]).await;
    // §E13: FA (2) only on TEST; anything else 21405.
    let fa2 = json!({"formCode": {"systemCode": "FA (2)", "schemaVersion": "1-0E", "value": "FA"},
        "encryption": {"encryptedSymmetricKey": b64(&[0; 256]), "initializationVector": b64(&[0; 16])}});
    let (st, e) = api
        .json(Method::POST, "/sessions/online", Some(&access), Some(fa2.clone()))
        .await;
    assert_eq!((st, code(&e)), (400, 21405));
    // §E22: a buyer NIP with a wrong checksum fails in prod.
    let s = api.open(&access).await;
    let bad_buyer = String::from_utf8(api.invoice("FV/P/1"))
        .unwrap()
        .replace("<NIP>1111111111</NIP>", "<NIP>1111111112</NIP>");
    let st = api.send(&access, &s, api.send_body(&s, bad_buyer.as_bytes())).await;
    assert_eq!(st["status"]["code"], 450, "{st}");
    assert!(st["status"]["details"][0].as_str().unwrap().contains("1111111112"));
    let mut settings = api.handle.emulator.settings();
    settings.profile = Profile::Test;
    api.handle.emulator.set_settings(settings);
    let st = api.send(&access, &s, api.send_body(&s, bad_buyer.as_bytes())).await;
    assert_eq!(st["status"]["code"], 200, "TEST does not check NIP checksums");
    let (st, _) = api
        .json(Method::POST, "/sessions/online", Some(&access), Some(fa2))
        .await;
    assert_eq!(st, 201, "TEST takes FA (2)");
    // §E14: a key that does not decrypt to 32 bytes: the session fails with 415.
    let (st, bad) = api
        .json(
            Method::POST,
            "/sessions/online",
            Some(&access),
            Some(
                json!({"formCode": {"systemCode": "FA (3)", "schemaVersion": "1-0E", "value": "FA"},
            "encryption": {"encryptedSymmetricKey": b64(&[7; 256]), "initializationVector": b64(&[0; 16])}}),
            ),
        )
        .await;
    assert_eq!(st, 201);
    let (_, status) = api
        .json(
            Method::GET,
            &format!("/sessions/{}", bad["referenceNumber"].as_str().unwrap()),
            Some(&access),
            None,
        )
        .await;
    assert_eq!(status["status"]["code"], 415);
    // §E25: the lowered session limit, then 21155; unknown session 21173.
    let (st, _) = api
        .json(
            Method::POST,
            "/testdata/limits/context/session",
            Some(&access),
            Some(json!({
            "onlineSession": {"maxInvoiceSizeInMB": 1, "maxInvoiceWithAttachmentSizeInMB": 3, "maxInvoices": 2},
            "batchSession": {"maxInvoiceSizeInMB": 1, "maxInvoiceWithAttachmentSizeInMB": 3, "maxInvoices": 2}})),
        )
        .await;
    assert_eq!(st, 200);
    let full = api.open(&access).await;
    for i in 0..2 {
        api.send(&access, &full, api.send_body(&full, &api.invoice(&format!("FV/L/{i}"))))
            .await;
    }
    let path = format!("/sessions/online/{}/invoices", full.reference);
    let (st, e) = api
        .json(
            Method::POST,
            &path,
            Some(&access),
            Some(api.send_body(&full, &api.invoice("FV/L/3"))),
        )
        .await;
    assert_eq!((st, code(&e)), (400, 21155));
    let (st, e) = api
        .json(
            Method::POST,
            "/sessions/online/20261130-SO-0000000000-0000000000-00/invoices",
            Some(&access),
            Some(json!({})),
        )
        .await;
    assert_eq!((st, code(&e)), (400, 21173));
    // §E26: close → 204, twice → 21180, sending after → 21180; status 200 with UPO pages.
    let close = format!("/sessions/online/{}/close", full.reference);
    assert_eq!(api.call(Method::POST, &close, Some(&access), None).await.status(), 204);
    let (st, e) = api.json(Method::POST, &close, Some(&access), None).await;
    assert_eq!((st, code(&e)), (400, 21180));
    let (st, e) = api
        .json(
            Method::POST,
            &path,
            Some(&access),
            Some(api.send_body(&full, &api.invoice("FV/L/4"))),
        )
        .await;
    assert_eq!((st, code(&e)), (400, 21180));
    let (_, status) = api
        .json(
            Method::GET,
            &format!("/sessions/{}", full.reference),
            Some(&access),
            None,
        )
        .await;
    assert_eq!(status["status"]["code"], 200);
    assert_eq!(
        (status["invoiceCount"].clone(), status["successfulInvoiceCount"].clone()),
        (json!(2), json!(2))
    );
    assert_eq!(status["upo"]["pages"].as_array().unwrap().len(), 1);
    // An empty session closes with 440; one whose invoices all failed with 445.
    let empty = api.open(&access).await;
    api.call(
        Method::POST,
        &format!("/sessions/online/{}/close", empty.reference),
        Some(&access),
        None,
    )
    .await;
    let (_, status) = api
        .json(
            Method::GET,
            &format!("/sessions/{}", empty.reference),
            Some(&access),
            None,
        )
        .await;
    assert_eq!(status["status"]["code"], 440);
    let failing = api.open(&access).await;
    let mut broken = api.send_body(&failing, b"<a/>");
    broken["invoiceHash"] = json!(sha(b"<a/>"));
    api.send(&access, &failing, broken).await;
    api.call(
        Method::POST,
        &format!("/sessions/online/{}/close", failing.reference),
        Some(&access),
        None,
    )
    .await;
    let (_, status) = api
        .json(
            Method::GET,
            &format!("/sessions/{}", failing.reference),
            Some(&access),
            None,
        )
        .await;
    assert_eq!(status["status"]["code"], 445);
    // §E27: a session not closed by hand ends after 12 hours.
    let late = api.open(&access).await;
    api.handle.emulator.advance_clock(12 * 3600 + 1);
    let (access, _) = api.login(&["InvoiceWrite"]).await;
    let (st, e) = api
        .json(
            Method::POST,
            &format!("/sessions/online/{}/invoices", late.reference),
            Some(&access),
            Some(api.send_body(&late, &api.invoice("FV/L/9"))),
        )
        .await;
    assert_eq!((st, code(&e)), (400, 21180));
}

async fn filled_session(api: &Api, access: &str, n: usize) -> Session {
    let s = api.open(access).await;
    for i in 0..n {
        api.send(access, &s, api.send_body(&s, &api.invoice(&format!("FV/U/{i}"))))
            .await;
    }
    s
}

#[tokio::test]
async fn upos_links_lists_and_reading_back() {
    let api = Api::new(Settings::default()).await;
    let (access, _) = api.login(&["InvoiceWrite", "InvoiceRead"]).await;
    let s = filled_session(&api, &access, 25).await;
    // §E31: pages of 10 with continuation tokens; none after the last.
    let mut seen = 0;
    let mut token: Option<String> = None;
    let mut pages = 0;
    loop {
        let mut r = api
            .http
            .get(api.url(&format!("/sessions/{}/invoices?pageSize=10", s.reference)))
            .bearer_auth(&access);
        if let Some(t) = &token {
            r = r.header("x-continuation-token", t);
        }
        let page: Value = r.send().await.unwrap().json().await.unwrap();
        seen += page["invoices"].as_array().unwrap().len();
        pages += 1;
        match page["continuationToken"].as_str() {
            Some(t) => token = Some(t.to_owned()),
            None => break,
        }
    }
    assert_eq!((seen, pages), (25, 3));
    let (st, e) = api
        .json(
            Method::GET,
            &format!("/sessions/{}/invoices?pageSize=5", s.reference),
            Some(&access),
            None,
        )
        .await;
    assert_eq!((st, code(&e)), (400, 21405));
    // §E28/30: the invoice UPO by reference, by number and by its link without a token.
    let page: Value = api
        .http
        .get(api.url(&format!("/sessions/{}/invoices?pageSize=10", s.reference)))
        .bearer_auth(&access)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let first = &page["invoices"][0];
    let by_ref = api
        .call(
            Method::GET,
            &format!(
                "/sessions/{}/invoices/{}/upo",
                s.reference,
                first["referenceNumber"].as_str().unwrap()
            ),
            Some(&access),
            None,
        )
        .await;
    assert_eq!(by_ref.headers()["content-type"], "application/xml");
    let hash = by_ref.headers()["x-ms-meta-hash"].to_str().unwrap().to_owned();
    let upo = by_ref.bytes().await.unwrap();
    assert_eq!(hash, sha(&upo));
    let ksef = first["ksefNumber"].as_str().unwrap();
    let by_number = api
        .call(
            Method::GET,
            &format!("/sessions/{}/invoices/ksef/{ksef}/upo", s.reference),
            Some(&access),
            None,
        )
        .await
        .bytes()
        .await
        .unwrap();
    assert_eq!(upo, by_number);
    let link = first["upoDownloadUrl"].as_str().unwrap();
    let anon = reqwest::get(link).await.unwrap();
    assert_eq!(anon.status(), 200);
    assert_eq!(anon.bytes().await.unwrap(), upo);
    let (st, e) = api
        .json(
            Method::GET,
            &format!(
                "/sessions/{}/invoices/ksef/5265877635-20260101-000000000000-00/upo",
                s.reference
            ),
            Some(&access),
            None,
        )
        .await;
    assert_eq!((st, code(&e)), (400, 21178));
    // Links use the host the caller used, and stop working after they expire.
    let named: Value = api
        .http
        .get(api.url(&format!(
            "/sessions/{}/invoices/{}",
            s.reference,
            first["referenceNumber"].as_str().unwrap()
        )))
        .header("host", "ksef-emulator.test:9999")
        .bearer_auth(&access)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(
        named["upoDownloadUrl"]
            .as_str()
            .unwrap()
            .starts_with("http://ksef-emulator.test:9999/"),
        "{named}"
    );
    api.handle.emulator.advance_clock(3601);
    assert_eq!(reqwest::get(link).await.unwrap().status(), 403);
    // §E33: the exact bytes back, with their hash; unknown numbers 21164.
    let (access, _) = api.login(&["InvoiceWrite", "InvoiceRead"]).await;
    let r = api
        .call(Method::GET, &format!("/invoices/ksef/{ksef}"), Some(&access), None)
        .await;
    let hash = r.headers()["x-ms-meta-hash"].to_str().unwrap().to_owned();
    let bytes = r.bytes().await.unwrap();
    assert_eq!(sha(&bytes), first["invoiceHash"].as_str().unwrap());
    assert_eq!(hash, sha(&bytes));
    let (st, e) = api
        .json(
            Method::GET,
            "/invoices/ksef/5265877635-20260101-000000000000-00",
            Some(&access),
            None,
        )
        .await;
    assert_eq!((st, code(&e)), (400, 21164));
    let (write_only, _) = api.login(&["InvoiceWrite"]).await;
    assert_eq!(
        api.call(Method::GET, &format!("/invoices/ksef/{ksef}"), Some(&write_only), None)
            .await
            .status(),
        403
    );
    // §E34: metadata by seller; more than three months is refused.
    let from = jiff::Timestamp::from_millisecond(api.handle.emulator.now_ms() - 86_400_000)
        .unwrap()
        .to_string();
    let (st, found) = api
        .json(
            Method::POST,
            "/invoices/query/metadata?pageSize=10",
            Some(&access),
            Some(json!({"subjectType": "Subject1", "dateRange": {"dateType": "Invoicing", "from": from}})),
        )
        .await;
    assert_eq!(st, 200, "{found}");
    assert_eq!(found["invoices"].as_array().unwrap().len(), 10);
    assert_eq!(found["hasMore"], true);
    let (st, e) = api
        .json(Method::POST, "/invoices/query/metadata", Some(&access), Some(json!({"subjectType": "Subject1", "dateRange": {"dateType": "Issue", "from": "2026-01-01T00:00:00", "to": "2026-06-01T00:00:00"}})))
        .await;
    assert_eq!((st, code(&e)), (400, 21405));
}

#[tokio::test]
async fn limits_errors_and_warnings() {
    let api = Api::new(Settings::default()).await;
    api.handle.emulator.set_rate_limits(true);
    let (access, _) = api.login(&["InvoiceWrite"]).await;
    // §E36: the 11th session opening within a second: 429, integer Retry-After, legacy body.
    let mut statuses = Vec::new();
    let mut refused = None;
    for _ in 0..11 {
        let r = api
            .call(
                Method::GET,
                "/sessions/20261130-SO-0000000000-0000000000-00",
                Some(&access),
                None,
            )
            .await;
        statuses.push(r.status().as_u16());
        if r.status() == 429 {
            let retry: u64 = r.headers()["retry-after"].to_str().unwrap().parse().unwrap();
            refused = Some((retry, r.json::<Value>().await.unwrap()));
        }
    }
    assert_eq!(statuses.iter().filter(|s| **s == 429).count(), 1, "{statuses:?}");
    let (retry, body) = refused.unwrap();
    assert!(retry >= 1);
    assert_eq!(body["status"]["code"], 429);
    // With X-Error-Format: problem-details, 429 and 400 come as problem+json.
    let r = api
        .http
        .get(api.url("/sessions/20261130-SO-0000000000-0000000000-00"))
        .bearer_auth(&access)
        .header("x-error-format", "problem-details")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 429);
    assert_eq!(r.headers()["content-type"], "application/problem+json");
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    let r = api
        .http
        .get(api.url("/sessions/20261130-SO-0000000000-0000000000-00"))
        .bearer_auth(&access)
        .header("x-error-format", "problem-details")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    let problem: Value = r.json().await.unwrap();
    assert_eq!(problem["errors"][0]["code"], 21173);
    assert!(problem["traceId"].is_string() && problem["timestamp"].is_string());
    // §E36: GET /rate-limits reports what applies; /testdata/rate-limits changes it.
    let (_, limits) = api.json(Method::GET, "/rate-limits", Some(&access), None).await;
    assert_eq!(
        limits["invoiceSend"],
        json!({"perSecond": 10, "perMinute": 30, "perHour": 180})
    );
    // §E40: the test warning is echoed in the test profile.
    let r = api
        .http
        .get(api.url("/security/public-key-certificates"))
        .header("x-test-system-warning", "Przerwa techniczna")
        .send()
        .await
        .unwrap();
    assert!(r.headers()["x-system-warning"].to_str().unwrap().contains("Przerwa"));
    // The unavailable fault: every call 503.
    api.handle.emulator.set_faults(ksef_emulator::Faults {
        unavailable: true,
        ..Default::default()
    });
    assert_eq!(
        api.call(Method::POST, "/auth/challenge", None, None).await.status(),
        503
    );
    let stats = api.handle.emulator.stats();
    assert!(stats.by_status["503"] >= 1 && stats.by_status["429"] >= 2, "{stats:?}");
}
