use std::fmt;
use std::str::FromStr;

use crate::{DomainError, OssRate};

/// A line's VAT rate: the Polish rates (art. 41 and 43 of the VAT act), 0 % for an
/// intra-Community supply of goods (WDT, art. 42), or the rate of the consumer's member
/// state for a distance sale in the OSS procedure (art. 130a–130d).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum VatRate {
    /// 23 %.
    Standard23,
    /// 8 %.
    Reduced8,
    /// 5 %.
    Reduced5,
    /// 0 % (domestic).
    Zero,
    /// "zw": exempt.
    Exempt,
    /// "np": not subject to Polish VAT.
    NotSubject,
    /// 0 % for an intra-Community supply of goods ("0 WDT", art. 42 ust. 1).
    IntraEuSupply,
    /// The consumer's member state's rate in the OSS procedure.
    Oss(OssRate),
}

impl VatRate {
    /// The Polish rates a seller chooses from, in the order the settings list shows them.
    pub const ALL: [VatRate; 6] = [
        VatRate::Standard23,
        VatRate::Reduced8,
        VatRate::Reduced5,
        VatRate::Zero,
        VatRate::Exempt,
        VatRate::NotSubject,
    ];

    /// Every rate an invoice can carry apart from OSS rates, in the order FA(3) lists their
    /// totals (OSS totals come after 5 %).
    pub const POLISH: [VatRate; 7] = [
        VatRate::Standard23,
        VatRate::Reduced8,
        VatRate::Reduced5,
        VatRate::Zero,
        VatRate::IntraEuSupply,
        VatRate::Exempt,
        VatRate::NotSubject,
    ];

    /// A Polish rate as written on invoices and stored: `23`, `8`, `5`, `0`, `0 WDT`, `zw`,
    /// `np`; `None` for an OSS rate (see [`fmt::Display`]).
    pub fn polish_code(self) -> Option<&'static str> {
        Some(match self {
            VatRate::Standard23 => "23",
            VatRate::Reduced8 => "8",
            VatRate::Reduced5 => "5",
            VatRate::Zero => "0",
            VatRate::IntraEuSupply => "0 WDT",
            VatRate::Exempt => "zw",
            VatRate::NotSubject => "np",
            VatRate::Oss(_) => return None,
        })
    }

    /// A rate a seller sets on a product or delivery (one of [`VatRate::ALL`]), as they write
    /// it: `23`, `8%`, `zw`. WDT and OSS rates follow from the buyer, never from a setting.
    pub fn parse_polish(s: &str) -> Result<VatRate, DomainError> {
        s.parse()
            .ok()
            .filter(|r| VatRate::ALL.contains(r))
            .ok_or_else(|| DomainError::invalid("VAT rate", s, "23, 8, 5, 0, zw or np"))
    }

    /// The rate as invoices print it: `23%`, `zw`, `np`, `0% WDT`, `21% CZ` (an OSS rate
    /// with the consumer's country).
    pub fn label(self) -> String {
        match self {
            VatRate::Exempt => "zw".to_owned(),
            VatRate::NotSubject => "np".to_owned(),
            VatRate::IntraEuSupply => "0% WDT".to_owned(),
            VatRate::Oss(r) => format!("{}% {}", r.percent_text(), r.country()),
            polish => format!("{}%", polish.polish_code().unwrap_or_default()),
        }
    }

    /// The rate in hundredths of a percent (2300 for 23 %; 0 for zw, np and the 0 % rates).
    pub fn hundredths(self) -> i64 {
        match self {
            VatRate::Standard23 => 2300,
            VatRate::Reduced8 => 800,
            VatRate::Reduced5 => 500,
            VatRate::Zero | VatRate::IntraEuSupply | VatRate::Exempt | VatRate::NotSubject => 0,
            VatRate::Oss(r) => i64::from(r.hundredths()),
        }
    }
}

/// Stored and shown as `23`, `0 WDT`, `zw`, or `OSS CZ 21` (an OSS rate with its country).
impl fmt::Display for VatRate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            VatRate::Oss(r) => write!(f, "OSS {} {}", r.country(), r.percent_text()),
            polish => f.write_str(polish.polish_code().unwrap_or_default()),
        }
    }
}

impl serde::Serialize for VatRate {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> serde::Deserialize<'de> for VatRate {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = std::borrow::Cow::<'de, str>::deserialize(deserializer)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

impl FromStr for VatRate {
    type Err = DomainError;
    fn from_str(s: &str) -> Result<Self, DomainError> {
        let s = s.trim();
        if let Some(rest) = s.strip_prefix("OSS ") {
            let (country, percent) = rest.split_once(' ').unwrap_or((rest, ""));
            return OssRate::parse(country, percent)
                .map(VatRate::Oss)
                .ok_or_else(|| DomainError::invalid("VAT rate", s, "OSS <country> <rate>"));
        }
        VatRate::POLISH
            .into_iter()
            .find(|r| r.polish_code() == Some(s.trim_end_matches('%')))
            .ok_or_else(|| DomainError::invalid("VAT rate", s, "23, 8, 5, 0, zw or np"))
    }
}

/// The order status at which an invoice is issued (seed 000: "po zmianie statusu
/// zamówienia na ten, który wybrałeś").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum InvoiceTrigger {
    /// Paid (Allegro status READY_FOR_PROCESSING).
    ReadyForProcessing,
    /// Fulfillment PROCESSING.
    Processing,
    /// Fulfillment READY_FOR_SHIPMENT.
    ReadyForShipment,
    /// Fulfillment SENT.
    Sent,
    /// Fulfillment PICKED_UP.
    PickedUp,
}

impl InvoiceTrigger {
    /// Every trigger, in the order the settings list shows them.
    pub const ALL: [InvoiceTrigger; 5] = [
        InvoiceTrigger::ReadyForProcessing,
        InvoiceTrigger::Processing,
        InvoiceTrigger::ReadyForShipment,
        InvoiceTrigger::Sent,
        InvoiceTrigger::PickedUp,
    ];

    /// Allegro's name of the status.
    pub fn as_str(self) -> &'static str {
        match self {
            InvoiceTrigger::ReadyForProcessing => "READY_FOR_PROCESSING",
            InvoiceTrigger::Processing => "PROCESSING",
            InvoiceTrigger::ReadyForShipment => "READY_FOR_SHIPMENT",
            InvoiceTrigger::Sent => "SENT",
            InvoiceTrigger::PickedUp => "PICKED_UP",
        }
    }
}

impl FromStr for InvoiceTrigger {
    type Err = DomainError;
    fn from_str(s: &str) -> Result<Self, DomainError> {
        InvoiceTrigger::ALL
            .into_iter()
            .find(|t| t.as_str() == s)
            .ok_or_else(|| {
                DomainError::invalid(
                    "invoice trigger status",
                    s,
                    "READY_FOR_PROCESSING, PROCESSING, READY_FOR_SHIPMENT, SENT, PICKED_UP",
                )
            })
    }
}

/// An invoice numbering pattern such as `FV/{n}/{MM}/{YYYY}`: `{n}` is required; `{MM}`
/// and `{YYYY}` are optional.
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct InvoiceSeries(String);

impl InvoiceSeries {
    /// Parses and checks a pattern.
    pub fn parse(pattern: &str) -> Result<Self, DomainError> {
        let p = pattern.trim();
        let expected = "a pattern with {n}, e.g. FV/{n}/{MM}/{YYYY}, up to 60 characters";
        if p.is_empty() || p.chars().count() > 60 || p.matches("{n}").count() != 1 {
            return Err(DomainError::invalid("invoice series", pattern, expected));
        }
        let stripped = p.replace("{n}", "").replace("{MM}", "").replace("{YYYY}", "");
        if stripped.contains('{') || stripped.contains('}') || stripped.chars().any(char::is_control) {
            return Err(DomainError::invalid("invoice series", pattern, expected));
        }
        Ok(Self(p.to_owned()))
    }

    /// The pattern.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The series correction invoices (KOR) of this series are numbered in: `FV…` becomes
    /// `KOR…`, any other pattern gets a `KOR/` prefix; the period rule stays the same.
    pub fn corrections(&self) -> InvoiceSeries {
        match self.0.strip_prefix("FV") {
            Some(rest) => InvoiceSeries(format!("KOR{rest}")),
            None => InvoiceSeries(format!("KOR/{}", self.0)),
        }
    }

    /// The numbering period an invoice issued in `year`/`month` counts in: monthly when the
    /// pattern shows the month, yearly when it shows only the year, otherwise one run.
    pub fn period(&self, year: i32, month: u8) -> String {
        if self.0.contains("{MM}") {
            format!("{year:04}-{month:02}")
        } else if self.0.contains("{YYYY}") {
            format!("{year:04}")
        } else {
            "all".to_owned()
        }
    }

    /// The number for sequence `n` issued in `year`/`month`.
    pub fn format(&self, n: u64, year: i32, month: u8) -> String {
        self.0
            .replace("{n}", &n.to_string())
            .replace("{MM}", &format!("{month:02}"))
            .replace("{YYYY}", &year.to_string())
    }
}

impl Default for InvoiceSeries {
    fn default() -> Self {
        Self("FV/{n}/{MM}/{YYYY}".into())
    }
}

impl TryFrom<String> for InvoiceSeries {
    type Error = DomainError;
    fn try_from(s: String) -> Result<Self, DomainError> {
        Self::parse(&s)
    }
}

impl From<InvoiceSeries> for String {
    fn from(s: InvoiceSeries) -> String {
        s.0
    }
}

/// An account's settings (seed 000, step 12): "Włącz", default VAT rates for products and
/// delivery, the status that triggers an invoice, the numbering series.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct AccountSettings {
    /// "Włącz": the integration acts on this account.
    pub enabled: bool,
    /// Default VAT rate for products.
    pub vat_goods: VatRate,
    /// Default VAT rate for delivery.
    pub vat_delivery: VatRate,
    /// Status that triggers an invoice.
    pub invoice_trigger: InvoiceTrigger,
    /// Numbering series.
    pub invoice_series: InvoiceSeries,
    /// Invoice every order, not only those whose buyer asked for one.
    #[serde(default)]
    pub invoice_every_order: bool,
    /// Tax delivery at the goods' rate (split proportionally for mixed rates) instead of
    /// `vat_delivery` (research §3.4).
    #[serde(default)]
    pub delivery_follows_goods: bool,
    /// Set the order's fulfilment to SENT on Allegro once a waybill is on it.
    #[serde(default)]
    pub sent_on_waybill: bool,
    /// A cash-on-delivery sale happens when the parcel is sent (true) rather than when the
    /// buyer picks it up and pays (false, the default): its invoice's sale date and when
    /// its automatic invoice is issued.
    #[serde(default)]
    pub cod_sale_when_sent: bool,
}

impl Default for AccountSettings {
    fn default() -> Self {
        Self {
            enabled: false,
            vat_goods: VatRate::Standard23,
            vat_delivery: VatRate::Standard23,
            invoice_trigger: InvoiceTrigger::ReadyForProcessing,
            invoice_series: InvoiceSeries::default(),
            invoice_every_order: false,
            delivery_follows_goods: false,
            sent_on_waybill: false,
            cod_sale_when_sent: false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vat_rates_parse_as_sellers_write_them() {
        assert_eq!("23".parse::<VatRate>().unwrap(), VatRate::Standard23);
        assert_eq!("8%".parse::<VatRate>().unwrap(), VatRate::Reduced8);
        assert_eq!("zw".parse::<VatRate>().unwrap(), VatRate::Exempt);
        let err = "7".parse::<VatRate>().unwrap_err();
        assert!(err.to_string().contains("23, 8, 5, 0, zw or np"), "{err}");
    }

    #[test]
    fn series_need_exactly_one_number() {
        let s = InvoiceSeries::parse("FV/{n}/{MM}/{YYYY}").unwrap();
        assert_eq!(s.format(7, 2026, 3), "FV/7/03/2026");
        assert!(InvoiceSeries::parse("FV/{MM}").is_err());
        assert!(InvoiceSeries::parse("FV/{n}/{n}").is_err());
        assert!(InvoiceSeries::parse("FV/{n}/{DD}").is_err());
        assert!(serde_json::from_str::<InvoiceSeries>("\"bad\"").is_err());
        assert_eq!(s.period(2026, 3), "2026-03");
        assert_eq!(InvoiceSeries::parse("F/{n}/{YYYY}").unwrap().period(2026, 3), "2026");
        assert_eq!(InvoiceSeries::parse("F-{n}").unwrap().period(2026, 3), "all");
        assert_eq!(s.corrections().format(2, 2026, 3), "KOR/2/03/2026");
        assert_eq!(
            InvoiceSeries::parse("F-{n}").unwrap().corrections().as_str(),
            "KOR/F-{n}"
        );
    }
}
