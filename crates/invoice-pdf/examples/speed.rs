//! Milliseconds per rendered invoice, to profile the template:
//! `cargo run --release -p invoice-pdf --example speed` (the figures for the docs come
//! from `allegro-bridge bench invoices`).

use std::time::Instant;

fn main() {
    let (_, invoice) = testkit::sample_invoices().remove(1);
    let xml = invoice_xml::fa3(&invoice).expect("a valid sample");
    let language = invoice_pdf::Language::Polish;
    invoice_pdf::render(&invoice, &xml, None, language).expect("renders");
    let n: usize = std::env::var("N").ok().and_then(|v| v.parse().ok()).unwrap_or(300);
    let t = Instant::now();
    for _ in 0..n {
        invoice_pdf::render(&invoice, &xml, None, language).expect("renders");
    }
    println!(
        "the same invoice again: {:.2} ms",
        t.elapsed().as_secs_f64() * 1000.0 / n as f64
    );
    let t = Instant::now();
    for i in 0..n {
        let mut inv = invoice.clone();
        inv.number = format!("FV/{i}/11/2026");
        inv.buyer.name = format!("Klient {i}");
        let xml = invoice_xml::fa3(&inv).expect("a valid sample");
        invoice_pdf::render(&inv, &xml, None, language).expect("renders");
    }
    println!(
        "a different invoice each time: {:.2} ms",
        t.elapsed().as_secs_f64() * 1000.0 / n as f64
    );
}
