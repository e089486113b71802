//! What the template prints, as text already formatted for the reader's language: amounts
//! with Polish or English separators, rates as "23%"/"zw", labels, the amount in words.

use std::str::FromStr;

use domain::{Invoice, Minor, Party, Payment, amount_in_words_en, amount_in_words_pl};
use serde::Serialize;

/// The language of a PDF. Polish is the default (the law's language for invoices); English
/// is for buyers abroad.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub enum Language {
    /// Polish.
    #[default]
    Polish,
    /// English.
    English,
}

impl Language {
    /// `pl` or `en`.
    pub fn code(self) -> &'static str {
        match self {
            Language::Polish => "pl",
            Language::English => "en",
        }
    }
}

impl FromStr for Language {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s.trim().to_ascii_lowercase().as_str() {
            "" | "pl" | "polski" => Ok(Language::Polish),
            "en" | "english" => Ok(Language::English),
            other => Err(format!("unknown language {other:?}: expected pl or en")),
        }
    }
}

/// An amount with the language's separators: `1 234,56` (non-breaking space) or `1,234.56`.
pub fn format_amount(minor: Minor, language: Language) -> String {
    let (group, decimal) = match language {
        Language::Polish => ('\u{a0}', ','),
        Language::English => (',', '.'),
    };
    domain::grouped(minor, group, decimal)
}

/// Labels in one language.
#[derive(Debug, Clone, Serialize)]
pub struct Labels {
    seller: &'static str,
    buyer: &'static str,
    nip: &'static str,
    lines: [&'static str; 8],
    summary: [&'static str; 5],
    total_row: &'static str,
    in_words: &'static str,
    payment: &'static str,
    notes: &'static str,
    qr: &'static str,
    certificate_qr: &'static str,
    page: &'static str,
}

const POLISH: Labels = Labels {
    seller: "Sprzedawca",
    buyer: "Nabywca",
    nip: "NIP",
    lines: [
        "Lp.",
        "Nazwa towaru lub usługi",
        "Ilość",
        "J.m.",
        "Cena brutto",
        "Rabat",
        "Wartość brutto",
        "VAT",
    ],
    summary: [
        "Stawka VAT",
        "Wartość netto",
        "Kwota VAT",
        "Wartość brutto",
        "VAT w PLN",
    ],
    total_row: "Razem",
    in_words: "Słownie",
    payment: "Płatność",
    notes: "Uwagi",
    qr: "Zeskanuj, aby zweryfikować fakturę w KSeF",
    certificate_qr: "Zeskanuj, aby zweryfikować wystawcę",
    page: "Strona",
};

const ENGLISH: Labels = Labels {
    seller: "Seller",
    buyer: "Buyer",
    nip: "Tax ID (NIP)",
    lines: [
        "No.",
        "Goods or service",
        "Qty",
        "Unit",
        "Unit gross",
        "Discount",
        "Gross value",
        "VAT",
    ],
    summary: ["VAT rate", "Net", "VAT", "Gross", "VAT in PLN"],
    total_row: "Total",
    in_words: "In words",
    payment: "Payment",
    notes: "Notes",
    qr: "Scan to verify the invoice in KSeF",
    certificate_qr: "Scan to verify the issuer",
    page: "Page",
};

/// Seller or buyer as printed.
#[derive(Debug, Clone, Serialize)]
pub struct PartyView {
    name: String,
    lines: Vec<String>,
    nip: Option<String>,
}

/// Points in a centimetre.
const CM: f64 = 72.0 / 2.54;
/// The A4 text width: 21 cm less the template's 1.6 cm margins.
const TEXT_WIDTH: f64 = (21.0 - 2.0 * 1.6) * CM;
/// The lines table's columns in points (the template takes them from here): number, name
/// (what the others leave), quantity, unit, unit price, discount, value, rate.
pub(crate) const LINE_COLUMNS: [f64; 8] = {
    // Centimetres of every column but the name's; the rate's holds "0% WDT" or "27% HU".
    let others = [0.8, 1.1, 1.0, 2.0, 1.6, 2.3, 1.7];
    let mut sum = 0.0;
    let mut i = 0;
    while i < others.len() {
        sum += others[i];
        i += 1;
    }
    [
        others[0] * CM,
        TEXT_WIDTH - sum * CM,
        others[1] * CM,
        others[2] * CM,
        others[3] * CM,
        others[4] * CM,
        others[5] * CM,
        others[6] * CM,
    ]
};
/// The horizontal padding of a lines-table cell, each side (the template's inset).
pub(crate) const LINE_CELL_INSET: f64 = 5.0;
/// The text size of the lines table (the template's body size).
pub(crate) const LINE_TEXT_SIZE: f64 = 8.5;

/// One invoice line as printed.
#[derive(Debug, Clone, Serialize)]
pub struct LineView {
    cells: [String; 8],
    /// Every cell fits on one line, so the row gets a fixed height (an auto-height row is
    /// laid out twice: measured, then placed). Unknown until measured: auto.
    one_line: bool,
}

/// The whole invoice as printed.
#[derive(Debug, Clone, Serialize)]
pub struct InvoiceView {
    lang: &'static str,
    labels: Labels,
    title: String,
    number: String,
    /// (label, value) rows under the title: dates and place.
    dates: Vec<(String, String)>,
    /// (label, value) rows saying which invoice a correction corrects and why.
    correction: Vec<(String, String)>,
    seller: PartyView,
    buyer: PartyView,
    lines: Vec<LineView>,
    /// Widths of the lines table's columns in points.
    line_columns: [f64; 8],
    /// Per rate: rate, net, VAT, gross (and VAT in PLN for foreign currencies).
    per_rate: Vec<Vec<String>>,
    totals: Vec<String>,
    pln_column: bool,
    total_label: String,
    total: String,
    in_words: String,
    payment: Vec<(String, String)>,
    notes: Vec<String>,
    ksef: String,
    url: String,
    /// KOD II's link (an offline invoice with the seller's Offline certificate).
    pub(crate) certificate_url: Option<String>,
    footer: String,
}

fn party(p: &Party, language: Language) -> PartyView {
    let country = match (p.country.as_str(), language) {
        ("PL", _) | ("", _) => None,
        (code, _) => Some(code.to_owned()),
    };
    PartyView {
        name: p.name.clone(),
        lines: [
            Some(p.address_line1.clone()),
            Some(p.address_line2.clone()),
            country,
            p.vat_eu.as_ref().map(|v| format!("VAT UE: {v}")),
        ]
        .into_iter()
        .flatten()
        .filter(|l| !l.trim().is_empty())
        .collect(),
        nip: p.nip.as_ref().map(|n| n.as_str().to_owned()),
    }
}

impl InvoiceView {
    /// The view of `invoice` in `language`; `url` is its KOD I verification link.
    pub fn new(invoice: &Invoice, language: Language, ksef_number: Option<&str>, url: &str) -> InvoiceView {
        let pl = language == Language::Polish;
        let t = |polish: &str, english: &str| if pl { polish.to_owned() } else { english.to_owned() };
        let amount = |m: Minor| format_amount(m, language);
        let currency = invoice.currency.to_uppercase();
        let correction = invoice.correction_of.as_ref();
        let title = match correction {
            Some(_) => t("Faktura korygująca", "Corrective invoice"),
            None => t("Faktura VAT", "VAT invoice"),
        };
        let mut dates = vec![(t("Data wystawienia", "Issue date"), invoice.issue_date.clone())];
        dates.push((t("Data sprzedaży", "Date of sale"), invoice.sale_date.clone()));
        if let Some(place) = invoice.place_of_issue.as_deref().filter(|p| !p.trim().is_empty()) {
            dates.push((t("Miejsce wystawienia", "Place of issue"), place.to_owned()));
        }
        let correction_rows = correction
            .map(|c| {
                vec![
                    (t("Korygowana faktura", "Corrected invoice"), c.number.clone()),
                    (t("z dnia", "issued on"), c.issue_date.clone()),
                    (
                        t("Numer KSeF faktury korygowanej", "KSeF number of the corrected invoice"),
                        c.ksef_number
                            .clone()
                            .unwrap_or_else(|| t("poza KSeF", "issued outside KSeF")),
                    ),
                    (t("Przyczyna korekty", "Reason"), c.reason.clone()),
                ]
            })
            .unwrap_or_default();
        let lines = invoice
            .summary
            .lines
            .iter()
            .enumerate()
            .map(|(i, l)| LineView {
                cells: [
                    (i + 1).to_string(),
                    l.name.clone(),
                    l.quantity.to_string(),
                    l.unit(pl).to_owned(),
                    amount(l.unit_gross),
                    if l.discount_gross == 0 {
                        String::new()
                    } else {
                        amount(l.discount_gross)
                    },
                    amount(l.gross),
                    l.rate.label(),
                ],
                one_line: false,
            })
            .collect();
        let pln_column = invoice.exchange.is_some();
        let vat_pln = |vat: Minor| {
            invoice
                .vat_pln(vat)
                .map(|v| format_amount(v, language))
                .unwrap_or_default()
        };
        let per_rate = invoice
            .summary
            .per_rate
            .iter()
            .map(|r| {
                let mut row = vec![r.rate.label(), amount(r.net), amount(r.vat), amount(r.gross)];
                if pln_column {
                    row.push(vat_pln(r.vat));
                }
                row
            })
            .collect();
        let s = &invoice.summary;
        let total_net: Minor = s.per_rate.iter().map(|r| r.net).sum();
        let mut totals = vec![
            t("Razem", "Total"),
            amount(total_net),
            amount(s.total_vat),
            amount(s.total_gross),
        ];
        if pln_column {
            let pln: Minor = s.per_rate.iter().filter_map(|r| invoice.vat_pln(r.vat)).sum();
            totals.push(format_amount(pln, language));
        }
        let money = |m: Minor| format!("{} {currency}", amount(m));
        let refund = s.total_gross < 0;
        let (total_label, payment) = match (&invoice.payment, refund) {
            (
                Payment::Settlement {
                    refund: false,
                    description,
                },
                true,
            ) => (
                t("Anulowano", "Cancelled"),
                vec![
                    (t("Rozliczenie", "Settlement"), description.clone()),
                    (t("Do zwrotu", "To refund"), money(0)),
                ],
            ),
            (payment, true) => {
                let mut rows = vec![(t("Kwota do zwrotu", "Amount to refund"), money(-s.total_gross))];
                if let Payment::Settlement { description, .. } = payment {
                    rows.insert(0, (t("Rozliczenie", "Settlement"), description.clone()));
                }
                (t("Do zwrotu", "To be refunded"), rows)
            }
            (Payment::OnDelivery { description }, false) => (
                t("Do zapłaty", "To pay"),
                vec![
                    (t("Forma płatności", "Method"), description.clone()),
                    (
                        t("Termin płatności", "Due"),
                        t("przy odbiorze przesyłki", "when the parcel is delivered"),
                    ),
                    (t("Do zapłaty", "To pay"), money(s.total_gross)),
                ],
            ),
            (Payment::Settlement { description, .. }, false) => (
                t("Do zapłaty", "To pay"),
                vec![
                    (t("Rozliczenie", "Settlement"), description.clone()),
                    (t("Do zapłaty", "To pay"), money(s.total_gross)),
                ],
            ),
            (Payment::Paid { date, description }, false) => (
                t("Zapłacono", "Paid"),
                vec![
                    (t("Forma płatności", "Method"), description.clone()),
                    (t("Zapłacono", "Paid"), format!("{} ({date})", money(s.total_gross))),
                    (t("Pozostało do zapłaty", "Left to pay"), money(0)),
                ],
            ),
            (Payment::Transfer { due, account }, false) => {
                let mut rows = vec![
                    (t("Forma płatności", "Method"), t("przelew", "bank transfer")),
                    (t("Termin płatności", "Due date"), due.clone()),
                ];
                if let Some(account) = account {
                    rows.push((t("Numer rachunku", "Bank account"), account.clone()));
                }
                rows.push((t("Do zapłaty", "To pay"), money(s.total_gross)));
                (t("Do zapłaty", "To pay"), rows)
            }
        };
        let words_amount = s.total_gross.abs();
        let in_words = match language {
            Language::Polish => amount_in_words_pl(words_amount, &currency),
            Language::English => amount_in_words_en(words_amount, &currency),
        };
        let mut notes = vec![if pl {
            format!(
                "Zamówienie Allegro nr {} z dnia {}",
                invoice.order_id, invoice.order_date
            )
        } else {
            format!("Allegro order {} of {}", invoice.order_id, invoice.order_date)
        }];
        if let Some(x) = &invoice.exchange {
            let rate = if pl { x.rate.polish() } else { x.rate.to_string() };
            notes.push(if pl {
                format!(
                    "Kurs średni NBP: 1 {currency} = {rate} PLN, tabela nr {} z dnia {} (art. 31a ustawy o VAT)",
                    x.table, x.date
                )
            } else {
                format!(
                    "NBP mid rate: 1 {currency} = {rate} PLN, table {} of {} (art. 31a of the VAT Act)",
                    x.table, x.date
                )
            });
        }
        if let Some(basis) = invoice.exemption_basis.as_deref().filter(|_| invoice.has_exempt()) {
            notes.push(format!(
                "{}: {basis}",
                t("Podstawa zwolnienia z VAT", "VAT exemption basis")
            ));
        }
        if invoice.to_receipt {
            notes.push(t(
                "Faktura do paragonu (art. 109 ust. 3d ustawy o VAT)",
                "Invoice to a cash register receipt (art. 109 ust. 3d of the Polish VAT Act)",
            ));
        }
        if invoice.is_intra_eu_supply() {
            // Art. 106e ust. 1 pkt 4 (the seller's number with PL) and the rate's basis.
            let nip = invoice.seller.nip.as_ref().map(|n| n.as_str()).unwrap_or_default();
            notes.push(t(
                &format!("Wewnątrzwspólnotowa dostawa towarów, stawka 0% (art. 42 ustawy o VAT). Numer VAT UE sprzedawcy: PL{nip}"),
                &format!("Intra-Community supply of goods, VAT 0% (art. 42 of the Polish VAT Act, art. 138 of Directive 2006/112/EC). Seller's VAT number: PL{nip}"),
            ));
        }
        if let Some(country) = invoice.oss_country() {
            notes.push(t(
                &format!("Sprzedaż wysyłkowa w procedurze OSS (art. 130a–130d ustawy o VAT): VAT według stawek państwa konsumenta ({country})"),
                &format!("Distance sale in the OSS scheme (art. 130a–130d of the Polish VAT Act): VAT at the rates of the consumer's country ({country})"),
            ));
        }
        if invoice.split_payment {
            // The words art. 106e ust. 1 pkt 18a requires on the invoice itself.
            notes.insert(
                0,
                t(
                    "mechanizm podzielonej płatności",
                    "mechanizm podzielonej płatności (split payment)",
                ),
            );
        }
        let r = &invoice.seller_registers;
        let registers: Vec<String> = [("KRS", &r.krs), ("REGON", &r.regon), ("BDO", &r.bdo)]
            .into_iter()
            .filter_map(|(name, value)| value.as_ref().map(|v| format!("{name}: {v}")))
            .collect();
        if !registers.is_empty() {
            notes.push(registers.join(" · "));
        }
        InvoiceView {
            lang: language.code(),
            labels: if pl { POLISH } else { ENGLISH },
            title,
            number: invoice.number.clone(),
            dates,
            correction: correction_rows,
            seller: party(&invoice.seller, language),
            buyer: party(&invoice.buyer, language),
            lines,
            line_columns: LINE_COLUMNS,
            per_rate,
            totals,
            pln_column,
            total_label,
            total: money(s.total_gross.abs()),
            in_words,
            payment,
            notes,
            ksef: ksef_number.map_or_else(|| "OFFLINE".to_owned(), str::to_owned),
            url: url.to_owned(),
            certificate_url: None,
            footer: format!("{} {} · allegro-bridge", title_short(pl), invoice.number),
        }
    }
}

impl InvoiceView {
    /// Marks the lines whose every cell fits its column on one line; `width` gives a
    /// text's width in points at [`LINE_TEXT_SIZE`].
    pub(crate) fn measure_lines(&mut self, width: impl Fn(&str) -> f64) {
        for line in &mut self.lines {
            line.one_line = line
                .cells
                .iter()
                .zip(LINE_COLUMNS)
                .all(|(cell, column)| width(cell) <= column - 2.0 * LINE_CELL_INSET);
        }
    }
}

fn title_short(pl: bool) -> &'static str {
    if pl { "Faktura" } else { "Invoice" }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_in_each_language() {
        assert_eq!(format_amount(0, Language::Polish), "0,00");
        assert_eq!(format_amount(123_456_789, Language::Polish), "1\u{a0}234\u{a0}567,89");
        assert_eq!(format_amount(-100_000, Language::English), "-1,000.00");
        assert_eq!(format_amount(99_999, Language::English), "999.99");
        assert_eq!(format_amount(5, Language::Polish), "0,05");
    }

    #[test]
    fn languages_parse() {
        assert_eq!("EN".parse::<Language>(), Ok(Language::English));
        assert_eq!("".parse::<Language>(), Ok(Language::Polish));
        assert!("de".parse::<Language>().is_err());
    }
}
