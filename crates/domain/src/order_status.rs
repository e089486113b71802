//! An order's vocabulary: Allegro's order status (open: Allegro adds statuses), its
//! fulfilment status with its rank on the way
//! NEW → PROCESSING → READY_FOR_… → SENT → PICKED_UP — the one definition Rust and SQL
//! share (the store's queries rank with [`FulfillmentStatus::rank_sql`], generated from
//! [`FulfillmentStatus::rank`]) — and the automatic tasks done for an order.

use crate::InvoiceTrigger;

/// Where an Allegro order (checkout form) stands: Allegro's `CheckoutFormStatus`. Allegro
/// adds statuses over time, so the set is open — a word this build does not know is kept
/// as it is ([`OrderStatus::Other`]), shown as it is, and never taken for paid or
/// cancelled.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum OrderStatus {
    /// Bought; the buyer has not filled in the checkout form.
    Bought,
    /// Filled in; not paid yet.
    FilledIn,
    /// Paid (or cash on delivery chosen): to be shipped — and invoiced.
    ReadyForProcessing,
    /// Cancelled.
    Cancelled,
    /// A status this build does not know, with Allegro's word.
    Other(String),
}

impl OrderStatus {
    /// The known statuses, in the order the orders list offers them.
    pub const KNOWN: [OrderStatus; 4] = [
        OrderStatus::ReadyForProcessing,
        OrderStatus::FilledIn,
        OrderStatus::Bought,
        OrderStatus::Cancelled,
    ];

    /// Allegro's (and the stored) word.
    pub fn as_str(&self) -> &str {
        match self {
            Self::Other(word) => word,
            known => known.known_word().unwrap_or_default(),
        }
    }

    /// The word of a known status.
    fn known_word(&self) -> Option<&'static str> {
        match self {
            Self::Bought => Some("BOUGHT"),
            Self::FilledIn => Some("FILLED_IN"),
            Self::ReadyForProcessing => Some("READY_FOR_PROCESSING"),
            Self::Cancelled => Some("CANCELLED"),
            Self::Other(_) => None,
        }
    }

    /// The words of the [known](Self::KNOWN) statuses, in the same order.
    pub fn known_words() -> [&'static str; 4] {
        Self::KNOWN.map(|s| s.known_word().unwrap_or_default())
    }

    /// Reads Allegro's (or a stored) word; any word is a status.
    pub fn from_word(word: &str) -> Self {
        Self::KNOWN
            .iter()
            .find(|s| s.as_str() == word)
            .cloned()
            .unwrap_or_else(|| Self::Other(word.to_owned()))
    }

    /// Paid, or cash on delivery chosen: the order is to be shipped and invoiced.
    pub fn is_ready_for_processing(&self) -> bool {
        matches!(self, Self::ReadyForProcessing)
    }

    /// Cancelled by the buyer or Allegro.
    pub fn is_cancelled(&self) -> bool {
        matches!(self, Self::Cancelled)
    }
}

impl From<&str> for OrderStatus {
    fn from(word: &str) -> Self {
        Self::from_word(word)
    }
}

impl PartialEq<&str> for OrderStatus {
    fn eq(&self, word: &&str) -> bool {
        self.as_str() == *word
    }
}

impl std::fmt::Display for OrderStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl serde::Serialize for OrderStatus {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> serde::Deserialize<'de> for OrderStatus {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let word = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        Ok(Self::from_word(&word))
    }
}

stored_words! {
    /// Where the seller's processing of an order stands (Allegro's
    /// `CheckoutFormFulfillmentStatus`); an order without one is `NEW`. Listed in the
    /// order the orders list offers them.
    FulfillmentStatus {
        /// Nothing done yet.
        New = "NEW",
        /// Being prepared.
        Processing = "PROCESSING",
        /// Packed, waiting for the courier.
        ReadyForShipment = "READY_FOR_SHIPMENT",
        /// Waiting for the buyer at the seller's point.
        ReadyForPickup = "READY_FOR_PICKUP",
        /// Handed to the carrier.
        Sent = "SENT",
        /// Received by the buyer.
        PickedUp = "PICKED_UP",
        /// Cancelled by the seller.
        Cancelled = "CANCELLED",
        /// Held (Allegro One Fulfillment).
        Suspended = "SUSPENDED",
        /// Every item came back and was refunded; set only by Allegro.
        Returned = "RETURNED",
    }
}

impl FulfillmentStatus {
    /// The statuses a seller may set (Allegro sets RETURNED itself).
    pub const SELLER_SETS: [FulfillmentStatus; 8] = [
        Self::New,
        Self::Processing,
        Self::ReadyForShipment,
        Self::ReadyForPickup,
        Self::Sent,
        Self::PickedUp,
        Self::Cancelled,
        Self::Suspended,
    ];

    /// The statuses a WZ may be issued at (the warehouse setting).
    pub const WZ_TRIGGERS: [FulfillmentStatus; 5] = [
        Self::Processing,
        Self::ReadyForShipment,
        Self::ReadyForPickup,
        Self::Sent,
        Self::PickedUp,
    ];

    /// The step on NEW → PROCESSING → READY_FOR_… → SENT → PICKED_UP (the two READY_FOR_
    /// statuses are one step); `None` off that way (cancelled, suspended, returned).
    pub fn rank(self) -> Option<i32> {
        match self {
            Self::New => Some(0),
            Self::Processing => Some(1),
            Self::ReadyForShipment | Self::ReadyForPickup => Some(2),
            Self::Sent => Some(3),
            Self::PickedUp => Some(4),
            Self::Cancelled | Self::Suspended | Self::Returned => None,
        }
    }

    /// Whether an order at this status has reached `trigger`'s step or gone past it (an
    /// order may skip steps).
    pub fn reached(self, trigger: FulfillmentStatus) -> bool {
        matches!((self.rank(), trigger.rank()), (Some(at), Some(wanted)) if at >= wanted)
    }

    /// Whether the parcel has left the seller, or the order is over (nothing to ship).
    pub fn is_shipped_or_closed(self) -> bool {
        matches!(self, Self::Sent | Self::PickedUp | Self::Cancelled | Self::Returned)
    }

    /// An SQL expression giving the [`rank`](Self::rank) of the status `expr` gives,
    /// `off_the_way` for any other word (or NULL): generated from this one definition, so
    /// the store's queries cannot drift from it.
    pub fn rank_sql(expr: &str, off_the_way: i32) -> String {
        let mut sql = format!("(CASE {expr}");
        for status in Self::ALL.iter().copied() {
            if let Some(rank) = status.rank() {
                sql.push_str(&format!(" WHEN '{}' THEN {rank}", status.as_str()));
            }
        }
        sql.push_str(&format!(" ELSE {off_the_way} END)"));
        sql
    }
}

impl InvoiceTrigger {
    /// The fulfilment step at which an order meets the trigger: paid is the first step.
    pub fn rank(self) -> i32 {
        match self {
            InvoiceTrigger::ReadyForProcessing => 0,
            InvoiceTrigger::Processing => 1,
            InvoiceTrigger::ReadyForShipment => 2,
            InvoiceTrigger::Sent => 3,
            InvoiceTrigger::PickedUp => 4,
        }
    }

    /// An SQL expression giving the rank of the trigger stored in `column` (99, never met,
    /// for anything else), generated from [`InvoiceTrigger::rank`].
    pub fn rank_sql(column: &str) -> String {
        let mut sql = format!("(CASE {column}");
        for trigger in Self::ALL {
            sql.push_str(&format!(" WHEN '{}' THEN {}", trigger.as_str(), trigger.rank()));
        }
        sql.push_str(" ELSE 99 END)");
        sql
    }
}

stored_words! {
    /// An automatic task done for an order, whose failures wait before the next try.
    OrderTask {
        /// Issuing its VAT invoice.
        Invoice = "invoice",
        /// Issuing its WZ (goods out of the warehouse).
        Wz = "wz",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_order_status_allegro_adds_later_is_kept_as_its_word() {
        for s in &OrderStatus::KNOWN {
            assert_eq!(&OrderStatus::from_word(s.as_str()), s);
        }
        let new = OrderStatus::from_word("AWAITING_BUYER");
        assert_eq!(new, OrderStatus::Other("AWAITING_BUYER".into()));
        assert_eq!(new.as_str(), "AWAITING_BUYER");
        assert!(!new.is_ready_for_processing() && !new.is_cancelled());
        let json = serde_json::to_string(&OrderStatus::Cancelled).unwrap();
        assert_eq!(json, "\"CANCELLED\"");
        assert_eq!(
            serde_json::from_str::<OrderStatus>(&json).unwrap(),
            OrderStatus::Cancelled
        );
    }

    #[test]
    fn statuses_read_back_and_rank_along_the_way() {
        for s in FulfillmentStatus::ALL {
            assert_eq!(s.as_str().parse::<FulfillmentStatus>().unwrap(), *s);
        }
        assert!("SHIPPED".parse::<FulfillmentStatus>().is_err());
        use FulfillmentStatus::*;
        assert!(Sent.reached(ReadyForShipment), "an order may skip steps");
        assert!(ReadyForPickup.reached(ReadyForShipment), "one step");
        assert!(!Processing.reached(Sent));
        assert!(!Cancelled.reached(New), "off the way never reaches");
        // The trigger's step is the status's step.
        for (trigger, status) in [
            (InvoiceTrigger::Processing, Processing),
            (InvoiceTrigger::ReadyForShipment, ReadyForShipment),
            (InvoiceTrigger::Sent, Sent),
            (InvoiceTrigger::PickedUp, PickedUp),
        ] {
            assert_eq!(Some(trigger.rank()), status.rank());
        }
    }

    #[test]
    fn the_sql_rank_is_generated_from_the_rust_one() {
        let sql = FulfillmentStatus::rank_sql("COALESCE(o.fulfillment_status, 'NEW')", -1);
        assert_eq!(
            sql,
            "(CASE COALESCE(o.fulfillment_status, 'NEW') WHEN 'NEW' THEN 0 WHEN 'PROCESSING' THEN 1 \
             WHEN 'READY_FOR_SHIPMENT' THEN 2 WHEN 'READY_FOR_PICKUP' THEN 2 WHEN 'SENT' THEN 3 \
             WHEN 'PICKED_UP' THEN 4 ELSE -1 END)"
        );
        assert_eq!(
            InvoiceTrigger::rank_sql("s.invoice_trigger"),
            "(CASE s.invoice_trigger WHEN 'READY_FOR_PROCESSING' THEN 0 WHEN 'PROCESSING' THEN 1 \
             WHEN 'READY_FOR_SHIPMENT' THEN 2 WHEN 'SENT' THEN 3 WHEN 'PICKED_UP' THEN 4 ELSE 99 END)"
        );
    }
}
