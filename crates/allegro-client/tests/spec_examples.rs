//! The DTOs read the spec's own examples: for every schema the client uses, an example
//! document is assembled from the `example` values of `shared/allegro/openapi.json`
//! (every property present, arrays with one element) and deserialised.

use std::path::PathBuf;

use allegro_client::types::*;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value, json};

fn spec() -> Value {
    let path = // `shared/` lives beside the project's root (in CI too); ALLEGRO_BRIDGE_SHARED overrides.
    std::env::var_os("ALLEGRO_BRIDGE_SHARED")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(manifest_dir()).join("../../../shared"))
        .join("allegro/openapi.json");
    serde_json::from_str(&std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))).unwrap()
}

/// An instance of `schema` built from the spec's examples; `depth` stops cycles.
fn example(spec: &Value, schema: &Value, depth: usize) -> Value {
    if depth > 60 {
        return Value::Null;
    }
    if let Some(r) = schema.get("$ref").and_then(Value::as_str) {
        let name = r.rsplit('/').next().unwrap();
        return example(spec, &spec["components"]["schemas"][name], depth + 1);
    }
    if let Some(parts) = schema.get("allOf").and_then(Value::as_array) {
        let mut merged = Map::new();
        for p in parts {
            if let Value::Object(m) = example(spec, p, depth + 1) {
                merged.extend(m);
            }
        }
        if let Some(e) = schema.get("example") {
            return e.clone();
        }
        return Value::Object(merged);
    }
    if let Some(e) = schema.get("example") {
        return e.clone();
    }
    if let Some(values) = schema.get("enum").and_then(Value::as_array) {
        return values[0].clone();
    }
    match schema.get("type").and_then(Value::as_str) {
        Some("object") | None if schema.get("properties").is_some() => {
            let props = schema["properties"].as_object().unwrap();
            Value::Object(
                props
                    .iter()
                    .map(|(k, v)| (k.clone(), example(spec, v, depth + 1)))
                    .collect(),
            )
        }
        // The spec leaves `type: array` out in places (CheckoutFormAddWaybillCreated.lineItems).
        Some("array") | None if schema.get("items").is_some() => json!([example(spec, &schema["items"], depth + 1)]),
        Some("string") => match schema.get("format").and_then(Value::as_str) {
            Some("date-time") => json!("2026-01-02T03:04:05.678Z"),
            Some("uuid") => json!("29738e61-7f6a-11e8-ac45-09db60ede9d6"),
            _ => json!("text"),
        },
        Some("integer") | Some("number") => json!(1),
        Some("boolean") => json!(true),
        _ => json!({}),
    }
}

fn reads<T: DeserializeOwned>(spec: &Value, schema: &str) -> T {
    let value = example(spec, &spec["components"]["schemas"][schema], 0);
    assert!(!value.is_null(), "{schema} is in the spec");
    serde_json::from_value(value.clone()).unwrap_or_else(|e| panic!("{schema}: {e}\n{value:#}"))
}

#[test]
fn every_schema_the_client_reads_accepts_the_spec_examples() {
    let spec = spec();
    let form: CheckoutForm = reads(&spec, "CheckoutForm");
    // The spec's own example values come through typed.
    assert_eq!(form.id, "29738e61-7f6a-11e8-ac45-09db60ede9d6");
    assert_eq!(form.revision.as_deref(), Some("819b5836"));
    assert_eq!(form.line_items[0].price.to_minor(), Some(12345));
    assert_eq!(
        form.invoice
            .as_ref()
            .unwrap()
            .address
            .as_ref()
            .unwrap()
            .company
            .as_ref()
            .unwrap()
            .ids
            .as_ref()
            .unwrap()[0]
            .id_type,
        CompanyIdType::PlNip
    );
    assert_eq!(
        form.delivery
            .as_ref()
            .unwrap()
            .pickup_point
            .as_ref()
            .unwrap()
            .id
            .as_deref(),
        Some("POZ08A")
    );
    let _: CheckoutForms = reads(&spec, "CheckoutForms");
    let events: OrderEventsList = reads(&spec, "OrderEventsList");
    assert_eq!(events.events[0].id, "1532603898317497");
    let _: OrderEventStats = reads(&spec, "OrderEventStats");
    let me: MeResponse = reads(&spec, "MeResponse");
    assert_eq!(me.company.unwrap().tax_id.as_deref(), Some("5252674798"));
    let _: ErrorsHolder = reads(&spec, "ErrorsHolder");
    let _: AuthError = reads(&spec, "AuthError");
    let _: CheckoutFormFulfillment = reads(&spec, "CheckoutFormFulfillment");
    let _: CheckoutFormAddWaybillRequest = reads(&spec, "CheckoutFormAddWaybillRequest");
    let _: CheckoutFormAddWaybillCreated = reads(&spec, "CheckoutFormAddWaybillCreated");
    let _: CheckoutFormOrderWaybillResponse = reads(&spec, "CheckoutFormOrderWaybillResponse");
    let carriers: OrdersShippingCarriersResponse = reads(&spec, "OrdersShippingCarriersResponse");
    assert!(carriers.carriers.unwrap()[0].id.is_some());
    let _: CheckFormsNewOrderInvoice = reads(&spec, "CheckFormsNewOrderInvoice");
    let _: CheckFormsNewOrderInvoiceId = reads(&spec, "CheckFormsNewOrderInvoiceId");
    let _: CheckoutFormsOrderInvoices = reads(&spec, "CheckoutFormsOrderInvoices");
    let _: OffersSearchResult = reads(&spec, "OffersSearchResultDto");
    let offer: SaleProductOffer = reads(&spec, "SaleProductOfferResponseV1");
    assert!(offer.tax_settings.is_some());
}

#[test]
fn unknown_enum_values_do_not_break_a_response() {
    let status: CheckoutFormStatus = serde_json::from_value(json!("SOMETHING_NEW")).unwrap();
    assert_eq!(status, CheckoutFormStatus::Unknown);
    assert_eq!(
        "READY_FOR_PROCESSING".parse::<CheckoutFormStatus>().unwrap(),
        CheckoutFormStatus::ReadyForProcessing
    );
}

/// The crate's folder at run time: a build folder shared between clones may hold a binary
/// compiled in another clone, so the compile-time path can be stale.
fn manifest_dir() -> String {
    std::env::var("CARGO_MANIFEST_DIR").unwrap_or_else(|_| env!("CARGO_MANIFEST_DIR").to_owned())
}
