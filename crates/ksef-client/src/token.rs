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

    /// The token's reference number (`EC`), the part before the first `|`: not secret.
    pub fn reference(&self) -> &str {
        self.expose().split('|').next().unwrap_or_default()
    }

    /// The NIP the token was issued for (its `nip-…` part), when it names one: not secret.
    pub fn nip(&self) -> Option<&str> {
        self.expose().split('|').find_map(|part| part.strip_prefix("nip-"))
    }

    /// What may be shown of the token: its reference and NIP, the secret masked to its
    /// last four characters.
    pub fn hint(&self) -> String {
        let secret = self.expose().rsplit('|').next().unwrap_or_default();
        let tail: String = secret
            .chars()
            .rev()
            .take(4)
            .collect::<Vec<_>>()
            .into_iter()
            .rev()
            .collect();
        match self.nip() {
            Some(nip) => format!("{}|nip-{nip}|…{tail}", self.reference()),
            None => format!("…{tail}"),
        }
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
        assert_eq!(t.reference(), "20251010-EC-1DCE3E3000-12ECB5B36E-45");
        assert_eq!(t.nip(), Some("5265877635"));
        let long = KsefToken::parse("20251010-EC-1DCE3E3000-12ECB5B36E-45|nip-5265877635|0123456789abcdef").unwrap();
        assert_eq!(long.hint(), "20251010-EC-1DCE3E3000-12ECB5B36E-45|nip-5265877635|…cdef");
        assert!(!long.hint().contains("0123456789ab"));
        assert!(KsefToken::parse("  ").is_err());
        assert!(KsefToken::parse("a b").is_err());
    }
}
