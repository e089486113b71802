//! Every sample invoice renders in Polish and English; the text pdftotext extracts from the
//! PDF is compared with the reviewed snapshot in `tests/snapshots/` (set
//! `UPDATE_SNAPSHOTS=1` to rewrite them after a deliberate layout change, then review the diff).

use std::path::PathBuf;
use std::process::Command;

use invoice_pdf::Language;

/// What the QR codes printed in a PDF say, in the order they are drawn: each image taken
/// out with pdfimages (poppler-utils), enlarged with a quiet zone as a printed page would
/// give a phone, and read by a QR decoder.
fn pdf_qrs(pdf: &[u8]) -> Vec<String> {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("invoice.pdf");
    std::fs::write(&file, pdf).unwrap();
    let status = Command::new("pdfimages")
        .arg(&file)
        .arg(dir.path().join("image"))
        .status()
        .expect("pdfimages (Debian poppler-utils) must be installed: .ci/setup installs it");
    assert!(status.success());
    let mut images: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.file_name().unwrap().to_string_lossy().starts_with("image"))
        .collect();
    images.sort();
    images
        .iter()
        .map(|image| decode_qr(&std::fs::read(image).unwrap()))
        .collect()
}

/// The one QR code (KOD I) of an invoice issued online.
fn pdf_qr(pdf: &[u8]) -> String {
    let codes = pdf_qrs(pdf);
    assert_eq!(codes.len(), 1, "one image (the QR code) in the PDF: {codes:?}");
    codes.into_iter().next().unwrap()
}

/// Decodes a PNM image holding one QR code.
fn decode_qr(bytes: &[u8]) -> String {
    // PNM: "P5" (grey) or "P6" (RGB), width, height, maximum value, then the samples.
    let mut fields = Vec::new();
    let mut at = 0;
    while fields.len() < 4 {
        let end = at + bytes[at..].iter().position(u8::is_ascii_whitespace).unwrap();
        if end > at {
            fields.push(String::from_utf8(bytes[at..end].to_vec()).unwrap());
        }
        at = end + 1;
    }
    let channels = if fields[0] == "P6" { 3 } else { 1 };
    let (width, height): (usize, usize) = (fields[1].parse().unwrap(), fields[2].parse().unwrap());
    let samples = &bytes[at..];
    assert_eq!(samples.len(), width * height * channels);
    const SCALE: usize = 4;
    const QUIET: usize = 4 * SCALE;
    let mut prepared =
        rqrr::PreparedImage::prepare_from_greyscale(width * SCALE + 2 * QUIET, height * SCALE + 2 * QUIET, |x, y| {
            let (Some(x), Some(y)) = (x.checked_sub(QUIET), y.checked_sub(QUIET)) else {
                return 255;
            };
            let (x, y) = (x / SCALE, y / SCALE);
            if x >= width || y >= height {
                255
            } else {
                samples[(y * width + x) * channels]
            }
        });
    let grids = prepared.detect_grids();
    assert_eq!(grids.len(), 1, "one QR code found");
    grids[0].decode().expect("the QR code decodes").1
}

fn snapshot(name: &str) -> PathBuf {
    PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").unwrap())
        .join("tests/snapshots")
        .join(format!("{name}.txt"))
}

fn render(invoice: &domain::Invoice, language: Language) -> Vec<u8> {
    let xml = invoice_xml::fa3(invoice).unwrap();
    invoice_pdf::render(invoice, &xml, invoice_pdf::KsefMarks::default(), language).unwrap()
}

#[test]
fn rendered_text_matches_the_reviewed_snapshots() {
    let update = std::env::var_os("UPDATE_SNAPSHOTS").is_some();
    let mut differ = Vec::new();
    for (name, invoice) in testkit::sample_invoices() {
        for language in [Language::Polish, Language::English] {
            let pdf = render(&invoice, language);
            assert!(pdf.starts_with(b"%PDF-"), "{name}: not a PDF");
            let text = testkit::pdf_text(&pdf);
            let file = snapshot(&format!("{name}.{}", language.code()));
            if update {
                std::fs::write(&file, format!("{text}\n")).unwrap();
                continue;
            }
            let expected = std::fs::read_to_string(&file)
                .unwrap_or_else(|_| panic!("no snapshot {}: run with UPDATE_SNAPSHOTS=1 and review", file.display()));
            if expected.trim_end() != text {
                differ.push(format!(
                    "{name}.{}:\n--- expected\n{expected}\n--- got\n{text}",
                    language.code()
                ));
            }
        }
    }
    assert!(differ.is_empty(), "rendered text differs:\n{}", differ.join("\n\n"));
}

#[test]
fn polish_invoice_carries_what_the_law_asks_for() {
    let samples = testkit::sample_invoices();
    let (_, b2c) = &samples[0];
    let text = testkit::pdf_text(&render(b2c, Language::Polish));
    for expected in [
        "Faktura VAT",
        "FV/123/11/2026",
        "Data wystawienia",
        "Sklep Przykładowy sp. z o.o.",
        "NIP: 5260250995",
        "Jan Kowalski",
        "30-001 Kraków",
        "Książka „Przykład” & <inne>",
        "144,87 PLN",
        "sto czterdzieści cztery złote 87/100",
        // Per-rate totals: 23 % gross 94,97 → VAT 17,76, net 77,21; 5 % 49,90 → 2,38 / 47,52.
        "77,21",
        "17,76",
        "47,52",
        "2,38",
        "OFFLINE",
    ] {
        assert!(text.contains(expected), "{expected:?} missing from:\n{text}");
    }
    // Two rendering of the same invoice are byte for byte the same (no clock inside).
    assert_eq!(render(b2c, Language::Polish), render(b2c, Language::Polish));
}

#[test]
fn corrections_foreign_currency_and_english() {
    let samples = testkit::sample_invoices();
    let find = |n: &str| samples.iter().find(|(name, _)| *name == n).unwrap().1.clone();
    let kor = testkit::pdf_text(&render(&find("correction"), Language::Polish));
    for expected in [
        "Faktura korygująca",
        "FV/123/11/2026",
        "Zwrot towaru",
        "Do zwrotu",
        "-39,99",
        "39,99 PLN",
    ] {
        assert!(kor.contains(expected), "{expected:?} missing from:\n{kor}");
    }
    let eur = testkit::pdf_text(&render(&find("eur"), Language::English));
    for expected in [
        "VAT invoice",
        "VAT in PLN",
        "84.32",
        "1 EUR = 4.2954 PLN, table 226/A/NBP/2026 of 2026-11-20",
        "one hundred four EUR 99/100",
    ] {
        assert!(eur.contains(expected), "{expected:?} missing from:\n{eur}");
    }
}

#[test]
fn the_qr_code_links_to_ksef_with_the_xml_hash() {
    let samples = testkit::sample_invoices();
    let (_, invoice) = &samples[0];
    let xml = invoice_xml::fa3(invoice).unwrap();
    let url = invoice_pdf::verification_url(invoice, &xml);
    // SHA-256 is 32 bytes: 43 characters of unpadded Base64URL.
    let hash = url.rsplit('/').next().unwrap();
    assert_eq!(hash.len(), 43, "{url}");
    assert!(
        url.starts_with("https://qr.ksef.mf.gov.pl/invoice/5260250995/23-11-2026/"),
        "{url}"
    );
    assert!(!hash.contains(['+', '/', '=']));
    // A different XML gives a different link.
    assert_ne!(url, invoice_pdf::verification_url(invoice, &format!("{xml} ")));
    // With a KSeF number, that is printed instead of OFFLINE.
    let pdf = invoice_pdf::render(
        invoice,
        &xml,
        invoice_pdf::KsefMarks {
            ksef_number: Some("5260250995-20261123-0A1B2C3D4E5F-7A"),
            certificate_link: None,
        },
        Language::Polish,
    )
    .unwrap();
    // The code printed is that link, as a phone would read it.
    assert_eq!(pdf_qr(&pdf), url);
    let text = testkit::pdf_text(&pdf);
    assert!(text.contains("5260250995-20261123-0A1B2C3D4E5F-7A"));
    assert!(!text.contains("OFFLINE"));
    assert!(!text.contains("CERTYFIKAT"));
}

#[test]
fn an_offline_invoice_carries_kod_i_labelled_offline_and_kod_ii_labelled_certyfikat() {
    let samples = testkit::sample_invoices();
    let invoice = &samples.iter().find(|(n, _)| *n == "b2b").unwrap().1;
    let xml = invoice_xml::fa3(invoice).unwrap();
    let kod_ii = "https://qr-test.ksef.mf.gov.pl/certificate/Nip/5260250995/5260250995/01F20A5D352AE590/\
                  UtQp9Gpc51y-u3xApZjIjgkpZ01js-J8KflSPW8WzIE/c2lnbmF0dXJl";
    let pdf = invoice_pdf::render(
        invoice,
        &xml,
        invoice_pdf::KsefMarks {
            ksef_number: None,
            certificate_link: Some(kod_ii),
        },
        Language::Polish,
    )
    .unwrap();
    // Both codes, KOD I first, each as a phone reads it.
    assert_eq!(
        pdf_qrs(&pdf),
        vec![invoice_pdf::verification_url(invoice, &xml), kod_ii.to_owned()]
    );
    let text = testkit::pdf_text(&pdf);
    let offline = text.find("OFFLINE").expect("KOD I labelled OFFLINE");
    let certificate = text.find("CERTYFIKAT").expect("KOD II labelled CERTYFIKAT");
    assert!(offline < certificate, "{text}");
    assert!(text.contains("zweryfikować wystawcę"), "{text}");
}

#[test]
fn long_invoices_continue_on_the_next_page_with_the_column_headers() {
    let goods: Vec<_> = (1..=70)
        .map(|i| {
            testkit::line(
                &format!("Część zamienna nr {i}"),
                1,
                1000 + i,
                domain::VatRate::Standard23,
            )
        })
        .collect();
    let invoice = testkit::invoice(&goods, 0, testkit::consumer());
    let text = testkit::pdf_text(&render(&invoice, Language::Polish));
    let pages = text.matches("Strona ").count();
    assert!(pages >= 2, "{text}");
    assert!(text.contains(&format!("Strona {pages} / {pages}")), "{text}");
    // The column headers repeat on every page that continues the table.
    assert!(text.matches("Nazwa towaru lub usługi").count() >= 2, "{text}");
    assert!(text.contains("Część zamienna nr 70"));
}

/// Every word pdftotext finds on the first page, with its box (x min, y min, y max).
fn pdf_words(pdf: &[u8]) -> Vec<(String, f64, f64, f64)> {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("invoice.pdf");
    std::fs::write(&file, pdf).unwrap();
    let out = Command::new("pdftotext")
        .args(["-bbox", "-f", "1", "-l", "1", "-enc", "UTF-8"])
        .arg(&file)
        .arg("-")
        .output()
        .expect("pdftotext (Debian poppler-utils) must be installed: .ci/setup installs it");
    let html = String::from_utf8(out.stdout).unwrap();
    let attribute = |tag: &str, name: &str| -> f64 {
        let start = tag.find(&format!("{name}=\"")).unwrap() + name.len() + 2;
        tag[start..start + tag[start..].find('"').unwrap()].parse().unwrap()
    };
    html.split("<word ")
        .skip(1)
        .map(|w| {
            let (tag, rest) = w.split_once('>').unwrap();
            let text = rest.split('<').next().unwrap().to_owned();
            (
                text,
                attribute(tag, "xMin"),
                attribute(tag, "yMin"),
                attribute(tag, "yMax"),
            )
        })
        .collect()
}

#[test]
fn names_that_wrap_push_the_next_line_down() {
    // Rows whose cells fit on one line get a fixed height; the sweep of name lengths
    // crosses that limit, and no name may run into the next row.
    let goods: Vec<_> = (1..=14)
        .map(|k| {
            let name: Vec<_> = (0..k + 2).map(|j| format!("Wyrób{k}x{j}")).collect();
            testkit::line(&name.join(" "), 1, 1000, domain::VatRate::Standard23)
        })
        .collect();
    let invoice = testkit::invoice(&goods, 0, testkit::consumer());
    let words = pdf_words(&render(&invoice, Language::Polish));
    let row_top = |k: usize| {
        words
            .iter()
            .filter(|(t, x, ..)| *t == k.to_string() && *x < 80.0)
            .map(|w| w.2)
            .next()
            .unwrap_or_else(|| panic!("row {k} is on the first page"))
    };
    let mut wrapped = 0;
    for k in 1..14usize {
        let name: Vec<_> = words
            .iter()
            .filter(|(t, ..)| t.starts_with(&format!("Wyrób{k}x")))
            .collect();
        assert_eq!(name.len(), k + 2, "every word of line {k}'s name is printed");
        let bottom = name.iter().map(|w| w.3).fold(0.0, f64::max);
        assert!(bottom < row_top(k + 1), "line {k}'s name runs into line {}", k + 1);
        if name.iter().any(|w| w.2 > name[0].2 + 1.0) {
            wrapped += 1;
        }
    }
    assert!(
        wrapped > 0 && wrapped < 13,
        "the sweep crosses one line: {wrapped} wrapped"
    );
}

#[test]
fn a_goods_issue_document_lists_what_left_the_warehouse() {
    let wz = invoice_pdf::GoodsIssue {
        number: "WZ/7/2026".into(),
        date: "2026-11-24".into(),
        issuer: vec![
            "Sklep Przykładowy sp. z o.o.".into(),
            "ul. Handlowa 1".into(),
            "NIP: 5260250995".into(),
        ],
        recipient: vec!["Jan Kowalski".into(), "ul. Polna 5 m. 3".into(), "30-001 Kraków".into()],
        warehouse: "Magazyn główny".into(),
        reference: "Zamówienie Allegro nr 29b4fc40 z dnia 2026-11-22".into(),
        lines: vec![
            ("SKU-0001-kubki".into(), "Kubek ceramiczny 300 ml".into(), 2),
            ("SKU-0002-książki".into(), "Książka „Pan Tadeusz”".into(), 1),
        ],
        cancelled: None,
    };
    let text = testkit::pdf_text(&invoice_pdf::render_goods_issue(&wz).unwrap());
    for expected in [
        "WZ — wydanie zewnętrzne",
        "WZ/7/2026",
        "Magazyn główny",
        "Jan Kowalski",
        "SKU-0002-książki",
        "Książka „Pan Tadeusz”",
        "Razem sztuk: 3",
        "Wydał (podpis)",
    ] {
        assert!(text.contains(expected), "{expected:?} missing from:\n{text}");
    }
    let cancelled = invoice_pdf::GoodsIssue {
        cancelled: Some("ANULOWANY 2026-11-25: towar wrócił na stan".into()),
        ..wz
    };
    let text = testkit::pdf_text(&invoice_pdf::render_goods_issue(&cancelled).unwrap());
    assert!(text.contains("ANULOWANY 2026-11-25"), "{text}");
}

/// Once in KSeF, the number stands whole under KOD I (35 characters on one line — a
/// reader types it to find the invoice), in place of OFFLINE.
#[test]
fn the_ksef_number_stands_whole_under_kod_i() {
    let (_, invoice) = testkit::sample_invoices()
        .into_iter()
        .find(|(n, _)| *n == "b2b")
        .unwrap();
    let xml = invoice_xml::fa3(&invoice).unwrap();
    let number = "5260250995-20261201-0100A0B1C2D3-E4";
    for language in [Language::Polish, Language::English] {
        let marks = invoice_pdf::KsefMarks {
            ksef_number: Some(number),
            certificate_link: None,
        };
        let pdf = invoice_pdf::render(&invoice, &xml, marks, language).unwrap();
        let text = testkit::pdf_text(&pdf);
        assert!(text.contains(number) && !text.contains("OFFLINE"), "{text}");
    }
}
