//! NIP, the Polish tax identification number.

use std::fmt;
use std::str::FromStr;

/// A NIP with a valid checksum, kept as its ten digits (`PL`, dashes and spaces are
/// accepted on input and dropped).
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Nip(String);

/// Why a text is not a NIP.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NipError {
    /// Not ten digits.
    #[error("a NIP has 10 digits (got {0:?})")]
    Length(String),
    /// The check digit does not match (a typo).
    #[error("{0:?} is not a valid NIP: the check digit does not match")]
    Checksum(String),
    /// Its first three digits name no tax office: the second and third are both 0, which
    /// no NIP has (FA(3)'s `TNrNIP` pattern refuses it, and KSeF with it).
    #[error("{0:?} is not a valid NIP: no tax office's code starts it")]
    TaxOffice(String),
}

/// Weights of the NIP check digit (Rozporządzenie MF w sprawie NIP: digits 1–9 × weights,
/// sum mod 11 = digit 10; a result of 10 is never issued).
const WEIGHTS: [u32; 9] = [6, 5, 7, 2, 3, 4, 5, 6, 7];

impl Nip {
    /// The ten digits.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl FromStr for Nip {
    type Err = NipError;
    fn from_str(raw: &str) -> Result<Self, NipError> {
        let trimmed = raw.trim();
        let body = trimmed
            .strip_prefix("PL")
            .or_else(|| trimmed.strip_prefix("pl"))
            .unwrap_or(trimmed);
        let digits: String = body.chars().filter(|c| !matches!(c, '-' | ' ')).collect();
        if digits.len() != 10 || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err(NipError::Length(raw.to_owned()));
        }
        let d: Vec<u32> = digits.bytes().map(|b| u32::from(b - b'0')).collect();
        // `[1-9]((\d[1-9])|([1-9]\d))\d{7}`: a tax office's code is never d00 or 0dd.
        if d[0] == 0 || (d[1] == 0 && d[2] == 0) {
            return Err(NipError::TaxOffice(raw.to_owned()));
        }
        let sum: u32 = WEIGHTS.iter().zip(&d).map(|(w, x)| w * x).sum();
        if sum % 11 != d[9] {
            return Err(NipError::Checksum(raw.to_owned()));
        }
        Ok(Self(digits))
    }
}

impl TryFrom<String> for Nip {
    type Error = NipError;
    fn try_from(s: String) -> Result<Self, NipError> {
        s.parse()
    }
}

impl From<Nip> for String {
    fn from(n: Nip) -> String {
        n.0
    }
}

impl fmt::Display for Nip {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tax_office_codes_as_fa3_requires() {
        // 8008400826 has a good check digit but no tax office starts with 800.
        assert!(matches!("8008400826".parse::<Nip>(), Err(NipError::TaxOffice(_))));
        assert!(matches!("0123456789".parse::<Nip>(), Err(NipError::TaxOffice(_))));
        assert!("1060000062".parse::<Nip>().is_ok(), "106: a tax office");
    }

    #[test]
    fn checksum_and_formats() {
        assert_eq!("PL 526-025-09-95".parse::<Nip>().unwrap().as_str(), "5260250995");
        assert!(matches!("526025099".parse::<Nip>(), Err(NipError::Length(_))));
        assert!(matches!("5260250994".parse::<Nip>(), Err(NipError::Checksum(_))));
    }
}
