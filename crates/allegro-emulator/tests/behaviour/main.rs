//! Emulator behaviour over HTTP: the token endpoint's rules, the pages (login, "Kontynuuj /
//! Zmień konto", consent, portal), journal quirks, scheduled payments, retention windows,
//! rate limits and the control API's validation.

use allegro_emulator::{EmulatorConfig, EmulatorHandle, Faults, NewApp, OrderPlan, Settings};
use reqwest::{Client, StatusCode, header};
use serde_json::{Value, json};

mod journal;
mod limits;
mod oauth;
mod pages;

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
