//! Invoices as A4 PDF: a typst template (`templates/invoice.typ`) filled with an
//! [`InvoiceView`] of preformatted text, Bridge Sans (Liberation Sans 1.07 without hinting, `fonts/make-fonts.py`) embedded (so Polish diacritics
//! render and copy correctly on any machine), Polish or English labels, and the KSeF
//! "KOD I" verification QR code (`research/invoicing.md` §6.5).
//!
//! The heavy part (typst, ~300 crates) lives only here, so changes elsewhere never
//! rebuild it.

mod view;

mod world;

use std::sync::atomic::{AtomicUsize, Ordering};

use base64::Engine as _;
use domain::Invoice;
use sha2::{Digest, Sha256};
use typst_layout::PagedDocument;

pub use view::{InvoiceView, Language, format_amount};

/// Invoices rendered between two sweeps of typst's memo caches.
const EVICT_EVERY: usize = 64;
static RENDERED: AtomicUsize = AtomicUsize::new(0);

/// The KSeF verification host for KOD I (production).
pub const KSEF_QR_HOST: &str = "https://qr.ksef.mf.gov.pl";

/// Why a PDF could not be made.
#[derive(Debug, thiserror::Error)]
pub enum PdfError {
    /// The template did not compile with this invoice (a bug, never the seller's input).
    #[error("the invoice template failed: {0}")]
    Template(String),
    /// typst could not write the PDF.
    #[error("writing the PDF failed: {0}")]
    Pdf(String),
}

/// KOD I: `https://qr.ksef.mf.gov.pl/invoice/{seller NIP}/{P_1 as DD-MM-YYYY}/{Base64URL(SHA-256(XML))}`,
/// from the exact bytes of the invoice's FA(3) XML (KSeF docs, kody-qr.md).
pub fn verification_url(invoice: &Invoice, xml: &str) -> String {
    let nip = invoice
        .seller
        .nip
        .as_ref()
        .map(|n| n.as_str().to_owned())
        .unwrap_or_default();
    let date = match invoice.issue_date.split('-').collect::<Vec<_>>()[..] {
        [y, m, d] => format!("{d}-{m}-{y}"),
        _ => invoice.issue_date.clone(),
    };
    let hash = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(Sha256::digest(xml.as_bytes()));
    format!("{KSEF_QR_HOST}/invoice/{nip}/{date}/{hash}")
}

/// The QR code of `text` (medium error correction, as KSeF's examples) as 8-bit grey
/// pixels, one a module, row by row (a square: the template takes the width from the
/// length). Drawn by the PDF as a tiny
/// image scaled without smoothing: sharp at any size, and a fraction of the work of
/// an SVG of hundreds of squares.
fn qr_pixels(text: &str) -> Result<Vec<u8>, PdfError> {
    let code = fast_qr::QRBuilder::new(text)
        .ecl(fast_qr::ECL::M)
        .build()
        .map_err(|e| PdfError::Pdf(format!("QR code: {e:?}")))?;
    let modules = &code.data[..code.size * code.size];
    Ok(modules.iter().map(|m| if m.value() { 0 } else { 255 }).collect())
}

/// What KSeF's marks on an invoice's visualisation say (research §A(h)).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct KsefMarks<'a> {
    /// The KSeF number under KOD I once KSeF gave it ("OFFLINE" is printed until then).
    pub ksef_number: Option<&'a str>,
    /// KOD II of an invoice issued offline — the link signed with the seller's KSeF
    /// Offline certificate — printed as a second code labelled "CERTYFIKAT".
    pub certificate_link: Option<&'a str>,
}

/// Renders `invoice` as PDF. `xml` is its FA(3) XML (hashed into KOD I) and `marks` what
/// KSeF's codes carry.
pub fn render(invoice: &Invoice, xml: &str, marks: KsefMarks<'_>, language: Language) -> Result<Vec<u8>, PdfError> {
    let url = verification_url(invoice, xml);
    let mut view = InvoiceView::new(invoice, language, marks.ksef_number, &url);
    view.certificate_url = marks.certificate_link.map(str::to_owned);
    view.measure_lines(|text| world::text_width(text, view::LINE_TEXT_SIZE));
    let data = serde_json::to_vec(&view).map_err(|e| PdfError::Template(e.to_string()))?;
    let qr = qr_pixels(&url)?;
    let certificate_qr = match marks.certificate_link {
        Some(link) => qr_pixels(link)?,
        None => Vec::new(),
    };
    let doc = compile(world::InvoiceWorld::new(
        world::Document::Invoice,
        data,
        qr,
        certificate_qr,
    ))?;
    write_pdf(&doc, &invoice.number)
}

fn compile(world: world::InvoiceWorld) -> Result<PagedDocument, PdfError> {
    let doc = typst::compile(&world).output.map_err(|errors| {
        PdfError::Template(errors.iter().map(|e| e.message.as_str()).collect::<Vec<_>>().join("; "))
    })?;
    if RENDERED.fetch_add(1, Ordering::Relaxed) % EVICT_EVERY == EVICT_EVERY - 1 {
        // Drop memoised results unused for the last 10 sweeps: memory stays bounded in a
        // long-running worker while the template's own work stays cached.
        comemo::evict(10);
    }
    Ok(doc)
}

fn write_pdf(doc: &PagedDocument, number: &str) -> Result<Vec<u8>, PdfError> {
    let options = typst_pdf::PdfOptions {
        ident: typst::foundations::Smart::Custom(format!("allegro-bridge/{number}")),
        ..Default::default()
    };
    typst_pdf::pdf(doc, &options).map_err(|e| PdfError::Pdf(format!("{e:?}")))
}

/// A goods-issue document (WZ, "wydanie zewnętrzne") as printed: every text preformatted.
#[derive(Debug, Clone, serde::Serialize)]
pub struct GoodsIssue {
    /// `WZ/1/2026`.
    pub number: String,
    /// Issue date, `YYYY-MM-DD`.
    pub date: String,
    /// The seller: name, then address lines (and NIP).
    pub issuer: Vec<String>,
    /// The recipient (the buyer): name, then address lines.
    pub recipient: Vec<String>,
    /// The warehouse.
    pub warehouse: String,
    /// "Zamówienie Allegro nr …".
    pub reference: String,
    /// (SKU, name, quantity).
    pub lines: Vec<(String, String, i64)>,
    /// Printed across the page when the document was cancelled.
    pub cancelled: Option<String>,
}

/// Renders a WZ as an A4 PDF in Polish.
pub fn render_goods_issue(wz: &GoodsIssue) -> Result<Vec<u8>, PdfError> {
    let data = serde_json::to_vec(wz).map_err(|e| PdfError::Template(e.to_string()))?;
    let doc = compile(world::InvoiceWorld::new(
        world::Document::GoodsIssue,
        data,
        Vec::new(),
        Vec::new(),
    ))?;
    write_pdf(&doc, &wz.number)
}
