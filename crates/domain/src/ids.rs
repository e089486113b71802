use std::fmt;
use std::str::FromStr;

use crate::DomainError;

macro_rules! id_type {
    ($(#[$meta:meta])* $name:ident) => {
        id_type!($(#[$meta])* $name, is_uuid, "a UUID");
    };
    ($(#[$meta:meta])* $name:ident, $check:path, $expected:literal) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
        #[serde(transparent)]
        pub struct $name(String);

        impl $name {
            /// Wraps a stored id (read back from our own rows, already checked once).
            pub fn from_stored(s: String) -> Self {
                Self(s)
            }

            /// The id as text.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl PartialEq<str> for $name {
            fn eq(&self, other: &str) -> bool {
                self.0 == other
            }
        }

        impl PartialEq<&str> for $name {
            fn eq(&self, other: &&str) -> bool {
                self.0 == *other
            }
        }

        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl FromStr for $name {
            type Err = DomainError;
            /// Accepts only a well-formed id (for ours, a canonical lower-case UUID).
            fn from_str(s: &str) -> Result<Self, DomainError> {
                if $check(s) {
                    Ok(Self(s.to_owned()))
                } else {
                    Err(DomainError::invalid(stringify!($name), s, $expected))
                }
            }
        }
    };
}

/// The longest order id we keep: Allegro's are UUIDs (36), a file's are the seller's own
/// order numbers.
pub const ORDER_ID_MAX: usize = 100;

/// An order id: Allegro's checkout form UUID, or the seller's own order number from a file
/// — any text without surrounding blanks or control characters, at most [`ORDER_ID_MAX`].
fn is_order_id(s: &str) -> bool {
    !s.is_empty() && s.chars().count() <= ORDER_ID_MAX && s.trim() == s && !s.chars().any(char::is_control)
}

fn is_uuid(s: &str) -> bool {
    s.len() == 36
        && s.char_indices().all(|(i, c)| match i {
            8 | 13 | 18 | 23 => c == '-',
            _ => c.is_ascii_digit() || ('a'..='f').contains(&c),
        })
}

id_type!(
    /// An organisation (a tenant): every row belongs to one.
    OrganisationId
);
id_type!(
    /// A back-office user.
    UserId
);
id_type!(
    /// A connection: one OAuth app (own or the service app) and its environment.
    ConnectionId
);
id_type!(
    /// A linked Allegro account.
    AccountId
);
id_type!(
    /// An API key.
    ApiKeyId
);
id_type!(
    /// An order: Allegro's checkout form id, or the seller's order number from a file.
    OrderId,
    is_order_id,
    "an order id (1–100 characters, no blanks around)"
);
id_type!(
    /// An issued invoice or correction.
    InvoiceId
);
id_type!(
    /// A waybill added to an order (our id, not Allegro's shipment id).
    ShipmentId
);
id_type!(
    /// An import: orders fetched by purchase date, or read from a file.
    ImportId
);
id_type!(
    /// A warehouse.
    WarehouseId
);
id_type!(
    /// A product in the warehouse.
    ProductId
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_parse_only_uuids() {
        assert!("7f2c1c1e-2b4a-4d8e-9c1f-0a1b2c3d4e5f".parse::<AccountId>().is_ok());
        assert!("7F2C1C1E-2B4A-4D8E-9C1F-0A1B2C3D4E5F".parse::<AccountId>().is_err());
        assert!("../etc/passwd".parse::<AccountId>().is_err());
        assert!("".parse::<ConnectionId>().is_err());
        assert!("".parse::<InvoiceId>().is_err());
    }

    #[test]
    fn order_ids_are_allegro_uuids_or_a_sellers_numbers() {
        assert!("7f2c1c1e-2b4a-4d8e-9c1f-0a1b2c3d4e5f".parse::<OrderId>().is_ok());
        assert!("ZAM/2026/11/0007".parse::<OrderId>().is_ok());
        assert!("".parse::<OrderId>().is_err());
        assert!(" 17".parse::<OrderId>().is_err());
        assert!("a\nb".parse::<OrderId>().is_err());
        assert!("x".repeat(ORDER_ID_MAX + 1).parse::<OrderId>().is_err());
    }
}
