//! From located cells to orders: every value parsed with a message naming its place, rows
//! grouped into orders, order-level values checked for agreement, duplicates refused.

use std::collections::HashMap;

use allegro_api_types::{CheckoutForm, Price};
use domain::{Nip, Problem, VatRate};
use serde_json::{Value, json};

pub(crate) use crate::cells::{Cell, Cells};
use crate::{FileOrder, Format, Problems};

/// One line item with its order's values, as read from a CSV row or an XML `<line>`.
#[derive(Debug, Clone)]
pub(crate) struct RawRow {
    pub line: usize,
    pub cells: Cells,
    /// XML: the `<order>` element the line belongs to (CSV groups by `order_id`).
    pub group: Option<usize>,
}

/// Whether a field belongs to the order or to one line item.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    /// Same on every row of an order.
    Order,
    /// Per line item.
    Line,
}

/// One column of the CSV layout (and its XML attribute).
#[derive(Debug, Clone, Copy)]
pub struct Field {
    /// CSV header.
    pub name: &'static str,
    /// Polish CSV header accepted as well.
    pub polish: &'static str,
    /// XML element and attribute.
    pub xml: &'static str,
    /// Order or line.
    pub level: Level,
    /// Must be present and non-empty.
    pub required: bool,
    /// What it holds.
    pub help: &'static str,
}

macro_rules! fields {
    ($(($name:literal, $polish:literal, $xml:literal, $level:ident, $req:literal, $help:literal)),+ $(,)?) => {
        /// The file layout: CSV headers (English or Polish), XML attributes, meaning.
        pub const FIELDS: &[Field] = &[$(Field { name: $name, polish: $polish, xml: $xml, level: Level::$level, required: $req, help: $help }),+];
    };
}

fields! {
    ("order_id", "id_zamowienia", "order/@id", Order, true, "Allegro's order id (checkout form UUID) or your own order number; rows with the same id are one order"),
    ("bought_at", "data_zakupu", "order/@boughtAt", Order, true, "purchase time: 2026-11-05 14:30, 05.11.2026 14:30, 2026-11-05 (Polish time) or RFC 3339 with an offset"),
    ("buyer_login", "login_kupujacego", "buyer/@login", Order, true, "the buyer's Allegro login"),
    ("buyer_email", "email", "buyer/@email", Order, false, "the buyer's e-mail"),
    ("first_name", "imie", "buyer/@firstName", Order, false, "first name"),
    ("last_name", "nazwisko", "buyer/@lastName", Order, false, "last name"),
    ("company_name", "firma", "buyer/@companyName", Order, false, "company name"),
    ("nip", "nip", "buyer/@nip", Order, false, "the company's NIP (checked); needs street, zip_code and city"),
    ("phone", "telefon", "buyer/@phone", Order, false, "phone number"),
    ("street", "ulica", "address/@street", Order, false, "delivery street and number"),
    ("zip_code", "kod_pocztowy", "address/@zipCode", Order, false, "postcode (NN-NNN in Poland)"),
    ("city", "miasto", "address/@city", Order, false, "city"),
    ("country_code", "kraj", "address/@countryCode", Order, false, "two-letter country code; PL when empty"),
    ("delivery_method", "sposob_dostawy", "delivery/@method", Order, false, "delivery method's name"),
    ("delivery_cost", "koszt_dostawy", "delivery/@cost", Order, false, "delivery cost, gross"),
    ("pickup_point", "punkt_odbioru", "delivery/@pickupPoint", Order, false, "pickup point id (e.g. a Paczkomat)"),
    ("currency", "waluta", "order/@currency", Order, false, "PLN, CZK, EUR or HUF; PLN when empty"),
    ("status", "status", "order/@status", Order, false, "READY_FOR_PROCESSING (paid, the default), BOUGHT, FILLED_IN or CANCELLED"),
    ("invoice_required", "faktura", "order/@invoiceRequired", Order, false, "the buyer asked for an invoice: tak/nie, yes/no, 1/0"),
    ("offer_id", "id_oferty", "line/@offerId", Line, false, "Allegro offer id"),
    ("sku", "sku", "line/@sku", Line, false, "your product code (the offer's external id)"),
    ("offer_name", "nazwa", "line/@name", Line, true, "item name"),
    ("quantity", "ilosc", "line/@quantity", Line, true, "whole number of pieces, at least 1"),
    ("unit_price", "cena_brutto", "line/@unitPrice", Line, true, "gross price of one piece: 49,99 or 1 234,50 or 49.99"),
    ("vat_rate", "stawka_vat", "line/@vatRate", Line, false, "23, 8, 5, 0, zw or np"),
}

/// The field of a header (English or Polish, any case, spaces as underscores).
pub(crate) fn field_of(header: &str) -> Option<&'static Field> {
    let h: String = header
        .trim()
        .to_lowercase()
        .chars()
        .map(|c| match c {
            ' ' | '-' => '_',
            'ą' => 'a',
            'ć' => 'c',
            'ę' => 'e',
            'ł' => 'l',
            'ń' => 'n',
            'ó' => 'o',
            'ś' => 's',
            'ź' | 'ż' => 'z',
            c => c,
        })
        .collect();
    FIELDS.iter().find(|f| f.name == h || f.polish == h)
}

/// Gross amount in minor units from how Polish sellers write it.
pub(crate) fn amount(raw: &str) -> Result<i64, Problem> {
    let s: String = raw
        .trim()
        .trim_end_matches("zł")
        .trim_end_matches("PLN")
        .chars()
        .filter(|c| !matches!(c, ' ' | '\u{a0}' | '\u{202f}'))
        .collect();
    let bad = || Problem::new("problem-file-amount").arg("value", raw);
    if s.is_empty() {
        return Err(bad());
    }
    if s.starts_with('-') {
        return Err(Problem::new("problem-file-amount-negative").arg("value", raw));
    }
    let (int, frac) = match s.rfind([',', '.']) {
        Some(p) => (&s[..p], &s[p + 1..]),
        None => (s.as_str(), ""),
    };
    // A dot or comma left in the integer part is a thousands separator (1.234,50): groups
    // of three digits after the first.
    let groups: Vec<&str> = int.split(['.', ',']).collect();
    if groups.len() > 1 && (groups[0].is_empty() || groups[0].len() > 3 || groups[1..].iter().any(|g| g.len() != 3)) {
        return Err(bad());
    }
    let int: String = groups.concat();
    if int.is_empty() && frac.is_empty()
        || !int.bytes().all(|b| b.is_ascii_digit())
        || !frac.bytes().all(|b| b.is_ascii_digit())
    {
        return Err(bad());
    }
    if frac.len() > 2 {
        return Err(Problem::new("problem-file-amount-decimals").arg("value", raw));
    }
    let whole: i64 = if int.is_empty() {
        0
    } else {
        int.parse().map_err(|_| bad())?
    };
    let cents: i64 = format!("{frac:0<2}").parse().map_err(|_| bad())?;
    whole
        .checked_mul(100)
        .and_then(|w| w.checked_add(cents))
        .ok_or_else(|| Problem::new("problem-file-amount-large").arg("value", raw))
}

/// Poland's zone, loaded once (a lookup per row was most of a file's reading time).
fn warsaw() -> Result<jiff::tz::TimeZone, String> {
    static ZONE: std::sync::OnceLock<Result<jiff::tz::TimeZone, String>> = std::sync::OnceLock::new();
    ZONE.get_or_init(|| jiff::tz::TimeZone::get("Europe/Warsaw").map_err(|e| format!("time zone Europe/Warsaw: {e}")))
        .clone()
}

/// Purchase time in epoch milliseconds; times without an offset are Polish time.
pub(crate) fn time(raw: &str) -> Result<i64, Problem> {
    let s = raw.trim();
    if let Ok(ts) = s.parse::<jiff::Timestamp>() {
        return Ok(ts.as_millisecond());
    }
    let formats = [
        "%Y-%m-%d %H:%M:%S",
        "%Y-%m-%d %H:%M",
        "%Y-%m-%dT%H:%M:%S",
        "%Y-%m-%dT%H:%M",
        "%d.%m.%Y %H:%M:%S",
        "%d.%m.%Y %H:%M",
    ];
    let civil = formats
        .iter()
        .find_map(|f| jiff::civil::DateTime::strptime(f, s).ok())
        .or_else(|| {
            ["%Y-%m-%d", "%d.%m.%Y"]
                .iter()
                .find_map(|f| jiff::civil::Date::strptime(f, s).ok())
                .map(|d| d.to_datetime(jiff::civil::Time::midnight()))
        })
        .ok_or_else(|| Problem::new("problem-file-time").arg("value", raw))?;
    if civil.year() < 2000 {
        return Err(Problem::new("problem-file-time-old").arg("value", raw));
    }
    // A time that does not exist in Poland (the hour skipped in March) is refused.
    let zoned = warsaw()
        .and_then(|zone| civil.to_zoned(zone).map_err(|e| e.to_string()))
        .map_err(|_| Problem::new("problem-file-time").arg("value", raw))?;
    Ok(zoned.timestamp().as_millisecond())
}

fn yes_no(raw: &str) -> Result<bool, Problem> {
    match raw.trim().to_lowercase().as_str() {
        "" | "nie" | "no" | "n" | "0" | "false" => Ok(false),
        "tak" | "yes" | "t" | "y" | "1" | "true" => Ok(true),
        _ => Err(Problem::new("problem-file-yes-no").arg("value", raw)),
    }
}

fn marketplace(currency: &str) -> &'static str {
    match currency {
        "CZK" => "allegro-cz",
        "EUR" => "allegro-sk",
        "HUF" => "allegro-hu",
        _ => "allegro-pl",
    }
}

/// Reads one order's cells; problems are reported at the cell.
struct OrderReader<'a> {
    problems: &'a mut Problems,
    first_line: usize,
}

impl OrderReader<'_> {
    fn at(&mut self, cell: &Cell, field: &str, problem: Problem) {
        self.problems.add(cell.line, Some(cell.column), Some(field), problem);
    }

    fn text(&mut self, cells: &Cells, field: &'static str) -> Option<String> {
        let c = cells.get(field)?;
        let v = c.value.trim();
        if v.chars().any(char::is_control) {
            self.at(&c, field, Problem::new("problem-file-control-character"));
            return None;
        }
        // FA(3)'s longest text fields (names, addresses) hold 512 characters.
        if v.chars().count() > 512 {
            self.at(&c, field, Problem::new("problem-file-too-long").arg("max", 512));
            return None;
        }
        (!v.is_empty()).then(|| v.to_owned())
    }

    fn parsed<T>(
        &mut self,
        cells: &Cells,
        field: &'static str,
        parse: impl Fn(&str) -> Result<T, Problem>,
    ) -> Option<T> {
        let c = cells.get(field)?;
        if c.value.trim().is_empty() {
            return None;
        }
        match parse(c.value) {
            Ok(v) => Some(v),
            Err(m) => {
                self.at(&c, field, m);
                None
            }
        }
    }
}

/// Groups rows into orders and builds each, reporting every problem.
pub(crate) fn orders(rows: &[RawRow], format: Format, problems: &mut Problems, emit: &mut dyn FnMut(FileOrder)) {
    // Required fields, and exact duplicate rows (remembered by a 128-bit digest of the
    // row, not a copy of it: a big file is not held twice).
    let mut seen_rows: HashMap<u128, usize> = HashMap::new();
    for row in rows {
        for f in FIELDS.iter().filter(|f| f.required) {
            match row.cells.get(f.name) {
                Some(c) if c.value.trim().is_empty() => problems.add(
                    c.line,
                    Some(c.column),
                    Some(f.name),
                    Problem::new("problem-file-required-empty"),
                ),
                None if format == Format::Xml => problems.add(
                    row.line,
                    None,
                    Some(f.xml),
                    Problem::new("problem-file-required-missing"),
                ),
                _ => {}
            }
        }
        let mut cells: Vec<(&str, &str)> = row.cells.iter().map(|(k, c)| (k, c.value.trim())).collect();
        cells.sort_unstable();
        let key = row_digest(&cells);
        if let Some(first) = seen_rows.get(&key) {
            problems.add(
                row.line,
                None,
                None,
                Problem::new("problem-file-duplicate-row").arg("first", first),
            );
        } else {
            seen_rows.insert(key, row.line);
        }
    }
    // Group: CSV by order id, XML by <order> element (an id used twice is an error). Keys
    // and ids borrow from the rows; a one-row order allocates nothing here.
    #[derive(PartialEq, Eq, Hash)]
    enum Key<'r> {
        Id(&'r str),
        Element(usize),
    }
    let mut groups: Vec<(&RawRow, Vec<&RawRow>)> = Vec::new();
    let mut by_key: HashMap<Key<'_>, usize> = HashMap::new();
    let mut xml_ids: HashMap<&str, usize> = HashMap::new();
    for row in rows {
        let Some(id_cell) = row.cells.get("order_id") else {
            continue;
        };
        let id = id_cell.value.trim();
        if id.is_empty() {
            continue;
        }
        let key = match row.group {
            Some(g) => Key::Element(g),
            None => Key::Id(id),
        };
        if let Some(&i) = by_key.get(&key) {
            groups[i].1.push(row);
            continue;
        }
        if row.group.is_some() {
            match xml_ids.get(id) {
                Some(first) => problems.add(
                    id_cell.line,
                    Some(id_cell.column),
                    Some("order/@id"),
                    Problem::new("problem-file-duplicate-order")
                        .arg("id", id)
                        .arg("first", first),
                ),
                None => {
                    xml_ids.insert(id, id_cell.line);
                }
            }
        }
        by_key.insert(key, groups.len());
        groups.push((row, Vec::new()));
    }
    drop((by_key, xml_ids));
    for (first, rest) in groups {
        let group: Vec<&RawRow> = std::iter::once(first).chain(rest).collect();
        let id = first.cells.get("order_id").map_or("", |c| c.value.trim());
        if let Some(order) = build_order(id, &group, problems) {
            emit(order);
        }
    }
}

/// A row's digest: SHA-256 of its sorted (field, value) pairs, cut to 128 bits.
fn row_digest(cells: &[(&str, &str)]) -> u128 {
    use sha2::Digest as _;
    let mut hash = sha2::Sha256::new();
    for (k, v) in cells {
        hash.update(k.as_bytes());
        hash.update([0]);
        hash.update(v.as_bytes());
        hash.update([0]);
    }
    let bytes: [u8; 32] = hash.finalize().into();
    u128::from_le_bytes(bytes[..16].try_into().expect("16 bytes"))
}

fn build_order(id: &str, rows: &[&RawRow], problems: &mut Problems) -> Option<FileOrder> {
    let first = rows[0];
    let before = problems_len(problems);
    // Order-level values must agree on every row of the order.
    for row in &rows[1..] {
        for f in FIELDS.iter().filter(|f| f.level == Level::Order) {
            let a = first.cells.get(f.name).map(|c| c.value.trim()).unwrap_or("");
            if let Some(c) = row.cells.get(f.name)
                && c.value.trim() != a
            {
                problems.add(
                    c.line,
                    Some(c.column),
                    Some(f.name),
                    Problem::new("problem-file-order-differs")
                        .arg("value", c.value.trim())
                        .arg("first_value", a)
                        .arg("first", first.line),
                );
            }
        }
    }
    if id.chars().count() > 64 || id.chars().any(|c| c.is_whitespace() || c.is_control()) {
        let c = first.cells.get("order_id").expect("grouped by order_id");
        problems.add(
            c.line,
            Some(c.column),
            Some("order_id"),
            Problem::new("problem-file-order-id").arg("value", id),
        );
    }
    let mut r = OrderReader {
        problems,
        first_line: first.line,
    };
    let cells = &first.cells;
    let bought = r.parsed(cells, "bought_at", time);
    let login = r.text(cells, "buyer_login");
    let currency = r
        .parsed(cells, "currency", |v| {
            let v = v.trim().to_uppercase();
            if ["PLN", "CZK", "EUR", "HUF"].contains(&v.as_str()) {
                Ok(v)
            } else {
                Err(Problem::not_one_of(&v, &["PLN", "CZK", "EUR", "HUF"]))
            }
        })
        .unwrap_or_else(|| "PLN".to_owned());
    let status = r
        .parsed(cells, "status", |v| {
            let v = v.trim().to_uppercase();
            if domain::OrderStatus::known_words().contains(&v.as_str()) {
                Ok(v)
            } else {
                Err(Problem::not_one_of(&v, &domain::OrderStatus::known_words()))
            }
        })
        .unwrap_or_else(|| "READY_FOR_PROCESSING".to_owned());
    let invoice_required = r.parsed(cells, "invoice_required", yes_no).unwrap_or(false);
    let email = r.parsed(cells, "buyer_email", |v| {
        let v = v.trim();
        if v.contains('@') && !v.contains(' ') {
            Ok(v.to_owned())
        } else {
            Err(Problem::new("problem-file-email").arg("value", v))
        }
    });
    let country = r
        .parsed(cells, "country_code", |v| {
            let v = v.trim().to_uppercase();
            if v.len() == 2 && v.bytes().all(|b| b.is_ascii_uppercase()) {
                Ok(v)
            } else {
                Err(Problem::new("problem-file-country").arg("value", v))
            }
        })
        .unwrap_or_else(|| "PL".to_owned());
    let zip = {
        let pl = country == "PL";
        r.parsed(cells, "zip_code", |v| {
            let v = v.trim();
            let b = v.as_bytes();
            if !pl || (b.len() == 6 && b[2] == b'-' && b.iter().enumerate().all(|(i, c)| i == 2 || c.is_ascii_digit()))
            {
                Ok(v.to_owned())
            } else {
                Err(Problem::new("problem-file-postcode").arg("value", v))
            }
        })
    };
    let nip = r.parsed(cells, "nip", |v| v.parse::<Nip>().map_err(Problem::from));
    let (first_name, last_name, company, phone) = (
        r.text(cells, "first_name"),
        r.text(cells, "last_name"),
        r.text(cells, "company_name"),
        r.text(cells, "phone"),
    );
    let (street, city) = (r.text(cells, "street"), r.text(cells, "city"));
    let address_parts = [street.is_some(), zip.is_some(), city.is_some()];
    if address_parts.iter().any(|x| *x) && !address_parts.iter().all(|x| *x) || nip.is_some() && street.is_none() {
        let line = r.first_line;
        r.problems.add(
            line,
            None,
            Some("street"),
            Problem::new("problem-file-address-incomplete"),
        );
    }
    let delivery_cost = r.parsed(cells, "delivery_cost", amount);
    let (method, pickup) = (r.text(cells, "delivery_method"), r.text(cells, "pickup_point"));
    // Line items.
    let mut lines = Vec::new();
    let mut total: Option<i64> = Some(delivery_cost.unwrap_or(0));
    for (n, row) in rows.iter().enumerate() {
        let c = &row.cells;
        let name = r.text(c, "offer_name");
        let qty = r.parsed(c, "quantity", |v| match v.trim().parse::<i64>() {
            Ok(q) if (1..=100_000).contains(&q) => Ok(q),
            _ => Err(Problem::new("problem-file-quantity").arg("value", v.trim())),
        });
        let unit = r.parsed(c, "unit_price", amount);
        let vat = r.parsed(c, "vat_rate", |v| VatRate::parse_polish(v).map_err(Problem::from));
        let (offer_id, sku) = (r.text(c, "offer_id"), r.text(c, "sku"));
        if let (Some(q), Some(u)) = (qty, unit) {
            total = total.and_then(|t| q.checked_mul(u).and_then(|x| t.checked_add(x)));
        }
        let price = unit.map(|u| Price::from_minor(u, &currency));
        lines.push(json!({
            "id": format!("{id}-{}", n + 1),
            "offer": {
                "id": offer_id.or_else(|| sku.clone()).unwrap_or_default(),
                "name": name.unwrap_or_default(),
                "external": sku.map(|s| json!({"id": s})),
            },
            "quantity": qty.unwrap_or(0),
            "originalPrice": price,
            "price": price,
            "tax": vat.map(|v| match v {
                VatRate::Exempt | VatRate::NotSubject => json!({"rate": null, "subject": null, "exemption": v.to_string().to_uppercase()}),
                rate => json!({"rate": format!("{rate}.00"), "subject": null, "exemption": null}),
            }),
            "boughtAt": bought.map(|b| allegro_api_types::Instant::from_millis(b).to_string()),
        }));
    }
    if total.is_none() {
        let line = r.first_line;
        r.problems
            .add(line, None, None, Problem::new("problem-file-total-large"));
    }
    if problems_len(r.problems) > before {
        return None;
    }
    let address = street.as_ref().map(|street| {
        json!({
            "firstName": first_name.clone().unwrap_or_default(),
            "lastName": last_name.clone().unwrap_or_default(),
            "street": street, "city": city, "zipCode": zip, "countryCode": country,
            "companyName": company, "phoneNumber": phone,
        })
    });
    let invoice_address = nip.as_ref().map(|nip| {
        json!({
            "street": street, "city": city, "zipCode": zip, "countryCode": country,
            "company": {
                "name": company.clone().unwrap_or_default(),
                "ids": [{"type": "PL_NIP", "value": nip.as_str()}],
                "vatPayerStatus": "NOT_APPLICABLE",
                "taxId": nip.as_str(),
            },
        })
    });
    let form = json!({
        "id": id,
        "buyer": {
            "id": "", "email": email.unwrap_or_default(), "login": login.unwrap_or_default(),
            "firstName": first_name, "lastName": last_name, "companyName": company,
            "guest": false, "phoneNumber": phone,
        },
        "status": status,
        "fulfillment": {"status": "NEW"},
        "delivery": (method.is_some() || pickup.is_some() || address.is_some() || delivery_cost.is_some()).then(|| json!({
            "address": address,
            "method": method.map(|m| json!({"id": null, "name": m})),
            "pickupPoint": pickup.map(|p| json!({"id": p})),
            "cost": Price::from_minor(delivery_cost.unwrap_or(0), &currency),
        })),
        "invoice": {"required": invoice_required || nip.is_some(), "address": invoice_address},
        "lineItems": lines,
        "surcharges": [],
        "marketplace": {"id": marketplace(&currency)},
        "summary": {"totalToPay": Price::from_minor(total.unwrap_or(0), &currency)},
    });
    match serde_json::from_value::<CheckoutForm>(strip_nulls(form)) {
        Ok(form) => Some(FileOrder {
            form,
            line: first.cells.get("order_id").map_or(first.line, |c| c.line),
        }),
        Err(e) => {
            // Every value was checked above; a failure here is a bug, reported where it is.
            problems_add_internal(r.problems, first.line, &e.to_string());
            None
        }
    }
}

fn strip_nulls(v: Value) -> Value {
    match v {
        Value::Object(map) => Value::Object(
            map.into_iter()
                .filter(|(_, v)| !v.is_null())
                .map(|(k, v)| (k, strip_nulls(v)))
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.into_iter().map(strip_nulls).collect()),
        other => other,
    }
}

fn problems_len(p: &Problems) -> usize {
    p.count()
}

fn problems_add_internal(p: &mut Problems, line: usize, message: &str) {
    p.add(
        line,
        None,
        None,
        Problem::new("problem-file-order-unbuilt").arg("detail", message),
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_as_sellers_write_them() {
        for (raw, minor) in [
            ("49,99", 4999),
            ("49.99", 4999),
            ("1 234,50", 123_450),
            ("1\u{a0}234,5", 123_450),
            ("1.234,50", 123_450),
            ("1,234.50", 123_450),
            ("12", 1200),
            ("12 zł", 1200),
            (",5", 50),
        ] {
            assert_eq!(amount(raw), Ok(minor), "{raw}");
        }
        for bad in ["", "12,3x", "-5", "1,234", "abc", "12,,3"] {
            assert!(amount(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn times_are_polish_unless_an_offset_is_given() {
        // 2026-11-05 14:30 in Warsaw is 13:30 UTC (CET); 2026-07-05 14:30 is 12:30 UTC (CEST).
        let winter = 1_793_885_400_000;
        assert_eq!(time("2026-11-05 14:30"), Ok(winter));
        assert_eq!(time("05.11.2026 14:30"), Ok(winter));
        assert_eq!(time("2026-11-05T13:30:00Z"), Ok(winter));
        assert_eq!(
            time("2026-07-05 14:30").unwrap() % 86_400_000,
            12 * 3_600_000 + 30 * 60_000
        );
        assert!(time("2026-02-30 10:00").is_err());
        assert!(time("yesterday").is_err());
    }
}
