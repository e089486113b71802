//! Money: an amount in minor units (grosze, halerze, fillér…) with its currency — the one
//! place amounts are read from text and written as text: the decimal form Allegro, the API
//! and FA(3) use (`1299.00`), and the grouped forms people read (`1 299,00 PLN`,
//! `1,299.00`). Never a float.

use std::fmt;
use std::str::FromStr;

use crate::{DomainError, Minor};

/// An ISO 4217 currency code: three upper-case letters (`PLN`, `EUR`, `CZK`, `HUF`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Currency([u8; 3]);

impl Currency {
    /// The Polish złoty.
    pub const PLN: Currency = Currency(*b"PLN");

    /// The code.
    pub fn as_str(&self) -> &str {
        // Only ASCII upper-case letters get in (see `FromStr`).
        std::str::from_utf8(&self.0).unwrap_or("XXX")
    }
}

impl FromStr for Currency {
    type Err = DomainError;
    fn from_str(s: &str) -> Result<Self, DomainError> {
        match s.as_bytes() {
            &[a, b, c] if [a, b, c].iter().all(u8::is_ascii_uppercase) => Ok(Currency([a, b, c])),
            _ => Err(DomainError::invalid("currency", s, "an ISO 4217 code such as PLN")),
        }
    }
}

impl fmt::Display for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An amount and its currency.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Money {
    /// The amount in minor units (1/100 of the currency).
    pub minor: Minor,
    /// Its currency.
    pub currency: Currency,
}

impl Money {
    /// `minor` units of `currency`.
    pub fn new(minor: Minor, currency: Currency) -> Self {
        Self { minor, currency }
    }

    /// Reads a decimal amount (`"123.45"`, `"-5"`, `"0.5"`) and a currency code as Allegro
    /// and the API send them; more than two decimals, a comma or an exponent is refused,
    /// never rounded.
    pub fn parse(amount: &str, currency: &str) -> Result<Self, DomainError> {
        let minor = parse_decimal(amount)
            .ok_or_else(|| DomainError::invalid("amount", amount, "a decimal with at most two decimals"))?;
        Ok(Self::new(minor, currency.parse()?))
    }

    /// The decimal form (`1299.00`).
    pub fn decimal(&self) -> String {
        decimal_text(self.minor)
    }
}

/// `1 299,00 PLN`: Polish grouping (a non-breaking space every three digits), a decimal
/// comma, then the code.
impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", grouped(self.minor, '\u{a0}', ','), self.currency)
    }
}

/// The decimal form of an amount in minor units: `-1234.50` (FA(3)'s `TKwotowy`, Allegro's
/// `Price.amount`, the API's amounts).
pub fn decimal_text(minor: Minor) -> String {
    grouped_digits(minor, None, '.')
}

/// An amount in minor units with `group` every three digits and `decimal` before the
/// grosze: `grouped(129900, '\u{a0}', ',')` is `1 299,00`.
pub fn grouped(minor: Minor, group: char, decimal: char) -> String {
    grouped_digits(minor, Some(group), decimal)
}

fn grouped_digits(minor: Minor, group: Option<char>, decimal: char) -> String {
    let sign = if minor < 0 { "-" } else { "" };
    let abs = minor.unsigned_abs();
    let whole = (abs / 100).to_string();
    let mut out = String::with_capacity(whole.len() + whole.len() / 3 + 4);
    out.push_str(sign);
    for (i, d) in whole.chars().enumerate() {
        if let Some(g) = group
            && i > 0
            && (whole.len() - i).is_multiple_of(3)
        {
            out.push(g);
        }
        out.push(d);
    }
    out.push(decimal);
    out.push_str(&format!("{:02}", abs % 100));
    out
}

/// Minor units of a plain decimal (`"123.45"`, `"-0.5"`, `"7"`), if it has at most two
/// decimals and fits.
pub fn parse_decimal(text: &str) -> Option<Minor> {
    let (negative, digits) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text),
    };
    let (whole, fraction) = digits.split_once('.').unwrap_or((digits, ""));
    if whole.is_empty()
        || fraction.len() > 2
        || !whole.bytes().all(|b| b.is_ascii_digit())
        || !fraction.bytes().all(|b| b.is_ascii_digit())
    {
        return None;
    }
    let cents: Minor = match fraction.len() {
        0 => 0,
        1 => fraction.parse::<Minor>().ok()? * 10,
        _ => fraction.parse().ok()?,
    };
    let value = whole.parse::<Minor>().ok()?.checked_mul(100)?.checked_add(cents)?;
    Some(if negative { -value } else { value })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_read_and_written_exactly() {
        for (text, minor) in [("0", 0), ("0.5", 50), ("7", 700), ("123.45", 12_345), ("-5.01", -501)] {
            assert_eq!(parse_decimal(text), Some(minor), "{text}");
        }
        for bad in ["", ".5", "1.234", "1,50", "1e3", "--1", "12a", "99999999999999999999"] {
            assert_eq!(parse_decimal(bad), None, "{bad}");
        }
        for minor in [0, 1, 99, 100, 12_345, -5, -12_345, 100_000_000] {
            assert_eq!(parse_decimal(&decimal_text(minor)), Some(minor), "{minor}");
        }
        assert_eq!(decimal_text(-123_450), "-1234.50");
    }

    #[test]
    fn money_is_shown_the_polish_way() {
        let m = Money::parse("1299.00", "PLN").unwrap();
        assert_eq!(m.to_string(), "1\u{a0}299,00 PLN");
        assert_eq!(m.decimal(), "1299.00");
        assert_eq!(
            Money::new(-123_456_789, Currency::PLN).to_string(),
            "-1\u{a0}234\u{a0}567,89 PLN"
        );
        assert_eq!(grouped(123_456_789, ',', '.'), "1,234,567.89");
        assert!(Money::parse("10.00", "zł").is_err());
        assert!(Money::parse("10.001", "PLN").is_err());
        assert_eq!("HUF".parse::<Currency>().unwrap().as_str(), "HUF");
    }
}
