//! KSeF, the national e-invoicing system (issue #16): the organisation's settings and
//! connection check.

mod settings;

pub use settings::{KsefCheck, KsefEnvironment, KsefSettings, KsefSettingsInput};
