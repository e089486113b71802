//! Orders: upserts and the journal cursor, files, imports, sync claims, sorts and filters.

use super::*;

/// Orders: upserts count new/updated/unchanged, never duplicate, and move the journal
/// cursor in the same transaction.
pub async fn orders_upsert_and_cursor(store: Store) {
    let t = tenant(&store, 80).await;
    let LinkResult::Created(account) = store.link_account(&link(&t, 801, "888", 1, 1_000)).await.unwrap() else {
        panic!()
    };
    let order = |id: &str, status: &str, data: &str| OrderRecord {
        id: self::id(id),
        organisation_id: t.org.clone(),
        account_id: account.clone(),
        status: status.into(),
        fulfillment_status: Some("NEW".into()),
        marketplace: Some("allegro-pl".into()),
        buyer_login: "kupujacy".into(),
        bought_at_ms: 5_000,
        revision: Some("r1".into()),
        total_minor: Some(12_345),
        currency: "PLN".into(),
        data: data.into(),
        source: OrderSource::Allegro,
        invoice_required: false,
    };
    assert_eq!(store.sync_cursor(&account).await.unwrap(), None);
    let first = store
        .save_orders(
            &account,
            &[order("a", "FILLED_IN", "{1}"), order("b", "BOUGHT", "{2}")],
            Some("100"),
            10,
        )
        .await
        .unwrap();
    assert_eq!(
        first,
        UpsertCounts {
            new: 2,
            updated: 0,
            unchanged: 0
        }
    );
    assert_eq!(store.sync_cursor(&account).await.unwrap().as_deref(), Some("100"));
    let again = store
        .save_orders(
            &account,
            &[
                order("a", "READY_FOR_PROCESSING", "{1b}"),
                order("b", "BOUGHT", "{2}"),
                order("b", "BOUGHT", "{2}"),
            ],
            None,
            11,
        )
        .await
        .unwrap();
    assert_eq!(
        again,
        UpsertCounts {
            new: 0,
            updated: 1,
            unchanged: 2
        }
    );
    assert_eq!(
        store.sync_cursor(&account).await.unwrap().as_deref(),
        Some("100"),
        "no cursor given, none moved"
    );
    let stored = store.account_orders(&account).await.unwrap();
    assert_eq!(stored.len(), 2);
    // The history keeps each status once, in order; an unchanged upsert adds nothing.
    let history = store.order_history(&t.org, &id("a")).await.unwrap();
    assert_eq!(
        history
            .iter()
            .map(|h| (h.seen_at_ms, h.status.as_str()))
            .collect::<Vec<_>>(),
        vec![(10, "FILLED_IN"), (11, "READY_FOR_PROCESSING")]
    );
    assert_eq!(store.order_history(&t.org, &id("b")).await.unwrap().len(), 1);
    assert_eq!(
        stored.iter().find(|o| o.id == "a").unwrap().status,
        "READY_FOR_PROCESSING"
    );
    assert_eq!(stored[0].total_minor, Some(12_345));
    let all = OrderFilter::default();
    let (page, total) = store.orders(&t.org, &all, 0, 1).await.unwrap();
    assert_eq!((page.len(), total), (1, 2));
    let paid = OrderFilter {
        status: Some("READY_FOR_PROCESSING".into()),
        account_id: Some(account.clone()),
        ..OrderFilter::default()
    };
    let (page, total) = store.orders(&t.org, &paid, 0, 50).await.unwrap();
    assert_eq!((page[0].id.as_str(), total), ("a", 1));
    let window = OrderFilter {
        bought_from_ms: Some(5_001),
        ..OrderFilter::default()
    };
    assert_eq!(store.orders(&t.org, &window, 0, 50).await.unwrap().1, 0);
    let other = tenant(&store, 81).await;
    assert_eq!(
        store.orders(&other.org, &all, 0, 50).await.unwrap().1,
        0,
        "another organisation's orders are invisible"
    );
    assert!(store.order(&other.org, &id("a")).await.unwrap().is_none());
    assert_eq!(
        store.order(&t.org, &id("a")).await.unwrap().unwrap().status,
        "READY_FOR_PROCESSING"
    );
    assert_eq!(store.active_accounts(10).await.unwrap(), vec![account.clone()]);
    store.mark_synced(&account, 77).await.unwrap();
    assert_eq!(
        store
            .account_for_worker(&account)
            .await
            .unwrap()
            .unwrap()
            .last_sync_at_ms,
        Some(77)
    );
    store
        .set_account_status(&account, AccountStatus::NeedsRelogin, None, 78)
        .await
        .unwrap();
    assert!(
        store.active_accounts(10).await.unwrap().is_empty(),
        "only active accounts sync"
    );
}

/// A file never overwrites or duplicates an order Allegro sent (in any account of the
/// organisation); Allegro's copy replaces a file's; a file import is all or nothing.
pub async fn files_never_override_allegro(store: Store) {
    let t = tenant(&store, 90).await;
    let a = linked(&store, &t, 901).await;
    let b = linked(&store, &t, 902).await;
    store
        .save_orders(&a, &[order_of(&t, &a, "x", "{allegro}", OrderSource::Allegro)], None, 1)
        .await
        .unwrap();
    let counts = store
        .save_file_import(
            &file_import(&t, &b, "00000000-0000-4000-8000-000000000001"),
            &[
                order_of(&t, &b, "x", "{file}", OrderSource::File),
                order_of(&t, &b, "f1", "{file1}", OrderSource::File),
            ],
        )
        .await
        .unwrap();
    assert_eq!((counts.new, counts.unchanged), (1, 1));
    assert_eq!(store.account_orders(&a).await.unwrap()[0].data, "{allegro}");
    assert_eq!(
        store.account_orders(&b).await.unwrap().len(),
        1,
        "x is not copied into b"
    );
    let done = store
        .import(&t.org, &id("00000000-0000-4000-8000-000000000001"))
        .await
        .unwrap()
        .unwrap();
    assert_eq!((done.state, done.fetched, done.counts), (ImportState::Done, 2, counts));
    // Allegro's copy of f1 replaces the file's.
    let c = store
        .save_orders(
            &b,
            &[order_of(&t, &b, "f1", "{from allegro}", OrderSource::Allegro)],
            None,
            2,
        )
        .await
        .unwrap();
    assert_eq!(c.updated, 1);
    let f1 = store.order(&t.org, &id("f1")).await.unwrap().unwrap();
    assert_eq!((f1.source, f1.data.as_str()), (OrderSource::Allegro, "{from allegro}"));
    // The same import id again fails as a whole: no order of it is stored.
    let again = store
        .save_file_import(
            &file_import(&t, &b, "00000000-0000-4000-8000-000000000001"),
            &[order_of(&t, &b, "f2", "{file2}", OrderSource::File)],
        )
        .await;
    assert!(again.is_err());
    assert!(
        store.order(&t.org, &id("f2")).await.unwrap().is_none(),
        "nothing half-written"
    );
    let other = tenant(&store, 91).await;
    assert!(
        store
            .import(&other.org, &id("00000000-0000-4000-8000-000000000001"))
            .await
            .unwrap()
            .is_none()
    );
}

/// An import page stores its orders, checkpoint and counts together; an unfinished
/// import of the same range is found again to resume.
pub async fn import_pages_commit_with_their_checkpoint(store: Store) {
    let t = tenant(&store, 92).await;
    let a = linked(&store, &t, 921).await;
    let mut import = file_import(&t, &a, "00000000-0000-4000-8000-000000000002");
    import.kind = ImportKind::Allegro;
    import.file_name = None;
    import.from_ms = Some(10);
    import.to_ms = Some(20);
    import.state = ImportState::Queued;
    import.progress.next_to_ms = Some(20);
    let job = NewJob {
        kind: "import_orders".into(),
        dedup_key: import.id.to_string(),
        payload: "{}".into(),
        run_at_ms: 0,
        max_attempts: 5,
    };
    store.create_import(&import, Some(&job)).await.unwrap();
    let claimed = store
        .claim_job("w", 1, 100)
        .await
        .unwrap()
        .expect("the import's job is queued with it");
    assert_eq!(claimed.dedup_key, import.id.as_str());
    assert!(store.renew_job(claimed.id, "w", 500).await.unwrap());
    assert!(!store.renew_job(claimed.id, "someone-else", 500).await.unwrap());
    assert!(
        store.claim_job("v", 400, 900).await.unwrap().is_none(),
        "the renewed lease holds"
    );
    let found = store.unfinished_import(&a, 10, 20).await.unwrap().unwrap();
    assert_eq!(found, import);
    assert!(store.unfinished_import(&a, 10, 21).await.unwrap().is_none());
    let orders = [
        order_of(&t, &a, "p", "{p}", OrderSource::Allegro),
        order_of(&t, &a, "q", "{q}", OrderSource::Allegro),
    ];
    let progress = ImportProgress {
        next_to_ms: Some(20),
        window_from_ms: Some(12),
        window_offset: 2,
    };
    let page = ImportPage {
        orders: &orders,
        progress,
        expected: Some(7),
        api_calls: 1,
    };
    assert_eq!(store.save_import_page(&import.id, &page, 60).await.unwrap().new, 2);
    let again = ImportPage {
        orders: &orders[..1],
        progress,
        expected: None,
        api_calls: 1,
    };
    assert_eq!(
        store.save_import_page(&import.id, &again, 61).await.unwrap().unchanged,
        1
    );
    let now = store.import_for_worker(&import.id).await.unwrap().unwrap();
    assert_eq!(now.state, ImportState::Running);
    assert_eq!(now.progress, progress);
    assert_eq!((now.expected, now.fetched, now.api_calls), (Some(7), 3, 2));
    assert_eq!((now.counts.new, now.counts.unchanged), (2, 1));
    store
        .finish_import(&import.id, ImportState::Done, None, 70)
        .await
        .unwrap();
    assert!(store.unfinished_import(&a, 10, 20).await.unwrap().is_none());
    assert_eq!(store.imports(&t.org, 10).await.unwrap().len(), 1);
}

/// Sync claims: due accounts only, each to one owner while its lease lives.
pub async fn sync_claims_never_overlap(store: Store) {
    let t = tenant(&store, 93).await;
    let mut ids = Vec::new();
    for n in 0..30 {
        ids.push(linked(&store, &t, 9300 + n).await);
    }
    let later = SyncSchedule {
        next_at_ms: 5_000,
        quiet_polls: 3,
        failures: 1,
    };
    store.schedule_sync(&ids[0], "nobody", &later).await.unwrap();
    let mut tasks = Vec::new();
    for w in 0..5 {
        let store = Arc::clone(&store);
        tasks.push(tokio::spawn(async move {
            let mut got = Vec::new();
            loop {
                let claims = store.claim_due_syncs(&format!("w{w}"), 100, 10_000, 4).await.unwrap();
                if claims.is_empty() {
                    break got;
                }
                got.extend(claims.into_iter().map(|c| c.account_id));
            }
        }));
    }
    let mut all = Vec::new();
    for task in tasks {
        all.extend(task.await.unwrap());
    }
    let before = all.len();
    all.sort_by(|a, b| a.as_str().cmp(b.as_str()));
    all.dedup();
    assert_eq!(before, all.len(), "an account was claimed twice");
    assert_eq!(all.len(), 29, "the one scheduled later is not due");
    // A lease that lapsed can be claimed again; scheduling releases it.
    let late = store.claim_due_syncs("late", 10_001, 20_000, 100).await.unwrap();
    assert_eq!(late.len(), 30);
    let first = late.iter().find(|c| c.account_id == ids[0]).unwrap();
    assert_eq!((first.quiet_polls, first.failures), (3, 1));
    let next = SyncSchedule {
        next_at_ms: 30_000,
        quiet_polls: 0,
        failures: 0,
    };
    // Someone else's schedule does not release "late"'s lease.
    store.schedule_sync(&ids[1], "intruder", &next).await.unwrap();
    assert!(
        store
            .claim_due_syncs("x", 19_000, 19_500, 100)
            .await
            .unwrap()
            .is_empty()
    );
    store.schedule_sync(&ids[1], "late", &next).await.unwrap();
    let lapsed = store.claim_due_syncs("x", 25_000, 26_000, 100).await.unwrap();
    assert_eq!(
        lapsed.len(),
        29,
        "leases lapsed at 20 000; the rescheduled one waits for 30 000"
    );
    let again = store.claim_due_syncs("x", 30_000, 31_000, 100).await.unwrap();
    assert_eq!(again.len(), 30);
}

/// Sorting and the "needs invoice" filter.
pub async fn order_sorts_and_invoice_filter(store: Store) {
    let t = tenant(&store, 94).await;
    let a = linked(&store, &t, 941).await;
    let orders = [
        order_of(&t, &a, "a1", "{1}", OrderSource::Allegro),
        order_of(&t, &a, "f2", "{22}", OrderSource::Allegro),
        order_of(&t, &a, "a3", "{333}", OrderSource::Allegro),
    ];
    store.save_orders(&a, &orders, None, 1).await.unwrap();
    let ids = |page: Vec<OrderRecord>| page.into_iter().map(|o| o.id.to_string()).collect::<Vec<_>>();
    for (sort, expected) in [
        (OrderSort::BoughtDesc, ["a3", "f2", "a1"]),
        (OrderSort::BoughtAsc, ["a1", "f2", "a3"]),
        (OrderSort::TotalDesc, ["a3", "f2", "a1"]),
        (OrderSort::TotalAsc, ["a1", "f2", "a3"]),
        (OrderSort::BuyerAsc, ["a1", "a3", "f2"]),
    ] {
        let f = OrderFilter {
            sort,
            ..OrderFilter::default()
        };
        assert_eq!(
            ids(store.orders(&t.org, &f, 0, 10).await.unwrap().0),
            expected,
            "{sort:?}"
        );
    }
    let f = OrderFilter {
        needs_invoice: Some(true),
        ..OrderFilter::default()
    };
    let (page, total) = store.orders(&t.org, &f, 0, 10).await.unwrap();
    assert_eq!((ids(page), total), (vec!["f2".to_owned()], 1));
}
