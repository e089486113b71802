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
    // Polish calendar days, as the import reads them.
    let day = domain::time::polish_day_text;
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
        e.to_string().contains(r#"problem-range-too-old earliest="2025-11-24""#),
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

/// Finding 5 of the security probe: a file is staged and published in short transactions
/// (never one long write lock), all or nothing: a process stopped while staging leaves
/// nothing published and the import failed with a word; one stopped while publishing is
/// finished by the worker.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_file_is_staged_then_published_and_a_stopped_one_is_finished_or_dropped() {
    let clock = testkit::TestClock::real_time();
    let shop = testkit::Shop::with_clock(&testkit::sqlite_url(), 7, clock.clone()).await;
    let (_, account) = shop.link_seller("plikowy").await;
    let csv = |from: usize, n: usize| {
        let mut s = String::from("order_id;bought_at;buyer_login;offer_name;quantity;unit_price\n");
        for i in from..from + n {
            s.push_str(&format!("PLIK-{i:05};2026-11-01 10:00;kupujacy{i};Kubek {i};1;10,00\n"));
        }
        bytes::Bytes::from(s.into_bytes())
    };
    // 1 234 orders: three chunks staged, three published.
    let done = shop
        .app
        .import_file(
            &shop.user,
            &account,
            "duzy.csv",
            csv(0, 1_234),
            None,
            app::order_files::Encoding::Auto,
        )
        .await
        .unwrap();
    assert_eq!(done.state, ImportState::Done);
    assert_eq!((done.expected, done.fetched), (Some(1_234), 1_234));
    assert_eq!(done.counts.new, 1_234);
    assert_eq!(shop.app.store().account_orders(&account).await.unwrap().len(), 1_234);

    // A process that stopped while staging: nothing of the file is published, ever.
    let store = shop.app.store();
    let half = store::Import {
        id: "00000000-0000-4000-8000-00000000a001".parse().unwrap(),
        organisation_id: shop.org.clone(),
        account_id: account.clone(),
        kind: store::ImportKind::Csv,
        file_name: Some("przerwany.csv".into()),
        from_ms: None,
        to_ms: None,
        state: ImportState::Running,
        progress: Default::default(),
        expected: Some(1_000),
        fetched: 0,
        counts: UpsertCounts::default(),
        api_calls: 0,
        error: None,
        created_at_ms: shop.app.now_ms(),
        updated_at_ms: shop.app.now_ms(),
    };
    store.create_import(&half, None).await.unwrap();
    let records = |from: usize, n: usize| -> Vec<store::OrderRecord> {
        let mut s = String::from("order_id;bought_at;buyer_login;offer_name;quantity;unit_price\n");
        for i in from..from + n {
            s.push_str(&format!("STOP-{i};2026-11-01 10:00;ktos;Kubek;1;10,00\n"));
        }
        app::order_files::read("stop.csv", s.as_bytes(), None, app::order_files::Encoding::Auto)
            .unwrap()
            .into_iter()
            .map(|o| {
                let mut r = app::order_record(&shop.org, &account, &o.form).unwrap();
                r.source = store::OrderSource::File;
                r
            })
            .collect()
    };
    let some = records(0, 500);
    store
        .stage_file_orders(&half.id, 0, &some, shop.app.now_ms())
        .await
        .unwrap();
    // The fully staged one stopped before publishing.
    let mut full = half.clone();
    full.id = "00000000-0000-4000-8000-00000000a002".parse().unwrap();
    full.expected = Some(500);
    store.create_import(&full, None).await.unwrap();
    let staged = records(1_000, 500);
    store
        .stage_file_orders(&full.id, 0, &staged, shop.app.now_ms())
        .await
        .unwrap();
    assert_eq!(shop.app.recover_file_imports().await.unwrap(), 0, "not stalled yet");
    clock.advance_ms(6 * 60_000);
    assert_eq!(shop.app.recover_file_imports().await.unwrap(), 2);
    let dropped = store.import(&shop.org, &half.id).await.unwrap().unwrap();
    assert_eq!(dropped.state, ImportState::Failed);
    assert!(dropped.error.unwrap().contains("wczytaj plik ponownie"));
    let finished = store.import(&shop.org, &full.id).await.unwrap().unwrap();
    assert_eq!((finished.state, finished.counts.new), (ImportState::Done, 500));
    let held = store.account_orders(&account).await.unwrap();
    assert_eq!(held.len(), 1_234 + 500);
    assert!(
        !held
            .iter()
            .any(|o| o.id.as_str().starts_with("STOP-") && o.id.as_str().len() < 9),
        "nothing of the half-read file"
    );
}
