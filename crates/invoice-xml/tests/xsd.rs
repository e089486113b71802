//! Every kind of invoice we generate validates against the official FA(3) schema
//! (xmllint with the project's offline catalog), and its totals read back as computed.

use std::path::PathBuf;

use domain::VatRate;
use testkit::{consumer, invoice, line};

fn shared() -> PathBuf {
    testkit::shared_dir()
}

/// Runs xmllint against FA(3); returns its complaint, if any.
fn xsd_problems(xml: &str, _name: &str) -> Option<String> {
    testkit::fa3_problems(xml)
}

fn element(xml: &str, name: &str) -> Option<String> {
    let doc = roxmltree::Document::parse(xml).unwrap();
    doc.descendants()
        .find(|n| n.tag_name().name() == name)
        .and_then(|n| n.text().map(str::to_owned))
}

#[test]
fn every_kind_of_invoice_validates() {
    let cases = testkit::sample_invoices();
    for (name, inv) in &cases {
        let xml = invoice_xml::fa3(inv).unwrap();
        if let Some(problem) = xsd_problems(&xml, name) {
            panic!("{name} does not validate:\n{problem}\n{xml}");
        }
        assert_eq!(
            element(&xml, "P_15").unwrap(),
            invoice_xml::amount(inv.summary.total_gross),
            "{name}"
        );
    }
    // The worked figures, read back from the XML.
    let b2c = invoice_xml::fa3(&cases[0].1).unwrap();
    assert_eq!(element(&b2c, "P_14_1").as_deref(), Some("17.76"));
    assert_eq!(element(&b2c, "P_13_3").as_deref(), Some("47.52"));
    assert_eq!(element(&b2c, "P_15").as_deref(), Some("144.87"));
    assert!(b2c.contains("Książka „Przykład” &amp; &lt;inne&gt;"));
    let eur = invoice_xml::fa3(&cases[3].1).unwrap();
    // 104,99 EUR at 23 % → VAT 19,63 EUR → × 4,2954 = 84,3187 → 84,32 PLN.
    assert_eq!(element(&eur, "P_14_1").as_deref(), Some("19.63"));
    assert_eq!(element(&eur, "P_14_1W").as_deref(), Some("84.32"));
    assert_eq!(element(&eur, "KursWaluty").as_deref(), Some("4.2954"));
    let b2b = invoice_xml::fa3(&cases[1].1).unwrap();
    assert_eq!(element(&b2b, "KRS").as_deref(), Some("0000123456"));
    assert_eq!(element(&b2b, "REGON").as_deref(), Some("146123456"));
    assert_eq!(element(&b2b, "BDO").as_deref(), Some("000012345"));
    assert_eq!(element(&b2c, "KRS"), None, "no empty footer");
    let kor = invoice_xml::fa3(&cases[4].1).unwrap();
    assert_eq!(element(&kor, "P_15").as_deref(), Some("-39.99"));
    assert_eq!(element(&kor, "RodzajFaktury").as_deref(), Some("KOR"));
    assert_eq!(element(&kor, "Zaplacono"), None, "a correction is never \"zapłacono\"");
    assert!(element(&kor, "OpisPlatnosci").unwrap().starts_with("Zwrot"));
    let cod = invoice_xml::fa3(&cases[5].1).unwrap();
    assert_eq!(element(&cod, "Zaplacono"), None);
    assert_eq!(
        element(&cod, "ZdarzeniePoczatkowe").as_deref(),
        Some("doręczenie przesyłki")
    );
    assert_eq!(element(&cod, "OpisPlatnosci").as_deref(), Some("Za pobraniem"));
    let huf = invoice_xml::fa3(&cases[6].1).unwrap();
    // 12 990 HUF at 23 % → VAT 2 429,02 HUF → × 0,011625 = 28,2374 → 28,24 PLN (at
    // 0,0116 it would have been 28,18).
    assert_eq!(element(&huf, "KursWaluty").as_deref(), Some("0.011625"));
    assert_eq!(element(&huf, "P_14_1").as_deref(), Some("2429.02"));
    assert_eq!(element(&huf, "P_14_1W").as_deref(), Some("28.24"));
    let mpp = invoice_xml::fa3(&cases[7].1).unwrap();
    assert_eq!(element(&mpp, "P_18A").as_deref(), Some("1"));
    assert_eq!(element(&b2b, "P_18A").as_deref(), Some("2"));
    let eu = invoice_xml::fa3(&cases[8].1).unwrap();
    assert_eq!(element(&eu, "KodUE").as_deref(), Some("CZ"));
    assert_eq!(element(&eu, "NrVatUE").as_deref(), Some("27650081"));
    assert_eq!(element(&eu, "BrakID"), None, "a company, not a consumer");
}

#[test]
fn what_cannot_be_written_is_refused() {
    let mut exempt = invoice(&[line("Kurs", 1, 100, VatRate::Exempt)], 0, consumer());
    assert_eq!(
        invoice_xml::fa3(&exempt),
        Err(invoice_xml::XmlError::MissingExemptionBasis)
    );
    exempt.exemption_basis = Some("art. 113 ust. 1 ustawy o VAT".into());
    assert!(invoice_xml::fa3(&exempt).is_ok());
    let mut czk = invoice(&[line("Hrnek", 1, 19900, VatRate::Standard23)], 0, consumer());
    czk.currency = "CZK".into();
    assert_eq!(
        invoice_xml::fa3(&czk),
        Err(invoice_xml::XmlError::MissingExchangeRate("CZK".into()))
    );
}

/// The Ministry's samples validate with the same command (the harness is right).
#[test]
fn the_ministry_samples_validate_with_the_same_check() {
    let samples = shared().join("ksef/samples");
    for name in ["FA_3_Przykład_1.xml", "FA_3_Przykład_21.xml"] {
        let xml = std::fs::read_to_string(samples.join(name)).unwrap();
        assert_eq!(xsd_problems(&xml, "sample"), None, "{name}");
    }
    assert!(xsd_problems("<Faktura xmlns=\"http://crd.gov.pl/wzor/2025/06/25/13775/\"/>", "empty").is_some());
}
