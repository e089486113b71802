//! The facts KSeF reads from an FA(3) document: who issued it, its number and kind, its
//! dates and amounts — what duplicates, KSeF numbers, UPOs and metadata queries rest on.

/// What one invoice says, read from its XML.
#[derive(Debug, Clone, Default)]
pub struct InvoiceFacts {
    /// `Podmiot1/DaneIdentyfikacyjne/NIP`.
    pub seller_nip: String,
    /// `Podmiot1/DaneIdentyfikacyjne/Nazwa`.
    pub seller_name: Option<String>,
    /// Podmiot2: `("Nip", value)`, `("VatUe", value)`, `("Other", value)` or `("None", "")`.
    pub buyer_id: (String, String),
    /// `Podmiot2/DaneIdentyfikacyjne/Nazwa`.
    pub buyer_name: Option<String>,
    /// NIPs of every Podmiot3.
    pub third_nips: Vec<String>,
    /// `Fa/P_1` (`YYYY-MM-DD`).
    pub issue_date: String,
    /// `Fa/P_2`.
    pub number: String,
    /// `Fa/RodzajFaktury`: `VAT`, `KOR`, `ZAL`, …
    pub kind: String,
    /// `Fa/KodWaluty`.
    pub currency: String,
    /// `Fa/P_15`.
    pub gross: f64,
    /// Sum of `P_13_*`.
    pub net: f64,
    /// Sum of `P_14_*` (in the invoice's currency).
    pub vat: f64,
    /// A `Zalacznik` element is present.
    pub has_attachment: bool,
}

fn child<'a, 'i>(node: roxmltree::Node<'a, 'i>, name: &str) -> Option<roxmltree::Node<'a, 'i>> {
    node.children().find(|c| c.is_element() && c.tag_name().name() == name)
}

fn text_at(node: roxmltree::Node<'_, '_>, path: &[&str]) -> Option<String> {
    let mut at = node;
    for name in path {
        at = child(at, name)?;
    }
    at.text().map(|t| t.trim().to_owned())
}

impl InvoiceFacts {
    /// Reads the facts from an FA document that passed the schema.
    pub fn read(xml: &str) -> Result<Self, String> {
        let doc = roxmltree::Document::parse(xml).map_err(|e| format!("XML nie jest poprawnie zbudowany: {e}"))?;
        let root = doc.root_element();
        let fa = child(root, "Fa").ok_or("Brak elementu Fa.")?;
        let p1 = child(root, "Podmiot1").ok_or("Brak elementu Podmiot1.")?;
        let seller_nip = text_at(p1, &["DaneIdentyfikacyjne", "NIP"]).ok_or("Brak NIP sprzedawcy (Podmiot1).")?;
        let (buyer_id, buyer_name) = match child(root, "Podmiot2").and_then(|p| child(p, "DaneIdentyfikacyjne")) {
            Some(d) => {
                let id = if let Some(nip) = text_at(d, &["NIP"]) {
                    ("Nip".to_owned(), nip)
                } else if let Some(vat) = text_at(d, &["NrVatUE"]) {
                    (
                        "VatUe".to_owned(),
                        format!("{}{vat}", text_at(d, &["KodUE"]).unwrap_or_default()),
                    )
                } else if let Some(other) = text_at(d, &["NrID"]) {
                    ("Other".to_owned(), other)
                } else {
                    ("None".to_owned(), String::new())
                };
                (id, text_at(d, &["Nazwa"]))
            }
            None => (("None".to_owned(), String::new()), None),
        };
        let third_nips = root
            .children()
            .filter(|c| c.is_element() && c.tag_name().name() == "Podmiot3")
            .filter_map(|p| text_at(p, &["DaneIdentyfikacyjne", "NIP"]))
            .collect();
        let amount = |name: &str| text_at(fa, &[name]).and_then(|t| t.parse::<f64>().ok()).unwrap_or(0.0);
        let sum_of = |prefix: &str| {
            fa.children()
                .filter(|c| {
                    let n = c.tag_name().name();
                    c.is_element() && n.starts_with(prefix) && !n.ends_with('W')
                })
                .filter_map(|c| c.text().and_then(|t| t.trim().parse::<f64>().ok()))
                .sum::<f64>()
        };
        Ok(Self {
            seller_nip,
            seller_name: text_at(p1, &["DaneIdentyfikacyjne", "Nazwa"]),
            buyer_id,
            buyer_name,
            third_nips,
            issue_date: text_at(fa, &["P_1"]).ok_or("Brak daty wystawienia P_1.")?,
            number: text_at(fa, &["P_2"]).ok_or("Brak numeru faktury P_2.")?,
            kind: text_at(fa, &["RodzajFaktury"]).unwrap_or_else(|| "VAT".to_owned()),
            currency: text_at(fa, &["KodWaluty"]).unwrap_or_else(|| "PLN".to_owned()),
            gross: amount("P_15"),
            net: sum_of("P_13_"),
            vat: sum_of("P_14_"),
            has_attachment: child(root, "Zalacznik").is_some(),
        })
    }

    /// `RodzajFaktury` as the metadata API names it (`Vat`, `Kor`, `KorZal`, …).
    pub fn invoice_type(&self) -> String {
        match self.kind.as_str() {
            "VAT" => "Vat".to_owned(),
            "KOR" => "Kor".to_owned(),
            "ZAL" => "Zal".to_owned(),
            "ROZ" => "Roz".to_owned(),
            "UPR" => "Upr".to_owned(),
            "KOR_ZAL" => "KorZal".to_owned(),
            "KOR_ROZ" => "KorRoz".to_owned(),
            other => other.to_owned(),
        }
    }
}

/// The NIP checksum (weights 6 5 7 2 3 4 5 6 7, mod 11): checked in the `prod` profile only.
pub fn nip_checksum_ok(nip: &str) -> bool {
    let digits: Vec<u32> = nip.chars().filter_map(|c| c.to_digit(10)).collect();
    if digits.len() != 10 {
        return false;
    }
    let sum: u32 = [6, 5, 7, 2, 3, 4, 5, 6, 7]
        .iter()
        .zip(&digits)
        .map(|(w, d)| w * d)
        .sum();
    sum % 11 == digits[9] && sum % 11 != 10
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_ministrys_sample() {
        let facts = InvoiceFacts::read(include_str!("../tests/data/fa3-sample.xml")).unwrap();
        assert_eq!(facts.seller_nip, "9999999999");
        assert_eq!(facts.kind, "VAT");
        assert!(!facts.number.is_empty());
        assert!(facts.gross > 0.0);
    }

    #[test]
    fn nip_checksums() {
        assert!(nip_checksum_ok("5265877635"));
        assert!(!nip_checksum_ok("5265877636"));
    }
}
