//! Import by account and purchase-date range against the emulator: more orders than one
//! Allegro query can page (10 000), stopped midway and resumed, counted exactly.

use app::DateRange;
use store::{ImportState, UpsertCounts};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_large_range_is_split_resumed_and_counted() {
    let shop = testkit::Shop::new(&testkit::sqlite_url(), 5).await;
    let (seller, account) = shop.link_seller("duzy-sklep").await;
    let n = shop.paid_orders(&seller, 10_400, 9, 8);
    let (app, emu, org) = (&shop.app, &shop.emu, &shop.org);
    let now = app.now_ms();
    let day = |ms: i64| {
        jiff::Timestamp::from_millisecond(ms)
            .unwrap()
            .strftime("%Y-%m-%d")
            .to_string()
    };
    let range = DateRange::parse(&day(now - 9 * 86_400_000), &day(now), now).unwrap();
    let import = app.create_import(org, &account, range, false).await.unwrap();
    // Stop after 30 pages, as a crash would (every page is committed with its checkpoint).
    let mut pages = 0;
    let stopped = app
        .run_import(&import.id, |_| {
            pages += 1;
            pages < 30
        })
        .await
        .unwrap();
    assert_eq!(stopped.state, ImportState::Running);
    assert_eq!(stopped.fetched, 3_000);
    assert_eq!(
        stopped.expected,
        Some(n as i64),
        "the whole range's count, for the progress bar"
    );
    // Asking again for the same range resumes the same import.
    let resumed = app.create_import(org, &account, range, false).await.unwrap();
    assert_eq!(resumed.id, import.id);
    let before = emu.emulator.api_requests();
    let done = app.run_import(&import.id, |_| true).await.unwrap();
    let calls = emu.emulator.api_requests() - before;
    assert_eq!(done.state, ImportState::Done);
    assert_eq!(
        done.counts,
        UpsertCounts {
            new: n as u64,
            updated: 0,
            unchanged: 0
        },
        "same counts as an uninterrupted run"
    );
    assert_eq!(done.fetched, n as i64);
    assert_eq!(app.store().account_orders(&account).await.unwrap().len(), n);
    // 74 pages of 100 and a few window probes; never past offset + limit = 10 000 (the
    // emulator answers 422 there, which would have failed the run).
    assert!(calls <= 74 + 6, "{calls} API calls for the rest of the import");
    assert!(done.api_calls >= (n as i64) / 100, "{done:?}");
    // Importing the same range again finds every order unchanged.
    let again = app.create_import(org, &account, range, false).await.unwrap();
    assert_ne!(again.id, import.id);
    let again = app.run_import(&again.id, |_| true).await.unwrap();
    assert_eq!((again.counts.new, again.counts.unchanged), (0, n as u64));
}

#[test]
fn ranges_allegro_no_longer_keeps_are_refused() {
    let now = 1_795_453_217_923; // 2026-11-23
    let e = DateRange::parse("2025-11-01", "2025-12-01", now).unwrap_err();
    assert!(
        e.to_string()
            .contains("Allegro keeps orders for 12 months: the earliest purchase date you can import is 2025-11-24"),
        "{e}"
    );
    assert!(
        DateRange::parse("2026-11-10", "2026-11-01", now)
            .unwrap_err()
            .to_string()
            .starts_with("to:")
    );
    assert!(
        DateRange::parse("2026-11-30", "2026-12-01", now)
            .unwrap_err()
            .to_string()
            .contains("future")
    );
    assert!(DateRange::parse("2026-11-3", "x", now).is_err());
    let ok = DateRange::parse("2026-11-01", "2026-11-23", now).unwrap();
    assert_eq!(ok.to_ms - ok.from_ms, 23 * 86_400_000 - 1, "whole days, both inclusive");
}
