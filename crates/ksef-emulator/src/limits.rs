//! KSeF's rate limits: per (context, client IP) and endpoint group, three sliding windows
//! (second, minute, hour) at once; 429 with `Retry-After` when one is full. Public
//! endpoints (challenge, token login, keys, test data) allow 60 requests a second per IP.

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::net::IpAddr;

use ksef_api_types::RateLimitValues;
use serde::{Deserialize, Serialize};

/// An endpoint group of `GET /rate-limits` (and the unauthenticated one).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Group {
    /// Open/close online sessions.
    OnlineSession,
    /// Open/close batch sessions.
    BatchSession,
    /// Send an invoice.
    InvoiceSend,
    /// Invoice status.
    InvoiceStatus,
    /// Session list.
    SessionList,
    /// A session's invoices.
    SessionInvoiceList,
    /// Session status and UPOs.
    SessionMisc,
    /// Query metadata.
    InvoiceMetadata,
    /// Start an export.
    InvoiceExport,
    /// Export status.
    InvoiceExportStatus,
    /// Download an invoice.
    InvoiceDownload,
    /// Everything else that needs a token.
    Other,
    /// Authentication, keys and test data: 60/s per IP.
    Public,
}

/// The production limits (`ksef_api_types::PRODUCTION_RATE_LIMITS`, by group name).
pub fn production() -> BTreeMap<Group, RateLimitValues> {
    ksef_api_types::PRODUCTION_RATE_LIMITS
        .iter()
        .filter_map(|(name, values)| {
            let group = serde_json::from_value::<Group>(serde_json::Value::String((*name).to_owned())).ok()?;
            Some((group, *values))
        })
        .collect()
}

/// The limits in effect and the requests counted against them.
#[derive(Debug)]
pub struct RateLimiter {
    /// Whether limits apply at all (`PUT /__ksef/settings {"rateLimits": false}` turns
    /// them off for benchmarks of the emulator itself).
    pub enabled: bool,
    /// Per group.
    pub limits: BTreeMap<Group, RateLimitValues>,
    windows: HashMap<(String, IpAddr, Group), VecDeque<i64>>,
}

impl Default for RateLimiter {
    fn default() -> Self {
        Self {
            enabled: true,
            limits: production(),
            windows: HashMap::new(),
        }
    }
}

/// Why a request was refused: the window and how long until it has room.
#[derive(Debug)]
pub struct Throttled {
    /// Seconds to wait.
    pub retry_after_s: i64,
    /// KSeF's wording.
    pub detail: String,
}

impl RateLimiter {
    /// Counts a request of `context` (a NIP, or empty for public calls) from `ip` in
    /// `group` at `now`, or refuses it. A refused request is not counted.
    pub fn check(&mut self, context: &str, ip: IpAddr, group: Group, now: i64) -> Result<(), Throttled> {
        if !self.enabled {
            return Ok(());
        }
        let Some(limit) = self.limits.get(&group).copied() else {
            return Ok(());
        };
        let window = self.windows.entry((context.to_owned(), ip, group)).or_default();
        while window.front().is_some_and(|&t| t <= now - crate::clock::HOUR_MS) {
            window.pop_front();
        }
        for (span_ms, max, unit) in [
            (1_000, limit.per_second, "sekundę"),
            (crate::clock::MINUTE_MS, limit.per_minute, "minutę"),
            (crate::clock::HOUR_MS, limit.per_hour, "godzinę"),
        ] {
            let max = max as usize;
            let in_window = window.iter().rev().take_while(|&&t| t > now - span_ms).count();
            if in_window >= max {
                // The request that frees a place is the oldest one still inside the window.
                let oldest = window[window.len() - in_window];
                let wait_ms = oldest + span_ms - now;
                let retry_after_s = (wait_ms + 999) / 1000;
                return Err(Throttled {
                    retry_after_s: retry_after_s.max(1),
                    detail: format!(
                        "Przekroczono limit {max} żądań na {unit}. Spróbuj ponownie po {} sekundach.",
                        retry_after_s.max(1)
                    ),
                });
            }
        }
        window.push_back(now);
        Ok(())
    }

    /// Forgets every counted request (used when limits change).
    pub fn reset(&mut self) {
        self.windows.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_hourly_window_slides() {
        let ip = IpAddr::from([127, 0, 0, 1]);
        let mut limiter = RateLimiter::default();
        let mut t = 0;
        let mut accepted = 0;
        // One send every 2.1 s keeps within 10/s and 30/min; the hour allows 180.
        while accepted < 180 {
            limiter.check("1111111111", ip, Group::InvoiceSend, t).unwrap();
            accepted += 1;
            t += 2_100;
        }
        let refused = limiter.check("1111111111", ip, Group::InvoiceSend, t).unwrap_err();
        assert!(refused.detail.contains("godzinę"), "{}", refused.detail);
        // The first send leaves the window an hour after it was made.
        assert!(
            limiter
                .check("1111111111", ip, Group::InvoiceSend, crate::clock::HOUR_MS + 1)
                .is_ok()
        );
        // Another context has its own budget.
        assert!(limiter.check("2222222222", ip, Group::InvoiceSend, t).is_ok());
    }

    #[test]
    fn per_second_limit_says_when_to_come_back() {
        let ip = IpAddr::from([127, 0, 0, 1]);
        let mut limiter = RateLimiter::default();
        for i in 0..10 {
            limiter.check("x", ip, Group::InvoiceSend, 1_000 + i).unwrap();
        }
        let refused = limiter.check("x", ip, Group::InvoiceSend, 1_500).unwrap_err();
        assert_eq!(refused.retry_after_s, 1);
    }
}
