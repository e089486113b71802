use std::sync::atomic::{AtomicI64, Ordering};

/// The emulator's own clock: wall time plus an offset that `/__emulator/clock/advance`
/// moves forward, so tests can jump past a 12-hour token or a 3-month refresh lifetime.
#[derive(Debug, Default)]
pub struct EmulatorClock {
    offset_ms: AtomicI64,
}

impl EmulatorClock {
    /// Milliseconds since the Unix epoch, as the emulator sees it.
    pub fn now_ms(&self) -> i64 {
        jiff::Timestamp::now().as_millisecond() + self.offset_ms.load(Ordering::Relaxed)
    }

    /// Moves the clock forward by `seconds` (never backwards).
    pub fn advance(&self, seconds: i64) {
        self.offset_ms.fetch_add(seconds.max(0) * 1000, Ordering::Relaxed);
    }
}

/// Formats epoch milliseconds the way Allegro does (`2018-10-12T10:12:32.321Z`).
pub fn iso(ms: i64) -> String {
    allegro_api_types::Instant::from_millis(ms).to_string()
}

/// Milliseconds in a day.
pub const DAY_MS: i64 = 86_400_000;
