//! The JSON API `/api/v1` (bearer API key), described by `/api/v1/openapi.json`.

use axum::extract::rejection::JsonRejection;
use axum::routing::get;
use axum::{Json, Router};
use serde_json::{Value, json};

use crate::WebState;
use crate::error::ApiError;

mod schemas;

/// What each operation answers with JSON: (path, method, status, schema of
/// `components.schemas`). Every other answer has no body, or is a file (PDF, XML).
const ANSWERS: &[(&str, &str, &str, &str)] = &[
    ("/api/v1/connections", "get", "200", "Connections"),
    ("/api/v1/connections", "post", "201", "CreatedConnection"),
    ("/api/v1/connections/{id}/link", "post", "200", "Link"),
    ("/api/v1/accounts", "get", "200", "Accounts"),
    ("/api/v1/accounts/{id}/settings", "get", "200", "Settings"),
    ("/api/v1/orders", "get", "200", "OrderPage"),
    ("/api/v1/orders/{id}", "get", "200", "Order"),
    ("/api/v1/orders/{id}/fulfillment", "put", "200", "Order"),
    ("/api/v1/accounts/{id}/imports", "post", "202", "Import"),
    ("/api/v1/imports", "get", "200", "Imports"),
    ("/api/v1/imports/{id}", "get", "200", "Import"),
    ("/api/v1/imports/file", "post", "201", "Import"),
    ("/api/v1/invoicing-profile", "get", "200", "InvoicingProfile"),
    ("/api/v1/ksef", "get", "200", "KsefSettings"),
    ("/api/v1/ksef", "put", "200", "KsefSettings"),
    ("/api/v1/ksef/check", "post", "200", "KsefCheck"),
    ("/api/v1/ksef/offline-certificate", "put", "200", "KsefSettings"),
    ("/api/v1/ksef/offline-certificate", "delete", "200", "KsefSettings"),
    ("/api/v1/invoices/{id}/ksef/resend", "post", "202", "KsefResend"),
    ("/api/v1/orders/{id}/invoice", "post", "201", "Invoice"),
    ("/api/v1/orders/{id}/invoice", "post", "200", "Invoice"),
    ("/api/v1/orders/{id}/correction", "post", "201", "Invoice"),
    ("/api/v1/orders/{id}/correction", "post", "200", "Invoice"),
    ("/api/v1/invoices", "get", "200", "InvoicePage"),
    ("/api/v1/invoices/{id}", "get", "200", "InvoiceDetail"),
    ("/api/v1/invoices/{id}/resend", "post", "202", "Invoice"),
    ("/api/v1/orders/{id}/shipments", "get", "200", "Shipments"),
    ("/api/v1/orders/{id}/shipments", "post", "201", "Shipment"),
    ("/api/v1/orders/{id}/shipments", "post", "200", "Shipment"),
    ("/api/v1/carriers", "get", "200", "Carriers"),
    ("/api/v1/products", "get", "200", "Products"),
    ("/api/v1/products/sync", "post", "200", "ProductSync"),
    ("/api/v1/products/{id}/stock", "post", "200", "StockChanged"),
    ("/api/v1/warehouses", "get", "200", "Warehouses"),
    ("/api/v1/warehouses", "post", "201", "Warehouse"),
    ("/api/v1/stock-movements", "get", "200", "Movements"),
    ("/api/v1/warehouse-documents", "get", "200", "WarehouseDocuments"),
    ("/api/v1/warehouse-settings", "get", "200", "WarehouseSettings"),
    ("/api/v1/orders/{id}/wz", "get", "200", "WarehouseDocument"),
    ("/api/v1/orders/{id}/wz", "post", "201", "WarehouseDocument"),
    ("/api/v1/orders/{id}/wz", "post", "200", "WarehouseDocument"),
];

/// The route of the OpenAPI document (the aggregates' modules hold the API's other routes).
pub(crate) fn router() -> Router<WebState> {
    Router::new().route("/api/v1/openapi.json", get(openapi))
}

pub(crate) fn body<T>(payload: Result<Json<T>, JsonRejection>) -> Result<T, ApiError> {
    payload
        .map(|Json(v)| v)
        .map_err(|e| ApiError::BadRequest(e.body_text()))
}

pub(crate) fn id<T: std::str::FromStr>(raw: &str) -> Result<T, ApiError> {
    raw.parse().map_err(|_| ApiError::App(app::AppError::NotFound))
}

async fn openapi() -> Json<Value> {
    Json(document())
}

fn op(summary: &str, ok: &str, body: Option<Value>) -> Value {
    let mut o = json!({
        "summary": summary,
        "security": [{"apiKey": []}],
        "responses": {
            ok: {"description": "success"},
            "401": {"description": "no or wrong API key", "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}},
            "404": {"description": "not found in your organisation", "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}},
            "422": {"description": "invalid input; `field` names it", "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}},
        }
    });
    if let Some(schema) = body {
        o["requestBody"] = json!({"required": true, "content": {"application/json": {"schema": schema}}});
    }
    o
}

/// `o` with a request body that may be left out.
fn optional_body(mut o: Value, schema: Value) -> Value {
    o["requestBody"] = json!({"required": false, "content": {"application/json": {"schema": schema}}});
    o
}

/// The OpenAPI 3.1 document of `/api/v1`: the operations, each answer's schema
/// ([`ANSWERS`], `schemas.rs`) and the problems every error answers with.
pub fn document() -> Value {
    let mut doc = operations();
    for (path, method, status, schema) in ANSWERS {
        let response = &mut doc["paths"][*path][*method]["responses"][*status];
        let description = response["description"].as_str().unwrap_or("success").to_owned();
        *response = json!({
            "description": description,
            "content": {"application/json": {"schema": {"$ref": format!("#/components/schemas/{schema}")}}},
        });
    }
    doc
}

fn operations() -> Value {
    let id_param =
        json!([{"name": "id", "in": "path", "required": true, "schema": {"type": "string", "format": "uuid"}}]);
    let settings = json!({
        "type": "object",
        "required": ["enabled", "vat_goods", "vat_delivery", "invoice_trigger", "invoice_series"],
        "properties": {
            "enabled": {"type": "boolean", "description": "„Włącz”: the integration acts on this account"},
            "vat_goods": {"type": "string", "enum": ["23", "8", "5", "0", "zw", "np"]},
            "vat_delivery": {"type": "string", "enum": ["23", "8", "5", "0", "zw", "np"]},
            "invoice_trigger": {"type": "string", "enum": ["READY_FOR_PROCESSING", "PROCESSING", "READY_FOR_SHIPMENT", "SENT", "PICKED_UP"]},
            "invoice_series": {"type": "string", "example": "FV/{n}/{MM}/{YYYY}"},
            "invoice_every_order": {"type": "boolean", "default": false, "description": "invoice every order, not only those whose buyer asked"},
            "delivery_follows_goods": {"type": "boolean", "default": false, "description": "tax delivery at the goods' rate (split for mixed rates) instead of vat_delivery"},
            "sent_on_waybill": {"type": "boolean", "default": false, "description": "set the order's fulfilment to SENT on Allegro once a waybill is on it"},
            "cod_sale_when_sent": {"type": "boolean", "default": false, "description": "a cash-on-delivery sale happens when the parcel is sent, not when the buyer picks it up (the invoice's sale date, and when its automatic invoice is issued)"}
        }
    });
    json!({
        "openapi": "3.1.0",
        "info": {"title": "allegro-bridge API", "version": "1", "description": "Linked Allegro accounts and their connections. Authenticate with `Authorization: Bearer <API key>` (`allegro-bridge api-keys create`). Every call sees only its organisation."},
        "servers": [{"url": "/"}],
        "components": {
            "securitySchemes": {"apiKey": {"type": "http", "scheme": "bearer"}},
            "schemas": schemas::schemas(settings),
        },
        "paths": {
            "/api/v1/connections": {
                "get": op("List connections", "200", None),
                "post": op("Create a connection; answers its id and the redirect URI to register in Allegro's portal", "201", Some(json!({
                    "type": "object", "required": ["mode"],
                    "properties": {"mode": {"type": "string", "enum": ["own_app", "service_app"]}, "environment": {"type": "string", "enum": ["production", "sandbox", "custom"]}, "auth_url": {"type": "string"}, "api_url": {"type": "string"}}
                }))),
            },
            "/api/v1/connections/{id}/credentials": {
                "parameters": id_param,
                "put": op("Set an own app's Client ID and Client Secret (stored encrypted)", "204", Some(json!({"type": "object", "required": ["client_id", "client_secret"], "properties": {"client_id": {"type": "string"}, "client_secret": {"type": "string", "writeOnly": true}}}))),
            },
            "/api/v1/connections/{id}/link": {
                "parameters": id_param,
                "post": op("Start linking: answers the authorization_url to open in a browser", "200", None),
            },
            "/api/v1/accounts": {"get": op("List linked accounts (status active | needs_relogin | disconnected)", "200", None)},
            "/api/v1/accounts/{id}": {"parameters": id_param, "delete": op("Disconnect an account (tokens dropped, history kept)", "204", None)},
            "/api/v1/orders": {
                "get": {
                    "summary": "Orders (synced, imported from Allegro or from files) with the UI's filters and sorts, and the number matching",
                    "security": [{"apiKey": []}],
                    "parameters": [
                        {"name": "account", "in": "query", "schema": {"type": "string", "format": "uuid"}},
                        {"name": "status", "in": "query", "schema": {"type": "string", "enum": ["BOUGHT", "FILLED_IN", "READY_FOR_PROCESSING", "CANCELLED"]}},
                        {"name": "fulfillment_status", "in": "query", "schema": {"type": "string"}},
                        {"name": "marketplace", "in": "query", "schema": {"type": "string", "example": "allegro-pl"}},
                        {"name": "buyer", "in": "query", "schema": {"type": "string"}},
                        {"name": "from", "in": "query", "description": "bought on or after (YYYY-MM-DD, a Polish calendar day)", "schema": {"type": "string", "format": "date"}},
                        {"name": "to", "in": "query", "description": "bought on or before (YYYY-MM-DD, a Polish calendar day)", "schema": {"type": "string", "format": "date"}},
                        {"name": "invoice", "in": "query", "description": "yes: the buyer asked for an invoice; no: did not", "schema": {"type": "string", "enum": ["yes", "no"]}},
                        {"name": "sort", "in": "query", "schema": {"type": "string", "enum": ["bought_desc", "bought_asc", "total_desc", "total_asc", "buyer_asc"], "default": "bought_desc"}},
                        {"name": "offset", "in": "query", "schema": {"type": "integer", "minimum": 0, "default": 0}},
                        {"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 200, "default": 50}}
                    ],
                    "responses": {"200": {"description": "orders, total, offset, limit"}, "401": {"description": "no or wrong API key"}, "422": {"description": "invalid filter; `field` names it"}}
                }
            },
            "/api/v1/orders/{id}": {"parameters": [{"name": "id", "in": "path", "required": true, "schema": {"type": "string"}}], "get": op("One order with Allegro's checkout form", "200", None)},
            "/api/v1/accounts/{id}/imports": {
                "parameters": id_param,
                "post": op("Import the account's orders bought from–to (YYYY-MM-DD, both inclusive, at most 12 months back) from Allegro; a worker runs it. Answers the import (202, Location: /api/v1/imports/{id}); asking again for the same range while it runs answers the same import", "202", Some(json!({"type": "object", "required": ["from", "to"], "properties": {"from": {"type": "string", "format": "date"}, "to": {"type": "string", "format": "date"}}}))),
            },
            "/api/v1/imports": {"get": op("The latest imports, newest first", "200", None)},
            "/api/v1/ksef": {
                "get": op("The organisation's KSeF settings; the token is never answered, only whether it is set and its hint", "200", None),
                "put": op("Save the KSeF settings; a token must be for the invoicing profile's NIP (422 names both); leaving `token` out keeps the stored one", "200", Some(json!({"type": "object", "required": ["environment"], "additionalProperties": false, "properties": {
                    "environment": {"type": "string", "enum": ["test", "demo", "production", "custom"]},
                    "api_url": {"type": ["string", "null"], "description": "the API's base URL of a custom environment, where the operator allows custom URLs"},
                    "token": {"type": ["string", "null"], "description": "a KSeF token; write-only"},
                    "send_consumer": {"type": "boolean", "default": false, "description": "send consumer invoices too"},
                    "send_from": {"type": ["string", "null"], "format": "date", "description": "send invoices issued from this day; today when left out"},
                    "offline24": {"type": "boolean", "default": false, "description": "issue in offline24 mode: invoices reach the buyer at once and KSeF by the next business day"},
                    "failure_announced": {"type": "boolean", "default": false, "description": "the Ministry announced a KSeF failure: issue in the failure mode; switching it off ends the failure and sets the invoices' deadline (7 business days)"},
                }}))),
            },
            "/api/v1/ksef/offline-certificate": {
                "put": op("Save the KSeF Offline certificate (PEM) and its private key (PKCS#8 PEM, RSA ≥ 2048 or EC P-256) for KOD II on offline invoices; the key is sealed and never answered; 422 when the key is not the certificate's or the certificate expired", "200", Some(json!({"type": "object", "required": ["certificate", "private_key"], "additionalProperties": false, "properties": {
                    "certificate": {"type": "string", "description": "-----BEGIN CERTIFICATE-----…"},
                    "private_key": {"type": "string", "description": "-----BEGIN PRIVATE KEY-----…; write-only"},
                }}))),
                "delete": op("Forget the Offline certificate (offline invoices then carry KOD I only)", "200", None),
            },
            "/api/v1/ksef/check": {
                "post": op("Log into KSeF with the token and read its context NIP and permissions; 422 when it is for another NIP or lacks InvoiceWrite, 409 when KSeF refuses it or does not answer", "200", None),
            },
            "/api/v1/invoicing-profile": {
                "get": op("The seller's invoicing profile (404 until saved)", "200", None),
                "put": op("Save the invoicing profile; the NIP's check digit is verified", "204", Some(json!({"type": "object", "required": ["name", "nip", "address_line1", "address_line2"], "properties": {"name": {"type": "string"}, "nip": {"type": "string", "example": "526-025-09-95"}, "address_line1": {"type": "string"}, "address_line2": {"type": "string", "example": "00-001 Warszawa"}, "country": {"type": "string", "default": "PL"}, "bank_account": {"type": ["string", "null"], "description": "NRB, 26 digits"}, "place_of_issue": {"type": "string"}, "payment_days": {"type": "integer", "default": 14}, "exemption_basis": {"type": ["string", "null"], "description": "legal basis printed for exempt (zw) lines"}, "krs": {"type": ["string", "null"]}, "regon": {"type": ["string", "null"]}, "bdo": {"type": ["string", "null"]}, "intra_eu_supply": {"type": "boolean", "default": false, "description": "0 % WDT to EU businesses whose VAT-EU number Allegro verified"}, "oss": {"type": "boolean", "default": false, "description": "EU consumers pay their country's VAT in OSS"}}}))),
            },
            "/api/v1/orders/{id}/invoice": {
                "parameters": [{"name": "id", "in": "path", "required": true, "schema": {"type": "string"}}],
                "post": optional_body(
                    op("Issue the order's VAT invoice with the next number of the account's series (201), or answer the one it already has (200); exactly one per order", "201", None),
                    json!({"type": "object", "properties": {
                        "to_receipt": {"type": "boolean", "default": false, "description": "the sale is already on a cash register receipt: an invoice to the receipt (FP, art. 109 ust. 3d)"},
                        "receipt_has_buyer_nip": {"type": "boolean", "default": false, "description": "the receipt shows the buyer's NIP; required for a business buyer (art. 106b ust. 5), else 422"},
                    }}),
                ),
            },
            "/api/v1/orders/{id}/correction": {
                "parameters": [{"name": "id", "in": "path", "required": true, "schema": {"type": "string"}}],
                "post": op("Issue the correction (KOR) of a cancelled or returned order's invoice (201), or answer the one it has (200); 422 when the order is neither or has no invoice", "201", None),
            },
            "/api/v1/invoices": {
                "get": {
                    "summary": "Issued invoices, newest first, filtered; 422 names a wrong parameter",
                    "security": [{"apiKey": []}],
                    "parameters": [
                        {"name": "number", "in": "query", "description": "part of the number", "schema": {"type": "string"}},
                        {"name": "buyer", "in": "query", "description": "part of the buyer's name", "schema": {"type": "string"}},
                        {"name": "kind", "in": "query", "schema": {"type": "string", "enum": ["vat", "correction"]}},
                        {"name": "from", "in": "query", "description": "issued on or after", "schema": {"type": "string", "format": "date"}},
                        {"name": "to", "in": "query", "description": "issued on or before", "schema": {"type": "string", "format": "date"}},
                        {"name": "allegro", "in": "query", "description": "where sending the PDF to the Allegro order stands", "schema": {"type": "string", "enum": ["pending", "uploaded", "refused", "not_applicable"]}},
                        {"name": "offset", "in": "query", "schema": {"type": "integer", "minimum": 0, "default": 0}},
                        {"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 200, "default": 50}}
                    ],
                    "responses": {"200": {"description": "invoices, total, offset, limit"}, "401": {"description": "no or wrong API key"}}
                }
            },
            "/api/v1/invoices/{id}": {"parameters": id_param, "get": op("One invoice: number, buyer, lines, totals per rate, amount in words", "200", None)},
            "/api/v1/invoices/{id}/xml": {"parameters": id_param, "get": op("The invoice as KSeF FA(3) XML (valid against schemat_FA(3)_v1-0E)", "200", None)},
            "/api/v1/invoices/{id}/resend": {"parameters": id_param, "post": op("Send the invoice to its Allegro order again (refused or waiting); 409 when it is already there or the order came from a file", "202", None)},
            "/api/v1/invoices/{id}/ksef/resend": {"parameters": id_param, "post": op("\"Wyślij ponownie do KSeF\": an invoice KSeF refused keeps its number; its seller data is taken anew from the invoicing profile and its buyer from the order, and it is sent again (202); 409 unless KSeF refused it", "202", None)},
            "/api/v1/invoices/{id}/upo": {"parameters": id_param, "get": {
                "summary": "The invoice's UPO (KSeF's receipt, XML), once KSeF gave it its number",
                "security": [{"apiKey": []}],
                "responses": {"200": {"description": "application/xml"}, "404": {"description": "no such invoice, or no UPO yet"}}}},
            "/api/v1/invoices/{id}/pdf": {"parameters": id_param, "get": {
                "summary": "The invoice as A4 PDF with the KSeF KOD I QR code",
                "parameters": [{"name": "lang", "in": "query", "description": "pl (default) or en", "schema": {"type": "string", "enum": ["pl", "en"]}}],
                "responses": {"200": {"description": "application/pdf"}, "422": {"description": "unknown language"}, "404": {"description": "no such invoice"}}}},
            "/api/v1/orders/{id}/shipments": {
                "parameters": [{"name": "id", "in": "path", "required": true, "schema": {"type": "string"}}],
                "get": op("The order's waybills, each with where its push to Allegro stands (allegro.state: pending | pushed | refused | not_applicable; allegro.error.code says why in a stable word)", "200", None),
                "post": op("Add a waybill: {carrier_id, waybill, carrier_name (only for OTHER), line_items? (Allegro line item ids; absent: the whole order)}. 201 added and queued for Allegro, 200 when the order already has this carrier's number, 422 names the wrong field (a carrier Allegro does not list, more than 64 characters, a line item of another order)", "201", None),
            },
            "/api/v1/orders/{id}/fulfillment": {
                "parameters": [{"name": "id", "in": "path", "required": true, "schema": {"type": "string"}}],
                "put": op("Set the order's fulfilment status on Allegro: {status: NEW | PROCESSING | READY_FOR_SHIPMENT | READY_FOR_PICKUP | SENT | PICKED_UP | CANCELLED | SUSPENDED}, sent with the order's revision; when Allegro says it is outdated the order is read again and the change tried once more. Answers the order as Allegro now has it; 409 when Allegro refuses (e.g. its limit of changes per order) or the account is not connected", "200", None),
            },
            "/api/v1/products": {"get": op("Products (one per SKU, the offers' external.id) with their stock per warehouse and the offers that sell them", "200", None)},
            "/api/v1/warehouses": {
                "get": op("The organisation's warehouses (the first one, \"Magazyn główny\", is made when needed)", "200", None),
                "post": op("Add a warehouse: {name} (1–60 characters, unique); 422 names a taken or empty name", "201", None),
            },
            "/api/v1/products/sync": {"post": op("Read every offer of the connected accounts from Allegro and keep a product per SKU: {offers, new_products, without_sku}", "200", None)},
            "/api/v1/products/{id}/stock": {"parameters": id_param, "post": op("Receive goods (quantity > 0) or count them out (< 0): {quantity, note?, warehouse_id? (default: the issuing warehouse)}; answers the new stock there", "200", None)},
            "/api/v1/stock-movements": {"get": op("The latest 500 stock movements: receipt, adjustment, wz (goods issued for an order), wz_cancelled (given back)", "200", None)},
            "/api/v1/warehouse-documents": {"get": op("Goods-issue documents (WZ/n/YYYY), newest first, with their lines and state (issued | cancelled)", "200", None)},
            "/api/v1/warehouse-settings": {
                "get": op("When WZs are issued: wz_trigger (a fulfilment status, or null: only by hand)", "200", None),
                "put": op("Set wz_trigger (PROCESSING, READY_FOR_SHIPMENT, READY_FOR_PICKUP, SENT, PICKED_UP or null) and, optionally, warehouse_id: the warehouse WZs take goods from", "204", None),
            },
            "/api/v1/orders/{id}/wz": {
                "parameters": [{"name": "id", "in": "path", "required": true, "schema": {"type": "string"}}],
                "get": op("The order's WZ", "200", None),
                "post": op("Issue the order's WZ now (201), or answer the one it has (200); 422 names a line whose offer is not a product yet", "201", None),
            },
            "/api/v1/orders/{id}/wz/pdf": {
                "parameters": [{"name": "id", "in": "path", "required": true, "schema": {"type": "string"}}],
                "get": {"summary": "The order's WZ as an A4 PDF", "security": [{"apiKey": []}], "responses": {"200": {"description": "application/pdf"}, "404": {"description": "no such order, or no WZ yet"}}},
            },
            "/api/v1/shipments/{id}/resend": {"parameters": id_param, "post": op("Send a refused or waiting waybill to Allegro again (202); 409 when it is already there or its order came from a file", "202", None)},
            "/api/v1/carriers": {"get": op("Allegro's carriers (GET /order/carriers, read through a connected account and kept for an hour)", "200", None)},
            "/api/v1/imports/{id}": {"parameters": id_param, "get": op("An import: state (queued | running | done | failed), expected, fetched, and new / updated / unchanged counts", "200", None)},
            "/api/v1/imports/file": {
                "post": {
                    "summary": "Import orders from a CSV or XML file (layout: docs/IMPORT.md, schema: docs/orders-import.xsd) into a linked account. The whole file is checked first; a file with any problem stores nothing and answers 422 with `errors` [{line, column, field, message}]. Orders already held from Allegro are not duplicated (counted unchanged).",
                    "security": [{"apiKey": []}],
                    "parameters": [
                        {"name": "account", "in": "query", "required": true, "schema": {"type": "string", "format": "uuid"}},
                        {"name": "name", "in": "query", "description": "the file's name, used in messages and to tell .csv from .xml", "schema": {"type": "string"}},
                        {"name": "encoding", "in": "query", "description": "auto (UTF-8, else Windows-1250), utf-8 or windows-1250; a charset in Content-Type is used too", "schema": {"type": "string", "enum": ["auto", "utf-8", "windows-1250"]}}
                    ],
                    "requestBody": {"required": true, "content": {"text/csv": {"schema": {"type": "string", "format": "binary"}}, "application/xml": {"schema": {"type": "string", "format": "binary"}}}},
                    "responses": {"201": {"description": "the import with its counts"}, "401": {"description": "no or wrong API key"}, "404": {"description": "no such account in your organisation"}, "413": {"description": "over 64 MiB"}, "422": {"description": "the file's problems, each with line and column"}}
                }
            },
            "/api/v1/accounts/{id}/settings": {
                "parameters": id_param,
                "get": op("An account's settings", "200", None),
                "put": op("Replace an account's settings", "204", Some(json!({"$ref": "#/components/schemas/Settings"}))),
            }
        }
    })
}

#[cfg(test)]
mod tests {
    /// Every route of the API, as (method, path): the OpenAPI document is checked against it.
    pub const ROUTES: &[(&str, &str)] = &[
        ("get", "/api/v1/connections"),
        ("post", "/api/v1/connections"),
        ("put", "/api/v1/connections/{id}/credentials"),
        ("post", "/api/v1/connections/{id}/link"),
        ("get", "/api/v1/accounts"),
        ("delete", "/api/v1/accounts/{id}"),
        ("get", "/api/v1/accounts/{id}/settings"),
        ("put", "/api/v1/accounts/{id}/settings"),
        ("get", "/api/v1/orders"),
        ("get", "/api/v1/orders/{id}"),
        ("post", "/api/v1/accounts/{id}/imports"),
        ("get", "/api/v1/imports"),
        ("get", "/api/v1/imports/{id}"),
        ("post", "/api/v1/imports/file"),
        ("get", "/api/v1/invoicing-profile"),
        ("put", "/api/v1/invoicing-profile"),
        ("post", "/api/v1/orders/{id}/invoice"),
        ("post", "/api/v1/orders/{id}/correction"),
        ("get", "/api/v1/invoices"),
        ("get", "/api/v1/invoices/{id}"),
        ("get", "/api/v1/invoices/{id}/xml"),
        ("get", "/api/v1/invoices/{id}/pdf"),
        ("get", "/api/v1/invoices/{id}/upo"),
        ("post", "/api/v1/invoices/{id}/resend"),
        ("get", "/api/v1/ksef"),
        ("put", "/api/v1/ksef"),
        ("post", "/api/v1/ksef/check"),
        ("put", "/api/v1/ksef/offline-certificate"),
        ("delete", "/api/v1/ksef/offline-certificate"),
        ("post", "/api/v1/invoices/{id}/ksef/resend"),
        ("get", "/api/v1/orders/{id}/shipments"),
        ("post", "/api/v1/orders/{id}/shipments"),
        ("post", "/api/v1/shipments/{id}/resend"),
        ("put", "/api/v1/orders/{id}/fulfillment"),
        ("get", "/api/v1/products"),
        ("get", "/api/v1/warehouses"),
        ("post", "/api/v1/warehouses"),
        ("post", "/api/v1/products/sync"),
        ("post", "/api/v1/products/{id}/stock"),
        ("get", "/api/v1/stock-movements"),
        ("get", "/api/v1/warehouse-documents"),
        ("get", "/api/v1/warehouse-settings"),
        ("put", "/api/v1/warehouse-settings"),
        ("get", "/api/v1/orders/{id}/wz"),
        ("post", "/api/v1/orders/{id}/wz"),
        ("get", "/api/v1/orders/{id}/wz/pdf"),
        ("get", "/api/v1/carriers"),
    ];

    /// Every answer in [`super::ANSWERS`] is an operation of the router, and every schema it
    /// names exists.
    #[test]
    fn every_answer_names_an_operation_and_a_schema() {
        let doc = super::document();
        for (path, method, status, schema) in super::ANSWERS {
            assert!(ROUTES.contains(&(*method, *path)), "{method} {path} is not a route");
            assert!(
                doc["components"]["schemas"][*schema].is_object(),
                "{method} {path} {status}: no schema {schema}"
            );
            assert!(
                doc["paths"][*path][*method]["responses"][*status]["content"]["application/json"]["schema"].is_object()
            );
        }
    }

    #[test]
    fn the_document_lists_every_route() {
        let doc = super::document();
        for (method, path) in ROUTES {
            assert!(
                doc["paths"][path][method].is_object(),
                "{method} {path} is not documented"
            );
        }
        let documented: usize = doc["paths"]
            .as_object()
            .unwrap()
            .values()
            .map(|p| p.as_object().unwrap().keys().filter(|k| *k != "parameters").count())
            .sum();
        assert_eq!(
            documented,
            ROUTES.len(),
            "the document has operations the router does not"
        );
    }
}
