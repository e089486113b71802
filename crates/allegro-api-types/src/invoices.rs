use serde::{Deserialize, Serialize};

use crate::Instant;

/// `CheckFormsNewOrderInvoice`: body of `POST …/invoices` (metadata, step 1 of 2).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CheckFormsNewOrderInvoice {
    /// The file to come.
    pub file: CheckFormsNewOrderInvoiceFile,
    /// Invoice number shown to the buyer.
    #[serde(default)]
    pub invoice_number: Option<String>,
}

/// `CheckFormsNewOrderInvoiceFile`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckFormsNewOrderInvoiceFile {
    /// File name, e.g. `invoice.pdf`.
    pub name: String,
}

/// `CheckFormsNewOrderInvoiceId`: the 201 body of `POST …/invoices`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckFormsNewOrderInvoiceId {
    /// Invoice id to upload the file to.
    pub id: Option<String>,
}

/// `CheckoutFormsOrderInvoices`: `GET …/invoices`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CheckoutFormsOrderInvoices {
    /// REGULAR or UKRAINE_EXPORT.
    pub order_mode: Option<String>,
    /// Invoices attached to the order.
    pub invoices: Option<Vec<CheckoutFormsOrderInvoice>>,
    /// Links to billing documents.
    pub links: Option<Vec<CheckoutFormsOrderLink>>,
    /// Whether invoices were added outside the API.
    pub has_external_invoices: Option<bool>,
}

/// `CheckoutFormsOrderInvoice`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CheckoutFormsOrderInvoice {
    /// Invoice id.
    pub id: Option<String>,
    /// Invoice number.
    pub invoice_number: Option<String>,
    /// When the metadata was added.
    pub created_at: Option<Instant>,
    /// The uploaded file, once there is one.
    pub file: Option<CheckoutFormsOrderInvoiceFile>,
}

/// `CheckoutFormsOrderInvoiceFile`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CheckoutFormsOrderInvoiceFile {
    /// File name.
    pub name: Option<String>,
    /// Upload time.
    pub uploaded_at: Option<Instant>,
    /// Antivirus scan.
    pub security_verification: Option<InvoiceSecurityVerification>,
    /// Content verification (UKRAINE_EXPORT only).
    pub verification: Option<InvoiceVerification>,
}

/// `CheckoutFormsOrderInvoiceFileSecurityVerification`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct InvoiceSecurityVerification {
    /// ACCEPTED, REJECTED or WAITING.
    pub status: Option<String>,
    /// When verified.
    pub verified_at: Option<Instant>,
}

/// `CheckoutFormsOrderInvoiceFileVerification`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InvoiceVerification {
    /// NOT_APPLICABLE in REGULAR mode.
    pub status: Option<String>,
    /// Warnings and errors.
    pub details: Option<Vec<InvoiceVerificationDetail>>,
}

/// `CheckoutFormsOrderInvoiceFileVerificationDetails`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InvoiceVerificationDetail {
    /// WARNING or ERROR.
    #[serde(rename = "type")]
    pub detail_type: Option<String>,
    /// Code.
    pub code: Option<String>,
    /// Message.
    pub message: Option<String>,
}

/// `CheckoutFormsOrderLink`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CheckoutFormsOrderLink {
    /// Link id.
    pub id: Option<String>,
    /// URL.
    pub url: Option<String>,
    /// When added.
    pub created_at: Option<Instant>,
}
