//! The filters and sorts of `GET /order/checkout-forms`, as Allegro names them.

use super::*;

/// Sort order of `GET /order/checkout-forms`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum OrderSort {
    /// Newest purchase first (Allegro's default).
    #[default]
    BoughtAtDesc,
    /// Oldest purchase first.
    BoughtAtAsc,
    /// Least recently updated first.
    UpdatedAtAsc,
    /// Most recently updated first.
    UpdatedAtDesc,
}

impl OrderSort {
    fn as_str(self) -> &'static str {
        match self {
            OrderSort::BoughtAtDesc => "-lineItems.boughtAt",
            OrderSort::BoughtAtAsc => "lineItems.boughtAt",
            OrderSort::UpdatedAtAsc => "updatedAt",
            OrderSort::UpdatedAtDesc => "-updatedAt",
        }
    }
}

/// Every filter and sort of `GET /order/checkout-forms`.
#[derive(Debug, Clone, Default)]
pub struct CheckoutFormsQuery {
    /// `status`.
    pub status: Option<CheckoutFormStatus>,
    /// `fulfillment.status`.
    pub fulfillment_status: Option<FulfillmentStatus>,
    /// `fulfillment.provider.id`.
    pub fulfillment_provider: Option<FulfillmentProviderId>,
    /// `fulfillment.shipmentSummary.lineItemsSent`.
    pub line_items_sent: Option<LineItemsSent>,
    /// `lineItems.boughtAt.gte`.
    pub bought_at_gte: Option<Instant>,
    /// `lineItems.boughtAt.lte`.
    pub bought_at_lte: Option<Instant>,
    /// `payment.id`.
    pub payment_id: Option<String>,
    /// `surcharges.id`.
    pub surcharge_id: Option<String>,
    /// `delivery.method.id`.
    pub delivery_method_id: Option<String>,
    /// `buyer.login`.
    pub buyer_login: Option<String>,
    /// `marketplace.id`.
    pub marketplace_id: Option<String>,
    /// `updatedAt.gte`.
    pub updated_at_gte: Option<Instant>,
    /// `updatedAt.lte`.
    pub updated_at_lte: Option<Instant>,
    /// `sort`.
    pub sort: OrderSort,
    /// `offset` (≥ 0; offset + limit ≤ 10 000).
    pub offset: u32,
    /// `limit` (1–100; 0 means 100).
    pub limit: u32,
}

impl CheckoutFormsQuery {
    pub(super) fn pairs(&self) -> Vec<(&'static str, String)> {
        let mut q = Vec::new();
        let mut put = |k: &'static str, v: Option<String>| {
            if let Some(v) = v {
                q.push((k, v));
            }
        };
        put("status", self.status.map(|s| s.as_str().to_owned()));
        put(
            "fulfillment.status",
            self.fulfillment_status.map(|s| s.as_str().to_owned()),
        );
        put(
            "fulfillment.provider.id",
            self.fulfillment_provider.map(|s| s.as_str().to_owned()),
        );
        put(
            "fulfillment.shipmentSummary.lineItemsSent",
            self.line_items_sent.map(|s| s.as_str().to_owned()),
        );
        put("lineItems.boughtAt.gte", self.bought_at_gte.map(|t| t.to_string()));
        put("lineItems.boughtAt.lte", self.bought_at_lte.map(|t| t.to_string()));
        put("payment.id", self.payment_id.clone());
        put("surcharges.id", self.surcharge_id.clone());
        put("delivery.method.id", self.delivery_method_id.clone());
        put("buyer.login", self.buyer_login.clone());
        put("marketplace.id", self.marketplace_id.clone());
        put("updatedAt.gte", self.updated_at_gte.map(|t| t.to_string()));
        put("updatedAt.lte", self.updated_at_lte.map(|t| t.to_string()));
        q.push(("sort", self.sort.as_str().to_owned()));
        q.push(("offset", self.offset.to_string()));
        q.push((
            "limit",
            if self.limit == 0 { 100 } else { self.limit.min(100) }.to_string(),
        ));
        q
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_uses_the_spec_names() {
        let q = CheckoutFormsQuery {
            status: Some(CheckoutFormStatus::ReadyForProcessing),
            line_items_sent: Some(LineItemsSent::None),
            bought_at_gte: Some("2026-01-01T00:00:00Z".parse().unwrap()),
            sort: OrderSort::UpdatedAtDesc,
            ..Default::default()
        };
        let pairs = q.pairs();
        assert!(pairs.contains(&("status", "READY_FOR_PROCESSING".into())));
        assert!(pairs.contains(&("fulfillment.shipmentSummary.lineItemsSent", "NONE".into())));
        assert!(pairs.contains(&("lineItems.boughtAt.gte", "2026-01-01T00:00:00.000Z".into())));
        assert!(pairs.contains(&("sort", "-updatedAt".into())));
        assert!(pairs.contains(&("limit", "100".into())));
    }
}
