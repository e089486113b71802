use std::collections::HashMap;
use std::num::NonZeroU32;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use governor::{DefaultDirectRateLimiter, Quota, RateLimiter};

/// One request budget per Client ID, shared by every account that uses that Client ID:
/// Allegro counts 9 000 requests per minute per Client ID, whoever's token is used (§5).
///
/// Requests are spread evenly (150/s with a burst of 150) rather than spent in the first
/// seconds of a minute, so a busy minute never trips the one-minute block.
#[derive(Debug, Clone)]
pub struct RateBudgets {
    per_minute: NonZeroU32,
    limiters: Arc<Mutex<HashMap<String, Arc<DefaultDirectRateLimiter>>>>,
}

impl Default for RateBudgets {
    fn default() -> Self {
        Self::per_minute(9_000)
    }
}

impl RateBudgets {
    /// Budgets of `requests` per minute per Client ID.
    pub fn per_minute(requests: u32) -> Self {
        Self {
            per_minute: NonZeroU32::new(requests.max(1)).unwrap_or(NonZeroU32::MIN),
            limiters: Arc::default(),
        }
    }

    fn limiter(&self, client_id: &str) -> Arc<DefaultDirectRateLimiter> {
        let mut map = self.limiters.lock().unwrap_or_else(|e| e.into_inner());
        map.entry(client_id.to_owned())
            .or_insert_with(|| {
                let per_second = (self.per_minute.get() / 60).max(1);
                let period = Duration::from_secs(60) / self.per_minute.get();
                let burst = NonZeroU32::new(per_second).unwrap_or(NonZeroU32::MIN);
                let quota = Quota::with_period(period).expect("non-zero period").allow_burst(burst);
                Arc::new(RateLimiter::direct(quota))
            })
            .clone()
    }

    /// Waits until the Client ID may send one more request.
    pub async fn acquire(&self, client_id: &str) {
        self.limiter(client_id).until_ready().await;
    }
}
