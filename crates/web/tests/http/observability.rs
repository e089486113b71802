//! Every request runs in a span with its request id, route template and method, ends with
//! one log line carrying its status and latency, and answers the id in `X-Request-Id`.

use std::io::Write;
use std::sync::{Arc, Mutex};

use reqwest::Client;
use serde_json::Value;

use super::spawn_app;

/// Log lines written to memory.
#[derive(Clone, Default)]
struct Lines(Arc<Mutex<Vec<u8>>>);

impl Write for Lines {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test]
async fn each_request_is_one_span_with_its_id_route_status_and_latency() {
    let lines = Lines::default();
    let writer = lines.clone();
    // nextest runs each test in a process of its own: this subscriber sees only this test.
    tracing_subscriber::fmt()
        .json()
        .with_current_span(true)
        .with_writer(move || writer.clone())
        .init();
    let h = spawn_app().await;
    let http = Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let ours = http.get(format!("{}/login", h.base)).send().await.unwrap();
    let ours_status = ours.status().as_u16();
    let id = ours.headers()["x-request-id"].to_str().unwrap().to_owned();
    assert!(id.len() == 32 && id.bytes().all(|b| b.is_ascii_hexdigit()), "{id}");
    let proxied = http
        .get(format!("{}/orders/PL-123", h.base))
        .header("x-request-id", "proxy-7f3a.1")
        .send()
        .await
        .unwrap();
    assert_eq!(
        proxied.headers()["x-request-id"],
        "proxy-7f3a.1",
        "a proxy's id is kept"
    );
    let forged = http
        .get(format!("{}/login", h.base))
        .header("x-request-id", "x\" injected=1")
        .send()
        .await
        .unwrap();
    assert_ne!(
        forged.headers()["x-request-id"],
        "x\" injected=1",
        "a strange id is replaced"
    );

    let text = String::from_utf8(lines.0.lock().unwrap().clone()).unwrap();
    let done: Vec<Value> = text
        .lines()
        .filter_map(|l| serde_json::from_str::<Value>(l).ok())
        .filter(|v| v["fields"]["message"] == "request done")
        .collect();
    let of = |rid: &str| {
        done.iter()
            .find(|v| v["span"]["request_id"] == rid)
            .unwrap_or_else(|| panic!("no line for {rid}: {text}"))
            .clone()
    };
    let first = of(&id);
    assert_eq!(first["span"]["method"], "GET");
    assert_eq!(first["span"]["route"], "/login");
    assert_eq!(first["fields"]["status"], ours_status);
    assert!(first["fields"]["latency_ms"].is_u64(), "{first}");
    let order = of("proxy-7f3a.1");
    assert_eq!(
        order["span"]["route"], "/orders/{id}",
        "the template, never the order id"
    );
    assert_eq!(order["fields"]["status"], 303, "not logged in: sent to the login page");
    assert!(!order.to_string().contains("PL-123"), "{order}");
}
