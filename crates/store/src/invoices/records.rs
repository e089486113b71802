use domain::{AccountId, InvoiceId, InvoiceKind, OrderId, OrganisationId};

/// An invoice to issue: the store gives it the next number of its series and period in
/// the same transaction, unless the order already has one of this kind.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewInvoice {
    /// Id (UUID).
    pub id: InvoiceId,
    /// Organisation.
    pub organisation_id: OrganisationId,
    /// The order's account.
    pub account_id: AccountId,
    /// The order.
    pub order_id: OrderId,
    /// `vat` or `correction`.
    pub kind: InvoiceKind,
    /// Numbering pattern.
    pub series: domain::InvoiceSeries,
    /// Issue year (numbering period).
    pub year: i32,
    /// Issue month (numbering period).
    pub month: u8,
    /// Issue date `YYYY-MM-DD`.
    pub issue_date: String,
    /// Currency.
    pub currency: String,
    /// Total gross.
    pub total_minor: i64,
    /// Buyer's name (for the list and search).
    pub buyer_name: String,
    /// The invoice's content (domain::Invoice as JSON; its number is the record's).
    pub document: String,
    /// Whether it goes to the Allegro order (false for orders from files).
    pub upload: bool,
    /// Goes to KSeF, and how: a submission is queued in the same transaction.
    pub ksef: Option<crate::KsefQueue>,
    /// Now.
    pub now_ms: i64,
}

/// An issued invoice.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvoiceRecord {
    /// Id.
    pub id: InvoiceId,
    /// Organisation.
    pub organisation_id: OrganisationId,
    /// Account.
    pub account_id: AccountId,
    /// Order.
    pub order_id: OrderId,
    /// `vat` or `correction`.
    pub kind: InvoiceKind,
    /// The number, e.g. `FV/7/11/2026`.
    pub number: String,
    /// Issue date.
    pub issue_date: String,
    /// Currency.
    pub currency: String,
    /// Total gross.
    pub total_minor: i64,
    /// Buyer.
    pub buyer_name: String,
    /// Content (JSON).
    pub document: String,
    /// Created.
    pub created_at_ms: i64,
    /// Sending it to the Allegro order.
    pub upload: InvoiceUpload,
}

/// Which invoices a list shows; empty fields do not filter.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct InvoiceFilter {
    /// Part of the number (`FV/12`), matched literally.
    pub number: String,
    /// Part of the buyer's name, any case.
    pub buyer: String,
    /// `vat` or `correction`.
    pub kind: Option<InvoiceKind>,
    /// Issued on or after (`YYYY-MM-DD`).
    pub from: Option<String>,
    /// Issued on or before (`YYYY-MM-DD`).
    pub to: Option<String>,
    /// Where the upload to Allegro stands.
    pub upload: Option<UploadState>,
    /// Where the invoice stands with KSeF.
    pub ksef: Option<crate::KsefFilter>,
}

/// Where sending an invoice's PDF to its Allegro order stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UploadState {
    /// To be sent (again after `next_at_ms` when an attempt failed).
    Pending,
    /// Attached to the order.
    Uploaded,
    /// Allegro will not take it (e.g. the order was cancelled); sent again only by hand.
    Refused,
    /// The order did not come from Allegro (a file import).
    NotApplicable,
}

impl UploadState {
    /// The stored word.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Uploaded => "uploaded",
            Self::Refused => "refused",
            Self::NotApplicable => "not_applicable",
        }
    }
}

impl std::str::FromStr for UploadState {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "pending" => Ok(Self::Pending),
            "uploaded" => Ok(Self::Uploaded),
            "refused" => Ok(Self::Refused),
            "not_applicable" => Ok(Self::NotApplicable),
            other => Err(format!("unknown upload state {other:?}")),
        }
    }
}

/// An invoice's upload to Allegro.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvoiceUpload {
    /// Where it stands.
    pub state: UploadState,
    /// Allegro's id of the invoice metadata, once added (`POST …/invoices`).
    pub allegro_invoice_id: Option<String>,
    /// Failed attempts so far.
    pub attempts: i64,
    /// When it is tried next (pending) — or until when a worker holds it.
    pub next_at_ms: i64,
    /// Why the last attempt failed.
    pub error: Option<String>,
    /// When the file was accepted.
    pub uploaded_at_ms: Option<i64>,
}

impl InvoiceRecord {
    /// A file name for the invoice: its number with `/`, `\` and spaces as `_`, and `ext`.
    pub fn file_name(&self, ext: &str) -> String {
        format!("{}.{ext}", self.number.replace(['/', '\\', ' '], "_"))
    }
}

/// What issuing did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Issued {
    /// A new invoice with the next number.
    New(InvoiceRecord),
    /// The order already had one of this kind; nothing changed.
    Existing(InvoiceRecord),
}
