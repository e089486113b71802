//! Waybills (shipment numbers) and their push to Allegro.

mod records;
mod sql;

use async_trait::async_trait;
use domain::{AccountId, OrderId, OrganisationId, ShipmentId};

pub use records::*;

use crate::StoreResult;

/// Waybills (shipment numbers) and their push to Allegro.
#[async_trait]
pub trait ShipmentStore: Send + Sync {
    /// Stores a waybill unless the order already has this carrier's number; returns the
    /// stored waybill and whether it is new.
    async fn add_shipment(&self, shipment: &NewShipment) -> StoreResult<(ShipmentRecord, bool)>;
    /// The order's waybills, oldest first.
    async fn order_shipments(&self, org: &OrganisationId, order_id: &OrderId) -> StoreResult<Vec<ShipmentRecord>>;
    /// One waybill of the organisation.
    async fn shipment(&self, org: &OrganisationId, id: &ShipmentId) -> StoreResult<Option<ShipmentRecord>>;
    /// Claims up to `limit` waybills whose push is due at `now_ms`, oldest first, holding
    /// them until `lease_until_ms` and counting the attempt.
    async fn claim_due_pushes(&self, now_ms: i64, lease_until_ms: i64, limit: i64) -> StoreResult<Vec<ShipmentRecord>>;
    /// Records how a push attempt ended.
    async fn finish_push(&self, shipment_id: &ShipmentId, outcome: &crate::Delivery) -> StoreResult<()>;
    /// Sends a refused or waiting waybill again now; false if it is already on Allegro
    /// (or is not the organisation's, or never goes there).
    async fn resend_shipment(&self, org: &OrganisationId, id: &ShipmentId, now_ms: i64) -> StoreResult<bool>;
    /// Makes the account's waiting pushes due now (it was connected again).
    async fn wake_account_pushes(&self, account: &AccountId, now_ms: i64) -> StoreResult<u64>;
}
