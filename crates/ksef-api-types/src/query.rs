//! Reading invoices back: metadata query filters and answers.

use serde::{Deserialize, Serialize};

use crate::{FormCode, KsefNumber};

/// `dateRange` of a metadata query.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct InvoiceQueryDateRange {
    /// `Issue`, `Invoicing` or `PermanentStorage`.
    pub date_type: String,
    /// RFC 3339 (without offset: Europe/Warsaw).
    pub from: String,
    /// RFC 3339; at most 3 months after `from`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to: Option<String>,
}

/// `POST /invoices/query/metadata` body (the filters this product uses).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct InvoiceQueryFilters {
    /// `Subject1` (seller), `Subject2` (buyer), `Subject3`, `SubjectAuthorized`.
    pub subject_type: String,
    /// Required range.
    pub date_range: InvoiceQueryDateRange,
    /// One number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ksef_number: Option<String>,
    /// `P_2`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub invoice_number: Option<String>,
}

/// Seller in invoice metadata.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct InvoiceMetadataSeller {
    /// NIP.
    pub nip: String,
    /// Name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}

/// Buyer in invoice metadata.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct InvoiceMetadataBuyer {
    /// `{type: Nip|VatUe|Other|None, value?}`.
    pub identifier: BuyerIdentifier,
    /// Name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}

/// A buyer's identifier.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct BuyerIdentifier {
    /// `Nip`, `VatUe`, `Other`, `None`.
    #[serde(rename = "type")]
    pub kind: String,
    /// The identifier.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
}

/// One invoice in a metadata query answer.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct InvoiceMetadata {
    /// KSeF number.
    pub ksef_number: KsefNumber,
    /// `P_2`.
    pub invoice_number: String,
    /// `P_1`, `YYYY-MM-DD`.
    pub issue_date: String,
    /// RFC 3339.
    pub invoicing_date: String,
    /// RFC 3339.
    pub acquisition_date: String,
    /// RFC 3339.
    pub permanent_storage_date: String,
    /// Podmiot1.
    pub seller: InvoiceMetadataSeller,
    /// Podmiot2.
    pub buyer: InvoiceMetadataBuyer,
    /// Net.
    pub net_amount: f64,
    /// `P_15`.
    pub gross_amount: f64,
    /// VAT.
    pub vat_amount: f64,
    /// `KodWaluty`.
    pub currency: String,
    /// `Online`/`Offline`.
    pub invoicing_mode: String,
    /// `RodzajFaktury`: `Vat`, `Kor`, …
    pub invoice_type: String,
    /// The structure.
    pub form_code: FormCode,
    /// Self-billing.
    pub is_self_invoicing: bool,
    /// `Zalacznik`.
    pub has_attachment: bool,
    /// Base64 SHA-256.
    pub invoice_hash: String,
    /// Technical correction of.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hash_of_corrected_invoice: Option<String>,
}

/// `POST /invoices/query/metadata` → 200.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct QueryInvoicesMetadataResponse {
    /// More pages follow.
    pub has_more: bool,
    /// Stopped at 10 000 records.
    pub is_truncated: bool,
    /// For `PermanentStorage` queries.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub permanent_storage_hwm_date: Option<String>,
    /// The page.
    pub invoices: Vec<InvoiceMetadata>,
}
