//! KSeF numbers and reference numbers: types that can only hold a well-formed value.

use std::fmt;
use std::str::FromStr;

/// CRC-8 as KSeF computes it for its numbers: polynomial `0x07`, init `0x00`, no
/// reflection, no final xor, over the ASCII characters (hyphens included).
pub fn crc8(data: &[u8]) -> u8 {
    let mut crc = 0u8;
    for &byte in data {
        crc ^= byte;
        for _ in 0..8 {
            crc = if crc & 0x80 != 0 { (crc << 1) ^ 0x07 } else { crc << 1 };
        }
    }
    crc
}

/// Why a string is not a KSeF or reference number.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NumberError {
    /// Wrong length.
    #[error("expected {expected} characters, got {actual}")]
    Length {
        /// Characters required.
        expected: usize,
        /// Characters given.
        actual: usize,
    },
    /// A part does not have the required shape.
    #[error("{0}")]
    Shape(&'static str),
    /// The check digits do not match the rest.
    #[error("checksum {given} does not match the number (expected {expected})")]
    Checksum {
        /// The last two characters.
        given: String,
        /// What the CRC-8 of the first 32 characters gives.
        expected: String,
    },
}

fn is_upper_hex(s: &str) -> bool {
    s.bytes().all(|b| b.is_ascii_digit() || (b'A'..=b'F').contains(&b))
}

fn valid_date(s: &str) -> bool {
    if s.len() != 8 || !s.bytes().all(|b| b.is_ascii_digit()) {
        return false;
    }
    let month: u32 = s[4..6].parse().unwrap_or(0);
    let day: u32 = s[6..8].parse().unwrap_or(0);
    (1..=12).contains(&month) && (1..=31).contains(&day) && s[..4] >= *"2020"
}

/// The NIP shape of the FA(3) schema (`TNrNIP`): ten digits, no checksum (KSeF checks the
/// checksum only in production, so TEST numbers need not have one).
pub fn nip_shape(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 10 && b.iter().all(u8::is_ascii_digit) && b[0] != b'0' && !(b[1] == b'0' && b[2] == b'0')
}

/// A KSeF number, `NNNNNNNNNN-YYYYMMDD-HHHHHHHHHHHH-CC` (35 characters): the seller's NIP,
/// the day KSeF accepted the invoice, a 12-character technical part and a CRC-8 of the
/// first 32 characters.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct KsefNumber(String);

impl KsefNumber {
    /// Builds a number from its parts, computing the check digits (the emulator's use).
    pub fn from_parts(nip: &str, yyyymmdd: &str, technical: &str) -> Result<Self, NumberError> {
        let body = format!("{nip}-{yyyymmdd}-{technical}");
        let crc = crc8(body.as_bytes());
        format!("{body}-{crc:02X}").parse()
    }

    /// The seller's NIP.
    pub fn nip(&self) -> &str {
        &self.0[..10]
    }

    /// The acceptance day as `YYYYMMDD`.
    pub fn date(&self) -> &str {
        &self.0[11..19]
    }

    /// The number as a string.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl FromStr for KsefNumber {
    type Err = NumberError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if s.len() != 35 {
            return Err(NumberError::Length {
                expected: 35,
                actual: s.chars().count(),
            });
        }
        let parts: Vec<&str> = s.split('-').collect();
        let [nip, date, technical, check] = parts.as_slice() else {
            return Err(NumberError::Shape("expected four parts separated by hyphens"));
        };
        if !nip_shape(nip) {
            return Err(NumberError::Shape("the first part is not a NIP"));
        }
        if !valid_date(date) {
            return Err(NumberError::Shape("the second part is not a date YYYYMMDD"));
        }
        if technical.len() != 12 || !is_upper_hex(technical) {
            return Err(NumberError::Shape("the third part is not 12 uppercase hex characters"));
        }
        if check.len() != 2 || !is_upper_hex(check) {
            return Err(NumberError::Shape("the check part is not 2 uppercase hex characters"));
        }
        let expected = format!("{:02X}", crc8(&s.as_bytes()[..32]));
        if expected != *check {
            return Err(NumberError::Checksum {
                given: (*check).to_owned(),
                expected,
            });
        }
        Ok(Self(s.to_owned()))
    }
}

impl fmt::Display for KsefNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl serde::Serialize for KsefNumber {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

impl<'de> serde::Deserialize<'de> for KsefNumber {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

/// A KSeF reference number (sessions, invoices, authentication operations, UPO pages),
/// `YYYYMMDD-TT-XXXXXXXXXX-XXXXXXXXXX-CC`, 36 characters; `TT` says what it names (`SO`
/// online session, `SB` batch session, `EE` invoice, `AU` authentication, `CR` challenge,
/// `EC` KSeF token, `EU` UPO page).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ReferenceNumber(String);

impl ReferenceNumber {
    /// A new number of the given kind; the check part is a CRC-8 of the first 33
    /// characters, as in KSeF's own examples.
    pub fn generate(yyyymmdd: &str, kind: &str, random: u128) -> Self {
        let hex = format!("{:020X}", random & ((1u128 << 80) - 1));
        let body = format!("{yyyymmdd}-{kind}-{}-{}", &hex[..10], &hex[10..]);
        let crc = crc8(body.as_bytes());
        Self(format!("{body}-{crc:02X}"))
    }

    /// The two-character kind, e.g. `SO`.
    pub fn kind(&self) -> &str {
        &self.0[9..11]
    }

    /// The number as a string.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl FromStr for ReferenceNumber {
    type Err = NumberError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if s.len() != 36 {
            return Err(NumberError::Length {
                expected: 36,
                actual: s.chars().count(),
            });
        }
        let parts: Vec<&str> = s.split('-').collect();
        let [date, kind, a, b, check] = parts.as_slice() else {
            return Err(NumberError::Shape("expected five parts separated by hyphens"));
        };
        let kind_ok = kind.len() == 2 && kind.bytes().all(|c| c.is_ascii_digit() || c.is_ascii_uppercase());
        let hex_ok = |p: &str, n: usize| p.len() == n && p.bytes().all(|c| c.is_ascii_hexdigit());
        if date.len() != 8 || !date.bytes().all(|c| c.is_ascii_digit()) || !kind_ok {
            return Err(NumberError::Shape("not YYYYMMDD-TT-…"));
        }
        if !hex_ok(a, 10) || !hex_ok(b, 10) || !hex_ok(check, 2) {
            return Err(NumberError::Shape("not …-XXXXXXXXXX-XXXXXXXXXX-CC"));
        }
        Ok(Self(s.to_owned()))
    }
}

impl fmt::Display for ReferenceNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl serde::Serialize for ReferenceNumber {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

impl<'de> serde::Deserialize<'de> for ReferenceNumber {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_documented_ksef_number_parses_and_its_crc_is_checked() {
        let n: KsefNumber = "5265877635-20250826-0100001AF629-AF".parse().unwrap();
        assert_eq!(n.nip(), "5265877635");
        assert_eq!(n.date(), "20250826");
        assert!(matches!(
            "5265877635-20250826-0100001AF629-AE".parse::<KsefNumber>(),
            Err(NumberError::Checksum { .. })
        ));
        assert!("5265877635-20250826-0100001af629-AF".parse::<KsefNumber>().is_err());
        assert!("5265877635-20251326-0100001AF629-AF".parse::<KsefNumber>().is_err());
        assert!("526587763-20250826-0100001AF629-AF0".parse::<KsefNumber>().is_err());
    }

    #[test]
    fn every_number_from_the_ministrys_upo_samples_passes() {
        for n in [
            "5265877635-20250916-0200A0D6723E-C2",
            "5265877635-20250916-010040741B3E-46",
        ] {
            n.parse::<KsefNumber>().unwrap();
        }
    }

    #[test]
    fn built_numbers_carry_a_valid_crc() {
        let n = KsefNumber::from_parts("1111111111", "20261130", "0123456789AB").unwrap();
        assert_eq!(n.as_str().len(), 35);
        assert_eq!(n.as_str().parse::<KsefNumber>().unwrap(), n);
    }

    #[test]
    fn reference_numbers_keep_their_kind() {
        let r = ReferenceNumber::generate("20261130", "SO", 0xABCDEF);
        assert_eq!(r.kind(), "SO");
        assert_eq!(r.as_str().len(), 36);
        assert_eq!(r.as_str().parse::<ReferenceNumber>().unwrap(), r);
        "20250625-SO-2C3E6C8000-B675CF5D68-07"
            .parse::<ReferenceNumber>()
            .unwrap();
        assert!("20250625-SO-2C3E6C8000-B675CF5D68".parse::<ReferenceNumber>().is_err());
    }
}
