//! What differs between Allegro's marketplaces.

/// Marketplaces whose buyers may cancel a purchase themselves within
/// [`BUYER_CANCEL_WINDOW_MS`] of buying (allegro.cz, .sk and .hu since 2026-06-17,
/// `research/allegro-2026.md`).
pub const BUYER_CANCEL_MARKETPLACES: [&str; 3] = ["allegro-cz", "allegro-sk", "allegro-hu"];

/// Five minutes after the purchase.
pub const BUYER_CANCEL_WINDOW_MS: i64 = 5 * 60 * 1000;

/// Until when the buyer of an order on `marketplace` bought at `bought_at_ms` may still
/// cancel it themselves; `None` when they cannot (allegro.pl). An invoice waits until then:
/// one issued within the window may have to be corrected at once, and Allegro refuses a
/// correction's upload to an order the buyer cancelled.
pub fn buyer_may_cancel_until(marketplace: Option<&str>, bought_at_ms: i64) -> Option<i64> {
    marketplace
        .filter(|m| BUYER_CANCEL_MARKETPLACES.contains(m))
        .map(|_| bought_at_ms + BUYER_CANCEL_WINDOW_MS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buyers_abroad_have_five_minutes() {
        assert_eq!(buyer_may_cancel_until(Some("allegro-cz"), 1_000), Some(301_000));
        assert_eq!(buyer_may_cancel_until(Some("allegro-pl"), 1_000), None);
        assert_eq!(buyer_may_cancel_until(None, 1_000), None);
    }
}
