//! A typed async client for KSeF 2.0 that works unchanged against the Ministry's TEST, DEMO
//! and production environments or the offline emulator (any base URL).
//!
//! - [`KsefClient`]: public keys, login with a [`KsefToken`] (challenge, RSA-OAEP of
//!   `token|timestampMs`, the asynchronous status, single-use redeem) → [`Login`].
//! - [`Login`]: an access token kept fresh (refresh before expiry, a new login when the
//!   refresh token is gone), online sessions ([`OnlineSession`]: AES-256-CBC per session),
//!   batch sessions, typed invoice and session statuses, UPOs, invoice download and
//!   metadata queries.
//! - Both error shapes typed ([`KsefError`]); retries on 5xx and timeouts; `Retry-After` on
//!   429; a client-side [`RateLimits`] that keeps each context inside KSeF's documented
//!   per-group limits, so KSeF never has to refuse us.
//! - [`qr`]: KOD I links and KOD II signatures.
#![forbid(unsafe_code)]

mod batch;
mod client;
mod crypto;
mod environment;
mod error;
mod limiter;
mod login;
pub mod qr;
mod session;
mod status;
mod token;

pub use client::{KsefClient, KsefClientBuilder, RetryPolicy};
pub use environment::Environment;
pub use error::{AuthFailure, KsefError};
pub use ksef_api_types as types;
pub use ksef_api_types::{KsefNumber, ReferenceNumber};
pub use limiter::{Group, RateLimits};
pub use login::Login;
pub use session::{OnlineSession, SendOptions, Upo};
pub use status::{InvoiceOutcome, InvoiceState, SessionState};
pub use token::KsefToken;
