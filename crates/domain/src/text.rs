//! Text from outside (Allegro, files, forms) made safe to store and to put on an invoice.

use std::borrow::Cow;

/// Whether `c` is a control character that text we store must not carry: C0 controls other
/// than tab, line feed and carriage return (NUL among them: PostgreSQL refuses it, XML 1.0
/// forbids it), DEL and the C1 controls.
pub fn is_forbidden_control(c: char) -> bool {
    (c.is_control() && !matches!(c, '\t' | '\n' | '\r')) || c == '\u{feff}'
}

/// `s` without forbidden control characters (borrowed when there are none).
pub fn without_controls(s: &str) -> Cow<'_, str> {
    if s.chars().any(is_forbidden_control) {
        Cow::Owned(s.chars().filter(|c| !is_forbidden_control(*c)).collect())
    } else {
        Cow::Borrowed(s)
    }
}

/// `s` cut to at most `max` characters, ending with "…" when cut (FA(3) text fields are
/// 256 or 512 characters; a longer name would make the whole invoice fail the schema).
pub fn shorten(s: &str, max: usize) -> Cow<'_, str> {
    if s.chars().count() <= max {
        return Cow::Borrowed(s);
    }
    let mut out: String = s.chars().take(max.saturating_sub(1)).collect();
    out.truncate(out.trim_end().len());
    out.push('…');
    Cow::Owned(out)
}

/// The form a name is searched by: lower case and without diacritics — "Żółkiewski",
/// "ŻÓŁKIEWSKI" and "zolkiewski" are one key, as are "Dvořák" and "dvorak". Both the stored
/// key and the typed query go through it, so a search finds a buyer however the name is
/// cased or accented, on either database (SQLite's `LOWER` knows only ASCII).
pub fn search_key(s: &str) -> String {
    use unicode_normalization::UnicodeNormalization;
    s.nfd()
        .filter(|c| !unicode_normalization::char::is_combining_mark(*c))
        .flat_map(char::to_lowercase)
        // Letters with a stroke have no decomposition.
        .map(|c| match c {
            'ł' => 'l',
            'đ' => 'd',
            'ø' => 'o',
            other => other,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_polish_letter_searches_as_its_plain_one() {
        assert_eq!(search_key("ĄĆĘŁŃÓŚŹŻ ąćęłńóśźż"), "acelnoszz acelnoszz");
        assert_eq!(search_key("Łukasz Żółkiewski"), "lukasz zolkiewski");
        assert_eq!(search_key("Iga ŚWIĄTEK"), "iga swiatek");
        assert_eq!(search_key("Antonín Dvořák"), "antonin dvorak");
        assert_eq!(search_key("Győri Kft."), "gyori kft.");
    }

    #[test]
    fn controls_go_and_names_fit() {
        assert_eq!(without_controls("Jan\u{0}Kowal\u{7}ski\u{85}"), "JanKowalski");
        assert_eq!(without_controls("linia 1\nlinia 2\tx"), "linia 1\nlinia 2\tx");
        assert!(matches!(without_controls("Łódź"), Cow::Borrowed(_)));
        let long = "ż".repeat(600);
        let short = shorten(&long, 512);
        assert_eq!(short.chars().count(), 512);
        assert!(short.ends_with('…'));
        assert_eq!(shorten("krótka", 512), "krótka");
    }
}
