//! Distance sales of goods to consumers in other member states in the OSS procedure
//! (art. 130a–130d of the VAT act): the consumer's member state's VAT rate, checked against
//! that state's rates. FA(3) writes it as `P_12_XII` with `Procedura` `WSTO_EE` and totals in
//! `P_13_5` / `P_14_5`.

/// The rates of the member states Allegro sells to from Poland (allegro.cz, .sk, .hu), in
/// hundredths of a percent, as in force in 2026: Czechia 21 / 12 / 0 % (since 2024),
/// Slovakia 23 / 19 / 5 % (since 2025), Hungary 27 / 18 / 5 %. A rate not listed here, or a
/// country without a list, stops the invoice: an OSS rate is never guessed.
const RATES: [(&str, &[u16]); 3] = [
    ("CZ", &[2100, 1200, 0]),
    ("SK", &[2300, 1900, 500]),
    ("HU", &[2700, 1800, 500]),
];

/// The rates of a member state known to the product, or `None`.
pub fn rates_of(country: &str) -> Option<&'static [u16]> {
    RATES.iter().find(|(c, _)| *c == country).map(|(_, r)| *r)
}

/// A consumer's member state and its rate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct OssRate {
    country: [u8; 2],
    hundredths: u16,
}

impl OssRate {
    /// The rate `percent` (`"21"`, `"21.00"`, `"5.5"`) of `country` when it is one of that
    /// country's rates.
    pub fn parse(country: &str, percent: &str) -> Option<Self> {
        let hundredths = u16::try_from(crate::parse_decimal(percent.trim().trim_end_matches('%'))?).ok()?;
        let bytes: [u8; 2] = country.as_bytes().try_into().ok()?;
        rates_of(country)?.contains(&hundredths).then_some(Self {
            country: bytes,
            hundredths,
        })
    }

    /// The member state's code (`CZ`).
    pub fn country(&self) -> &str {
        std::str::from_utf8(&self.country).unwrap_or("??")
    }

    /// The rate in hundredths of a percent.
    pub fn hundredths(&self) -> u16 {
        self.hundredths
    }

    /// The rate as FA(3)'s `TProcentowy` and people write it: `21`, `5.5`.
    pub fn percent_text(&self) -> String {
        let text = crate::decimal_text(i64::from(self.hundredths));
        text.trim_end_matches('0').trim_end_matches('.').to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_countrys_own_rates_are_accepted() {
        let cases = [
            ("CZ", "21.00", Some("21")),
            ("CZ", "12", Some("12")),
            ("CZ", "23.00", None),
            ("SK", "19.00", Some("19")),
            ("HU", "27", Some("27")),
            ("HU", "27.5", None),
            ("DE", "19.00", None),
            ("hu", "27", None),
        ];
        for (country, rate, expected) in cases {
            assert_eq!(
                OssRate::parse(country, rate).map(|r| r.percent_text()),
                expected.map(str::to_owned),
                "{country} {rate}"
            );
        }
    }
}
