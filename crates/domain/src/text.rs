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

#[cfg(test)]
mod tests {
    use super::*;

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
