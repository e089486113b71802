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

async fn events(
    State(emu): State<Arc<Emulator>>,
    Extension(caller): Extension<Caller>,
    Extension(lang): Extension<Lang>,
    RawQuery(raw): RawQuery,
) -> Response {
    let params = Params::parse(raw.as_deref().unwrap_or_default());
    let path = "/order/events";
    let limit = or_respond!(int_param(&params, "limit", 100, 1, 1000, path, lang)) as usize;
    let from = match params.get("from") {
        None => 0,
        Some(raw) => match raw.parse::<u64>() {
            Ok(v) => v,
            Err(_) => return validation(&format!("Invalid event id {raw:?} in parameter from"), path, lang),
        },
    };
    let mut types = Vec::new();
    for t in params.all("type") {
        match t.parse::<OrderEventType>() {
            Ok(v) => types.push(v),
            Err(_) => return validation(&format!("Invalid event type {t:?}"), path, lang),
        }
    }
    let now = emu.now_ms();
    let world = emu.world.read();
    let journal = &world.sellers[seller_of(&caller)].events;
    let start = journal.partition_point(|e| e.id <= from);
    let seller = &world.sellers[seller_of(&caller)];
    let page: Vec<OrderEvent> = journal[start..]
        .iter()
        .filter(|e| now - e.occurred_at_ms <= EVENT_RETENTION_MS)
        .filter(|e| types.is_empty() || types.contains(&e.event_type))
        .take(limit)
        .map(|e| OrderEvent {
            id: e.id.to_string(),
            order: crate::world::event_data(seller, &world.orders[e.order].form(), e.revision.clone()),
            event_type: e.event_type,
            occurred_at: Instant::from_millis(e.occurred_at_ms),
        })
        .collect();
    drop(world);
    vnd_json(StatusCode::OK, &OrderEventsList { events: page })
}

async fn event_stats(State(emu): State<Arc<Emulator>>, Extension(caller): Extension<Caller>) -> Response {
    let now = emu.now_ms();
    let world = emu.world.read();
    let latest = world.sellers[seller_of(&caller)]
        .events
        .last()
        .filter(|e| now - e.occurred_at_ms <= EVENT_RETENTION_MS)
        .map(|e| LatestOrderEvent {
            id: e.id.to_string(),
            occurred_at: Instant::from_millis(e.occurred_at_ms),
        });
    vnd_json(StatusCode::OK, &OrderEventStats { latest_event: latest })
}

/// Filters of `GET /order/checkout-forms`, parsed.
#[derive(Default)]
struct OrderFilter {
    status: Option<CheckoutFormStatus>,
    fulfillment: Option<FulfillmentStatus>,
    provider: Option<FulfillmentProviderId>,
    sent: Option<LineItemsSent>,
    bought_gte: Option<i64>,
    bought_lte: Option<i64>,
    updated_gte: Option<i64>,
    updated_lte: Option<i64>,
    payment_id: Option<String>,
    surcharge_id: Option<String>,
    delivery_method: Option<String>,
    buyer_login: Option<String>,
    marketplace: Option<String>,
}

impl OrderFilter {
    fn parse(params: &Params, lang: Lang) -> Result<Self, Response> {
        let path = "/order/checkout-forms";
        fn enum_param<T: std::str::FromStr>(
            params: &Params,
            name: &str,
            path: &str,
            lang: Lang,
        ) -> Result<Option<T>, Response> {
            match params.get(name) {
                None => Ok(None),
                Some(v) => v
                    .parse::<T>()
                    .map(Some)
                    .map_err(|_| bad_request(&format!("Invalid value {v:?} for parameter {name}"), path, lang)),
            }
        }
        let time = |name: &str| -> Result<Option<i64>, Response> {
            match params.get(name) {
                None => Ok(None),
                Some(v) => v
                    .parse::<Instant>()
                    .map(|t| Some(t.as_millis()))
                    .map_err(|_| bad_request(&format!("Invalid date-time {v:?} for parameter {name}"), path, lang)),
            }
        };
        let text = |name: &str| params.get(name).map(str::to_owned);
        Ok(Self {
            status: enum_param(params, "status", path, lang)?,
            fulfillment: enum_param(params, "fulfillment.status", path, lang)?,
            provider: enum_param(params, "fulfillment.provider.id", path, lang)?,
            sent: enum_param(params, "fulfillment.shipmentSummary.lineItemsSent", path, lang)?,
            bought_gte: time("lineItems.boughtAt.gte")?,
            bought_lte: time("lineItems.boughtAt.lte")?,
            updated_gte: time("updatedAt.gte")?,
            updated_lte: time("updatedAt.lte")?,
            payment_id: text("payment.id"),
            surcharge_id: text("surcharges.id"),
            delivery_method: text("delivery.method.id"),
            buyer_login: text("buyer.login"),
            marketplace: text("marketplace.id"),
        })
    }

    /// True when only the purchase-date range is set (a fast path over the sorted list).
    fn only_bought_range(&self) -> bool {
        self.status.is_none()
            && self.fulfillment.is_none()
            && self.provider.is_none()
            && self.sent.is_none()
            && self.updated_gte.is_none()
            && self.updated_lte.is_none()
            && self.payment_id.is_none()
            && self.surcharge_id.is_none()
            && self.delivery_method.is_none()
            && self.buyer_login.is_none()
            && self.marketplace.is_none()
    }

    fn matches(&self, world: &World, idx: usize) -> bool {
        let o = &world.orders[idx];
        let k = &o.key;
        self.status.is_none_or(|s| k.status == Some(s))
            && self.fulfillment.is_none_or(|s| k.fulfillment == Some(s))
            && self.provider.is_none_or(|p| k.provider == Some(p))
            && self.sent.is_none_or(|s| k.sent == Some(s))
            && self.bought_gte.is_none_or(|t| o.bought_at_ms >= t)
            && self.bought_lte.is_none_or(|t| o.bought_at_ms <= t)
            && self.updated_gte.is_none_or(|t| o.updated_at_ms >= t)
            && self.updated_lte.is_none_or(|t| o.updated_at_ms <= t)
            && self
                .payment_id
                .as_ref()
                .is_none_or(|p| k.payment_id.as_ref() == Some(p))
            && self.surcharge_id.as_ref().is_none_or(|p| k.surcharge_ids.contains(p))
            && self
                .delivery_method
                .as_ref()
                .is_none_or(|m| k.delivery_method.as_ref() == Some(m))
            && self.buyer_login.as_ref().is_none_or(|l| &k.buyer_login == l)
            && self
                .marketplace
                .as_ref()
                .is_none_or(|m| k.marketplace.as_ref() == Some(m))
    }
}

async fn checkout_forms(
    State(emu): State<Arc<Emulator>>,
    Extension(caller): Extension<Caller>,
    Extension(lang): Extension<Lang>,
    RawQuery(raw): RawQuery,
) -> Response {
    let params = Params::parse(raw.as_deref().unwrap_or_default());
    let path = "/order/checkout-forms";
    let limit = or_respond!(int_param(&params, "limit", 100, 1, 100, path, lang)) as usize;
    let offset = or_respond!(int_param(&params, "offset", 0, 0, i64::from(i32::MAX), path, lang)) as usize;
    if offset + limit > 10_000 {
        return validation(
            "Offset and limit parameters exceed maximal result size of 10000 items",
            path,
            lang,
        );
    }
    let sort = params.get("sort").unwrap_or("-lineItems.boughtAt");
    if !["lineItems.boughtAt", "-lineItems.boughtAt", "updatedAt", "-updatedAt"].contains(&sort) {
        return bad_request(&format!("Invalid value {sort:?} for parameter sort"), path, lang);
    }
    let filter = or_respond!(OrderFilter::parse(&params, lang));
    let now = emu.now_ms();
    let world = emu.world.read();
    let list = &world.sellers[seller_of(&caller)].orders;
    let retained_from = now - ORDER_RETENTION_MS;
    let gte = filter.bought_gte.map_or(retained_from, |t| t.max(retained_from));
    // The seller's list is sorted newest purchase first: cut the date range by binary search.
    let lo = filter
        .bought_lte
        .map_or(0, |lte| list.partition_point(|&o| world.orders[o].bought_at_ms > lte));
    let hi = list.partition_point(|&o| world.orders[o].bought_at_ms >= gte);
    let window = &list[lo..hi.max(lo)];
    let (total, page): (usize, Vec<Arc<str>>) = if filter.only_bought_range() && sort == "-lineItems.boughtAt" {
        (
            window.len(),
            window
                .iter()
                .skip(offset)
                .take(limit)
                .map(|&o| world.orders[o].json())
                .collect(),
        )
    } else {
        let mut matching: Vec<usize> = window.iter().copied().filter(|&o| filter.matches(&world, o)).collect();
        match sort {
            "lineItems.boughtAt" => matching.reverse(),
            "updatedAt" => matching.sort_by_key(|&o| (world.orders[o].updated_at_ms, o)),
            "-updatedAt" => matching.sort_by_key(|&o| std::cmp::Reverse((world.orders[o].updated_at_ms, o))),
            _ => {}
        }
        (
            matching.len(),
            matching
                .iter()
                .skip(offset)
                .take(limit)
                .map(|&o| world.orders[o].json())
                .collect(),
        )
    };
    drop(world);
    // The forms are stored as JSON: the page is their concatenation, built outside the lock.
    let mut body = String::with_capacity(page.iter().map(|j| j.len() + 1).sum::<usize>() + 64);
    body.push_str("{\"checkoutForms\":[");
    for (i, json) in page.iter().enumerate() {
        if i > 0 {
            body.push(',');
        }
        body.push_str(json);
    }
    body.push_str(&format!("],\"count\":{},\"totalCount\":{total}}}", page.len()));
    raw_json(StatusCode::OK, body)
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

async fn checkout_form(
    State(emu): State<Arc<Emulator>>,
    Extension(caller): Extension<Caller>,
    Extension(lang): Extension<Lang>,
    Path(id): Path<String>,
) -> Response {
    let world = emu.world.read();
    let path = format!("/order/checkout-forms/{id}");
    match find_order(&world, &caller, &id, lang, &path) {
        Ok(idx) => {
            let json = world.orders[idx].json();
            drop(world);
            raw_json(StatusCode::OK, json.to_string())
        }
        Err(r) => r,
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

/// Allegro's per-order limit of fulfillment operations (GH#3652).
const FULFILLMENT_CHANGES_PER_ORDER: u32 = 100;

async fn set_fulfillment(
    State(emu): State<Arc<Emulator>>,
    Extension(caller): Extension<Caller>,
    Extension(lang): Extension<Lang>,
    Path(id): Path<String>,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let path = format!("/order/checkout-forms/{id}/fulfillment");
    let params = Params::parse(raw.as_deref().unwrap_or_default());
    let faults = emu.faults.read().clone();
    let now = emu.now_ms();
    let mut world = emu.world.write();
    let idx = or_respond!(find_order(&world, &caller, &id, lang, &path));
    let request: serde_json::Value = or_respond!(json_body(&headers, &body, lang, &path));
    let status = match request
        .get("status")
        .and_then(|s| s.as_str())
        .map(str::parse::<FulfillmentStatus>)
    {
        Some(Ok(s)) => s,
        _ => {
            return api_error(
                StatusCode::UNPROCESSABLE_ENTITY,
                "VALIDATION_ERROR",
                "Invalid fulfillment status",
                Some("status"),
                lang,
            );
        }
    };
    if status == FulfillmentStatus::Returned {
        return api_error(
            StatusCode::UNPROCESSABLE_ENTITY,
            "VALIDATION_ERROR",
            "Status RETURNED cannot be set by the seller",
            Some("status"),
            lang,
        );
    }
    if let Some(expected) = params.get("checkoutForm.revision")
        && world.orders[idx].key.revision.as_deref() != Some(expected)
    {
        return api_error(
            StatusCode::CONFLICT,
            "CONFLICT",
            "Provided revision is outdated",
            Some(&path),
            lang,
        );
    }
    if world.orders[idx].fulfillment_changes >= FULFILLMENT_CHANGES_PER_ORDER {
        return api_error(
            StatusCode::UNPROCESSABLE_ENTITY,
            "SellerOrdersStoreUnprocessableEntityException",
            "Operation limit for this order has been exhausted",
            Some(&path),
            lang,
        );
    }
    world.set_fulfillment(idx, status, now, &faults);
    StatusCode::NO_CONTENT.into_response()
}

async fn shipments(
    State(emu): State<Arc<Emulator>>,
    Extension(caller): Extension<Caller>,
    Extension(lang): Extension<Lang>,
    Path(id): Path<String>,
) -> Response {
    let world = emu.world.read();
    let path = format!("/order/checkout-forms/{id}/shipments");
    match find_order(&world, &caller, &id, lang, &path) {
        Ok(idx) => vnd_json(
            StatusCode::OK,
            &CheckoutFormOrderWaybillResponse {
                shipments: Some(world.orders[idx].shipments.clone()),
            },
        ),
        Err(r) => r,
    }
}

/// Carriers `GET /order/carriers` lists (ids seen in the spec and the forum).
const CARRIERS: &[(&str, Option<&str>)] = &[
    ("ALLEGRO", Some("Allegro Delivery")),
    ("INPOST", Some("InPost")),
    ("DPD", Some("DPD")),
    ("DHL", Some("DHL")),
    ("UPS", Some("UPS")),
    ("GLS", Some("GLS")),
    ("POCZTA_POLSKA", Some("Poczta Polska")),
    ("ORLEN", Some("Orlen Paczka")),
    ("FEDEX", Some("FedEx")),
    ("PACKETA", Some("Packeta")),
    ("DPD_CZ", Some("DPD CZ")),
    ("DPD_SK", Some("DPD SK")),
    ("DPD_HU", Some("DPD HU")),
    ("YUN_EXPRESS", Some("Yun Express")),
    ("OTHER", None),
];

/// One waybill may be reused on this many orders before Allegro answers 409.
const WAYBILL_REUSE_LIMIT: usize = 10;

async fn carriers(State(emu): State<Arc<Emulator>>) -> Response {
    let only = emu.settings.read().carriers_only.clone();
    let carriers = CARRIERS
        .iter()
        .filter(|(id, _)| only.is_empty() || only.iter().any(|o| o == id))
        .map(|(id, name)| OrdersShippingCarrier {
            id: Some((*id).into()),
            name: name.map(str::to_owned),
        })
        .collect();
    vnd_json(
        StatusCode::OK,
        &OrdersShippingCarriersResponse {
            carriers: Some(carriers),
        },
    )
}

async fn add_shipment(
    State(emu): State<Arc<Emulator>>,
    Extension(caller): Extension<Caller>,
    Extension(lang): Extension<Lang>,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let path = format!("/order/checkout-forms/{id}/shipments");
    let now = emu.now_ms();
    let mut world = emu.world.write();
    let idx = or_respond!(find_order(&world, &caller, &id, lang, &path));
    let request: CheckoutFormAddWaybillRequest = or_respond!(json_body(&headers, &body, lang, &path));
    let Some((carrier_id, carrier_name)) = CARRIERS.iter().find(|(c, _)| *c == request.carrier_id) else {
        return api_error(
            StatusCode::BAD_REQUEST,
            "CarrierValidationException",
            format!("Unknown carrier {:?}", request.carrier_id),
            Some("carrierId"),
            lang,
        );
    };
    let waybill = request.waybill.trim();
    if waybill.is_empty() || waybill.chars().count() > 64 || waybill.chars().any(char::is_control) {
        return api_error(
            StatusCode::BAD_REQUEST,
            "WaybillValidationException",
            "Tracking number is invalid",
            Some("waybill"),
            lang,
        );
    }
    let name = if *carrier_id == "OTHER" {
        match request.carrier_name.as_deref().map(str::trim) {
            Some(n) if !n.is_empty() && n.chars().count() <= 30 => Some(n.to_owned()),
            _ => {
                return api_error(
                    StatusCode::BAD_REQUEST,
                    "CarrierNameValidationException",
                    "Carrier name is required for OTHER and must be at most 30 characters",
                    Some("carrierName"),
                    lang,
                );
            }
        }
    } else {
        // carrierName is ignored unless carrierId is OTHER (spec).
        carrier_name.map(str::to_owned)
    };
    let order_items: Vec<String> = world.orders[idx].key.line_item_ids.clone();
    let items = match request.line_items.filter(|l| !l.is_empty()) {
        None => order_items
            .iter()
            .map(|id| LineItemRef { id: id.clone() })
            .collect::<Vec<_>>(),
        Some(list) => {
            if let Some(bad) = list.iter().find(|li| !order_items.contains(&li.id)) {
                return api_error(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "LineItemNotFoundException",
                    format!("Line item {} does not belong to order {id}", bad.id),
                    Some("lineItems"),
                    lang,
                );
            }
            list
        }
    };
    let uses = world
        .orders
        .iter()
        .filter(|o| {
            o.seller == world.orders[idx].seller && o.shipments.iter().any(|s| s.waybill.as_deref() == Some(waybill))
        })
        .count();
    if uses >= WAYBILL_REUSE_LIMIT {
        return api_error(
            StatusCode::CONFLICT,
            "WaybillUsageExceededException",
            "Maximum waybill usage exceeded",
            Some("waybill"),
            lang,
        );
    }
    use base64::Engine as _;
    let created = CheckoutFormAddWaybillCreated {
        // Allegro's shipment id is base64 of CARRIER:waybill (observed, GH#9708).
        id: Some(base64::engine::general_purpose::STANDARD.encode(format!("{carrier_id}:{waybill}"))),
        waybill: Some(waybill.to_owned()),
        carrier_id: Some((*carrier_id).to_owned()),
        carrier_name: name,
        line_items: Some(items),
        created_at: Some(Instant::from_millis(now)),
    };
    let order = &mut world.orders[idx];
    // Allegro keeps a second copy of the same parcel (GH#12346): idempotence is the caller's job.
    order.shipments.push(created.clone());
    let sent: std::collections::HashSet<&str> = order
        .shipments
        .iter()
        .flat_map(|s| s.line_items.iter().flatten().map(|li| li.id.as_str()))
        .collect();
    let summary = if order_items.iter().all(|i| sent.contains(i.as_str())) {
        LineItemsSent::All
    } else {
        LineItemsSent::Some
    };
    order.update(|form| {
        if let Some(f) = form.fulfillment.as_mut() {
            f.shipment_summary = Some(ShipmentSummary {
                line_items_sent: Some(summary),
            });
        }
    });
    world.touch(idx, now, true);
    vnd_json(StatusCode::CREATED, &created)
}

fn invoice_view(inv: &InvoiceRecord, now: i64) -> CheckoutFormsOrderInvoice {
    CheckoutFormsOrderInvoice {
        id: Some(inv.id.clone()),
        invoice_number: inv.number.clone(),
        created_at: Some(Instant::from_millis(inv.created_at_ms)),
        file: inv.file.map(|(uploaded, _)| {
            let scanned = now - uploaded >= INVOICE_SCAN_MS;
            CheckoutFormsOrderInvoiceFile {
                name: Some(inv.file_name.clone()),
                uploaded_at: Some(Instant::from_millis(uploaded)),
                security_verification: Some(InvoiceSecurityVerification {
                    status: Some(if scanned { "ACCEPTED" } else { "WAITING" }.into()),
                    verified_at: scanned.then(|| Instant::from_millis(uploaded + INVOICE_SCAN_MS)),
                }),
                verification: Some(InvoiceVerification {
                    status: Some("NOT_APPLICABLE".into()),
                    details: Some(Vec::new()),
                }),
            }
        }),
    }
}

async fn invoices(
    State(emu): State<Arc<Emulator>>,
    Extension(caller): Extension<Caller>,
    Extension(lang): Extension<Lang>,
    Path(id): Path<String>,
) -> Response {
    let now = emu.now_ms();
    let world = emu.world.read();
    let path = format!("/order/checkout-forms/{id}/invoices");
    let idx = or_respond!(find_order(&world, &caller, &id, lang, &path));
    vnd_json(
        StatusCode::OK,
        &CheckoutFormsOrderInvoices {
            order_mode: Some("REGULAR".into()),
            invoices: Some(
                world.orders[idx]
                    .invoices
                    .iter()
                    .map(|i| invoice_view(i, now))
                    .collect(),
            ),
            links: Some(Vec::new()),
            has_external_invoices: Some(false),
        },
    )
}

async fn add_invoice(
    State(emu): State<Arc<Emulator>>,
    Extension(caller): Extension<Caller>,
    Extension(lang): Extension<Lang>,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let path = format!("/order/checkout-forms/{id}/invoices");
    let now = emu.now_ms();
    let mut world = emu.world.write();
    let idx = or_respond!(find_order(&world, &caller, &id, lang, &path));
    let request: CheckFormsNewOrderInvoice = or_respond!(json_body(&headers, &body, lang, &path));
    if request.file.name.trim().is_empty() {
        return api_error(
            StatusCode::UNPROCESSABLE_ENTITY,
            "VALIDATION_ERROR",
            "File name must not be empty",
            Some("file.name"),
            lang,
        );
    }
    let order = &world.orders[idx];
    if order.key.status != Some(CheckoutFormStatus::ReadyForProcessing) {
        return api_error(
            StatusCode::UNPROCESSABLE_ENTITY,
            "INVOICE_NOT_ALLOWED",
            "Order does not allow adding an invoice (not paid or cancelled)",
            Some(&path),
            lang,
        );
    }
    if order
        .invoices
        .iter()
        .any(|i| i.file.is_some_and(|(up, _)| now - up < INVOICE_SCAN_MS))
    {
        return api_error(
            StatusCode::UNPROCESSABLE_ENTITY,
            "FILE_BEING_SCANNED",
            "A previously uploaded file is still being scanned",
            Some(&path),
            lang,
        );
    }
    if let Some(number) = &request.invoice_number
        && order.invoices.iter().any(|i| i.number.as_ref() == Some(number))
    {
        return api_error(
            StatusCode::CONFLICT,
            "CONFLICT",
            "Order with given id already has seller invoice",
            Some(&path),
            lang,
        );
    }
    if order
        .invoices
        .iter()
        .any(|i| i.file.is_none() && now - i.created_at_ms < 3_000)
    {
        return api_error(
            StatusCode::TOO_MANY_REQUESTS,
            "TOO_MANY_REQUESTS",
            "You're trying to add another metadata too fast. Upload a file to previously added metadata or wait a few seconds",
            Some(&path),
            lang,
        );
    }
    let invoice_id = world.uuid();
    world.orders[idx].invoices.push(InvoiceRecord {
        id: invoice_id.clone(),
        number: request.invoice_number,
        file_name: request.file.name,
        created_at_ms: now,
        file: None,
    });
    vnd_json(
        StatusCode::CREATED,
        &CheckFormsNewOrderInvoiceId { id: Some(invoice_id) },
    )
}

async fn upload_invoice_file(
    State(emu): State<Arc<Emulator>>,
    Extension(caller): Extension<Caller>,
    Extension(lang): Extension<Lang>,
    Path((id, invoice_id)): Path<(String, String)>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let path = format!("/order/checkout-forms/{id}/invoices/{invoice_id}/file");
    let bytes = match axum::body::to_bytes(body, MAX_INVOICE_BYTES + 1).await {
        Ok(b) if b.len() <= MAX_INVOICE_BYTES => b,
        _ => {
            return api_error(
                StatusCode::PAYLOAD_TOO_LARGE,
                "PAYLOAD_TOO_LARGE",
                "File is too large (max 3 MB)",
                Some(&path),
                lang,
            );
        }
    };
    let ct = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    let now = emu.now_ms();
    let mut world = emu.world.write();
    let idx = or_respond!(find_order(&world, &caller, &id, lang, &path));
    let Some(inv) = world.orders[idx].invoices.iter_mut().find(|i| i.id == invoice_id) else {
        return api_error(
            StatusCode::NOT_FOUND,
            "NOT_FOUND",
            format!("Invoice {invoice_id} not found"),
            Some(&path),
            lang,
        );
    };
    if inv.file.is_some() {
        return api_error(
            StatusCode::CONFLICT,
            "CONFLICT",
            "Invoice already has a file",
            Some(&path),
            lang,
        );
    }
    if bytes.is_empty() {
        return api_error(
            StatusCode::UNPROCESSABLE_ENTITY,
            "EMPTY-ATTACHMENT",
            format!("Attachment for given order [{id}] and invoice [{invoice_id}] must not be empty"),
            Some(&path),
            lang,
        );
    }
    if !ct.starts_with("application/pdf") || !bytes.starts_with(b"%PDF-") {
        return api_error(
            StatusCode::UNPROCESSABLE_ENTITY,
            "FILE-CONTENT-INVALID",
            format!("File for given order [{id}] and invoice [{invoice_id}] must have a PDF content"),
            Some(&path),
            lang,
        );
    }
    inv.file = Some((now, bytes.len()));
    let mut response = StatusCode::OK.into_response();
    response
        .headers_mut()
        .insert(header::CONTENT_LENGTH, HeaderValue::from_static("0"));
    response
}

fn offer_listing(o: &crate::world::Offer) -> OfferListing {
    OfferListing {
        id: Some(o.id.clone()),
        name: Some(o.name.clone()),
        category: Some(CategoryRef {
            id: Some(o.category_id.clone()),
        }),
        primary_image: Some(ImageRef {
            url: Some(format!("https://a.allegroimg.com/original/{}.jpg", o.id)),
        }),
        selling_mode: Some(OfferSellingMode {
            format: Some("BUY_NOW".into()),
            price: Some(Price::from_minor(o.price_minor, "PLN")),
        }),
        stock: Some(OfferStock {
            available: Some(o.stock),
            sold: Some(o.sold),
        }),
        publication: Some(OfferPublication {
            status: Some(o.status.into()),
            started_at: Some(Instant::from_millis(o.created_at_ms)),
            ended_at: None,
        }),
        external: Some(ExternalId {
            id: Some(o.external_id.clone()),
        }),
    }
}

async fn offers(
    State(emu): State<Arc<Emulator>>,
    Extension(caller): Extension<Caller>,
    Extension(lang): Extension<Lang>,
    RawQuery(raw): RawQuery,
) -> Response {
    let params = Params::parse(raw.as_deref().unwrap_or_default());
    let path = "/sale/offers";
    let limit = or_respond!(int_param(&params, "limit", 20, 1, 1000, path, lang)) as usize;
    let offset = or_respond!(int_param(&params, "offset", 0, 0, 9_999_999, path, lang)) as usize;
    if offset + limit > 10_000_000 {
        return validation("Offset and limit parameters exceed maximal result size", path, lang);
    }
    let ids = params.all("offer.id");
    let external = params.all("external.id");
    if external.len() > 100 {
        return bad_request("At most 100 values of external.id", path, lang);
    }
    let statuses = params.all("publication.status");
    let name = params.get("name").map(str::to_lowercase);
    let world = emu.world.read();
    let mut matching: Vec<&Arc<crate::world::Offer>> = world.sellers[seller_of(&caller)]
        .offers
        .iter()
        .filter(|o| ids.is_empty() || ids.contains(&o.id.as_str()))
        .filter(|o| external.is_empty() || external.contains(&o.external_id.as_str()))
        .filter(|o| statuses.is_empty() || statuses.contains(&o.status))
        .filter(|o| name.as_ref().is_none_or(|n| o.name.to_lowercase().contains(n)))
        .collect();
    match params.get("sort") {
        None => matching.sort_by_key(|o| std::cmp::Reverse(o.created_at_ms)),
        Some("sellingMode.price.amount") => matching.sort_by_key(|o| o.price_minor),
        Some("-sellingMode.price.amount") => matching.sort_by_key(|o| std::cmp::Reverse(o.price_minor)),
        Some("stock.sold") => matching.sort_by_key(|o| o.sold),
        Some("-stock.sold") => matching.sort_by_key(|o| std::cmp::Reverse(o.sold)),
        Some("stock.available") => matching.sort_by_key(|o| o.stock),
        Some("-stock.available") => matching.sort_by_key(|o| std::cmp::Reverse(o.stock)),
        Some(other) => return bad_request(&format!("Invalid value {other:?} for parameter sort"), path, lang),
    }
    let page: Vec<OfferListing> = matching
        .iter()
        .skip(offset)
        .take(limit)
        .map(|o| offer_listing(o))
        .collect();
    vnd_json(
        StatusCode::OK,
        &OffersSearchResult {
            count: Some(page.len() as i64),
            total_count: Some(matching.len() as i64),
            offers: Some(page),
        },
    )
}

async fn product_offer(
    State(emu): State<Arc<Emulator>>,
    Extension(caller): Extension<Caller>,
    Extension(lang): Extension<Lang>,
    Path(offer_id): Path<String>,
) -> Response {
    let world = emu.world.read();
    let Some(o) = world.sellers[seller_of(&caller)]
        .offers
        .iter()
        .find(|o| o.id == offer_id)
    else {
        return api_error(
            StatusCode::NOT_FOUND,
            "OfferNotFoundException",
            format!("Offer {offer_id} not found"),
            None,
            lang,
        );
    };
    vnd_json(
        StatusCode::OK,
        &SaleProductOffer {
            id: Some(o.id.clone()),
            name: Some(o.name.clone()),
            category: Some(CategoryRef {
                id: Some(o.category_id.clone()),
            }),
            external: Some(ExternalId {
                id: Some(o.external_id.clone()),
            }),
            selling_mode: Some(OfferSellingMode {
                format: Some("BUY_NOW".into()),
                price: Some(Price::from_minor(o.price_minor, "PLN")),
            }),
            stock: Some(ProductOfferStock {
                available: Some(o.stock),
                unit: Some("UNIT".into()),
            }),
            publication: Some(ProductOfferPublication {
                status: Some(o.status.into()),
            }),
            payments: Some(OfferPayments {
                invoice: Some("VAT".into()),
            }),
            tax_settings: Some(OfferTaxSettings {
                rates: vec![OfferTaxRate {
                    rate: Some(o.vat_rate.into()),
                    country_code: Some("PL".into()),
                }],
                subject: Some("GOODS".into()),
                exemption: None,
            }),
            created_at: Some(Instant::from_millis(o.created_at_ms)),
            updated_at: Some(Instant::from_millis(o.created_at_ms)),
        },
    )
}
