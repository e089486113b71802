//! KSeF, the national e-invoicing system (issue #16): the organisation's settings and
//! connection check.

mod scope;
mod settings;

pub(crate) use scope::goes_to_ksef;

pub use settings::{KsefCheck, KsefEnvironment, KsefSettings, KsefSettingsInput};
