use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A point in time as Allegro writes it: ISO 8601 in UTC with milliseconds,
/// e.g. `2018-10-12T10:12:32.321Z`. Any RFC 3339 instant is accepted on input.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Instant(pub jiff::Timestamp);

impl Instant {
    /// Milliseconds since the Unix epoch.
    pub fn as_millis(self) -> i64 {
        self.0.as_millisecond()
    }

    /// The instant `ms` milliseconds after the Unix epoch (clamped to jiff's range).
    pub fn from_millis(ms: i64) -> Self {
        Self(jiff::Timestamp::from_millisecond(ms).unwrap_or(jiff::Timestamp::UNIX_EPOCH))
    }
}

impl fmt::Display for Instant {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Allegro always prints three fractional digits; jiff would drop trailing zeros.
        write!(f, "{:.3}", self.0)
    }
}

impl FromStr for Instant {
    type Err = jiff::Error;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        s.parse::<jiff::Timestamp>().map(Instant)
    }
}

impl Serialize for Instant {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Instant {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let raw = String::deserialize(d)?;
        raw.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prints_millis_and_z() {
        let t: Instant = "2018-10-12T10:12:32Z".parse().unwrap();
        assert_eq!(t.to_string(), "2018-10-12T10:12:32.000Z");
        let t: Instant = "2018-10-12T12:12:32.321+02:00".parse().unwrap();
        assert_eq!(t.to_string(), "2018-10-12T10:12:32.321Z");
    }
}
