//! Warehouses, products, stock movements and WZ documents.

mod records;
mod sql;

use async_trait::async_trait;
use domain::{AccountId, OrderId, OrganisationId, ProductId};

pub use records::*;

use crate::StoreResult;

/// Warehouses, products, stock movements and WZ documents.
#[async_trait]
pub trait WarehouseStore: Send + Sync {
    /// Adds a warehouse; `Conflict` if the organisation has one of that name.
    async fn create_warehouse(&self, warehouse: &Warehouse, now_ms: i64) -> StoreResult<()>;
    /// The organisation's warehouses, oldest first.
    async fn warehouses(&self, org: &OrganisationId) -> StoreResult<Vec<Warehouse>>;
    /// The organisation's first warehouse, made ("Magazyn główny") if it has none.
    async fn default_warehouse(&self, org: &OrganisationId, now_ms: i64) -> StoreResult<Warehouse>;
    /// Stores offers' products: a product per new SKU (its name kept current), each offer
    /// linked to its SKU's product; returns the number of new products.
    async fn upsert_offer_products(
        &self,
        org: &OrganisationId,
        account: &AccountId,
        offers: &[OfferProduct],
        now_ms: i64,
    ) -> StoreResult<u64>;
    /// The organisation's products with their stock, by SKU.
    async fn products(&self, org: &OrganisationId) -> StoreResult<Vec<ProductStock>>;
    /// The product an order line sells: the one its offer is linked to, else the one with
    /// its SKU.
    async fn product_for_offer(
        &self,
        org: &OrganisationId,
        offer_id: &str,
        sku: Option<&str>,
    ) -> StoreResult<Option<ProductStock>>;
    /// Marks a product as goods of annex 15 to the VAT Act or not (`None`: not said);
    /// false if it is not the organisation's.
    async fn set_product_annex15(
        &self,
        org: &OrganisationId,
        product: &ProductId,
        annex15: Option<bool>,
    ) -> StoreResult<bool>;
    /// Changes a product's stock by `delta` (a receipt or a count), with its movement, in
    /// one transaction; returns the new quantity. `Conflict` if the warehouse or product
    /// is not the organisation's.
    async fn adjust_stock(&self, org: &OrganisationId, change: &StockChange<'_>) -> StoreResult<i64>;
    /// Issues an order's WZ exactly once: number, document, movements and stock in one
    /// transaction; an order that has one gets it back (`false`).
    async fn issue_wz(&self, wz: &NewWz) -> StoreResult<(WarehouseDocument, bool)>;
    /// Cancels an order's issued WZ and gives its stock back, once; `None` if it has no
    /// issued WZ.
    async fn cancel_wz(
        &self,
        org: &OrganisationId,
        order_id: &OrderId,
        now_ms: i64,
    ) -> StoreResult<Option<WarehouseDocument>>;
    /// The order's WZ, if issued.
    async fn wz_for_order(&self, org: &OrganisationId, order_id: &OrderId) -> StoreResult<Option<WarehouseDocument>>;
    /// The organisation's warehouse documents, newest first.
    async fn warehouse_documents(&self, org: &OrganisationId, limit: i64) -> StoreResult<Vec<WarehouseDocument>>;
    /// The organisation's stock movements, newest first.
    async fn stock_movements(&self, org: &OrganisationId, limit: i64) -> StoreResult<Vec<StockMovement>>;
    /// The organisation's warehouse settings (defaults if never saved).
    async fn warehouse_settings(&self, org: &OrganisationId) -> StoreResult<WarehouseSettings>;
    /// Saves them.
    async fn save_warehouse_settings(&self, org: &OrganisationId, settings: &WarehouseSettings) -> StoreResult<()>;
    /// Paid orders whose fulfilment reached (or passed) their organisation's WZ trigger
    /// and that have no WZ, oldest first, across organisations; orders whose last attempt
    /// failed wait until their time.
    async fn orders_awaiting_wz(&self, limit: i64, now_ms: i64) -> StoreResult<Vec<(OrganisationId, OrderId)>>;
    /// Cancelled orders whose WZ still holds their stock, across organisations.
    async fn orders_awaiting_wz_cancel(&self, limit: i64) -> StoreResult<Vec<(OrganisationId, OrderId)>>;
}
