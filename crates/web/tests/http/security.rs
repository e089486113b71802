//! The security probe's findings, each tried again as an attacker would: security headers,
//! login floods, revocable API keys, uploads over the limit, control characters in input.

use super::*;

/// A POST with the browser's cookies and extra headers, answering the whole response.
async fn post_raw(b: &Browser, path: &str, form: &[(&str, &str)], headers: &[(&str, &str)]) -> reqwest::Response {
    let mut request = b
        .http
        .post(format!("{}{path}", b.base))
        .header("cookie", b.cookie_header())
        .form(form);
    for (k, v) in headers {
        request = request.header(*k, *v);
    }
    request.send().await.unwrap()
}

#[tokio::test]
async fn pages_and_api_answers_carry_security_headers() {
    let h = spawn_app().await;
    owner_with_orders(&h, 1, 41, 2).await;
    let mut b = Browser::new(&h.base);
    b.login("anna@a.pl", testkit::PASSWORD).await;
    let page = b
        .http
        .get(format!("{}/orders", h.base))
        .header("cookie", b.cookie_header())
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    let headers = page.headers().clone();
    let csp = headers["content-security-policy"].to_str().unwrap();
    for part in [
        "default-src 'self'",
        "script-src 'self'",
        "frame-ancestors 'none'",
        "object-src 'none'",
    ] {
        assert!(csp.contains(part), "{csp}");
    }
    assert!(!csp.contains("unsafe-inline"), "{csp}");
    assert_eq!(headers["x-frame-options"], "DENY");
    assert_eq!(headers["x-content-type-options"], "nosniff");
    assert_eq!(headers["referrer-policy"], "same-origin");
    assert_eq!(headers["cache-control"], "no-store", "buyers' data is never cached");
    assert!(
        headers.get("strict-transport-security").is_none(),
        "HSTS only over HTTPS"
    );
    // No inline script the policy would have to allow.
    let html = page.text().await.unwrap();
    assert!(
        !html.contains("<script>") && !html.contains(" onclick="),
        "inline script on the page"
    );

    let asset = reqwest::get(format!("{}/assets/htmx-2.0.4.min.js", h.base))
        .await
        .unwrap();
    assert!(asset.headers()["cache-control"].to_str().unwrap().contains("max-age"));
    assert_eq!(asset.headers()["x-content-type-options"], "nosniff");

    let key = h
        .app
        .create_api_key(&h.app.organisations().await.unwrap()[0].id, "ERP")
        .await
        .unwrap();
    let api = Client::new()
        .get(format!("{}/api/v1/orders", h.base))
        .bearer_auth(key.expose_secret())
        .send()
        .await
        .unwrap();
    assert_eq!(api.status(), StatusCode::OK);
    assert_eq!(api.headers()["cache-control"], "no-store");
    assert_eq!(api.headers()["x-content-type-options"], "nosniff");
}

#[tokio::test]
async fn failed_logins_slow_down_then_lock_the_account_and_the_address() {
    let h = spawn_app().await;
    for (org, email) in [("Firma A", "anna@a.pl"), ("Firma B", "jan@b.pl")] {
        h.app
            .create_organisation(org, email, SecretString::from(testkit::PASSWORD))
            .await
            .unwrap();
    }
    let mut b = Browser::new(&h.base);
    let (_, page, _) = b.get("/login").await;
    let csrf = Browser::csrf(&page);
    let attempt = |email: &'static str, password: &'static str, from: &'static str| {
        let csrf = csrf.clone();
        let b = &b;
        async move {
            post_raw(
                b,
                "/login",
                &[("_csrf", &csrf), ("email", email), ("password", password)],
                &[("x-forwarded-for", from)],
            )
            .await
        }
    };
    // Per account: five wrong passwords, then even the right one has to wait.
    for _ in 0..5 {
        let r = attempt("anna@a.pl", "zle-haslo-123", "198.51.100.1").await;
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    }
    let r = attempt("anna@a.pl", testkit::PASSWORD, "198.51.100.1").await;
    assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(r.headers()["retry-after"].to_str().unwrap().parse::<u64>().unwrap() >= 1);
    let body = r.text().await.unwrap();
    assert!(body.contains("Zbyt wiele nieudanych prób logowania"), "{body}");
    // Another account is not affected.
    let r = attempt("jan@b.pl", testkit::PASSWORD, "198.51.100.1").await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);

    // Per address: twenty guesses at other accounts lock the address, not the accounts.
    for n in 0..20 {
        let email: &'static str = Box::leak(format!("ktos{n}@c.pl").into_boxed_str());
        let r = attempt(email, "zgadywane-haslo", "203.0.113.9").await;
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED, "guess {n}");
    }
    let r = attempt("jan@b.pl", testkit::PASSWORD, "203.0.113.9").await;
    assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS, "the guessing address waits");
    let r = attempt("jan@b.pl", testkit::PASSWORD, "192.0.2.44").await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER, "jan logs in from elsewhere");
}

#[tokio::test]
async fn api_keys_are_listed_used_and_revoked_at_once() {
    let h = spawn_app().await;
    for (org, email) in [("Firma A", "anna@a.pl"), ("Firma B", "jan@b.pl")] {
        h.app
            .create_organisation(org, email, SecretString::from(testkit::PASSWORD))
            .await
            .unwrap();
    }
    let mut anna = Browser::new(&h.base);
    anna.login("anna@a.pl", testkit::PASSWORD).await;
    let (status, page, _) = anna.get("/api-keys").await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("Nie ma jeszcze żadnego klucza API"), "{page}");
    let csrf = Browser::csrf(&page);
    let (status, page, _) = anna.post("/api-keys", &[("_csrf", &csrf), ("name", "ERP")]).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    let key = page
        .split("id=\"new-key-value\" value=\"")
        .nth(1)
        .and_then(|r| r.split('"').next())
        .unwrap()
        .to_owned();
    assert!(key.starts_with("abk_"));
    let api = |key: String| {
        let base = h.base.clone();
        async move {
            Client::new()
                .get(format!("{base}/api/v1/connections"))
                .bearer_auth(key)
                .send()
                .await
                .unwrap()
                .status()
        }
    };
    assert_eq!(api(key.clone()).await, StatusCode::OK);
    let (_, page, _) = anna.get("/api-keys").await;
    assert!(page.contains("ERP") && page.contains(&key[..8]), "{page}");
    assert!(!page.contains(&key), "the key itself is shown only once");
    assert!(!page.contains(">nigdy<"), "last use is shown: {page}");
    let revoke = page
        .split("action=\"/api-keys/")
        .nth(1)
        .and_then(|r| r.split('"').next())
        .map(|r| format!("/api-keys/{r}"))
        .unwrap();

    // Another organisation cannot revoke it.
    let mut jan = Browser::new(&h.base);
    jan.login("jan@b.pl", testkit::PASSWORD).await;
    let (_, page, _) = jan.get("/api-keys").await;
    let (status, _, _) = jan.post(&revoke, &[("_csrf", &Browser::csrf(&page))]).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(api(key.clone()).await, StatusCode::OK);

    let (status, _, loc) = anna.post(&revoke, &[("_csrf", &csrf)]).await;
    assert_eq!((status, loc.as_deref()), (StatusCode::SEE_OTHER, Some("/api-keys")));
    assert_eq!(api(key).await, StatusCode::UNAUTHORIZED, "refused at once");
}

#[tokio::test]
async fn files_over_the_limit_are_refused_with_413_naming_it() {
    let h = spawn_app_limited(false, 1024 * 1024).await;
    let (org, _, account, _) = owner_with_orders(&h, 1, 42, 2).await;
    let mut b = Browser::new(&h.base);
    b.login("anna@a.pl", testkit::PASSWORD).await;
    let (_, page, _) = b.get("/imports").await;
    let csrf = Browser::csrf(&page);
    let big = vec![b'x'; 2 * 1024 * 1024];
    let (status, body, _) = b
        .upload(
            &format!("/imports/file?_csrf={csrf}"),
            &[("account", account.as_str())],
            ("duzy.csv", &big),
        )
        .await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    assert!(body.contains("Plik jest za duży") && body.contains("1 MB"), "{body}");

    let key = h.app.create_api_key(&org, "ERP").await.unwrap();
    let r = Client::new()
        .post(format!("{}/api/v1/imports/file?account={account}", h.base))
        .bearer_auth(key.expose_secret())
        .header(header::CONTENT_TYPE, "text/csv")
        .body(big)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::PAYLOAD_TOO_LARGE);
    let problem: Value = r.json().await.unwrap();
    assert!(problem["detail"].as_str().unwrap().contains("1 MB"), "{problem}");
    assert!(
        h.app.store().imports(&org, 10).await.unwrap().is_empty(),
        "nothing stored"
    );
}

#[tokio::test]
async fn control_characters_in_forms_and_json_are_refused_naming_the_field() {
    let h = spawn_app().await;
    let (org, _) = h
        .app
        .create_organisation("Firma", "anna@a.pl", SecretString::from(testkit::PASSWORD))
        .await
        .unwrap();
    let mut b = Browser::new(&h.base);
    b.login("anna@a.pl", testkit::PASSWORD).await;
    let (_, page, _) = b.get("/invoicing-profile").await;
    let csrf = Browser::csrf(&page);
    let (status, body, _) = b
        .post(
            "/invoicing-profile",
            &[
                ("_csrf", &csrf),
                ("name", "Firma\u{0}Nowak"),
                ("nip", "5265877635"),
                ("address_line1", "ul. Długa 1"),
                ("address_line2", "00-001 Warszawa"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body.contains("Pole name zawiera niedozwolony znak sterujący"), "{body}");

    let key = h.app.create_api_key(&org, "ERP").await.unwrap();
    let r = Client::new()
        .put(format!("{}/api/v1/invoicing-profile", h.base))
        .bearer_auth(key.expose_secret())
        .json(&json!({"name": "Firma", "nip": "5265877635", "address_line1": "ul. A\u{0}B 1", "address_line2": "00-001 Warszawa"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let problem: Value = r.json().await.unwrap();
    assert_eq!(problem["field"], "address_line1");
}
