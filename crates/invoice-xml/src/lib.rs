//! Invoices as KSeF FA(3) XML (`shared/ksef/xsd/schemat_FA(3)_v1-0E.xsd`): elements in the
//! schema's order, amounts as `TKwotowy` (dot, two decimals, no grouping), gross-price
//! lines (P_9B / P_11A, art. 106e ust. 7–9), VAT per rate in P_14_x and, for foreign
//! currencies, in PLN in P_14_xW with the NBP rate on each line (`KursWaluty`).
#![forbid(unsafe_code)]

use std::fmt::Write as _;

use domain::{Invoice, Minor, Party, Payment, VatRate};

/// FA(3)'s namespace.
pub const NAMESPACE: &str = "http://crd.gov.pl/wzor/2025/06/25/13775/";

/// Why an invoice cannot be written.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum XmlError {
    /// An exempt line needs the legal basis of the exemption (Adnotacje/Zwolnienie/P_19A).
    #[error("a line is exempt (zw) but the invoice names no legal basis for the exemption")]
    MissingExemptionBasis,
    /// A foreign-currency invoice needs the NBP rate (art. 31a).
    #[error("the invoice is in {0} but has no NBP exchange rate")]
    MissingExchangeRate(String),
}

/// `TKwotowy`: `-?([1-9]\d{0,15}|0)(\.\d{1,2})?`.
pub fn amount(minor: Minor) -> String {
    domain::decimal_text(minor)
}

fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            // TZnakowy: no control characters.
            c if c.is_control() => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

struct Xml(String);

impl Xml {
    fn el(&mut self, depth: usize, name: &str, value: &str) {
        let _ = writeln!(self.0, "{}<{name}>{}</{name}>", "  ".repeat(depth), escape(value));
    }
    fn open(&mut self, depth: usize, name: &str) {
        let _ = writeln!(self.0, "{}<{name}>", "  ".repeat(depth));
    }
    fn close(&mut self, depth: usize, name: &str) {
        let _ = writeln!(self.0, "{}</{name}>", "  ".repeat(depth));
    }
}

fn party(x: &mut Xml, tag: &str, p: &Party, buyer: bool, eu_prefix: bool) {
    x.open(1, tag);
    if eu_prefix {
        // Art. 106e ust. 1 pkt 4: on an intra-Community supply the seller is named by its
        // number with the prefix PL.
        x.el(2, "PrefiksPodatnika", "PL");
    }
    x.open(2, "DaneIdentyfikacyjne");
    match (&p.nip, &p.vat_eu) {
        (Some(nip), _) => x.el(3, "NIP", nip.as_str()),
        (None, Some(eu)) => {
            x.el(3, "KodUE", eu.country());
            x.el(3, "NrVatUE", eu.number());
        }
        (None, None) => x.el(3, "BrakID", "1"),
    }
    x.el(3, "Nazwa", &p.name);
    x.close(2, "DaneIdentyfikacyjne");
    x.open(2, "Adres");
    x.el(3, "KodKraju", &p.country);
    x.el(3, "AdresL1", &p.address_line1);
    if !p.address_line2.is_empty() {
        x.el(3, "AdresL2", &p.address_line2);
    }
    x.close(2, "Adres");
    if buyer {
        // Not a local government unit, not a VAT group member.
        x.el(2, "JST", "2");
        x.el(2, "GV", "2");
    }
    x.close(1, tag);
}

/// P_12's code for a Polish rate (0 % domestic is `0 KR`; "np" outside Poland is `np I`);
/// `None` for an OSS rate, which goes in `P_12_XII`.
fn rate_code(rate: VatRate) -> Option<&'static str> {
    Some(match rate {
        VatRate::Standard23 => "23",
        VatRate::Reduced8 => "8",
        VatRate::Reduced5 => "5",
        VatRate::Zero => "0 KR",
        VatRate::IntraEuSupply => "0 WDT",
        VatRate::Exempt => "zw",
        VatRate::NotSubject => "np I",
        VatRate::Oss(_) => return None,
    })
}

/// The header fields a rate's totals go to: net, and for taxed rates VAT and VAT in PLN.
/// In the schema's order; every OSS rate shares `P_13_5` / `P_14_5` (no PLN field: the
/// tax is the other state's).
type TotalFields = (&'static str, Option<(&'static str, Option<&'static str>)>);
const TOTAL_FIELDS: [TotalFields; 8] = [
    ("P_13_1", Some(("P_14_1", Some("P_14_1W")))),
    ("P_13_2", Some(("P_14_2", Some("P_14_2W")))),
    ("P_13_3", Some(("P_14_3", Some("P_14_3W")))),
    ("P_13_5", Some(("P_14_5", None))),
    ("P_13_6_1", None),
    ("P_13_6_2", None),
    ("P_13_7", None),
    ("P_13_8", None),
];

fn total_fields(rate: VatRate) -> usize {
    match rate {
        VatRate::Standard23 => 0,
        VatRate::Reduced8 => 1,
        VatRate::Reduced5 => 2,
        VatRate::Oss(_) => 3,
        VatRate::Zero => 4,
        VatRate::IntraEuSupply => 5,
        VatRate::Exempt => 6,
        VatRate::NotSubject => 7,
    }
}

/// Writes the invoice as FA(3) XML.
pub fn fa3(inv: &Invoice) -> Result<String, XmlError> {
    if inv.has_exempt() && inv.exemption_basis.as_deref().is_none_or(|b| b.trim().is_empty()) {
        return Err(XmlError::MissingExemptionBasis);
    }
    let foreign = !inv.currency.eq_ignore_ascii_case("PLN");
    // Only Polish VAT is converted to PLN; an invoice wholly in OSS needs no NBP rate.
    let polish_rates = inv.summary.per_rate.iter().any(|t| !matches!(t.rate, VatRate::Oss(_)));
    if foreign && polish_rates && inv.exchange.is_none() {
        return Err(XmlError::MissingExchangeRate(inv.currency.clone()));
    }
    let mut x = Xml(String::with_capacity(4096));
    x.0.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(x.0, "<Faktura xmlns=\"{NAMESPACE}\">");
    x.open(1, "Naglowek");
    x.0.push_str("    <KodFormularza kodSystemowy=\"FA (3)\" wersjaSchemy=\"1-0E\">FA</KodFormularza>\n");
    x.el(2, "WariantFormularza", "3");
    x.el(2, "DataWytworzeniaFa", &inv.created_at);
    x.el(2, "SystemInfo", "allegro-bridge");
    x.close(1, "Naglowek");
    party(&mut x, "Podmiot1", &inv.seller, false, inv.is_intra_eu_supply());
    party(&mut x, "Podmiot2", &inv.buyer, true, false);
    x.open(1, "Fa");
    x.el(2, "KodWaluty", &inv.currency.to_uppercase());
    x.el(2, "P_1", &inv.issue_date);
    if let Some(place) = inv.place_of_issue.as_deref().filter(|p| !p.trim().is_empty()) {
        x.el(2, "P_1M", place);
    }
    x.el(2, "P_2", &inv.number);
    x.el(2, "P_6", &inv.sale_date);
    // Per-rate totals in the schema's order: P_13_1/P_14_1/P_14_1W (23 %), _2 (8 %),
    // _3 (5 %), P_13_5/P_14_5 (OSS), P_13_6_1 (0 % domestic), P_13_6_2 (WDT), P_13_7 (zw),
    // P_13_8 (np).
    let mut sums = [(0, 0, false); TOTAL_FIELDS.len()];
    for t in &inv.summary.per_rate {
        let slot = &mut sums[total_fields(t.rate)];
        *slot = (slot.0 + t.net, slot.1 + t.vat, true);
    }
    for ((net_tag, vat_tags), (net, vat, present)) in TOTAL_FIELDS.iter().zip(sums) {
        if !present {
            continue;
        }
        x.el(2, net_tag, &amount(net));
        if let Some((vat_tag, pln_tag)) = vat_tags {
            x.el(2, vat_tag, &amount(vat));
            if let Some(pln_tag) = pln_tag
                && foreign
                && let Some(pln) = inv.vat_pln(vat)
            {
                x.el(2, pln_tag, &amount(pln));
            }
        }
    }
    x.el(2, "P_15", &amount(inv.summary.total_gross));
    x.open(2, "Adnotacje");
    x.el(3, "P_16", "2");
    x.el(3, "P_17", "2");
    x.el(3, "P_18", "2");
    // Split payment (art. 108a ust. 1a): 1 marks it, 2 does not.
    x.el(3, "P_18A", if inv.split_payment { "1" } else { "2" });
    x.open(3, "Zwolnienie");
    match inv.exemption_basis.as_deref().filter(|_| inv.has_exempt()) {
        Some(basis) => {
            x.el(4, "P_19", "1");
            x.el(4, "P_19A", basis);
        }
        None => x.el(4, "P_19N", "1"),
    }
    x.close(3, "Zwolnienie");
    x.open(3, "NoweSrodkiTransportu");
    x.el(4, "P_22N", "1");
    x.close(3, "NoweSrodkiTransportu");
    x.el(3, "P_23", "2");
    x.open(3, "PMarzy");
    x.el(4, "P_PMarzyN", "1");
    x.close(3, "PMarzy");
    x.close(2, "Adnotacje");
    match &inv.correction_of {
        None => x.el(2, "RodzajFaktury", "VAT"),
        Some(c) => {
            x.el(2, "RodzajFaktury", "KOR");
            x.el(2, "PrzyczynaKorekty", &c.reason);
            // The correction takes effect when it is issued (a return or cancellation).
            x.el(2, "TypKorekty", "2");
            x.open(2, "DaneFaKorygowanej");
            x.el(3, "DataWystFaKorygowanej", &c.issue_date);
            x.el(3, "NrFaKorygowanej", &c.number);
            match &c.ksef_number {
                Some(k) => {
                    x.el(3, "NrKSeF", "1");
                    x.el(3, "NrKSeFFaKorygowanej", k);
                }
                None => x.el(3, "NrKSeFN", "1"),
            }
            x.close(2, "DaneFaKorygowanej");
        }
    }
    if inv.to_receipt {
        // An invoice to a receipt (art. 109 ust. 3d): the sale is already in the register.
        x.el(2, "FP", "1");
    }
    for (n, l) in inv.summary.lines.iter().enumerate() {
        x.open(2, "FaWiersz");
        x.el(3, "NrWierszaFa", &(n + 1).to_string());
        x.el(3, "P_7", &l.name);
        x.el(3, "P_8A", l.unit(true));
        x.el(3, "P_8B", &l.quantity.to_string());
        x.el(3, "P_9B", &amount(l.unit_gross));
        if l.discount_gross != 0 {
            x.el(3, "P_10", &amount(l.discount_gross));
        }
        x.el(3, "P_11A", &amount(l.gross));
        match (rate_code(l.rate), l.rate) {
            (Some(code), _) => x.el(3, "P_12", code),
            (None, VatRate::Oss(oss)) => x.el(3, "P_12_XII", &oss.percent_text()),
            (None, _) => {}
        }
        if matches!(l.rate, VatRate::Oss(_)) {
            // A distance sale of goods taxed in the consumer's state (§ 10 ust. 4 pkt 2a of
            // the JPK regulation).
            x.el(3, "Procedura", "WSTO_EE");
        }
        if let Some(rate) = inv.exchange.as_ref().filter(|_| foreign) {
            x.el(3, "KursWaluty", &rate.rate.to_string());
        }
        x.close(2, "FaWiersz");
    }
    x.open(2, "Platnosc");
    match &inv.payment {
        Payment::Paid { date, description } => {
            x.el(3, "Zaplacono", "1");
            x.el(3, "DataZaplaty", date);
            x.el(3, "PlatnoscInna", "1");
            x.el(3, "OpisPlatnosci", description);
        }
        Payment::Transfer { due, account } => {
            x.open(3, "TerminPlatnosci");
            x.el(4, "Termin", due);
            x.close(3, "TerminPlatnosci");
            // 6 = przelew (TFormaPlatnosci).
            x.el(3, "FormaPlatnosci", "6");
            if let Some(nrb) = account {
                x.open(3, "RachunekBankowy");
                x.el(4, "NrRB", &nrb.replace(' ', ""));
                x.close(3, "RachunekBankowy");
            }
        }
        Payment::OnDelivery { description } => {
            // Due when the parcel is handed over: "0 dni od doręczenia przesyłki".
            x.open(3, "TerminPlatnosci");
            x.open(4, "TerminOpis");
            x.el(5, "Ilosc", "0");
            x.el(5, "Jednostka", "dni");
            x.el(5, "ZdarzeniePoczatkowe", "doręczenie przesyłki");
            x.close(4, "TerminOpis");
            x.close(3, "TerminPlatnosci");
            x.el(3, "PlatnoscInna", "1");
            x.el(3, "OpisPlatnosci", description);
        }
        Payment::Settlement { description, .. } => {
            // No "Zaplacono" on a correction: what happens to the money is said in words.
            x.el(3, "PlatnoscInna", "1");
            x.el(3, "OpisPlatnosci", description);
        }
    }
    x.close(2, "Platnosc");
    x.open(2, "WarunkiTransakcji");
    x.open(3, "Zamowienia");
    x.el(4, "DataZamowienia", &inv.order_date);
    x.el(4, "NrZamowienia", &inv.order_id);
    x.close(3, "Zamowienia");
    x.close(2, "WarunkiTransakcji");
    x.close(1, "Fa");
    let r = &inv.seller_registers;
    if !r.is_empty() {
        x.open(1, "Stopka");
        x.open(2, "Rejestry");
        for (name, value) in [("KRS", &r.krs), ("REGON", &r.regon), ("BDO", &r.bdo)] {
            if let Some(v) = value {
                x.el(3, name, v);
            }
        }
        x.close(2, "Rejestry");
        x.close(1, "Stopka");
    }
    x.0.push_str("</Faktura>\n");
    Ok(x.0)
}
