//! Invoices as A4 PDF: a typst template (`templates/invoice.typ`) filled with an
//! [`InvoiceView`] of preformatted text, Liberation Sans embedded (so Polish diacritics
//! render and copy correctly on any machine), Polish or English labels, and the KSeF
//! "KOD I" verification QR code (`research/invoicing.md` §6.5).
//!
//! The heavy part (typst, ~300 crates) lives only here, so changes elsewhere never
//! rebuild it.

mod view;

use std::sync::OnceLock;
use std::sync::atomic::{AtomicUsize, Ordering};

use base64::Engine as _;
use domain::Invoice;
use sha2::{Digest, Sha256};
use typst::foundations::{Bytes, Dict, IntoValue, Value};
use typst_as_lib::{TypstEngine, TypstTemplateMainFile};
use typst_layout::PagedDocument;

pub use view::{InvoiceView, Language, format_amount};

const TEMPLATE: &str = include_str!("../templates/invoice.typ");
const FONTS: [&[u8]; 4] = [
    include_bytes!("../fonts/LiberationSans-Regular.ttf"),
    include_bytes!("../fonts/LiberationSans-Bold.ttf"),
    include_bytes!("../fonts/LiberationSans-Italic.ttf"),
    include_bytes!("../fonts/LiberationSans-BoldItalic.ttf"),
];

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

/// The QR code of `text` as SVG (medium error correction, as KSeF's examples).
fn qr_svg(text: &str) -> Result<String, PdfError> {
    let code = qrcode::QrCode::with_error_correction_level(text.as_bytes(), qrcode::EcLevel::M)
        .map_err(|e| PdfError::Pdf(format!("QR code: {e}")))?;
    Ok(code
        .render::<qrcode::render::svg::Color<'_>>()
        .quiet_zone(false)
        .min_dimensions(200, 200)
        .build())
}

fn engine() -> &'static TypstEngine<TypstTemplateMainFile> {
    static ENGINE: OnceLock<TypstEngine<TypstTemplateMainFile>> = OnceLock::new();
    ENGINE.get_or_init(|| {
        TypstEngine::builder()
            .main_file(TEMPLATE)
            .fonts(FONTS)
            // typst's memo caches are trimmed by `render` every EVICT_EVERY invoices, not
            // after each one (the default): a sweep of every cache per invoice cost ~10 %.
            .comemo_evict_max_age(None)
            .build()
    })
}

/// Renders `invoice` as PDF. `xml` is its FA(3) XML (hashed into the QR code) and
/// `ksef_number` its KSeF number once it has one ("OFFLINE" is printed until then).
pub fn render(
    invoice: &Invoice,
    xml: &str,
    ksef_number: Option<&str>,
    language: Language,
) -> Result<Vec<u8>, PdfError> {
    let url = verification_url(invoice, xml);
    let view = InvoiceView::new(invoice, language, ksef_number, &url);
    let mut inputs = Dict::new();
    let data = serde_json::to_value(&view).map_err(|e| PdfError::Template(e.to_string()))?;
    inputs.insert("invoice".into(), json_to_typst(data));
    inputs.insert("qr".into(), Bytes::from_string(qr_svg(&url)?).into_value());
    let doc: PagedDocument = engine()
        .compile_with_input(inputs)
        .output
        .map_err(|e| PdfError::Template(e.to_string()))?;
    if RENDERED.fetch_add(1, Ordering::Relaxed) % EVICT_EVERY == EVICT_EVERY - 1 {
        // Drop memoised results unused for the last 10 sweeps: memory stays bounded in a
        // long-running worker while the template's own work stays cached.
        comemo::evict(10);
    }
    let options = typst_pdf::PdfOptions {
        ident: typst::foundations::Smart::Custom(format!("allegro-bridge/{}", invoice.number)),
        ..Default::default()
    };
    typst_pdf::pdf(&doc, &options).map_err(|e| PdfError::Pdf(format!("{e:?}")))
}

fn json_to_typst(value: serde_json::Value) -> Value {
    use serde_json::Value as J;
    match value {
        J::Null => Value::None,
        J::Bool(b) => Value::Bool(b),
        J::Number(n) => n
            .as_i64()
            .map_or_else(|| Value::Float(n.as_f64().unwrap_or(0.0)), Value::Int),
        J::String(s) => s.into_value(),
        J::Array(items) => Value::Array(items.into_iter().map(json_to_typst).collect()),
        J::Object(fields) => Value::Dict(fields.into_iter().map(|(k, v)| (k.into(), json_to_typst(v))).collect()),
    }
}
