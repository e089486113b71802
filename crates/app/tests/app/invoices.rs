//! Issuing invoices for synced orders: the profile is checked, each order gets exactly one
//! invoice with the next number, totals equal what the buyer paid, company buyers are
//! named with their NIP, and every XML validates against FA(3).

use app::IssueOutcome;
use domain::InvoicingProfile;

fn validates(xml: &str) -> Result<(), String> {
    testkit::fa3_problems(xml).map_or(Ok(()), Err)
}

fn profile() -> InvoicingProfile {
    InvoicingProfile {
        bank_account: Some("61 1090 1014 0000 0712 1981 2874".into()),
        ..testkit::invoicing_profile("Sklep Przykładowy sp. z o.o.")
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_order_gets_one_valid_invoice_with_the_next_number() {
    let shop = testkit::Shop::new(&testkit::sqlite_url(), 71).await;
    let (seller, account) = shop.link_seller("sklep-fv").await;
    let (app, user) = (&shop.app, &shop.user);
    app.sync_account(&account).await.unwrap();
    shop.paid_orders(&seller, 60, 5, 10);
    app.sync_account(&account).await.unwrap();
    let orders = app.store().account_orders(&account).await.unwrap();
    assert_eq!(orders.len(), 60);
    // No profile yet: a clear refusal.
    let first = &orders[0].id;
    let refused = app.issue_invoice(user, first).await.unwrap_err().to_string();
    assert!(refused.contains("problem-profile-missing"), "{refused}");
    let mut bad = profile();
    bad.seller.nip = None;
    assert!(
        app.save_invoicing_profile(user, &bad)
            .await
            .unwrap_err()
            .to_string()
            .starts_with("nip:")
    );
    let mut bad = profile();
    bad.bank_account = Some("123".into());
    assert!(
        app.save_invoicing_profile(user, &bad)
            .await
            .unwrap_err()
            .to_string()
            .starts_with("bank_account:")
    );
    app.save_invoicing_profile(user, &profile()).await.unwrap();
    assert_eq!(app.invoicing_profile(user).await.unwrap(), Some(profile()));

    let mut issued = Vec::new();
    let mut companies = 0;
    for o in orders.iter().filter(|o| o.currency == "PLN" && o.status != "CANCELLED") {
        let IssueOutcome::Issued(inv) = app.issue_invoice(user, &o.id).await.unwrap() else {
            panic!("a new invoice for {}", o.id)
        };
        assert_eq!(
            inv.total_minor,
            o.total_minor.unwrap(),
            "the invoice totals what the buyer paid"
        );
        let (_, xml) = app.invoice_xml(user, &inv.id).await.unwrap();
        if let Err(problem) = validates(&xml) {
            panic!("{} does not validate:\n{problem}\n{xml}", inv.number);
        }
        let (_, content) = app.invoice(user, &inv.id).await.unwrap();
        if let Some(nip) = &content.buyer.nip {
            companies += 1;
            assert!(xml.contains(&format!("<NIP>{nip}</NIP>")));
        }
        issued.push(inv);
    }
    assert!(issued.len() > 20, "{} PLN orders", issued.len());
    assert!(companies > 0, "the generator makes company buyers with NIPs");
    // Numbers 1…n in the month, in order of issue.
    for (i, inv) in issued.iter().enumerate() {
        assert!(
            inv.number.starts_with(&format!("FV/{}/", i + 1)),
            "{} at {i}",
            inv.number
        );
    }
    // Asking again gives the same invoice; no number is used.
    let again = app.issue_invoice(user, &issued[3].order_id).await.unwrap();
    assert_eq!(again, IssueOutcome::AlreadyIssued(issued[3].clone()));
    let (page, total) = app
        .invoices(
            user,
            &store::InvoiceFilter {
                number: issued[3].number.clone(),
                ..Default::default()
            },
            0,
            50,
        )
        .await
        .unwrap();
    assert!(total >= 1 && page.iter().any(|i| i.id == issued[3].id));
    // Foreign currencies wait for the NBP rate, said plainly.
    if let Some(foreign) = orders.iter().find(|o| o.currency != "PLN") {
        let e = app.issue_invoice(user, &foreign.id).await.unwrap_err().to_string();
        assert!(e.contains("problem-nbp-rate-missing"), "{e}");
    }
}

/// A cancelled order's invoice is taken back by one correction (KOR) that mirrors it,
/// references it, validates, and is issued once.
/// A shop with 30 synced orders and a VAT invoice for one paid PLN order:
/// (shop, account, that order, its invoice).
async fn invoiced_order(
    seed: u64,
    login: &str,
) -> (
    testkit::Shop,
    domain::AccountId,
    store::OrderRecord,
    store::InvoiceRecord,
) {
    let shop = testkit::Shop::new(&testkit::sqlite_url(), seed).await;
    let (seller, account) = shop.link_seller(login).await;
    shop.paid_orders(&seller, 30, seed, 5);
    shop.app.sync_account(&account).await.unwrap();
    shop.app.save_invoicing_profile(&shop.user, &profile()).await.unwrap();
    let order = shop
        .app
        .store()
        .account_orders(&account)
        .await
        .unwrap()
        .into_iter()
        .find(|o| o.currency == "PLN" && o.status == "READY_FOR_PROCESSING")
        .unwrap();
    let IssueOutcome::Issued(original) = shop.app.issue_invoice(&shop.user, &order.id).await.unwrap() else {
        panic!("issued")
    };
    (shop, account, order, original)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cancelled_order_gets_one_correction() {
    let (shop, account, order, original) = invoiced_order(72, "sklep-kor").await;
    let (app, user) = (&shop.app, &shop.user);
    // Not cancelled: nothing to correct.
    assert!(app.issue_correction(user, &order.id).await.is_err());
    let moved = reqwest::Client::new()
        .post(format!("{}/__emulator/orders/{}/status", shop.emu.base_url, order.id))
        .json(&serde_json::json!({"status": "CANCELLED"}))
        .send()
        .await
        .unwrap();
    assert!(moved.status().is_success(), "{}", moved.text().await.unwrap());
    app.sync_account(&account).await.unwrap();
    let done = app.issue_due_invoices(100).await.unwrap();
    let corrections: Vec<_> = done
        .iter()
        .filter_map(|(o, r)| match r {
            Ok(IssueOutcome::Issued(inv)) if inv.kind == domain::InvoiceKind::Correction => {
                Some((o.clone(), inv.clone()))
            }
            _ => None,
        })
        .collect();
    assert_eq!(corrections.len(), 1, "{done:?}");
    let (for_order, kor) = &corrections[0];
    assert_eq!(for_order, &order.id);
    assert!(kor.number.starts_with("KOR/1/"), "{}", kor.number);
    assert_eq!(kor.total_minor, -original.total_minor);
    let (_, xml) = app.invoice_xml(user, &kor.id).await.unwrap();
    validates(&xml).unwrap_or_else(|p| panic!("{p}\n{xml}"));
    assert!(xml.contains("<RodzajFaktury>KOR</RodzajFaktury>"));
    assert!(xml.contains(&format!("<NrFaKorygowanej>{}</NrFaKorygowanej>", original.number)));
    // Once only.
    let again = app.issue_due_invoices(100).await.unwrap();
    assert!(
        again
            .iter()
            .all(|(_, r)| !matches!(r, Ok(IssueOutcome::Issued(i)) if i.kind == domain::InvoiceKind::Correction))
    );
    assert_eq!(
        app.issue_correction(user, &order.id).await.unwrap(),
        IssueOutcome::AlreadyIssued(kor.clone())
    );
}

/// An order Allegro marks returned (every item back and refunded) gets a correction too,
/// for the goods' return, once; its XML validates and its PDF says why.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_returned_order_gets_one_correction() {
    let (shop, account, order, original) = invoiced_order(73, "sklep-zwrot").await;
    let (app, user) = (&shop.app, &shop.user);
    // Sent, then returned.
    for step in [
        allegro_api_types::FulfillmentStatus::Sent,
        allegro_api_types::FulfillmentStatus::Returned,
    ] {
        shop.emu
            .emulator
            .move_order(order.id.as_str(), None, Some(step))
            .unwrap();
    }
    app.sync_account(&account).await.unwrap();
    let done = app.issue_due_invoices(100).await.unwrap();
    let kor = done
        .iter()
        .find_map(|(o, r)| match r {
            Ok(IssueOutcome::Issued(inv)) if inv.kind == domain::InvoiceKind::Correction && o == &order.id => {
                Some(inv.clone())
            }
            _ => None,
        })
        .unwrap_or_else(|| panic!("a correction for the returned order: {done:?}"));
    assert_eq!(kor.total_minor, -original.total_minor);
    let (_, content) = app.invoice(user, &kor.id).await.unwrap();
    let of = content.correction_of.unwrap();
    assert_eq!(
        (of.number.as_str(), of.reason.as_str()),
        (original.number.as_str(), "Zwrot towaru")
    );
    let (_, xml) = app.invoice_xml(user, &kor.id).await.unwrap();
    validates(&xml).unwrap_or_else(|p| panic!("{p}\n{xml}"));
    let (_, pdf) = app.invoice_pdf(user, &kor.id, app::PdfLanguage::Polish).await.unwrap();
    assert!(pdf.starts_with(b"%PDF-"));
    assert!(
        app.issue_due_invoices(100)
            .await
            .unwrap()
            .iter()
            .all(|(_, r)| !matches!(r, Ok(IssueOutcome::Issued(_)))),
        "once only"
    );
}

/// "Invoice every order" and "delivery at the goods' rate": the worker's pass invoices
/// every paid PLN order, with delivery lines at the goods' rates.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_order_with_delivery_following_the_goods() {
    let shop = testkit::Shop::new(&testkit::sqlite_url(), 73).await;
    let (seller, account) = shop.link_seller("sklep-wszystkie").await;
    let (app, user) = (&shop.app, &shop.user);
    app.save_invoicing_profile(user, &profile()).await.unwrap();
    app.save_settings(
        user,
        &account,
        &domain::AccountSettings {
            enabled: true,
            invoice_every_order: true,
            delivery_follows_goods: true,
            vat_delivery: domain::VatRate::Standard23,
            ..domain::AccountSettings::default()
        },
    )
    .await
    .unwrap();
    shop.paid_orders(&seller, 40, 9, 5);
    app.sync_account(&account).await.unwrap();
    let paid_pln = app
        .store()
        .account_orders(&account)
        .await
        .unwrap()
        .iter()
        // Cash on delivery waits for the pickup (a_cash_on_delivery_invoice_waits_for_the_sale).
        .filter(|o| {
            o.currency == "PLN"
                && o.status == "READY_FOR_PROCESSING"
                && !o.data.contains("\"type\":\"CASH_ON_DELIVERY\"")
        })
        .count();
    let done = app.issue_due_invoices(1_000).await.unwrap();
    let issued: Vec<_> = done
        .iter()
        .filter_map(|(_, r)| match r {
            Ok(IssueOutcome::Issued(i)) => Some(i.clone()),
            _ => None,
        })
        .collect();
    assert_eq!(issued.len(), paid_pln, "every paid PLN order: {done:?}");
    for inv in &issued {
        let (_, content) = app.invoice(user, &inv.id).await.unwrap();
        let goods_rates: Vec<_> = content
            .summary
            .lines
            .iter()
            .filter(|l| !l.delivery)
            .map(|l| l.rate)
            .collect();
        for d in content.summary.lines.iter().filter(|l| l.delivery) {
            assert!(
                goods_rates.contains(&d.rate),
                "delivery at {:?}, goods at {goods_rates:?}",
                d.rate
            );
        }
    }
}

/// Foreign-currency orders (allegro.cz/.sk/.hu): with NBP's rates loaded from a file, the
/// invoice carries the rate of the day before payment and VAT in PLN, and validates.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn foreign_currency_invoices_use_the_nbp_rate_of_the_day_before() {
    let shop = testkit::Shop::new(&testkit::sqlite_url(), 74).await;
    let (seller, account) = shop.link_seller("sklep-eu").await;
    let (app, user) = (&shop.app, &shop.user);
    app.save_invoicing_profile(user, &profile()).await.unwrap();
    shop.paid_orders(&seller, 80, 10, 5);
    app.sync_account(&account).await.unwrap();
    let foreign: Vec<_> = app
        .store()
        .account_orders(&account)
        .await
        .unwrap()
        .into_iter()
        .filter(|o| o.currency != "PLN" && o.status == "READY_FOR_PROCESSING")
        .collect();
    assert!(!foreign.is_empty(), "the generator sells on allegro.cz/.sk/.hu");
    // Without rates: refused, saying what to do.
    let e = app.issue_invoice(user, &foreign[0].id).await.unwrap_err().to_string();
    assert!(e.contains("problem-nbp-rate-missing"), "{e}");
    // NBP's tables of the last 20 days: business days only, the forint with six decimals.
    let file = testkit::nbp_rates_file(20);
    let tables = file.lines().filter(|l| !l.starts_with('#')).count();
    assert!(
        app.load_rates("kursy.csv", "EUR;2026-13-01;4,2;x")
            .await
            .unwrap_err()
            .to_string()
            .contains(r#"problem-rates-date file="kursy.csv", line="1", value="2026-13-01""#)
    );
    assert_eq!(app.load_rates("kursy.csv", &file).await.unwrap(), tables);
    for o in &foreign {
        let IssueOutcome::Issued(inv) = app.issue_invoice(user, &o.id).await.unwrap() else {
            panic!("issued")
        };
        let (_, content) = app.invoice(user, &inv.id).await.unwrap();
        let rate = content.exchange.as_ref().expect("an NBP rate");
        let form: allegro_client::types::CheckoutForm = serde_json::from_str(&o.data).unwrap();
        let paid = form
            .payment
            .as_ref()
            .and_then(|p| p.finished_at)
            .map_or(o.bought_at_ms, |t| t.as_millis());
        // The payment's Polish calendar day, not UTC's (a payment at 00:30 in Warsaw on the
        // 1st takes the rate of the last business day of the month before).
        let paid_day = domain::time::polish_day(paid);
        assert_eq!(
            rate.date,
            domain::calendar::last_business_day_before(paid_day).to_string(),
            "the last business day before payment"
        );
        if o.currency == "HUF" {
            assert_eq!(rate.rate.parts().1, 6, "six decimals, as published: {}", rate.rate);
            assert!(xml_has_rate(app, user, &inv.id, &rate.rate.to_string()).await);
        }
        let (_, xml) = app.invoice_xml(user, &inv.id).await.unwrap();
        validates(&xml).unwrap_or_else(|p| panic!("{p}\n{xml}"));
        assert!(xml.contains("<KursWaluty>") && xml.contains("W>"), "VAT in PLN: {xml}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_invoice_issued_after_midnight_in_warsaw_belongs_to_the_polish_month() {
    // (instant of issue in UTC ms, what it is in Warsaw, the issue date, the number).
    let cases = [
        (
            1_796_081_400_000,
            "30 Nov 23:30 UTC = 1 Dec 00:30 CET",
            "2026-12-01",
            "FV/1/12/2026",
        ),
        (
            1_798_759_800_000,
            "31 Dec 23:30 UTC = 1 Jan 00:30 CET",
            "2027-01-01",
            "FV/1/01/2027",
        ),
        (
            1_792_881_000_000,
            "24 Oct 22:30 UTC = 25 Oct 00:30 CEST, the night DST ends",
            "2026-10-25",
            "FV/1/10/2026",
        ),
        (
            1_774_740_600_000,
            "28 Mar 23:30 UTC = 29 Mar 00:30 CET, the night DST starts",
            "2026-03-29",
            "FV/1/03/2026",
        ),
    ];
    for (at, when, day, number) in cases {
        let clock = std::sync::Arc::new(testkit::TestClock(std::sync::atomic::AtomicI64::new(at)));
        let shop = testkit::Shop::with_clock(&testkit::sqlite_url(), 77, clock.clone()).await;
        let (_, account) = shop.link_seller("sklep-polnoc").await;
        let (app, user) = (&shop.app, &shop.user);
        app.save_invoicing_profile(user, &profile()).await.unwrap();
        // An order from a file (its own clock, whatever Allegro's says), bought the day before.
        let bought = domain::time::polish_time_text(at - 86_400_000);
        let csv = format!(
            "order_id;bought_at;buyer_login;offer_name;quantity;unit_price\nNOC-1;{bought};kupujacy;Kubek;1;49,99\n"
        );
        app.import_file(
            user,
            &account,
            "noc.csv",
            bytes::Bytes::from(csv.into_bytes()),
            None,
            app::order_files::Encoding::Auto,
        )
        .await
        .unwrap();
        let order = app
            .store()
            .account_orders(&account)
            .await
            .unwrap()
            .into_iter()
            .next()
            .unwrap_or_else(|| panic!("{when}: the file's order"));
        let IssueOutcome::Issued(inv) = app.issue_invoice(user, &order.id).await.unwrap() else {
            panic!("issued")
        };
        assert_eq!(inv.issue_date, day, "{when}: the Polish day of issue");
        assert_eq!(inv.number, number, "{when}: numbered in the Polish month's series");
        let (_, xml) = app.invoice_xml(user, &inv.id).await.unwrap();
        assert!(xml.contains(&format!("<P_1>{day}</P_1>")), "{when}");
    }
}

/// Whether the invoice's FA(3) carries `rate` as its lines' `KursWaluty`.
async fn xml_has_rate(app: &app::App, user: &app::CurrentUser, invoice: &domain::InvoiceId, rate: &str) -> bool {
    let (_, xml) = app.invoice_xml(user, invoice).await.unwrap();
    xml.contains(&format!("<KursWaluty>{rate}</KursWaluty>"))
}

/// Switching invoicing on never back-dates: orders paid before it, and orders an import
/// brings in, wait for the explicit action (which says how many, of which days, and how
/// many are past the deadline); orders paid after it are invoiced automatically.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn switching_invoicing_on_never_backdates() {
    let shop = testkit::Shop::new(&testkit::sqlite_url(), 78).await;
    let (seller, account) = shop.link_seller("sklep-wlacz").await;
    let (app, user, org) = (&shop.app, &shop.user, &shop.org);
    app.save_invoicing_profile(user, &profile()).await.unwrap();
    app.load_rates("kursy.csv", &testkit::nbp_rates_file(70)).await.unwrap();
    let paid = |orders: &[store::OrderRecord]| {
        orders
            .iter()
            .filter(|o| o.status.is_ready_for_processing())
            .map(|o| o.id.clone())
            .collect::<std::collections::BTreeSet<_>>()
    };
    let issued_now = |done: &[(domain::OrderId, Result<IssueOutcome, String>)]| {
        done.iter()
            .filter(|(_, r)| matches!(r, Ok(IssueOutcome::Issued(_))))
            .map(|(o, _)| o.clone())
            .collect::<std::collections::BTreeSet<_>>()
    };
    shop.paid_orders(&seller, 12, 1, 5);
    app.sync_account(&account).await.unwrap();
    let before = paid(&app.store().account_orders(&account).await.unwrap());
    assert!(!before.is_empty());

    let on = domain::AccountSettings {
        enabled: true,
        invoice_every_order: true,
        ..domain::AccountSettings::default()
    };
    app.save_settings(user, &account, &on).await.unwrap();
    assert!(
        issued_now(&app.issue_due_invoices(1_000).await.unwrap()).is_empty(),
        "nothing back-dated"
    );

    // October's orders brought in by an import stay history too.
    let stored = app.store().account_orders(&account).await.unwrap().len();
    shop.paid_orders(&seller, 10, 2, 45);
    let now = app.now_ms();
    let day = domain::time::polish_day_text;
    let range = app::DateRange::parse(&day(now - 50 * 86_400_000), &day(now), now).unwrap();
    let import = app.create_import(org, &account, range, false).await.unwrap();
    app.run_import(&import.id, |_| true).await.unwrap();
    app.sync_account(&account).await.unwrap();
    let all = app.store().account_orders(&account).await.unwrap();
    assert!(all.len() > stored, "the import brought orders");
    let imported = &paid(&all) - &before;
    assert!(!imported.is_empty(), "paid orders among them");
    // Re-saving the settings while on does not move the moment invoicing started.
    app.save_settings(user, &account, &on).await.unwrap();
    assert!(
        issued_now(&app.issue_due_invoices(1_000).await.unwrap()).is_empty(),
        "imports are history"
    );

    // Paid after switching on: invoiced automatically.
    shop.paid_orders(&seller, 5, 3, 1);
    app.sync_account(&account).await.unwrap();
    let after = &(&paid(&app.store().account_orders(&account).await.unwrap()) - &before) - &imported;
    assert!(!after.is_empty());
    assert_eq!(issued_now(&app.issue_due_invoices(1_000).await.unwrap()), after);

    // The explicit action: how many, which days, how many late — then each once.
    let earlier = app.earlier_orders(user).await.unwrap();
    let expected: std::collections::BTreeSet<_> = before.union(&imported).cloned().collect();
    assert_eq!(
        earlier
            .orders
            .iter()
            .cloned()
            .collect::<std::collections::BTreeSet<_>>(),
        expected
    );
    let today = domain::time::polish_day(now);
    let first: jiff::civil::Date = earlier.first_day.as_deref().unwrap().parse().unwrap();
    assert!(first < today && earlier.last_day.is_some());
    assert_eq!(
        earlier.past_deadline > 0,
        domain::calendar::invoice_deadline(first) < today,
        "{earlier:?}"
    );
    let done = app.invoice_earlier_orders(user, earlier.orders.len()).await.unwrap();
    assert!(
        done.iter().all(|(_, r)| matches!(r, Ok(IssueOutcome::Issued(_)))),
        "{done:?}"
    );
    assert_eq!(done.len(), expected.len());
    assert!(app.earlier_orders(user).await.unwrap().orders.is_empty());
    // Those past their deadline are marked late; the rest are not.
    let mut late = 0;
    for (_, r) in &done {
        let Ok(IssueOutcome::Issued(record)) = r else {
            unreachable!()
        };
        let (_, content) = app.invoice(user, &record.id).await.unwrap();
        let sale: jiff::civil::Date = content.sale_date.parse().unwrap();
        let due = domain::calendar::invoice_deadline(sale) < today;
        assert_eq!(app::issued_late(record), due, "{} sold {sale}", record.number);
        late += usize::from(due);
    }
    assert_eq!(late, earlier.past_deadline);
}

/// Buyers on allegro.cz/.sk/.hu may cancel within five minutes of buying: the emulator lets
/// them (and refuses on allegro.pl or later), and their invoices wait out the window — by
/// hand too — so a cancelled purchase is never invoiced.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn foreign_buyers_five_minutes_to_cancel_are_waited_out() {
    let clock = testkit::TestClock::real_time();
    let shop = testkit::Shop::with_clock(&testkit::sqlite_url(), 79, clock.clone()).await;
    let (seller, account) = shop.link_seller("sklep-piec-minut").await;
    let (app, user, emu) = (&shop.app, &shop.user, &shop.emu.emulator);
    app.save_invoicing_profile(user, &profile()).await.unwrap();
    app.load_rates("kursy.csv", &testkit::nbp_rates_file(10)).await.unwrap();
    let on = domain::AccountSettings {
        enabled: true,
        invoice_every_order: true,
        ..domain::AccountSettings::default()
    };
    app.save_settings(user, &account, &on).await.unwrap();
    // Bought within the last minute, paid two seconds later.
    emu.generate_orders(
        &seller,
        allegro_emulator::OrderPlan {
            count: 40,
            seed: 5,
            days: 1,
            pending_share: 1.0,
            pay_within_seconds: 2,
        },
    )
    .unwrap();
    emu.advance_clock(3);
    app.sync_account(&account).await.unwrap();
    let orders = app.store().account_orders(&account).await.unwrap();
    let paid: Vec<_> = orders.iter().filter(|o| o.status.is_ready_for_processing()).collect();
    let abroad: Vec<_> = paid
        .iter()
        .filter(|o| o.marketplace.as_deref() != Some("allegro-pl"))
        .collect();
    // Cash on delivery waits for its pickup anyway; the window is about paid orders.
    let home: Vec<_> = paid
        .iter()
        .filter(|o| o.marketplace.as_deref() == Some("allegro-pl") && !o.data.contains("\"type\":\"CASH_ON_DELIVERY\""))
        .collect();
    assert!(abroad.len() >= 2 && !home.is_empty(), "{abroad:?}");

    let done = app.issue_due_invoices(1_000).await.unwrap();
    let issued: Vec<_> = done
        .iter()
        .filter(|(_, r)| matches!(r, Ok(IssueOutcome::Issued(_))))
        .map(|(o, _)| o.clone())
        .collect();
    assert!(
        abroad.iter().all(|o| !issued.contains(&o.id)),
        "the window is waited out"
    );
    assert!(home.iter().all(|o| issued.contains(&o.id)), "allegro.pl goes at once");
    let by_hand = app.issue_invoice(user, &abroad[0].id).await.unwrap_err();
    assert!(
        matches!(&by_hand, app::AppError::Conflict(p) if p.key == "problem-buyer-may-cancel"),
        "{by_hand:?}"
    );

    // The buyer cancels in time; a buyer on allegro.pl cannot.
    emu.buyer_cancel(abroad[0].id.as_str()).unwrap();
    assert!(emu.buyer_cancel(home[0].id.as_str()).is_err());
    // Five minutes on, nobody can.
    clock.advance_ms(5 * 60 * 1000 + 1_000);
    emu.advance_clock(301);
    assert!(
        emu.buyer_cancel(abroad[1].id.as_str())
            .unwrap_err()
            .contains("five minutes")
    );
    app.sync_account(&account).await.unwrap();
    let done = app.issue_due_invoices(1_000).await.unwrap();
    let issued: Vec<_> = done
        .iter()
        .filter(|(_, r)| matches!(r, Ok(IssueOutcome::Issued(_))))
        .map(|(o, _)| o.clone())
        .collect();
    assert!(
        !issued.contains(&abroad[0].id),
        "the cancelled purchase is never invoiced"
    );
    assert!(abroad[1..].iter().all(|o| issued.contains(&o.id)), "{done:?}");
}

/// Cash on delivery: the automatic invoice waits for the sale — the pickup by default, the
/// sending when the seller counts it so — and says how it is paid.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cash_on_delivery_invoice_waits_for_the_sale() {
    let shop = testkit::Shop::new(&testkit::sqlite_url(), 81).await;
    let (seller, account) = shop.link_seller("sklep-pobranie").await;
    let (app, user, emu) = (&shop.app, &shop.user, &shop.emu.emulator);
    app.save_invoicing_profile(user, &profile()).await.unwrap();
    let mut on = domain::AccountSettings {
        enabled: true,
        invoice_every_order: true,
        ..domain::AccountSettings::default()
    };
    app.save_settings(user, &account, &on).await.unwrap();
    shop.paid_orders(&seller, 60, 21, 3);
    app.sync_account(&account).await.unwrap();
    let cod: Vec<_> = app
        .store()
        .account_orders(&account)
        .await
        .unwrap()
        .into_iter()
        .filter(|o| {
            o.status.is_ready_for_processing()
                && o.currency == "PLN"
                && o.data.contains("\"type\":\"CASH_ON_DELIVERY\"")
        })
        .collect();
    assert!(cod.len() >= 2, "the generator sells cash on delivery");
    let issued = |done: Vec<(domain::OrderId, Result<IssueOutcome, String>)>| -> Vec<domain::OrderId> {
        done.into_iter()
            .filter(|(_, r)| matches!(r, Ok(IssueOutcome::Issued(_))))
            .map(|(o, _)| o)
            .collect()
    };
    let first = issued(app.issue_due_invoices(1_000).await.unwrap());
    assert!(cod.iter().all(|o| !first.contains(&o.id)), "not sold yet");

    // Sent: by default still not the sale.
    let set = |id: &domain::OrderId, f: allegro_api_types::FulfillmentStatus| {
        emu.move_order(id.as_str(), None, Some(f)).unwrap()
    };
    set(&cod[0].id, allegro_api_types::FulfillmentStatus::Sent);
    app.sync_account(&account).await.unwrap();
    assert!(!issued(app.issue_due_invoices(1_000).await.unwrap()).contains(&cod[0].id));
    // Picked up and paid: invoiced, paid on pickup, sold that day.
    set(&cod[0].id, allegro_api_types::FulfillmentStatus::PickedUp);
    app.sync_account(&account).await.unwrap();
    assert!(issued(app.issue_due_invoices(1_000).await.unwrap()).contains(&cod[0].id));
    let today = domain::time::polish_day_text(app.now_ms());
    let invoice = &app.order_invoices(user, &cod[0].id).await.unwrap()[0];
    let (_, content) = app.invoice(user, &invoice.id).await.unwrap();
    assert_eq!(content.sale_date, today);
    assert!(
        matches!(&content.payment, domain::Payment::Paid { description, .. } if description.starts_with("Za pobraniem"))
    );

    // Counted from sending: invoiced once sent, still to be paid on delivery.
    on.cod_sale_when_sent = true;
    app.save_settings(user, &account, &on).await.unwrap();
    set(&cod[1].id, allegro_api_types::FulfillmentStatus::Sent);
    app.sync_account(&account).await.unwrap();
    assert!(issued(app.issue_due_invoices(1_000).await.unwrap()).contains(&cod[1].id));
    let invoice = &app.order_invoices(user, &cod[1].id).await.unwrap()[0];
    let (_, content) = app.invoice(user, &invoice.id).await.unwrap();
    assert_eq!(content.sale_date, today);
    assert!(matches!(content.payment, domain::Payment::OnDelivery { .. }));
    let (_, xml) = app.invoice_xml(user, &invoice.id).await.unwrap();
    assert_eq!(testkit::fa3_problems(&xml), None);
}
