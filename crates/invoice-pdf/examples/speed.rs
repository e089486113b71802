//! Milliseconds per rendered invoice, to profile the template:
//! `N=300 cargo run --release -p invoice-pdf --features examples --example speed` (the figures for the docs
//! come from `allegro-bridge bench invoices`; compare template changes with callgrind,
//! as docs/BENCHMARKS.md says).

use std::time::Instant;

fn main() {
    let (_, invoice) = testkit::sample_invoices().remove(1);
    let language = invoice_pdf::Language::Polish;
    let render = |i: usize| {
        let mut inv = invoice.clone();
        inv.number = format!("FV/{i}/11/2026");
        inv.buyer.name = format!("Klient {i}");
        let xml = invoice_xml::fa3(&inv).expect("a valid sample");
        invoice_pdf::render(&inv, &xml, invoice_pdf::KsefMarks::default(), language).expect("renders");
    };
    render(0);
    let n: usize = std::env::var("N").ok().and_then(|v| v.parse().ok()).unwrap_or(300);
    let t = Instant::now();
    for _ in 0..n {
        render(0);
    }
    println!(
        "the same invoice again: {:.2} ms",
        t.elapsed().as_secs_f64() * 1000.0 / n as f64
    );
    let t = Instant::now();
    (1..=n).for_each(render);
    println!(
        "a different invoice each time: {:.2} ms",
        t.elapsed().as_secs_f64() * 1000.0 / n as f64
    );
    let threads = std::thread::available_parallelism().map_or(2, |t| t.get());
    let t = Instant::now();
    std::thread::scope(|scope| {
        for k in 0..threads {
            scope.spawn(move || (n + 1 + k..=3 * n).step_by(threads).for_each(render));
        }
    });
    println!(
        "a different invoice each time on {threads} threads: {:.0}/s",
        2.0 * n as f64 / t.elapsed().as_secs_f64()
    );
}
