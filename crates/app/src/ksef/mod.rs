//! KSeF, the national e-invoicing system (issue #16): the organisation's settings and
//! connection check, which invoices go, and sending them exactly once.

mod batch;
mod connection;
mod offline;
mod resend;
mod scope;
mod sending;
mod settings;
mod status;

pub(crate) use connection::Connections;
pub(crate) use offline::queue_for;
pub(crate) use scope::goes_to_ksef;
pub use sending::{KSEF_PAUSE, KSEF_ROUND, KsefRound};
pub use settings::{KsefCheck, KsefEnvironment, KsefSettings, KsefSettingsInput, OfflineCertificateInfo};
pub use status::{InvoiceInKsef, KsefComparison};
