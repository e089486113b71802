//! An order as the emulator keeps it (the API's JSON and the key its rules read) and the
//! invoices attached to it.

use super::*;

/// An order and what was added to it after the purchase.
///
/// The checkout form is kept as the JSON the API returns (about 2.6 KB), not as a struct of
/// many small strings: 100 000 orders then fit in a few hundred MB, and a page of orders is
/// a concatenation. `key` holds what filters and rules read. Changes go through
/// [`Order::update`], which re-serialises.
#[derive(Debug, Clone)]
pub struct Order {
    /// Index of the seller.
    pub seller: usize,
    json: Arc<str>,
    /// The fields filters and validation read, extracted from the form.
    pub key: OrderKey,
    /// Purchase time.
    pub bought_at_ms: i64,
    /// Last change that moves `updatedAt`.
    pub updated_at_ms: i64,
    /// Revision counter behind `revision`.
    pub revision: u64,
    /// Tracking numbers added.
    pub shipments: Vec<CheckoutFormAddWaybillCreated>,
    /// Invoices attached.
    pub invoices: Vec<InvoiceRecord>,
    /// Fulfillment changes made, against Allegro's per-order operation limit.
    pub fulfillment_changes: u32,
}

/// What the emulator reads of an order without parsing its JSON.
#[derive(Debug, Clone, Default)]
pub struct OrderKey {
    /// Checkout form id.
    pub id: String,
    /// Status.
    pub status: Option<CheckoutFormStatus>,
    /// Fulfillment status.
    pub fulfillment: Option<FulfillmentStatus>,
    /// Fulfillment provider.
    pub provider: Option<allegro_api_types::FulfillmentProviderId>,
    /// Shipment summary.
    pub sent: Option<allegro_api_types::LineItemsSent>,
    /// Payment id.
    pub payment_id: Option<String>,
    /// Surcharge payment ids.
    pub surcharge_ids: Vec<String>,
    /// Delivery method id.
    pub delivery_method: Option<String>,
    /// Buyer login.
    pub buyer_login: String,
    /// Marketplace id.
    pub marketplace: Option<String>,
    /// Line item ids.
    pub line_item_ids: Vec<String>,
    /// Current revision.
    pub revision: Option<String>,
}

impl OrderKey {
    fn of(form: &CheckoutForm) -> Self {
        let f = form.fulfillment.as_ref();
        Self {
            id: form.id.clone(),
            status: Some(form.status),
            fulfillment: f.and_then(|x| x.status),
            provider: f.and_then(|x| x.provider.as_ref()).and_then(|p| p.id),
            sent: f
                .and_then(|x| x.shipment_summary.as_ref())
                .and_then(|s| s.line_items_sent),
            payment_id: form.payment.as_ref().map(|p| p.id.clone()),
            surcharge_ids: form.surcharges.iter().map(|p| p.id.clone()).collect(),
            delivery_method: form
                .delivery
                .as_ref()
                .and_then(|d| d.method.as_ref())
                .and_then(|m| m.id.clone()),
            buyer_login: form.buyer.login.clone(),
            marketplace: form.marketplace.as_ref().map(|m| m.id.clone()),
            line_item_ids: form.line_items.iter().map(|li| li.id.clone()).collect(),
            revision: form.revision.clone(),
        }
    }
}

impl Order {
    /// A new order for `seller` bought at `bought_at_ms`.
    pub fn new(seller: usize, form: &CheckoutForm, bought_at_ms: i64, updated_at_ms: i64) -> Self {
        Self {
            seller,
            json: serialise(form),
            key: OrderKey::of(form),
            bought_at_ms,
            updated_at_ms,
            revision: 1,
            shipments: Vec::new(),
            invoices: Vec::new(),
            fulfillment_changes: 0,
        }
    }

    /// The checkout form as the API returns it.
    pub fn json(&self) -> Arc<str> {
        self.json.clone()
    }

    /// The checkout form, parsed.
    pub fn form(&self) -> CheckoutForm {
        serde_json::from_str(&self.json).expect("the emulator parses the JSON it wrote")
    }

    /// Applies a change to the form.
    pub fn update(&mut self, change: impl FnOnce(&mut CheckoutForm)) {
        let mut form = self.form();
        change(&mut form);
        self.json = serialise(&form);
        self.key = OrderKey::of(&form);
    }
}

fn serialise(form: &CheckoutForm) -> Arc<str> {
    serde_json::to_string(form).expect("a checkout form serialises").into()
}

/// An invoice attached to an order.
#[derive(Debug, Clone)]
pub struct InvoiceRecord {
    /// Invoice id (UUID).
    pub id: String,
    /// Number given with the metadata.
    pub number: Option<String>,
    /// File name given with the metadata.
    pub file_name: String,
    /// Metadata time.
    pub created_at_ms: i64,
    /// Upload time and size of the PDF, once uploaded.
    pub file: Option<(i64, usize)>,
}

/// How long the antivirus scan of an uploaded invoice takes (status WAITING meanwhile).
pub const INVOICE_SCAN_MS: i64 = 5_000;
