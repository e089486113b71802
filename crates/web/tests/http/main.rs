//! The back-office over HTTP: CSRF, organisation isolation through the UI and the API,
//! the API's shapes and errors, callback pages, settings validation.

use std::sync::Arc;

use allegro_emulator::{EmulatorConfig, EmulatorHandle, NewApp};
use app::App;
use reqwest::{Client, StatusCode, header};
use secrecy::{ExposeSecret, SecretString};
use serde_json::{Value, json};

mod accounts;
mod conformance;
mod imports;
mod invoices;
mod ksef;
mod observability;
mod orders;
mod polish_time;
mod security;
mod shipments;
mod tenancy;
mod warehouse;

struct Harness {
    base: String,
    emu: EmulatorHandle,
    app: App,
}

impl Harness {
    /// A new API key of `org`, as the bearer token a client sends.
    async fn api_key(&self, org: &domain::OrganisationId, name: &str) -> String {
        self.app
            .create_api_key(org, name)
            .await
            .unwrap()
            .expose_secret()
            .to_owned()
    }
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
        let key = h.api_key(&org, "test").await;
        out.push((conn.to_string(), account, key));
    }
    [out.remove(0), out.remove(0)]
}
