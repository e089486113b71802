use domain::{MovementReason, OrderId, OrganisationId, ProductId, WarehouseId, WzState};

/// A place goods are kept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Warehouse {
    /// Our id.
    pub id: WarehouseId,
    /// Organisation.
    pub organisation_id: OrganisationId,
    /// Its name ("Magazyn główny").
    pub name: String,
}

/// A product: one seller SKU (Allegro's offer `external.id`), with its stock per warehouse.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProductStock {
    /// Our id.
    pub id: ProductId,
    /// The seller's SKU.
    pub sku: String,
    /// Its name (the latest offer title seen).
    pub name: String,
    /// Stock per warehouse id (warehouses it never moved in are left out).
    pub stock: Vec<(WarehouseId, i64)>,
    /// Offers that sell it.
    pub offers: Vec<String>,
    /// Goods of annex 15 to the VAT Act (split payment); `None` until the seller says.
    pub annex15: Option<bool>,
}

/// An offer read from Allegro, for the products list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OfferProduct {
    /// Offer id.
    pub offer_id: String,
    /// The seller's SKU (`external.id`).
    pub sku: String,
    /// Offer title.
    pub name: String,
}

/// A line of a goods-issue document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WzLine {
    /// Product.
    pub product_id: ProductId,
    /// Its SKU then.
    pub sku: String,
    /// Its name then.
    pub name: String,
    /// Pieces issued.
    pub quantity: i64,
}

/// A goods-issue document (WZ) for an order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WarehouseDocument {
    /// Our id.
    pub id: String,
    /// Organisation.
    pub organisation_id: OrganisationId,
    /// `WZ`.
    pub kind: String,
    /// `WZ/{n}/{YYYY}`.
    pub number: String,
    /// The order.
    pub order_id: OrderId,
    /// Warehouse the goods left.
    pub warehouse_id: WarehouseId,
    /// `issued` or `cancelled` (stock given back).
    pub state: WzState,
    /// What left.
    pub lines: Vec<WzLine>,
    /// When.
    pub issued_at_ms: i64,
    /// When it was cancelled.
    pub cancelled_at_ms: Option<i64>,
}

/// A WZ to issue.
#[derive(Debug, Clone)]
pub struct NewWz {
    /// Our id.
    pub id: String,
    /// Organisation.
    pub organisation_id: OrganisationId,
    /// The order.
    pub order_id: OrderId,
    /// Warehouse.
    pub warehouse_id: WarehouseId,
    /// Lines (products known).
    pub lines: Vec<WzLine>,
    /// When.
    pub now_ms: i64,
    /// The year it is numbered in.
    pub year: i32,
}

/// One change of stock.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StockMovement {
    /// Our id.
    pub id: String,
    /// Warehouse.
    pub warehouse_id: WarehouseId,
    /// Product.
    pub product_id: ProductId,
    /// Pieces in (positive) or out (negative).
    pub delta: i64,
    /// `receipt`, `adjustment`, `wz` or `wz_cancelled`.
    pub reason: MovementReason,
    /// The document it belongs to.
    pub document_id: Option<String>,
    /// A note (the seller's, or the WZ number).
    pub note: Option<String>,
    /// When.
    pub at_ms: i64,
}

/// A change of stock to write with its movement.
#[derive(Debug, Clone, Copy)]
pub struct StockChange<'a> {
    /// Warehouse.
    pub warehouse_id: &'a WarehouseId,
    /// Product.
    pub product_id: &'a ProductId,
    /// Pieces in (positive) or out (negative).
    pub delta: i64,
    /// `receipt`, `adjustment`, `wz` or `wz_cancelled`.
    pub reason: MovementReason,
    /// The document it belongs to.
    pub document_id: Option<&'a str>,
    /// A note.
    pub note: Option<&'a str>,
    /// When.
    pub at_ms: i64,
}

/// An organisation's warehouse settings.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WarehouseSettings {
    /// The fulfilment status at which an order's WZ is issued; `None`: only by hand.
    pub wz_trigger: Option<String>,
    /// The warehouse goods leave from; `None`: the default one.
    pub warehouse_id: Option<WarehouseId>,
}

impl WzLine {
    /// The stored form: one line each, `product id TAB quantity TAB sku TAB name`.
    pub fn encode(lines: &[WzLine]) -> String {
        let clean = |s: &str| s.replace(['\t', '\n', '\r'], " ");
        lines
            .iter()
            .map(|l| {
                format!(
                    "{}\t{}\t{}\t{}",
                    l.product_id,
                    l.quantity,
                    clean(&l.sku),
                    clean(&l.name)
                )
            })
            .collect::<Vec<_>>()
            .join("\n")
    }

    /// Reads [`WzLine::encode`]'s form back.
    pub fn decode(text: &str) -> Result<Vec<WzLine>, String> {
        text.lines()
            .filter(|l| !l.is_empty())
            .map(|l| {
                let mut parts = l.splitn(4, '\t');
                let (Some(product_id), Some(quantity), Some(sku), Some(name)) =
                    (parts.next(), parts.next(), parts.next(), parts.next())
                else {
                    return Err(format!("a WZ line of fewer than 4 fields: {l:?}"));
                };
                Ok(WzLine {
                    product_id: ProductId::from_stored(product_id.to_owned()),
                    quantity: quantity.parse().map_err(|e| format!("quantity {quantity:?}: {e}"))?,
                    sku: sku.to_owned(),
                    name: name.to_owned(),
                })
            })
            .collect()
    }
}
