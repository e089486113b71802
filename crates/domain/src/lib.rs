//! allegro-bridge's domain: identifiers, statuses, account settings and the clock. Pure:
//! no async, no I/O.
#![forbid(unsafe_code)]

pub mod calendar;
mod eu_vat;
mod ids;
mod invoice;
pub mod ksef_offline;
pub mod marketplace;
mod money;
mod nbp_rate;
mod nip;
mod nrb;
pub mod oss;
#[macro_use]
mod vocabulary;
mod order_status;
mod polling;
mod problem;
mod settings;
mod shipping;
pub mod text;
pub mod time;
mod vat;
mod words;

use std::fmt;
use std::str::FromStr;

pub use eu_vat::EuVatNumber;
pub use ids::*;
pub use invoice::*;
pub use ksef_offline::OfflineMode;
pub use money::{Currency, Money, decimal_text, grouped, parse_decimal};
pub use nbp_rate::NbpRate;
pub use nip::*;
pub use nrb::nrb_is_valid;
pub use order_status::*;
pub use oss::OssRate;
pub use polling::*;
pub use problem::Problem;
pub use settings::*;
pub use shipping::*;
pub use vat::*;
pub use vocabulary::*;
pub use words::*;

/// Time is an input (DESIGN.md): everything that needs "now" gets a `Clock`.
pub trait Clock: Send + Sync + fmt::Debug {
    /// Milliseconds since the Unix epoch.
    fn now_ms(&self) -> i64;
}

/// The wall clock.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now_ms(&self) -> i64 {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
    }
}

/// Where a linked account stands (seed 004's "Status" column).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AccountStatus {
    /// "Aktywne": tokens work.
    Active,
    /// "Wymaga ponownego logowania": Allegro refused our tokens; the seller must link again.
    NeedsRelogin,
    /// "Odłączone": the seller disconnected it; tokens are gone, history stays.
    Disconnected,
}

impl AccountStatus {
    /// Stored and API name.
    pub fn as_str(self) -> &'static str {
        match self {
            AccountStatus::Active => "active",
            AccountStatus::NeedsRelogin => "needs_relogin",
            AccountStatus::Disconnected => "disconnected",
        }
    }
}

impl FromStr for AccountStatus {
    type Err = DomainError;
    fn from_str(s: &str) -> Result<Self, DomainError> {
        match s {
            "active" => Ok(AccountStatus::Active),
            "needs_relogin" => Ok(AccountStatus::NeedsRelogin),
            "disconnected" => Ok(AccountStatus::Disconnected),
            other => Err(DomainError::invalid(
                "account status",
                other,
                "active, needs_relogin, disconnected",
            )),
        }
    }
}

/// Which Allegro a connection talks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Environment {
    /// allegro.pl.
    Production,
    /// allegro.pl.allegrosandbox.pl.
    Sandbox,
    /// Any pair of base URLs (the emulator).
    Custom,
}

impl Environment {
    /// Stored and API name.
    pub fn as_str(self) -> &'static str {
        match self {
            Environment::Production => "production",
            Environment::Sandbox => "sandbox",
            Environment::Custom => "custom",
        }
    }
}

impl FromStr for Environment {
    type Err = DomainError;
    fn from_str(s: &str) -> Result<Self, DomainError> {
        match s {
            "production" => Ok(Environment::Production),
            "sandbox" => Ok(Environment::Sandbox),
            "custom" => Ok(Environment::Custom),
            other => Err(DomainError::invalid(
                "environment",
                other,
                "production, sandbox, custom",
            )),
        }
    }
}

/// How a connection gets its OAuth app.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ConnectionMode {
    /// The seller registered their own app (seed 000) and pasted Client ID and Secret.
    OwnApp,
    /// The operator's one app for everybody (seed 004).
    ServiceApp,
}

impl ConnectionMode {
    /// Stored and API name.
    pub fn as_str(self) -> &'static str {
        match self {
            ConnectionMode::OwnApp => "own_app",
            ConnectionMode::ServiceApp => "service_app",
        }
    }
}

impl FromStr for ConnectionMode {
    type Err = DomainError;
    fn from_str(s: &str) -> Result<Self, DomainError> {
        match s {
            "own_app" => Ok(ConnectionMode::OwnApp),
            "service_app" => Ok(ConnectionMode::ServiceApp),
            other => Err(DomainError::invalid("connection mode", other, "own_app, service_app")),
        }
    }
}

/// A value that does not parse, with what was expected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid {what} {value:?}: expected {expected}")]
pub struct DomainError {
    /// What was being parsed.
    pub what: &'static str,
    /// The value given.
    pub value: String,
    /// What would have been accepted.
    pub expected: String,
}

impl DomainError {
    /// An invalid `what`.
    pub fn invalid(what: &'static str, value: &str, expected: &str) -> Self {
        Self {
            what,
            value: value.chars().take(200).collect(),
            expected: expected.to_owned(),
        }
    }
}
