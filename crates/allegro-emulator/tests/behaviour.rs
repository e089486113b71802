//! Emulator behaviour over HTTP: the token endpoint's rules, the pages (login, "Kontynuuj /
//! Zmień konto", consent, portal), journal quirks, scheduled payments, retention windows,
//! rate limits and the control API's validation.

use allegro_emulator::{EmulatorConfig, EmulatorHandle, Faults, NewApp, OrderPlan, Settings};
use reqwest::{Client, StatusCode, header};
use serde_json::{Value, json};

const V1: &str = "application/vnd.allegro.public.v1+json";

async fn emulator() -> EmulatorHandle {
    allegro_emulator::spawn("127.0.0.1:0", EmulatorConfig { seed: 21 })
        .await
        .unwrap()
}

fn browser() -> Client {
    Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

fn app(emu: &EmulatorHandle, scopes: Option<Vec<&str>>) -> (String, String) {
    emu.emulator
        .register_app(NewApp {
            name: "Behaviour".into(),
            description: None,
            redirect_uris: vec!["http://localhost:7/cb".into()],
            app_type: None,
            scopes: scopes.map(|s| s.into_iter().map(str::to_owned).collect()),
        })
        .unwrap()
}

async fn login(
    b: &Client,
    base: &str,
    login: &str,
    password: &str,
    return_to: &str,
) -> (StatusCode, Option<String>, String) {
    let r = b
        .post(format!("{base}/login"))
        .form(&[("login", login), ("password", password), ("return", return_to)])
        .send()
        .await
        .unwrap();
    let status = r.status();
    let cookie = r
        .headers()
        .get(header::SET_COOKIE)
        .map(|c| c.to_str().unwrap().split(';').next().unwrap().to_owned());
    let location = r
        .headers()
        .get(header::LOCATION)
        .map(|l| l.to_str().unwrap().to_owned())
        .unwrap_or_default();
    let body = if location.is_empty() {
        r.text().await.unwrap()
    } else {
        location
    };
    (status, cookie, body)
}

async fn mint(emu: &EmulatorHandle, client_id: &str, seller: Option<&str>) -> Value {
    let mut body = json!({"client_id": client_id});
    if let Some(s) = seller {
        body["seller_id"] = json!(s);
    }
    Client::new()
        .post(format!("{}/__emulator/tokens", emu.base_url))
        .json(&body)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

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

async fn get_json(emu: &EmulatorHandle, token: &str, path: &str) -> Value {
    let r = Client::new()
        .get(format!("{}{path}", emu.base_url))
        .bearer_auth(token)
        .header("accept", V1)
        .send()
        .await
        .unwrap();
    r.json().await.unwrap()
}

async fn all_events(emu: &EmulatorHandle, token: &str) -> Vec<Value> {
    let http = Client::new();
    let mut out: Vec<Value> = Vec::new();
    loop {
        let mut url = format!("{}/order/events?limit=1000", emu.base_url);
        if let Some(last) = out.last() {
            url.push_str(&format!("&from={}", last["id"].as_str().unwrap()));
        }
        let page: Value = http
            .get(url)
            .bearer_auth(token)
            .header("accept", V1)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let events = page["events"].as_array().unwrap().clone();
        if events.is_empty() {
            return out;
        }
        out.extend(events);
    }
}

#[tokio::test]
async fn journal_quirks_on_demand() {
    let plan = OrderPlan {
        count: 200,
        seed: 2,
        days: 10,
        pending_share: 0.0,
        pay_within_seconds: 60,
    };
    let count = |events: &[Value], t: &str| events.iter().filter(|e| e["type"] == t).count();

    let emu = emulator().await;
    let (id, _) = app(&emu, None);
    let clean_seller = emu.emulator.create_seller("czysty", "x").unwrap();
    emu.emulator.generate_orders(&clean_seller, plan).unwrap();
    let token = mint(&emu, &id, Some(&clean_seller)).await["access_token"]
        .as_str()
        .unwrap()
        .to_owned();
    let clean = all_events(&emu, &token).await;
    let ready_clean = count(&clean, "READY_FOR_PROCESSING");
    assert!(ready_clean > 100);
    assert!(
        clean
            .windows(2)
            .all(|w| w[0]["occurredAt"].as_str() <= w[1]["occurredAt"].as_str()),
        "clean journal is in time order"
    );

    // Same seed on a second emulator, with every quirk on.
    let emu = emulator().await;
    let (id, _) = app(&emu, None);
    let seller = emu.emulator.create_seller("czysty", "x").unwrap();
    emu.emulator
        .set_faults(Faults {
            skip_ready_for_processing: 0.3,
            duplicate_events: 0.2,
            out_of_order_events: 0.2,
            ..Faults::default()
        })
        .unwrap();
    emu.emulator.generate_orders(&seller, plan).unwrap();
    let token = mint(&emu, &id, Some(&seller)).await["access_token"]
        .as_str()
        .unwrap()
        .to_owned();
    let quirky = all_events(&emu, &token).await;
    let ready = count(&quirky, "READY_FOR_PROCESSING");
    assert!(
        ready < ready_clean,
        "some READY_FOR_PROCESSING were skipped: {ready} vs {ready_clean}"
    );
    let keys: Vec<(String, String)> = quirky
        .iter()
        .map(|e| {
            (
                e["order"]["checkoutForm"]["id"].as_str().unwrap().to_owned(),
                e["type"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    let unique: std::collections::HashSet<_> = keys.iter().collect();
    assert!(unique.len() < keys.len(), "some events are duplicated under new ids");
    assert!(
        quirky
            .windows(2)
            .any(|w| w[0]["occurredAt"].as_str() > w[1]["occurredAt"].as_str()),
        "some events arrive late"
    );
    assert!(
        quirky
            .windows(2)
            .all(|w| w[0]["id"].as_str().unwrap().parse::<u64>().unwrap()
                < w[1]["id"].as_str().unwrap().parse::<u64>().unwrap()),
        "ids still increase"
    );
    // The orders themselves are all there, whatever the journal says.
    let page: Value = Client::new()
        .get(format!("{}/order/checkout-forms?limit=1", emu.base_url))
        .bearer_auth(&token)
        .header("accept", V1)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(page["totalCount"], 200);
}

#[tokio::test]
async fn pending_orders_get_paid_as_the_clock_moves_and_windows_age_out() {
    let emu = emulator().await;
    let (id, _) = app(&emu, None);
    let seller = emu.emulator.create_seller("zegar", "x").unwrap();
    emu.emulator
        .generate_orders(
            &seller,
            OrderPlan {
                count: 20,
                seed: 8,
                days: 2,
                pending_share: 1.0,
                pay_within_seconds: 300,
            },
        )
        .unwrap();
    let token = mint(&emu, &id, Some(&seller)).await["access_token"]
        .as_str()
        .unwrap()
        .to_owned();
    let http = Client::new();
    let get = |path: String| {
        let (http, token, base) = (http.clone(), token.clone(), emu.base_url.clone());
        async move {
            http.get(format!("{base}{path}"))
                .bearer_auth(token)
                .header("accept", V1)
                .send()
                .await
                .unwrap()
                .json::<Value>()
                .await
                .unwrap()
        }
    };
    let ready = get("/order/checkout-forms?status=READY_FOR_PROCESSING".into()).await;
    assert_eq!(ready["totalCount"], 0, "nothing paid yet");
    let stats = get("/order/event-stats".into()).await;
    let before = stats["latestEvent"]["id"]
        .as_str()
        .unwrap_or_else(|| panic!("{stats}"))
        .to_owned();
    emu.emulator.advance_clock(301);
    let ready = get("/order/checkout-forms?status=READY_FOR_PROCESSING".into()).await;
    assert_eq!(ready["totalCount"], 20, "all paid within 300 s");
    let new_events = get(format!("/order/events?from={before}&type=READY_FOR_PROCESSING")).await;
    assert_eq!(new_events["events"].as_array().unwrap().len(), 20);
    // The journal keeps 60 days, orders 365 (fresh tokens: the old one lived 12 h).
    emu.emulator.advance_clock(61 * 86_400);
    let token = mint(&emu, &id, Some(&seller)).await["access_token"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(
        get_json(&emu, &token, "/order/events").await["events"]
            .as_array()
            .unwrap()
            .is_empty()
    );
    assert!(get_json(&emu, &token, "/order/event-stats").await["latestEvent"].is_null());
    assert_eq!(get_json(&emu, &token, "/order/checkout-forms").await["totalCount"], 20);
    emu.emulator.advance_clock(305 * 86_400);
    let token = mint(&emu, &id, Some(&seller)).await["access_token"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(get_json(&emu, &token, "/order/checkout-forms").await["totalCount"], 0);
}

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
