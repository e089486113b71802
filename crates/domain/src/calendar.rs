//! Polish business days: NBP publishes table A on every day that is not a Saturday, a Sunday
//! or a public holiday (ustawa z 18 stycznia 1951 r. o dniach wolnych od pracy, art. 1 —
//! with 24 December a holiday since 2025). Art. 31a of the VAT Act takes the rate of "the
//! last business day before" the tax point.

use jiff::civil::{Date, Weekday};

/// Easter Sunday of `year` (the Gregorian computus, Meeus/Jones/Butcher).
fn easter(year: i16) -> Option<Date> {
    let y = i32::from(year);
    let (a, b, c) = (y % 19, y / 100, y % 100);
    let (d, e) = (b / 4, b % 4);
    let f = (b + 8) / 25;
    let g = (b - f + 1) / 3;
    let h = (19 * a + b - d - g + 15) % 30;
    let (i, k) = (c / 4, c % 4);
    let l = (32 + 2 * e + 2 * i - h - k) % 7;
    let m = (a + 11 * h + 22 * l) / 451;
    let month = (h + l - 7 * m + 114) / 31;
    let day = (h + l - 7 * m + 114) % 31 + 1;
    Date::new(year, i8::try_from(month).ok()?, i8::try_from(day).ok()?).ok()
}

/// Whether `day` is a public holiday in Poland.
pub fn is_polish_holiday(day: Date) -> bool {
    let fixed = [
        (1, 1),
        (1, 6),
        (5, 1),
        (5, 3),
        (8, 15),
        (11, 1),
        (11, 11),
        (12, 25),
        (12, 26),
    ];
    if fixed.contains(&(day.month(), day.day())) || (day.year() >= 2025 && (day.month(), day.day()) == (12, 24)) {
        return true;
    }
    let Some(easter) = easter(day.year()) else {
        return false;
    };
    // Easter Sunday and Monday, Pentecost (Sunday, 49 days on), Corpus Christi (60 days on).
    [0, 1, 49, 60]
        .iter()
        .filter_map(|d| easter.checked_add(jiff::Span::new().days(*d)).ok())
        .any(|h| h == day)
}

/// Whether NBP publishes a table on `day`: not a weekend, not a public holiday.
pub fn is_business_day(day: Date) -> bool {
    !matches!(day.weekday(), Weekday::Saturday | Weekday::Sunday) && !is_polish_holiday(day)
}

/// The last business day before `day` (art. 31a ust. 1 of the VAT Act).
pub fn last_business_day_before(day: Date) -> Date {
    let mut d = day;
    loop {
        match d.yesterday() {
            Ok(prev) => d = prev,
            Err(_) => return day,
        }
        if is_business_day(d) {
            return d;
        }
    }
}

/// The last day an invoice for a sale of `sale_day` may be issued: the 15th of the next
/// month (art. 106i ust. 1 of the VAT Act; for a payment received before delivery,
/// ust. 2 counts from the payment — the sale day of a prepaid order is its payment).
pub fn invoice_deadline(sale_day: Date) -> Date {
    let first_of_next = sale_day
        .first_of_month()
        .checked_add(jiff::Span::new().months(1))
        .unwrap_or(sale_day);
    first_of_next
        .checked_add(jiff::Span::new().days(14))
        .unwrap_or(first_of_next)
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    #[test]
    fn easter_and_the_movable_holidays() {
        assert_eq!(easter(2025), Some(date(2025, 4, 20)));
        assert_eq!(easter(2026), Some(date(2026, 4, 5)));
        assert_eq!(easter(2027), Some(date(2027, 3, 28)));
        assert!(is_polish_holiday(date(2026, 4, 6)), "Easter Monday");
        assert!(is_polish_holiday(date(2026, 6, 4)), "Corpus Christi");
        assert!(is_polish_holiday(date(2026, 12, 24)), "Wigilia since 2025");
        assert!(!is_polish_holiday(date(2024, 12, 24)), "not before 2025");
        assert!(!is_polish_holiday(date(2026, 12, 23)));
    }

    #[test]
    fn the_day_whose_rate_an_invoice_takes() {
        // Monday → Friday; Tuesday → Monday.
        assert_eq!(last_business_day_before(date(2026, 11, 30)), date(2026, 11, 27));
        assert_eq!(last_business_day_before(date(2026, 12, 1)), date(2026, 11, 30));
        // After Christmas 2026 (Thu 24, Fri 25, Sat 26, Sun 27): Monday 28 → Wednesday 23.
        assert_eq!(last_business_day_before(date(2026, 12, 28)), date(2026, 12, 23));
        // New Year's Day and Epiphany: Wednesday 7 January 2026 → Monday 5 January.
        assert_eq!(last_business_day_before(date(2026, 1, 7)), date(2026, 1, 5));
        // Tuesday after Easter 2026 (Monday 6 April a holiday) → Good Friday, 3 April, a
        // working day in Poland.
        assert_eq!(last_business_day_before(date(2026, 4, 7)), date(2026, 4, 3));
        // 11 November 2026 is a Wednesday: Thursday 12 → Tuesday 10.
        assert_eq!(last_business_day_before(date(2026, 11, 12)), date(2026, 11, 10));
    }

    #[test]
    fn the_invoice_deadline_is_the_15th_of_the_next_month() {
        assert_eq!(invoice_deadline(date(2026, 11, 30)), date(2026, 12, 15));
        assert_eq!(invoice_deadline(date(2026, 12, 1)), date(2027, 1, 15));
        assert_eq!(invoice_deadline(date(2027, 1, 31)), date(2027, 2, 15));
    }
}
