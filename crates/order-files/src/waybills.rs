//! Waybills from a CSV file: one `order id;carrier;waybill` a line (optionally a fourth
//! column, the carrier's name for `OTHER`), `;` or `,` between fields, UTF-8 or
//! Windows-1250, an optional header line. Every line is checked before anything is
//! returned, as with orders.

use domain::{NewWaybill, Problem};

use crate::text::{self, Encoding};
use crate::{FileError, FileErrors, Format, Problems};

/// A waybill read from a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WaybillRow {
    /// The line it was on.
    pub line: usize,
    /// The order (checkout form id).
    pub order_id: String,
    /// The checked waybill (the whole order: files do not name line items).
    pub waybill: NewWaybill,
}

/// Header names (lower case) a first line may use for the columns, in English or Polish.
const HEADERS: [&[&str]; 4] = [
    &[
        "order id",
        "order_id",
        "order",
        "id zamówienia",
        "zamówienie",
        "numer zamówienia",
    ],
    &["carrier", "carrier id", "carrier_id", "przewoźnik"],
    &[
        "waybill",
        "tracking number",
        "numer przesyłki",
        "numer listu przewozowego",
        "list przewozowy",
    ],
    &["carrier name", "carrier_name", "nazwa przewoźnika"],
];

const FIELD_NAMES: [&str; 4] = ["order id", "carrier", "waybill", "carrier name"];

fn is_header(cells: &csv::StringRecord) -> bool {
    cells
        .iter()
        .zip(HEADERS)
        .all(|(cell, names)| names.contains(&cell.trim().to_lowercase().as_str()))
}

/// Reads a whole waybill file.
pub fn read_waybills(file_name: &str, bytes: &[u8], encoding: Encoding) -> Result<Vec<WaybillRow>, FileErrors> {
    let (rows, errors) = check_waybills(bytes, encoding);
    if errors.is_empty() {
        Ok(rows)
    } else {
        Err(FileErrors::of(file_name, errors))
    }
}

/// The good lines of a waybill file and the problems of the others, for a caller that adds
/// problems of its own (an order it does not have) before refusing the file.
pub fn check_waybills(bytes: &[u8], encoding: Encoding) -> (Vec<WaybillRow>, Vec<FileError>) {
    let mut problems = Problems::default();
    let text = match text::decode(bytes, encoding, Format::Csv) {
        Ok(t) => t,
        Err(e) => {
            problems.add(e.line, Some(e.column), None, e.problem);
            return (Vec::new(), problems.into_errors("").errors);
        }
    };
    let first = text.lines().next().unwrap_or("");
    let sep = if first.matches(',').count() > first.matches(';').count() {
        b','
    } else {
        b';'
    };
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(sep)
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut rows = Vec::new();
    let mut line = 0;
    // Lines from byte offsets, counted forward (the csv crate's own count skips blank lines).
    let (bytes, mut at, mut counted) = (text.as_bytes(), 0, 1);
    let mut line_at = |byte: usize| {
        let mut target = byte.min(bytes.len());
        while target < bytes.len() && matches!(bytes[target], b'\r' | b'\n') {
            target += 1;
        }
        counted += bytes[at..target.max(at)].iter().filter(|b| **b == b'\n').count();
        at = target.max(at);
        counted
    };
    for (i, record) in reader.records().enumerate() {
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                let where_ = e.position().map_or(line + 1, |p| line_at(p.byte() as usize));
                problems.add(
                    where_,
                    None,
                    None,
                    Problem::new("problem-file-row-unreadable").arg("detail", e),
                );
                continue;
            }
        };
        line = record.position().map_or(line + 1, |p| line_at(p.byte() as usize));
        if record.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        if i == 0 && is_header(&record) {
            continue;
        }
        if !(3..=4).contains(&record.len()) {
            problems.add(
                line,
                None,
                None,
                Problem::new("problem-waybills-field-count")
                    .arg("fields", record.len())
                    .arg("separator", sep as char),
            );
            continue;
        }
        let order_id = record[0].trim();
        if order_id.is_empty() {
            problems.add(line, Some(1), Some(FIELD_NAMES[0]), "problem-waybills-order-empty");
            continue;
        }
        match NewWaybill::parse(&record[1], record.get(3), &record[2], Vec::new()) {
            Ok(waybill) => rows.push(WaybillRow {
                line,
                order_id: order_id.to_owned(),
                waybill,
            }),
            Err(e) => {
                let column = match e.field {
                    "carrier_id" => 2,
                    "waybill" => 3,
                    _ => 4,
                };
                problems.add(line, Some(column), Some(FIELD_NAMES[column - 1]), e.problem);
            }
        }
    }
    if rows.is_empty() && problems.is_empty() {
        problems.add(1, None, None, "problem-waybills-empty");
    }
    (rows, problems.into_errors("").errors)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_with_or_without_a_header_in_either_encoding() {
        let file = "Numer zamówienia;Przewoźnik;Numer przesyłki\n\
                    o-1;INPOST;620000000000000000000001\n\
                    \n\
                    o-2;other;X-9;Kurier Łódź\n";
        let rows = read_waybills("listy.csv", file.as_bytes(), Encoding::Auto).unwrap();
        assert_eq!(rows.len(), 2);
        assert_eq!((rows[0].line, rows[0].order_id.as_str()), (2, "o-1"));
        assert_eq!(rows[1].waybill.carrier_name.as_deref(), Some("Kurier Łódź"));
        assert_eq!(rows[1].line, 4);
        let (cp1250, _, _) = encoding_rs::WINDOWS_1250.encode("o-3;OTHER;ŁÓDŹ-1;Kurier Źdźbło\n");
        let rows = read_waybills("x.csv", &cp1250, Encoding::Auto).unwrap();
        assert_eq!(rows[0].waybill.waybill.as_str(), "ŁÓDŹ-1");
        assert_eq!(rows[0].waybill.carrier_name.as_deref(), Some("Kurier Źdźbło"));
        let rows = read_waybills("x.csv", b"o-3,DPD,AB1\n", Encoding::Auto).unwrap();
        assert_eq!(rows[0].waybill.carrier_id.as_str(), "DPD");
    }

    #[test]
    fn every_bad_line_is_named_and_nothing_is_returned() {
        let long = "9".repeat(65);
        let file = format!("o-1;DPD;OK1\no-2;DPD;{long}\n;DPD;X\no-4;IN POST;X\no-5;OTHER;X\no-6;DPD\n");
        let errors = read_waybills("listy.csv", file.as_bytes(), Encoding::Auto).unwrap_err();
        let found: Vec<_> = errors
            .errors
            .iter()
            .map(|e| (e.line, e.column, e.field.as_deref()))
            .collect();
        assert_eq!(
            found,
            [
                (2, Some(3), Some("waybill")),
                (3, Some(1), Some("order id")),
                (4, Some(2), Some("carrier")),
                (5, Some(4), Some("carrier name")),
                (6, None, None),
            ]
        );
        assert!(
            errors.to_string().contains("listy.csv, line 2, column 3 (waybill)"),
            "{errors}"
        );
        assert!(read_waybills("empty.csv", b"", Encoding::Auto).is_err());
        assert!(read_waybills("u16.csv", &[0xFF, 0xFE, b'o', 0], Encoding::Auto).is_err());
    }
}
