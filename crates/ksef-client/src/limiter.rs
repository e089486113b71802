//! The client's side of KSeF's rate limits: per context and endpoint group, three sliding
//! windows (second, minute, hour) at once. A request waits here until every window has
//! room, so KSeF never has to refuse it; shared by every clone of a [`crate::KsefClient`].

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::sync::Arc;
use std::time::Duration;

use ksef_api_types::RateLimitValues;
use parking_lot::Mutex;
use tokio::time::Instant;

/// KSeF's endpoint groups (`GET /rate-limits`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Group {
    /// Open/close online sessions.
    OnlineSession,
    /// Open/close batch sessions.
    BatchSession,
    /// Send an invoice.
    InvoiceSend,
    /// Invoice status.
    InvoiceStatus,
    /// A session's invoices.
    SessionInvoiceList,
    /// Session status and UPOs.
    SessionMisc,
    /// Query metadata.
    InvoiceMetadata,
    /// Download an invoice.
    InvoiceDownload,
    /// Everything else with a token.
    Other,
    /// Authentication and keys: 60/s per IP.
    Public,
}

impl Group {
    /// The group named as `GET /rate-limits` names it; `None` for groups this client
    /// never calls.
    pub fn from_name(name: &str) -> Option<Self> {
        Some(match name {
            "onlineSession" => Group::OnlineSession,
            "batchSession" => Group::BatchSession,
            "invoiceSend" => Group::InvoiceSend,
            "invoiceStatus" => Group::InvoiceStatus,
            "sessionInvoiceList" => Group::SessionInvoiceList,
            "sessionMisc" => Group::SessionMisc,
            "invoiceMetadata" => Group::InvoiceMetadata,
            "invoiceDownload" => Group::InvoiceDownload,
            "other" => Group::Other,
            "public" => Group::Public,
            _ => return None,
        })
    }
}

/// The production limits (`ksef_api_types::PRODUCTION_RATE_LIMITS`).
pub fn production() -> BTreeMap<Group, RateLimitValues> {
    ksef_api_types::PRODUCTION_RATE_LIMITS
        .iter()
        .filter_map(|(name, values)| Some((Group::from_name(name)?, *values)))
        .collect()
}

/// Arrival at KSeF may lag the send by a network hop; keeping this much further apart
/// than the limit asks makes sure KSeF's window never sees two requests closer.
const MARGIN: Duration = Duration::from_millis(150);

#[derive(Debug, Default)]
struct Windows {
    limits: BTreeMap<Group, RateLimitValues>,
    sent: HashMap<(String, Group), VecDeque<Instant>>,
}

/// Shared, per-context request windows.
#[derive(Debug, Clone)]
pub struct RateLimits(Arc<Mutex<Windows>>);

impl Default for RateLimits {
    fn default() -> Self {
        Self::with(production())
    }
}

impl RateLimits {
    /// Windows with these limits (e.g. what `GET /rate-limits` reported).
    pub fn with(limits: BTreeMap<Group, RateLimitValues>) -> Self {
        Self(Arc::new(Mutex::new(Windows {
            limits,
            sent: HashMap::new(),
        })))
    }

    /// No limits (for tests of the emulator's own refusals).
    pub fn unlimited() -> Self {
        Self::with(BTreeMap::new())
    }

    /// Replaces one group's limits.
    pub fn set(&self, group: Group, values: RateLimitValues) {
        self.0.lock().limits.insert(group, values);
    }

    /// How long a request of `context` in `group` must wait now; zero means it was
    /// counted and may go.
    fn try_take(&self, context: &str, group: Group, now: Instant) -> Duration {
        let mut w = self.0.lock();
        let Some(limit) = w.limits.get(&group).copied() else {
            return Duration::ZERO;
        };
        let sent = w.sent.entry((context.to_owned(), group)).or_default();
        let hour = Duration::from_secs(3600) + MARGIN;
        while sent.front().is_some_and(|&t| now.duration_since(t) >= hour) {
            sent.pop_front();
        }
        let mut wait = Duration::ZERO;
        for (span, max) in [
            (Duration::from_secs(1), limit.per_second),
            (Duration::from_secs(60), limit.per_minute),
            (Duration::from_secs(3600), limit.per_hour),
        ] {
            let span = span + MARGIN;
            let max = max as usize;
            let inside = sent.iter().rev().take_while(|&&t| now.duration_since(t) < span).count();
            if max > 0 && inside >= max {
                let oldest = sent[sent.len() - inside];
                wait = wait.max(span.saturating_sub(now.duration_since(oldest)));
            }
        }
        if wait.is_zero() {
            sent.push_back(now);
        }
        wait
    }

    /// How many requests of `context` in `group` could go now without waiting (all three
    /// windows have room for them); `u32::MAX` for a group without limits.
    pub fn room(&self, context: &str, group: Group) -> u32 {
        let w = self.0.lock();
        let Some(limit) = w.limits.get(&group).copied() else {
            return u32::MAX;
        };
        let now = Instant::now();
        let sent = w.sent.get(&(context.to_owned(), group));
        [
            (Duration::from_secs(1), limit.per_second),
            (Duration::from_secs(60), limit.per_minute),
            (Duration::from_secs(3600), limit.per_hour),
        ]
        .into_iter()
        .filter(|(_, max)| *max > 0)
        .map(|(span, max)| {
            let span = span + MARGIN;
            let inside = sent.map_or(0, |s| {
                s.iter().rev().take_while(|&&t| now.duration_since(t) < span).count()
            });
            (max as usize).saturating_sub(inside) as u32
        })
        .min()
        .unwrap_or(u32::MAX)
    }

    /// Waits until a request of `context` in `group` may go, and counts it.
    pub async fn acquire(&self, context: &str, group: Group) {
        loop {
            let wait = self.try_take(context, group, Instant::now());
            if wait.is_zero() {
                return;
            }
            tracing::debug!(
                ?group,
                wait_ms = wait.as_millis() as u64,
                "waiting for KSeF's rate limit"
            );
            tokio::time::sleep(wait).await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn an_hour_of_sending_keeps_to_180() {
        let limits = RateLimits::default();
        let start = Instant::now();
        for _ in 0..181 {
            limits.acquire("1111111111", Group::InvoiceSend).await;
        }
        // The 181st send waits until the first has left the hour's window.
        assert!(start.elapsed() >= Duration::from_secs(3600), "{:?}", start.elapsed());
        // 30 a minute: the first 30 go at once, the 31st a minute later.
        let limits = RateLimits::default();
        let start = Instant::now();
        for _ in 0..31 {
            limits.acquire("x", Group::InvoiceSend).await;
        }
        let took = start.elapsed();
        assert!(
            took >= Duration::from_secs(60) && took < Duration::from_secs(62),
            "{took:?}"
        );
    }
}
