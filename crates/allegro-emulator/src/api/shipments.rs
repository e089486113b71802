//! Shipments: carriers, the waybills on an order, adding one.

use super::*;

pub(super) async fn shipments(
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

pub(super) async fn carriers(State(emu): State<Arc<Emulator>>) -> Response {
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

pub(super) async fn add_shipment(
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
