//! Data types of Allegro's REST API and OAuth endpoints.
//!
//! Every struct here mirrors a schema of `shared/allegro/openapi.yaml` (named in its `///`
//! line) field for field: JSON names are the spec's camelCase names, money amounts stay
//! strings as the spec types them, and every property the spec does not mark `required` is an
//! `Option`. Allegro sends `null` for absent optional fields, so `None` serialises as `null`.
//!
//! The crate is shared by the typed client (which deserialises) and the emulator (which
//! serialises); both directions are checked against the spec by tests in those crates.
#![forbid(unsafe_code)]

mod common;
mod delivery;
mod invoices;
mod me;
mod oauth;
mod offers;
mod order_events;
mod orders;
pub mod scopes;
mod shipments;
mod time;

pub use common::*;
pub use delivery::*;
pub use invoices::*;
pub use me::*;
pub use oauth::*;
pub use offers::*;
pub use order_events::*;
pub use orders::*;
pub use shipments::*;
pub use time::Instant;

/// The media type Allegro versions its public resources with; required in `Accept`.
pub const MEDIA_TYPE_V1: &str = "application/vnd.allegro.public.v1+json";
