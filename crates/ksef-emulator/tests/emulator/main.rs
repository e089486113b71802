//! The KSeF emulator from outside (one test binary): its behaviour call by call, every
//! answer against the official OpenAPI document, UPOs against the official XSD, and an
//! independent client from PyPI.

mod common;
mod conformance;
mod invoices;
mod login;
mod third_party;
mod upo_schema;
