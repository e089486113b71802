//! The vocabulary of KSeF 2.0 (the official OpenAPI document, `shared/ksef/api/open-api.json`)
//! shared by `ksef-client` and `ksef-emulator`: request and response bodies with the
//! document's field names, both error shapes, and the identifiers that parse rather than
//! validate — [`KsefNumber`] (with its CRC-8) and [`ReferenceNumber`].
#![forbid(unsafe_code)]

mod bodies;
mod errors;
mod numbers;
mod query;
mod rate_limits;

pub use bodies::*;
pub use errors::*;
pub use numbers::{KsefNumber, NumberError, ReferenceNumber, crc8, nip_shape};
pub use query::*;
pub use rate_limits::*;
