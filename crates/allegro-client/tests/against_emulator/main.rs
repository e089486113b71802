//! The typed client against the offline emulator: every OAuth flow, the REST endpoints,
//! errors of both shapes, retries, the shared Client-ID budget and the 10 000-order window.

use std::time::Duration;

use allegro_client::types::*;
use allegro_client::{
    Allegro, AllegroError, CheckoutFormsQuery, DevicePoll, Environment, OAuthClient, OAuthError, Pkce, RateBudgets,
    RetryPolicy,
};
use allegro_emulator::{EmulatorConfig, EmulatorHandle, Faults, NewApp, OrderPlan, Settings};
use futures_core::Stream;
use secrecy::{ExposeSecret, SecretString};

mod oauth;
mod orders;
mod resilience;

struct World {
    emu: EmulatorHandle,
    seller_id: String,
    oauth: OAuthClient,
    api: Allegro,
    redirect_uri: String,
}

async fn world(orders: usize) -> World {
    let emu = allegro_emulator::spawn("127.0.0.1:0", EmulatorConfig { seed: 11 })
        .await
        .unwrap();
    let seller_id = emu.emulator.create_seller("sklep-testowy", "haslo123").unwrap();
    if orders > 0 {
        let plan = OrderPlan {
            count: orders,
            seed: 5,
            days: 30,
            pending_share: 0.0,
            pay_within_seconds: 60,
        };
        emu.emulator.generate_orders(&seller_id, plan).unwrap();
    }
    let redirect_uri = "http://localhost:9/allegro/install/abc".to_owned();
    let (id, secret) = emu
        .emulator
        .register_app(NewApp {
            name: "Test integration".into(),
            description: None,
            redirect_uris: vec![redirect_uri.clone()],
            app_type: None,
            scopes: None,
        })
        .unwrap();
    let env = Environment::custom(&emu.base_url, &emu.base_url).unwrap();
    let oauth = OAuthClient::new(env.clone(), id, SecretString::from(secret));
    let api = Allegro::builder(env)
        .retry(RetryPolicy {
            max_attempts: 4,
            base_delay: Duration::from_millis(5),
            max_delay: Duration::from_millis(50),
        })
        .build();
    World {
        emu,
        seller_id,
        oauth,
        api,
        redirect_uri,
    }
}

fn browser() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

fn location(r: &reqwest::Response) -> String {
    r.headers()[reqwest::header::LOCATION].to_str().unwrap().to_owned()
}

/// Plays the seller in a browser: authorize → login page → consent → "Tak, powiąż".
/// Returns the final redirect to our redirect URI.
async fn consent_in_browser(base: &str, authorization_url: &str, login: &str, password: &str, approve: bool) -> String {
    let b = browser();
    let first = b.get(authorization_url).send().await.unwrap();
    assert_eq!(first.status(), 303, "a new browser is sent to the login page");
    let login_page = location(&first);
    assert!(login_page.starts_with("/login?return="), "{login_page}");
    let return_to: String = url::Url::parse(&format!("{base}{login_page}"))
        .unwrap()
        .query_pairs()
        .find(|(k, _)| k == "return")
        .unwrap()
        .1
        .into_owned();
    let logged = b
        .post(format!("{base}/login"))
        .form(&[("login", login), ("password", password), ("return", return_to.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(logged.status(), 303);
    let cookie = logged.headers()[reqwest::header::SET_COOKIE]
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_owned();
    let consent_url = format!("{base}{}", location(&logged));
    let consent = b
        .get(&consent_url)
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        consent.contains("Tak, powiąż") && consent.contains("Nie, anuluj"),
        "{consent}"
    );
    assert!(consent.contains(login));
    let mut form: Vec<(String, String)> = url::Url::parse(&consent_url)
        .unwrap()
        .query_pairs()
        .into_owned()
        .collect();
    form.retain(|(k, _)| k != "emu_continue");
    form.push(("decision".into(), if approve { "approve" } else { "deny" }.into()));
    let decided = b
        .post(format!("{base}/auth/oauth/authorize/decision"))
        .header("cookie", &cookie)
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(decided.status(), 303);
    location(&decided)
}

fn query_param(url: &str, key: &str) -> Option<String> {
    url::Url::parse(url)
        .unwrap()
        .query_pairs()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.into_owned())
}

async fn link(w: &World) -> allegro_client::TokenSet {
    let pkce = Pkce::new();
    let url = w.oauth.authorization_url(
        &w.redirect_uri,
        "state-1",
        Some(&pkce),
        &[
            scopes::ORDERS_READ,
            scopes::ORDERS_WRITE,
            scopes::PROFILE_READ,
            scopes::SALE_OFFERS_READ,
        ],
    );
    let back = consent_in_browser(&w.emu.base_url, url.as_str(), "sklep-testowy", "haslo123", true).await;
    assert!(back.starts_with(&w.redirect_uri), "{back}");
    assert_eq!(query_param(&back, "state").as_deref(), Some("state-1"));
    let code = query_param(&back, "code").unwrap();
    w.oauth
        .exchange_code(&code, &w.redirect_uri, Some(&pkce.verifier))
        .await
        .unwrap()
}
