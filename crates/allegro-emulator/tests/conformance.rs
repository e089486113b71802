//! Every emulated endpoint, success and errors, validated against the response schemas of
//! Allegro's own OpenAPI document (`shared/allegro/openapi.json`).
//!
//! The document becomes JSON Schema through `openapi-schemas`: properties not listed as
//! `required` admit null, because Allegro sends `null` for absent optional fields
//! (research §4.2) although its spec rarely says so; unknown properties fail.

use std::collections::BTreeSet;

use allegro_emulator::{EmulatorConfig, NewApp, OrderPlan};
use reqwest::Method;
use serde_json::{Value, json};

struct Conformance {
    schemas: openapi_schemas::Schemas,
}

impl Conformance {
    fn new() -> Self {
        let path = openapi_schemas::shared_dir(&manifest_dir()).join("allegro/openapi.json");
        Self {
            schemas: openapi_schemas::Schemas::from_file(&path, openapi_schemas::Nulls::OptionalAdmitNull),
        }
    }

    fn validate(&mut self, schema_ref: &str, body: &Value) -> Result<(), String> {
        self.schemas.validate(schema_ref, body)
    }

    /// Checks one response: the status must be documented for the operation (or be one of
    /// Allegro's global answers: 401, 403, 406, 429, 5xx), and the body must match the
    /// documented schema (AuthError for 401, ErrorsHolder for other errors).
    fn check(&mut self, method: &Method, template: &str, status: u16, body: &[u8]) -> Result<(), String> {
        let op = &self.schemas.spec()["paths"][template][method.as_str().to_lowercase()];
        assert!(op.is_object(), "{method} {template} is not in the spec");
        let documented = &op["responses"][status.to_string()];
        let global = matches!(status, 401 | 403 | 406 | 429) || status >= 500;
        if documented.is_null() && !global {
            return Err(format!("{method} {template}: status {status} is not documented"));
        }
        let schema_ref = documented["content"]
            .as_object()
            .and_then(|c| c.values().next())
            .and_then(|m| m["schema"]["$ref"].as_str())
            .map(str::to_owned)
            .or_else(|| match status {
                200..=299 => None,
                401 => Some("AuthError".into()),
                _ => Some("ErrorsHolder".into()),
            });
        match schema_ref {
            None => {
                if !body.is_empty() && status == 204 {
                    return Err("204 with a body".into());
                }
                Ok(())
            }
            Some(r) => {
                let value: Value =
                    serde_json::from_slice(body).map_err(|e| format!("{method} {template} {status}: not JSON: {e}"))?;
                self.validate(&r, &value)
                    .map_err(|e| format!("{method} {template} {status}: {e}"))
            }
        }
    }
}

const V1: &str = "application/vnd.allegro.public.v1+json";

#[tokio::test]
async fn every_endpoint_and_error_matches_the_spec() {
    let emu = allegro_emulator::spawn("127.0.0.1:0", EmulatorConfig { seed: 3 })
        .await
        .unwrap();
    let base = emu.base_url.clone();
    let seller = emu.emulator.create_seller("konformny", "x").unwrap();
    emu.emulator
        .generate_orders(
            &seller,
            OrderPlan {
                count: 400,
                seed: 9,
                days: 60,
                pending_share: 0.0,
                pay_within_seconds: 60,
            },
        )
        .unwrap();
    let (client_id, _) = emu
        .emulator
        .register_app(NewApp {
            name: "Conformance".into(),
            description: None,
            redirect_uris: vec!["http://localhost/cb".into()],
            app_type: None,
            scopes: None,
        })
        .unwrap();
    let http = reqwest::Client::new();
    let mint = |body: Value| {
        let http = http.clone();
        let base = base.clone();
        async move {
            let r: Value = http
                .post(format!("{base}/__emulator/tokens"))
                .json(&body)
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            r["access_token"].as_str().unwrap().to_owned()
        }
    };
    let token = mint(json!({"client_id": client_id, "seller_id": seller})).await;
    let app_token = mint(json!({"client_id": client_id})).await;
    let no_orders_scope =
        mint(json!({"client_id": client_id, "seller_id": seller, "scopes": ["allegro:api:profile:read"]})).await;

    // Pick real ids from the data.
    let page: Value = http
        .get(format!(
            "{base}/order/checkout-forms?status=READY_FOR_PROCESSING&limit=5"
        ))
        .bearer_auth(&token)
        .header("accept", V1)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let order = page["checkoutForms"][0].clone();
    let id = order["id"].as_str().unwrap().to_owned();
    let other_id = page["checkoutForms"][1]["id"].as_str().unwrap().to_owned();
    let revision = order["revision"].as_str().unwrap().to_owned();
    let offers: Value = http
        .get(format!("{base}/sale/offers"))
        .bearer_auth(&token)
        .header("accept", V1)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let offer_id = offers["offers"][0]["id"].as_str().unwrap().to_owned();
    let missing = "00000000-0000-4000-8000-000000000000";

    struct Case {
        method: Method,
        template: &'static str,
        path: String,
        token: Option<String>,
        accept: bool,
        body: Option<(&'static str, Vec<u8>)>,
        expect: u16,
    }
    let case = |method: Method, template: &'static str, path: String, expect: u16| Case {
        method,
        template,
        path,
        token: Some(token.clone()),
        accept: true,
        body: None,
        expect,
    };
    let json_body = |v: Value| Some((V1, serde_json::to_vec(&v).unwrap()));
    let forms = "/order/checkout-forms";
    let one = "/order/checkout-forms/{id}";
    let ful = "/order/checkout-forms/{id}/fulfillment";
    let ship = "/order/checkout-forms/{id}/shipments";
    let inv = "/order/checkout-forms/{id}/invoices";
    let file = "/order/checkout-forms/{id}/invoices/{invoiceId}/file";
    let mut cases = vec![
        case(Method::GET, "/me", "/me".into(), 200),
        Case {
            token: None,
            ..case(Method::GET, "/me", "/me".into(), 401)
        },
        Case {
            token: Some("eyJhbGciOiJub25lIn0.e30.x".into()),
            ..case(Method::GET, "/me", "/me".into(), 401)
        },
        Case {
            token: Some(app_token.clone()),
            ..case(Method::GET, "/me", "/me".into(), 403)
        },
        case(Method::GET, "/order/events", "/order/events?limit=50".into(), 200),
        case(
            Method::GET,
            "/order/events",
            "/order/events?type=READY_FOR_PROCESSING&type=BOUGHT&limit=5".into(),
            200,
        ),
        case(Method::GET, "/order/events", "/order/events?limit=5000".into(), 422),
        Case {
            token: Some(no_orders_scope.clone()),
            ..case(Method::GET, "/order/events", "/order/events".into(), 403)
        },
        case(Method::GET, "/order/event-stats", "/order/event-stats".into(), 200),
        case(Method::GET, forms, format!("{forms}?limit=100"), 200),
        case(
            Method::GET,
            forms,
            format!("{forms}?fulfillment.status=NEW&marketplace.id=allegro-pl&sort=-updatedAt"),
            200,
        ),
        case(Method::GET, forms, format!("{forms}?offset=9950&limit=100"), 422),
        case(Method::GET, forms, format!("{forms}?limit=101"), 422),
        case(Method::GET, forms, format!("{forms}?status=PAID"), 400),
        Case {
            accept: false,
            ..case(Method::GET, forms, forms.into(), 406)
        },
        case(Method::GET, one, format!("/order/checkout-forms/{id}"), 200),
        case(Method::GET, one, format!("/order/checkout-forms/{missing}"), 404),
        case(Method::GET, one, "/order/checkout-forms/not-a-uuid".into(), 422),
        Case {
            body: json_body(json!({"status": "PROCESSING"})),
            ..case(
                Method::PUT,
                ful,
                format!("/order/checkout-forms/{id}/fulfillment?checkoutForm.revision=00000000"),
                409,
            )
        },
        Case {
            body: json_body(json!({"status": "PROCESSING"})),
            ..case(
                Method::PUT,
                ful,
                format!("/order/checkout-forms/{id}/fulfillment?checkoutForm.revision={revision}"),
                204,
            )
        },
        Case {
            body: json_body(json!({"status": "RETURNED"})),
            ..case(Method::PUT, ful, format!("/order/checkout-forms/{id}/fulfillment"), 422)
        },
        Case {
            body: json_body(json!({"status": "SENT"})),
            ..case(
                Method::PUT,
                ful,
                format!("/order/checkout-forms/{missing}/fulfillment"),
                404,
            )
        },
        Case {
            body: json_body(json!({"carrierId": "INPOST", "waybill": "620000111122223333444455"})),
            ..case(Method::POST, ship, format!("/order/checkout-forms/{id}/shipments"), 201)
        },
        Case {
            body: json_body(json!({"carrierId": "OTHER", "waybill": "X1", "carrierName": "Kurier Jan"})),
            ..case(Method::POST, ship, format!("/order/checkout-forms/{id}/shipments"), 201)
        },
        Case {
            body: json_body(json!({"carrierId": "NOPE", "waybill": "X1"})),
            ..case(Method::POST, ship, format!("/order/checkout-forms/{id}/shipments"), 400)
        },
        Case {
            body: json_body(json!({"carrierId": "DPD", "waybill": "X1", "lineItems": [{"id": missing}]})),
            ..case(Method::POST, ship, format!("/order/checkout-forms/{id}/shipments"), 422)
        },
        Case {
            body: json_body(json!({"carrierId": "DPD", "waybill": "X1"})),
            ..case(
                Method::POST,
                ship,
                format!("/order/checkout-forms/{missing}/shipments"),
                404,
            )
        },
        case(Method::GET, ship, format!("/order/checkout-forms/{id}/shipments"), 200),
        Case {
            token: Some(app_token.clone()),
            ..case(Method::GET, "/order/carriers", "/order/carriers".into(), 200)
        },
        case(Method::GET, inv, format!("/order/checkout-forms/{id}/invoices"), 200),
        Case {
            body: json_body(json!({"file": {"name": "fv.pdf"}, "invoiceNumber": "FV/1/2026"})),
            ..case(
                Method::POST,
                inv,
                format!("/order/checkout-forms/{other_id}/invoices"),
                201,
            )
        },
        Case {
            body: json_body(json!({"file": {"name": "fv.pdf"}, "invoiceNumber": "FV/1/2026"})),
            ..case(
                Method::POST,
                inv,
                format!("/order/checkout-forms/{other_id}/invoices"),
                409,
            )
        },
        Case {
            body: json_body(json!({"file": {"name": "fv.pdf"}, "invoiceNumber": "FV/2/2026"})),
            ..case(
                Method::POST,
                inv,
                format!("/order/checkout-forms/{other_id}/invoices"),
                429,
            )
        },
        Case {
            body: json_body(json!({"file": {"name": ""}})),
            ..case(Method::POST, inv, format!("/order/checkout-forms/{id}/invoices"), 422)
        },
        case(
            Method::GET,
            "/sale/offers",
            "/sale/offers?limit=5&sort=-sellingMode.price.amount".into(),
            200,
        ),
        case(Method::GET, "/sale/offers", "/sale/offers?sort=price".into(), 400),
        case(
            Method::GET,
            "/sale/product-offers/{offerId}",
            format!("/sale/product-offers/{offer_id}"),
            200,
        ),
        case(
            Method::GET,
            "/sale/product-offers/{offerId}",
            "/sale/product-offers/1".into(),
            404,
        ),
    ];
    // An invoice to upload files to.
    let created: Value = http
        .post(format!("{base}/order/checkout-forms/{id}/invoices"))
        .bearer_auth(&token)
        .header("content-type", V1)
        .body(r#"{"file":{"name":"f.pdf"}}"#)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let invoice = created["id"].as_str().unwrap().to_owned();
    let file_path = format!("/order/checkout-forms/{id}/invoices/{invoice}/file");
    cases.extend([
        Case {
            body: Some(("application/pdf", Vec::new())),
            ..case(Method::PUT, file, file_path.clone(), 422)
        },
        Case {
            body: Some(("application/pdf", vec![b'%'; 3 * 1024 * 1024 + 1])),
            ..case(Method::PUT, file, file_path.clone(), 413)
        },
        Case {
            body: Some(("application/pdf", b"%PDF-1.4 ok".to_vec())),
            ..case(Method::PUT, file, file_path.clone(), 200)
        },
        Case {
            body: Some(("application/pdf", b"%PDF-1.4 ok".to_vec())),
            ..case(Method::PUT, file, file_path.clone(), 409)
        },
        Case {
            body: Some(("application/pdf", b"%PDF-1.4 ok".to_vec())),
            ..case(
                Method::PUT,
                file,
                format!("/order/checkout-forms/{id}/invoices/{missing}/file"),
                404,
            )
        },
        case(Method::GET, inv, format!("/order/checkout-forms/{id}/invoices"), 200),
    ]);

    let mut conformance = Conformance::new();
    let mut failures = Vec::new();
    let mut covered = BTreeSet::new();
    for c in &cases {
        let mut r = http.request(c.method.clone(), format!("{base}{}", c.path));
        if let Some(t) = &c.token {
            r = r.bearer_auth(t);
        }
        if c.accept {
            r = r.header("accept", V1);
        }
        if let Some((ct, body)) = &c.body {
            r = r.header("content-type", *ct).body(body.clone());
        }
        let response = r.send().await.unwrap();
        let status = response.status().as_u16();
        assert!(
            response.headers().contains_key("trace-id"),
            "{} {}: no trace-id",
            c.method,
            c.path
        );
        if status == 401 {
            assert!(response.headers().contains_key("www-authenticate"));
        }
        let body = response.bytes().await.unwrap();
        if status != c.expect {
            failures.push(format!(
                "{} {}: expected {}, got {status}: {}",
                c.method,
                c.path,
                c.expect,
                String::from_utf8_lossy(&body)
            ));
            continue;
        }
        if let Err(e) = conformance.check(&c.method, c.template, status, &body) {
            failures.push(e);
        }
        covered.insert((c.template, c.method.to_string()));
    }
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
    // Every API operation the emulator serves was exercised.
    assert_eq!(covered.len(), 14, "{covered:?}");
}

#[test]
fn the_converter_rejects_what_the_spec_forbids() {
    let mut c = Conformance::new();
    let ok = json!({"id": "1", "login": "a", "firstName": null, "features": []});
    c.validate("MeResponse", &ok).unwrap();
    assert!(c.validate("MeResponse", &json!({"id": 5})).is_err(), "wrong type");
    assert!(
        c.validate("MeResponse", &json!({"lgoin": "typo"})).is_err(),
        "unknown field"
    );
    assert!(
        c.validate("Price", &json!({"amount": null, "currency": "PLN"}))
            .is_err(),
        "required is not nullable"
    );
    assert!(c.validate("CheckoutFormStatus", &json!("PAID")).is_err(), "enum");
}

/// The crate's folder at run time: a build folder shared between clones may hold a binary
/// compiled in another clone, so the compile-time path can be stale.
fn manifest_dir() -> String {
    std::env::var("CARGO_MANIFEST_DIR").unwrap_or_else(|_| env!("CARGO_MANIFEST_DIR").to_owned())
}
