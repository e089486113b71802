//! A typed client for Allegro's OAuth and REST API that works unchanged against
//! allegro.pl, the sandbox, or the offline emulator (any pair of base URLs).
//!
//! - [`OAuthClient`]: authorization URL with `state` and PKCE S256, code exchange, device
//!   flow, refresh (the rotated pair), client credentials; [`TokenSet::claims`] decodes the
//!   JWT for information.
//! - [`Allegro`] + [`Account`]: the REST endpoints this product uses, with Allegro's headers,
//!   typed errors for both error shapes, retries with backoff and jitter, per-request
//!   timeouts, and one request budget per Client ID shared by every account using it.
#![forbid(unsafe_code)]

mod budget;
mod environment;
mod error;
mod oauth;
mod rest;

pub use allegro_api_types as types;
pub use budget::RateBudgets;
pub use environment::Environment;
pub use error::{AllegroError, OAuthError};
pub use oauth::{DeviceAuthorization, DevicePoll, OAuthClient, Pkce, TokenSet, decode_claims};
pub use rest::{
    Account, Allegro, AllegroBuilder, CheckoutFormsQuery, MAX_RESULT_WINDOW, ORDER_RETENTION_MS, OrderSort, RetryPolicy,
};
