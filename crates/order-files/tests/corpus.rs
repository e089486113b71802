//! The file corpus: good files read into the orders they describe; each broken file is
//! refused whole, with the problem named at its file, line and column.

use std::path::PathBuf;

use order_files::{Encoding, FileError, read};

fn corpus(name: &str) -> (String, Vec<u8>) {
    // Runtime path: the shared target dir may hold a binary built in another clone.
    let dir = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").unwrap()).join("tests/corpus");
    (name.to_owned(), std::fs::read(dir.join(name)).unwrap())
}

#[test]
fn polish_excel_file_in_windows_1250() {
    let (name, bytes) = corpus("good-excel-1250.csv");
    let orders = read(&name, &bytes, None, Encoding::Auto).unwrap();
    assert_eq!(orders.len(), 2);
    let first = &orders[0].form;
    assert_eq!(first.id, "ZAM/2026/0001");
    assert_eq!(first.line_items.len(), 2, "two rows, one order");
    assert_eq!(first.line_items[1].offer.name, "Książka „Pan Tadeusz”");
    assert_eq!(
        first.line_items[0].offer.external.as_ref().unwrap().id.as_deref(),
        Some("KUB-01")
    );
    // 2 × 24,50 + 39,90 + delivery 12,99
    assert_eq!(first.summary.total_to_pay.amount, "101.89");
    assert_eq!(first.summary.total_to_pay.currency, "PLN");
    let delivery = first.delivery.as_ref().unwrap();
    assert_eq!(delivery.pickup_point.as_ref().unwrap().id.as_deref(), Some("KRA01M"));
    assert_eq!(delivery.address.as_ref().unwrap().city, "Kraków");
    assert_eq!(first.line_items[1].tax.as_ref().unwrap().rate.as_deref(), Some("5.00"));
    // 05.11.2026 14:30 in Warsaw (CET) is 13:30 UTC.
    assert_eq!(
        first.line_items[0].bought_at.unwrap().to_string(),
        "2026-11-05T13:30:00.000Z"
    );
    let company = &orders[1].form;
    assert_eq!(company.summary.total_to_pay.amount, "1299.00");
    let invoice = company.invoice.as_ref().unwrap();
    assert!(invoice.required);
    let ids = invoice
        .address
        .as_ref()
        .unwrap()
        .company
        .as_ref()
        .unwrap()
        .ids
        .as_ref()
        .unwrap();
    assert_eq!(ids[0].value, "5260250995");
    assert_eq!(company.buyer.first_name.as_deref(), Some("Łukasz"));
}

#[test]
fn utf8_file_with_commas_and_quoted_values() {
    let (name, bytes) = corpus("good-utf8-comma.csv");
    let orders = read(&name, &bytes, None, Encoding::Auto).unwrap();
    assert_eq!(orders.len(), 2);
    assert_eq!(orders[0].form.line_items[0].offer.name, "Lampa, biurkowa");
    assert_eq!(orders[0].form.summary.total_to_pay.amount, "1234.50");
    assert_eq!(orders[1].form.summary.total_to_pay.amount, "597.00");
    assert_eq!(orders[1].form.marketplace.as_ref().unwrap().id, "allegro-cz");
    assert_eq!(orders[1].form.status.as_str(), "BOUGHT");
    // The same bytes declared as Windows-1250 are refused at the BOM.
    assert!(read(&name, &bytes, None, Encoding::Windows1250).is_err());
}

#[test]
fn xml_file() {
    let (name, bytes) = corpus("good.xml");
    let orders = read(&name, &bytes, None, Encoding::Auto).unwrap();
    assert_eq!(orders.len(), 2);
    assert_eq!(orders[0].form.summary.total_to_pay.amount, "52.29");
    assert!(orders[0].form.invoice.as_ref().unwrap().required);
    assert_eq!(orders[1].form.status.as_str(), "CANCELLED");
    assert_eq!(orders[1].line, 11, "an order is where its <order> starts");
}

/// A broken file and where its first problem is: line, column, field, and the start of
/// the problem (its Fluent key and arguments, as `Problem`'s log form shows them).
type Case = (&'static str, usize, Option<usize>, Option<&'static str>, &'static str);

/// Each broken file: the first problem's line, column, field, key and arguments.
#[test]
fn every_broken_file_is_refused_where_it_breaks() {
    let cases: &[Case] = &[
        ("broken-utf16.csv", 1, Some(1), None, "problem-file-utf16"),
        (
            "broken-bytes.csv",
            3,
            Some(50),
            None,
            "problem-file-not-1250 byte=\"0x81\"",
        ),
        (
            "broken-missing-column.csv",
            1,
            None,
            Some("unit_price"),
            "problem-file-column-missing name=\"unit_price\"",
        ),
        (
            "broken-bad-date.csv",
            3,
            Some(2),
            Some("bought_at"),
            "problem-file-time",
        ),
        (
            "broken-bad-amount.csv",
            2,
            Some(7),
            Some("unit_price"),
            "problem-file-amount value=\"199,0x\"",
        ),
        (
            "broken-duplicate-row.csv",
            4,
            None,
            None,
            "problem-file-duplicate-row first=\"2\"",
        ),
        (
            "broken-field-count.csv",
            3,
            None,
            None,
            "problem-file-field-count fields=\"11\", header=\"10\"",
        ),
        ("broken-nip.csv", 2, Some(8), Some("nip"), "problem-nip-checksum"),
        (
            "broken-order-mismatch.csv",
            3,
            Some(3),
            Some("buyer_login"),
            "first_value=\"anna_nowak\", first=\"2\"",
        ),
        (
            "broken-unknown-column.csv",
            1,
            Some(6),
            Some("qty"),
            "problem-file-column-unknown name=\"qty\"",
        ),
        ("broken-empty.csv", 1, None, None, "problem-file-empty"),
        ("broken-malformed.xml", 10, Some(3), None, "problem-xml-malformed"),
        (
            "broken-unknown-attribute.xml",
            8,
            Some(32),
            Some("quantiy"),
            "problem-xml-attribute-unknown element=\"line\", attribute=\"quantiy\"",
        ),
        (
            "broken-duplicate-order.xml",
            11,
            Some(10),
            Some("order/@id"),
            "problem-file-duplicate-order id=\"XML-1\", first=\"3\"",
        ),
        (
            "broken-bad-amount.xml",
            9,
            Some(39),
            Some("line/@unitPrice"),
            "problem-file-amount value=\"2.5.0\"",
        ),
        (
            "broken-no-line.xml",
            11,
            Some(3),
            None,
            "problem-xml-needs element=\"order\", child=\"<line>\"",
        ),
    ];
    for (file, line, column, field, words) in cases {
        let (name, bytes) = corpus(file);
        let errors = read(&name, &bytes, None, Encoding::Auto).expect_err(file);
        assert_eq!(errors.file, *file);
        let FileError {
            line: l,
            column: c,
            field: f,
            problem,
        } = &errors.errors[0];
        let message = problem.to_string();
        let shown = errors.to_string();
        assert_eq!(*l, *line, "{shown}");
        if column.is_some() {
            assert_eq!(c, column, "{shown}");
        }
        assert_eq!(f.as_deref(), *field, "{shown}");
        assert!(message.contains(words), "{file}: {message:?} lacks {words:?}");
        assert!(message.starts_with("problem-"), "{message}");
        assert!(shown.starts_with(&format!("{file} was not imported")), "{shown}");
        assert!(shown.contains(&format!("{file}, line {line}")), "{shown}");
    }
}

#[test]
fn an_explicit_encoding_is_kept_to() {
    let (name, bytes) = corpus("good-excel-1250.csv");
    let e = read(&name, &bytes, None, Encoding::Utf8).unwrap_err();
    assert_eq!(
        (e.errors[0].line, e.errors[0].column),
        (1, Some(160)),
        "the header's \"ilość\""
    );
    assert_eq!(e.errors[0].problem.key, "problem-file-not-utf8");
    assert!(read(&name, &bytes, None, Encoding::Windows1250).is_ok());
    assert!(
        read("zamowienia.xlsx", &bytes, None, Encoding::Auto)
            .unwrap_err()
            .errors[0]
            .problem
            .key
            == "problem-file-type"
    );
}

/// The documented schema accepts the good file and refuses a misspelt attribute, as the
/// importer does (xmllint from libxml2-utils, installed by `.ci/setup`).
#[test]
fn the_published_xsd_agrees() {
    let root = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").unwrap());
    let xsd = root.join("../../docs/orders-import.xsd");
    let check = |file: &str| {
        std::process::Command::new("xmllint")
            .args(["--noout", "--nonet", "--schema"])
            .arg(&xsd)
            .arg(root.join("tests/corpus").join(file))
            .output()
            .expect("xmllint (libxml2-utils) runs")
            .status
            .success()
    };
    assert!(check("good.xml"));
    assert!(!check("broken-unknown-attribute.xml"));
    assert!(!check("broken-no-line.xml"));
}

#[test]
fn names_longer_than_an_invoice_field_are_refused_with_their_place() {
    let long = "ż".repeat(513);
    let csv = format!(
        "order_id;bought_at;buyer_login;offer_name;quantity;unit_price\nZ-1;2026-11-01 10:00;ktos;{long};1;10,00\n"
    );
    let errors = read("dlugie.csv", csv.as_bytes(), None, Encoding::Auto).unwrap_err();
    assert_eq!(errors.errors.len(), 1, "{errors}");
    let e = &errors.errors[0];
    assert_eq!((e.line, e.field.as_deref()), (2, Some("offer_name")));
    assert_eq!(e.problem, domain::Problem::new("problem-file-too-long").arg("max", 512));
    let fits = csv.replace(&long, &"ż".repeat(512));
    assert_eq!(
        read("dlugie.csv", fits.as_bytes(), None, Encoding::Auto).unwrap().len(),
        1
    );
}
