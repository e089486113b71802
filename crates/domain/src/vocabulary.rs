//! Small closed vocabularies the store keeps as words: an invoice's kind, a stock
//! movement's reason, a WZ's state. Each is an enum with its stored (and API) word, parsed
//! back strictly — an unknown word is an error, never a default.

/// An enum whose variants are stored as words: `as_str`, `FromStr`, `Display`, serde.
macro_rules! stored_words {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident = $word:literal,)+ }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
        pub enum $name {
            $($(#[$vmeta])* #[serde(rename = $word)] $variant,)+
        }

        impl $name {
            /// Every value.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The stored and API word.
            pub fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $word,)+
                }
            }
        }

        impl std::str::FromStr for $name {
            type Err = crate::DomainError;
            fn from_str(s: &str) -> Result<Self, crate::DomainError> {
                match s {
                    $($word => Ok($name::$variant),)+
                    other => Err(crate::DomainError::invalid(
                        stringify!($name),
                        other,
                        &[$($word),+].join(", "),
                    )),
                }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

stored_words! {
    /// What an invoice is.
    InvoiceKind {
        /// A VAT invoice (FA).
        Vat = "vat",
        /// A correcting invoice (KOR) taking back a cancelled or returned order's invoice.
        Correction = "correction",
    }
}

stored_words! {
    /// Why stock moved.
    MovementReason {
        /// Goods received (a positive count by hand).
        Receipt = "receipt",
        /// Counted out by hand (a negative count).
        Adjustment = "adjustment",
        /// Issued for an order by its WZ.
        Wz = "wz",
        /// Given back when the order's WZ was cancelled.
        WzCancelled = "wz_cancelled",
    }
}

stored_words! {
    /// Where a goods-issue document (WZ) stands.
    WzState {
        /// Issued: its goods left the warehouse.
        Issued = "issued",
        /// Cancelled with its order: the goods came back.
        Cancelled = "cancelled",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_read_back_and_unknown_ones_are_refused() {
        for k in InvoiceKind::ALL {
            assert_eq!(k.as_str().parse::<InvoiceKind>().unwrap(), *k);
        }
        for r in MovementReason::ALL {
            assert_eq!(r.as_str().parse::<MovementReason>().unwrap(), *r);
            assert_eq!(serde_json::to_value(r).unwrap(), r.as_str());
        }
        assert!("VAT".parse::<InvoiceKind>().is_err(), "words are exact");
        assert!("returned".parse::<WzState>().is_err());
    }
}
