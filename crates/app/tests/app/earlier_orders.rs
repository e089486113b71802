//! "Faktury dla wcześniejszych zamówień" dates each order as its invoice will be dated.

use allegro_api_types::{CheckoutForm, PaymentType};
use app::IssueOutcome;

/// A cash-on-delivery order bought weeks before invoicing was switched on and not yet
/// picked up is not sold yet (art. 19a: the delivery decides): its invoice will carry the
/// day it is issued, so the count of invoices past their deadline must not include it —
/// while a prepaid order of the same age is late. The count equals what the invoices then
/// say.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn earlier_cash_on_delivery_orders_are_dated_as_their_invoices() {
    let shop = testkit::Shop::new(&testkit::sqlite_url(), 83).await;
    let (seller, account) = shop.link_seller("sklep-wczesniej").await;
    let (app, user) = (&shop.app, &shop.user);
    app.save_invoicing_profile(
        user,
        &domain::InvoicingProfile {
            bank_account: Some("61 1090 1014 0000 0712 1981 2874".into()),
            ..testkit::invoicing_profile("Sklep Przykładowy sp. z o.o.")
        },
    )
    .await
    .unwrap();
    app.load_rates("kursy.csv", &testkit::nbp_rates_file(90)).await.unwrap();
    // Sixty days back: many sales whose deadline (the 15th of the next month) has passed.
    shop.paid_orders(&seller, 80, 23, 60);
    app.sync_account(&account).await.unwrap();
    let now = app.now_ms();
    let day = domain::time::polish_day_text;
    let range = app::DateRange::parse(&day(now - 61 * 86_400_000), &day(now), now).unwrap();
    let import = app.create_import(&shop.org, &account, range, false).await.unwrap();
    app.run_import(&import.id, |_| true).await.unwrap();
    let on = domain::AccountSettings {
        enabled: true,
        invoice_every_order: true,
        ..domain::AccountSettings::default()
    };
    app.save_settings(user, &account, &on).await.unwrap();

    let today = domain::time::polish_day(now);
    let earlier = app.earlier_orders(user).await.unwrap();
    let orders = app.store().account_orders(&account).await.unwrap();
    let mut old_cod = Vec::new();
    let mut late_prepaid = 0;
    for id in &earlier.orders {
        let order = orders.iter().find(|o| &o.id == id).unwrap();
        let form: CheckoutForm = serde_json::from_str(&order.data).unwrap();
        let payment = form.payment.as_ref().unwrap();
        let sale_at = match (payment.payment_type, payment.finished_at) {
            (PaymentType::CashOnDelivery, _) => {
                if domain::calendar::invoice_deadline(domain::time::polish_day(order.bought_at_ms)) < today {
                    old_cod.push(id.clone());
                }
                continue;
            }
            (_, Some(paid)) => paid.as_millis(),
            (_, None) => order.bought_at_ms,
        };
        late_prepaid += usize::from(domain::calendar::invoice_deadline(domain::time::polish_day(sale_at)) < today);
    }
    assert!(
        !old_cod.is_empty(),
        "old cash-on-delivery orders among the earlier ones"
    );
    assert!(late_prepaid > 0, "late prepaid orders among them");
    assert_eq!(
        earlier.past_deadline, late_prepaid,
        "an old order not yet picked up is not late: {earlier:?}"
    );

    // The invoices say the same: an old COD order is sold today, on time.
    let done = app.invoice_earlier_orders(user, earlier.orders.len()).await.unwrap();
    let mut late = 0;
    for (id, result) in &done {
        let Ok(IssueOutcome::Issued(record)) = result else {
            panic!("{id}: {result:?}")
        };
        let (_, content) = app.invoice(user, &record.id).await.unwrap();
        if old_cod.contains(id) {
            assert_eq!(content.sale_date, today.to_string(), "{}", record.number);
            assert!(!app::issued_late(record));
        }
        late += usize::from(app::issued_late(record));
    }
    assert!(
        done.iter().all(|(_, r)| matches!(r, Ok(IssueOutcome::Issued(_)))),
        "{done:?}"
    );
    assert_eq!(late, earlier.past_deadline);
}
