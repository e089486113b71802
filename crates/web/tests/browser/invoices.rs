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
    fill(&d, "krs", "0000 123 456").await;
    click_nav(&d, "#save-profile").await;
    assert!(d.find(By::Id("saved")).await.is_ok());
    let owner = app::CurrentUser::for_organisation(
        h.app
            .store()
            .user_by_email("anna@sklep.pl")
            .await
            .unwrap()
            .unwrap()
            .organisation_id,
    );
    let saved = h.app.invoicing_profile(&owner).await.unwrap().unwrap();
    assert_eq!(saved.registers.krs.as_deref(), Some("0000123456"), "spaces dropped");
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

/// Foreign-currency orders with no NBP table reachable: the start page names the tables
/// the invoices wait for and leads to Faktury → Kursy NBP; a file with a bad line is
/// refused naming the line, the right file is loaded, and the waiting invoices are issued.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn missing_nbp_rates_are_named_and_loaded_in_a_real_browser() {
    let h = spawn_app().await;
    let (_driver_process, port) = chromedriver().await;
    let account = shop_with_orders(&h, 40, 14).await;
    let (org, owner) = anna(&h).await;
    h.app
        .save_invoicing_profile(&owner, &testkit::invoicing_profile("Sklep Anny sp. z o.o."))
        .await
        .unwrap();
    let settings = domain::AccountSettings {
        enabled: true,
        invoice_every_order: true,
        ..domain::AccountSettings::default()
    };
    h.app.save_settings(&owner, &account, &settings).await.unwrap();
    // The orders were paid before invoicing was on: the seller asks for them by hand.
    let earlier = h.app.earlier_orders(&owner).await.unwrap();
    h.app
        .invoice_earlier_orders(&owner, earlier.orders.len())
        .await
        .unwrap();
    let missing = h.app.rates_missing(&org).await.unwrap();
    assert!(!missing.is_empty(), "the seed sells in EUR, CZK or HUF");
    let (currency, day, _) = missing[0].clone();

    let d = browser(port).await;
    log_in(&d, &h.base).await;
    d.goto(format!("{}/", h.base)).await.unwrap();
    let todo = text_of(&d, "#todo").await;
    assert!(todo.contains(&format!("Brak kursu NBP {currency} z {day}")), "{todo}");
    click_nav(&d, "#todo a[href=\"/invoices/rates\"]").await;
    assert_eq!(text_of(&d, "h1").await, "Kursy NBP");
    assert!(text_of(&d, "#rates-missing").await.contains(&day));

    let dir = std::env::temp_dir().join(format!("ab-rates-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&dir).unwrap();
    let bad = dir.join("kursy-zle.csv");
    std::fs::write(
        &bad,
        format!("{currency};{day};4,2954;100/A/NBP/2026\n{currency};{day};4,2954\n"),
    )
    .unwrap();
    let send = |path: std::path::PathBuf| {
        let d = d.clone();
        async move {
            d.find(By::Id("rates-file"))
                .await
                .unwrap()
                .send_keys(path.display().to_string())
                .await
                .unwrap();
            click_nav(&d, "#load-rates-submit").await;
        }
    };
    send(bad).await;
    let error = text_of(&d, "#rates-error").await;
    assert!(error.contains("kursy-zle.csv, wiersz 2"), "{error}");
    assert!(
        h.app.rates_on_record(&owner, 10).await.unwrap().is_empty(),
        "nothing stored"
    );
    assert!(
        !d.current_url().await.unwrap().as_str().contains("_csrf"),
        "the CSRF token does not stay in the address bar"
    );

    let good = dir.join("kursy.csv");
    let file: String = missing
        .iter()
        .map(|(c, day, _)| {
            format!(
                "{c};{day};{};100/A/NBP/2026\n",
                if c == "HUF" { "0,011625" } else { "4,2954" }
            )
        })
        .collect();
    std::fs::write(&good, file).unwrap();
    send(good).await;
    assert!(text_of(&d, "#rates-loaded").await.starts_with("Wczytano"));
    let rows = text_of(&d, "#rates tbody").await;
    assert!(rows.contains("Twój plik „kursy.csv”"), "{rows}");
    screenshot(&d, "backoffice-rates.png").await;
    h.app.issue_due_invoices(1_000).await.unwrap();
    assert!(h.app.rates_missing(&org).await.unwrap().is_empty());
    d.goto(format!("{}/", h.base)).await.unwrap();
    assert!(!d.source().await.unwrap().contains("Brak kursu NBP"));
    std::fs::remove_dir_all(&dir).ok();
    d.quit().await.unwrap();
}

/// Switching automatic invoices on in a real browser issues nothing backwards; Faktury →
/// "Faktury dla wcześniejszych zamówień" says how many and of which days, and its button
/// issues them (a foreign order without its NBP table is said to have failed).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn switching_invoices_on_issues_nothing_backwards_in_a_real_browser() {
    let h = spawn_app().await;
    let (_driver_process, port) = chromedriver().await;
    let account = shop_with_orders(&h, 20, 16).await;
    let (_, owner) = anna(&h).await;
    h.app
        .save_invoicing_profile(&owner, &testkit::invoicing_profile("Sklep Anny sp. z o.o."))
        .await
        .unwrap();
    let d = browser(port).await;
    log_in(&d, &h.base).await;
    d.goto(format!("{}/accounts/{account}/settings", h.base)).await.unwrap();
    click(&d, "enabled").await;
    click(&d, "invoice_every_order").await;
    click_nav(&d, "#save-settings").await;
    assert!(text_of(&d, "#enabled-hint").await.contains("nigdy wstecz"));
    let done = h.app.issue_due_invoices(1_000).await.unwrap();
    assert!(done.is_empty(), "nothing issued backwards: {done:?}");

    let earlier = h.app.earlier_orders(&owner).await.unwrap();
    assert!(!earlier.orders.is_empty());
    d.goto(format!("{}/invoices", h.base)).await.unwrap();
    click_nav(&d, "#earlier-link").await;
    let summary = text_of(&d, "#earlier-summary").await;
    assert!(
        summary.starts_with(&earlier.orders.len().to_string())
            && summary.contains(earlier.first_day.as_deref().unwrap()),
        "{summary}"
    );
    screenshot(&d, "backoffice-earlier.png").await;
    click_nav(&d, "#issue-earlier").await;
    let (_, total) = h
        .app
        .invoices(&owner, &store::InvoiceFilter::default(), 0, 1)
        .await
        .unwrap();
    assert!(total > 0);
    assert!(
        text_of(&d, "#earlier-done")
            .await
            .starts_with(&format!("Wystawiono {total}")),
        "the page says how many"
    );
    // The ones that failed are now the worker's to retry; none is left waiting here.
    assert!(h.app.earlier_orders(&owner).await.unwrap().orders.is_empty());
    assert!(text_of(&d, "#earlier-none").await.starts_with("Nie ma"));
    let failed = earlier.orders.len() as i64 - total;
    if failed > 0 {
        assert!(text_of(&d, "#earlier-failed").await.starts_with(&failed.to_string()));
    }
    d.quit().await.unwrap();
}
