use secrecy::{ExposeSecret, SecretString};

/// A taxpayer's KSeF token: a secret that never appears in `Debug`, logs or errors.
#[derive(Clone)]
pub struct KsefToken(SecretString);

impl KsefToken {
    /// Parses a token as KSeF issues it (≤ 160 characters, no whitespace).
    pub fn parse(s: &str) -> Result<Self, &'static str> {
        let s = s.trim();
        if s.is_empty() {
            return Err("token KSeF jest pusty");
        }
        if s.chars().count() > 160 || s.chars().any(char::is_whitespace) {
            return Err("token KSeF ma nieprawidłową postać (do 160 znaków, bez spacji)");
        }
        Ok(Self(SecretString::from(s.to_owned())))
    }

    pub(crate) fn expose(&self) -> &str {
        self.0.expose_secret()
    }
}

impl std::fmt::Debug for KsefToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("KsefToken(***)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_never_shows_itself() {
        let t = KsefToken::parse("20251010-EC-1DCE3E3000-12ECB5B36E-45|nip-5265877635|abc").unwrap();
        assert_eq!(format!("{t:?}"), "KsefToken(***)");
        assert!(KsefToken::parse("  ").is_err());
        assert!(KsefToken::parse("a b").is_err());
    }
}
