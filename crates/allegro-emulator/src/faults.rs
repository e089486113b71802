//! Fault injection, Allegro's rate limits and request statistics.

use std::collections::{BTreeMap, HashMap};

use serde::{Deserialize, Serialize};

/// Faults and journal quirks, set with `PUT /__emulator/faults`. Rates are shares 0.0–1.0.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct Faults {
    /// Share of API requests answered 429.
    pub rate_429: f64,
    /// Share of API requests answered 500/502/503.
    pub rate_5xx: f64,
    /// Latency added to every API request, in milliseconds.
    pub latency_ms: u64,
    /// Latency added to the token endpoint, in milliseconds.
    pub token_latency_ms: u64,
    /// Share of token-endpoint requests answered 503.
    pub token_rate_5xx: f64,
    /// Share of READY_FOR_PROCESSING events never written to the journal (GH#8586).
    pub skip_ready_for_processing: f64,
    /// Share of events written twice under different ids (GH#2818).
    pub duplicate_events: f64,
    /// Share of events delivered late, after a later event (ORD-TUT).
    pub out_of_order_events: f64,
}

impl Faults {
    /// Checks every share is within 0.0–1.0.
    pub fn validate(&self) -> Result<(), String> {
        for (name, v) in [
            ("rate_429", self.rate_429),
            ("rate_5xx", self.rate_5xx),
            ("token_rate_5xx", self.token_rate_5xx),
            ("skip_ready_for_processing", self.skip_ready_for_processing),
            ("duplicate_events", self.duplicate_events),
            ("out_of_order_events", self.out_of_order_events),
        ] {
            if !(0.0..=1.0).contains(&v) {
                return Err(format!("{name} must be between 0.0 and 1.0, got {v}"));
            }
        }
        Ok(())
    }
}

/// Tunable limits and lifetimes, set with `PUT /__emulator/settings`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct Settings {
    /// Access-token lifetime (Allegro: 43 199 s, i.e. 12 h).
    pub access_token_ttl_seconds: i64,
    /// Refresh-token lifetime (Allegro: 90 days).
    pub refresh_token_ttl_seconds: i64,
    /// Global requests per minute per Client ID (Allegro: 9 000).
    pub requests_per_minute: u32,
    /// How long a Client ID is blocked after exceeding it (Allegro: 60 s).
    pub block_seconds: i64,
    /// Requests per second per Client ID on shipments and carriers (Allegro: 50).
    pub shipments_per_second: u32,
    /// Tokens one user may be issued per hour before the token endpoint answers 429.
    pub tokens_per_user_per_hour: u32,
    /// How long a used refresh token still works (Allegro: 60 s). 0 makes any second use
    /// an `invalid_grant`, which tests use to catch double refreshes.
    pub refresh_grace_seconds: i64,
    /// When not empty, `GET /order/carriers` lists only these ids: an emulator standing in
    /// for a fake "Allegro" (tests of one tenant poisoning another's carriers).
    pub carriers_only: Vec<String>,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            access_token_ttl_seconds: 43_199,
            refresh_token_ttl_seconds: 90 * 86_400,
            requests_per_minute: 9_000,
            block_seconds: 60,
            shipments_per_second: 50,
            tokens_per_user_per_hour: 2_000,
            refresh_grace_seconds: 60,
            carriers_only: Vec::new(),
        }
    }
}

/// Per-Client-ID rate state: a sliding minute of per-second buckets and a block.
#[derive(Debug)]
struct ClientRate {
    buckets: [(i64, u32); 60],
    blocked_until_ms: i64,
    /// Times (ms) of the admitted shipments/carriers requests in the last second: a
    /// sliding window, so a burst is limited wherever it falls against the clock's seconds.
    shipments_recent: std::collections::VecDeque<i64>,
}

impl Default for ClientRate {
    fn default() -> Self {
        Self {
            buckets: [(i64::MIN, 0); 60],
            blocked_until_ms: 0,
            shipments_recent: std::collections::VecDeque::new(),
        }
    }
}

/// Why a request was refused by the rate limiter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Throttle {
    /// The Client ID exceeded its per-minute budget and is blocked.
    Blocked,
    /// Over 50 req/s on shipments or carriers.
    PerSecond,
}

/// Rate limiter and counters.
#[derive(Debug, Default)]
pub struct Traffic {
    rates: HashMap<String, ClientRate>,
    /// Requests per endpoint (`METHOD /path/template`).
    pub by_endpoint: BTreeMap<String, u64>,
    /// Requests per Client ID.
    pub by_client: BTreeMap<String, u64>,
    /// Responses per status code.
    pub by_status: BTreeMap<u16, u64>,
    /// All requests counted.
    pub total: u64,
    /// 429s sent because of the rate limit (not injected ones).
    pub throttled: u64,
    /// Token-endpoint answers by OAuth error code (`ok`, `invalid_grant`, …).
    pub oauth_outcomes: BTreeMap<String, u64>,
}

impl Traffic {
    /// Counts a request and checks Allegro's limits for its Client ID.
    pub fn admit(
        &mut self,
        client_id: Option<&str>,
        endpoint: &str,
        per_second_limited: bool,
        now_ms: i64,
        settings: &Settings,
    ) -> Result<(), Throttle> {
        self.total += 1;
        *self.by_endpoint.entry(endpoint.to_owned()).or_default() += 1;
        let Some(client_id) = client_id else { return Ok(()) };
        *self.by_client.entry(client_id.to_owned()).or_default() += 1;
        let rate = self.rates.entry(client_id.to_owned()).or_default();
        if now_ms < rate.blocked_until_ms {
            // Requests during a block extend it (staff, GH#3454).
            rate.blocked_until_ms = now_ms + settings.block_seconds * 1000;
            self.throttled += 1;
            return Err(Throttle::Blocked);
        }
        let second = now_ms.div_euclid(1000);
        let slot = &mut rate.buckets[second.rem_euclid(60) as usize];
        if slot.0 != second {
            *slot = (second, 0);
        }
        slot.1 += 1;
        let in_window: u32 = rate
            .buckets
            .iter()
            .filter(|(s, _)| *s > second - 60)
            .map(|(_, n)| n)
            .sum();
        if in_window > settings.requests_per_minute {
            rate.blocked_until_ms = now_ms + settings.block_seconds * 1000;
            self.throttled += 1;
            return Err(Throttle::Blocked);
        }
        if per_second_limited {
            while rate.shipments_recent.front().is_some_and(|t| *t <= now_ms - 1000) {
                rate.shipments_recent.pop_front();
            }
            if rate.shipments_recent.len() >= settings.shipments_per_second as usize {
                self.throttled += 1;
                return Err(Throttle::PerSecond);
            }
            rate.shipments_recent.push_back(now_ms);
        }
        Ok(())
    }

    /// Counts a request to an endpoint outside the API guard (the token endpoint), with
    /// the OAuth error code of its answer (`ok` on success).
    pub fn count_oauth(&mut self, endpoint: &str, outcome: &str) {
        *self.by_endpoint.entry(endpoint.to_owned()).or_default() += 1;
        *self.oauth_outcomes.entry(outcome.to_owned()).or_default() += 1;
    }

    /// Counts a response status.
    pub fn record_status(&mut self, status: u16) {
        *self.by_status.entry(status).or_default() += 1;
    }
}
