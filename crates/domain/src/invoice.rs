//! An invoice as issued: parties, number, dates, lines and totals (from [`crate::compute`]),
//! payment, the order it is for, and for a correction the invoice it corrects. Rendered as
//! FA(3) XML by `invoice-xml`.

use crate::{EuVatNumber, Minor, NbpRate, Nip, VatRate, VatSummary};

/// Seller or buyer.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Party {
    /// Name (company, or first and last name).
    pub name: String,
    /// NIP; none for a consumer.
    pub nip: Option<Nip>,
    /// A business in another EU member state: its VAT-EU number (when it has no NIP).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vat_eu: Option<EuVatNumber>,
    /// Street and number.
    pub address_line1: String,
    /// Postcode and city.
    pub address_line2: String,
    /// Two-letter country code.
    pub country: String,
}

/// The NBP table-A mid rate a foreign-currency invoice converts VAT with (art. 31a).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(try_from = "StoredExchangeRate")]
pub struct ExchangeRate {
    /// PLN per unit, exactly as NBP published it.
    pub rate: NbpRate,
    /// NBP table number, e.g. `223/A/NBP/2026`.
    pub table: String,
    /// The table's date (`YYYY-MM-DD`).
    pub date: String,
}

/// An exchange rate as invoices store it: `rate` exact, or `rate_e4` (ten-thousandths) in
/// invoices issued before rates were kept exactly.
#[derive(serde::Deserialize)]
struct StoredExchangeRate {
    #[serde(default)]
    rate: Option<NbpRate>,
    #[serde(default)]
    rate_e4: Option<i64>,
    table: String,
    date: String,
}

impl TryFrom<StoredExchangeRate> for ExchangeRate {
    type Error = String;
    fn try_from(s: StoredExchangeRate) -> Result<Self, String> {
        let rate = s
            .rate
            .or(s.rate_e4.map(NbpRate::from_e4))
            .ok_or("an exchange rate without its rate")?;
        Ok(Self {
            rate,
            table: s.table,
            date: s.date,
        })
    }
}

/// The invoice a correction corrects.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct CorrectionOf {
    /// Its number.
    pub number: String,
    /// Its issue date.
    pub issue_date: String,
    /// Its KSeF number, when it was sent to KSeF.
    pub ksef_number: Option<String>,
    /// Why (e.g. "Zwrot towaru", "Anulowanie zamówienia").
    pub reason: String,
}

/// How the buyer pays.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Payment {
    /// Paid (on Allegro) on this date.
    Paid {
        /// `YYYY-MM-DD`.
        date: String,
        /// E.g. "Płatność online przez Allegro".
        description: String,
    },
    /// To be paid by transfer.
    Transfer {
        /// Due date.
        due: String,
        /// The seller's account (NRB/IBAN).
        account: Option<String>,
    },
    /// Cash on delivery, not yet paid: the buyer pays the carrier when the parcel is
    /// handed over.
    OnDelivery {
        /// E.g. "Za pobraniem".
        description: String,
    },
    /// A correction's settlement: the amount goes back to the buyer (`refund`, they had
    /// paid), or what was due is simply no longer due.
    Settlement {
        /// Whether money goes back to the buyer.
        refund: bool,
        /// E.g. "Zwrot płatności kupującemu przez Allegro".
        description: String,
    },
}

impl Payment {
    /// What a correction of an invoice paid this way settles: a refund when the buyer had
    /// paid, otherwise the claim simply falls away.
    pub fn settled_by_correction(&self) -> Payment {
        match self {
            Payment::Paid { description, .. } => Payment::Settlement {
                refund: true,
                description: format!("Zwrot zapłaconej kwoty kupującemu ({description})"),
            },
            Payment::Settlement { refund, description } => Payment::Settlement {
                refund: *refund,
                description: description.clone(),
            },
            Payment::Transfer { .. } | Payment::OnDelivery { .. } => Payment::Settlement {
                refund: false,
                description: "Należność anulowana — nie zapłacono, nic do zwrotu".to_owned(),
            },
        }
    }
}

/// An invoice as issued.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Invoice {
    /// Number from the series (`FV/12/11/2026`).
    pub number: String,
    /// Issue date (P_1).
    pub issue_date: String,
    /// Place of issue (P_1M).
    pub place_of_issue: Option<String>,
    /// Date of sale / delivery (P_6).
    pub sale_date: String,
    /// Seller.
    pub seller: Party,
    /// Buyer.
    pub buyer: Party,
    /// Currency code.
    pub currency: String,
    /// Lines and totals.
    pub summary: VatSummary,
    /// For foreign currencies: the NBP rate.
    pub exchange: Option<ExchangeRate>,
    /// Payment.
    pub payment: Payment,
    /// The Allegro order.
    pub order_id: String,
    /// When it was bought.
    pub order_date: String,
    /// Legal basis of a "zw" exemption (required when a line is exempt).
    pub exemption_basis: Option<String>,
    /// For a correction (KOR): the corrected invoice.
    pub correction_of: Option<CorrectionOf>,
    /// When the document was made (RFC 3339).
    pub created_at: String,
    /// The seller's register entries for the footer.
    #[serde(default, skip_serializing_if = "Registers::is_empty")]
    pub seller_registers: Registers,
    /// Marked for the split payment mechanism (P_18A = 1, art. 108a ust. 1a).
    #[serde(default)]
    pub split_payment: bool,
    /// An invoice to a sale already recorded on a cash register receipt (FA(3) `FP`,
    /// art. 109 ust. 3d).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub to_receipt: bool,
}

impl Invoice {
    /// VAT of a rate in PLN: the amount itself for PLN invoices, converted at the NBP rate
    /// otherwise (the XML's P_14_xW).
    pub fn vat_pln(&self, vat: Minor) -> Option<Minor> {
        self.exchange.as_ref().map(|x| x.rate.to_pln(vat))
    }

    /// Whether it is an intra-Community supply of goods (lines at "0 WDT").
    pub fn is_intra_eu_supply(&self) -> bool {
        self.summary.per_rate.iter().any(|t| t.rate == VatRate::IntraEuSupply)
    }

    /// The consumer's member state when it is a distance sale in the OSS procedure.
    pub fn oss_country(&self) -> Option<&str> {
        self.summary.per_rate.iter().find_map(|t| match &t.rate {
            VatRate::Oss(r) => Some(r.country()),
            _ => None,
        })
    }

    /// Whether any line is exempt.
    pub fn has_exempt(&self) -> bool {
        self.summary.per_rate.iter().any(|t| t.rate == VatRate::Exempt)
    }
}

/// The gross amount above which an invoice to a business for goods of annex 15 must be
/// paid by split payment: 15 000 zł (art. 108a ust. 1a of the VAT Act), in grosze.
pub const SPLIT_PAYMENT_THRESHOLD: Minor = 1_500_000;

/// Whether an invoice must carry the split payment marking (art. 108a ust. 1a): to a buyer
/// with a NIP, above 15 000 zł gross in PLN, with at least one line of annex-15 goods.
/// `marks` says for each goods line whether it is annex-15 goods (`None`: not known).
/// `Err` lists the positions of the lines whose answer decides it but is not known: the
/// conservative choice is to ask, never to guess either way.
pub fn split_payment(business_buyer: bool, gross_pln: Minor, marks: &[Option<bool>]) -> Result<bool, Vec<usize>> {
    if !business_buyer || gross_pln <= SPLIT_PAYMENT_THRESHOLD {
        return Ok(false);
    }
    if marks.contains(&Some(true)) {
        return Ok(true);
    }
    let unknown: Vec<usize> = marks
        .iter()
        .enumerate()
        .filter(|(_, m)| m.is_none())
        .map(|(i, _)| i)
        .collect();
    if unknown.is_empty() { Ok(false) } else { Err(unknown) }
}

/// The seller's entries in public registers, printed in the invoice's footer (FA(3)
/// `Stopka/Rejestry`) when given: a company's KRS and REGON, a waste-producer's BDO.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Registers {
    /// KRS number: 10 digits.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub krs: Option<String>,
    /// REGON: 9 or 14 digits.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub regon: Option<String>,
    /// BDO number: up to 9 digits.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bdo: Option<String>,
}

impl Registers {
    /// Whether none is given.
    pub fn is_empty(&self) -> bool {
        self.krs.is_none() && self.regon.is_none() && self.bdo.is_none()
    }

    /// The first entry that is not well formed, as (field, value): KRS 10 digits, REGON 9
    /// or 14, BDO 1 to 9 (the FA(3) types).
    pub fn malformed(&self) -> Option<(&'static str, String)> {
        let well_formed =
            |v: &str, lengths: &[usize]| v.bytes().all(|b| b.is_ascii_digit()) && lengths.contains(&v.len());
        let checks: [(&'static str, &Option<String>, &[usize]); 3] = [
            ("krs", &self.krs, &[10]),
            ("regon", &self.regon, &[9, 14]),
            ("bdo", &self.bdo, &[1, 2, 3, 4, 5, 6, 7, 8, 9]),
        ];
        checks.into_iter().find_map(|(field, value, lengths)| {
            value
                .as_ref()
                .filter(|v| !well_formed(v, lengths))
                .map(|v| (field, v.clone()))
        })
    }
}

/// The seller's invoicing profile (one per organisation): who issues, from where, how the
/// buyer pays when not on Allegro.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct InvoicingProfile {
    /// The seller as printed on invoices.
    pub seller: Party,
    /// Bank account for transfers (NRB), if any.
    pub bank_account: Option<String>,
    /// Default place of issue.
    pub place_of_issue: String,
    /// Days to pay when not paid on Allegro.
    pub payment_days: u32,
    /// Legal basis printed when goods are exempt (zw).
    pub exemption_basis: Option<String>,
    /// KRS, REGON, BDO for the footer.
    #[serde(default)]
    pub registers: Registers,
    /// The seller is registered for intra-Community transactions (VAT-UE) and supplies
    /// businesses in other member states at 0 % (WDT, art. 42) when Allegro verified the
    /// buyer's VAT-EU number and the goods leave Poland. Off: such sales carry Polish VAT.
    #[serde(default)]
    pub intra_eu_supply: bool,
    /// Distance sales to consumers in other member states are taxed in the consumer's
    /// state in the OSS procedure (art. 130a–130d: above the EU-wide 10 000 € threshold, or
    /// by the seller's choice). Off: they carry Polish VAT.
    #[serde(default)]
    pub oss: bool,
}

#[cfg(test)]
mod split_payment_tests {
    use super::split_payment;

    #[test]
    fn split_payment_follows_art_108a() {
        let over = 1_800_000;
        // (business, gross in grosze, marks) → expected
        type Case<'a> = (bool, i64, &'a [Option<bool>], Result<bool, Vec<usize>>);
        let cases: [Case; 7] = [
            (true, over, &[Some(true)], Ok(true)),
            (true, over, &[Some(false), Some(true)], Ok(true)),
            (true, over, &[Some(false)], Ok(false)),
            (true, over, &[Some(false), None], Err(vec![1])),
            (true, 1_500_000, &[None], Ok(false)),
            (false, over, &[Some(true)], Ok(false)),
            (true, 1_500_001, &[Some(true), None], Ok(true)),
        ];
        for (business, gross, marks, expected) in cases {
            assert_eq!(
                split_payment(business, gross, marks),
                expected,
                "{business} {gross} {marks:?}"
            );
        }
    }
}
