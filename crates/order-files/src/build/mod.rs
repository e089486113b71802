//! From located cells to orders: every value parsed with a message naming its place, rows
//! grouped into orders, order-level values checked for agreement, duplicates refused.

use std::collections::HashMap;

use allegro_api_types::{CheckoutForm, Price};
use domain::{Nip, Problem, VatRate};
use serde_json::{Value, json};

pub(crate) use crate::cells::{Cell, Cells};
use crate::{FileOrder, Format, Problems};

mod layout;
mod values;

pub use layout::*;
use values::{amount, marketplace, time, yes_no};

/// One line item with its order's values, as read from a CSV row or an XML `<line>`.
#[derive(Debug, Clone)]
pub(crate) struct RawRow {
    pub line: usize,
    pub cells: Cells,
    /// XML: the `<order>` element the line belongs to (CSV groups by `order_id`).
    pub group: Option<usize>,
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
