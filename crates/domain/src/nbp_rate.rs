//! An NBP mid rate exactly as NBP publishes it, and the PLN amounts it converts (art. 31a
//! of the VAT Act).

use crate::Minor;

/// PLN per one unit of a currency, exactly as NBP's table A gives it (`4.2954`,
/// `0.011625` for the forint): never rounded, at most six decimals — FA(3)'s `KursWaluty`
/// (`TIlosci`) holds no more, so a rate with more is refused rather than cut.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct NbpRate {
    /// The digits without the decimal point (`0.011625` → 11 625).
    units: i64,
    /// How many of them are decimals (`0.011625` → 6).
    scale: u32,
}

impl NbpRate {
    /// The most decimals a rate may have (FA(3) `TIlosci`).
    pub const MAX_DECIMALS: u32 = 6;

    /// Reads `4.2954` or `4,2954` (the Polish comma): digits, at most six decimals, above
    /// zero. Trailing zeros are kept as written.
    pub fn parse(text: &str) -> Option<Self> {
        let text = text.trim();
        let (int, frac) = text.split_once(['.', ',']).unwrap_or((text, ""));
        let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
        let has_point = text.contains(['.', ',']);
        if int.is_empty() || int.len() > 6 || !digits(int) || !digits(frac) || (has_point && frac.is_empty()) {
            return None;
        }
        let scale = u32::try_from(frac.len()).ok().filter(|s| *s <= Self::MAX_DECIMALS)?;
        let units: i64 = format!("{int}{frac}").parse().ok()?;
        (units > 0).then_some(Self { units, scale })
    }

    /// A rate kept in ten-thousandths (invoices and tables stored before rates were exact).
    pub fn from_e4(rate_e4: i64) -> Self {
        Self {
            units: rate_e4,
            scale: 4,
        }
    }

    /// The digits without the decimal point, and how many of them are decimals.
    pub fn parts(&self) -> (i64, u32) {
        (self.units, self.scale)
    }

    /// From [`NbpRate::parts`]; `None` if they are not a rate.
    pub fn from_parts(units: i64, scale: u32) -> Option<Self> {
        (units > 0 && scale <= Self::MAX_DECIMALS).then_some(Self { units, scale })
    }

    /// A foreign-currency amount (in its minor units) in grosze at this rate, rounded
    /// half-up to the grosz (art. 31a ust. 1; the Ministry's sample 20:
    /// 3 118,80 × 4,5005 = 14 036,16).
    pub fn to_pln(&self, minor: Minor) -> Minor {
        crate::div_half_up(i128::from(minor) * i128::from(self.units), 10_i128.pow(self.scale)) as Minor
    }

    /// The rate with a decimal comma, as a Polish page or PDF prints it (`0,011625`).
    pub fn polish(&self) -> String {
        self.to_string().replace('.', ",")
    }
}

impl std::fmt::Display for NbpRate {
    /// With a decimal point, as FA(3) and NBP write it (`0.011625`).
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let divisor = 10_i64.pow(self.scale);
        if self.scale == 0 {
            write!(f, "{}", self.units)
        } else {
            write!(
                f,
                "{}.{:0width$}",
                self.units / divisor,
                self.units % divisor,
                width = self.scale as usize
            )
        }
    }
}

impl serde::Serialize for NbpRate {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> serde::Deserialize<'de> for NbpRate {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        NbpRate::parse(&text).ok_or_else(|| serde::de::Error::custom(format!("{text:?} is not an NBP rate")))
    }
}

#[cfg(test)]
mod tests {
    use super::NbpRate;

    #[test]
    fn rates_are_kept_exactly_as_published() {
        let huf = NbpRate::parse("0.011625").unwrap();
        assert_eq!(huf.to_string(), "0.011625");
        assert_eq!(huf.polish(), "0,011625");
        assert_eq!(NbpRate::parse("4,2954").unwrap().to_string(), "4.2954");
        assert_eq!(NbpRate::parse("4.25").unwrap().to_string(), "4.25");
        assert_eq!(NbpRate::parse("4").unwrap().to_string(), "4");
        assert_eq!(NbpRate::from_e4(1_679).to_string(), "0.1679");
        for bad in [
            "",
            "-4.1",
            "4e2",
            "0",
            "0.0000000",
            "4.1234567",
            ".5",
            "4.",
            "1234567.1",
        ] {
            assert_eq!(NbpRate::parse(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn amounts_convert_half_up_to_the_grosz() {
        // The Ministry's sample 20: 3 118,80 EUR of VAT at 4,5005.
        assert_eq!(NbpRate::parse("4.5005").unwrap().to_pln(311_880), 1_403_616);
        // 1 000 000 HUF at 0,011625 is 11 625,00 zł exactly; cut to 0,0116 it would be
        // 11 600,00 — the error the rule forbids.
        assert_eq!(NbpRate::parse("0.011625").unwrap().to_pln(100_000_000), 1_162_500);
        assert_eq!(NbpRate::parse("4.2954").unwrap().to_pln(1870), 8032);
        assert_eq!(NbpRate::parse("4.2954").unwrap().to_pln(-1870), -8032);
        let json = serde_json::to_string(&NbpRate::parse("0.011625").unwrap()).unwrap();
        assert_eq!(json, "\"0.011625\"");
        assert_eq!(serde_json::from_str::<NbpRate>(&json).unwrap().to_string(), "0.011625");
    }

    #[test]
    fn invoices_stored_with_four_decimals_still_read() {
        let old: crate::ExchangeRate =
            serde_json::from_str(r#"{"rate_e4":42954,"table":"223/A/NBP/2026","date":"2026-11-17"}"#).unwrap();
        assert_eq!(old.rate.to_string(), "4.2954");
        let now = serde_json::to_string(&old).unwrap();
        assert_eq!(now, r#"{"rate":"4.2954","table":"223/A/NBP/2026","date":"2026-11-17"}"#);
        assert!(serde_json::from_str::<crate::ExchangeRate>(r#"{"table":"x","date":"y"}"#).is_err());
    }
}
