//! A Polish bank account number (NRB): 26 digits whose first two are an IBAN check
//! (ISO 13616, mod 97 with the country code PL), so a mistyped digit is caught before an
//! invoice sends buyers' money to a wrong account.

/// Whether `text` is a valid NRB (spaces allowed, an optional `PL` prefix): 26 digits and a
/// correct check.
pub fn nrb_is_valid(text: &str) -> bool {
    let compact: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    let digits = compact
        .strip_prefix("PL")
        .or_else(|| compact.strip_prefix("pl"))
        .unwrap_or(&compact);
    if digits.len() != 26 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return false;
    }
    // The IBAN check: the 24-digit account, then "PL" as 25 21, then the two check
    // digits, read as one number, leave 1 when divided by 97.
    let rearranged = format!("{}2521{}", &digits[2..], &digits[..2]);
    rearranged
        .bytes()
        .fold(0u32, |rest, b| (rest * 10 + u32::from(b - b'0')) % 97)
        == 1
}

#[cfg(test)]
mod tests {
    use super::nrb_is_valid;

    #[test]
    fn a_mistyped_digit_is_caught() {
        assert!(nrb_is_valid("61 1090 1014 0000 0712 1981 2874"));
        assert!(nrb_is_valid("PL61109010140000071219812874"));
        assert!(!nrb_is_valid("61 1090 1014 0000 0712 1981 2875"), "last digit");
        assert!(
            !nrb_is_valid("16 1090 1014 0000 0712 1981 2874"),
            "swapped check digits"
        );
        assert!(!nrb_is_valid("61 1090 1014 0000 0712 1981 287"), "25 digits");
        assert!(!nrb_is_valid("61 1090 1014 0000 0712 1981 287X"));
    }
}
