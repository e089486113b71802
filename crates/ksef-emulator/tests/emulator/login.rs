//! The login from outside, call by call (research `ksef-api.md` §E 1–12, 38–39): keys,
//! challenges, the asynchronous login, redeem and refresh, revoked, blocked and
//! unpermitted logins, allow-lists, test data.

use ksef_emulator::Settings;
use reqwest::Method;
use serde_json::{Value, json};

use crate::common::{self, Api, NIP, code, sha};

#[tokio::test]
async fn keys_challenges_and_the_asynchronous_login() {
    let api = Api::new(Settings::default()).await;
    // §E1: one certificate per usage, different keys, ids computed as documented.
    let (_, keys) = api
        .json(Method::GET, "/security/public-key-certificates", None, None)
        .await;
    let keys = keys.as_array().unwrap().clone();
    assert_eq!(keys.len(), 2);
    assert_ne!(keys[0]["publicKeyId"], keys[1]["publicKeyId"]);
    for k in &keys {
        use base64::Engine as _;
        let der = base64::engine::general_purpose::STANDARD
            .decode(k["certificate"].as_str().unwrap())
            .unwrap();
        assert_eq!(k["certificateId"].as_str().unwrap(), sha(&der));
        assert_eq!(k["publicKeyId"].as_str().unwrap().len(), 44);
        common::rsa_key(k["certificate"].as_str().unwrap());
    }
    // §E2: challenges differ, CR kind, timestampMs = timestamp.
    let (_, a) = api.json(Method::POST, "/auth/challenge", None, None).await;
    let (_, b) = api.json(Method::POST, "/auth/challenge", None, None).await;
    assert_ne!(a["challenge"], b["challenge"]);
    assert_eq!(&a["challenge"].as_str().unwrap()[9..11], "CR");
    let ts: jiff::Timestamp = a["timestamp"].as_str().unwrap().parse().unwrap();
    assert_eq!(ts.as_millisecond(), a["timestampMs"].as_i64().unwrap());

    // §E3: a wrong token is accepted for processing and fails in the status (450).
    let (reference, auth) = api
        .start_login(NIP, "20261130-EC-0000000000-0000000000-00|nip-5265877635|00", None)
        .await;
    let (_, status) = api
        .json(Method::GET, &format!("/auth/{reference}"), Some(&auth), None)
        .await;
    assert_eq!(status["status"]["code"], 450);
    assert_eq!(status["status"]["details"][0], "Nieprawidłowy token");

    // §E4: unknown or used challenges, stale ones, unknown key ids.
    let (token, _) = api.token(NIP, &["InvoiceWrite"]);
    let (key, id) = api.key("KsefTokenEncryption").await;
    let body = |challenge: &Value, ts: &Value, id: Option<&str>| {
        let mut b = json!({
            "challenge": challenge,
            "contextIdentifier": {"type": "Nip", "value": NIP},
            "encryptedToken": common::oaep(&key, format!("{token}|{ts}").as_bytes()),
        });
        if let Some(id) = id {
            b["publicKeyId"] = json!(id);
        }
        b
    };
    let (s, e) = api
        .json(
            Method::POST,
            "/auth/ksef-token",
            None,
            Some(body(
                &json!("20261130-CR-0000000000-0000000000-00"),
                &json!(0),
                Some(&id),
            )),
        )
        .await;
    assert_eq!((s, code(&e)), (400, 21111));
    let (_, ch) = api.json(Method::POST, "/auth/challenge", None, None).await;
    let (s, _) = api
        .json(
            Method::POST,
            "/auth/ksef-token",
            None,
            Some(body(&ch["challenge"], &ch["timestampMs"], None)),
        )
        .await;
    assert_eq!(s, 202, "a missing publicKeyId is accepted");
    let (s, e) = api
        .json(
            Method::POST,
            "/auth/ksef-token",
            None,
            Some(body(&ch["challenge"], &ch["timestampMs"], Some(&id))),
        )
        .await;
    assert_eq!((s, code(&e)), (400, 21111), "a challenge is single use");
    let (_, ch) = api.json(Method::POST, "/auth/challenge", None, None).await;
    let (s, e) = api
        .json(
            Method::POST,
            "/auth/ksef-token",
            None,
            Some(body(&ch["challenge"], &ch["timestampMs"], Some(&"A".repeat(44)))),
        )
        .await;
    assert_eq!((s, code(&e)), (400, 21470));
    let (_, ch) = api.json(Method::POST, "/auth/challenge", None, None).await;
    api.handle.emulator.advance_clock(601);
    let (s, e) = api
        .json(
            Method::POST,
            "/auth/ksef-token",
            None,
            Some(body(&ch["challenge"], &ch["timestampMs"], Some(&id))),
        )
        .await;
    assert_eq!((s, code(&e)), (400, 21111), "a challenge lives 10 minutes");

    // §E5: no bearer → 401 problem+json; 100 then 200 with a delay.
    let r = api.call(Method::GET, &format!("/auth/{reference}"), None, None).await;
    assert_eq!(r.status(), 401);
    assert_eq!(r.headers()["content-type"], "application/problem+json");
    api.handle.emulator.set_settings(Settings {
        auth_delay_ms: 300,
        ..Settings::default()
    });
    let (reference, auth) = api.start_login(NIP, &token, None).await;
    let (_, st) = api
        .json(Method::GET, &format!("/auth/{reference}"), Some(&auth), None)
        .await;
    assert_eq!(st["status"]["code"], 100);
    // §E6: redeem before 200 → 21301; then once only.
    let (s, e) = api.json(Method::POST, "/auth/token/redeem", Some(&auth), None).await;
    assert_eq!((s, code(&e)), (400, 21301));
    tokio::time::sleep(std::time::Duration::from_millis(350)).await;
    let (_, st) = api
        .json(Method::GET, &format!("/auth/{reference}"), Some(&auth), None)
        .await;
    assert_eq!(st["status"]["code"], 200);
    let (s, tokens) = api.json(Method::POST, "/auth/token/redeem", Some(&auth), None).await;
    assert_eq!(s, 200);
    let (s, e) = api.json(Method::POST, "/auth/token/redeem", Some(&auth), None).await;
    assert_eq!((s, code(&e)), (400, 21301));
    // §E7/8: refresh repeatedly; after DELETE current, refresh fails, access lives on.
    let access = tokens["accessToken"]["token"].as_str().unwrap();
    let refresh = tokens["refreshToken"]["token"].as_str().unwrap();
    for _ in 0..2 {
        let (s, r) = api.json(Method::POST, "/auth/token/refresh", Some(refresh), None).await;
        assert_eq!(s, 200, "{r}");
    }
    let r = api
        .call(Method::DELETE, "/auth/sessions/current", Some(access), None)
        .await;
    assert_eq!(r.status(), 204);
    let (s, _) = api.json(Method::POST, "/auth/token/refresh", Some(refresh), None).await;
    assert_ne!(s, 200);
    let (s, _) = api.json(Method::GET, "/rate-limits", Some(access), None).await;
    assert_eq!(s, 200, "the access token works until it expires");
    api.handle.emulator.advance_clock(901);
    let r = api.call(Method::GET, "/rate-limits", Some(access), None).await;
    assert_eq!(r.status(), 401);
    // §E12: an authentication operation older than 7 days is gone.
    api.handle.emulator.advance_clock(7 * 86_400);
    let r = api
        .call(Method::GET, &format!("/auth/{reference}"), Some(&auth), None)
        .await;
    assert_ne!(r.status(), 200);
}

#[tokio::test]
async fn revoked_blocked_and_unpermitted_logins() {
    let api = Api::new(Settings::default()).await;
    // §E10: a token revoked through DELETE /tokens/{ref} fails the next login with 450.
    let (access, _) = api.login(&["InvoiceWrite", "CredentialsManage"]).await;
    let (s, generated) = api
        .json(
            Method::POST,
            "/tokens",
            Some(&access),
            Some(json!({"permissions": ["InvoiceWrite"], "description": "Sklep na Allegro"})),
        )
        .await;
    assert_eq!(s, 202, "{generated}");
    let token = generated["token"].as_str().unwrap();
    let reference = generated["referenceNumber"].as_str().unwrap();
    let r = api
        .call(Method::DELETE, &format!("/tokens/{reference}"), Some(&access), None)
        .await;
    assert_eq!(r.status(), 204);
    let (login, auth) = api.start_login(NIP, token, None).await;
    let (_, st) = api
        .json(Method::GET, &format!("/auth/{login}"), Some(&auth), None)
        .await;
    assert_eq!(
        (st["status"]["code"].clone(), st["status"]["details"][0].clone()),
        (json!(450), json!("Token unieważniony"))
    );
    // §E9: no permissions → 415; InvoiceRead only → 403 missing-permissions on a session.
    let (t, _) = api.token(NIP, &[]);
    let (login, auth) = api.start_login(NIP, &t, None).await;
    let (_, st) = api
        .json(Method::GET, &format!("/auth/{login}"), Some(&auth), None)
        .await;
    assert_eq!(st["status"]["code"], 415);
    let (read_only, _) = api.login(&["InvoiceRead"]).await;
    let r = api
        .call(Method::POST, "/sessions/online", Some(&read_only), Some(json!({})))
        .await;
    assert_eq!(r.status(), 403);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["reasonCode"], "missing-permissions");
    assert_eq!(body["security"]["presentPermissions"], json!(["InvoiceRead"]));
    // §E11: an allow-list of addresses refuses others.
    let (t, _) = api.token(NIP, &["InvoiceWrite"]);
    let (login, auth) = api
        .start_login(NIP, &t, Some(json!({"allowedIps": {"ip4Addresses": ["10.9.9.9"]}})))
        .await;
    let (_, _) = api
        .json(Method::GET, &format!("/auth/{login}"), Some(&auth), None)
        .await;
    let (_, tokens) = api.json(Method::POST, "/auth/token/redeem", Some(&auth), None).await;
    let r = api
        .call(
            Method::GET,
            "/rate-limits",
            tokens["accessToken"]["token"].as_str(),
            None,
        )
        .await;
    assert_eq!(r.status(), 403);
    assert_eq!(r.json::<Value>().await.unwrap()["reasonCode"], "ip-not-allowed");
    // §E38/39: test data without a token; duplicates 30001; a blocked context → 480.
    let subject = json!({"subjectNip": "7010000001", "subjectType": "VatGroup", "description": "Grupa VAT"});
    let (s, _) = api
        .json(Method::POST, "/testdata/subject", None, Some(subject.clone()))
        .await;
    assert_eq!(s, 200);
    let (s, e) = api.json(Method::POST, "/testdata/subject", None, Some(subject)).await;
    assert_eq!((s, code(&e)), (400, 30001));
    let (s, _) = api
        .json(
            Method::POST,
            "/testdata/context/block",
            None,
            Some(json!({"contextIdentifier": {"type": "Nip", "value": NIP}})),
        )
        .await;
    assert_eq!(s, 200);
    let (t, _) = api.token(NIP, &["InvoiceWrite"]);
    let (login, auth) = api.start_login(NIP, &t, None).await;
    let (_, st) = api
        .json(Method::GET, &format!("/auth/{login}"), Some(&auth), None)
        .await;
    assert_eq!(st["status"]["code"], 480);
}
