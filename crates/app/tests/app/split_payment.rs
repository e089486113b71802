//! Split payment (art. 108a ust. 1a): an invoice to a business above 15 000 zł with goods
//! of annex 15 carries P_18A = 1; when it depends on a product the seller has not marked,
//! the invoice waits with the question, and goes the moment the product is marked.

use app::IssueOutcome;

/// Three orders from a file: a laptop for 18 000 zł to a company, the same to a consumer,
/// and 9 000 zł to a company.
const ORDERS: &str = "order_id;bought_at;buyer_login;company_name;nip;street;zip_code;city;offer_id;sku;offer_name;quantity;unit_price;vat_rate
MPP-1;2026-11-20 10:00;firma;Świątek Sp. z o.o.;5260250995;Piotrkowska 100;90-001;Łódź;7001;LAPTOP-15;Laptop Lenovo ThinkPad X1;1;18 000,00;23
MPP-2;2026-11-20 11:00;osoba;;;;;;7001;LAPTOP-15;Laptop Lenovo ThinkPad X1;1;18 000,00;23
MPP-3;2026-11-20 12:00;firma2;Świątek Sp. z o.o.;5260250995;Piotrkowska 100;90-001;Łódź;7001;LAPTOP-15;Laptop Lenovo ThinkPad X1;1;9 000,00;23
";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_laptop_for_a_company_over_15000_is_split_payment() {
    let shop = testkit::Shop::new(&testkit::sqlite_url(), 80).await;
    let (_, account) = shop.link_seller("sklep-mpp").await;
    let (app, user, org) = (&shop.app, &shop.user, &shop.org);
    app.save_invoicing_profile(user, &testkit::invoicing_profile("Sklep Elektro sp. z o.o."))
        .await
        .unwrap();
    app.import_file(
        user,
        &account,
        "zamowienia.csv",
        bytes::Bytes::from_static(ORDERS.as_bytes()),
        None,
        app::order_files::Encoding::Auto,
    )
    .await
    .unwrap();
    // The laptop is a product of the warehouse, not yet marked either way.
    app.store()
        .upsert_offer_products(
            org,
            &account,
            &[store::OfferProduct {
                offer_id: "7001".into(),
                sku: "LAPTOP-15".into(),
                name: "Laptop Lenovo ThinkPad X1".into(),
            }],
            app.now_ms(),
        )
        .await
        .unwrap();
    let id = |s: &str| -> domain::OrderId { s.parse().unwrap() };
    let p18a = |xml: &str| {
        xml.split("<P_18A>")
            .nth(1)
            .and_then(|r| r.split('<').next())
            .map(str::to_owned)
    };
    let issue = |order: &'static str| {
        let (app, user) = (app.clone(), user.clone());
        async move {
            match app.issue_invoice(&user, &id(order)).await {
                Ok(IssueOutcome::Issued(r)) => Ok(app.invoice_xml(&user, &r.id).await.unwrap().1),
                Ok(other) => panic!("{other:?}"),
                Err(e) => Err(e),
            }
        }
    };

    // Over 15 000 zł to a company, the product unmarked: the invoice waits, asking.
    let asked = issue("MPP-1").await.unwrap_err();
    let app::AppError::Conflict(p) = &asked else {
        panic!("{asked:?}")
    };
    assert_eq!(p.key, "problem-split-payment-unknown");
    assert!(
        p.arg_text("products").contains("Laptop Lenovo") && p.arg_text("amount").starts_with("18"),
        "{p:?}"
    );
    // To a consumer, or under the threshold: never split payment, nothing to ask.
    assert_eq!(p18a(&issue("MPP-2").await.unwrap()).as_deref(), Some("2"));
    assert_eq!(p18a(&issue("MPP-3").await.unwrap()).as_deref(), Some("2"));

    // Marked as annex-15 goods: the waiting invoice carries the marking and validates.
    let laptop = app
        .products(user)
        .await
        .unwrap()
        .into_iter()
        .find(|p| p.sku == "LAPTOP-15")
        .unwrap();
    app.set_product_annex15(user, &laptop.id, Some(true)).await.unwrap();
    let xml = issue("MPP-1").await.unwrap();
    assert_eq!(p18a(&xml).as_deref(), Some("1"));
    assert_eq!(testkit::fa3_problems(&xml), None);
    let (_, content) = app
        .invoice(user, &app.order_invoices(user, &id("MPP-1")).await.unwrap()[0].id)
        .await
        .unwrap();
    assert!(content.split_payment);

    // Another organisation cannot mark this organisation's products.
    let (_, stranger) = testkit::owner(app, "Inny", "ewa@inny.pl").await;
    assert!(matches!(
        app.set_product_annex15(&stranger, &laptop.id, Some(false)).await,
        Err(app::AppError::NotFound)
    ));
}
