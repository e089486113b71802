//! The typst "world" an invoice is compiled in: the template, the embedded fonts and the
//! standard library, made once per process, plus two files made for each invoice:
//! `invoice.json` (the [`InvoiceView`](crate::InvoiceView)) and `qr.raw` (the QR code's
//! pixels).
//!
//! The invoice reaches the template as files rather than `sys.inputs`: inputs are part of
//! the standard library, so new inputs make a new library that typst hashes whole on
//! every compile (~6 % of a render); files are checked one by one.

use std::sync::LazyLock;

use typst::diag::{FileError, FileResult};
use typst::foundations::{Bytes, Datetime};
use typst::syntax::{FileId, RootedPath, Source, VirtualPath, VirtualRoot};
use typst::text::{Font, FontBook};
use typst::utils::LazyHash;
use typst::{Library, LibraryExt};

const INVOICE_TEMPLATE: &str = include_str!("../templates/invoice.typ");
const WZ_TEMPLATE: &str = include_str!("../templates/wz.typ");

/// The documents this crate lays out.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Document {
    /// A VAT invoice or correction (`templates/invoice.typ`).
    Invoice,
    /// A goods-issue document (`templates/wz.typ`).
    GoodsIssue,
}
const FONTS: [&[u8]; 2] = [
    include_bytes!("../fonts/BridgeSans-Regular.ttf"),
    include_bytes!("../fonts/BridgeSans-Bold.ttf"),
];

/// What every invoice shares.
struct Shared {
    library: LazyHash<Library>,
    book: LazyHash<FontBook>,
    fonts: Vec<Font>,
    invoice: Source,
    wz: Source,
    invoice_id: FileId,
    qr_id: FileId,
    certificate_qr_id: FileId,
}

fn file_id(path: &str) -> FileId {
    let vpath = VirtualPath::new(path).expect("a valid virtual path");
    RootedPath::new(VirtualRoot::Project, vpath).intern()
}

static SHARED: LazyLock<Shared> = LazyLock::new(|| {
    let fonts: Vec<Font> = FONTS
        .iter()
        .map(|data| Font::new(Bytes::new(*data), 0).expect("the embedded fonts parse"))
        .collect();
    Shared {
        library: LazyHash::new(Library::builder().build()),
        book: LazyHash::new(FontBook::from_fonts(&fonts)),
        invoice: Source::new(file_id("/invoice.typ"), INVOICE_TEMPLATE.to_owned()),
        wz: Source::new(file_id("/wz.typ"), WZ_TEMPLATE.to_owned()),
        fonts,
        invoice_id: file_id("/invoice.json"),
        qr_id: file_id("/qr.raw"),
        certificate_qr_id: file_id("/qr-certificate.raw"),
    }
});

/// One invoice's world.
pub(crate) struct InvoiceWorld {
    shared: &'static Shared,
    main: &'static Source,
    invoice: Bytes,
    qr: Bytes,
    certificate_qr: Bytes,
}

impl InvoiceWorld {
    /// `invoice` is the view as JSON (`invoice.json`), `qr` the QR code's grey pixels
    /// (KOD I), `certificate_qr` KOD II's (empty when there is none).
    pub(crate) fn new(document: Document, invoice: Vec<u8>, qr: Vec<u8>, certificate_qr: Vec<u8>) -> Self {
        let shared: &'static Shared = &SHARED;
        Self {
            shared,
            main: match document {
                Document::Invoice => &shared.invoice,
                Document::GoodsIssue => &shared.wz,
            },
            invoice: Bytes::new(invoice),
            qr: Bytes::new(qr),
            certificate_qr: Bytes::new(certificate_qr),
        }
    }
}

impl typst::World for InvoiceWorld {
    fn library(&self) -> &LazyHash<Library> {
        &self.shared.library
    }

    fn book(&self) -> &LazyHash<FontBook> {
        &self.shared.book
    }

    fn main(&self) -> FileId {
        self.main.id()
    }

    fn source(&self, id: FileId) -> FileResult<Source> {
        if id == self.main.id() {
            Ok(self.main.clone())
        } else {
            Err(not_found(id))
        }
    }

    fn file(&self, id: FileId) -> FileResult<Bytes> {
        if id == self.shared.invoice_id {
            Ok(self.invoice.clone())
        } else if id == self.shared.qr_id {
            Ok(self.qr.clone())
        } else if id == self.shared.certificate_qr_id {
            Ok(self.certificate_qr.clone())
        } else {
            Err(not_found(id))
        }
    }

    fn font(&self, index: usize) -> Option<Font> {
        self.shared.fonts.get(index).cloned()
    }

    /// No date: an invoice prints the dates it carries, never the day it was rendered.
    fn today(&self, _offset: Option<typst::foundations::Duration>) -> Option<Datetime> {
        None
    }
}

/// The width in points of `text` set in the regular face at `size` points, erring wide:
/// advances plus only the kerning pairs that widen (the font's `kern` table), 3 % more,
/// and a full em for a character the font lacks.
pub(crate) fn text_width(text: &str, size: f64) -> f64 {
    static REGULAR: LazyLock<ttf_parser::Face<'static>> =
        LazyLock::new(|| ttf_parser::Face::parse(FONTS[0], 0).expect("the embedded fonts parse"));
    let face = &*REGULAR;
    let em = face.units_per_em();
    let kerning = face
        .tables()
        .kern
        .and_then(|kern| kern.subtables.into_iter().find(|t| t.horizontal && !t.variable));
    let mut units = 0.0;
    let mut previous = None;
    for c in text.chars() {
        let glyph = face.glyph_index(c);
        units += f64::from(glyph.and_then(|g| face.glyph_hor_advance(g)).unwrap_or(em));
        if let (Some(left), Some(right), Some(table)) = (previous, glyph, &kerning) {
            units += f64::from(table.glyphs_kerning(left, right).unwrap_or(0).max(0));
        }
        previous = glyph;
    }
    units / f64::from(em) * size * 1.03
}

fn not_found(id: FileId) -> FileError {
    FileError::NotFound(id.vpath().get_without_slash().into())
}
