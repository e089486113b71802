//! Invoices: numbering without gaps, due invoices, uploads to Allegro.

use super::*;

/// Invoices: exactly one per order and kind, numbers from 1 per period, the profile.
pub async fn invoices_once_per_order_and_gap_free(store: Store) {
    let t = tenant(&store, 95).await;
    let a = linked(&store, &t, 951).await;
    assert_eq!(store.invoicing_profile(&t.org).await.unwrap(), None);
    store.save_invoicing_profile(&t.org, "{\"v\":1}", 1).await.unwrap();
    store.save_invoicing_profile(&t.org, "{\"v\":2}", 2).await.unwrap();
    assert_eq!(
        store.invoicing_profile(&t.org).await.unwrap().as_deref(),
        Some("{\"v\":2}")
    );
    let number = |i: Issued| match i {
        Issued::New(r) => (true, r.number),
        Issued::Existing(r) => (false, r.number),
    };
    assert_eq!(
        number(
            store
                .issue_invoice(&new_invoice(&t, &a, "o1", "vat", 11))
                .await
                .unwrap()
        ),
        (true, "FV/1/11/2026".into())
    );
    assert_eq!(
        number(
            store
                .issue_invoice(&new_invoice(&t, &a, "o2", "vat", 11))
                .await
                .unwrap()
        ),
        (true, "FV/2/11/2026".into())
    );
    // Again for o1: the same invoice, no number used.
    assert_eq!(
        number(
            store
                .issue_invoice(&new_invoice(&t, &a, "o1", "vat", 11))
                .await
                .unwrap()
        ),
        (false, "FV/1/11/2026".into())
    );
    assert_eq!(
        number(
            store
                .issue_invoice(&new_invoice(&t, &a, "o3", "vat", 11))
                .await
                .unwrap()
        ),
        (true, "FV/3/11/2026".into())
    );
    // A correction of o1 is another kind; a new month starts at 1.
    assert!(
        number(
            store
                .issue_invoice(&new_invoice(&t, &a, "o1", "correction", 11))
                .await
                .unwrap()
        )
        .0
    );
    assert_eq!(
        number(
            store
                .issue_invoice(&new_invoice(&t, &a, "o4", "vat", 12))
                .await
                .unwrap()
        ),
        (true, "FV/1/12/2026".into())
    );
    // A failed issue (its id is taken) gives its number back.
    let mut clash = new_invoice(&t, &a, "o5", "vat", 12);
    clash.id = new_invoice(&t, &a, "o4", "vat", 12).id;
    assert!(store.issue_invoice(&clash).await.is_err());
    clash.id = uuid(955_555);
    assert_eq!(
        number(store.issue_invoice(&clash).await.unwrap()),
        (true, "FV/2/12/2026".into())
    );
    let (page, total) = store.invoices(&t.org, &by_number("/11/"), 0, 10).await.unwrap();
    assert_eq!((page.len(), total), (4, 4));
    assert_eq!(
        store.invoices(&t.org, &by_number("%"), 0, 10).await.unwrap().1,
        0,
        "LIKE wildcards are literal"
    );
    let count = |f: InvoiceFilter| {
        let (store, org) = (Arc::clone(&store), t.org.clone());
        async move { store.invoices(&org, &f, 0, 10).await.unwrap().1 }
    };
    let day = |d: &str| Some(d.to_owned());
    assert_eq!(
        count(InvoiceFilter {
            kind: Some(domain::InvoiceKind::Correction),
            ..Default::default()
        })
        .await,
        1
    );
    assert_eq!(
        count(InvoiceFilter {
            from: day("2026-12-01"),
            ..Default::default()
        })
        .await,
        2
    );
    assert_eq!(
        count(InvoiceFilter {
            to: day("2026-11-30"),
            ..Default::default()
        })
        .await,
        4
    );
    assert_eq!(
        count(InvoiceFilter {
            from: day("2026-11-15"),
            to: day("2026-11-15"),
            kind: Some(domain::InvoiceKind::Vat),
            ..Default::default()
        })
        .await,
        3
    );
    assert_eq!(
        count(InvoiceFilter {
            buyer: "KOWAL".into(),
            ..Default::default()
        })
        .await,
        6
    );
    assert_eq!(
        count(InvoiceFilter {
            buyer: "nowak".into(),
            ..Default::default()
        })
        .await,
        0
    );
    assert_eq!(
        count(InvoiceFilter {
            upload: Some(UploadState::Pending),
            ..Default::default()
        })
        .await,
        6
    );
    assert_eq!(
        count(InvoiceFilter {
            upload: Some(UploadState::Uploaded),
            ..Default::default()
        })
        .await,
        0
    );
    let one = &page[0];
    assert_eq!(store.invoice(&t.org, &one.id).await.unwrap().as_ref(), Some(one));
    let other = tenant(&store, 96).await;
    assert!(store.invoice(&other.org, &one.id).await.unwrap().is_none());
    assert_eq!(
        store
            .invoices(&other.org, &InvoiceFilter::default(), 0, 10)
            .await
            .unwrap()
            .1,
        0
    );
}

/// Many issuers at once, some for the same orders: every order gets one invoice and the
/// numbers are exactly 1…n.
pub async fn concurrent_issuing_has_no_gaps(store: Store) {
    let t = Arc::new(tenant(&store, 97).await);
    let a = linked(&store, &t, 971).await;
    let mut tasks = Vec::new();
    for w in 0..6 {
        let (store, t, a) = (Arc::clone(&store), Arc::clone(&t), a.clone());
        tasks.push(tokio::spawn(async move {
            let mut mine = Vec::new();
            for k in 0..40 {
                // Workers overlap: each order is attempted by two workers.
                let order = format!("order-{}", (w * 20 + k) % 120);
                let mut inv = new_invoice(&t, &a, &order, "vat", 11);
                inv.id = uuid(970_000 + w as u128 * 1000 + k as u128);
                if let Issued::New(r) = store.issue_invoice(&inv).await.unwrap() {
                    mine.push((r.order_id, r.number));
                }
            }
            mine
        }));
    }
    let mut all = Vec::new();
    for task in tasks {
        all.extend(task.await.unwrap());
    }
    assert_eq!(all.len(), 120, "one invoice per order");
    let mut orders: Vec<_> = all.iter().map(|(o, _)| o.clone()).collect();
    orders.sort();
    orders.dedup();
    assert_eq!(orders.len(), 120);
    let mut numbers: Vec<u64> = all
        .iter()
        .map(|(_, n)| n.split('/').nth(1).unwrap().parse().unwrap())
        .collect();
    numbers.sort_unstable();
    assert_eq!(numbers, (1..=120).collect::<Vec<u64>>(), "1…120, no gap, no repeat");
}

/// Orders due an invoice: only with the account on and a profile saved; a failed attempt
/// keeps the order out until its time; issued orders leave the list.
pub async fn due_invoices_and_failed_attempts(store: Store) {
    let t = tenant(&store, 98).await;
    let a = linked(&store, &t, 981).await;
    let orders = [
        order_of(&t, &a, "f1", "{1}", OrderSource::Allegro),
        order_of(&t, &a, "f2", "{22}", OrderSource::Allegro),
        order_of(&t, &a, "n3", "{333}", OrderSource::Allegro),
    ];
    let due = |now: i64| {
        let store = Arc::clone(&store);
        async move {
            store
                .orders_awaiting_invoice(10, now)
                .await
                .unwrap()
                .into_iter()
                .map(|(_, id)| id)
                .collect::<Vec<_>>()
        }
    };
    store.save_orders(&a, &orders[..1], None, 1).await.unwrap();
    assert!(due(0).await.is_empty(), "the account is off");
    let on = AccountSettings {
        enabled: true,
        ..AccountSettings::default()
    };
    store.save_account_settings(&t.org, &a, &on, 2).await.unwrap();
    // Orders paid after invoicing was switched on (f1 was seen again, unchanged).
    store.save_orders(&a, &orders[1..], None, 3).await.unwrap();
    store
        .postpone_order_task(&t.org, &id("f1"), OrderTask::Invoice, "asked by hand", 0)
        .await
        .unwrap();
    assert!(due(0).await.is_empty(), "no invoicing profile yet");
    store.save_invoicing_profile(&t.org, "{}", 3).await.unwrap();
    assert_eq!(due(0).await, vec!["f1", "f2"], "only buyers who asked");
    assert_eq!(
        store
            .postpone_order_task(&t.org, &id("f1"), OrderTask::Invoice, "totals differ", 1_000)
            .await
            .unwrap(),
        2
    );
    assert_eq!(due(500).await, vec!["f2"], "f1 waits");
    assert_eq!(due(1_000).await, vec!["f1", "f2"]);
    assert_eq!(
        store
            .postpone_order_task(&t.org, &id("f1"), OrderTask::Invoice, "still", 2_000)
            .await
            .unwrap(),
        3
    );
    assert_eq!(
        store
            .order_task_failure(&t.org, &id("f1"), OrderTask::Invoice)
            .await
            .unwrap(),
        Some((3, "still".into()))
    );
    assert_eq!(
        store
            .order_task_failure(&t.org, &id("f2"), OrderTask::Invoice)
            .await
            .unwrap(),
        None
    );
    assert_eq!(
        store
            .order_task_failure(&t.org, &id("f1"), OrderTask::Wz)
            .await
            .unwrap(),
        None,
        "one task's failure is not another's"
    );
    store
        .issue_invoice(&new_invoice(&t, &a, "f2", "vat", 11))
        .await
        .unwrap();
    assert!(due(500).await.is_empty());
    let every = AccountSettings {
        invoice_every_order: true,
        ..on
    };
    store.save_account_settings(&t.org, &a, &every, 4).await.unwrap();
    assert_eq!(due(5_000).await, vec!["f1", "n3"], "every order");
}

/// Automatic invoicing starts when it is switched on: an order seen paid before, or first
/// stored by an import, is left to the explicit action ("earlier orders") — unless an
/// attempt was asked for it (a failure row), which the worker then retries. Re-saving
/// the settings keeps the moment; switching off and on again moves it.
pub async fn invoicing_starts_when_switched_on(store: Store) {
    let t = tenant(&store, 97).await;
    let a = linked(&store, &t, 971).await;
    store.save_invoicing_profile(&t.org, "{}", 1).await.unwrap();
    let every = |enabled: bool| AccountSettings {
        enabled,
        invoice_every_order: true,
        ..AccountSettings::default()
    };
    store.save_account_settings(&t.org, &a, &every(false), 1).await.unwrap();
    let order = |n: &str| order_of(&t, &a, n, "{1}", OrderSource::Allegro);
    store.save_orders(&a, &[order("before")], None, 10).await.unwrap();
    store.save_account_settings(&t.org, &a, &every(true), 20).await.unwrap();
    store.save_orders(&a, &[order("after")], None, 30).await.unwrap();
    let import = file_import(&t, &a, &uuid::<String>(9_701));
    store.save_file_import(&import, &[order("imported")]).await.unwrap();
    let due = || {
        let store = Arc::clone(&store);
        async move {
            let mut d: Vec<String> = store
                .orders_awaiting_invoice(10, 100)
                .await
                .unwrap()
                .into_iter()
                .map(|(_, id)| id.to_string())
                .collect();
            d.sort();
            d
        }
    };
    let earlier = || {
        let (store, org) = (Arc::clone(&store), t.org.clone());
        async move {
            let mut d: Vec<String> = store
                .earlier_orders_to_invoice(&org, 10)
                .await
                .unwrap()
                .into_iter()
                .map(|o| o.id.to_string())
                .collect();
            d.sort();
            d
        }
    };
    assert_eq!(due().await, ["after"]);
    assert_eq!(earlier().await, ["before", "imported"]);
    store.save_account_settings(&t.org, &a, &every(true), 40).await.unwrap();
    assert_eq!(due().await, ["after"], "re-saving keeps the moment");
    // Asked for by hand and failed: the worker retries it like any other.
    store
        .postpone_order_task(&t.org, &id("before"), OrderTask::Invoice, "no rate", 50)
        .await
        .unwrap();
    assert_eq!(due().await, ["after", "before"]);
    assert_eq!(earlier().await, ["imported"]);
    // Off and on again at 60: "after" (seen paid at 30) is now earlier too.
    store
        .save_account_settings(&t.org, &a, &every(false), 55)
        .await
        .unwrap();
    store.save_account_settings(&t.org, &a, &every(true), 60).await.unwrap();
    assert_eq!(due().await, ["before"]);
    assert_eq!(earlier().await, ["after", "imported"]);
}

/// Invoice uploads: claimed by one process at a time (the claim is a lease), retried after
/// their backoff, refused ones only by hand, file orders never; the metadata id survives.
pub async fn uploads_are_claimed_once_and_finish(store: Store) {
    let t = tenant(&store, 99).await;
    let a = linked(&store, &t, 991).await;
    let mut ids = Vec::new();
    for i in 0..40 {
        let mut n = new_invoice(&t, &a, &format!("u{i}"), "vat", 11);
        n.id = uuid(990_000 + i);
        n.upload = i != 39;
        n.now_ms = 100 + i as i64;
        ids.push(n.id.clone());
        store.issue_invoice(&n).await.unwrap();
    }
    // Four processes claim at once: each due invoice goes to exactly one; the file order to none.
    let mut tasks = Vec::new();
    for _ in 0..4 {
        let store = Arc::clone(&store);
        tasks.push(tokio::spawn(async move {
            let mut got = Vec::new();
            loop {
                let claimed = store.claim_due_uploads(1_000, 61_000, 7).await.unwrap();
                if claimed.is_empty() {
                    return got;
                }
                got.extend(claimed.into_iter().map(|r| r.id));
            }
        }));
    }
    let mut all = Vec::new();
    for task in tasks {
        all.extend(task.await.unwrap());
    }
    all.sort();
    let mut expected = ids[..39].to_vec();
    expected.sort();
    assert_eq!(all, expected, "each upload claimed once, the file order's never");
    // Held until the lease ends, then due again.
    assert!(store.claim_due_uploads(60_000, 120_000, 100).await.unwrap().is_empty());
    assert_eq!(store.claim_due_uploads(61_000, 120_000, 100).await.unwrap().len(), 39);
    // A stopping worker releases what it did not start: due again at once, not after
    // the lease, and only while its lease still holds.
    let released = &ids[3];
    for held_until_ms in [119_999, 120_000] {
        store
            .finish_upload(
                released,
                &Delivery::Released {
                    now_ms: 62_000,
                    held_until_ms,
                },
            )
            .await
            .unwrap();
    }
    let due = store.claim_due_uploads(62_000, 180_000, 100).await.unwrap();
    assert_eq!(due.iter().map(|r| &r.id).collect::<Vec<_>>(), vec![released]);
    assert_eq!(due[0].upload.attempts, 0, "a release is no attempt");
    let (one, two, three) = (&ids[0], &ids[1], &ids[2]);
    store.save_allegro_invoice_id(one, Some("meta-1")).await.unwrap();
    store
        .finish_upload(
            one,
            &Delivery::Done {
                at_ms: 61_500,
                remote_id: None,
            },
        )
        .await
        .unwrap();
    store
        .finish_upload(
            two,
            &Delivery::Retry {
                next_at_ms: 200_000,
                error: "429".into(),
            },
        )
        .await
        .unwrap();
    store
        .finish_upload(
            three,
            &Delivery::Refused {
                error: "order cancelled".into(),
            },
        )
        .await
        .unwrap();
    let get = |id: InvoiceId| {
        let (store, org) = (Arc::clone(&store), t.org.clone());
        async move { store.invoice(&org, &id).await.unwrap().unwrap().upload }
    };
    let u1 = get(one.clone()).await;
    assert_eq!(
        (u1.state, u1.allegro_invoice_id.as_deref(), u1.uploaded_at_ms),
        (UploadState::Uploaded, Some("meta-1"), Some(61_500))
    );
    let u2 = get(two.clone()).await;
    assert_eq!(
        (u2.state, u2.attempts, u2.next_at_ms, u2.error.as_deref()),
        (UploadState::Pending, 1, 200_000, Some("429"))
    );
    let u3 = get(three.clone()).await;
    assert_eq!(
        (u3.state, u3.error.as_deref()),
        (UploadState::Refused, Some("order cancelled"))
    );
    assert_eq!(get(ids[39].clone()).await.state, UploadState::NotApplicable);
    // Only the retried one comes back, at its time.
    let due: Vec<_> = store
        .claim_due_uploads(200_000, 260_000, 100)
        .await
        .unwrap()
        .into_iter()
        .map(|r| r.id)
        .collect();
    assert!(
        due.contains(two) && !due.contains(one) && !due.contains(three),
        "{due:?}"
    );
    // "Wyślij ponownie": the refused one is due now; an uploaded or file one cannot be.
    assert!(store.resend_invoice(&t.org, three, 300_000).await.unwrap());
    assert!(!store.resend_invoice(&t.org, one, 300_000).await.unwrap());
    assert!(!store.resend_invoice(&t.org, &ids[39], 300_000).await.unwrap());
    let other = tenant(&store, 100).await;
    assert!(
        !store.resend_invoice(&other.org, two, 300_000).await.unwrap(),
        "another organisation's"
    );
    let u3 = get(three.clone()).await;
    assert_eq!((u3.state, u3.attempts, u3.error), (UploadState::Pending, 0, None));
    let due: Vec<_> = store
        .claim_due_uploads(300_000, 360_000, 100)
        .await
        .unwrap()
        .into_iter()
        .map(|r| r.id)
        .collect();
    assert!(due.contains(three), "{due:?}");
}

/// The invoices list's buyer search finds a name however it is cased or accented — every
/// Polish letter, on both databases (SQLite's `LOWER` alone knows only ASCII).
pub async fn buyer_search_ignores_case_and_polish_letters(store: Store) {
    let t = tenant(&store, 97).await;
    let a = linked(&store, &t, 9_701).await;
    let buyers = ["Łukasz Żółkiewski", "Iga Świątek", "Ćma Ńęą Óź", "Jan Kowalski"];
    for (i, buyer) in buyers.iter().enumerate() {
        let mut n = new_invoice(&t, &a, &format!("pl-{i}"), "vat", 11);
        n.buyer_name = (*buyer).into();
        store.issue_invoice(&n).await.unwrap();
    }
    let found = |q: &str| {
        let (store, org, q) = (Arc::clone(&store), t.org.clone(), q.to_owned());
        async move {
            let f = InvoiceFilter {
                buyer: q,
                ..InvoiceFilter::default()
            };
            let mut names: Vec<String> = store
                .invoices(&org, &f, 0, 10)
                .await
                .unwrap()
                .0
                .into_iter()
                .map(|i| i.buyer_name)
                .collect();
            names.sort();
            names
        }
    };
    for q in ["Łukasz", "łukasz", "ŁUKASZ", "lukasz", "ŻÓŁKIEWSKI", "zolkiewski"] {
        assert_eq!(found(q).await, ["Łukasz Żółkiewski"], "{q}");
    }
    for q in ["Świątek", "ŚWIĄTEK", "swiatek"] {
        assert_eq!(found(q).await, ["Iga Świątek"], "{q}");
    }
    for q in ["ĆMA ŃĘĄ ÓŹ", "ćma ńęą óź", "cma nea oz"] {
        assert_eq!(found(q).await, ["Ćma Ńęą Óź"], "{q}");
    }
    assert!(found("Kowalska").await.is_empty());
    assert_eq!(
        store.fill_buyer_keys(100).await.unwrap(),
        0,
        "every new invoice has its key"
    );
}

/// The orders list's invoice numbers: each order's invoices and corrections, and nothing of
/// an order without one or of another organisation.
pub async fn invoice_numbers_of_a_page_of_orders(store: Store) {
    let t = tenant(&store, 98).await;
    let a = linked(&store, &t, 9_801).await;
    store
        .issue_invoice(&new_invoice(&t, &a, "n-1", "vat", 11))
        .await
        .unwrap();
    store
        .issue_invoice(&new_invoice(&t, &a, "n-1", "correction", 11))
        .await
        .unwrap();
    store
        .issue_invoice(&new_invoice(&t, &a, "n-2", "vat", 11))
        .await
        .unwrap();
    let page = [id("n-1"), id("n-2"), id("n-3")];
    let numbers = store.invoice_numbers(&t.org, &page).await.unwrap();
    let of = |order: &str| {
        numbers
            .iter()
            .filter(|(o, _)| o.as_str() == order)
            .map(|(_, n)| n.as_str())
            .collect::<Vec<_>>()
    };
    assert_eq!(of("n-1").len(), 2, "{numbers:?}");
    assert_eq!(of("n-2").len(), 1);
    assert!(of("n-3").is_empty());
    let other = tenant(&store, 99).await;
    assert!(store.invoice_numbers(&other.org, &page).await.unwrap().is_empty());
    assert!(store.invoice_numbers(&t.org, &[]).await.unwrap().is_empty());
}
