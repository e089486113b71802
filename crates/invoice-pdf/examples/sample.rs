//! Writes every sample invoice (and a WZ) as PDF into a folder, to look at the layout:
//! `cargo run -p invoice-pdf --features examples --example sample -- OUT_DIR`.

fn main() {
    let out = std::env::args().nth(1).unwrap_or_else(|| ".".into());
    for (name, invoice) in testkit::sample_invoices() {
        let xml = invoice_xml::fa3(&invoice).expect("sample invoices are valid");
        for language in [invoice_pdf::Language::Polish, invoice_pdf::Language::English] {
            let pdf =
                invoice_pdf::render(&invoice, &xml, invoice_pdf::KsefMarks::default(), language).expect("renders");
            let file = format!("{out}/{name}.{}.pdf", language.code());
            std::fs::write(&file, pdf).expect("writable folder");
            println!("{file}");
        }
    }
    let wz = invoice_pdf::GoodsIssue {
        number: "WZ/7/2026".into(),
        date: "2026-11-24".into(),
        issuer: vec![
            "Sklep Przykładowy sp. z o.o.".into(),
            "ul. Handlowa 1".into(),
            "00-001 Warszawa".into(),
            "NIP: 5260250995".into(),
        ],
        recipient: vec!["Jan Kowalski".into(), "ul. Polna 5 m. 3".into(), "30-001 Kraków".into()],
        warehouse: "Magazyn główny".into(),
        reference: "Zamówienie Allegro nr 29b4fc40-1a7e-11ee-a6a4-0b1f8d2c1a11 z dnia 2026-11-22".into(),
        lines: vec![
            ("SKU-0001-kubki".into(), "Kubek ceramiczny 300 ml".into(), 2),
            ("SKU-0002-ksiazki".into(), "Książka „Pan Tadeusz”".into(), 1),
        ],
        cancelled: None,
    };
    let file = format!("{out}/wz.pdf");
    std::fs::write(&file, invoice_pdf::render_goods_issue(&wz).expect("renders")).expect("writable folder");
    println!("{file}");
}
