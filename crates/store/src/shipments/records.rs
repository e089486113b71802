use domain::{AccountId, OrderId, OrganisationId, ShipmentId};

/// A waybill (tracking number) added to an order, and where its push to Allegro stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShipmentRecord {
    /// Our id.
    pub id: ShipmentId,
    /// Organisation.
    pub organisation_id: OrganisationId,
    /// The order's linked account.
    pub account_id: AccountId,
    /// Checkout form id.
    pub order_id: OrderId,
    /// Allegro carrier id (`INPOST`, `OTHER`…).
    pub carrier_id: String,
    /// Name of an `OTHER` carrier.
    pub carrier_name: Option<String>,
    /// Tracking number.
    pub waybill: String,
    /// Allegro line item ids it covers; empty: the whole order.
    pub line_items: Vec<String>,
    /// When it was added.
    pub created_at_ms: i64,
    /// Where the push to Allegro stands.
    pub push: ShipmentPush,
}

/// A waybill's push to Allegro (`POST …/shipments`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShipmentPush {
    /// Where it stands.
    pub state: domain::PushState,
    /// Times it was claimed for a push; above one, an earlier attempt may have reached
    /// Allegro, so the order's shipments are read before posting again.
    pub attempts: i64,
    /// When it is due (also the lease of a claimed push).
    pub next_at_ms: i64,
    /// Why the last attempt failed, in the seller's words.
    pub error: Option<String>,
    /// Allegro's shipment id, once pushed.
    pub allegro_shipment_id: Option<String>,
    /// When it reached Allegro.
    pub pushed_at_ms: Option<i64>,
}

/// A waybill to store.
#[derive(Debug, Clone)]
pub struct NewShipment {
    /// Our id.
    pub id: ShipmentId,
    /// Organisation.
    pub organisation_id: OrganisationId,
    /// The order's linked account.
    pub account_id: AccountId,
    /// Checkout form id.
    pub order_id: OrderId,
    /// The checked waybill.
    pub waybill: domain::NewWaybill,
    /// When.
    pub created_at_ms: i64,
    /// Whether it goes to Allegro (false for orders from files).
    pub push: bool,
}
