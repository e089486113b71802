//! Writes every sample invoice as PDF into a folder, to look at the layout:
//! `cargo run -p invoice-pdf --example sample -- OUT_DIR`.

fn main() {
    let out = std::env::args().nth(1).unwrap_or_else(|| ".".into());
    for (name, invoice) in testkit::sample_invoices() {
        let xml = invoice_xml::fa3(&invoice).expect("sample invoices are valid");
        for language in [invoice_pdf::Language::Polish, invoice_pdf::Language::English] {
            let pdf = invoice_pdf::render(&invoice, &xml, None, language).expect("renders");
            let file = format!("{out}/{name}.{}.pdf", language.code());
            std::fs::write(&file, pdf).expect("writable folder");
            println!("{file}");
        }
    }
}
