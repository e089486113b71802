//! Every kind of invoice we generate validates against the official FA(3) schema
//! (xmllint with the project's offline catalog), and its totals read back as computed.

use std::path::PathBuf;

use domain::{CorrectionOf, DeliveryVat, ExchangeRate, GoodsLine, Invoice, Nip, Party, Payment, VatRate, compute};

fn shared() -> PathBuf {
    testkit::shared_dir()
}

/// Runs xmllint against FA(3); returns its complaint, if any.
fn xsd_problems(xml: &str, _name: &str) -> Option<String> {
    testkit::fa3_problems(xml)
}

fn seller() -> Party {
    Party {
        name: "Sklep Przykładowy sp. z o.o.".into(),
        nip: Some("526-025-09-95".parse::<Nip>().unwrap()),
        address_line1: "ul. Handlowa 1".into(),
        address_line2: "00-001 Warszawa".into(),
        country: "PL".into(),
    }
}

fn consumer() -> Party {
    Party {
        name: "Jan Kowalski".into(),
        nip: None,
        address_line1: "ul. Polna 5 m. 3".into(),
        address_line2: "30-001 Kraków".into(),
        country: "PL".into(),
    }
}

fn line(name: &str, quantity: i64, unit: i64, rate: VatRate) -> GoodsLine {
    GoodsLine {
        name: name.into(),
        quantity,
        unit_gross: unit,
        discount_gross: 0,
        rate,
    }
}

fn invoice(goods: &[GoodsLine], delivery: i64, buyer: Party) -> Invoice {
    Invoice {
        number: "FV/123/11/2026".into(),
        issue_date: "2026-11-23".into(),
        place_of_issue: Some("Warszawa".into()),
        sale_date: "2026-11-22".into(),
        seller: seller(),
        buyer,
        currency: "PLN".into(),
        summary: compute(goods, delivery, DeliveryVat::FollowGoods, "Koszt dostawy"),
        exchange: None,
        payment: Payment::Paid {
            date: "2026-11-22".into(),
            description: "Płatność online przez Allegro".into(),
        },
        order_id: "29b4fc40-1a7e-11ee-a6a4-0b1f8d2c1a11".into(),
        order_date: "2026-11-22".into(),
        exemption_basis: None,
        correction_of: None,
        created_at: "2026-11-23T10:15:00Z".into(),
    }
}

fn element(xml: &str, name: &str) -> Option<String> {
    let doc = roxmltree::Document::parse(xml).unwrap();
    doc.descendants()
        .find(|n| n.tag_name().name() == name)
        .and_then(|n| n.text().map(str::to_owned))
}

#[test]
fn every_kind_of_invoice_validates() {
    let mut cases: Vec<(&str, Invoice)> = Vec::new();
    // The research example: 2 × 39,99 (23 %) + 49,90 (5 %), delivery 14,99 at 23 %.
    let mut b2c = invoice(
        &[
            line("Kubek ceramiczny 300 ml", 2, 3999, VatRate::Standard23),
            line("Książka „Przykład” & <inne>", 1, 4990, VatRate::Reduced5),
        ],
        0,
        consumer(),
    );
    b2c.summary = compute(
        &[
            line("Kubek ceramiczny 300 ml", 2, 3999, VatRate::Standard23),
            line("Książka „Przykład” & <inne>", 1, 4990, VatRate::Reduced5),
        ],
        1499,
        DeliveryVat::Fixed(VatRate::Standard23),
        "Koszt dostawy",
    );
    cases.push(("b2c", b2c));
    // A company buyer with NIP, mixed 23/8 with delivery split, a discount, by transfer.
    let mut b2b = invoice(
        &[
            GoodsLine {
                discount_gross: 1500,
                ..line("Buty", 3, 5000, VatRate::Standard23)
            },
            line("Herbata", 2, 2500, VatRate::Reduced8),
        ],
        1500,
        Party {
            name: "Świątek Sp. z o.o.".into(),
            nip: Some("5260250995".parse().unwrap()),
            address_line1: "Piotrkowska 100".into(),
            address_line2: "90-001 Łódź".into(),
            country: "PL".into(),
        },
    );
    b2b.payment = Payment::Transfer {
        due: "2026-12-07".into(),
        account: Some("61 1090 1014 0000 0712 1981 2874".into()),
    };
    cases.push(("b2b", b2b));
    // Exempt, 0 % and not-subject lines.
    let mut exempt = invoice(
        &[
            line("Kurs online", 1, 20000, VatRate::Exempt),
            line("Eksport usługi", 1, 1000, VatRate::NotSubject),
            line("Dostawa 0 %", 1, 500, VatRate::Zero),
        ],
        0,
        consumer(),
    );
    exempt.exemption_basis = Some("art. 43 ust. 1 pkt 29 lit. a ustawy o VAT".into());
    cases.push(("exempt", exempt));
    // allegro.sk in EUR: VAT also in PLN at the NBP rate, the rate on every line.
    let mut eur = invoice(&[line("Lampa", 1, 10000, VatRate::Standard23)], 499, consumer());
    eur.currency = "EUR".into();
    eur.buyer.country = "SK".into();
    eur.exchange = Some(ExchangeRate {
        rate_e4: 42_954,
        table: "226/A/NBP/2026".into(),
        date: "2026-11-20".into(),
    });
    cases.push(("eur", eur));
    // A correction of the B2C invoice for a returned mug: negative differences.
    let mut kor = invoice(
        &[GoodsLine {
            quantity: -1,
            ..line("Kubek ceramiczny 300 ml", 1, 3999, VatRate::Standard23)
        }],
        0,
        consumer(),
    );
    kor.number = "KOR/1/11/2026".into();
    kor.correction_of = Some(CorrectionOf {
        number: "FV/123/11/2026".into(),
        issue_date: "2026-11-23".into(),
        ksef_number: None,
        reason: "Zwrot towaru".into(),
    });
    cases.push(("correction", kor));
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
    let kor = invoice_xml::fa3(&cases[4].1).unwrap();
    assert_eq!(element(&kor, "P_15").as_deref(), Some("-39.99"));
    assert_eq!(element(&kor, "RodzajFaktury").as_deref(), Some("KOR"));
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
