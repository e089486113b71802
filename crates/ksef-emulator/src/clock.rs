//! The emulator's clock and the date formats KSeF uses.

use std::sync::atomic::{AtomicI64, Ordering};

use jiff::tz::TimeZone;

/// Wall time plus an offset that `/__ksef/clock/advance` moves forward, so tests can pass
/// a 12-hour session, a 7-day refresh token or an hour of rate limits in a moment.
#[derive(Debug, Default)]
pub struct Clock {
    offset_ms: AtomicI64,
}

impl Clock {
    /// Milliseconds since the Unix epoch, as the emulator sees it.
    pub fn now_ms(&self) -> i64 {
        jiff::Timestamp::now().as_millisecond() + self.offset_ms.load(Ordering::Relaxed)
    }

    /// Moves the clock forward by `seconds` (never backwards).
    pub fn advance(&self, seconds: i64) {
        self.offset_ms.fetch_add(seconds.max(0) * 1000, Ordering::Relaxed);
    }
}

fn ts(ms: i64) -> jiff::Timestamp {
    jiff::Timestamp::from_millisecond(ms).unwrap_or(jiff::Timestamp::UNIX_EPOCH)
}

fn warsaw() -> TimeZone {
    // jiff bundles the zone database when the system has none; fall back to UTC+1 only if
    // even that fails, so the emulator never stops over a time zone.
    TimeZone::get("Europe/Warsaw").unwrap_or_else(|_| TimeZone::fixed(jiff::tz::offset(1)))
}

/// RFC 3339 in UTC with milliseconds and an offset, as KSeF answers (`…+00:00`).
pub fn iso(ms: i64) -> String {
    ts(ms)
        .to_zoned(TimeZone::UTC)
        .strftime("%Y-%m-%dT%H:%M:%S%.3f+00:00")
        .to_string()
}

/// RFC 3339 in Polish time, as UPOs carry it (`2025-09-16T11:05:40.841+02:00`).
pub fn iso_warsaw(ms: i64) -> String {
    ts(ms)
        .to_zoned(warsaw())
        .strftime("%Y-%m-%dT%H:%M:%S%.3f%:z")
        .to_string()
}

/// The Polish calendar day of an instant: KSeF numbers and the `P_1` checks use it.
pub fn warsaw_date(ms: i64) -> jiff::civil::Date {
    ts(ms).to_zoned(warsaw()).date()
}

/// `YYYYMMDD` of the Polish calendar day.
pub fn yyyymmdd(ms: i64) -> String {
    warsaw_date(ms).strftime("%Y%m%d").to_string()
}

/// Parses an RFC 3339 instant; one without an offset is read as Europe/Warsaw (as KSeF
/// reads query dates).
pub fn parse_instant(s: &str) -> Option<i64> {
    if let Ok(t) = s.parse::<jiff::Timestamp>() {
        return Some(t.as_millisecond());
    }
    let dt: jiff::civil::DateTime = s.parse().ok()?;
    dt.to_zoned(warsaw()).ok().map(|z| z.timestamp().as_millisecond())
}

/// Milliseconds in a minute, an hour and a day.
pub const MINUTE_MS: i64 = 60_000;
/// An hour.
pub const HOUR_MS: i64 = 3_600_000;
/// A day.
pub const DAY_MS: i64 = 86_400_000;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_polish_calendar_days() {
        // 2026-11-30 23:30 UTC is already 1 December in Warsaw (UTC+1).
        let ms = "2026-11-30T23:30:00Z"
            .parse::<jiff::Timestamp>()
            .unwrap()
            .as_millisecond();
        assert_eq!(yyyymmdd(ms), "20261201");
        assert_eq!(iso(ms), "2026-11-30T23:30:00.000+00:00");
        assert_eq!(iso_warsaw(ms), "2026-12-01T00:30:00.000+01:00");
        assert_eq!(parse_instant("2026-12-01T00:30:00"), Some(ms));
    }
}
