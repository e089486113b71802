//! Invoices: the seller's invoicing profile, issuing invoices and corrections exactly once
//! with gap-free numbers, their FA(3) XML and PDF, and their upload to Allegro.

mod earlier;
mod from_order;
mod issue;
mod rates;
mod terms;
mod uploads;

pub use earlier::EarlierOrders;
pub(crate) use from_order::buyer_of_order;
pub(crate) use issue::day_of;
pub use issue::{IssueOutcome, PdfLanguage, ReceiptGiven};
pub use terms::issued_late;
