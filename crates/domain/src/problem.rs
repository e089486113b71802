//! What a seller is told when something is refused: a Fluent key (`problem-…`, in
//! `web/locales/{pl,en}/main.ftl`) and its arguments, worded by the surface that shows it
//! (page, API, terminal) in the seller's language — never an English sentence from the
//! rules or the use cases.

use std::fmt;

/// A refusal for the seller: a Fluent key and its arguments.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Problem {
    /// The Fluent key, e.g. `problem-warehouse-name-taken`.
    pub key: String,
    /// Named arguments, e.g. `name = "Magazyn B"`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub args: Vec<(String, String)>,
}

impl Problem {
    /// A problem without arguments; `key` starts with `problem-`.
    pub fn new(key: &str) -> Self {
        debug_assert!(key.starts_with("problem-"), "not a problem key: {key:?}");
        Self {
            key: key.to_owned(),
            args: Vec::new(),
        }
    }

    /// "„{value}” is not one of {allowed}": the one wording of a value outside a closed list.
    pub fn not_one_of(value: &str, allowed: &[&str]) -> Self {
        Self::new("problem-not-one-of")
            .arg("value", value)
            .arg("allowed", allowed.join(", "))
    }

    /// With one more argument.
    pub fn arg(mut self, name: &str, value: impl fmt::Display) -> Self {
        self.args.push((name.to_owned(), value.to_string()));
        self
    }

    /// The value of argument `name` (empty when it has none).
    pub fn arg_text(&self, name: &str) -> String {
        self.args
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    }

    /// The form kept on a row (e.g. why an order's automatic invoice failed), read back by
    /// [`Problem::from_stored`] to be worded when shown.
    pub fn to_stored(&self) -> String {
        serde_json::to_string(self).unwrap_or_else(|_| self.key.clone())
    }

    /// A problem kept by [`Problem::to_stored`]; `None` for other text (an internal error,
    /// or a row written before problems were kept this way).
    pub fn from_stored(stored: &str) -> Option<Problem> {
        serde_json::from_str::<Problem>(stored)
            .ok()
            .filter(|p| p.key.starts_with("problem-"))
    }
}

impl From<&str> for Problem {
    fn from(key: &str) -> Self {
        Problem::new(key)
    }
}

/// A value that did not parse: "„x” is not valid; expected: …".
impl From<crate::DomainError> for Problem {
    fn from(e: crate::DomainError) -> Self {
        Problem::new("problem-invalid-value")
            .arg("value", e.value)
            .arg("expected", e.expected)
    }
}

impl From<crate::NipError> for Problem {
    fn from(e: crate::NipError) -> Self {
        match e {
            crate::NipError::Length(v) => Problem::new("problem-nip-length").arg("value", v),
            crate::NipError::Checksum(v) => Problem::new("problem-nip-checksum").arg("value", v),
            crate::NipError::TaxOffice(v) => Problem::new("problem-nip-tax-office").arg("value", v),
        }
    }
}

/// For logs: the key and its arguments.
impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.key)?;
        for (i, (name, value)) in self.args.iter().enumerate() {
            write!(f, "{}{name}={value:?}", if i == 0 { " " } else { ", " })?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_stored_problem_reads_back_and_other_text_does_not() {
        let p = Problem::new("problem-order-total-mismatch")
            .arg("lines", "10,00")
            .arg("paid", "12,00");
        assert_eq!(Problem::from_stored(&p.to_stored()), Some(p.clone()));
        assert_eq!(Problem::from_stored("database error: disk full"), None);
        assert_eq!(Problem::from_stored(r#"{"key":"x"}"#), None, "only problem keys");
        assert_eq!(
            p.to_string(),
            r#"problem-order-total-mismatch lines="10,00", paid="12,00""#
        );
    }
}
