//! NBP rates for foreign-currency invoices: the last business day's table or none, exact
//! digits, a seller's own table for their invoices only, and invoices waiting for a table
//! issued as soon as it is loaded.

use app::IssueOutcome;
use domain::{AccountSettings, calendar};

fn problem_of(e: &app::AppError) -> domain::Problem {
    match e {
        app::AppError::Validation { problem, .. } => problem.clone(),
        other => panic!("a refusal, not {other:?}"),
    }
}

/// Tuesday 1 December 2026 takes Monday's table, Monday 30 November Friday's: a table of
/// another day is refused, naming the day needed. A seller's own table serves their
/// invoices only and never outranks NBP's own; a bad file stores nothing.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn only_the_last_business_days_table_and_a_sellers_own_serves_only_them() {
    let shop = testkit::Shop::new(&testkit::sqlite_url(), 75).await;
    let (app, user, org) = (&shop.app, &shop.user, &shop.org);
    let (other_org, other) = testkit::owner(app, "Inny sklep", "ewa@inny.pl").await;
    app.load_rates("nbp.csv", "EUR;2026-11-27;4.2000;231/A/NBP/2026\n")
        .await
        .unwrap();
    let refused = app.exchange_rate(org, "EUR", "2026-12-01").await.unwrap_err();
    let p = problem_of(&refused);
    assert_eq!(
        (p.key.as_str(), p.arg_text("currency"), p.arg_text("day")),
        ("problem-nbp-rate-missing", "EUR".into(), "2026-11-30".into()),
        "Friday's table is not Monday's"
    );
    let monday = app.exchange_rate(org, "EUR", "2026-11-30").await.unwrap();
    assert_eq!(
        (monday.date.as_str(), monday.rate.to_string()),
        ("2026-11-27", "4.2000".into())
    );

    // The seller's own table of Monday: for their invoices, six decimals kept.
    let own = "# mój plik\nHUF;2026-11-30;0,011625;232/A/NBP/2026\nEUR;2026-11-30;4,2100;232/A/NBP/2026\n";
    assert_eq!(
        app.load_organisation_rates(user, "moje-kursy.csv", own).await.unwrap(),
        2
    );
    let huf = app.exchange_rate(org, "HUF", "2026-12-01").await.unwrap();
    assert_eq!(
        (huf.rate.to_string(), huf.table.as_str()),
        ("0.011625".into(), "232/A/NBP/2026")
    );
    assert!(
        app.exchange_rate(&other_org, "HUF", "2026-12-01").await.is_err(),
        "another organisation's invoices never take it"
    );
    // NBP's own table of the day outranks the seller's.
    app.load_rates("nbp.csv", "EUR;2026-11-30;4.2150;232/A/NBP/2026\n")
        .await
        .unwrap();
    assert_eq!(
        app.exchange_rate(org, "EUR", "2026-12-01")
            .await
            .unwrap()
            .rate
            .to_string(),
        "4.2150"
    );
    let on_record = app.rates_on_record(user, 10).await.unwrap();
    assert!(
        on_record
            .iter()
            .any(|r| r.rate.currency == "HUF" && r.own_file.as_deref() == Some("moje-kursy.csv"))
    );
    assert!(
        app.rates_on_record(&other, 10)
            .await
            .unwrap()
            .iter()
            .all(|r| r.own_file.is_none()),
        "nobody sees another organisation's file"
    );

    // A bad line: named with its file and line, nothing stored.
    for (text, key, line) in [
        (
            "CZK;2026-11-30;0,1712;233/A/NBP/2026\nCZK;2026-11-27;0,17123456;x\n",
            "problem-rates-rate",
            "2",
        ),
        ("CZK;2026-11-30;0,1712\n", "problem-rates-format", "1"),
        ("# nic\n", "problem-rates-empty", ""),
    ] {
        let e = app.load_organisation_rates(user, "zly.csv", text).await.unwrap_err();
        let p = problem_of(&e);
        assert_eq!(
            (p.key.as_str(), p.arg_text("file"), p.arg_text("line")),
            (key, "zly.csv".into(), line.into())
        );
    }
    assert_eq!(
        app.rates_on_record(user, 10).await.unwrap(),
        on_record,
        "nothing stored"
    );
}

/// Invoicing on, foreign orders and no tables: each invoice waits, the start page names the
/// tables needed; once the seller loads them the waiting invoices are issued at once, not
/// after their backoff.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn invoices_waiting_for_a_table_are_issued_once_it_is_loaded() {
    let clock = testkit::TestClock::real_time();
    let shop = testkit::Shop::with_clock(&testkit::sqlite_url(), 76, clock.clone()).await;
    let (seller, account) = shop.link_seller("sklep-waluty").await;
    let (app, user) = (&shop.app, &shop.user);
    app.save_invoicing_profile(user, &testkit::invoicing_profile("Sklep Waluty sp. z o.o."))
        .await
        .unwrap();
    let settings = AccountSettings {
        enabled: true,
        invoice_every_order: true,
        ..AccountSettings::default()
    };
    app.save_settings(user, &account, &settings).await.unwrap();
    shop.paid_orders(&seller, 60, 12, 4);
    app.sync_account(&account).await.unwrap();
    let done = app.issue_due_invoices(1_000).await.unwrap();
    let waiting = done
        .iter()
        .filter(|(_, r)| r.as_ref().is_err_and(|e| e.contains("problem-nbp-rate-missing")))
        .count();
    assert!(waiting > 0, "foreign orders wait for their tables: {done:?}");
    let missing = app.rates_missing(&shop.org).await.unwrap();
    assert_eq!(missing.iter().map(|m| m.2).sum::<i64>(), waiting as i64);
    assert!(missing.iter().all(|(c, day, _)| {
        let d: jiff::civil::Date = day.parse().unwrap();
        ["EUR", "CZK", "HUF"].contains(&c.as_str()) && calendar::is_business_day(d)
    }));
    assert_eq!(app.dashboard(user).await.unwrap().rates_missing, missing);

    // The seller loads exactly the tables named.
    let file: String = missing
        .iter()
        .map(|(c, day, _)| {
            format!(
                "{c};{day};{};100/A/NBP/2026\n",
                if c == "HUF" { "0,011625" } else { "4,2954" }
            )
        })
        .collect();
    app.load_organisation_rates(user, "kursy.csv", &file).await.unwrap();
    let done = app.issue_due_invoices(1_000).await.unwrap();
    let issued = done
        .iter()
        .filter(|(_, r)| matches!(r, Ok(IssueOutcome::Issued(_))))
        .count();
    assert_eq!(issued, waiting, "issued at once: {done:?}");
    assert!(app.rates_missing(&shop.org).await.unwrap().is_empty());
    assert!(app.dashboard(user).await.unwrap().rates_missing.is_empty());
}
