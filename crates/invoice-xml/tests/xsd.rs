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
    let xml_of = |name: &str| {
        let (_, inv) = cases.iter().find(|(n, _)| *n == name).expect("a sample of that name");
        invoice_xml::fa3(inv).unwrap()
    };
    // The worked figures, read back from the XML.
    let b2c = xml_of("b2c");
    assert_eq!(element(&b2c, "P_14_1").as_deref(), Some("17.76"));
    assert_eq!(element(&b2c, "P_13_3").as_deref(), Some("47.52"));
    assert_eq!(element(&b2c, "P_15").as_deref(), Some("144.87"));
    assert!(b2c.contains("Książka „Przykład” &amp; &lt;inne&gt;"));
    let eur = xml_of("eur");
    // 104,99 EUR at 23 % → VAT 19,63 EUR → × 4,2954 = 84,3187 → 84,32 PLN.
    assert_eq!(element(&eur, "P_14_1").as_deref(), Some("19.63"));
    assert_eq!(element(&eur, "P_14_1W").as_deref(), Some("84.32"));
    assert_eq!(element(&eur, "KursWaluty").as_deref(), Some("4.2954"));
    let b2b = xml_of("b2b");
    assert_eq!(element(&b2b, "KRS").as_deref(), Some("0000123456"));
    assert_eq!(element(&b2b, "REGON").as_deref(), Some("146123456"));
    assert_eq!(element(&b2b, "BDO").as_deref(), Some("000012345"));
    assert_eq!(element(&b2c, "KRS"), None, "no empty footer");
    let kor = xml_of("correction");
    assert_eq!(element(&kor, "P_15").as_deref(), Some("-39.99"));
    assert_eq!(element(&kor, "RodzajFaktury").as_deref(), Some("KOR"));
    assert_eq!(element(&kor, "Zaplacono"), None, "a correction is never \"zapłacono\"");
    assert!(element(&kor, "OpisPlatnosci").unwrap().starts_with("Zwrot"));
    let cod = xml_of("cod");
    assert_eq!(element(&cod, "Zaplacono"), None);
    assert_eq!(
        element(&cod, "ZdarzeniePoczatkowe").as_deref(),
        Some("doręczenie przesyłki")
    );
    assert_eq!(element(&cod, "OpisPlatnosci").as_deref(), Some("Za pobraniem"));
    let huf = xml_of("huf");
    // 12 990 HUF at 23 % → VAT 2 429,02 HUF → × 0,011625 = 28,2374 → 28,24 PLN (at
    // 0,0116 it would have been 28,18).
    assert_eq!(element(&huf, "KursWaluty").as_deref(), Some("0.011625"));
    assert_eq!(element(&huf, "P_14_1").as_deref(), Some("2429.02"));
    assert_eq!(element(&huf, "P_14_1W").as_deref(), Some("28.24"));
    let mpp = xml_of("mpp");
    assert_eq!(element(&mpp, "P_18A").as_deref(), Some("1"));
    assert_eq!(element(&b2b, "P_18A").as_deref(), Some("2"));
    let eu = xml_of("eu-company");
    assert_eq!(element(&eu, "KodUE").as_deref(), Some("CZ"));
    assert_eq!(element(&eu, "NrVatUE").as_deref(), Some("27650081"));
    assert_eq!(element(&eu, "BrakID"), None, "a company, not a consumer");
    assert_eq!(element(&xml_of("receipt"), "FP").as_deref(), Some("1"));
    assert_eq!(element(&b2c, "FP"), None);
    // WDT: the seller with PL, every line "0 WDT", the net in P_13_6_2, no VAT fields.
    let wdt = xml_of("wdt");
    assert_eq!(element(&wdt, "PrefiksPodatnika").as_deref(), Some("PL"));
    assert_eq!(element(&wdt, "P_12").as_deref(), Some("0 WDT"));
    assert_eq!(element(&wdt, "P_13_6_2").as_deref(), Some("2747.00"));
    assert!(!wdt.contains("<P_14_"), "{wdt}");
    // OSS: Hungary's rates in P_12_XII with WSTO_EE. Delivery 1 299 HUF split 938,49 /
    // 360,51; 27 %: 13 928,49 HUF → VAT × 27/127 = 2 961,175 → 2 961,18; 5 %: 5 350,51 →
    // × 5/105 = 254,786 → 254,79; one P_13_5 / P_14_5 for both (VAT 3 215,97, net
    // 19 279,00 − 3 215,97), no PLN and no rate (the tax is Hungary's).
    let oss = xml_of("oss");
    assert_eq!(element(&oss, "P_12_XII").as_deref(), Some("27"));
    assert_eq!(element(&oss, "Procedura").as_deref(), Some("WSTO_EE"));
    assert_eq!(element(&oss, "P_12"), None);
    assert_eq!(element(&oss, "P_14_5").as_deref(), Some("3215.97"));
    assert_eq!(element(&oss, "P_13_5").as_deref(), Some("16063.03"));
    assert_eq!(element(&oss, "KursWaluty"), None);
    assert!(!oss.contains("W>"), "{oss}");
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
