//! Forms need their CSRF token, and one organisation never sees or touches another's data, through the pages and the API.

use super::*;

#[tokio::test]
async fn forms_without_the_csrf_token_are_refused() {
    let h = spawn_app().await;
    h.app
        .create_organisation("Firma", "anna@a.pl", SecretString::from("bardzo-tajne-haslo"))
        .await
        .unwrap();
    let mut b = Browser::new(&h.base);
    let (status, _, _) = b
        .post("/login", &[("email", "anna@a.pl"), ("password", "bardzo-tajne-haslo")])
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "login without the pre-login token");
    b.login("anna@a.pl", "bardzo-tajne-haslo").await;
    let (status, _, _) = b
        .post("/connections", &[("mode", "own_app"), ("environment", "production")])
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _, _) = b
        .post(
            "/connections",
            &[("_csrf", "wrong"), ("mode", "own_app"), ("environment", "production")],
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    // The refusal speaks the seller's language: Polish, or English once chosen.
    let (_, refused, _) = b.post("/connections", &[("mode", "own_app")]).await;
    assert!(refused.contains("Formularz wygasł"), "{refused}");
    let (status, _, _) = b.get("/lang/en").await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (_, refused, _) = b.post("/connections", &[("mode", "own_app")]).await;
    assert!(refused.contains("The form expired"), "{refused}");
    b.get("/lang/pl").await;
    let (_, page, _) = b.get("/connections").await;
    let csrf = Browser::csrf(&page);
    let (status, _, loc) = b
        .post(
            "/connections",
            &[("_csrf", &csrf), ("mode", "own_app"), ("environment", "production")],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert!(loc.unwrap().starts_with("/connections/"));
    // Cross-site requests are refused even with a token.
    let r = b
        .http
        .post(format!("{}/logout", h.base))
        .header("cookie", b.cookie_header())
        .header("sec-fetch-site", "cross-site")
        .form(&[("_csrf", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn one_organisation_never_sees_or_touches_another() {
    let h = spawn_app().await;
    let [(conn_a, account_a, key_a), (conn_b, account_b, key_b)] = two_tenants(&h).await;
    let mut b = Browser::new(&h.base);
    b.login("jan@b.pl", "bardzo-tajne-haslo").await;
    let (_, page, _) = b.get("/accounts").await;
    assert!(page.contains("sklep-b") && !page.contains("sklep-a"));
    let csrf = Browser::csrf(&page);
    for path in [
        format!("/connections/{conn_a}"),
        format!("/accounts/{account_a}/settings"),
        format!("/accounts/{account_a}/disconnect"),
    ] {
        let (status, _, _) = b.get(&path).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{path}");
    }
    for path in [
        format!("/accounts/{account_a}/disconnect"),
        format!("/accounts/{account_a}/relink"),
        format!("/connections/{conn_a}/link"),
    ] {
        let (status, _, _) = b.post(&path, &[("_csrf", &csrf)]).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{path}");
    }
    let (status, _, _) = b
        .post(
            &format!("/accounts/{account_a}/settings"),
            &[
                ("_csrf", &csrf),
                ("vat_goods", "8"),
                ("vat_delivery", "8"),
                ("invoice_trigger", "SENT"),
                ("invoice_series", "X/{n}"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    let api = Client::new();
    let accounts: Value = api
        .get(format!("{}/api/v1/accounts", h.base))
        .bearer_auth(&key_b)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(accounts["accounts"].as_array().unwrap().len(), 1);
    assert_eq!(accounts["accounts"][0]["id"], account_b);
    let r = api
        .delete(format!("{}/api/v1/accounts/{account_a}", h.base))
        .bearer_auth(&key_b)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    let r = api
        .post(format!("{}/api/v1/connections/{conn_a}/link", h.base))
        .bearer_auth(&key_b)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    let r = api
        .put(format!("{}/api/v1/connections/{conn_a}/credentials", h.base))
        .bearer_auth(&key_b)
        .json(&json!({"client_id": "abcdefgh12", "client_secret": "secretsecret"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    let r = api
        .get(format!("{}/api/v1/accounts/{account_a}/settings", h.base))
        .bearer_auth(&key_b)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    // A still has everything.
    let mine: Value = api
        .get(format!("{}/api/v1/accounts", h.base))
        .bearer_auth(&key_a)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(mine["accounts"][0]["status"], "active");
    let conns: Value = api
        .get(format!("{}/api/v1/connections", h.base))
        .bearer_auth(&key_a)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(conns["connections"].as_array().unwrap().len(), 1);
    assert_eq!(conns["connections"][0]["id"], conn_a);
    assert!(!conns.to_string().contains("secret\":\""), "no secret in API responses");
    let _ = conn_b;
}
