//! A row's located values, kept compactly: one text buffer per row and a small index, so a
//! file of hundreds of thousands of rows takes a few hundred bytes a row, not a hash map
//! and an allocation per value.

use crate::build::FIELDS;

fn field_index(name: &str) -> Option<u8> {
    FIELDS
        .iter()
        .position(|f| f.name == name)
        .and_then(|i| u8::try_from(i).ok())
}

/// A value and where it was read.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Cell<'a> {
    pub value: &'a str,
    pub line: usize,
    pub column: usize,
}

#[derive(Debug, Clone, Copy)]
struct Slot {
    /// Index into `FIELDS` (one byte instead of a 16-byte name).
    field: u8,
    start: u32,
    end: u32,
    line: u32,
    column: u32,
}

/// The cells of one row, by field name (each field at most once; a later insert wins).
#[derive(Debug, Clone, Default)]
pub(crate) struct Cells {
    text: String,
    slots: Vec<Slot>,
}

impl Cells {
    /// Sets `field` to `value`, read at `line` and `column`.
    pub fn insert(&mut self, field: &'static str, value: &str, line: usize, column: usize) {
        let Some(field) = field_index(field) else {
            debug_assert!(false, "{field} is not in FIELDS");
            return;
        };
        let start = self.text.len();
        self.text.push_str(value);
        let slot = Slot {
            field,
            start: u32::try_from(start).unwrap_or(u32::MAX),
            end: u32::try_from(self.text.len()).unwrap_or(u32::MAX),
            line: u32::try_from(line).unwrap_or(u32::MAX),
            column: u32::try_from(column).unwrap_or(u32::MAX),
        };
        match self.slots.iter_mut().find(|s| s.field == field) {
            Some(s) => *s = slot,
            None => self.slots.push(slot),
        }
    }

    /// Adds every cell of `other` (its values win).
    pub fn extend(&mut self, other: &Cells) {
        for (field, c) in other.iter() {
            self.insert(field, c.value, c.line, c.column);
        }
    }

    /// Frees the spare capacity (a row is kept until the file is read).
    pub fn shrink(&mut self) {
        self.text.shrink_to_fit();
        self.slots.shrink_to_fit();
    }

    fn cell(&self, s: &Slot) -> Cell<'_> {
        Cell {
            value: self.text.get(s.start as usize..s.end as usize).unwrap_or(""),
            line: s.line as usize,
            column: s.column as usize,
        }
    }

    /// The cell of `field`, if the row has one.
    pub fn get(&self, field: &str) -> Option<Cell<'_>> {
        let field = field_index(field)?;
        self.slots.iter().find(|s| s.field == field).map(|s| self.cell(s))
    }

    /// Whether the row has `field`.
    pub fn contains_key(&self, field: &str) -> bool {
        self.get(field).is_some()
    }

    /// Every (field, cell).
    pub fn iter(&self) -> impl Iterator<Item = (&'static str, Cell<'_>)> {
        self.slots.iter().map(|s| (FIELDS[s.field as usize].name, self.cell(s)))
    }
}
