//! Orders from files: CSV (Polish Excel exports, Windows-1250 or UTF-8, `;` or `,`,
//! decimal commas) and XML (`docs/orders-import.xsd`). The whole file is read and checked
//! before anything is returned: either every order, or every problem found (up to
//! [`MAX_ERRORS`]) with its file, line and column. The column layout and the XML schema
//! are documented in `docs/IMPORT.md`.
#![forbid(unsafe_code)]

mod build;
mod cells;
mod csv_file;
mod text;
mod waybills;
mod xml_file;

use std::fmt;

use allegro_api_types::CheckoutForm;
use domain::Problem;

pub use build::FIELDS;
pub use text::Encoding;
pub use waybills::{WaybillRow, check_waybills, read_waybills};

/// Problems reported at most per file (the rest are counted).
pub const MAX_ERRORS: usize = 50;

/// A file's format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Comma- or semicolon-separated values with a header row.
    Csv,
    /// `<orders>` per `docs/orders-import.xsd`.
    Xml,
}

impl Format {
    /// The format a file name's extension says, if any.
    pub fn from_file_name(name: &str) -> Option<Self> {
        let lower = name.to_ascii_lowercase();
        if lower.ends_with(".csv") || lower.ends_with(".txt") {
            Some(Self::Csv)
        } else if lower.ends_with(".xml") {
            Some(Self::Xml)
        } else {
            None
        }
    }
}

/// One problem: where (line, column, field) and what.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileError {
    /// 1-based line.
    pub line: usize,
    /// 1-based column: the CSV field's number, or the character in an XML line.
    pub column: Option<usize>,
    /// The column or attribute it concerns.
    pub field: Option<String>,
    /// What is wrong, worded by the surface in the seller's language.
    pub problem: Problem,
}

/// Every problem found in one file.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct FileErrors {
    /// The file's name as given.
    pub file: String,
    /// The problems, in file order.
    pub errors: Vec<FileError>,
    /// Problems found beyond the first [`MAX_ERRORS`].
    pub more: usize,
}

impl FileErrors {
    /// The problems of `file`, in line order, at most [`MAX_ERRORS`] of them (the rest
    /// counted).
    pub fn of(file: &str, mut errors: Vec<FileError>) -> Self {
        errors.sort_by_key(|e| (e.line, e.column.unwrap_or(usize::MAX)));
        let more = errors.len().saturating_sub(MAX_ERRORS);
        errors.truncate(MAX_ERRORS);
        Self {
            file: file.to_owned(),
            errors,
            more,
        }
    }
}

impl FileError {
    /// `file:line:column (field): message`.
    pub fn describe(&self, file: &str) -> String {
        let mut s = format!("{file}, line {}", self.line);
        if let Some(c) = self.column {
            s.push_str(&format!(", column {c}"));
        }
        if let Some(f) = &self.field {
            s.push_str(&format!(" ({f})"));
        }
        s.push_str(": ");
        s.push_str(&self.problem.to_string());
        s
    }
}

impl fmt::Display for FileErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let total = self.errors.len() + self.more;
        write!(
            f,
            "{} was not imported ({total} problem{})",
            self.file,
            if total == 1 { "" } else { "s" }
        )?;
        for e in &self.errors {
            write!(f, "\n  {}", e.describe(&self.file))?;
        }
        if self.more > 0 {
            write!(f, "\n  … and {} more", self.more)?;
        }
        Ok(())
    }
}

/// Collects problems while a file is read.
#[derive(Debug, Default)]
pub(crate) struct Problems {
    errors: Vec<FileError>,
    more: usize,
}

impl Problems {
    pub(crate) fn add(&mut self, line: usize, column: Option<usize>, field: Option<&str>, problem: impl Into<Problem>) {
        if self.errors.len() < MAX_ERRORS {
            self.errors.push(FileError {
                line,
                column,
                field: field.map(str::to_owned),
                problem: problem.into(),
            });
        } else {
            self.more += 1;
        }
    }

    pub(crate) fn count(&self) -> usize {
        self.errors.len() + self.more
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.errors.is_empty()
    }

    pub(crate) fn into_errors(mut self, file: &str) -> FileErrors {
        self.errors.sort_by_key(|e| (e.line, e.column.unwrap_or(usize::MAX)));
        FileErrors {
            file: file.to_owned(),
            errors: self.errors,
            more: self.more,
        }
    }
}

/// An order read from a file, shaped as Allegro's checkout form.
#[derive(Debug, Clone, PartialEq)]
pub struct FileOrder {
    /// The order as a checkout form (`id` is the file's order id).
    pub form: CheckoutForm,
    /// The line where it starts.
    pub line: usize,
}

/// Reads a whole file. `format` defaults to what the name's extension says.
pub fn read(
    file_name: &str,
    bytes: &[u8],
    format: Option<Format>,
    encoding: Encoding,
) -> Result<Vec<FileOrder>, FileErrors> {
    let mut orders = Vec::new();
    read_each(file_name, bytes, format, encoding, |o, _| {
        orders.push(o);
        Ok::<(), std::convert::Infallible>(())
    })?
    .unwrap_or_else(|never| match never {});
    Ok(orders)
}

/// Reads and checks a whole file, then hands its orders to `each` one at a time, with the
/// file's order count — none if the file has any problem. Orders are built twice (to check, then to hand over) rather
/// than held all at once, so a big file takes memory for its rows, not for its orders.
/// The outer error is the file's problems; the inner one is the first error `each` gave
/// (no order is handed over after it).
pub fn read_each<E>(
    file_name: &str,
    bytes: &[u8],
    format: Option<Format>,
    encoding: Encoding,
    mut each: impl FnMut(FileOrder, usize) -> Result<(), E>,
) -> Result<Result<usize, E>, FileErrors> {
    let mut problems = Problems::default();
    let Some(format) = format.or_else(|| Format::from_file_name(file_name)) else {
        problems.add(1, None, None, Problem::new("problem-file-type"));
        return Err(problems.into_errors(file_name));
    };
    let text = match text::decode(bytes, encoding, format) {
        Ok(t) => t,
        Err(e) => {
            problems.add(e.line, Some(e.column), None, e.problem);
            return Err(problems.into_errors(file_name));
        }
    };
    let rows = match format {
        Format::Csv => csv_file::rows(&text, &mut problems),
        Format::Xml => xml_file::rows(&text, &mut problems),
    };
    drop(text);
    let mut total = 0;
    build::orders(&rows, format, &mut problems, &mut |_| total += 1);
    if problems.is_empty() {
        let mut handed = 0;
        let mut failed = None;
        // The second pass finds no problem the first did not.
        build::orders(&rows, format, &mut Problems::default(), &mut |order| {
            if failed.is_none() {
                match each(order, total) {
                    Ok(()) => handed += 1,
                    Err(e) => failed = Some(e),
                }
            }
        });
        return Ok(failed.map_or(Ok(handed), Err));
    }
    let mut errors = problems.into_errors(file_name);
    if format == Format::Xml {
        // Name XML problems by element and attribute, as the seller sees the file.
        for e in &mut errors.errors {
            if let Some(f) = e.field.as_deref().and_then(|n| FIELDS.iter().find(|f| f.name == n)) {
                e.field = Some(f.xml.to_owned());
            }
        }
    }
    Err(errors)
}
