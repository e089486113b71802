//! The REST API host: `/me`, `/order/*`, `/sale/*`, with Allegro's headers, errors,
//! paging limits, retention windows and rate limits (`research/allegro-api.md` §4–§9).

use std::sync::Arc;

use allegro_api_types::*;
use axum::Extension;
use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::{MatchedPath, Path, RawQuery, Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{MethodRouter, get, put};
use rand::Rng;

use crate::Emulator;
use crate::clock::DAY_MS;
use crate::faults::Throttle;
use crate::oauth::{Caller, Params, authenticate, client_id_of};
use crate::respond::{Lang, api_error, trace_id, vnd_json};
use crate::world::{INVOICE_SCAN_MS, InvoiceRecord, World};

mod invoices;
mod offers;
mod orders;
mod shipments;

use invoices::{add_invoice, invoices, upload_invoice_file};
use offers::{offers, product_offer};
use orders::{checkout_form, checkout_forms, event_stats, events, set_fulfillment};
use shipments::{add_shipment, carriers, shipments};

/// Allegro keeps the order journal for 60 days and orders for 365 (§8.1, §8.3).
const EVENT_RETENTION_MS: i64 = 60 * DAY_MS;
const ORDER_RETENTION_MS: i64 = 365 * DAY_MS;
const MAX_INVOICE_BYTES: usize = 3 * 1024 * 1024;

fn method_not_allowed() -> Response {
    api_error(
        StatusCode::METHOD_NOT_ALLOWED,
        "NotAllowedException",
        "The HTTP method is not allowed",
        None,
        Lang::En,
    )
}

fn r(router: MethodRouter<Arc<Emulator>>) -> MethodRouter<Arc<Emulator>> {
    router.fallback(|| async { method_not_allowed() })
}

pub fn router(emu: Arc<Emulator>) -> Router<Arc<Emulator>> {
    Router::new()
        .route("/me", r(get(me)))
        .route("/order/events", r(get(events)))
        .route("/order/event-stats", r(get(event_stats)))
        .route("/order/checkout-forms", r(get(checkout_forms)))
        .route("/order/checkout-forms/{id}", r(get(checkout_form)))
        .route("/order/checkout-forms/{id}/fulfillment", r(put(set_fulfillment)))
        .route(
            "/order/checkout-forms/{id}/shipments",
            r(get(shipments).post(add_shipment)),
        )
        .route("/order/carriers", r(get(carriers)))
        .route(
            "/order/checkout-forms/{id}/invoices",
            r(get(invoices).post(add_invoice)),
        )
        .route(
            "/order/checkout-forms/{id}/invoices/{invoice_id}/file",
            r(put(upload_invoice_file)),
        )
        .route("/sale/offers", r(get(offers)))
        .route("/sale/product-offers/{offer_id}", r(get(product_offer)))
        .route_layer(middleware::from_fn_with_state(emu, guard))
}

/// What each operation needs: a scope (None: any token, app or user) and whether it is
/// one of the 50 req/s resources (§5).
fn requirements(method: &Method, path: &str) -> (Option<&'static str>, bool) {
    match (method.as_str(), path) {
        ("GET", "/me") => (Some(scopes::PROFILE_READ), false),
        ("GET", "/order/carriers") => (None, true),
        (_, "/order/checkout-forms/{id}/shipments") => (
            Some(if method == Method::GET {
                scopes::ORDERS_READ
            } else {
                scopes::ORDERS_WRITE
            }),
            true,
        ),
        ("GET", p) if p.starts_with("/order/") => (Some(scopes::ORDERS_READ), false),
        (_, p) if p.starts_with("/order/") => (Some(scopes::ORDERS_WRITE), false),
        (_, p) if p.starts_with("/sale/") => (Some(scopes::SALE_OFFERS_READ), false),
        _ => (None, false),
    }
}

/// Every API request passes here: faults, authentication, `Accept`, scopes, rate limits,
/// statistics and the `trace-id` header.
async fn guard(State(emu): State<Arc<Emulator>>, request: Request, next: Next) -> Response {
    let mut response = guarded(&emu, request, next).await;
    response.headers_mut().insert("trace-id", trace_id());
    emu.traffic.lock().record_status(response.status().as_u16());
    response
}

async fn guarded(emu: &Arc<Emulator>, mut request: Request, next: Next) -> Response {
    let lang = Lang::from_headers(request.headers());
    let path = request
        .extensions()
        .get::<MatchedPath>()
        .map(|p| p.as_str().to_owned())
        .unwrap_or_default();
    let method = request.method().clone();
    let endpoint = format!("{method} {path}");
    let (scope, per_second) = requirements(&method, &path);
    let now = emu.now_ms();
    let settings = emu.settings.read().clone();
    let client_id = client_id_of(request.headers());
    if let Err(throttle) = emu
        .traffic
        .lock()
        .admit(client_id.as_deref(), &endpoint, per_second, now, &settings)
    {
        let message = match throttle {
            Throttle::Blocked => "Too many requests. The client is temporarily blocked.",
            Throttle::PerSecond => "Too many requests per second for this resource.",
        };
        return api_error(StatusCode::TOO_MANY_REQUESTS, "TooManyRequests", message, None, lang);
    }
    let faults = emu.faults.read().clone();
    if faults.latency_ms > 0 {
        tokio::time::sleep(std::time::Duration::from_millis(faults.latency_ms)).await;
    }
    let (inject_429, inject_5xx) = {
        let mut rng = rand::rng();
        (
            faults.rate_429 > 0.0 && rng.random_bool(faults.rate_429.min(1.0)),
            faults.rate_5xx > 0.0 && rng.random_bool(faults.rate_5xx.min(1.0)),
        )
    };
    if inject_429 {
        return api_error(
            StatusCode::TOO_MANY_REQUESTS,
            "TooManyRequests",
            "Too many requests",
            None,
            lang,
        );
    }
    if inject_5xx {
        let status = [
            StatusCode::INTERNAL_SERVER_ERROR,
            StatusCode::BAD_GATEWAY,
            StatusCode::SERVICE_UNAVAILABLE,
        ][rand::rng().random_range(0..3)];
        return api_error(status, "InternalServerError", "An error has occurred", None, lang);
    }
    // Resources are versioned by media type; GETs without it get 406 (§4.1).
    let accepts = request
        .headers()
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains(MEDIA_TYPE_V1));
    if method == Method::GET && !accepts {
        return api_error(
            StatusCode::NOT_ACCEPTABLE,
            "NotAcceptableException",
            "Not acceptable representation requested. Please check 'Accept' request header",
            None,
            lang,
        );
    }
    let caller = {
        let mut world = emu.world.write();
        world.run_due(now, &faults);
        match authenticate(&world, request.headers(), now) {
            Ok(c) => c,
            Err(response) => return response,
        }
    };
    if let Some(scope) = scope {
        if caller.seller.is_none() {
            return api_error(
                StatusCode::FORBIDDEN,
                "EMPTY_USER_ID",
                "User name from JWT cannot be empty",
                Some(&path),
                lang,
            );
        }
        if !caller.scopes.iter().any(|s| s == scope) {
            return api_error(StatusCode::FORBIDDEN, "AccessDenied", "Access is denied", None, lang);
        }
    }
    request.extensions_mut().insert(caller);
    request.extensions_mut().insert(lang);
    next.run(request).await
}

fn seller_of(caller: &Caller) -> usize {
    // The guard already refused user-scoped operations without a user.
    caller.seller.unwrap_or(usize::MAX)
}

async fn me(State(emu): State<Arc<Emulator>>, Extension(caller): Extension<Caller>) -> Response {
    let world = emu.world.read();
    let s = &world.sellers[seller_of(&caller)];
    vnd_json(
        StatusCode::OK,
        &MeResponse {
            id: Some(s.id.clone()),
            login: Some(s.login.clone()),
            first_name: Some(s.first_name.clone()),
            last_name: Some(s.last_name.clone()),
            email: Some(s.email.clone()),
            base_marketplace: Some(MarketplaceRef {
                id: Some("allegro-pl".into()),
            }),
            company: Some(Company {
                name: s.company.as_ref().map(|c| c.0.clone()),
                tax_id: s.company.as_ref().map(|c| c.1.clone()),
            }),
            features: Some(Vec::new()),
        },
    )
}

fn validation(message: &str, path: &str, lang: Lang) -> Response {
    api_error(
        StatusCode::UNPROCESSABLE_ENTITY,
        "VALIDATION_ERROR",
        message,
        Some(path),
        lang,
    )
}

fn bad_request(message: &str, path: &str, lang: Lang) -> Response {
    api_error(
        StatusCode::BAD_REQUEST,
        "IllegalArgumentException",
        message,
        Some(path),
        lang,
    )
}

fn int_param(
    params: &Params,
    name: &str,
    default: i64,
    min: i64,
    max: i64,
    path: &str,
    lang: Lang,
) -> Result<i64, Response> {
    match params.get(name) {
        None => Ok(default),
        Some(raw) => match raw.parse::<i64>() {
            Ok(v) if (min..=max).contains(&v) => Ok(v),
            Ok(_) => Err(validation(
                &format!("{name} must be between {min} and {max}"),
                path,
                lang,
            )),
            Err(_) => Err(bad_request(
                &format!("Invalid value {raw:?} for parameter {name}"),
                path,
                lang,
            )),
        },
    }
}

fn raw_json(status: StatusCode, body: impl Into<Body>) -> Response {
    (status, [(header::CONTENT_TYPE, MEDIA_TYPE_V1)], body.into()).into_response()
}

fn find_order(world: &World, caller: &Caller, id: &str, lang: Lang, path: &str) -> Result<usize, Response> {
    if uuid::Uuid::parse_str(id).is_err() {
        return Err(api_error(
            StatusCode::UNPROCESSABLE_ENTITY,
            "VALIDATION_ERROR",
            "Order id is malformed UUID",
            Some(path),
            lang,
        ));
    }
    match world.order_by_id.get(id) {
        Some(&idx) if Some(world.orders[idx].seller) == caller.seller => Ok(idx),
        _ => Err(api_error(
            StatusCode::NOT_FOUND,
            "CheckoutFormNotFoundException",
            format!("Checkout form {id} not found"),
            Some(path),
            lang,
        )),
    }
}

fn json_body<T: serde::de::DeserializeOwned>(
    headers: &HeaderMap,
    body: &[u8],
    lang: Lang,
    path: &str,
) -> Result<T, Response> {
    let ct = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    if !ct.starts_with(MEDIA_TYPE_V1) {
        return Err(api_error(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "UnsupportedMediaTypeException",
            format!("Content type '{ct}' not supported; use {MEDIA_TYPE_V1}"),
            None,
            lang,
        ));
    }
    serde_json::from_slice(body).map_err(|e| {
        api_error(
            StatusCode::BAD_REQUEST,
            "ERROR",
            format!("An error has occurred: {e}"),
            Some(path),
            lang,
        )
    })
}
