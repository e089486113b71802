//! KSeF's offline modes and the deadlines by which an invoice issued offline must reach
//! KSeF (ustawa o VAT art. 106nda, 106nf, 106nh; `research/invoicing.md` §6.6). Every date
//! is a Polish calendar day and every "business day" a day that is not a Saturday, a
//! Sunday or a public holiday ([`crate::calendar::is_business_day`]).

use jiff::civil::Date;

use crate::calendar::is_business_day;

/// Why an invoice was issued outside KSeF, to be sent with `offlineMode=true`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum OfflineMode {
    /// The seller's choice (art. 106nda): sent by the next business day after the issue
    /// date.
    Offline24,
    /// KSeF unavailable (art. 106nh): sent by the next business day after the
    /// unavailability ends.
    Unavailable,
    /// A failure announced by the Ministry (art. 106nf): sent within 7 business days
    /// after it ends.
    Failure,
}

impl OfflineMode {
    /// Every mode.
    pub const ALL: [Self; 3] = [Self::Offline24, Self::Unavailable, Self::Failure];

    /// As stored and in the API: `offline24`, `unavailable`, `failure`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Offline24 => "offline24",
            Self::Unavailable => "unavailable",
            Self::Failure => "failure",
        }
    }

    /// From [`OfflineMode::as_str`].
    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|m| m.as_str() == raw)
    }

    /// The last day the invoice may reach KSeF. `issued` is its issue date (`P_1`);
    /// `ended` the day KSeF's unavailability or failure ended — `None` while it lasts,
    /// when the deadline is not known yet (only offline24 has one from the start).
    pub fn deadline(self, issued: Date, ended: Option<Date>) -> Option<Date> {
        match self {
            Self::Offline24 => Some(business_days_after(issued, 1)),
            Self::Unavailable => ended.map(|end| business_days_after(end.max(issued), 1)),
            Self::Failure => ended.map(|end| business_days_after(end.max(issued), 7)),
        }
    }
}

impl std::fmt::Display for OfflineMode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The `n`-th business day after `day` (`day` itself not counted).
pub fn business_days_after(day: Date, n: u32) -> Date {
    let mut d = day;
    let mut left = n;
    while left > 0 {
        match d.tomorrow() {
            Ok(next) => d = next,
            Err(_) => return d,
        }
        if is_business_day(d) {
            left -= 1;
        }
    }
    d
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    #[test]
    fn offline24_is_due_the_next_business_day() {
        // (issued, due): a weekday, a Friday, before a holiday weekend, Christmas Eve 2026
        // (a holiday since 2025), New Year's Eve, and the Easter Monday of 2027.
        let cases = [
            (date(2026, 12, 1), date(2026, 12, 2)),
            (date(2026, 12, 4), date(2026, 12, 7)),
            (date(2026, 12, 23), date(2026, 12, 28)),
            (date(2026, 12, 31), date(2027, 1, 4)),
            (date(2027, 3, 26), date(2027, 3, 30)),
            (date(2026, 11, 10), date(2026, 11, 12)),
        ];
        for (issued, due) in cases {
            assert_eq!(OfflineMode::Offline24.deadline(issued, None), Some(due), "{issued}");
        }
    }

    #[test]
    fn unavailability_counts_from_its_end_and_failure_gives_seven_business_days() {
        let issued = date(2026, 12, 1);
        assert_eq!(OfflineMode::Unavailable.deadline(issued, None), None);
        assert_eq!(
            OfflineMode::Unavailable.deadline(issued, Some(date(2026, 12, 3))),
            Some(date(2026, 12, 4))
        );
        // Ended on a Friday: due on Monday.
        assert_eq!(
            OfflineMode::Unavailable.deadline(issued, Some(date(2026, 12, 4))),
            Some(date(2026, 12, 7))
        );
        assert_eq!(OfflineMode::Failure.deadline(issued, None), None);
        // 7 business days after Friday 18 December 2026: 21, 22, 23, 28, 29, 30, 31.
        assert_eq!(
            OfflineMode::Failure.deadline(issued, Some(date(2026, 12, 18))),
            Some(date(2026, 12, 31))
        );
    }

    #[test]
    fn modes_round_trip_as_stored() {
        for m in OfflineMode::ALL {
            assert_eq!(OfflineMode::parse(m.as_str()), Some(m));
        }
        assert_eq!(OfflineMode::parse("online"), None);
    }
}
