//! KSeF in a real browser: the settings page (the token pasted, shown only as its hint,
//! the connection checked) and an invoice with its KSeF number on its page and in its PDF.

use super::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_ksef_page_and_an_invoice_with_its_number_in_a_real_browser() {
    let h = spawn_app().await;
    let (_driver_process, port) = chromedriver().await;
    let account = shop_with_orders(&h, 40, 21).await;
    let (_, owner) = anna(&h).await;
    h.app
        .save_invoicing_profile(&owner, &testkit::invoicing_profile("Sklep Anny sp. z o.o."))
        .await
        .unwrap();
    let ksef = ksef_emulator::spawn("127.0.0.1:0", ksef_emulator::Settings::default())
        .await
        .unwrap();
    let token = testkit::ksef_token(&ksef, "5260250995", &["InvoiceWrite", "InvoiceRead"]);
    let secret = token.rsplit('|').next().unwrap().to_owned();

    let d = browser(port).await;
    log_in(&d, &h.base).await;
    d.goto(format!("{}/invoices", h.base)).await.unwrap();
    click_nav(&d, "#ksef-link").await;
    assert_eq!(text_of(&d, "h1").await, "KSeF");
    d.find(By::Css("#environment option[value='custom']"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    fill(&d, "api_url", &ksef.api_url).await;
    fill(&d, "token", &token).await;
    click_nav(&d, "#save-ksef").await;
    let hint = text_of(&d, "#token-hint").await;
    assert!(hint.contains("nip-5260250995") && !hint.contains(&secret), "{hint}");
    assert!(
        !d.source().await.unwrap().contains(&secret),
        "the token never comes back"
    );
    click_nav(&d, "#check-ksef").await;
    let checked = text_of(&d, "#ksef-checked").await;
    assert!(
        checked.contains("5260250995") && checked.contains("InvoiceWrite"),
        "{checked}"
    );
    screenshot(&d, "backoffice-ksef.png").await;

    // A company's invoice: sent, numbered, shown on its page and printed in its PDF.
    let order = h
        .app
        .store()
        .account_orders(&account)
        .await
        .unwrap()
        .into_iter()
        .find(|o| o.currency == "PLN" && o.status.is_ready_for_processing() && o.data.contains("PL_NIP"))
        .unwrap();
    let app::IssueOutcome::Issued(invoice) = h.app.issue_invoice(&owner, &order.id).await.unwrap() else {
        panic!("issued")
    };
    let mut accepted = 0;
    for _ in 0..50 {
        accepted += h.app.send_due_to_ksef(10).await.unwrap().accepted;
        if accepted == 1 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(accepted, 1);
    let number = h
        .app
        .invoice_in_ksef(&owner, &invoice.id)
        .await
        .unwrap()
        .and_then(|k| k.number)
        .unwrap();
    d.goto(format!("{}/invoices/{}", h.base, invoice.id)).await.unwrap();
    let state = text_of(&d, "#ksef-state").await;
    assert!(state.contains(&number), "{state}");
    let cookies: Vec<String> = d
        .get_all_cookies()
        .await
        .unwrap()
        .into_iter()
        .map(|c| format!("{}={}", c.name, c.value))
        .collect();
    let pdf = reqwest::Client::new()
        .get(format!("{}/invoices/{}/pdf", h.base, invoice.id))
        .header("cookie", cookies.join("; "))
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    let text = testkit::pdf_text(&pdf);
    assert!(text.contains(&number) && !text.contains("OFFLINE"), "{text}");
    screenshot(&d, "backoffice-invoice-ksef.png").await;
    d.quit().await.unwrap();
}
