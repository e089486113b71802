//! Polish time. Every date a seller sees or an invoice carries is a calendar day in
//! Europe/Warsaw (an order paid at 00:30 on 1 December Polish time is a December order,
//! though it is still 30 November in UTC); times shown are Polish wall-clock times. The
//! zone database is bundled into the binary (jiff's `tzdb-bundle-always`), so a server
//! without `/usr/share/zoneinfo`, or with an old one, still keeps Polish DST right.

use std::sync::LazyLock;

use jiff::Timestamp;
use jiff::civil::Date;
use jiff::tz::TimeZone;

/// The zone every seller-facing date is in.
pub const POLISH_ZONE: &str = "Europe/Warsaw";

static WARSAW: LazyLock<TimeZone> =
    LazyLock::new(|| TimeZone::get(POLISH_ZONE).expect("Europe/Warsaw is in the bundled zone database"));

/// Europe/Warsaw.
pub fn warsaw() -> &'static TimeZone {
    &WARSAW
}

fn at(ms: i64) -> jiff::Zoned {
    // Out-of-range instants (before year -9999 or after 9999) cannot come from a clock or a
    // database we wrote; clamp rather than panic.
    let ts = Timestamp::from_millisecond(ms).unwrap_or(if ms < 0 { Timestamp::MIN } else { Timestamp::MAX });
    ts.to_zoned(WARSAW.clone())
}

/// The Polish calendar day of an instant (milliseconds since the epoch).
pub fn polish_day(ms: i64) -> Date {
    at(ms).date()
}

/// The Polish calendar day of an instant as `YYYY-MM-DD`.
pub fn polish_day_text(ms: i64) -> String {
    polish_day(ms).to_string()
}

/// An instant as Polish wall-clock time, `YYYY-MM-DD HH:MM`, for pages, PDFs and CSVs.
pub fn polish_time_text(ms: i64) -> String {
    at(ms).strftime("%Y-%m-%d %H:%M").to_string()
}

/// An instant as RFC 3339 with Poland's offset of that moment (`2026-12-01T00:30:00+01:00`),
/// for the API: unambiguous for programs, the same wall clock the seller sees.
pub fn rfc3339(ms: i64) -> String {
    at(ms).strftime("%Y-%m-%dT%H:%M:%S%:z").to_string()
}

/// The first millisecond of a Polish calendar day (midnight in Warsaw; DST changes at
/// 02:00/03:00, so midnight always exists and is never doubled).
pub fn polish_day_start_ms(day: Date) -> i64 {
    day.to_zoned(WARSAW.clone())
        .map(|z| z.timestamp().as_millisecond())
        .unwrap_or(i64::MAX)
}

/// The first millisecond after a Polish calendar day (the next day's midnight: 23, 24 or
/// 25 hours later).
pub fn polish_day_end_ms(day: Date) -> i64 {
    day.tomorrow().map_or(i64::MAX, polish_day_start_ms)
}

/// Why a typed date was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BadDay {
    /// Not `YYYY-MM-DD`, or a day that does not exist (2026-02-31).
    #[error("not a calendar date YYYY-MM-DD")]
    NotADate,
    /// Before 1970 or after 2999: no order or invoice of ours can carry it.
    #[error("out of range")]
    OutOfRange,
}

/// A typed calendar day, `YYYY-MM-DD` exactly: `2026-02-31` is refused rather than read as
/// 3 March, and so are years outside 1970–2999.
pub fn parse_day(raw: &str) -> Result<Date, BadDay> {
    let raw = raw.trim();
    let bytes = raw.as_bytes();
    let shaped = bytes.len() == 10
        && bytes[4] == b'-'
        && bytes[7] == b'-'
        && bytes
            .iter()
            .enumerate()
            .all(|(i, b)| i == 4 || i == 7 || b.is_ascii_digit());
    if !shaped {
        return Err(BadDay::NotADate);
    }
    let date: Date = raw.parse().map_err(|_| BadDay::NotADate)?;
    if !(1970..=2999).contains(&date.year()) {
        return Err(BadDay::OutOfRange);
    }
    Ok(date)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ms(rfc: &str) -> i64 {
        rfc.parse::<Timestamp>().unwrap().as_millisecond()
    }

    #[test]
    fn half_past_midnight_in_poland_is_the_next_day_though_utc_says_otherwise() {
        // 2026-11-30T23:30Z is 00:30 on 1 December in Warsaw (CET, +01:00).
        let t = ms("2026-11-30T23:30:00Z");
        assert_eq!(polish_day_text(t), "2026-12-01");
        assert_eq!(polish_time_text(t), "2026-12-01 00:30");
        assert_eq!(rfc3339(t), "2026-12-01T00:30:00+01:00");
        // Summer time: +02:00, so 22:30Z on 30 June is already 1 July.
        let s = ms("2026-06-30T22:30:00Z");
        assert_eq!(polish_day_text(s), "2026-07-01");
        assert_eq!(rfc3339(s), "2026-07-01T00:30:00+02:00");
    }

    #[test]
    fn the_new_year_begins_at_polish_midnight() {
        assert_eq!(polish_day_text(ms("2026-12-31T22:59:59Z")), "2026-12-31");
        assert_eq!(polish_day_text(ms("2026-12-31T23:00:00Z")), "2027-01-01");
    }

    #[test]
    fn days_are_23_24_or_25_hours_around_dst() {
        let hours = |d: &str| {
            let day = parse_day(d).unwrap();
            (polish_day_end_ms(day) - polish_day_start_ms(day)) / 3_600_000
        };
        assert_eq!(hours("2026-03-29"), 23, "spring forward");
        assert_eq!(hours("2026-10-25"), 25, "fall back");
        assert_eq!(hours("2026-11-30"), 24);
        assert_eq!(
            polish_day_start_ms(parse_day("2026-12-01").unwrap()),
            ms("2026-11-30T23:00:00Z")
        );
        // The doubled hour of 25 October is one Polish day.
        assert_eq!(polish_day_text(ms("2026-10-25T00:30:00Z")), "2026-10-25");
        assert_eq!(polish_day_text(ms("2026-10-25T01:30:00Z")), "2026-10-25");
        assert_eq!(polish_time_text(ms("2026-10-25T00:30:00Z")), "2026-10-25 02:30");
        assert_eq!(polish_time_text(ms("2026-10-25T01:30:00Z")), "2026-10-25 02:30");
    }

    #[test]
    fn typed_days_must_exist() {
        assert_eq!(parse_day("2026-02-31"), Err(BadDay::NotADate));
        assert_eq!(parse_day("2026-2-3"), Err(BadDay::NotADate));
        assert_eq!(parse_day("2026-02-28x"), Err(BadDay::NotADate));
        assert_eq!(parse_day("+002026-02-28"), Err(BadDay::NotADate));
        assert_eq!(parse_day("1969-12-31"), Err(BadDay::OutOfRange));
        assert_eq!(parse_day(" 2028-02-29 ").unwrap().to_string(), "2028-02-29");
        assert_eq!(parse_day("2027-02-29"), Err(BadDay::NotADate));
    }
}
