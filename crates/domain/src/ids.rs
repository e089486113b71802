use std::fmt;
use std::str::FromStr;

use crate::DomainError;

macro_rules! id_type {
    ($(#[$meta:meta])* $name:ident) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
        #[serde(transparent)]
        pub struct $name(String);

        impl $name {
            /// Wraps a stored id (a UUID string).
            pub fn from_stored(s: String) -> Self {
                Self(s)
            }

            /// The id as text.
            pub fn as_str(&self) -> &str {
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
            /// Accepts a canonical lower-case UUID (what we issue), nothing else.
            fn from_str(s: &str) -> Result<Self, DomainError> {
                if is_uuid(s) {
                    Ok(Self(s.to_owned()))
                } else {
                    Err(DomainError::invalid(stringify!($name), s, "a UUID"))
                }
            }
        }
    };
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_parse_only_uuids() {
        assert!("7f2c1c1e-2b4a-4d8e-9c1f-0a1b2c3d4e5f".parse::<AccountId>().is_ok());
        assert!("7F2C1C1E-2B4A-4D8E-9C1F-0A1B2C3D4E5F".parse::<AccountId>().is_err());
        assert!("../etc/passwd".parse::<AccountId>().is_err());
        assert!("".parse::<ConnectionId>().is_err());
    }
}
