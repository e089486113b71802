//! The warehouse in a real browser.

use super::*;

#[tokio::test]
async fn the_warehouse_in_a_real_browser() {
    let h = spawn_app().await;
    let (_driver_process, port) = chromedriver().await;
    shop_with_orders(&h, 5, 41).await;
    let d = browser(port).await;
    log_in(&d, &h.base).await;
    d.goto(format!("{}/warehouse", h.base)).await.unwrap();
    click_nav(&d, "#sync-products").await;
    assert!(text_of(&d, "#warehouse-notice").await.contains("nowe produkty"));
    let first_sku = text_of(&d, "#stock tbody tr td").await;
    // A wrong quantity is named in Polish, and the form keeps the seller's choices.
    let options = d.find_all(By::Css("#receipt-product option")).await.unwrap();
    let second_product = options[1].value().await.unwrap().unwrap();
    options[1].click().await.unwrap();
    fill(&d, "receipt-quantity", "4,5").await;
    fill(&d, "receipt-note", "PZ/7/2026").await;
    click_nav(&d, "#receive-submit").await;
    assert!(
        text_of(&d, "#warehouse-error").await.starts_with("Ilość"),
        "the field is named in Polish"
    );
    let value = |id: &'static str| {
        let d = d.clone();
        async move { d.find(By::Id(id)).await.unwrap().prop("value").await.unwrap().unwrap() }
    };
    assert_eq!(value("receipt-product").await, second_product);
    assert_eq!(value("receipt-quantity").await, "4,5");
    assert_eq!(value("receipt-note").await, "PZ/7/2026");
    d.goto(format!("{}/warehouse", h.base)).await.unwrap();
    fill(&d, "receipt-quantity", "40").await;
    fill(&d, "receipt-note", "PZ/1/2026").await;
    click_nav(&d, "#receive-submit").await;
    let total = d
        .find_all(By::Css(format!("#stock tr[data-sku=\"{first_sku}\"] td.num")))
        .await
        .unwrap();
    assert_eq!(total.last().unwrap().text().await.unwrap(), "40", "the product's total");
    let movement = text_of(&d, "#movements-table tbody tr").await;
    assert!(movement.contains("+40") && movement.contains("PZ/1/2026"), "{movement}");
    assert!(
        d.find(By::Id("negative-stock")).await.is_err(),
        "no stock below zero yet"
    );
    // More out than there is (as a WZ can take it): said in words, not only in red.
    fill(&d, "receipt-quantity", "-45").await;
    fill(&d, "receipt-note", "inwentaryzacja").await;
    click_nav(&d, "#receive-submit").await;
    assert!(
        text_of(&d, "#negative-stock")
            .await
            .contains("1 produkt ma ujemny stan"),
        "the page says so"
    );
    // Annex 15 (split payment): the seller marks the first product.
    d.find(By::Css(format!(
        "#stock tr[data-sku=\"{first_sku}\"] select[name=annex15] option[value=tak]"
    )))
    .await
    .unwrap()
    .click()
    .await
    .unwrap();
    click_nav(&d, &format!("#stock tr[data-sku=\"{first_sku}\"] form.annex15 button")).await;
    let org = h
        .app
        .store()
        .user_by_email("anna@sklep.pl")
        .await
        .unwrap()
        .unwrap()
        .organisation_id;
    let marked = h
        .app
        .products(&app::CurrentUser::for_organisation(org))
        .await
        .unwrap()
        .into_iter()
        .find(|p| p.sku == first_sku)
        .unwrap();
    assert_eq!(marked.annex15, Some(true));
    assert_eq!(
        d.find(By::Css(format!(
            "#stock tr[data-sku=\"{first_sku}\"] select[name=annex15]"
        )))
        .await
        .unwrap()
        .prop("value")
        .await
        .unwrap()
        .as_deref(),
        Some("tak"),
        "the page shows the answer"
    );
    screenshot(&d, "backoffice-warehouse.png").await;
    d.quit().await.unwrap();
}
