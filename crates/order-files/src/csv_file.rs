//! CSV: a header row naming the columns (any order, English or Polish names), `;` or `,`
//! between fields (whichever the header uses), quotes as Excel writes them.

use std::collections::HashMap;

use domain::Problem;

use crate::Problems;
use crate::build::{Cells, FIELDS, RawRow, field_of};

/// The separator the header line uses: Polish Excel writes `;`, others `,`.
fn separator(header: &str) -> u8 {
    let (mut semi, mut comma, mut quoted) = (0, 0, false);
    for c in header.chars() {
        match c {
            '"' => quoted = !quoted,
            ';' if !quoted => semi += 1,
            ',' if !quoted => comma += 1,
            _ => {}
        }
    }
    if semi >= comma { b';' } else { b',' }
}

/// Line numbers from byte offsets, counted forward from the last one asked (records come
/// in order, so the whole file is scanned once).
struct Lines<'a> {
    bytes: &'a [u8],
    at: usize,
    line: usize,
}

impl<'a> Lines<'a> {
    fn new(text: &'a str) -> Self {
        Self {
            bytes: text.as_bytes(),
            at: 0,
            line: 1,
        }
    }

    fn line_at(&mut self, byte: usize) -> usize {
        // After CRLF a record's position is the '\n' left over from the line before.
        let mut target = byte.min(self.bytes.len());
        while target < self.bytes.len() && matches!(self.bytes[target], b'\r' | b'\n') {
            target += 1;
        }
        if target < self.at {
            self.at = 0;
            self.line = 1;
        }
        self.line += self.bytes[self.at..target].iter().filter(|b| **b == b'\n').count();
        self.at = target;
        self.line
    }
}

/// Every data row, with its cells located; header problems stop the reading.
pub(crate) fn rows(text: &str, problems: &mut Problems) -> Vec<RawRow> {
    let header_line = text.lines().next().unwrap_or("");
    if header_line.trim().is_empty() {
        problems.add(1, None, None, "problem-file-empty");
        return Vec::new();
    }
    let sep = separator(header_line);
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(sep)
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut records = reader.records();
    let header = match records.next() {
        Some(Ok(h)) => h,
        Some(Err(e)) => {
            problems.add(
                1,
                None,
                None,
                Problem::new("problem-file-header-unreadable").arg("detail", e),
            );
            return Vec::new();
        }
        None => return Vec::new(),
    };
    let mut columns: Vec<Option<&'static str>> = Vec::new();
    let mut seen: HashMap<&'static str, usize> = HashMap::new();
    for (i, name) in header.iter().enumerate() {
        let name = name.trim_start_matches('\u{feff}');
        match field_of(name) {
            Some(f) => {
                if let Some(first) = seen.insert(f.name, i + 1) {
                    problems.add(
                        1,
                        Some(i + 1),
                        Some(f.name),
                        Problem::new("problem-file-column-twice").arg("first", first),
                    );
                }
                columns.push(Some(f.name));
            }
            None if name.trim().is_empty() => columns.push(None),
            None => {
                problems.add(
                    1,
                    Some(i + 1),
                    Some(name.trim()),
                    Problem::new("problem-file-column-unknown")
                        .arg("name", name.trim())
                        .arg("columns", FIELDS.iter().map(|f| f.name).collect::<Vec<_>>().join(", ")),
                );
                columns.push(None);
            }
        }
    }
    for f in FIELDS.iter().filter(|f| f.required) {
        if !seen.contains_key(f.name) {
            let other = if sep == b';' { ',' } else { ';' };
            let problem = if header_line.contains(other) {
                Problem::new("problem-file-column-missing-separator")
                    .arg("name", f.name)
                    .arg("polish", f.polish)
                    .arg("other", other)
                    .arg("separator", sep as char)
            } else {
                Problem::new("problem-file-column-missing")
                    .arg("name", f.name)
                    .arg("polish", f.polish)
            };
            problems.add(1, None, Some(f.name), problem);
        }
    }
    if !problems.is_empty() {
        return Vec::new();
    }
    let mut out = Vec::new();
    let mut lines = Lines::new(text);
    for record in records {
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                let line = e.position().map_or(0, |p| lines.line_at(p.byte() as usize));
                problems.add(
                    line,
                    None,
                    None,
                    Problem::new("problem-file-row-unreadable").arg("detail", e),
                );
                continue;
            }
        };
        // From the byte offset: csv's own line count is one short after CRLF line ends.
        let line = record.position().map_or(0, |p| lines.line_at(p.byte() as usize));
        if record.iter().all(|v| v.trim().is_empty()) {
            continue;
        }
        if record.len() != columns.len() {
            problems.add(
                line,
                None,
                None,
                Problem::new("problem-file-field-count")
                    .arg("fields", record.len())
                    .arg("header", columns.len())
                    .arg("separator", sep as char),
            );
            continue;
        }
        let mut cells = Cells::default();
        for (i, v) in record.iter().enumerate() {
            if let Some(name) = columns[i] {
                cells.insert(name, v, line, i + 1);
            }
        }
        cells.shrink();
        out.push(RawRow {
            line,
            cells,
            group: None,
        });
    }
    if out.is_empty() && problems.is_empty() {
        problems.add(2, None, None, "problem-file-no-orders");
    }
    out
}
#[cfg(test)]
mod tests {
    #[test]
    fn rows_know_their_lines_whatever_the_line_ends() {
        let header = "order_id;bought_at;buyer_login;offer_name;quantity;unit_price";
        for end in ["\r\n", "\n"] {
            let text = format!("{header}{end}1;2026-01-01;a;b;1;1{end}2;2026-01-01;a;b;1;1{end}");
            let mut p = crate::Problems::default();
            let lines: Vec<usize> = super::rows(&text, &mut p).iter().map(|r| r.line).collect();
            assert_eq!(lines, vec![2, 3], "{end:?}");
        }
    }
}
