//! Invoices in a real browser.

use super::*;

/// The invoicing details form and "Wystaw fakturę" on an order, in a real browser.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_invoice_in_a_real_browser() {
    let h = spawn_app().await;
    let (_driver_process, port) = chromedriver().await;
    let account = shop_with_orders(&h, 15, 12).await;
    let order = h
        .app
        .store()
        .account_orders(&account)
        .await
        .unwrap()
        .into_iter()
        .find(|o| o.currency == "PLN" && o.status == "READY_FOR_PROCESSING")
        .unwrap();
    let d = browser(port).await;
    log_in(&d, &h.base).await;
    d.goto(format!("{}/invoicing-profile", h.base)).await.unwrap();
    fill(&d, "name", "Sklep Anny sp. z o.o.").await;
    fill(&d, "nip", "526-025-09-95").await;
    fill(&d, "address_line1", "ul. Długa 5").await;
    fill(&d, "address_line2", "31-147 Kraków").await;
    fill(&d, "place_of_issue", "Kraków").await;
    click_nav(&d, "#save-profile").await;
    assert!(d.find(By::Id("saved")).await.is_ok());
    d.goto(format!("{}/orders/{}", h.base, order.id)).await.unwrap();
    click_nav(&d, "#issue-invoice").await;
    let title = text_of(&d, "h1").await;
    assert!(title.starts_with("Faktura FV/1/"), "{title}");
    assert!(text_of(&d, "#in-words").await.starts_with("Słownie:"));
    assert_eq!(
        text_of(&d, "#invoice-total").await.replace('\u{a0}', " "),
        crate_money(order.total_minor.unwrap())
    );
    assert!(
        text_of(&d, "#allegro-upload")
            .await
            .contains("Czeka na wysłanie do zamówienia na Allegro"),
        "the upload to Allegro is waiting for the worker"
    );
    let pdf = d
        .find(thirtyfour::By::Id("pdf"))
        .await
        .unwrap()
        .attr("href")
        .await
        .unwrap()
        .unwrap();
    assert!(pdf.ends_with("/pdf"), "{pdf}");
    // The orders list shows the order's invoice number.
    d.goto(format!("{}/orders", h.base)).await.unwrap();
    assert!(
        text_of(&d, "#orders")
            .await
            .contains(title.trim_start_matches("Faktura ")),
        "{title}"
    );
    // The list's buyer search: the name in capitals, and without its Polish letters.
    let org = h
        .app
        .store()
        .user_by_email("anna@sklep.pl")
        .await
        .unwrap()
        .unwrap()
        .organisation_id;
    let buyer = h
        .app
        .store()
        .invoices(&org, &store::InvoiceFilter::default(), 0, 10)
        .await
        .unwrap()
        .0[0]
        .buyer_name
        .clone();
    for typed in [buyer.to_uppercase(), domain::text::search_key(&buyer)] {
        d.goto(format!("{}/invoices", h.base)).await.unwrap();
        fill(&d, "buyer", &typed).await;
        click_nav(&d, "form.filters button[type=submit]").await;
        assert!(
            text_of(&d, "#invoices").await.contains(&buyer),
            "{typed:?} finds {buyer:?}"
        );
    }
    screenshot(&d, "backoffice-invoice.png").await;
    d.quit().await.unwrap();
}
