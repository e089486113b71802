//! Sample invoices of every kind (B2C, B2B by transfer with a discount, exempt/0 %/np,
//! EUR with an NBP rate, a correction), shared by the XML and PDF tests.

use domain::{
    CorrectionOf, DeliveryVat, ExchangeRate, GoodsLine, Invoice, InvoicingProfile, Nip, Party, Payment, VatRate,
    compute,
};

/// The seller of every sample.
pub fn seller() -> Party {
    Party {
        name: "Sklep Przykładowy sp. z o.o.".into(),
        nip: Some("526-025-09-95".parse::<Nip>().unwrap()),
        vat_eu: None,
        address_line1: "ul. Handlowa 1".into(),
        address_line2: "00-001 Warszawa".into(),
        country: "PL".into(),
    }
}

/// An invoicing profile for a seller called `name` (NIP 526-025-09-95, Warszawa, no bank
/// account, 14 days to pay).
pub fn invoicing_profile(name: &str) -> InvoicingProfile {
    InvoicingProfile {
        seller: Party {
            name: name.into(),
            ..seller()
        },
        bank_account: None,
        place_of_issue: "Warszawa".into(),
        payment_days: 14,
        exemption_basis: None,
        registers: domain::Registers::default(),
        intra_eu_supply: false,
        oss: false,
    }
}

/// A private buyer in Kraków.
pub fn consumer() -> Party {
    Party {
        name: "Jan Kowalski".into(),
        nip: None,
        vat_eu: None,
        address_line1: "ul. Polna 5 m. 3".into(),
        address_line2: "30-001 Kraków".into(),
        country: "PL".into(),
    }
}

/// A line of goods without a discount.
pub fn line(name: &str, quantity: i64, unit: i64, rate: VatRate) -> GoodsLine {
    GoodsLine {
        name: name.into(),
        quantity,
        unit_gross: unit,
        discount_gross: 0,
        rate,
    }
}

/// A PLN invoice paid on Allegro, delivery following the goods' rates.
pub fn invoice(goods: &[GoodsLine], delivery: i64, buyer: Party) -> Invoice {
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
        seller_registers: domain::Registers::default(),
        split_payment: false,
        to_receipt: false,
    }
}

/// One invoice of every kind we issue, by name.
pub fn sample_invoices() -> Vec<(&'static str, Invoice)> {
    let mut cases: Vec<(&'static str, Invoice)> = Vec::new();
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
            vat_eu: None,
            address_line1: "Piotrkowska 100".into(),
            address_line2: "90-001 Łódź".into(),
            country: "PL".into(),
        },
    );
    // A company seller's register entries, in the footer.
    b2b.seller_registers = domain::Registers {
        krs: Some("0000123456".into()),
        regon: Some("146123456".into()),
        bdo: Some("000012345".into()),
    };
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
        rate: domain::NbpRate::parse("4.2954").expect("a rate"),
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
    // The buyer had paid online: the correction says the money goes back, not "zapłacono".
    kor.payment = Payment::Paid {
        date: "2026-11-20".into(),
        description: "Płatność online przez Allegro".into(),
    }
    .settled_by_correction();
    cases.push(("correction", kor));
    // Cash on delivery, invoiced before the parcel is picked up: due on delivery.
    let mut cod = invoice(&[line("Plecak", 1, 15999, VatRate::Standard23)], 1299, consumer());
    cod.payment = Payment::OnDelivery {
        description: "Za pobraniem".into(),
    };
    cases.push(("cod", cod));
    // A consumer who had a receipt asks for an invoice: FP.
    let mut receipt = invoice(&[line("Czajnik", 1, 12999, VatRate::Standard23)], 0, consumer());
    receipt.to_receipt = true;
    cases.push(("receipt", receipt));
    // allegro.hu in forints: NBP's six-decimal rate, kept exactly.
    let mut huf = invoice(&[line("Lámpa", 1, 1_299_000, VatRate::Standard23)], 0, consumer());
    huf.currency = "HUF".into();
    huf.buyer.country = "HU".into();
    huf.exchange = Some(ExchangeRate {
        rate: domain::NbpRate::parse("0.011625").expect("a rate"),
        table: "226/A/NBP/2026".into(),
        date: "2026-11-20".into(),
    });
    cases.push(("huf", huf));
    // allegro.cz, a Czech company whose VAT-EU number Allegro verified: an intra-Community
    // supply at 0 % (WDT), in CZK with the NBP rate.
    let czech = Party {
        name: "Sklo Bohemia s.r.o.".into(),
        nip: None,
        vat_eu: domain::EuVatNumber::parse("CZ27650081"),
        address_line1: "Václavské náměstí 1".into(),
        address_line2: "110 00 Praha".into(),
        country: "CZ".into(),
    };
    let mut wdt = invoice(&[line("Lampa", 2, 129_900, VatRate::IntraEuSupply)], 14_900, czech);
    wdt.currency = "CZK".into();
    wdt.exchange = Some(ExchangeRate {
        rate: domain::NbpRate::parse("0.1712").expect("a rate"),
        table: "226/A/NBP/2026".into(),
        date: "2026-11-20".into(),
    });
    cases.push(("wdt", wdt));
    // allegro.hu, a Hungarian consumer in OSS: Hungary's 27 % and 5 %, in forints, nothing
    // converted (the tax is Hungary's).
    let hu = |rate: &str| VatRate::Oss(domain::OssRate::parse("HU", rate).expect("a Hungarian rate"));
    let mut oss = invoice(
        &[
            line("Lámpa", 1, 1_299_000, hu("27")),
            line("Könyv", 1, 499_000, hu("5")),
        ],
        129_900,
        consumer(),
    );
    oss.currency = "HUF".into();
    oss.buyer.country = "HU".into();
    oss.buyer.address_line2 = "1051 Budapest".into();
    cases.push(("oss", oss));
    // A laptop for 18 000 zł to a company: split payment (P_18A = 1, the words on the PDF).
    let mut mpp = invoice(
        &[line("Laptop Lenovo ThinkPad X1", 1, 1_800_000, VatRate::Standard23)],
        0,
        cases[1].1.buyer.clone(),
    );
    mpp.split_payment = true;
    mpp.payment = cases[1].1.payment.clone();
    cases.push(("mpp", mpp));
    // A Czech company without a Polish NIP: named by its VAT-EU number, not as a consumer.
    let mut eu = invoice(&[line("Lampa", 1, 10000, VatRate::Standard23)], 0, consumer());
    eu.buyer = Party {
        name: "Sklo Bohemia s.r.o.".into(),
        nip: None,
        vat_eu: domain::EuVatNumber::parse("CZ27650081"),
        address_line1: "Václavské náměstí 1".into(),
        address_line2: "110 00 Praha".into(),
        country: "CZ".into(),
    };
    cases.push(("eu-company", eu));
    cases
}
