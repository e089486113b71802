//! Every OAuth flow: the authorization code with PKCE, its rules, cancelling, the device
//! flow, revocation and the refresh token's lifetime.

use super::*;

#[tokio::test]
async fn auth_code_with_pkce_then_refresh_twice() {
    let w = world(5).await;
    let tokens = link(&w).await;
    assert_eq!(tokens.expires_in, 43_199);
    let claims = tokens.claims().unwrap();
    assert_eq!(claims.user_name.as_deref(), Some(w.seller_id.as_str()));
    assert!(claims.scope.iter().any(|s| s == scopes::ORDERS_READ));
    let me = w
        .api
        .account(w.oauth.client_id(), &tokens.access_token)
        .me()
        .await
        .unwrap();
    assert_eq!(me.id.as_deref(), Some(w.seller_id.as_str()));
    assert_eq!(me.login.as_deref(), Some("sklep-testowy"));

    let first_refresh = tokens.refresh_token.clone().unwrap();
    let second = w.oauth.refresh(&first_refresh).await.unwrap();
    let third = w.oauth.refresh(second.refresh_token.as_ref().unwrap()).await.unwrap();
    assert_ne!(
        second.refresh_token.as_ref().unwrap().expose_secret(),
        third.refresh_token.as_ref().unwrap().expose_secret()
    );
    // The access token of a refreshed pair is dead.
    let old = w
        .api
        .account(w.oauth.client_id(), &tokens.access_token)
        .me()
        .await
        .unwrap_err();
    assert!(
        matches!(old, AllegroError::Unauthorized { ref error, .. } if error == "invalid_token"),
        "{old:?}"
    );
    w.api
        .account(w.oauth.client_id(), &third.access_token)
        .me()
        .await
        .unwrap();
    // Within 60 s a used refresh token still works; after that it is invalid_grant.
    w.oauth.refresh(&first_refresh).await.unwrap();
    w.emu.emulator.advance_clock(61);
    let reused = w.oauth.refresh(&first_refresh).await.unwrap_err();
    assert!(matches!(reused, OAuthError::InvalidGrant { .. }), "{reused:?}");
    assert!(
        !reused.to_string().contains(first_refresh.expose_secret()),
        "tokens never reach error text"
    );
}

#[tokio::test]
async fn code_rules_single_use_ten_seconds_exact_redirect() {
    let w = world(0).await;
    let pkce = Pkce::new();
    let url = w.oauth.authorization_url(&w.redirect_uri, "s", Some(&pkce), &[]);
    let back = consent_in_browser(&w.emu.base_url, url.as_str(), "sklep-testowy", "haslo123", true).await;
    let code = query_param(&back, "code").unwrap();
    let mismatch = w
        .oauth
        .exchange_code(&code, "http://localhost:9/other", Some(&pkce.verifier))
        .await
        .unwrap_err();
    assert!(
        matches!(&mismatch, OAuthError::InvalidGrant { description } if description.contains("Invalid authorization code") || description.contains("Redirect URI mismatch")),
        "{mismatch:?}"
    );
    // The code was consumed by the failed attempt.
    let reused = w
        .oauth
        .exchange_code(&code, &w.redirect_uri, Some(&pkce.verifier))
        .await
        .unwrap_err();
    assert!(matches!(reused, OAuthError::InvalidGrant { .. }));

    let back = consent_in_browser(&w.emu.base_url, url.as_str(), "sklep-testowy", "haslo123", true).await;
    let code = query_param(&back, "code").unwrap();
    w.emu.emulator.advance_clock(11);
    let expired = w
        .oauth
        .exchange_code(&code, &w.redirect_uri, Some(&pkce.verifier))
        .await
        .unwrap_err();
    assert!(matches!(expired, OAuthError::InvalidGrant { .. }));

    // PKCE without the secret: client_id + code_verifier in the body.
    let back = consent_in_browser(&w.emu.base_url, url.as_str(), "sklep-testowy", "haslo123", true).await;
    let code = query_param(&back, "code").unwrap();
    let wrong = Pkce::new();
    assert!(matches!(
        w.oauth
            .exchange_code_pkce(&code, &w.redirect_uri, &wrong.verifier)
            .await,
        Err(OAuthError::InvalidGrant { .. })
    ));
    let back = consent_in_browser(&w.emu.base_url, url.as_str(), "sklep-testowy", "haslo123", true).await;
    let code = query_param(&back, "code").unwrap();
    w.oauth
        .exchange_code_pkce(&code, &w.redirect_uri, &pkce.verifier)
        .await
        .unwrap();
}

#[tokio::test]
async fn cancel_returns_access_denied_with_state() {
    let w = world(0).await;
    let url = w.oauth.authorization_url(&w.redirect_uri, "keep-me", None, &[]);
    let back = consent_in_browser(&w.emu.base_url, url.as_str(), "sklep-testowy", "haslo123", false).await;
    assert_eq!(query_param(&back, "error").as_deref(), Some("access_denied"));
    assert_eq!(query_param(&back, "state").as_deref(), Some("keep-me"));
    assert!(query_param(&back, "code").is_none());
}

#[tokio::test]
async fn device_flow_pending_slow_down_approved_and_denied() {
    let w = world(0).await;
    let (id, secret) = w
        .emu
        .emulator
        .register_app(NewApp {
            name: "Terminal".into(),
            description: None,
            redirect_uris: vec![],
            app_type: Some("device_code".into()),
            scopes: None,
        })
        .unwrap();
    let env = Environment::custom(&w.emu.base_url, &w.emu.base_url).unwrap();
    let device = OAuthClient::new(env, id, SecretString::from(secret));
    // A browser app has no device grant.
    assert!(matches!(
        w.oauth.start_device(&[]).await,
        Err(OAuthError::Unauthorized { .. })
    ));

    let auth = device.start_device(&[scopes::ORDERS_READ]).await.unwrap();
    assert_eq!(auth.interval, Duration::from_secs(5));
    assert_eq!(auth.display_code().len(), 11);
    // Polling faster than the interval is answered slow_down (checked on a second grant so
    // the one below keeps its 5 s interval).
    let probe = device.start_device(&[]).await.unwrap();
    assert!(matches!(
        device.poll_device(&probe.device_code).await.unwrap(),
        DevicePoll::Pending
    ));
    assert!(matches!(
        device.poll_device(&probe.device_code).await.unwrap(),
        DevicePoll::SlowDown
    ));
    w.emu.emulator.advance_clock(11);
    assert!(matches!(
        device.poll_device(&probe.device_code).await.unwrap(),
        DevicePoll::Pending
    ));

    // The seller opens verification_uri_complete, logs in and approves.
    let b = browser();
    let page = url::Url::parse(&auth.verification_uri_complete).unwrap();
    let path_and_query = format!("{}?{}", page.path(), page.query().unwrap());
    let logged = b
        .post(format!("{}/login", w.emu.base_url))
        .form(&[
            ("login", "sklep-testowy"),
            ("password", "haslo123"),
            ("return", path_and_query.as_str()),
        ])
        .send()
        .await
        .unwrap();
    let cookie = logged.headers()[reqwest::header::SET_COOKIE]
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_owned();
    let html = b
        .get(&auth.verification_uri_complete)
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains("Tak, powiąż"), "{html}");
    let done = b
        .post(format!("{}/skojarz-aplikacje", w.emu.base_url))
        .header("cookie", &cookie)
        .form(&[("code", auth.user_code.as_str()), ("decision", "approve")])
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(done.contains("Gotowe"));
    // wait_for_device honours the 5 s interval in real time.
    let DevicePoll::Token(tokens) = device.wait_for_device(&auth).await.unwrap() else {
        panic!("expected a token")
    };
    assert_eq!(
        tokens.claims().unwrap().user_name.as_deref(),
        Some(w.seller_id.as_str())
    );
    assert_eq!(tokens.scopes, vec![scopes::ORDERS_READ.to_owned()]);
    // A device code gives a token once.
    w.emu.emulator.advance_clock(20);
    assert!(matches!(
        device.poll_device(&auth.device_code).await.unwrap(),
        DevicePoll::Invalid
    ));

    let refused = device.start_device(&[]).await.unwrap();
    b.post(format!("{}/skojarz-aplikacje", w.emu.base_url))
        .header("cookie", &cookie)
        .form(&[("code", refused.display_code().as_str()), ("decision", "deny")])
        .send()
        .await
        .unwrap();
    assert!(matches!(
        device.poll_device(&refused.device_code).await.unwrap(),
        DevicePoll::Denied
    ));

    let expired = device.start_device(&[]).await.unwrap();
    w.emu.emulator.advance_clock(3601);
    assert!(matches!(
        device.poll_device(&expired.device_code).await.unwrap(),
        DevicePoll::Expired
    ));
}

#[tokio::test]
async fn revocation_kills_access_and_refresh() {
    let w = world(0).await;
    let tokens = link(&w).await;
    let http = reqwest::Client::new();
    let r = http
        .post(format!("{}/__emulator/sellers/{}/revoke", w.emu.base_url, w.seller_id))
        .json(&serde_json::json!({"reason": "password_change"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert!(matches!(
        w.api.account(w.oauth.client_id(), &tokens.access_token).me().await,
        Err(AllegroError::Unauthorized { .. })
    ));
    assert!(matches!(
        w.oauth.refresh(tokens.refresh_token.as_ref().unwrap()).await,
        Err(OAuthError::Unauthorized { .. })
    ));
}

#[tokio::test]
async fn refresh_token_lives_three_months() {
    let w = world(0).await;
    let tokens = link(&w).await;
    w.emu.emulator.advance_clock(89 * 86_400);
    let fresh = w.oauth.refresh(tokens.refresh_token.as_ref().unwrap()).await.unwrap();
    w.emu.emulator.advance_clock(91 * 86_400);
    assert!(matches!(
        w.oauth.refresh(fresh.refresh_token.as_ref().unwrap()).await,
        Err(OAuthError::InvalidGrant { .. })
    ));
}
