//! How often an account's order journal is read: busy accounts often, quiet ones less,
//! failing ones backed off, all inside one Client ID's request budget.

/// The polling policy. The same code schedules the worker and the 10 000-account
/// simulation (`allegro-bridge bench sync`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PollPolicy {
    /// Interval after a poll that found events.
    pub busy_ms: i64,
    /// Added per poll in a row that found nothing.
    pub quiet_step_ms: i64,
    /// Longest interval for a quiet account. A new order waits at most this plus one
    /// pass, so it bounds the latency the seller sees.
    pub max_quiet_ms: i64,
    /// First retry after a failure (doubles per failure in a row).
    pub failure_ms: i64,
    /// Longest retry interval after failures.
    pub max_failure_ms: i64,
    /// Journal reads started per second at most: Allegro allows 9 000 requests a minute
    /// per Client ID; polling keeps to this share and leaves the rest for orders,
    /// imports, invoices and shipments.
    pub polls_per_second: i64,
}

impl Default for PollPolicy {
    fn default() -> Self {
        Self {
            busy_ms: 20_000,
            quiet_step_ms: 15_000,
            max_quiet_ms: 90_000,
            failure_ms: 30_000,
            max_failure_ms: 15 * 60_000,
            polls_per_second: 100,
        }
    }
}

impl PollPolicy {
    /// Delay until the next read after `quiet_polls` reads in a row found nothing.
    pub fn next_delay_ms(&self, quiet_polls: i64) -> i64 {
        (self.busy_ms + quiet_polls.max(0).saturating_mul(self.quiet_step_ms)).min(self.max_quiet_ms)
    }

    /// Delay after `failures` failures in a row (1 = the first).
    pub fn failure_delay_ms(&self, failures: i64) -> i64 {
        let doublings = (failures.max(1) - 1).min(20) as u32;
        self.failure_ms
            .saturating_mul(1_i64 << doublings)
            .min(self.max_failure_ms)
    }
}

/// What one journal read found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PollOutcome {
    /// Events were read.
    Events,
    /// Nothing new.
    Quiet,
    /// The read failed (429, 5xx, revoked…).
    Failed,
}

/// Where an account's polling stands: the next read and the streaks behind it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct PollState {
    /// Next read at (epoch ms).
    pub next_at_ms: i64,
    /// Reads in a row that found nothing.
    pub quiet_polls: i64,
    /// Reads in a row that failed.
    pub failures: i64,
}

impl PollPolicy {
    /// The state after a read at `now_ms` with `outcome`: the one rule the worker and the
    /// simulation both follow.
    pub fn after(&self, state: PollState, outcome: PollOutcome, now_ms: i64) -> PollState {
        match outcome {
            PollOutcome::Events => PollState {
                next_at_ms: now_ms + self.next_delay_ms(0),
                quiet_polls: 0,
                failures: 0,
            },
            PollOutcome::Quiet => PollState {
                next_at_ms: now_ms + self.next_delay_ms(state.quiet_polls + 1),
                quiet_polls: state.quiet_polls + 1,
                failures: 0,
            },
            PollOutcome::Failed => PollState {
                next_at_ms: now_ms + self.failure_delay_ms(state.failures + 1),
                quiet_polls: state.quiet_polls,
                failures: state.failures + 1,
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quiet_accounts_slow_down_to_a_bound_and_failures_back_off() {
        let p = PollPolicy::default();
        assert_eq!(p.next_delay_ms(0), 20_000);
        assert_eq!(p.next_delay_ms(2), 50_000);
        assert_eq!(p.next_delay_ms(1_000), 90_000);
        assert_eq!(p.failure_delay_ms(1), 30_000);
        assert_eq!(p.failure_delay_ms(3), 120_000);
        assert_eq!(p.failure_delay_ms(60), 900_000);
        let s = p.after(PollState::default(), PollOutcome::Quiet, 1_000);
        assert_eq!((s.next_at_ms, s.quiet_polls), (1_000 + 35_000, 1));
        let s = p.after(s, PollOutcome::Failed, 2_000);
        assert_eq!((s.next_at_ms, s.quiet_polls, s.failures), (32_000, 1, 1));
        let s = p.after(s, PollOutcome::Events, 3_000);
        assert_eq!(
            s,
            PollState {
                next_at_ms: 23_000,
                quiet_polls: 0,
                failures: 0
            }
        );
    }
}

/// The longest wait between retries of one piece of work (an invoice, a waybill, a WZ).
pub const MAX_RETRY_MS: i64 = 6 * 3_600_000;

/// How long a piece of work waits after its `attempts`-th failure in a row: `first_ms`,
/// doubling per failure, at most [`MAX_RETRY_MS`].
pub fn retry_after_ms(first_ms: i64, attempts: i64) -> i64 {
    first_ms
        .saturating_mul(1_i64 << attempts.clamp(0, 20))
        .min(MAX_RETRY_MS)
}

#[cfg(test)]
mod retry_tests {
    use super::*;

    #[test]
    fn retries_double_up_to_six_hours() {
        assert_eq!(retry_after_ms(30_000, 0), 30_000);
        assert_eq!(retry_after_ms(30_000, 3), 240_000);
        assert_eq!(retry_after_ms(60_000, -1), 60_000);
        assert_eq!(retry_after_ms(60_000, 9), MAX_RETRY_MS);
        assert_eq!(retry_after_ms(30_000, i64::MAX), MAX_RETRY_MS);
    }
}
