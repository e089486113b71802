//! Orders: the event journal and its statistics, checkout forms (one and the filtered list)
//! and fulfillment changes.

use super::*;

pub(super) async fn events(
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

pub(super) async fn event_stats(State(emu): State<Arc<Emulator>>, Extension(caller): Extension<Caller>) -> Response {
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

pub(super) async fn checkout_forms(
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

pub(super) async fn checkout_form(
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

/// Allegro's per-order limit of fulfillment operations (GH#3652).
const FULFILLMENT_CHANGES_PER_ORDER: u32 = 100;

pub(super) async fn set_fulfillment(
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
