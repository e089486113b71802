//! An invoice to a sale already on a cash register receipt carries `FP` (art. 109 ust. 3d);
//! to a business only when the receipt shows its NIP (art. 106b ust. 5).

use app::{AppError, IssueOutcome, ReceiptGiven};

const ORDERS: &str = "order_id;bought_at;buyer_login;first_name;last_name;company_name;nip;street;zip_code;city;offer_name;quantity;unit_price;vat_rate
PAR-1;2026-11-20 10:00;osoba;Jan;Kowalski;;;Polna 5;30-001;Kraków;Czajnik;1;129,99;23
PAR-2;2026-11-20 11:00;firma;;;Świątek Sp. z o.o.;5260250995;Piotrkowska 100;90-001;Łódź;Czajnik;1;129,99;23
PAR-3;2026-11-20 12:00;osoba2;Anna;Nowak;;;Leśna 1;00-001;Warszawa;Czajnik;1;129,99;23
";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_invoice_to_a_receipt_is_marked_fp_and_needs_the_nip_on_it() {
    let shop = testkit::Shop::new(&testkit::sqlite_url(), 82).await;
    let (_, account) = shop.link_seller("sklep-paragony").await;
    let (app, user) = (&shop.app, &shop.user);
    app.save_invoicing_profile(user, &testkit::invoicing_profile("Sklep AGD"))
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
    let id = |s: &str| -> domain::OrderId { s.parse().unwrap() };
    let fp = |xml: &str| xml.contains("<FP>1</FP>");
    let xml_of = |outcome: IssueOutcome| {
        let (app, user) = (app.clone(), user.clone());
        async move {
            let IssueOutcome::Issued(r) = outcome else {
                panic!("{outcome:?}")
            };
            let xml = app.invoice_xml(&user, &r.id).await.unwrap().1;
            assert_eq!(testkit::fa3_problems(&xml), None, "{xml}");
            xml
        }
    };
    let without_nip = ReceiptGiven { with_buyer_nip: false };

    // A consumer with a receipt: FP.
    let xml = xml_of(
        app.issue_invoice_to_receipt(user, &id("PAR-1"), without_nip)
            .await
            .unwrap(),
    )
    .await;
    assert!(fp(&xml), "{xml}");
    // A business whose receipt lacks its NIP: refused, nothing issued.
    let e = app
        .issue_invoice_to_receipt(user, &id("PAR-2"), without_nip)
        .await
        .unwrap_err();
    assert!(
        matches!(&e, AppError::Validation { problem, .. } if problem.key == "problem-receipt-without-nip"),
        "{e:?}"
    );
    assert!(app.order_invoices(user, &id("PAR-2")).await.unwrap().is_empty());
    let xml = xml_of(
        app.issue_invoice_to_receipt(user, &id("PAR-2"), ReceiptGiven { with_buyer_nip: true })
            .await
            .unwrap(),
    )
    .await;
    assert!(fp(&xml) && xml.contains("<NIP>5260250995</NIP>"), "{xml}");
    // Without a receipt: no FP.
    let xml = xml_of(app.issue_invoice(user, &id("PAR-3")).await.unwrap()).await;
    assert!(!fp(&xml), "{xml}");
}
