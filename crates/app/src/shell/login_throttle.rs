//! Failed logins slow down, then lock, per account and per address — counted in the
//! database so every server process sees them.
//!
//! Per account: 5 free attempts within 15 minutes, then waits of 2, 4, 8, 16 and 32
//! seconds between attempts, and from the 10th failure a 15-minute lock — the right
//! password included, or guessing would go on. Per address the limits are looser (offices
//! share one address): 20 free, then growing waits, locked from the 50th failure.
//! A refused attempt does not check the password and is not counted.

use std::net::IpAddr;

use store::LoginFailures;

use crate::{App, AppError};

/// How long failures are remembered, and how long a lock lasts.
pub const LOCK_MS: i64 = 15 * 60_000;

#[derive(Debug, Clone, Copy)]
struct Rule {
    free: i64,
    lock_at: i64,
}

const ACCOUNT: Rule = Rule { free: 5, lock_at: 10 };
const ADDRESS: Rule = Rule { free: 20, lock_at: 50 };

impl Rule {
    /// How long after the last failure the next attempt must wait.
    fn wait_ms(self, failures: i64) -> i64 {
        if failures < self.free {
            0
        } else if failures >= self.lock_at {
            LOCK_MS
        } else {
            (1_000_i64 << (failures - self.free + 1).min(10)).min(LOCK_MS)
        }
    }
}

/// The throttle keys of one attempt: the account (e-mail) and, when known, the address.
/// IPv6 addresses count by their /64 (one household or server gets a whole /64).
fn keys(email: &str, address: Option<IpAddr>) -> Vec<(String, Rule)> {
    let mut keys = vec![(format!("account:{}", email.trim().to_lowercase()), ACCOUNT)];
    if let Some(ip) = address {
        let shown = match ip {
            IpAddr::V4(v4) => v4.to_string(),
            IpAddr::V6(v6) => {
                let s = v6.segments();
                format!("{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
            }
        };
        keys.push((format!("address:{shown}"), ADDRESS));
    }
    keys
}

impl App {
    /// Refuses an attempt that comes too soon after failures: `Throttled` with the seconds
    /// to wait.
    pub(crate) async fn check_login_throttle(&self, email: &str, address: Option<IpAddr>) -> Result<(), AppError> {
        let now = self.now_ms();
        let mut wait_ms = 0;
        for (key, rule) in keys(email, address) {
            if let Some(LoginFailures {
                failures,
                last_failure_ms,
            }) = self.store.login_failures(&key).await?
                && now - last_failure_ms < LOCK_MS
            {
                wait_ms = wait_ms.max(last_failure_ms + rule.wait_ms(failures) - now);
            }
        }
        if wait_ms > 0 {
            return Err(AppError::Throttled {
                retry_after_s: (wait_ms + 999) / 1000,
            });
        }
        Ok(())
    }

    /// Counts a failed attempt against the account and the address.
    pub(crate) async fn record_login_failure(&self, email: &str, address: Option<IpAddr>) -> Result<(), AppError> {
        let now = self.now_ms();
        for (key, _) in keys(email, address) {
            let counted = self.store.record_login_failure(&key, now, now - LOCK_MS).await?;
            if counted.failures == ACCOUNT.lock_at || counted.failures == ADDRESS.lock_at {
                tracing::warn!(throttle = %key, failures = counted.failures, "logins locked for 15 minutes after repeated failures");
            }
        }
        Ok(())
    }

    /// Forgets counts whose last failure is older than a lock (they no longer slow anyone
    /// down), so guesses at made-up e-mails do not pile up. Run by the worker.
    pub async fn forget_old_login_failures(&self) -> Result<u64, AppError> {
        Ok(self.store.forget_login_failures(self.now_ms() - LOCK_MS).await?)
    }

    /// Forgets the account's failures after a successful login (the address's stay: one
    /// attacker's own account must not reset the count of their guesses at others).
    pub(crate) async fn clear_login_failures(&self, email: &str) -> Result<(), AppError> {
        Ok(self.store.clear_login_failures(&keys(email, None)[0].0).await?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn waits_grow_then_lock() {
        let waits: Vec<i64> = (0..12).map(|n| ACCOUNT.wait_ms(n)).collect();
        assert_eq!(
            waits,
            [0, 0, 0, 0, 0, 2_000, 4_000, 8_000, 16_000, 32_000, LOCK_MS, LOCK_MS]
        );
        assert_eq!(ADDRESS.wait_ms(19), 0);
        assert_eq!(ADDRESS.wait_ms(49), LOCK_MS, "capped at the lock");
        assert_eq!(ADDRESS.wait_ms(50), LOCK_MS);
    }

    #[test]
    fn ipv6_addresses_count_by_their_64() {
        let a = keys("x@y.pl", Some("2001:db8:1:2:aaaa::1".parse().unwrap()));
        let b = keys("x@y.pl", Some("2001:db8:1:2:bbbb::9".parse().unwrap()));
        assert_eq!(a[1].0, b[1].0);
        assert_eq!(a[0].0, "account:x@y.pl");
    }
}
