//! The token endpoint's rules and its flood protection.

use super::*;

#[tokio::test]
async fn token_endpoint_rules() {
    let emu = emulator().await;
    let base = &emu.base_url;
    let (id, secret) = app(&emu, None);
    let http = Client::new();
    // GET and query-string parameters are refused since September 2025.
    let r = http
        .get(format!("{base}/auth/oauth/token?grant_type=client_credentials"))
        .basic_auth(&id, Some(&secret))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 405);
    let r = http
        .post(format!("{base}/auth/oauth/token?grant_type=client_credentials"))
        .basic_auth(&id, Some(&secret))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    assert_eq!(r.json::<Value>().await.unwrap()["error"], "invalid_request");
    // JSON instead of a form.
    let r = http
        .post(format!("{base}/auth/oauth/token"))
        .basic_auth(&id, Some(&secret))
        .json(&json!({"grant_type": "client_credentials"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    // Wrong secret: 401 Unauthorized, Spring's body.
    let r = http
        .post(format!("{base}/auth/oauth/token"))
        .basic_auth(&id, Some("nope"))
        .form(&[("grant_type", "client_credentials")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
    assert_eq!(
        r.json::<Value>().await.unwrap(),
        json!({"error": "Unauthorized", "error_description": "Unauthorized"})
    );
    let r = http
        .post(format!("{base}/auth/oauth/token"))
        .basic_auth(&id, Some(&secret))
        .form(&[("grant_type", "password")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.json::<Value>().await.unwrap()["error"], "unsupported_grant_type");
    // Client credentials: no refresh token, no user: /me is 403, carriers work.
    let r: Value = http
        .post(format!("{base}/auth/oauth/token"))
        .basic_auth(&id, Some(&secret))
        .form(&[("grant_type", "client_credentials")])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(r.get("refresh_token").is_none());
    assert_eq!(r["expires_in"], 43199);
    assert_eq!(r["token_type"], "bearer");
    let token = r["access_token"].as_str().unwrap();
    let me = http
        .get(format!("{base}/me"))
        .bearer_auth(token)
        .header("accept", V1)
        .send()
        .await
        .unwrap();
    assert_eq!(me.status(), 403);
    assert_eq!(me.json::<Value>().await.unwrap()["errors"][0]["code"], "EMPTY_USER_ID");
    let carriers = http
        .get(format!("{base}/order/carriers"))
        .bearer_auth(token)
        .header("accept", V1)
        .send()
        .await
        .unwrap();
    assert_eq!(carriers.status(), 200);
    // The JWT carries the documented claims, RS256.
    let header_b64 = token.split('.').next().unwrap();
    use base64::Engine as _;
    let header: Value = serde_json::from_slice(
        &base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(header_b64)
            .unwrap(),
    )
    .unwrap();
    assert_eq!(header["alg"], "RS256");
}

#[tokio::test]
async fn token_flood_is_refused() {
    let emu = emulator().await;
    let seller = emu.emulator.create_seller("flood", "x").unwrap();
    let (id, _) = app(&emu, None);
    emu.emulator.set_settings(Settings {
        tokens_per_user_per_hour: 3,
        ..Settings::default()
    });
    for _ in 0..3 {
        assert!(mint(&emu, &id, Some(&seller)).await["access_token"].is_string());
    }
    assert_eq!(mint(&emu, &id, Some(&seller)).await["error"], "too_many_requests");
    emu.emulator.advance_clock(3601);
    assert!(mint(&emu, &id, Some(&seller)).await["access_token"].is_string());
}
