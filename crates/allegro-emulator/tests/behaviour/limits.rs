//! Rate limits, the control API's validation, and the auth and API hosts apart.

use super::*;

#[tokio::test]
async fn per_second_limit_on_shipments_and_a_minute_block() {
    let emu = emulator().await;
    let (id, _) = app(&emu, None);
    let seller = emu.emulator.create_seller("limit", "x").unwrap();
    let token = mint(&emu, &id, Some(&seller)).await["access_token"]
        .as_str()
        .unwrap()
        .to_owned();
    let http = Client::new();
    let mut statuses = Vec::new();
    for _ in 0..60 {
        let r = http
            .get(format!("{}/order/carriers", emu.base_url))
            .bearer_auth(&token)
            .header("accept", V1)
            .send()
            .await
            .unwrap();
        statuses.push(r.status().as_u16());
    }
    // A sliding one-second window: the first 50 pass, the burst's rest is refused (the
    // loop takes far less than a second on loopback).
    assert!(statuses[..50].iter().all(|s| *s == 200), "{statuses:?}");
    assert!(statuses[50..].contains(&429), "{statuses:?}");
    emu.emulator.set_settings(Settings {
        requests_per_minute: 100,
        ..Settings::default()
    });
    emu.emulator.advance_clock(120);
    let mut first_429 = None;
    for i in 0..150 {
        let r = http
            .get(format!("{}/me", emu.base_url))
            .bearer_auth(&token)
            .header("accept", V1)
            .send()
            .await
            .unwrap();
        if r.status() == 429 {
            first_429 = Some(i);
            break;
        }
    }
    assert_eq!(first_429, Some(100));
    // A call during the block extends it.
    emu.emulator.advance_clock(59);
    assert_eq!(
        http.get(format!("{}/me", emu.base_url))
            .bearer_auth(&token)
            .header("accept", V1)
            .send()
            .await
            .unwrap()
            .status(),
        429
    );
    emu.emulator.advance_clock(59);
    assert_eq!(
        http.get(format!("{}/me", emu.base_url))
            .bearer_auth(&token)
            .header("accept", V1)
            .send()
            .await
            .unwrap()
            .status(),
        429
    );
    emu.emulator.advance_clock(61);
    assert_eq!(
        http.get(format!("{}/me", emu.base_url))
            .bearer_auth(&token)
            .header("accept", V1)
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
}

#[tokio::test]
async fn control_api_validates_its_input() {
    let emu = emulator().await;
    let base = &emu.base_url;
    let http = Client::new();
    let post = |path: &str, body: Value| http.post(format!("{base}{path}")).json(&body).send();
    let r = post(
        "/__emulator/apps",
        json!({"name": "X", "redirect_uris": ["http://localhost/cb"]}),
    )
    .await
    .unwrap();
    assert_eq!(r.status(), 422, "name too short");
    let r = post(
        "/__emulator/apps",
        json!({"name": "Good", "redirect_uris": ["https://shop.pl/cb#frag"]}),
    )
    .await
    .unwrap();
    assert_eq!(r.status(), 422);
    assert!(r.text().await.unwrap().contains("fragment"));
    let r = post(
        "/__emulator/apps",
        json!({"name": "Good", "redirect_uris": ["https://shop.pl/cb"], "scopes": ["allegro:api:nope"]}),
    )
    .await
    .unwrap();
    assert!(r.text().await.unwrap().contains("unknown scope"));
    let r = post(
        "/__emulator/apps",
        json!({"name": "Good", "redirect_uris": [], "type": "device_code"}),
    )
    .await
    .unwrap();
    assert_eq!(r.status(), 201, "device apps need no redirect URI");
    let r = post(
        "/__emulator/sellers",
        json!({"login": "a", "password": "b", "extra": 1}),
    )
    .await
    .unwrap();
    assert_eq!(r.status(), 422, "unknown fields are refused");
    assert_eq!(
        post("/__emulator/sellers", json!({"login": "a", "password": "b"}))
            .await
            .unwrap()
            .status(),
        201
    );
    assert_eq!(
        post("/__emulator/sellers", json!({"login": "A", "password": "c"}))
            .await
            .unwrap()
            .status(),
        409,
        "logins are case-insensitive"
    );
    assert_eq!(
        post("/__emulator/sellers/999/orders", json!({"count": 1}))
            .await
            .unwrap()
            .status(),
        404
    );
    assert_eq!(
        post("/__emulator/sellers/999/revoke", json!({"reason": "password_change"}))
            .await
            .unwrap()
            .status(),
        404
    );
    assert_eq!(
        post("/__emulator/clock/advance", json!({"seconds": -5}))
            .await
            .unwrap()
            .status(),
        422
    );
    let r = http
        .put(format!("{base}/__emulator/faults"))
        .json(&json!({"rate_5xx": 1.5}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    let r = http
        .put(format!("{base}/__emulator/faults"))
        .json(&json!({"rate_5xx": 0.1, "latency_ms": 5}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let faults: Value = http
        .get(format!("{base}/__emulator/faults"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(faults["latency_ms"], 5);
}

#[tokio::test]
async fn auth_and_api_hosts_on_two_addresses() {
    let emu = allegro_emulator::spawn_on("127.0.0.1:0", Some("127.0.0.1:0"), EmulatorConfig { seed: 1 })
        .await
        .unwrap();
    assert_ne!(emu.base_url, emu.auth_base_url);
    let seller = emu.emulator.create_seller("dwa-adresy", "x").unwrap();
    let (id, secret) = app(&emu, None);
    let http = Client::new();
    let r: Value = http
        .post(format!("{}/auth/oauth/token", emu.auth_base_url))
        .basic_auth(&id, Some(&secret))
        .form(&[("grant_type", "client_credentials")])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let token = r["access_token"].as_str().unwrap();
    let carriers = http
        .get(format!("{}/order/carriers", emu.base_url))
        .bearer_auth(token)
        .header("accept", V1)
        .send()
        .await
        .unwrap();
    assert_eq!(
        carriers.status(),
        200,
        "a token from the auth host works on the API host"
    );
    // The portal sees apps registered for a seller.
    let (owned, _) = emu
        .emulator
        .register_app_for(
            &seller,
            NewApp {
                name: "Moja".into(),
                description: None,
                redirect_uris: vec!["http://localhost/cb".into()],
                app_type: None,
                scopes: None,
            },
        )
        .unwrap();
    let b = browser();
    let (_, cookie, _) = login(&b, &emu.auth_base_url, "dwa-adresy", "x", "/apps").await;
    let list = b
        .get(format!("{}/apps", emu.auth_base_url))
        .header("cookie", cookie.unwrap())
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(list.contains(&owned) && list.contains("Moja"));
}
