//! A buyer's VAT number in another EU member state (VAT-EU), as FA(3) writes it: the
//! member state's code (`KodUE`, Greece is `EL`, Northern Ireland `XI`) and the number
//! (`NrVatUE`: up to 12 digits, capital letters, `+` or `*`).

/// Member states' codes FA(3) accepts in `KodUE`, Poland aside (a Polish buyer has a NIP).
const CODES: [&str; 27] = [
    "AT", "BE", "BG", "CY", "CZ", "DE", "DK", "EE", "EL", "ES", "FI", "FR", "HR", "HU", "IE", "IT", "LT", "LU", "LV",
    "MT", "NL", "PT", "RO", "SE", "SI", "SK", "XI",
];

/// A VAT-EU number: `CZ12345678`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct EuVatNumber {
    country: String,
    number: String,
}

impl EuVatNumber {
    /// Reads `CZ12345678`, `cz 1234 5678` or `GR…` (Greece's ISO code, written `EL`).
    pub fn parse(text: &str) -> Option<Self> {
        let compact: String = text
            .chars()
            .filter(|c| !c.is_whitespace() && *c != '-' && *c != '.')
            .collect::<String>()
            .to_uppercase();
        let (code, number) = compact.split_at_checked(2)?;
        let code = if code == "GR" { "EL" } else { code };
        let well_formed = (1..=12).contains(&number.len())
            && number
                .bytes()
                .all(|b| b.is_ascii_digit() || b.is_ascii_uppercase() || b == b'+' || b == b'*');
        (CODES.contains(&code) && well_formed).then(|| Self {
            country: code.to_owned(),
            number: number.to_owned(),
        })
    }

    /// Whether `code` (ISO, upper case; Greece as `GR` or `EL`) is another member state.
    pub fn is_member_state(code: &str) -> bool {
        let code = if code == "GR" { "EL" } else { code };
        CODES.contains(&code)
    }

    /// The member state's code (`KodUE`).
    pub fn country(&self) -> &str {
        &self.country
    }

    /// The number without the code (`NrVatUE`).
    pub fn number(&self) -> &str {
        &self.number
    }
}

impl std::fmt::Display for EuVatNumber {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}{}", self.country, self.number)
    }
}

impl TryFrom<String> for EuVatNumber {
    type Error = String;
    fn try_from(s: String) -> Result<Self, String> {
        Self::parse(&s).ok_or_else(|| format!("{s:?} is not a VAT-EU number"))
    }
}

impl From<EuVatNumber> for String {
    fn from(v: EuVatNumber) -> String {
        v.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::EuVatNumber;

    #[test]
    fn vat_eu_numbers_as_buyers_type_them() {
        let cz = EuVatNumber::parse("cz 2765 0081").unwrap();
        assert_eq!(
            (cz.country(), cz.number(), cz.to_string().as_str()),
            ("CZ", "27650081", "CZ27650081")
        );
        assert_eq!(EuVatNumber::parse("GR123456789").unwrap().country(), "EL");
        assert_eq!(EuVatNumber::parse("SK2020317068").unwrap().number(), "2020317068");
        for bad in ["PL5260250995", "US123", "CZ", "CZ1234567890123", "CZ12_34"] {
            assert_eq!(EuVatNumber::parse(bad), None, "{bad}");
        }
    }
}
