//! Waybills (tracking numbers) as Allegro takes them (`research/allegro-api.md` §8.6):
//! `carrierId` from `GET /order/carriers`, `waybill` non-empty and at most 64 characters,
//! `carrierName` (at most 30) only for the carrier `OTHER`.

use std::fmt;

use crate::Problem;

/// Why a waybill cannot be added, for the seller; `field` names the form field.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {problem}")]
pub struct ShippingError {
    /// `waybill`, `carrier_id`, `carrier_name` or `line_items`.
    pub field: &'static str,
    /// What is wrong.
    pub problem: Problem,
}

fn invalid(field: &'static str, problem: impl Into<Problem>) -> ShippingError {
    ShippingError {
        field,
        problem: problem.into(),
    }
}

/// A tracking number: trimmed, 1–64 characters, no control characters.
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(transparent)]
pub struct Waybill(String);

/// Allegro's limit on a waybill's length (characters).
pub const WAYBILL_MAX: usize = 64;
/// Allegro's limit on the name of an `OTHER` carrier (characters).
pub const CARRIER_NAME_MAX: usize = 30;

impl Waybill {
    /// Parses what the seller typed.
    pub fn parse(raw: &str) -> Result<Self, ShippingError> {
        let s = raw.trim();
        if s.is_empty() {
            return Err(invalid("waybill", "problem-waybill-empty"));
        }
        let length = s.chars().count();
        if length > WAYBILL_MAX {
            return Err(invalid(
                "waybill",
                Problem::new("problem-waybill-length")
                    .arg("max", WAYBILL_MAX)
                    .arg("length", length),
            ));
        }
        if s.chars().any(char::is_control) {
            return Err(invalid("waybill", "problem-waybill-control"));
        }
        Ok(Self(s.to_owned()))
    }

    /// The number.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Waybill {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Allegro's carrier id (`INPOST`, `DPD`, `OTHER`…), upper case letters, digits and `_`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(transparent)]
pub struct CarrierId(String);

impl CarrierId {
    /// The carrier for numbers no listed carrier accepts; it needs a name.
    pub const OTHER: &'static str = "OTHER";

    /// Parses a carrier id (case-insensitive: `inpost` is `INPOST`).
    pub fn parse(raw: &str) -> Result<Self, ShippingError> {
        let s = raw.trim().to_ascii_uppercase();
        if s.is_empty() {
            return Err(invalid("carrier_id", "problem-carrier-empty"));
        }
        if s.len() > 64
            || !s
                .chars()
                .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
        {
            return Err(invalid(
                "carrier_id",
                Problem::new("problem-carrier-id").arg("value", raw.trim()),
            ));
        }
        Ok(Self(s))
    }

    /// The id.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// `OTHER`.
    pub fn is_other(&self) -> bool {
        self.0 == Self::OTHER
    }
}

impl fmt::Display for CarrierId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A waybill to add to an order, checked: the carrier's name is given exactly when the
/// carrier is `OTHER`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewWaybill {
    /// Carrier.
    pub carrier_id: CarrierId,
    /// Name of an `OTHER` carrier.
    pub carrier_name: Option<String>,
    /// Tracking number.
    pub waybill: Waybill,
    /// Allegro line item ids it covers, sorted; empty: the whole order.
    pub line_items: Vec<String>,
}

impl NewWaybill {
    /// Checks the parts a seller sends (form, API, CLI or a CSV row).
    pub fn parse(
        carrier_id: &str,
        carrier_name: Option<&str>,
        waybill: &str,
        line_items: Vec<String>,
    ) -> Result<Self, ShippingError> {
        let carrier_id = CarrierId::parse(carrier_id)?;
        let waybill = Waybill::parse(waybill)?;
        let name = carrier_name.map(str::trim).filter(|n| !n.is_empty());
        let carrier_name = if carrier_id.is_other() {
            let name = name.ok_or_else(|| invalid("carrier_name", "problem-carrier-name-empty"))?;
            let length = name.chars().count();
            if length > CARRIER_NAME_MAX {
                return Err(invalid(
                    "carrier_name",
                    Problem::new("problem-carrier-name-length")
                        .arg("max", CARRIER_NAME_MAX)
                        .arg("length", length),
                ));
            }
            Some(name.to_owned())
        } else {
            // Allegro ignores the name for listed carriers (spec).
            None
        };
        let mut line_items: Vec<String> = line_items
            .into_iter()
            .map(|l| l.trim().to_owned())
            .filter(|l| !l.is_empty())
            .collect();
        if let Some(bad) = line_items
            .iter()
            .find(|l| l.contains(',') || l.chars().any(char::is_whitespace))
        {
            return Err(invalid(
                "line_items",
                Problem::new("problem-line-item-id").arg("value", bad),
            ));
        }
        line_items.sort();
        line_items.dedup();
        Ok(Self {
            carrier_id,
            carrier_name,
            waybill,
            line_items,
        })
    }
}

/// Where pushing a waybill to its Allegro order stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PushState {
    /// To be sent (again after a failure, at its next time).
    Pending,
    /// On the Allegro order.
    Pushed,
    /// Allegro will not take it (e.g. the number is invalid for the carrier); fixed and
    /// sent again by the seller.
    Refused,
    /// The order did not come from Allegro (a file import).
    NotApplicable,
}

impl PushState {
    /// Stored and API word.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Pushed => "pushed",
            Self::Refused => "refused",
            Self::NotApplicable => "not_applicable",
        }
    }
}

impl std::str::FromStr for PushState {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "pending" => Ok(Self::Pending),
            "pushed" => Ok(Self::Pushed),
            "refused" => Ok(Self::Refused),
            "not_applicable" => Ok(Self::NotApplicable),
            other => Err(format!("unknown push state {other:?}")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn waybills_follow_allegros_limits() {
        assert_eq!(Waybill::parse("  AD-1239134 ").unwrap().as_str(), "AD-1239134");
        assert_eq!(Waybill::parse("").unwrap_err().field, "waybill");
        assert!(Waybill::parse(&"9".repeat(64)).is_ok());
        let long = Waybill::parse(&"9".repeat(65)).unwrap_err();
        assert_eq!(long.problem.key, "problem-waybill-length");
        assert_eq!(
            long.problem.args,
            [
                ("max".to_owned(), "64".to_owned()),
                ("length".to_owned(), "65".to_owned())
            ]
        );
        // Characters, not bytes.
        assert!(Waybill::parse(&"Ż".repeat(64)).is_ok());
        assert!(Waybill::parse("AB\u{7}12").is_err());
    }

    #[test]
    fn carriers_and_names() {
        assert_eq!(CarrierId::parse(" inpost ").unwrap().as_str(), "INPOST");
        assert!(CarrierId::parse("IN POST").is_err());
        assert_eq!(CarrierId::parse("").unwrap_err().field, "carrier_id");
        let other = NewWaybill::parse("OTHER", Some(" Kurier Jan "), "X1", vec![]).unwrap();
        assert_eq!(other.carrier_name.as_deref(), Some("Kurier Jan"));
        assert_eq!(
            NewWaybill::parse("OTHER", None, "X1", vec![]).unwrap_err().field,
            "carrier_name"
        );
        assert!(NewWaybill::parse("OTHER", Some(&"a".repeat(31)), "X1", vec![]).is_err());
        // A listed carrier's name is dropped, as Allegro ignores it.
        let dpd = NewWaybill::parse(
            "DPD",
            Some("whatever"),
            "X1",
            vec![" b".into(), "a".into(), "b".into(), "".into()],
        )
        .unwrap();
        assert_eq!(dpd.carrier_name, None);
        assert_eq!(dpd.line_items, vec!["a".to_owned(), "b".to_owned()]);
        assert_eq!(
            NewWaybill::parse("DPD", None, "X1", vec!["a,b".into()])
                .unwrap_err()
                .field,
            "line_items"
        );
    }

    #[test]
    fn push_states_round_trip() {
        for s in [
            PushState::Pending,
            PushState::Pushed,
            PushState::Refused,
            PushState::NotApplicable,
        ] {
            assert_eq!(s.as_str().parse::<PushState>().unwrap(), s);
        }
        assert!("sent".parse::<PushState>().is_err());
    }
}
