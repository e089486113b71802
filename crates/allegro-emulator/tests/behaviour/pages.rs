//! The pages: login, "Kontynuuj / Zmień konto", consent, errors, the developer portal.

use super::*;

#[tokio::test]
async fn pages_login_continue_change_account_and_errors() {
    let emu = emulator().await;
    let base = &emu.base_url;
    emu.emulator.create_seller("pierwszy", "haslo1").unwrap();
    emu.emulator.create_seller("drugi", "haslo2").unwrap();
    let (id, _) = app(&emu, Some(vec!["allegro:api:orders:read", "allegro:api:profile:read"]));
    let b = browser();
    let authorize = format!(
        "/auth/oauth/authorize?response_type=code&client_id={id}&redirect_uri=http%3A%2F%2Flocalhost%3A7%2Fcb&state=s1"
    );

    // Unknown client and a redirect URI that is not registered: an error page, no redirect.
    let r = b
        .get(format!(
            "{base}/auth/oauth/authorize?response_type=code&client_id=nope&redirect_uri=http://localhost:7/cb"
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    assert!(r.text().await.unwrap().contains("Nie możemy wyświetlić strony"));
    let r = b
        .get(format!(
            "{base}/auth/oauth/authorize?response_type=code&client_id={id}&redirect_uri=http://evil.example/cb"
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    // A wrong code_challenge_method goes back to the (registered) redirect URI with an error.
    let r = b
        .get(format!(
            "{base}{authorize}&code_challenge=abc&code_challenge_method=plain"
        ))
        .send()
        .await
        .unwrap();
    assert!(
        r.headers()[header::LOCATION]
            .to_str()
            .unwrap()
            .contains("error=invalid_request")
    );

    // Wrong password: the form again with a message, no session.
    let (status, cookie, body) = login(&b, base, "pierwszy", "zle", &authorize).await;
    assert_eq!(status, 200);
    assert!(cookie.is_none());
    assert!(body.contains("Nieprawidłowy login lub hasło"));
    // Right password: straight to consent; it lists only the app's permissions, by group.
    let (status, cookie, location) = login(&b, base, "pierwszy", "haslo1", &authorize).await;
    assert_eq!(status, 303);
    let cookie = cookie.unwrap();
    let consent = b
        .get(format!("{base}{location}"))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(consent.contains("Zamówienia i obsługa posprzedażowa") && consent.contains("Dane osobowe"));
    assert!(
        !consent.contains("Zarządzanie ofertami"),
        "only the app's scopes are listed"
    );
    // Coming back later, the remembered browser is asked "Kontynuuj" or "Zmień konto".
    let again = b
        .get(format!("{base}{authorize}"))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(again.contains("Kontynuuj") && again.contains("Zmień konto") && again.contains("pierwszy"));
    let change = again
        .split("id=\"change-account\" href=\"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .replace("&amp;", "&")
        .replace("&#x2F;", "/");
    let r = b
        .get(format!("{base}{change}"))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    assert!(
        r.headers()[header::LOCATION]
            .to_str()
            .unwrap()
            .starts_with("/login?return=")
    );
    // The old session is gone.
    let r = b
        .get(format!("{base}{authorize}"))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303, "logged out: sent to the login page");
    // Log in as the other user: consent names them.
    let (_, cookie2, location) = login(&b, base, "drugi", "haslo2", &authorize).await;
    let consent = b
        .get(format!("{base}{location}"))
        .header("cookie", cookie2.unwrap())
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(consent.contains("drugi"));
    // The login form never redirects off-site.
    let (_, _, location) = login(&b, base, "drugi", "haslo2", "https://evil.example/").await;
    assert_eq!(location, "/apps");
}

#[tokio::test]
async fn developer_portal_registers_an_app_that_binds_the_token_endpoint() {
    let emu = emulator().await;
    let base = &emu.base_url;
    emu.emulator.create_seller("deweloper", "haslo").unwrap();
    let b = browser();
    let r = b.get(format!("{base}/apps")).send().await.unwrap();
    assert_eq!(r.status(), 303, "the portal needs a login");
    let (_, cookie, _) = login(&b, base, "deweloper", "haslo", "/apps").await;
    let cookie = cookie.unwrap();
    let form = b
        .get(format!("{base}/apps/new"))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    for label in [
        "Nazwa aplikacji",
        "Adresy URI do przekierowania",
        "Zarządzanie ofertami",
        "Zamówienia i obsługa posprzedażowa",
        "Dane osobowe",
        "Znam i akceptuję regulamin REST API Allegro",
    ] {
        assert!(form.contains(label), "{label}");
    }
    // A private IP and a missing terms tick are refused with messages, nothing registered.
    let bad = [
        ("name", "ING Księgowość – Allegro"),
        ("type", "authorization_code"),
        ("redirect_uris", "http://192.168.1.2/cb"),
        ("scope", "allegro:api:orders:read"),
        ("terms", "1"),
    ];
    let r = b
        .post(format!("{base}/apps"))
        .header("cookie", &cookie)
        .form(&bad)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    assert!(r.text().await.unwrap().contains("prywatnym adresem IP"));
    let r = b
        .post(format!("{base}/apps"))
        .header("cookie", &cookie)
        .form(&bad[..4])
        .send()
        .await
        .unwrap();
    assert!(r.text().await.unwrap().contains("Zaakceptuj regulamin"));
    let good = [
        ("name", "ING Księgowość – Allegro"),
        ("type", "authorization_code"),
        (
            "redirect_uris",
            "https://ksiegowosc.example.pl/v1/allegro/install/cef7c9bb\nhttp://localhost:8080/cb",
        ),
        ("scope", "allegro:api:sale:offers:read"),
        ("scope", "allegro:api:orders:read"),
        ("scope", "allegro:api:profile:read"),
        ("terms", "1"),
    ];
    let r = b
        .post(format!("{base}/apps"))
        .header("cookie", &cookie)
        .form(&good)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let details_url = r.headers()[header::LOCATION].to_str().unwrap().to_owned();
    let details = b
        .get(format!("{base}{details_url}"))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(details.contains("POKAŻ") && !details.contains("UKRYJ"));
    let client_id = details
        .split("id=\"client-id\">")
        .nth(1)
        .unwrap()
        .split('<')
        .next()
        .unwrap()
        .to_owned();
    let shown = b
        .get(format!("{base}{details_url}?pokaz=1"))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(shown.contains("UKRYJ"));
    let secret = shown
        .split("id=\"client-secret\">")
        .nth(1)
        .unwrap()
        .split('<')
        .next()
        .unwrap()
        .to_owned();
    assert_eq!(secret.len(), 64);
    let list = b
        .get(format!("{base}/apps"))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(list.contains("ING Księgowość"));
    // The ticked permissions bound what the token gets: orders:write was not ticked.
    let seller = emu.emulator.create_seller("sprzedawca", "x").unwrap();
    let token = mint(&emu, &client_id, Some(&seller)).await;
    assert_eq!(
        token["scope"],
        "allegro:api:sale:offers:read allegro:api:orders:read allegro:api:profile:read"
    );
    let http = Client::new();
    let r = http
        .put(format!(
            "{base}/order/checkout-forms/00000000-0000-4000-8000-000000000000/fulfillment"
        ))
        .bearer_auth(token["access_token"].as_str().unwrap())
        .header("content-type", V1)
        .body(r#"{"status":"SENT"}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    // At most five apps per account.
    for n in 2..=5 {
        let name = format!("Aplikacja {n}");
        let form = [
            ("name", name.as_str()),
            ("redirect_uris", "http://localhost/cb"),
            ("scope", "allegro:api:orders:read"),
            ("terms", "1"),
        ];
        assert_eq!(
            b.post(format!("{base}/apps"))
                .header("cookie", &cookie)
                .form(&form)
                .send()
                .await
                .unwrap()
                .status(),
            303
        );
    }
    let form = [
        ("name", "Szósta"),
        ("redirect_uris", "http://localhost/cb"),
        ("scope", "allegro:api:orders:read"),
        ("terms", "1"),
    ];
    let r = b
        .post(format!("{base}/apps"))
        .header("cookie", &cookie)
        .form(&form)
        .send()
        .await
        .unwrap();
    assert!(r.text().await.unwrap().contains("limit 5 aplikacji"));
}
