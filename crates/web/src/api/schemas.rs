//! `components.schemas` of the OpenAPI document: one schema per answer struct of the
//! aggregates' `api.rs` (`OrderOut` → `Order`…). Objects are closed (no property the struct
//! does not have) and every field is required, so the HTTP tests, which check every
//! `/api/v1` answer against this document (`web/tests/http/conformance.rs`), fail as soon
//! as a struct and its schema drift apart.

use serde_json::{Map, Value, json};

/// A closed object: every property required.
fn object(properties: Value) -> Value {
    let required: Vec<String> = properties
        .as_object()
        .map(|m| m.keys().cloned().collect())
        .unwrap_or_default();
    json!({"type": "object", "required": required, "properties": properties, "additionalProperties": false})
}

/// A closed object with optional properties beside the required ones.
fn object_with_optional(properties: Value, optional: Value) -> Value {
    let mut o = object(properties);
    if let (Some(p), Some(extra)) = (o["properties"].as_object_mut(), optional.as_object()) {
        p.extend(extra.clone());
    }
    o
}

fn list_of(name: &str, item: &str) -> Value {
    object(json!({ name: {"type": "array", "items": {"$ref": format!("#/components/schemas/{item}")}} }))
}

fn page_of(name: &str, item: &str) -> Value {
    object(json!({
        name: {"type": "array", "items": {"$ref": format!("#/components/schemas/{item}")}},
        "total": {"type": "integer"}, "offset": {"type": "integer"}, "limit": {"type": "integer"},
    }))
}

const S: &str = "string";

fn s() -> Value {
    json!({"type": S})
}

fn s_or_null() -> Value {
    json!({"type": [S, "null"]})
}

fn int() -> Value {
    json!({"type": "integer"})
}

/// An invoice's way to KSeF: answered in the list and for one invoice; null when it does
/// not go to KSeF.
fn invoice_ksef() -> Value {
    json!({"ksef": {"oneOf": [{"type": "null"}, object(json!({
        "state": {"type": S, "enum": ["waiting", "sent", "accepted", "rejected"]},
        "number": s_or_null(), "acquired_at": s_or_null(), "attempts": int(),
        "error": {"type": [S, "null"], "description": "why it waits, or what KSeF refused, in the request's language"},
        "upo_url": {"type": [S, "null"], "description": "the UPO (XML) once KSeF gave the number"},
        "invoicing_mode": {"type": [S, "null"], "description": "how KSeF recorded the invoice: Online or Offline"},
        "offline": {"oneOf": [{"type": "null"}, {"$ref": "#/components/schemas/KsefOffline"}]},
    }))]}})
}

fn invoice_properties() -> Value {
    json!({
        "id": s(), "number": s(), "kind": {"type": S, "enum": ["vat", "correction"]},
        "order_id": s(), "account_id": s(),
        "issue_date": {"type": S, "format": "date", "description": "a Polish calendar day"},
        "buyer": s(), "total": {"type": S, "example": "1299.00"}, "currency": s(),
        "xml": s(), "pdf": s(),
        "allegro": object(json!({
            "state": {"type": S, "enum": ["pending", "uploaded", "refused", "not_applicable"]},
            "invoice_id": s_or_null(),
            "uploaded_at": {"type": [S, "null"], "format": "date-time"},
            "attempts": int(),
            "error": s_or_null(),
        })),
    })
}

/// Every schema, by name.
pub(crate) fn schemas(settings: Value) -> Value {
    let problem = object_with_optional(
        json!({"type": s(), "title": s(), "status": int(), "detail": s(), "field": s_or_null()}),
        json!({
            "code": {"type": S, "description": "the refusal's stable key (problem-…), to word it in the client's language"},
            "args": {"type": "object", "additionalProperties": {"type": S}},
            "file": s(), "more": int(),
            "errors": {"type": "array", "items": object(json!({
                "line": int(), "column": {"type": ["integer", "null"]}, "field": s_or_null(),
                "message": s(), "code": s(), "args": {"type": "object", "additionalProperties": {"type": S}},
            }))},
        }),
    );
    let mut invoice_detail = invoice_properties();
    if let Some(p) = invoice_detail.as_object_mut() {
        p.extend(
            json!({
                "per_rate": {"type": "array", "items": object(json!({"rate": s(), "net": s(), "vat": s(), "gross": s()}))},
                "lines": {"type": "array", "items": object(json!({"name": s(), "quantity": int(), "unit_gross": s(), "gross": s(), "rate": s()}))},
                "in_words": s(),
            })
            .as_object()
            .cloned()
            .unwrap_or_default(),
        );
    }
    let all = json!({
        "Problem": problem,
        "Settings": settings,
        "Connection": object(json!({
            "id": {"type": S, "format": "uuid"},
            "mode": {"type": S, "enum": ["own_app", "service_app"]},
            "environment": {"type": S, "enum": ["production", "sandbox", "custom"]},
            "auth_url": s(), "api_url": s(), "redirect_uri": s(),
            "client_id": s_or_null(),
            "has_credentials": {"type": "boolean", "description": "the secret is never answered, only whether it is set"},
        })),
        "Connections": list_of("connections", "Connection"),
        "CreatedConnection": object(json!({"id": {"type": S, "format": "uuid"}, "redirect_uri": s()})),
        "Link": object(json!({"authorization_url": s()})),
        "Account": object(json!({
            "id": {"type": S, "format": "uuid"}, "login": s(), "allegro_user_id": s(),
            "status": {"type": S, "enum": ["active", "needs_relogin", "disconnected"]},
            "status_reason": s_or_null(), "connection_id": {"type": S, "format": "uuid"},
            "scopes": {"type": "array", "items": s()}, "at_risk": {"type": "boolean"},
            "last_refresh_at": {"type": [S, "null"], "format": "date-time"},
            "last_sync_at": {"type": [S, "null"], "format": "date-time"},
            "linked_at": {"type": S, "format": "date-time"},
        })),
        "Accounts": list_of("accounts", "Account"),
        "Order": object_with_optional(
            json!({
                "id": s(), "account_id": s(), "status": s(), "fulfillment_status": s_or_null(),
                "marketplace": s_or_null(), "buyer_login": s(),
                "bought_at": {"type": S, "format": "date-time", "description": "RFC 3339 with Poland's offset"},
                "revision": s_or_null(), "total": s_or_null(), "currency": s(),
            }),
            json!({"checkout_form": {"type": "object", "description": "Allegro's checkout form as stored (one order's answer only)"}}),
        ),
        "OrderPage": page_of("orders", "Order"),
        "Import": object(json!({
            "id": s(), "account_id": s(), "kind": {"type": S, "enum": ["allegro", "csv", "xml"]},
            "file_name": s_or_null(),
            "from": {"type": [S, "null"], "format": "date"}, "to": {"type": [S, "null"], "format": "date"},
            "state": {"type": S, "enum": ["queued", "running", "done", "failed"]},
            "expected": {"type": ["integer", "null"]}, "fetched": int(),
            "new": int(), "updated": int(), "unchanged": int(), "api_calls": int(),
            "error": {"type": [S, "null"], "description": "why it failed, in the request's language"},
            "created_at": {"type": S, "format": "date-time"}, "updated_at": {"type": S, "format": "date-time"},
        })),
        "Imports": list_of("imports", "Import"),
        "InvoicingProfile": object(json!({
            "name": s(), "nip": s_or_null(), "address_line1": s(), "address_line2": s(), "country": s(),
            "bank_account": s_or_null(), "place_of_issue": s(), "payment_days": int(), "exemption_basis": s_or_null(),
            "krs": s_or_null(), "regon": s_or_null(), "bdo": s_or_null(),
            "intra_eu_supply": {"type": "boolean", "description": "0 % WDT to businesses in other member states whose VAT-EU number Allegro verified (the seller is registered for VAT-UE)"},
            "oss": {"type": "boolean", "description": "consumers in other member states are charged their country's VAT in the OSS procedure; otherwise Polish VAT"},
        })),
        "KsefSettings": object(json!({
            "environment": {"type": S, "enum": ["test", "demo", "production", "custom"]}, "api_url": s_or_null(),
            "token_set": {"type": "boolean", "description": "the token is never answered, only whether it is set"},
            "token_hint": {"type": [S, "null"], "description": "the token's reference and NIP, the secret masked"},
            "send_consumer": {"type": "boolean"}, "send_from": s_or_null(),
            "checked": {"oneOf": [{"type": "null"}, {"$ref": "#/components/schemas/KsefCheck"}]},
            "token_problem": {"type": [S, "null"], "description": "why KSeF refuses the token, in the request's language"},
            "offline24": {"type": "boolean", "description": "invoices are issued in offline24 mode (art. 106nda) and reach KSeF by the next business day"},
            "failure_announced": {"type": "boolean", "description": "a KSeF failure announced by the Ministry is declared: invoices are issued in the failure mode (art. 106nf) and reach KSeF within 7 business days after it is switched off"},
            "failure_since": {"type": [S, "null"], "format": "date-time"},
            "offline_certificate": {"oneOf": [{"type": "null"}, {"$ref": "#/components/schemas/KsefOfflineCertificate"}]},
            "unreachable_since": {"type": [S, "null"], "format": "date-time", "description": "since when KSeF has not answered"},
        })),
        "KsefOfflineCertificate": object(json!({
            "serial": {"type": S, "description": "16 hex digits, as KOD II carries it"},
            "valid_until": {"type": S, "format": "date"},
        })),
        "KsefOffline": object(json!({
            "mode": {"type": S, "enum": ["offline24", "unavailable", "failure"]},
            "deadline": {"type": [S, "null"], "format": "date", "description": "the last day (Polish) the invoice may reach KSeF; null while KSeF's unavailability lasts (then the next business day after it ends)"},
            "certificate_code": {"type": "boolean", "description": "the PDF carries KOD II, signed with the Offline certificate"},
        })),
        "KsefResend": object(json!({"state": {"type": S, "enum": ["waiting"]}})),
        "KsefCheck": object(json!({"nip": s(), "permissions": {"type": "array", "items": s()}, "checked_at": {"type": S, "format": "date-time"}})),
        "Invoice": object_with_optional(invoice_properties(), invoice_ksef()),
        "InvoiceDetail": object_with_optional(invoice_detail, invoice_ksef()),
        "InvoicePage": page_of("invoices", "Invoice"),
        "Shipment": object(json!({
            "id": s(), "order_id": s(), "carrier_id": s(), "carrier_name": s_or_null(), "waybill": s(),
            "line_items": {"type": "array", "items": s()}, "created_at_ms": int(),
            "allegro": object(json!({
                "state": {"type": S, "enum": ["pending", "pushed", "refused", "not_applicable"]},
                "shipment_id": s_or_null(), "pushed_at_ms": {"type": ["integer", "null"]}, "attempts": int(),
                "error": {"oneOf": [{"type": "null"}, object(json!({"code": s(), "message": s()}))]},
            })),
        })),
        "Shipments": list_of("shipments", "Shipment"),
        "Carriers": object(json!({"carriers": {"type": "array", "items": object(json!({"id": s(), "name": s_or_null()}))}})),
        "Product": object(json!({
            "id": s(), "sku": s(), "name": s(),
            "stock": {"type": "array", "items": object(json!({"warehouse_id": s(), "quantity": int()}))},
            "offers": {"type": "array", "items": s()},
        })),
        "Products": list_of("products", "Product"),
        "ProductSync": object(json!({"offers": int(), "new_products": int(), "without_sku": int()})),
        "StockChanged": object(json!({"product_id": s(), "quantity": int()})),
        "Warehouse": object(json!({"id": s(), "name": s()})),
        "Warehouses": list_of("warehouses", "Warehouse"),
        "Movement": object(json!({
            "id": s(), "warehouse_id": s(), "product_id": s(), "delta": int(),
            "reason": {"type": S, "enum": ["receipt", "adjustment", "wz", "wz_cancelled"]},
            "document_id": s_or_null(), "note": s_or_null(), "at_ms": int(),
        })),
        "Movements": list_of("movements", "Movement"),
        "WarehouseDocument": object(json!({
            "id": s(), "kind": s(), "number": s(), "order_id": s(), "warehouse_id": s(),
            "state": {"type": S, "enum": ["issued", "cancelled"]},
            "issued_at_ms": int(), "cancelled_at_ms": {"type": ["integer", "null"]},
            "lines": {"type": "array", "items": object(json!({"product_id": s(), "sku": s(), "name": s(), "quantity": int()}))},
        })),
        "WarehouseDocuments": list_of("documents", "WarehouseDocument"),
        "WarehouseSettings": object(json!({"wz_trigger": s_or_null(), "warehouse_id": s_or_null()})),
    });
    let _: &Map<String, Value> = all.as_object().expect("an object");
    all
}
