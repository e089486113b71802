//! The REST endpoints: paging beyond the 10 000-order window, filters, events and errors.

use super::*;

async fn collect<S: Stream<Item = Result<CheckoutForm, AllegroError>>>(stream: S) -> Vec<CheckoutForm> {
    let mut stream = std::pin::pin!(stream);
    let mut out = Vec::new();
    while let Some(item) = std::future::poll_fn(|cx| stream.as_mut().poll_next(cx)).await {
        out.push(item.unwrap());
    }
    out
}

#[tokio::test]
async fn paging_splits_the_date_range_beyond_ten_thousand() {
    let w = world(12_500).await;
    let tokens = link(&w).await;
    let account = w.api.account(w.oauth.client_id(), &tokens.access_token);
    let too_far = CheckoutFormsQuery {
        offset: 9_950,
        limit: 100,
        ..Default::default()
    };
    assert!(matches!(
        account.checkout_forms(&too_far).await,
        Err(AllegroError::InvalidRequest(_))
    ));

    let all = collect(account.checkout_forms_all(CheckoutFormsQuery::default(), w.emu.emulator.now_ms())).await;
    let unique: std::collections::HashSet<_> = all.iter().map(|f| f.id.clone()).collect();
    assert_eq!(unique.len(), 12_500);
    assert_eq!(all.len(), 12_500);
    let stats: serde_json::Value = reqwest::get(format!("{}/__emulator/stats", w.emu.base_url))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(
        stats["by_status"].get("422").is_none(),
        "never asked past the window: {stats}"
    );
    // The physical minimum is 125 pages; splitting costs a few first pages more.
    let pages = stats["by_endpoint"]["GET /order/checkout-forms"].as_u64().unwrap();
    assert!(pages < 140, "{pages} list calls for 12 500 orders");
}

#[tokio::test]
async fn filters_events_and_errors() {
    let w = world(300).await;
    let tokens = link(&w).await;
    let account = w.api.account(w.oauth.client_id(), &tokens.access_token);
    let cancelled = account
        .checkout_forms(&CheckoutFormsQuery {
            status: Some(CheckoutFormStatus::Cancelled),
            ..Default::default()
        })
        .await
        .unwrap();
    assert!(cancelled.total_count > 0);
    assert!(
        cancelled
            .checkout_forms
            .iter()
            .all(|f| f.status == CheckoutFormStatus::Cancelled)
    );
    let cz = account
        .checkout_forms(&CheckoutFormsQuery {
            marketplace_id: Some("allegro-cz".into()),
            ..Default::default()
        })
        .await
        .unwrap();
    assert!(
        cz.checkout_forms
            .iter()
            .all(|f| f.summary.total_to_pay.currency == "CZK")
    );

    let mut events = Vec::new();
    loop {
        let from = events.last().map(|e: &OrderEvent| e.id.clone());
        let page = account.order_events(from.as_deref(), &[], 1000).await.unwrap().events;
        if page.is_empty() {
            break;
        }
        events.extend(page);
    }
    assert!(events.len() >= 300);
    assert!(
        events
            .windows(2)
            .all(|p| p[0].id.parse::<u64>().unwrap() < p[1].id.parse::<u64>().unwrap())
    );
    let last = events.last().unwrap().id.clone();
    let stats = account.order_event_stats().await.unwrap();
    assert_eq!(stats.latest_event.unwrap().id, last);
    assert!(
        account
            .order_events(Some(&last), &[], 100)
            .await
            .unwrap()
            .events
            .is_empty()
    );

    let missing = account
        .checkout_form("00000000-0000-4000-8000-000000000000")
        .await
        .unwrap_err();
    assert_eq!(missing.status(), Some(404));
    assert_eq!(missing.code(), Some("CheckoutFormNotFoundException"));
    assert_eq!(
        account.checkout_form("not-a-uuid").await.unwrap_err().status(),
        Some(422)
    );

    // Fulfillment with revision: stale revision → 409; RETURNED → 422.
    let order = &cancelled.checkout_forms[0];
    let ready = account
        .checkout_forms(&CheckoutFormsQuery {
            status: Some(CheckoutFormStatus::ReadyForProcessing),
            limit: 1,
            ..Default::default()
        })
        .await
        .unwrap()
        .checkout_forms
        .remove(0);
    let stale = account
        .set_fulfillment(&ready.id, FulfillmentStatus::Processing, Some("deadbeef"))
        .await
        .unwrap_err();
    assert_eq!(stale.status(), Some(409));
    account
        .set_fulfillment(&ready.id, FulfillmentStatus::Processing, ready.revision.as_deref())
        .await
        .unwrap();
    let returned = account
        .set_fulfillment(&order.id, FulfillmentStatus::Returned, None)
        .await
        .unwrap_err();
    assert_eq!(returned.status(), Some(422));
    let after = account
        .order_events(Some(&last), &[OrderEventType::FulfillmentStatusChanged], 10)
        .await
        .unwrap();
    assert_eq!(after.events.len(), 1);

    // Shipments: validated against carriers; empty lineItems = all.
    let carriers = account.carriers().await.unwrap().carriers.unwrap();
    assert!(carriers.iter().any(|c| c.id.as_deref() == Some("INPOST")));
    let created = account
        .add_shipment(
            &ready.id,
            &CheckoutFormAddWaybillRequest {
                carrier_id: "INPOST".into(),
                waybill: "620000000000012345678901".into(),
                carrier_name: None,
                line_items: None,
            },
        )
        .await
        .unwrap();
    assert_eq!(created.line_items.unwrap().len(), ready.line_items.len());
    let too_long = account
        .add_shipment(
            &ready.id,
            &CheckoutFormAddWaybillRequest {
                carrier_id: "DPD".into(),
                waybill: "X".repeat(65),
                carrier_name: None,
                line_items: None,
            },
        )
        .await
        .unwrap_err();
    assert_eq!(too_long.status(), Some(400));
    assert_eq!(account.shipments(&ready.id).await.unwrap().shipments.unwrap().len(), 1);

    // Invoices: metadata then the PDF; the scan is WAITING, then ACCEPTED.
    let invoice = account
        .add_invoice(&ready.id, "FV_1_11_2026.pdf", Some("FV/1/11/2026"))
        .await
        .unwrap()
        .id
        .unwrap();
    let not_pdf = account
        .upload_invoice_file(&ready.id, &invoice, b"hello".to_vec())
        .await
        .unwrap_err();
    assert_eq!(not_pdf.code(), Some("FILE-CONTENT-INVALID"));
    let big = account
        .upload_invoice_file(&ready.id, &invoice, vec![b'%'; 3 * 1024 * 1024 + 10])
        .await
        .unwrap_err();
    assert_eq!(big.status(), Some(413));
    account
        .upload_invoice_file(&ready.id, &invoice, b"%PDF-1.7 test".to_vec())
        .await
        .unwrap();
    let again = account
        .upload_invoice_file(&ready.id, &invoice, b"%PDF-1.7 test".to_vec())
        .await
        .unwrap_err();
    assert_eq!(again.status(), Some(409));
    let listed = account.invoices(&ready.id).await.unwrap().invoices.unwrap();
    assert_eq!(
        listed[0]
            .file
            .as_ref()
            .unwrap()
            .security_verification
            .as_ref()
            .unwrap()
            .status
            .as_deref(),
        Some("WAITING")
    );
    w.emu.emulator.advance_clock(6);
    let listed = account.invoices(&ready.id).await.unwrap().invoices.unwrap();
    assert_eq!(
        listed[0]
            .file
            .as_ref()
            .unwrap()
            .security_verification
            .as_ref()
            .unwrap()
            .status
            .as_deref(),
        Some("ACCEPTED")
    );

    // Offers and their VAT settings.
    let offers = account
        .offers(&[("publication.status", "ACTIVE")], 0, 50)
        .await
        .unwrap();
    let first = offers.offers.unwrap().remove(0);
    let detail = account.product_offer(first.id.as_deref().unwrap()).await.unwrap();
    assert!(detail.tax_settings.unwrap().rates[0].rate.is_some());
}
