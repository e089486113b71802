//! Invoices and corrections, their numbering, uploads to Allegro, the invoicing profile and NBP rates.

mod records;
mod sql;

use async_trait::async_trait;
use domain::{InvoiceId, InvoiceKind, OrderId, OrganisationId};

pub use records::*;

use crate::{OrderRecord, StoreResult};

/// Invoices and corrections, their numbering, uploads to Allegro, the invoicing profile and NBP rates.
#[async_trait]
pub trait InvoiceStore: Send + Sync {
    /// Saves the organisation's invoicing profile (JSON).
    async fn save_invoicing_profile(&self, org: &OrganisationId, data: &str, now_ms: i64) -> StoreResult<()>;
    /// The organisation's invoicing profile (JSON), if saved.
    async fn invoicing_profile(&self, org: &OrganisationId) -> StoreResult<Option<String>>;
    /// Issues an invoice exactly once per (order, kind): in one transaction the series'
    /// counter for the period moves by one and the invoice is stored with that number;
    /// if the order already has one, it is returned and no number is used.
    async fn issue_invoice(&self, invoice: &NewInvoice) -> StoreResult<Issued>;
    /// The numbers of the invoices and corrections of `orders` (one page of the orders
    /// list), oldest first per order.
    async fn invoice_numbers(&self, org: &OrganisationId, orders: &[OrderId]) -> StoreResult<Vec<(OrderId, String)>>;
    /// Gives invoices stored before the buyer search key existed their key (at most
    /// `limit`); how many it filled. Called when the store opens, until none is left.
    async fn fill_buyer_keys(&self, limit: i64) -> StoreResult<u64>;
    /// The organisation's invoices matching `filter`, newest first: one page and the total.
    async fn invoices(
        &self,
        org: &OrganisationId,
        filter: &InvoiceFilter,
        offset: i64,
        limit: i64,
    ) -> StoreResult<(Vec<InvoiceRecord>, i64)>;
    /// One invoice of the organisation.
    async fn invoice(&self, org: &OrganisationId, id: &InvoiceId) -> StoreResult<Option<InvoiceRecord>>;
    /// The order's invoice of `kind` (`vat`, `correction`), if issued.
    async fn invoice_for_order(
        &self,
        org: &OrganisationId,
        order_id: &OrderId,
        kind: InvoiceKind,
    ) -> StoreResult<Option<InvoiceRecord>>;
    /// Orders due a VAT invoice, oldest purchase first, across organisations: the account is
    /// on ("Włącz"), the buyer asked for an invoice (or the account invoices every order), the order is paid and its fulfilment
    /// has reached the account's trigger status (or gone past it), the
    /// organisation has an invoicing profile, the order has no VAT invoice yet, and no
    /// failed attempt ([`crate::OrderStore::postpone_order_task`]) asks to wait past `now_ms`.
    async fn orders_awaiting_invoice(&self, limit: i64, now_ms: i64) -> StoreResult<Vec<(OrganisationId, OrderId)>>;
    /// The organisation's orders that would be due a VAT invoice but that automatic
    /// invoicing leaves alone — they met their trigger before it was switched on, or an
    /// import stored them — oldest purchase first: what "Wystaw faktury dla wcześniejszych
    /// zamówień" issues.
    async fn earlier_orders_to_invoice(&self, org: &OrganisationId, limit: i64) -> StoreResult<Vec<OrderRecord>>;
    /// Claims up to `limit` invoices whose upload to Allegro is due at `now_ms`, oldest
    /// first, holding them until `lease_until_ms` (another process skips them meanwhile).
    async fn claim_due_uploads(&self, now_ms: i64, lease_until_ms: i64, limit: i64) -> StoreResult<Vec<InvoiceRecord>>;
    /// Keeps Allegro's id of the invoice's metadata (step 1 of the upload done).
    async fn save_allegro_invoice_id(
        &self,
        invoice_id: &InvoiceId,
        allegro_invoice_id: Option<&str>,
    ) -> StoreResult<()>;
    /// Records how an upload attempt ended.
    async fn finish_upload(&self, invoice_id: &InvoiceId, outcome: &crate::Delivery) -> StoreResult<()>;
    /// "Wyślij ponownie": a refused or waiting upload is tried again now; false if the
    /// invoice is already on Allegro (or is not the organisation's, or never goes there).
    async fn resend_invoice(&self, org: &OrganisationId, id: &InvoiceId, now_ms: i64) -> StoreResult<bool>;
    /// Cancelled orders, and orders Allegro marks returned (every item returned and
    /// refunded), that have a VAT invoice but no correction yet, oldest first.
    async fn orders_awaiting_correction(&self, limit: i64) -> StoreResult<Vec<(OrganisationId, OrderId)>>;
}
