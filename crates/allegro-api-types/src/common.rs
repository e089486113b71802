use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// `Price`: an amount as a decimal string (never a float) and an ISO 4217 currency.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Price {
    /// Decimal amount with a dot, e.g. `"123.45"`.
    pub amount: String,
    /// ISO 4217 code, e.g. `PLN`.
    pub currency: String,
}

impl Price {
    /// A price from an amount in minor units (grosze) and a currency.
    pub fn from_minor(minor: i64, currency: &str) -> Self {
        Self {
            amount: domain::decimal_text(minor),
            currency: currency.to_owned(),
        }
    }

    /// The amount in minor units, if it is a plain decimal with at most two fraction digits
    /// (read by the one rule, [`domain::parse_decimal`]).
    pub fn to_minor(&self) -> Option<i64> {
        domain::parse_decimal(&self.amount)
    }
}

/// `Error`: one entry of Allegro's `{"errors": [...]}` envelope.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ApiError {
    /// Machine-readable code, e.g. `VALIDATION_ERROR`, `NotFoundException`.
    #[serde(default)]
    pub code: String,
    /// Developer message, always English.
    #[serde(default)]
    pub message: String,
    /// Extra details.
    #[serde(default)]
    pub details: Option<String>,
    /// The field path or request path the error is about.
    #[serde(default)]
    pub path: Option<String>,
    /// Message for the end user, localised per `Accept-Language`.
    #[serde(default)]
    pub user_message: Option<String>,
    /// Free-form string metadata; newer responses always send `{}`.
    #[serde(default)]
    pub metadata: Option<BTreeMap<String, String>>,
}

/// `ErrorsHolder`: the body of every non-OAuth error response.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct ErrorsHolder {
    /// The errors, at least one in practice.
    #[serde(default)]
    pub errors: Vec<ApiError>,
}

/// `AuthError`: the OAuth-style body Allegro sends with 401 (and on the token endpoint).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuthError {
    /// OAuth error code, e.g. `invalid_token`, `invalid_grant`, `unauthorized`.
    pub error: String,
    /// Human-readable description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_description: Option<String>,
}

/// Declares a string enum of the spec with its exact wire names, `as_str`, `ALL` and
/// `FromStr`. Unknown values (Allegro adds enum members over time) deserialise to `Unknown`
/// instead of failing the whole response.
#[macro_export]
macro_rules! api_enum {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident = $wire:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum $name {
            $($(#[$vmeta])* $variant,)+
            /// A value this build does not know yet.
            Unknown,
        }

        impl $name {
            /// Every known value, in the spec's order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The wire name.
            pub fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $wire,)+
                    $name::Unknown => "UNKNOWN",
                }
            }
        }

        impl ::std::str::FromStr for $name {
            type Err = String;
            fn from_str(s: &str) -> Result<Self, String> {
                match s {
                    $($wire => Ok($name::$variant),)+
                    other => Err(format!(
                        "unknown {} value {other:?}; expected one of: {}",
                        stringify!($name),
                        [$($wire),+].join(", ")
                    )),
                }
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl ::serde::Serialize for $name {
            fn serialize<S: ::serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }

        impl<'de> ::serde::Deserialize<'de> for $name {
            fn deserialize<D: ::serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let raw = <::std::borrow::Cow<'de, str>>::deserialize(d)?;
                Ok(raw.parse().unwrap_or($name::Unknown))
            }
        }
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn minor_units_round_trip() {
        for v in [0, 1, 10, 99, 100, 12345, -5, -12345, 100_000_000] {
            assert_eq!(Price::from_minor(v, "PLN").to_minor(), Some(v), "{v}");
        }
        let p = |a: &str| {
            Price {
                amount: a.into(),
                currency: "PLN".into(),
            }
            .to_minor()
        };
        assert_eq!(p("123.4"), Some(12340));
        assert_eq!(p("7"), Some(700));
        assert_eq!(p("1.234"), None);
        assert_eq!(p("1,23"), None);
        assert_eq!(p(""), None);
    }
}
