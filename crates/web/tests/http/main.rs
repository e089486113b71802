//! The back-office over HTTP: CSRF, organisation isolation through the UI and the API,
//! the API's shapes and errors, callback pages, settings validation.

use std::sync::Arc;

use allegro_emulator::{EmulatorConfig, EmulatorHandle, NewApp};
use app::App;
use reqwest::{Client, StatusCode, header};
use secrecy::{ExposeSecret, SecretString};
use serde_json::{Value, json};

mod conformance;
mod observability;
mod polish_time;
mod security;

struct Harness {
    base: String,
    emu: EmulatorHandle,
    app: App,
}

async fn spawn_app() -> Harness {
    spawn_app_with(false).await
}

async fn spawn_app_with(service_app: bool) -> Harness {
    spawn_app_limited(service_app, web::MAX_IMPORT_FILE_BYTES).await
}

/// The app with an upload limit of `max_upload_bytes`, served with the peer's address (as
/// `serve` does: failed logins are throttled per address).
async fn spawn_app_limited(service_app: bool, max_upload_bytes: usize) -> Harness {
    let emu = allegro_emulator::spawn("127.0.0.1:0", EmulatorConfig { seed: 3 })
        .await
        .unwrap();
    emu.emulator.create_seller("sklep-a", "haslo-a").unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let service_app = service_app.then(|| {
        let (client_id, secret) = emu
            .emulator
            .register_app(NewApp {
                name: "Operator".into(),
                description: None,
                redirect_uris: vec![format!("{base}/allegro/install/service")],
                app_type: None,
                scopes: None,
            })
            .unwrap();
        app::ServiceApp {
            environment: domain::Environment::Custom,
            auth_url: emu.base_url.clone(),
            api_url: emu.base_url.clone(),
            client_id,
            client_secret: SecretString::from(secret),
        }
    });
    let store = testkit::open_store(&testkit::sqlite_url()).await;
    let app = testkit::app(store, Arc::new(domain::SystemClock), &base, service_app);
    // Every API answer is checked against the OpenAPI document (conformance.rs).
    let router = web::router(web::WebState {
        app: app.clone(),
        secure_cookies: false,
        max_upload_bytes,
    })
    .layer(axum::middleware::from_fn(conformance::check));
    tokio::spawn(async move {
        axum::serve(
            listener,
            router.into_make_service_with_connect_info::<std::net::SocketAddr>(),
        )
        .await
        .unwrap()
    });
    Harness { base, emu, app }
}

/// A browser-like client: keeps cookies by hand, no redirects followed.
struct Browser {
    http: Client,
    base: String,
    cookies: Vec<(String, String)>,
}

impl Browser {
    fn new(base: &str) -> Self {
        Self {
            http: Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .unwrap(),
            base: base.into(),
            cookies: vec![],
        }
    }

    fn cookie_header(&self) -> String {
        self.cookies
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ")
    }

    fn keep(&mut self, r: &reqwest::Response) {
        for c in r.headers().get_all(header::SET_COOKIE) {
            let first = c.to_str().unwrap().split(';').next().unwrap();
            let (k, v) = first.split_once('=').unwrap();
            self.cookies.retain(|(n, _)| n != k);
            if !v.is_empty() {
                self.cookies.push((k.into(), v.into()));
            }
        }
    }

    async fn get(&mut self, path: &str) -> (StatusCode, String, Option<String>) {
        let r = self
            .http
            .get(format!("{}{path}", self.base))
            .header("cookie", self.cookie_header())
            .send()
            .await
            .unwrap();
        self.keep(&r);
        let loc = r
            .headers()
            .get(header::LOCATION)
            .map(|l| l.to_str().unwrap().to_owned());
        (r.status(), r.text().await.unwrap(), loc)
    }

    async fn post(&mut self, path: &str, form: &[(&str, &str)]) -> (StatusCode, String, Option<String>) {
        let r = self
            .http
            .post(format!("{}{path}", self.base))
            .header("cookie", self.cookie_header())
            .form(form)
            .send()
            .await
            .unwrap();
        self.keep(&r);
        let loc = r
            .headers()
            .get(header::LOCATION)
            .map(|l| l.to_str().unwrap().to_owned());
        (r.status(), r.text().await.unwrap(), loc)
    }

    /// A file upload as a browser sends it (multipart/form-data).
    async fn upload(
        &mut self,
        path: &str,
        fields: &[(&str, &str)],
        file: (&str, &[u8]),
    ) -> (StatusCode, String, Option<String>) {
        let boundary = "----abtestboundary7MA4YWxkTrZu0gW";
        let mut body = Vec::new();
        for (k, v) in fields {
            body.extend_from_slice(
                format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n").as_bytes(),
            );
        }
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{}\"\r\nContent-Type: application/octet-stream\r\n\r\n",
                file.0
            )
            .as_bytes(),
        );
        body.extend_from_slice(file.1);
        body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
        let r = self
            .http
            .post(format!("{}{path}", self.base))
            .header("cookie", self.cookie_header())
            .header(
                header::CONTENT_TYPE,
                format!("multipart/form-data; boundary={boundary}"),
            )
            .body(body)
            .send()
            .await
            .unwrap();
        self.keep(&r);
        let loc = r
            .headers()
            .get(header::LOCATION)
            .map(|l| l.to_str().unwrap().to_owned());
        (r.status(), r.text().await.unwrap(), loc)
    }

    fn csrf(page: &str) -> String {
        page.split("name=\"_csrf\" value=\"")
            .nth(1)
            .unwrap()
            .split('"')
            .next()
            .unwrap()
            .to_owned()
    }

    async fn login(&mut self, email: &str, password: &str) {
        let (_, page, _) = self.get("/login").await;
        let csrf = Self::csrf(&page);
        let (status, body, loc) = self
            .post("/login", &[("_csrf", &csrf), ("email", email), ("password", password)])
            .await;
        assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
        assert_eq!(loc.as_deref(), Some("/accounts"));
    }
}

/// An owner ("anna@a.pl" of "Firma") with "sklep-a" linked through an own app, and
/// `count` paid orders on it bought over the last `days` days.
async fn owner_with_orders(
    h: &Harness,
    count: usize,
    seed: u64,
    days: i64,
) -> (domain::OrganisationId, app::CurrentUser, domain::AccountId, usize) {
    let (org, user) = testkit::owner(&h.app, "Firma", "anna@a.pl").await;
    let conn = testkit::own_app_connection(&h.app, &org, &h.emu, None).await;
    let app::LinkOutcome::Linked { account, .. } = testkit::link(&h.app, &user, &conn, &h.emu, "sklep-a", None).await
    else {
        panic!("linked")
    };
    let seller = h.app.account(&user, &account).await.unwrap().allegro_user_id;
    let n = h
        .emu
        .emulator
        .generate_orders(
            &seller,
            allegro_emulator::OrderPlan {
                count,
                seed,
                days,
                pending_share: 0.0,
                pay_within_seconds: 60,
            },
        )
        .unwrap();
    (org, user, account, n)
}

/// Two organisations, each with an own-app connection and a linked account.
async fn two_tenants(h: &Harness) -> [(String, String, String); 2] {
    let mut out = Vec::new();
    for (n, (email, seller)) in [("anna@a.pl", "sklep-a"), ("jan@b.pl", "sklep-b")]
        .into_iter()
        .enumerate()
    {
        if n == 1 {
            h.emu.emulator.create_seller(seller, "haslo-b").unwrap();
        }
        let (org, _) = h
            .app
            .create_organisation(&format!("Firma {n}"), email, SecretString::from(testkit::PASSWORD))
            .await
            .unwrap();
        let conn = testkit::own_app_connection(&h.app, &org, &h.emu, None).await;
        // Link through the real pages and callback.
        let mut b = Browser::new(&h.base);
        b.login(email, "bardzo-tajne-haslo").await;
        let (_, page, _) = b.get("/accounts").await;
        let csrf = Browser::csrf(&page);
        let (_, _, to_allegro) = b.post(&format!("/connections/{conn}/link"), &[("_csrf", &csrf)]).await;
        let back = h.emu.emulator.consent(&to_allegro.unwrap(), seller, true).unwrap();
        let path = back.strip_prefix(&h.base).unwrap().to_owned();
        let (status, page, _) = b.get(&path).await;
        assert_eq!(status, StatusCode::OK, "{page}");
        let account = h.app.store().accounts(&org).await.unwrap()[0].id.to_string();
        let key = h
            .app
            .create_api_key(&org, "test")
            .await
            .unwrap()
            .expose_secret()
            .to_owned();
        out.push((conn.to_string(), account, key));
    }
    [out.remove(0), out.remove(0)]
}

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

#[tokio::test]
async fn api_connections_link_settings_and_errors() {
    let h = spawn_app().await;
    let (org, _) = h
        .app
        .create_organisation("Firma", "anna@a.pl", SecretString::from("bardzo-tajne-haslo"))
        .await
        .unwrap();
    let key = h
        .app
        .create_api_key(&org, "ERP")
        .await
        .unwrap()
        .expose_secret()
        .to_owned();
    let api = Client::new();
    let url = |p: &str| format!("{}{p}", h.base);
    let r = api.get(url("/api/v1/accounts")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(r.headers()[header::CONTENT_TYPE], "application/problem+json");
    let r = api
        .get(url("/api/v1/accounts"))
        .bearer_auth("abk_wrong")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    // Bad input names the field.
    let r = api
        .post(url("/api/v1/connections"))
        .bearer_auth(&key)
        .json(&json!({"mode": "own_app", "environment": "custom"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.json::<Value>().await.unwrap()["field"], "auth_url");
    let r = api
        .post(url("/api/v1/connections"))
        .bearer_auth(&key)
        .json(&json!({"mode": "nope"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    let r = api
        .post(url("/api/v1/connections"))
        .bearer_auth(&key)
        .json(&json!({"mode": "service_app"}))
        .send()
        .await
        .unwrap();
    assert_eq!(
        r.status(),
        StatusCode::UNPROCESSABLE_ENTITY,
        "no service app configured here"
    );

    let created: Value = api
        .post(url("/api/v1/connections"))
        .bearer_auth(&key)
        .json(
            &json!({"mode": "own_app", "environment": "custom", "auth_url": h.emu.base_url, "api_url": h.emu.base_url}),
        )
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let id = created["id"].as_str().unwrap().to_owned();
    let redirect = created["redirect_uri"].as_str().unwrap().to_owned();
    assert_eq!(redirect, format!("{}/allegro/install/{id}", h.base));
    let r = api
        .post(url(&format!("/api/v1/connections/{id}/link")))
        .bearer_auth(&key)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY, "credentials first");
    let (cid, secret) = h
        .emu
        .emulator
        .register_app(NewApp {
            name: "Via API".into(),
            description: None,
            redirect_uris: vec![redirect],
            app_type: None,
            scopes: None,
        })
        .unwrap();
    let r = api
        .put(url(&format!("/api/v1/connections/{id}/credentials")))
        .bearer_auth(&key)
        .json(&json!({"client_id": cid, "client_secret": secret}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    let link: Value = api
        .post(url(&format!("/api/v1/connections/{id}/link")))
        .bearer_auth(&key)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let authorization_url = link["authorization_url"].as_str().unwrap();
    assert!(authorization_url.contains("code_challenge_method=S256") && authorization_url.contains("state="));
    // A link started through the API completes in any browser.
    let back = h.emu.emulator.consent(authorization_url, "sklep-a", true).unwrap();
    let page = Client::new().get(&back).send().await.unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    assert!(page.text().await.unwrap().contains("sklep-a"));
    let accounts: Value = api
        .get(url("/api/v1/accounts"))
        .bearer_auth(&key)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let account = &accounts["accounts"][0];
    assert_eq!(account["login"], "sklep-a");
    assert_eq!(account["status"], "active");
    assert!(account["allegro_user_id"].as_str().unwrap().parse::<u64>().is_ok());
    let account_id = account["id"].as_str().unwrap();

    let settings: Value = api
        .get(url(&format!("/api/v1/accounts/{account_id}/settings")))
        .bearer_auth(&key)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        settings,
        json!({"enabled": false, "vat_goods": "23", "vat_delivery": "23", "invoice_trigger": "READY_FOR_PROCESSING", "invoice_series": "FV/{n}/{MM}/{YYYY}", "invoice_every_order": false, "delivery_follows_goods": false, "sent_on_waybill": false})
    );
    let bad = json!({"enabled": true, "vat_goods": "7", "vat_delivery": "23", "invoice_trigger": "SENT", "invoice_series": "FV/{n}"});
    let r = api
        .put(url(&format!("/api/v1/accounts/{account_id}/settings")))
        .bearer_auth(&key)
        .json(&bad)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let problem: Value = r.json().await.unwrap();
    assert_eq!(problem["field"], "vat_goods");
    assert!(problem["detail"].as_str().unwrap().contains("23, 8, 5, 0, zw or np"));
    let good = json!({"enabled": true, "vat_goods": "8", "vat_delivery": "zw", "invoice_trigger": "SENT", "invoice_series": "FV/{n}/{YYYY}", "invoice_every_order": true, "delivery_follows_goods": false, "sent_on_waybill": true});
    let r = api
        .put(url(&format!("/api/v1/accounts/{account_id}/settings")))
        .bearer_auth(&key)
        .json(&good)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    let saved: Value = api
        .get(url(&format!("/api/v1/accounts/{account_id}/settings")))
        .bearer_auth(&key)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(saved, good);
    let r = api
        .delete(url(&format!("/api/v1/accounts/{account_id}")))
        .bearer_auth(&key)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    let accounts: Value = api
        .get(url("/api/v1/accounts"))
        .bearer_auth(&key)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(accounts["accounts"][0]["status"], "disconnected");
    let doc: Value = api
        .get(url("/api/v1/openapi.json"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(doc["openapi"], "3.1.0");
}

#[tokio::test]
async fn callback_pages_and_settings_form() {
    let h = spawn_app().await;
    let [(conn, account, _), _] = two_tenants(&h).await;
    let mut b = Browser::new(&h.base);
    b.login("anna@a.pl", "bardzo-tajne-haslo").await;
    let (status, page, _) = b.get(&format!("/allegro/install/{conn}?state=forged&code=x")).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(page.contains("Link powiązania jest nieprawidłowy"));
    let (_, page, _) = b.get("/accounts").await;
    let csrf = Browser::csrf(&page);
    let (_, _, to_allegro) = b.post(&format!("/connections/{conn}/link"), &[("_csrf", &csrf)]).await;
    let back = h.emu.emulator.consent(&to_allegro.unwrap(), "sklep-a", false).unwrap();
    let (status, page, _) = b.get(back.strip_prefix(&h.base).unwrap()).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("Anulowano powiązanie konta"), "{page}");
    let (status, page, _) = b.get(back.strip_prefix(&h.base).unwrap()).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "a reload: the state is used");
    assert!(page.contains("został już użyty"));

    // Settings: a bad series is explained, nothing saved; a good one is.
    let form = |series: &'static str| {
        vec![
            ("_csrf", csrf.clone()),
            ("enabled", "1".into()),
            ("vat_goods", "5".into()),
            ("vat_delivery", "23".into()),
            ("invoice_trigger", "PICKED_UP".into()),
            ("invoice_series", series.into()),
        ]
    };
    let bad = form("FV/{MM}");
    let bad: Vec<(&str, &str)> = bad.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let (status, page, _) = b.post(&format!("/accounts/{account}/settings"), &bad).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("invoice_series"));
    let (_, page, _) = b.get(&format!("/accounts/{account}/settings")).await;
    assert!(!page.contains("id=\"enabled\" value=\"1\" checked"), "nothing saved");
    assert!(
        page.contains(">23%</option>") && page.contains(">zw — zwolnione z VAT</option>"),
        "rates in words, not bare numbers"
    );
    let good = form("FV/{n}/{MM}/{YYYY}");
    let good: Vec<(&str, &str)> = good.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let (status, _, loc) = b.post(&format!("/accounts/{account}/settings"), &good).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (_, page, _) = b.get(&loc.unwrap()).await;
    assert!(page.contains("Zapisano") && page.contains("value=\"5\" selected") && page.contains("checked"));
    // "Odłącz" warns as seed 004 does.
    let (_, page, _) = b.get(&format!("/accounts/{account}/disconnect")).await;
    assert!(page.contains("nie będziemy mogli zaktualizować listów przewozowych"));
}

#[tokio::test]
async fn with_the_operators_app_one_click_links_an_account() {
    let h = spawn_app_with(true).await;
    h.app
        .create_organisation("Firma", "anna@a.pl", SecretString::from("bardzo-tajne-haslo"))
        .await
        .unwrap();
    let mut b = Browser::new(&h.base);
    b.login("anna@a.pl", "bardzo-tajne-haslo").await;
    let (_, page, _) = b.get("/accounts").await;
    assert!(
        page.contains("action=\"/connections/service/link\"") && page.contains("Połącz konto Allegro"),
        "{page}"
    );
    let csrf = Browser::csrf(&page);
    let (status, _, to_allegro) = b.post("/connections/service/link", &[("_csrf", &csrf)]).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let back = h.emu.emulator.consent(&to_allegro.unwrap(), "sklep-a", true).unwrap();
    assert!(
        back.starts_with(&format!("{}/allegro/install/service?", h.base)),
        "{back}"
    );
    let (status, page, _) = b.get(back.strip_prefix(&h.base).unwrap()).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(page.contains("Konto sklep-a zostało powiązane"));
    let (_, page, _) = b.get("/accounts").await;
    assert!(page.contains("Aktywne"));
    assert_eq!(
        page.matches("/link\"").count(),
        1,
        "one service connection, reused: {page}"
    );
}

#[tokio::test]
async fn synced_orders_through_the_api() {
    let h = spawn_app().await;
    let (org, user) = testkit::owner(&h.app, "Firma", "anna@a.pl").await;
    let conn = testkit::own_app_connection(&h.app, &org, &h.emu, None).await;
    let app::LinkOutcome::Linked { account, .. } = testkit::link(&h.app, &user, &conn, &h.emu, "sklep-a", None).await
    else {
        panic!("linked")
    };
    let seller = h.app.account(&user, &account).await.unwrap().allegro_user_id;
    h.emu
        .emulator
        .generate_orders(
            &seller,
            allegro_emulator::OrderPlan {
                count: 120,
                seed: 8,
                days: 20,
                pending_share: 0.0,
                pay_within_seconds: 60,
            },
        )
        .unwrap();
    let report = h.app.sync_account(&account).await.unwrap();
    assert_eq!(report.counts.new, 120);
    let key = h
        .app
        .create_api_key(&org, "ERP")
        .await
        .unwrap()
        .expose_secret()
        .to_owned();
    let api = Client::new();
    let get = |q: &str| {
        let (api, key, url) = (api.clone(), key.clone(), format!("{}/api/v1/orders{q}", h.base));
        async move { api.get(url).bearer_auth(key).send().await.unwrap() }
    };
    let all: Value = get("?limit=200").await.json().await.unwrap();
    assert_eq!(all["total"], 120);
    assert_eq!(all["orders"].as_array().unwrap().len(), 120);
    let page: Value = get("?limit=50&offset=100").await.json().await.unwrap();
    assert_eq!(page["orders"].as_array().unwrap().len(), 20);
    let cancelled: Value = get("?status=CANCELLED").await.json().await.unwrap();
    let n = cancelled["total"].as_i64().unwrap();
    assert!(n > 0 && n < 120);
    assert!(
        cancelled["orders"]
            .as_array()
            .unwrap()
            .iter()
            .all(|o| o["status"] == "CANCELLED")
    );
    let bad = get("?from=2026-13-01").await;
    assert_eq!(bad.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(bad.json::<Value>().await.unwrap()["field"], "from");
    let none: Value = get("?from=2099-01-01").await.json().await.unwrap();
    assert_eq!(none["total"], 0);
    let first = all["orders"][0]["id"].as_str().unwrap();
    let one: Value = api
        .get(format!("{}/api/v1/orders/{first}", h.base))
        .bearer_auth(&key)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(one["checkout_form"]["id"], first);
    let (other, _) = testkit::owner(&h.app, "Inna", "jan@b.pl").await;
    let other_key = h
        .app
        .create_api_key(&other, "x")
        .await
        .unwrap()
        .expose_secret()
        .to_owned();
    let hidden = api
        .get(format!("{}/api/v1/orders/{first}", h.base))
        .bearer_auth(&other_key)
        .send()
        .await
        .unwrap();
    assert_eq!(hidden.status(), StatusCode::NOT_FOUND);
    let listed: Value = api
        .get(format!("{}/api/v1/orders", h.base))
        .bearer_auth(&other_key)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(listed["total"], 0);

    // The same orders in the back-office.
    let mut b = Browser::new(&h.base);
    b.login("anna@a.pl", testkit::PASSWORD).await;
    let (status, page, _) = b.get("/orders").await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("120 zamówień"), "Polish plural");
    assert_eq!(page.matches("<tr><td><a href=\"/orders/").count(), 50, "one page of 50");
    assert!(page.contains("id=\"next\""));
    let (_, page, _) = b.get("/orders?status=CANCELLED").await;
    assert!(page.contains(&format!("{n} zamówie")));
    let (_, page, _) = b.get("/orders?from=2026-99-01").await;
    assert!(page.contains("role=\"alert\""), "a bad date is explained");
    let (status, page, _) = b.get(&format!("/orders/{first}")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("<h2>Pozycje</h2>") && page.contains(first), "{page}");
    assert!(page.contains("<h2>Historia statusów</h2>"), "{page}");
    assert!(
        page.contains("<td id=\"payment\">Płatność online"),
        "payment shown: {page}"
    );
    assert!(page.contains("<table id=\"lines\">"));
    let mut outsider = Browser::new(&h.base);
    outsider.login("jan@b.pl", testkit::PASSWORD).await;
    let (status, page, _) = outsider.get(&format!("/orders/{first}")).await;
    assert!(
        page.contains("class=\"error\" role=\"alert\"") && page.contains("href=\"/\" id=\"back\""),
        "an error says so as an alert and leads back: {page}"
    );
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn imports_through_the_api() {
    let h = spawn_app().await;
    let (org, _, account, n) = owner_with_orders(&h, 250, 2, 5).await;
    let key = h
        .app
        .create_api_key(&org, "ERP")
        .await
        .unwrap()
        .expose_secret()
        .to_owned();
    let api = Client::new();
    // Polish calendar days, as import ranges are read.
    let today = domain::time::polish_day_text(h.app.now_ms());
    let week_ago = domain::time::polish_day_text(h.app.now_ms() - 7 * 86_400_000);
    let start = |from: &str, to: &str| {
        let (api, key) = (api.clone(), key.clone());
        let url = format!("{}/api/v1/accounts/{account}/imports", h.base);
        let body = json!({"from": from, "to": to});
        async move { api.post(url).bearer_auth(key).json(&body).send().await.unwrap() }
    };
    let queued = start(&week_ago, &today).await;
    assert_eq!(queued.status(), StatusCode::ACCEPTED);
    let location = queued.headers()[header::LOCATION].to_str().unwrap().to_owned();
    let queued: Value = queued.json().await.unwrap();
    assert_eq!(queued["state"], "queued");
    assert_eq!(location, format!("/api/v1/imports/{}", queued["id"].as_str().unwrap()));
    // Asked again while queued: the same import.
    let again: Value = start(&week_ago, &today).await.json().await.unwrap();
    assert_eq!(again["id"], queued["id"]);
    // A worker runs it.
    assert_eq!(h.app.run_due_jobs(60_000).await.unwrap(), 1);
    let done: Value = api
        .get(format!("{}{location}", h.base))
        .bearer_auth(&key)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(done["state"], "done", "{done}");
    assert_eq!(
        (
            done["new"].as_u64(),
            done["updated"].as_u64(),
            done["unchanged"].as_u64()
        ),
        (Some(n as u64), Some(0), Some(0))
    );
    assert_eq!(done["fetched"], n);
    // Ranges Allegro no longer keeps are refused, naming the field.
    let old = start("2020-01-01", "2020-02-01").await;
    assert_eq!(old.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let old: Value = old.json().await.unwrap();
    assert_eq!(old["field"], "from");
    // Worded in Polish by default, with the key and arguments for a client's own words…
    assert!(old["detail"].as_str().unwrap().contains("przez 12 miesięcy"), "{old}");
    assert_eq!(old["code"], "problem-range-too-old", "{old}");
    assert!(old["args"]["earliest"].is_string(), "{old}");
    // …and in English when the client asks for it.
    let english: Value = api
        .post(format!("{}/api/v1/accounts/{account}/imports", h.base))
        .bearer_auth(&key)
        .header(header::ACCEPT_LANGUAGE, "en-GB,en;q=0.9")
        .json(&json!({"from": "2020-01-01", "to": "2020-02-01"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(
        english["detail"]
            .as_str()
            .unwrap()
            .starts_with("Allegro keeps orders for 12 months"),
        "{english}"
    );

    // Files: a good Windows-1250 CSV, a broken one, and one naming an order Allegro sent.
    let corpus =
        std::path::PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").unwrap()).join("../order-files/tests/corpus");
    let upload = |name: &str, bytes: Vec<u8>, content_type: &str| {
        let (api, key) = (api.clone(), key.clone());
        let url = format!("{}/api/v1/imports/file?account={account}&name={name}", h.base);
        let ct = content_type.to_owned();
        async move {
            api.post(url)
                .bearer_auth(key)
                .header(header::CONTENT_TYPE, ct)
                .body(bytes)
                .send()
                .await
                .unwrap()
        }
    };
    let good = upload(
        "zamowienia.csv",
        std::fs::read(corpus.join("good-excel-1250.csv")).unwrap(),
        "text/csv; charset=windows-1250",
    )
    .await;
    assert_eq!(good.status(), StatusCode::CREATED);
    let good: Value = good.json().await.unwrap();
    assert_eq!((good["kind"].as_str(), good["new"].as_u64()), (Some("csv"), Some(2)));
    let held = h.app.store().account_orders(&account).await.unwrap().len();
    assert_eq!(held, n + 2);
    let bad = upload(
        "zle.csv",
        std::fs::read(corpus.join("broken-bad-amount.csv")).unwrap(),
        "text/csv",
    )
    .await;
    assert_eq!(bad.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let bad: Value = bad.json().await.unwrap();
    assert_eq!(bad["file"], "zle.csv");
    assert_eq!(bad["errors"][0]["line"], 2);
    assert_eq!(bad["errors"][0]["column"], 7);
    assert_eq!(bad["errors"][0]["field"], "unit_price");
    let from_allegro = h.app.store().account_orders(&account).await.unwrap()[5].id.clone();
    let csv = format!(
        "order_id;bought_at;buyer_login;offer_name;quantity;unit_price\n{from_allegro};2026-11-01 10:00;ktos;Kubek;1;10,00\n"
    );
    let dup: Value = upload("dup.csv", csv.into_bytes(), "text/csv")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        (dup["new"].as_u64(), dup["unchanged"].as_u64()),
        (Some(0), Some(1)),
        "{dup}"
    );
    assert_eq!(
        h.app.store().account_orders(&account).await.unwrap().len(),
        held,
        "nothing duplicated or added"
    );
    let xml = upload("x", std::fs::read(corpus.join("good.xml")).unwrap(), "application/xml").await;
    assert_eq!(xml.status(), StatusCode::CREATED);
    let list: Value = api
        .get(format!("{}/api/v1/imports", h.base))
        .bearer_auth(&key)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(list["imports"].as_array().unwrap().len(), 4, "{list}");
    // Another organisation sees none of it and cannot import into this account.
    let (other, _) = testkit::owner(&h.app, "Inna", "jan@b.pl").await;
    let other_key = h
        .app
        .create_api_key(&other, "x")
        .await
        .unwrap()
        .expose_secret()
        .to_owned();
    let hidden = api
        .get(format!("{}{location}", h.base))
        .bearer_auth(&other_key)
        .send()
        .await
        .unwrap();
    assert_eq!(hidden.status(), StatusCode::NOT_FOUND);
    let foreign = api
        .post(format!("{}/api/v1/accounts/{account}/imports", h.base))
        .bearer_auth(&other_key)
        .json(&json!({"from": week_ago, "to": today}))
        .send()
        .await
        .unwrap();
    assert_eq!(foreign.status(), StatusCode::NOT_FOUND);
    let foreign = api
        .post(format!("{}/api/v1/imports/file?account={account}&name=a.csv", h.base))
        .bearer_auth(&other_key)
        .body(std::fs::read(corpus.join("good-utf8-comma.csv")).unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(foreign.status(), StatusCode::NOT_FOUND);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn import_screens_and_order_filters() {
    let h = spawn_app().await;
    let (org, _, account, n) = owner_with_orders(&h, 90, 21, 3).await;
    let mut b = Browser::new(&h.base);
    b.login("anna@a.pl", testkit::PASSWORD).await;
    let (status, page, _) = b.get("/imports").await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        page.contains("Login allegro") && page.contains("Data zakupu od") && page.contains("Importuj"),
        "{page}"
    );
    assert!(page.contains("<code>cena_brutto</code>"), "the file layout is shown");
    let csrf = Browser::csrf(&page);
    let today = domain::time::polish_day_text(h.app.now_ms());
    let aid = account.to_string();
    // A range Allegro no longer keeps is explained on the page.
    let (status, page, _) = b
        .post(
            "/imports",
            &[
                ("_csrf", &csrf),
                ("account", &aid),
                ("from", "2024-01-01"),
                ("to", &today),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        page.contains("id=\"range-error\"") && page.contains("12 miesięcy"),
        "{page}"
    );
    let (status, _, loc) = b
        .post(
            "/imports",
            &[
                ("_csrf", &csrf),
                ("account", &aid),
                ("from", "2026-01-01"),
                ("to", &today),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let loc = loc.unwrap();
    let (_, page, _) = b.get(&loc).await;
    assert!(
        page.contains("w kolejce") && page.contains("hx-trigger=\"every 2s\""),
        "live while queued: {page}"
    );
    h.app.run_due_jobs(60_000).await.unwrap();
    let (_, page, _) = b.get(&loc).await;
    assert!(page.contains("zakończony"), "{page}");
    assert!(page.contains(&format!("<dd id=\"import-new\">{n}</dd>")), "{page}");
    assert!(!page.contains("hx-trigger"), "no polling once done");

    // Files: refused without the token, listed problems for a broken one, counted for a good one.
    let corpus =
        std::path::PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").unwrap()).join("../order-files/tests/corpus");
    let broken = std::fs::read(corpus.join("broken-order-mismatch.csv")).unwrap();
    let (status, _, _) = b
        .upload("/imports/file", &[("account", &aid)], ("zle.csv", &broken))
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "CSRF applies to uploads");
    let (status, page, _) = b
        .upload(
            &format!("/imports/file?_csrf={csrf}"),
            &[("account", &aid), ("encoding", "auto")],
            ("zle.csv", &broken),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("Plik zle.csv nie został zaimportowany"), "{page}");
    assert!(page.contains("zle.csv, wiersz 3, kolumna 3 (buyer_login)"), "{page}");
    let good = std::fs::read(corpus.join("good-excel-1250.csv")).unwrap();
    let (status, _, loc) = b
        .upload(
            &format!("/imports/file?_csrf={csrf}"),
            &[("account", &aid), ("encoding", "windows-1250")],
            ("zamowienia.csv", &good),
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (_, page, _) = b.get(&loc.unwrap()).await;
    assert!(
        page.contains("Import CSV") && page.contains("<dd id=\"import-new\">2</dd>"),
        "{page}"
    );

    // Orders: new filters and sorts, live refresh, the file's orders marked.
    let (_, page, _) = b.get("/orders?invoice=yes&sort=total_desc").await;
    assert!(
        page.contains("hx-get=\"/orders?invoice=yes&#38;sort=total_desc&#38;page=0\""),
        "{page}"
    );
    let wanted = h
        .app
        .store()
        .orders(
            &org,
            &store::OrderFilter {
                needs_invoice: Some(true),
                ..Default::default()
            },
            0,
            200,
        )
        .await
        .unwrap()
        .1;
    assert!(page.contains(&format!("id=\"orders-total\">{wanted} ")), "{page}");
    let (_, page, _) = b.get("/orders?buyer=firma_lodz").await;
    assert!(page.contains("z pliku") && page.contains("1\u{a0}299,00 PLN"), "{page}");
    // Its id holds slashes; the link still opens it.
    assert!(page.contains("href=\"/orders/ZAM%2F2026%2F0002\""), "{page}");
    let (status, page, _) = b.get("/orders/ZAM%2F2026%2F0002").await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("Ekspres do kawy"), "{page}");
    let (_, page, _) = b.get("/orders?sort=price").await;
    assert!(page.contains("role=\"alert\"") && page.contains("sort"), "{page}");
    let (_, page, _) = b
        .get(&format!(
            "/orders?account={aid}&marketplace=allegro-pl&fulfillment_status=NEW"
        ))
        .await;
    assert!(page.contains("<option value=\"allegro-pl\" selected>"), "{page}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn invoices_through_the_api() {
    let h = spawn_app().await;
    let (org, _, account, _) = owner_with_orders(&h, 30, 12, 5).await;
    h.app.sync_account(&account).await.unwrap();
    let key = h
        .app
        .create_api_key(&org, "ERP")
        .await
        .unwrap()
        .expose_secret()
        .to_owned();
    let api = Client::new();
    let url = |p: &str| format!("{}{p}", h.base);
    let none = api
        .get(url("/api/v1/invoicing-profile"))
        .bearer_auth(&key)
        .send()
        .await
        .unwrap();
    assert_eq!(none.status(), StatusCode::NOT_FOUND);
    let profile = json!({
        "name": "Sklep Anny", "nip": "526-025-09-94",
        "address_line1": "ul. Handlowa 1", "address_line2": "00-001 Warszawa",
        "place_of_issue": "Warszawa"
    });
    let typo = api
        .put(url("/api/v1/invoicing-profile"))
        .bearer_auth(&key)
        .json(&profile)
        .send()
        .await
        .unwrap();
    assert_eq!(typo.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(typo.json::<Value>().await.unwrap()["field"], "nip");
    let mut good = profile.clone();
    good["nip"] = json!("526-025-09-95");
    let saved = api
        .put(url("/api/v1/invoicing-profile"))
        .bearer_auth(&key)
        .json(&good)
        .send()
        .await
        .unwrap();
    assert_eq!(saved.status(), StatusCode::NO_CONTENT);
    let back: Value = api
        .get(url("/api/v1/invoicing-profile"))
        .bearer_auth(&key)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        (back["nip"].as_str(), back["payment_days"].as_u64()),
        (Some("5260250995"), Some(14))
    );
    let orders = h.app.store().account_orders(&account).await.unwrap();
    let order = orders
        .iter()
        .find(|o| o.currency == "PLN" && o.status == "READY_FOR_PROCESSING")
        .unwrap();
    let first = api
        .post(url(&format!("/api/v1/orders/{}/invoice", order.id)))
        .bearer_auth(&key)
        .send()
        .await
        .unwrap();
    assert_eq!(first.status(), StatusCode::CREATED);
    let first: Value = first.json().await.unwrap();
    assert!(first["number"].as_str().unwrap().starts_with("FV/1/"), "{first}");
    let again = api
        .post(url(&format!("/api/v1/orders/{}/invoice", order.id)))
        .bearer_auth(&key)
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), StatusCode::OK);
    assert_eq!(again.json::<Value>().await.unwrap()["id"], first["id"]);
    let id = first["id"].as_str().unwrap();
    let one: Value = api
        .get(url(&format!("/api/v1/invoices/{id}")))
        .bearer_auth(&key)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(one["in_words"].as_str().unwrap().ends_with("/100"), "{one}");
    assert!(!one["per_rate"].as_array().unwrap().is_empty());
    let xml = api
        .get(url(&format!("/api/v1/invoices/{id}/xml")))
        .bearer_auth(&key)
        .send()
        .await
        .unwrap();
    assert_eq!(xml.status(), StatusCode::OK);
    assert!(
        xml.headers()[header::CONTENT_DISPOSITION]
            .to_str()
            .unwrap()
            .contains(".xml")
    );
    let xml = xml.text().await.unwrap();
    assert!(xml.contains("<P_2>FV/1/") && xml.contains(order.id.as_str()), "{xml}");
    for lang in ["", "?lang=en"] {
        let pdf = api
            .get(url(&format!("/api/v1/invoices/{id}/pdf{lang}")))
            .bearer_auth(&key)
            .send()
            .await
            .unwrap();
        assert_eq!(pdf.status(), StatusCode::OK);
        assert_eq!(pdf.headers()[header::CONTENT_TYPE], "application/pdf");
        assert!(
            pdf.headers()[header::CONTENT_DISPOSITION]
                .to_str()
                .unwrap()
                .contains(".pdf")
        );
        assert!(pdf.bytes().await.unwrap().starts_with(b"%PDF-"));
    }
    let bad_lang = api
        .get(url(&format!("/api/v1/invoices/{id}/pdf?lang=de")))
        .bearer_auth(&key)
        .send()
        .await
        .unwrap();
    assert_eq!(bad_lang.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad_lang.text().await.unwrap().contains("lang"));
    let list: Value = api
        .get(url("/api/v1/invoices?number=FV/1/"))
        .bearer_auth(&key)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(list["total"], 1);
    assert_eq!(list["invoices"][0]["allegro"]["state"], "pending");
    let filtered = |q: &'static str| {
        let (api, key, url) = (api.clone(), key.clone(), url(&format!("/api/v1/invoices?{q}")));
        async move { api.get(url).bearer_auth(&key).send().await.unwrap() }
    };
    let none: Value = filtered("kind=correction&from=2020-01-01").await.json().await.unwrap();
    assert_eq!(none["total"], 0);
    let wrong = filtered("to=yesterday").await;
    assert_eq!(wrong.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(wrong.text().await.unwrap().contains("to"));
    // "Wyślij ponownie" through the API: accepted while waiting, refused once it is there.
    let resend = api
        .post(url(&format!("/api/v1/invoices/{id}/resend")))
        .bearer_auth(&key)
        .send()
        .await
        .unwrap();
    assert_eq!(resend.status(), StatusCode::ACCEPTED);
    h.app.upload_due_invoices(10).await.unwrap();
    let sent: Value = filtered("allegro=uploaded").await.json().await.unwrap();
    assert_eq!(sent["total"], 1);
    assert!(sent["invoices"][0]["allegro"]["uploaded_at"].is_string(), "{sent}");
    let again = api
        .post(url(&format!("/api/v1/invoices/{id}/resend")))
        .bearer_auth(&key)
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), StatusCode::CONFLICT);
    // Another organisation sees none of it.
    let (other, _) = testkit::owner(&h.app, "Inna", "jan@b.pl").await;
    let other_key = h
        .app
        .create_api_key(&other, "x")
        .await
        .unwrap()
        .expose_secret()
        .to_owned();
    let hidden = api
        .get(url(&format!("/api/v1/invoices/{id}/xml")))
        .bearer_auth(&other_key)
        .send()
        .await
        .unwrap();
    assert_eq!(hidden.status(), StatusCode::NOT_FOUND);
    let hidden_pdf = api
        .get(url(&format!("/api/v1/invoices/{id}/pdf")))
        .bearer_auth(&other_key)
        .send()
        .await
        .unwrap();
    assert_eq!(hidden_pdf.status(), StatusCode::NOT_FOUND);
    let hidden_pdf = api
        .get(url(&format!("/api/v1/invoices/{id}/pdf")))
        .bearer_auth(&other_key)
        .send()
        .await
        .unwrap();
    assert_eq!(hidden_pdf.status(), StatusCode::NOT_FOUND);
    let foreign = api
        .post(url(&format!("/api/v1/orders/{}/invoice", order.id)))
        .bearer_auth(&other_key)
        .send()
        .await
        .unwrap();
    assert_eq!(foreign.status(), StatusCode::NOT_FOUND);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn invoice_screens() {
    let h = spawn_app().await;
    let (org, _, account, _) = owner_with_orders(&h, 20, 14, 5).await;
    h.app.sync_account(&account).await.unwrap();
    let mut b = Browser::new(&h.base);
    b.login("anna@a.pl", testkit::PASSWORD).await;
    let (status, page, _) = b.get("/invoicing-profile").await;
    assert_eq!(status, StatusCode::OK);
    let csrf = Browser::csrf(&page);
    let form = |nip: &'static str| {
        vec![
            ("name", "Sklep Anny"),
            ("nip", nip),
            ("address_line1", "ul. Handlowa 1"),
            ("address_line2", "00-001 Warszawa"),
            ("bank_account", ""),
            ("place_of_issue", "Warszawa"),
            ("payment_days", "14"),
            ("exemption_basis", ""),
        ]
    };
    let mut typo = form("526-025-09-94");
    typo.push(("_csrf", &csrf));
    let (status, page, _) = b.post("/invoicing-profile", &typo).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        page.contains("id=\"profile-error\"") && page.contains("cyfra kontrolna się nie zgadza"),
        "{page}"
    );
    assert!(page.contains("value=\"Sklep Anny\""), "what was typed stays");
    let mut good = form("526-025-09-95");
    good.push(("_csrf", &csrf));
    let (status, _, loc) = b.post("/invoicing-profile", &good).await;
    assert_eq!(
        (status, loc.as_deref()),
        (StatusCode::SEE_OTHER, Some("/invoicing-profile?saved=1"))
    );
    let order = h
        .app
        .store()
        .account_orders(&account)
        .await
        .unwrap()
        .into_iter()
        .find(|o| o.currency == "PLN" && o.status == "READY_FOR_PROCESSING")
        .unwrap();
    // A failed automatic attempt is explained on the order's page.
    h.app
        .store()
        .postpone_order_task(
            &order.organisation_id,
            &order.id,
            domain::OrderTask::Invoice,
            "the lines add up to 10 but the buyer paid 12",
            0,
        )
        .await
        .unwrap();
    let (_, page, _) = b.get(&format!("/orders/{}", order.id)).await;
    assert!(page.contains("Wystaw fakturę"), "{page}");
    assert!(
        page.contains("id=\"invoice-failure\"") && page.contains("prób: 1") && page.contains("buyer paid 12"),
        "{page}"
    );
    let (status, _, loc) = b
        .post(&format!("/orders/{}/invoice", order.id), &[("_csrf", &csrf)])
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let loc = loc.unwrap();
    let (_, page, _) = b.get(&loc).await;
    assert!(
        page.contains("Faktura FV/1/") && page.contains("Słownie:") && page.contains("/100"),
        "{page}"
    );
    // The order's page now shows its invoice instead of the button.
    let (_, page, _) = b.get(&format!("/orders/{}", order.id)).await;
    assert!(
        page.contains("id=\"order-invoices\"") && !page.contains("id=\"issue-invoice\""),
        "{page}"
    );
    assert!(
        !page.contains("id=\"invoice-failure\""),
        "issued: the old failure is no longer shown"
    );
    // Pressed again (e.g. from an old page): the same invoice.
    let (_, _, again) = b
        .post(&format!("/orders/{}/invoice", order.id), &[("_csrf", &csrf)])
        .await;
    assert_eq!(again.as_deref(), Some(loc.as_str()));
    let (_, page, _) = b.get("/invoices?number=FV%2F1%2F").await;
    assert!(page.contains("1 faktura"), "{page}");
    let (status, xml, _) = b.get(&format!("{loc}/xml")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(xml.starts_with("<?xml") && xml.contains("<P_2>FV/1/"), "{xml}");
    let (status, pdf, _) = b.get(&format!("{loc}/pdf")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(pdf.starts_with("%PDF-"));
    // Filters: kind, dates, where the upload stands; a wrong one is named.
    let (_, page, _) = b.get("/invoices?kind=correction").await;
    assert!(page.contains("0 faktur"), "{page}");
    let (_, page, _) = b.get("/invoices?kind=vat&allegro=pending&from=2020-01-01").await;
    assert!(
        page.contains("1 faktura") && page.contains("czeka na wysłanie"),
        "{page}"
    );
    let (status, page, _) = b.get("/invoices?kind=proforma").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("id=\"filter-error\"") && page.contains("kind"), "{page}");
    let (_, page, _) = b.get(&loc).await;
    assert!(page.contains("Czeka na wysłanie do zamówienia na Allegro"), "{page}");
    assert!(!page.contains("id=\"resend\""), "nothing failed yet");
    // Sent to Allegro by the uploader: the page says so, and it cannot be sent again.
    let report = h.app.upload_due_invoices(10).await.unwrap();
    let id: domain::InvoiceId = loc.rsplit('/').next().unwrap().parse().unwrap();
    let upload = h.app.store().invoice(&org, &id).await.unwrap().unwrap().upload;
    assert_eq!(report.delivered, 1, "{report:?} {upload:?}");
    let (_, page, _) = b.get(&loc).await;
    assert!(page.contains("Dołączona do zamówienia na Allegro"), "{page}");
    let (status, _, _) = b.post(&format!("{loc}/resend"), &[("_csrf", &csrf)]).await;
    assert_eq!(status, StatusCode::CONFLICT);
    let (_, page, _) = b.get("/invoices?allegro=uploaded").await;
    assert!(page.contains("1 faktura") && page.contains("wysłana"), "{page}");
    // Cancelled afterwards: the order page offers the correction, which opens as issued.
    let order_page = format!("/orders/{}", order.id);
    let (_, page, _) = b.get(&order_page).await;
    assert!(!page.contains("id=\"issue-correction\""), "not cancelled yet");
    h.emu
        .emulator
        .move_order(
            order.id.as_str(),
            Some(allegro_api_types::CheckoutFormStatus::Cancelled),
            None,
        )
        .unwrap();
    h.app.sync_account(&account).await.unwrap();
    let (_, page, _) = b.get(&order_page).await;
    assert!(page.contains("id=\"issue-correction\""), "{page}");
    let (status, _, kor) = b.post(&format!("{order_page}/correction"), &[("_csrf", &csrf)]).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (_, page, _) = b.get(kor.as_deref().unwrap()).await;
    assert!(page.contains("KOR/1/"), "{page}");
    let (_, page, _) = b.get(&order_page).await;
    assert!(!page.contains("id=\"issue-correction\""), "issued once");
}

#[tokio::test]
async fn waybills_through_the_api_and_the_order_page() {
    let h = spawn_app().await;
    let (org, user, account, _) = owner_with_orders(&h, 10, 21, 5).await;
    h.app.sync_account(&account).await.unwrap();
    let key = h
        .app
        .create_api_key(&org, "WMS")
        .await
        .unwrap()
        .expose_secret()
        .to_owned();
    let api = Client::new();
    let url = |p: &str| format!("{}{p}", h.base);
    let orders = h.app.store().account_orders(&account).await.unwrap();
    let (first, second) = (&orders[0], &orders[1]);
    let post = |order: &str, body: Value| {
        api.post(url(&format!("/api/v1/orders/{order}/shipments")))
            .bearer_auth(&key)
            .json(&body)
            .send()
    };
    // Carriers as Allegro lists them.
    let carriers: Value = api
        .get(url("/api/v1/carriers"))
        .bearer_auth(&key)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(
        carriers["carriers"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["id"] == "INPOST"),
        "{carriers}"
    );
    // Wrong input names its field: too long, unknown carrier, OTHER without a name, a
    // line item of another order, an unknown key.
    for (body, field) in [
        (json!({"carrier_id": "INPOST", "waybill": "1".repeat(65)}), "waybill"),
        (json!({"carrier_id": "NO_SUCH", "waybill": "1"}), "carrier_id"),
        (json!({"carrier_id": "OTHER", "waybill": "1"}), "carrier_name"),
        (
            json!({"carrier_id": "DPD", "waybill": "1", "line_items": ["x-1"]}),
            "line_items",
        ),
    ] {
        let r = post(first.id.as_str(), body.clone()).await.unwrap();
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert_eq!(r.json::<Value>().await.unwrap()["field"], field, "{body}");
    }
    let r = post(first.id.as_str(), json!({"carrier_id": "DPD", "waybil": "1"}))
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    assert!(
        h.app.order_shipments(&user, &first.id).await.unwrap().is_empty(),
        "nothing stored"
    );
    let r = post("no-such-order", json!({"carrier_id": "DPD", "waybill": "1"}))
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    // Added (201), again (200, the same one), listed with its push state.
    let r = post(
        first.id.as_str(),
        json!({"carrier_id": "inpost", "waybill": " 620000000000000000000001 "}),
    )
    .await
    .unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
    let added: Value = r.json().await.unwrap();
    assert_eq!(
        (added["carrier_id"].as_str(), added["waybill"].as_str()),
        (Some("INPOST"), Some("620000000000000000000001"))
    );
    assert_eq!(added["allegro"]["state"], "pending");
    let r = post(
        first.id.as_str(),
        json!({"carrier_id": "INPOST", "waybill": "620000000000000000000001"}),
    )
    .await
    .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.json::<Value>().await.unwrap()["id"], added["id"]);
    h.app.push_due_shipments(10).await.unwrap();
    let listed: Value = api
        .get(url(&format!("/api/v1/orders/{}/shipments", first.id)))
        .bearer_auth(&key)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let one = &listed["shipments"][0];
    assert_eq!(listed["shipments"].as_array().unwrap().len(), 1);
    assert_eq!(one["allegro"]["state"], "pushed", "{listed}");
    assert!(one["allegro"]["shipment_id"].is_string());
    assert_eq!(h.emu.emulator.order_shipments(first.id.as_str()).len(), 1);
    let r = api
        .post(url(&format!(
            "/api/v1/shipments/{}/resend",
            one["id"].as_str().unwrap()
        )))
        .bearer_auth(&key)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CONFLICT, "already on Allegro");

    // The order page: the form, a mistake kept with what was typed, then the waybill.
    let mut b = Browser::new(&h.base);
    b.login("anna@a.pl", testkit::PASSWORD).await;
    let path = format!("/orders/{}", second.id);
    let (status, page, _) = b.get(&path).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        page.contains("id=\"add-waybill\"") && page.contains("<option value=\"DPD\""),
        "{page}"
    );
    let csrf = Browser::csrf(&page);
    let too_long = "9".repeat(65);
    let (status, page, _) = b
        .post(
            &format!("{path}/shipments"),
            &[
                ("_csrf", csrf.as_str()),
                ("carrier_id", "DPD"),
                ("carrier_name", ""),
                ("waybill", too_long.as_str()),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("id=\"waybill-error\"") && page.contains("64"), "{page}");
    assert!(
        page.contains("<option value=\"DPD\" selected"),
        "the chosen carrier stays"
    );
    let (status, _, location) = b
        .post(
            &format!("{path}/shipments"),
            &[
                ("_csrf", csrf.as_str()),
                ("carrier_id", "DPD"),
                ("carrier_name", ""),
                ("waybill", "0000007268757Q"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert!(location.unwrap().contains("#shipments"));
    let (_, page, _) = b.get(&path).await;
    assert!(
        page.contains("0000007268757Q") && page.contains("Czeka na wysłanie"),
        "{page}"
    );
    h.app.push_due_shipments(10).await.unwrap();
    let (_, page, _) = b.get(&path).await;
    assert!(page.contains("Na zamówieniu w Allegro od"), "{page}");

    // Fulfilment: through the API, then the order page's form.
    let put = |status: &str| {
        api.put(url(&format!("/api/v1/orders/{}/fulfillment", second.id)))
            .bearer_auth(&key)
            .json(&json!({"status": status}))
            .send()
    };
    let r = put("processing").await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.json::<Value>().await.unwrap()["fulfillment_status"], "PROCESSING");
    let r = put("RETURNED").await.unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.json::<Value>().await.unwrap()["field"], "status");
    let (_, page, _) = b.get(&path).await;
    assert!(
        page.contains("<option value=\"PROCESSING\" selected"),
        "the form shows Allegro's status"
    );
    let csrf = Browser::csrf(&page);
    let (status, _, location) = b
        .post(
            &format!("{path}/fulfillment"),
            &[("_csrf", csrf.as_str()), ("status", "SENT")],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert!(location.unwrap().starts_with("/orders/"));
    let (_, page, _) = b.get(&path).await;
    assert!(page.contains("<span id=\"fulfillment\">Wysłane</span>"), "{page}");

    // A CSV of waybills on the Import page: a bad line refuses the whole file.
    let (_, page, _) = b.get("/imports").await;
    let csrf = Browser::csrf(&page);
    let third = &orders[2].id;
    let bad = format!("{third};DPD;W-1\nnie-ma-takiego;DPD;W-2\n");
    let (status, page, _) = b
        .upload(
            &format!("/imports/waybills?_csrf={csrf}"),
            &[("encoding", "auto")],
            ("listy.csv", bad.as_bytes()),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        page.contains("listy.csv, wiersz 2, kolumna 1 (order id): w Twojej firmie nie ma zamówienia"),
        "{page}"
    );
    assert!(h.app.order_shipments(&user, third).await.unwrap().is_empty());
    let good = format!("{third};DPD;W-1\n{};INPOST;620000000000000000000001\n", first.id);
    let (status, page, _) = b
        .upload(
            &format!("/imports/waybills?_csrf={csrf}"),
            &[("encoding", "auto")],
            ("listy.csv", good.as_bytes()),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        page.contains("id=\"waybills-done\"")
            && page.contains("Dodane numery przesyłek: 1")
            && page.contains("już były na zamówieniach: 1"),
        "{page}"
    );
    // A disconnected account: the waybill waits, and the page says why at once.
    h.app.disconnect(&user, &account).await.unwrap();
    let fourth = format!("/orders/{}", orders[3].id);
    let (status, _, _) = b
        .post(
            &format!("{fourth}/shipments"),
            &[
                ("_csrf", csrf.as_str()),
                ("carrier_id", "DPD"),
                ("carrier_name", ""),
                ("waybill", "QUEUED-1"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (_, page, _) = b.get(&fourth).await;
    assert!(
        page.contains("QUEUED-1") && page.contains("konto Allegro jest odłączone"),
        "{page}"
    );
}

#[tokio::test]
async fn the_warehouse_through_the_api() {
    let h = spawn_app().await;
    let (org, _, account, _) = owner_with_orders(&h, 8, 23, 5).await;
    h.app.sync_account(&account).await.unwrap();
    let key = h
        .app
        .create_api_key(&org, "WMS")
        .await
        .unwrap()
        .expose_secret()
        .to_owned();
    let api = Client::new();
    let url = |p: &str| format!("{}{p}", h.base);
    let get = |p: &str| api.get(url(p)).bearer_auth(&key).send();
    let products: Value = get("/api/v1/products").await.unwrap().json().await.unwrap();
    assert_eq!(products["products"], json!([]));
    let order = h.app.store().account_orders(&account).await.unwrap().remove(0);
    // No products yet: the WZ names the line it cannot take.
    let r = api
        .post(url(&format!("/api/v1/orders/{}/wz", order.id)))
        .bearer_auth(&key)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.json::<Value>().await.unwrap()["field"], "products");
    let read: Value = api
        .post(url("/api/v1/products/sync"))
        .bearer_auth(&key)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(read["new_products"].as_u64().unwrap() > 0, "{read}");
    let products: Value = get("/api/v1/products").await.unwrap().json().await.unwrap();
    let first = &products["products"][0];
    let id = first["id"].as_str().unwrap();
    assert!(first["sku"].as_str().unwrap().starts_with("SKU-"), "{first}");
    for p in products["products"].as_array().unwrap() {
        let r = api
            .post(url(&format!("/api/v1/products/{}/stock", p["id"].as_str().unwrap())))
            .bearer_auth(&key)
            .json(&json!({"quantity": 50, "note": "PZ/1/2026"}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK);
        assert_eq!(r.json::<Value>().await.unwrap()["quantity"], 50);
    }
    let r = api
        .post(url(&format!("/api/v1/products/{id}/stock")))
        .bearer_auth(&key)
        .json(&json!({"quantity": 0}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let r = api
        .put(url("/api/v1/warehouse-settings"))
        .bearer_auth(&key)
        .json(&json!({"wz_trigger": "DELIVERED"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let r = api
        .put(url("/api/v1/warehouse-settings"))
        .bearer_auth(&key)
        .json(&json!({"wz_trigger": "SENT"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    let settings: Value = get("/api/v1/warehouse-settings").await.unwrap().json().await.unwrap();
    assert_eq!(settings["wz_trigger"], "SENT");
    // A second warehouse: its own stock, and WZs may take from it.
    let r = api
        .post(url("/api/v1/warehouses"))
        .bearer_auth(&key)
        .json(&json!({"name": "Magazyn Gdańsk"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
    let gdansk: Value = r.json().await.unwrap();
    let again = api
        .post(url("/api/v1/warehouses"))
        .bearer_auth(&key)
        .json(&json!({"name": "Magazyn Gdańsk"}))
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let all: Value = get("/api/v1/warehouses").await.unwrap().json().await.unwrap();
    assert_eq!(all["warehouses"].as_array().unwrap().len(), 2, "{all}");
    let r = api
        .post(url(&format!("/api/v1/products/{id}/stock")))
        .bearer_auth(&key)
        .json(&json!({"quantity": 9, "warehouse_id": gdansk["id"]}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.json::<Value>().await.unwrap()["quantity"], 9);
    let products: Value = get("/api/v1/products").await.unwrap().json().await.unwrap();
    assert_eq!(
        products["products"][0]["stock"].as_array().unwrap().len(),
        2,
        "{products}"
    );
    // By hand: 201, then 200 with the same document.
    let r = api
        .post(url(&format!("/api/v1/orders/{}/wz", order.id)))
        .bearer_auth(&key)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
    let wz: Value = r.json().await.unwrap();
    assert!(wz["number"].as_str().unwrap().starts_with("WZ/1/"), "{wz}");
    let r = api
        .post(url(&format!("/api/v1/orders/{}/wz", order.id)))
        .bearer_auth(&key)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.json::<Value>().await.unwrap()["id"], wz["id"]);
    let got: Value = get(&format!("/api/v1/orders/{}/wz", order.id))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(got["number"], wz["number"]);
    let docs: Value = get("/api/v1/warehouse-documents").await.unwrap().json().await.unwrap();
    assert_eq!(docs["documents"].as_array().unwrap().len(), 1);
    let moves: Value = get("/api/v1/stock-movements").await.unwrap().json().await.unwrap();
    let out: i64 = moves["movements"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["reason"] == "wz")
        .map(|m| m["delta"].as_i64().unwrap())
        .sum();
    let taken: i64 = wz["lines"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["quantity"].as_i64().unwrap())
        .sum();
    assert_eq!(out, -taken);
}

#[tokio::test]
async fn the_warehouse_screens() {
    let h = spawn_app().await;
    let (_, user, account, _) = owner_with_orders(&h, 6, 24, 5).await;
    h.app.sync_account(&account).await.unwrap();
    let mut b = Browser::new(&h.base);
    b.login("anna@a.pl", testkit::PASSWORD).await;
    let (status, page, _) = b.get("/warehouse").await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("Pobierz produkty z Allegro"), "{page}");
    let csrf = Browser::csrf(&page);
    let (status, _, location) = b.post("/warehouse/sync", &[("_csrf", csrf.as_str())]).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (_, page, _) = b.get(&location.unwrap()).await;
    assert!(
        page.contains("id=\"warehouse-notice\"") && page.contains("<table id=\"stock\">"),
        "{page}"
    );
    let products = h.app.products(&user).await.unwrap();
    let product = &products[0];
    let (status, page, _) = b
        .post(
            "/warehouse/receipts",
            &[
                ("_csrf", csrf.as_str()),
                ("product_id", product.id.as_str()),
                ("quantity", "dwa"),
                ("note", ""),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("id=\"warehouse-error\""), "{page}");
    let (status, _, _) = b
        .post(
            "/warehouse/receipts",
            &[
                ("_csrf", csrf.as_str()),
                ("product_id", product.id.as_str()),
                ("quantity", "25"),
                ("note", "PZ/7"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (status, _, _) = b
        .post(
            "/warehouse/settings",
            &[("_csrf", csrf.as_str()), ("wz_trigger", "SENT")],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (status, _, _) = b
        .post(
            "/warehouse/warehouses",
            &[("_csrf", csrf.as_str()), ("name", "Magazyn Poznań")],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (status, page, _) = b
        .post("/warehouse/warehouses", &[("_csrf", csrf.as_str()), ("name", "")])
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{page}");
    let (_, page, _) = b.get("/warehouse").await;
    assert!(page.contains("<option value=\"SENT\" selected"), "{page}");
    assert!(
        page.contains("<th class=\"num\">Magazyn Poznań</th>"),
        "a column per warehouse: {page}"
    );
    assert!(
        page.contains("PZ/7") && page.contains("przyjęcie"),
        "the movement is listed: {page}"
    );
    // "Wystaw WZ" on an order whose products are known.
    let order = h.app.store().account_orders(&account).await.unwrap().remove(0);
    let path = format!("/orders/{}", order.id);
    let (_, page, _) = b.get(&path).await;
    assert!(page.contains("id=\"issue-wz\""), "{page}");
    let (status, _, _) = b.post(&format!("{path}/wz"), &[("_csrf", csrf.as_str())]).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (_, page, _) = b.get(&path).await;
    assert!(
        page.contains("WZ/1/") && page.contains("wydano") && !page.contains("id=\"issue-wz\""),
        "{page}"
    );
    let (_, page, _) = b.get("/warehouse").await;
    assert!(
        page.contains("<table id=\"documents\">") && page.contains("wydanie (WZ)"),
        "{page}"
    );
}
