use serde::{Deserialize, Serialize};

use crate::Instant;

/// `CheckoutFormAddWaybillRequest`: body of `POST …/shipments`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CheckoutFormAddWaybillRequest {
    /// Carrier id from `GET /order/carriers`.
    pub carrier_id: String,
    /// Tracking number, 1–64 characters.
    pub waybill: String,
    /// Carrier name (≤ 30 characters), used only with `carrierId = OTHER`.
    #[serde(default)]
    pub carrier_name: Option<String>,
    /// Line items in the parcel; absent or empty means all of the order's items.
    #[serde(default)]
    pub line_items: Option<Vec<LineItemRef>>,
}

/// `{"id": "<line item id>"}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LineItemRef {
    /// Line item id.
    pub id: String,
}

/// `CheckoutFormAddWaybillCreated`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CheckoutFormAddWaybillCreated {
    /// Shipment id (Allegro uses base64 of `CARRIER:waybill`).
    pub id: Option<String>,
    /// Tracking number.
    pub waybill: Option<String>,
    /// Carrier id.
    pub carrier_id: Option<String>,
    /// Carrier name.
    pub carrier_name: Option<String>,
    /// Line items in the parcel.
    pub line_items: Option<Vec<LineItemRef>>,
    /// When it was added.
    pub created_at: Option<Instant>,
}

/// `CheckoutFormOrderWaybillResponse`: `GET …/shipments`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckoutFormOrderWaybillResponse {
    /// Shipments of the order, from any channel.
    pub shipments: Option<Vec<CheckoutFormAddWaybillCreated>>,
}

/// `OrdersShippingCarriersResponse`: `GET /order/carriers`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrdersShippingCarriersResponse {
    /// Carriers.
    pub carriers: Option<Vec<OrdersShippingCarrier>>,
}

/// `OrdersShippingCarrier`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrdersShippingCarrier {
    /// Carrier id, e.g. `INPOST`; `OTHER` has no name.
    pub id: Option<String>,
    /// Display name.
    pub name: Option<String>,
}
