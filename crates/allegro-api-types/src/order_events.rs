//! The order journal: `GET /order/events` and `GET /order/event-stats`.

use serde::{Deserialize, Serialize};

use crate::{BuyerPreferences, ExternalId, Instant, Price, api_enum};

api_enum! {
    /// `OrderEventType`.
    OrderEventType {
        /// Bought, not paid.
        Bought = "BOUGHT",
        /// Checkout form filled in.
        FilledIn = "FILLED_IN",
        /// Paid or cash on delivery chosen.
        ReadyForProcessing = "READY_FOR_PROCESSING",
        /// Cancelled by the buyer.
        BuyerCancelled = "BUYER_CANCELLED",
        /// The seller changed the fulfillment status.
        FulfillmentStatusChanged = "FULFILLMENT_STATUS_CHANGED",
        /// The buyer modified the order.
        BuyerModified = "BUYER_MODIFIED",
        /// Cancelled by Allegro.
        AutoCancelled = "AUTO_CANCELLED",
    }
}

/// `OrderEventsList`: `GET /order/events`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderEventsList {
    /// Events, oldest first.
    pub events: Vec<OrderEvent>,
}

/// `OrderEvent`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OrderEvent {
    /// Event id: a numeric string, increasing with time; opaque.
    pub id: String,
    /// The order as it was at the event.
    pub order: OrderEventData,
    /// Event type.
    #[serde(rename = "type")]
    pub event_type: OrderEventType,
    /// When it happened.
    pub occurred_at: Instant,
}

/// `OrderEventData`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OrderEventData {
    /// The seller.
    pub seller: IdRef,
    /// The buyer.
    pub buyer: EventBuyer,
    /// Line items.
    pub line_items: Vec<OrderLineItem>,
    /// The checkout form; absent on `BOUGHT` before the form exists.
    pub checkout_form: Option<CheckoutFormReference>,
    /// Marketplace.
    pub marketplace: Option<IdRef>,
}

/// An object holding just a required id, e.g. `SellerReference`, `OrderMarketplace`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IdRef {
    /// The id.
    pub id: String,
}

/// `BuyerReference` (in events).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EventBuyer {
    /// Buyer's user id.
    pub id: String,
    /// E-mail.
    pub email: String,
    /// Login.
    pub login: String,
    /// Bought without an account.
    pub guest: bool,
    /// Preferences.
    pub preferences: Option<BuyerPreferences>,
}

/// `OrderLineItem` (in events).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OrderLineItem {
    /// Line item id.
    pub id: String,
    /// Offer.
    pub offer: OrderLineItemOffer,
    /// Quantity.
    pub quantity: i64,
    /// Unit price before discounts.
    pub original_price: Option<Price>,
    /// Unit price.
    pub price: Price,
    /// When bought.
    pub bought_at: Option<Instant>,
}

/// `OrderLineItemOfferReference`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderLineItemOffer {
    /// Offer id.
    pub id: String,
    /// Offer title.
    pub name: String,
    /// Seller's own id.
    pub external: Option<ExternalId>,
}

/// `CheckoutFormReference`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckoutFormReference {
    /// Checkout form id.
    pub id: String,
    /// Revision at the event.
    pub revision: Option<String>,
}

/// `OrderEventStats`: `GET /order/event-stats`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OrderEventStats {
    /// The newest event, if any.
    pub latest_event: Option<LatestOrderEvent>,
}

/// `LatestOrderEvent`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LatestOrderEvent {
    /// Event id.
    pub id: String,
    /// When it happened.
    pub occurred_at: Instant,
}
