use std::collections::HashMap;
use std::num::NonZeroU32;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use governor::{DefaultDirectRateLimiter, Quota, RateLimiter};

/// One request budget per Client ID and environment, shared by every account that uses
/// that Client ID: Allegro counts 9 000 requests per minute per Client ID, whoever's token
/// is used (§5). Callers key budgets by the environment's API host and the Client ID.
///
/// Requests are spread evenly (150/s with a burst of 150) rather than spent in the first
/// seconds of a minute, so a busy minute never trips the one-minute block.
#[derive(Debug, Clone)]
pub struct RateBudgets {
    per_minute: NonZeroU32,
    limiters: Arc<Mutex<HashMap<String, Arc<DefaultDirectRateLimiter>>>>,
    /// Per Client ID and resource with a per-second limit of its own.
    resources: Arc<Mutex<HashMap<(String, Resource), Limiter>>>,
}

type Limiter = Arc<DefaultDirectRateLimiter>;

/// Resources Allegro limits to 50 requests a second per Client ID (§5), on top of the
/// per-minute budget.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Resource {
    /// `GET`/`POST /order/checkout-forms/{id}/shipments`.
    Shipments,
    /// `GET /order/carriers`.
    Carriers,
}

impl Resource {
    /// The limited resource a path belongs to, if any.
    pub fn of(path: &str) -> Option<Self> {
        if path.starts_with("/order/checkout-forms/") && path.ends_with("/shipments") {
            Some(Self::Shipments)
        } else if path == "/order/carriers" {
            Some(Self::Carriers)
        } else {
            None
        }
    }
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
            resources: Arc::default(),
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

    /// Waits until the Client ID may send one more request to `resource`: one every 21 ms,
    /// evenly, so no one-second window (Allegro counts a sliding one) sees more than 48.
    pub async fn acquire_resource(&self, client_id: &str, resource: Resource) {
        let limiter = {
            let mut map = self.resources.lock().unwrap_or_else(|e| e.into_inner());
            map.entry((client_id.to_owned(), resource))
                .or_insert_with(|| {
                    let quota = Quota::with_period(Duration::from_millis(21)).expect("non-zero period");
                    Arc::new(RateLimiter::direct(quota))
                })
                .clone()
        };
        limiter.until_ready().await;
    }
}

#[cfg(test)]
mod tests {
    use super::Resource;

    #[test]
    fn shipments_and_carriers_have_budgets_of_their_own() {
        assert_eq!(
            Resource::of("/order/checkout-forms/a%2Db/shipments"),
            Some(Resource::Shipments)
        );
        assert_eq!(Resource::of("/order/carriers"), Some(Resource::Carriers));
        assert_eq!(Resource::of("/order/checkout-forms/a/invoices"), None);
        assert_eq!(Resource::of("/order/checkout-forms"), None);
    }
}
