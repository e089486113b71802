//! Sales abroad (allegro.cz, .sk, .hu): a company whose VAT-EU number Allegro verified gets
//! an intra-Community supply at 0 % (WDT) when the seller enabled it; a consumer gets the
//! consumer's country's VAT in OSS when the seller chose it; anything else keeps Polish VAT,
//! and a rate that does not fit stops the invoice with the reason — never replaced.

use allegro_api_types::{
    CheckoutForm, CheckoutFormInvoiceAddress, CheckoutFormInvoiceAddressCompany, CheckoutFormInvoiceAddressCompanyId,
    CheckoutFormInvoiceInfo, CheckoutFormLineItemTax, CompanyIdType, VatPayerStatus,
};
use app::{AppError, IssueOutcome};

fn element(xml: &str, name: &str) -> Vec<String> {
    xml.split(&format!("<{name}>"))
        .skip(1)
        .filter_map(|r| r.split('<').next())
        .map(str::to_owned)
        .collect()
}

/// A Czech company with a VAT-EU number, `feature` being Allegro's verification flag.
fn czech_company(form: &mut CheckoutForm, feature: &str) {
    form.invoice = Some(CheckoutFormInvoiceInfo {
        required: true,
        address: Some(CheckoutFormInvoiceAddress {
            street: "Václavské náměstí 1".into(),
            city: "Praha".into(),
            zip_code: "110 00".into(),
            country_code: "CZ".into(),
            company: Some(CheckoutFormInvoiceAddressCompany {
                name: "Sklo Bohemia s.r.o.".into(),
                ids: Some(vec![CheckoutFormInvoiceAddressCompanyId {
                    id_type: CompanyIdType::VatEu,
                    value: "CZ27650081".into(),
                }]),
                vat_payer_status: VatPayerStatus::Active,
                tax_id: None,
            }),
            natural_person: None,
        }),
        due_date: None,
        features: Some(vec![feature.into()]),
    });
}

/// Every line at `rate` as Allegro writes it (`"27.00"`).
fn lines_at(form: &mut CheckoutForm, rate: &str) {
    for li in &mut form.line_items {
        li.tax = Some(CheckoutFormLineItemTax {
            rate: Some(rate.into()),
            subject: Some("GOODS".into()),
            exemption: None,
        });
    }
}

/// A consumer: no invoice address, so the buyer is the person the parcel goes to.
fn consumer(form: &mut CheckoutForm) {
    form.invoice = Some(CheckoutFormInvoiceInfo {
        required: false,
        address: None,
        due_date: None,
        features: None,
    });
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn eu_businesses_get_wdt_and_eu_consumers_oss_as_the_seller_chose() {
    let shop = testkit::Shop::new(&testkit::sqlite_url(), 81).await;
    let (seller, account) = shop.link_seller("sklep-za-granica").await;
    let (app, user, emu) = (&shop.app, &shop.user, &shop.emu.emulator);
    shop.paid_orders(&seller, 200, 12, 5);
    app.load_rates("kursy.csv", &testkit::nbp_rates_file(20)).await.unwrap();
    // Two orders from each foreign marketplace, made into exact cases.
    let ids_on = |marketplace: &str| -> Vec<String> {
        emu.order_forms(&seller)
            .into_iter()
            .filter(|f| {
                f.marketplace.as_ref().map(|m| m.id.as_str()) == Some(marketplace)
                    && f.status.as_str() == "READY_FOR_PROCESSING"
            })
            .map(|f| f.id)
            .take(4)
            .collect()
    };
    let (cz, hu) = (ids_on("allegro-cz"), ids_on("allegro-hu"));
    assert!(
        cz.len() == 4 && hu.len() == 4,
        "the generator sells abroad: {cz:?} {hu:?}"
    );
    emu.edit_order(&cz[0], |f| czech_company(f, "VAT_EU_VERIFIED")).unwrap();
    emu.edit_order(&cz[1], |f| {
        czech_company(f, "VAT_EU_UNVERIFIED");
        lines_at(f, "21.00");
    })
    .unwrap();
    emu.edit_order(&cz[2], |f| {
        czech_company(f, "VAT_EU_UNVERIFIED");
        lines_at(f, "23.00");
    })
    .unwrap();
    emu.edit_order(&hu[0], |f| {
        consumer(f);
        lines_at(f, "27.00");
    })
    .unwrap();
    emu.edit_order(&hu[1], |f| {
        consumer(f);
        lines_at(f, "23.00");
    })
    .unwrap();
    app.sync_account(&account).await.unwrap();
    let id = |s: &String| -> domain::OrderId { s.parse().unwrap() };
    let issue = |order: &String| {
        let (app, user, order) = (app.clone(), user.clone(), id(order));
        async move {
            match app.issue_invoice(&user, &order).await {
                Ok(IssueOutcome::Issued(r)) => Ok(app.invoice_xml(&user, &r.id).await.unwrap().1),
                Ok(other) => panic!("{other:?}"),
                Err(e) => Err(e),
            }
        }
    };
    let refused = |e: AppError| match e {
        AppError::Validation { problem, .. } => problem,
        other => panic!("{other:?}"),
    };

    // The seller has not enabled WDT or OSS: the foreign rate stops the consumer's invoice.
    app.save_invoicing_profile(user, &testkit::invoicing_profile("Sklep Eksport sp. z o.o."))
        .await
        .unwrap();
    let p = refused(issue(&hu[0]).await.unwrap_err());
    assert_eq!(
        (p.key.as_str(), p.arg_text("rate")),
        ("problem-vat-rate-unexpected", "27.00".into())
    );

    let profile = domain::InvoicingProfile {
        intra_eu_supply: true,
        oss: true,
        ..testkit::invoicing_profile("Sklep Eksport sp. z o.o.")
    };
    app.save_invoicing_profile(user, &profile).await.unwrap();

    // A verified Czech company: 0 % WDT on every line (delivery too), the seller named with
    // PL, the buyer by KodUE + NrVatUE, the net in P_13_6_2, no VAT, the CZK rate given.
    let xml = issue(&cz[0]).await.unwrap();
    assert_eq!(testkit::fa3_problems(&xml), None, "{xml}");
    assert_eq!(element(&xml, "PrefiksPodatnika"), ["PL"]);
    assert_eq!(
        (element(&xml, "KodUE"), element(&xml, "NrVatUE")),
        (vec!["CZ".into()], vec!["27650081".into()])
    );
    assert!(element(&xml, "P_12").iter().all(|r| r == "0 WDT"), "{xml}");
    assert_eq!(element(&xml, "P_13_6_2"), element(&xml, "P_15"));
    assert!(!xml.contains("<P_14_") && !xml.contains("<P_13_1>"), "{xml}");
    assert!(!element(&xml, "KursWaluty").is_empty());

    // Unverified: Polish VAT. Allegro's 21 % is not Polish — stopped; 23 % is invoiced at 23 %,
    // still naming the company by its VAT-EU number.
    let p = refused(issue(&cz[1]).await.unwrap_err());
    assert_eq!(
        (p.key.as_str(), p.arg_text("rate")),
        ("problem-vat-rate-unexpected", "21.00".into())
    );
    let xml = issue(&cz[2]).await.unwrap();
    assert_eq!(testkit::fa3_problems(&xml), None, "{xml}");
    assert!(element(&xml, "P_12").contains(&"23".to_owned()) && element(&xml, "PrefiksPodatnika").is_empty());
    assert_eq!(element(&xml, "NrVatUE"), ["27650081"]);

    // A Hungarian consumer in OSS: 27 % in P_12_XII with WSTO_EE, totals in P_13_5/P_14_5,
    // VAT = gross × 27 / 127 to the fillér, nothing converted to PLN.
    let xml = issue(&hu[0]).await.unwrap();
    assert_eq!(testkit::fa3_problems(&xml), None, "{xml}");
    assert!(element(&xml, "P_12_XII").iter().all(|r| r == "27") && element(&xml, "P_12").is_empty());
    assert_eq!(element(&xml, "Procedura").len(), element(&xml, "P_12_XII").len());
    assert!(element(&xml, "Procedura").iter().all(|p| p == "WSTO_EE"));
    let gross = domain::parse_decimal(&element(&xml, "P_15")[0]).unwrap();
    let vat = domain::parse_decimal(&element(&xml, "P_14_5")[0]).unwrap();
    let net = domain::parse_decimal(&element(&xml, "P_13_5")[0]).unwrap();
    assert_eq!(
        (vat, net + vat),
        (domain::div_half_up(i128::from(gross) * 27, 127) as i64, gross)
    );
    assert!(element(&xml, "KursWaluty").is_empty() && !xml.contains("W>"), "{xml}");

    // A rate Hungary does not have stops the invoice, naming Hungary's rates.
    let p = refused(issue(&hu[1]).await.unwrap_err());
    assert_eq!(
        (
            p.key.as_str(),
            p.arg_text("rate"),
            p.arg_text("country"),
            p.arg_text("rates")
        ),
        (
            "problem-oss-rate-unexpected",
            "23.00".into(),
            "HU".into(),
            "27, 18, 5".into()
        )
    );
}
