//! One cell's value as Polish sellers write it: amounts, purchase times, yes/no, and the
//! marketplace a currency means.

use super::*;

/// Gross amount in minor units from how Polish sellers write it.
pub(crate) fn amount(raw: &str) -> Result<i64, Problem> {
    let s: String = raw
        .trim()
        .trim_end_matches("zł")
        .trim_end_matches("PLN")
        .chars()
        .filter(|c| !matches!(c, ' ' | '\u{a0}' | '\u{202f}'))
        .collect();
    let bad = || Problem::new("problem-file-amount").arg("value", raw);
    if s.is_empty() {
        return Err(bad());
    }
    if s.starts_with('-') {
        return Err(Problem::new("problem-file-amount-negative").arg("value", raw));
    }
    let (int, frac) = match s.rfind([',', '.']) {
        Some(p) => (&s[..p], &s[p + 1..]),
        None => (s.as_str(), ""),
    };
    // A dot or comma left in the integer part is a thousands separator (1.234,50): groups
    // of three digits after the first.
    let groups: Vec<&str> = int.split(['.', ',']).collect();
    if groups.len() > 1 && (groups[0].is_empty() || groups[0].len() > 3 || groups[1..].iter().any(|g| g.len() != 3)) {
        return Err(bad());
    }
    let int: String = groups.concat();
    if int.is_empty() && frac.is_empty()
        || !int.bytes().all(|b| b.is_ascii_digit())
        || !frac.bytes().all(|b| b.is_ascii_digit())
    {
        return Err(bad());
    }
    if frac.len() > 2 {
        return Err(Problem::new("problem-file-amount-decimals").arg("value", raw));
    }
    let whole: i64 = if int.is_empty() {
        0
    } else {
        int.parse().map_err(|_| bad())?
    };
    let cents: i64 = format!("{frac:0<2}").parse().map_err(|_| bad())?;
    whole
        .checked_mul(100)
        .and_then(|w| w.checked_add(cents))
        .ok_or_else(|| Problem::new("problem-file-amount-large").arg("value", raw))
}

/// Poland's zone, loaded once (a lookup per row was most of a file's reading time).
fn warsaw() -> Result<jiff::tz::TimeZone, String> {
    static ZONE: std::sync::OnceLock<Result<jiff::tz::TimeZone, String>> = std::sync::OnceLock::new();
    ZONE.get_or_init(|| jiff::tz::TimeZone::get("Europe/Warsaw").map_err(|e| format!("time zone Europe/Warsaw: {e}")))
        .clone()
}

/// Purchase time in epoch milliseconds; times without an offset are Polish time.
pub(crate) fn time(raw: &str) -> Result<i64, Problem> {
    let s = raw.trim();
    if let Ok(ts) = s.parse::<jiff::Timestamp>() {
        return Ok(ts.as_millisecond());
    }
    let formats = [
        "%Y-%m-%d %H:%M:%S",
        "%Y-%m-%d %H:%M",
        "%Y-%m-%dT%H:%M:%S",
        "%Y-%m-%dT%H:%M",
        "%d.%m.%Y %H:%M:%S",
        "%d.%m.%Y %H:%M",
    ];
    let civil = formats
        .iter()
        .find_map(|f| jiff::civil::DateTime::strptime(f, s).ok())
        .or_else(|| {
            ["%Y-%m-%d", "%d.%m.%Y"]
                .iter()
                .find_map(|f| jiff::civil::Date::strptime(f, s).ok())
                .map(|d| d.to_datetime(jiff::civil::Time::midnight()))
        })
        .ok_or_else(|| Problem::new("problem-file-time").arg("value", raw))?;
    if civil.year() < 2000 {
        return Err(Problem::new("problem-file-time-old").arg("value", raw));
    }
    // A time that does not exist in Poland (the hour skipped in March) is refused.
    let zoned = warsaw()
        .and_then(|zone| civil.to_zoned(zone).map_err(|e| e.to_string()))
        .map_err(|_| Problem::new("problem-file-time").arg("value", raw))?;
    Ok(zoned.timestamp().as_millisecond())
}

pub(super) fn yes_no(raw: &str) -> Result<bool, Problem> {
    match raw.trim().to_lowercase().as_str() {
        "" | "nie" | "no" | "n" | "0" | "false" => Ok(false),
        "tak" | "yes" | "t" | "y" | "1" | "true" => Ok(true),
        _ => Err(Problem::new("problem-file-yes-no").arg("value", raw)),
    }
}

pub(super) fn marketplace(currency: &str) -> &'static str {
    match currency {
        "CZK" => "allegro-cz",
        "EUR" => "allegro-sk",
        "HUF" => "allegro-hu",
        _ => "allegro-pl",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_as_sellers_write_them() {
        for (raw, minor) in [
            ("49,99", 4999),
            ("49.99", 4999),
            ("1 234,50", 123_450),
            ("1\u{a0}234,5", 123_450),
            ("1.234,50", 123_450),
            ("1,234.50", 123_450),
            ("12", 1200),
            ("12 zł", 1200),
            (",5", 50),
        ] {
            assert_eq!(amount(raw), Ok(minor), "{raw}");
        }
        for bad in ["", "12,3x", "-5", "1,234", "abc", "12,,3"] {
            assert!(amount(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn times_are_polish_unless_an_offset_is_given() {
        // 2026-11-05 14:30 in Warsaw is 13:30 UTC (CET); 2026-07-05 14:30 is 12:30 UTC (CEST).
        let winter = 1_793_885_400_000;
        assert_eq!(time("2026-11-05 14:30"), Ok(winter));
        assert_eq!(time("05.11.2026 14:30"), Ok(winter));
        assert_eq!(time("2026-11-05T13:30:00Z"), Ok(winter));
        assert_eq!(
            time("2026-07-05 14:30").unwrap() % 86_400_000,
            12 * 3_600_000 + 30 * 60_000
        );
        assert!(time("2026-02-30 10:00").is_err());
        assert!(time("yesterday").is_err());
    }
}
