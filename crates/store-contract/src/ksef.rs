//! KSeF settings.

use super::*;

/// Saved whole, read back as saved, replaced by the next save; another organisation has none.
pub async fn ksef_settings_round_trip(store: Store) {
    let t = tenant(&store, 41).await;
    let other = tenant(&store, 42).await;
    assert_eq!(store.ksef_settings(&t.org).await.unwrap(), None);
    let mut settings = KsefSettingsRecord {
        organisation_id: t.org.clone(),
        environment: "test".into(),
        api_url: None,
        token: Some(Sealed(vec![1, 2, 3, 0, 255])),
        token_hint: Some("20251010-EC-…|nip-5265877635|…c0de".into()),
        send_consumer: false,
        send_from: Some("2026-12-01".into()),
        checked_nip: None,
        checked_permissions: None,
        checked_at_ms: None,
        token_problem: None,
        offline24: false,
        offline_certificate: None,
        offline_certificate_hint: None,
        unreachable_since_ms: None,
        failure_since_ms: None,
        updated_at_ms: 1_000,
    };
    store.save_ksef_settings(&settings).await.unwrap();
    assert_eq!(store.ksef_settings(&t.org).await.unwrap().as_ref(), Some(&settings));
    settings.environment = "custom".into();
    settings.api_url = Some("http://127.0.0.1:8091/v2".into());
    settings.send_consumer = true;
    settings.checked_nip = Some("5265877635".into());
    settings.checked_permissions = Some("InvoiceRead,InvoiceWrite".into());
    settings.checked_at_ms = Some(2_000);
    settings.token_problem = Some("problem-ksef-token-revoked".into());
    settings.offline24 = true;
    settings.offline_certificate = Some(Sealed(vec![9, 8, 7]));
    settings.offline_certificate_hint = Some("01F20A5D352AE590|2027-12-01".into());
    settings.failure_since_ms = Some(1_500);
    settings.updated_at_ms = 2_000;
    store.save_ksef_settings(&settings).await.unwrap();
    assert_eq!(store.ksef_settings(&t.org).await.unwrap(), Some(settings));
    assert_eq!(store.ksef_settings(&other.org).await.unwrap(), None);
}

/// An invoice that goes to KSeF is queued in the transaction that issues it, and only
/// then; two claims never hold the same one; a holder whose lease ran out cannot overwrite
/// the next holder's work; an accepted one is never claimed again; a KSeF number belongs
/// to one invoice.
pub async fn ksef_submissions_are_queued_claimed_once_and_fenced(store: Store) {
    let t = tenant(&store, 43).await;
    let a = linked(&store, &t, 431).await;
    let issued = |order: &'static str, ksef: bool| {
        let (store, t, a) = (store.clone(), &t, &a);
        async move {
            let n = NewInvoice {
                ksef: ksef.then(KsefQueue::default),
                ..new_invoice(t, a, order, "vat", 11)
            };
            match store.issue_invoice(&n).await.unwrap() {
                Issued::New(r) => r.id,
                other => panic!("{other:?}"),
            }
        }
    };
    let (first, second, outside) = (
        issued("k1", true).await,
        issued("k2", true).await,
        issued("k3", false).await,
    );
    assert_eq!(store.ksef_submission(&t.org, &outside).await.unwrap(), None);
    let queued = store.ksef_submission(&t.org, &first).await.unwrap().unwrap();
    assert_eq!(
        (queued.state, queued.xml.as_ref(), queued.attempts),
        (KsefState::Waiting, None, 0)
    );
    let other = tenant(&store, 44).await;
    assert_eq!(store.ksef_submission(&other.org, &first).await.unwrap(), None);

    // Two claims at once: each submission to one of them.
    let (x, y) = tokio::join!(
        store.claim_due_ksef(200, 10_000, 10),
        store.claim_due_ksef(200, 10_000, 10)
    );
    let mut held: Vec<InvoiceId> = x.unwrap().into_iter().chain(y.unwrap()).map(|s| s.invoice_id).collect();
    held.sort_by(|a, b| a.as_str().cmp(b.as_str()));
    let mut expected = vec![first.clone(), second.clone()];
    expected.sort_by(|a, b| a.as_str().cmp(b.as_str()));
    assert_eq!(held, expected);
    assert!(
        store.claim_due_ksef(9_999, 20_000, 10).await.unwrap().is_empty(),
        "leased"
    );

    // The lease runs out; a new holder claims; the old one's save is refused.
    let again = store.claim_due_ksef(10_000, 20_000, 10).await.unwrap();
    let mine = again.iter().find(|s| s.invoice_id == first).unwrap().clone();
    let stale = KsefSubmission {
        state: KsefState::Sent,
        updated_at_ms: 10_001,
        ..mine.clone()
    };
    assert!(!store.save_ksef_submission(&stale, 200).await.unwrap(), "fenced");
    let accepted = KsefSubmission {
        state: KsefState::Accepted,
        xml: Some(b"<Faktura/>".to_vec()),
        ksef_number: Some("5260250995-20261201-0100A0B1C2D3-E4".into()),
        upo: Some(b"<Potwierdzenie/>".to_vec()),
        updated_at_ms: 10_002,
        ..mine.clone()
    };
    assert!(store.save_ksef_submission(&accepted, mine.updated_at_ms).await.unwrap());
    assert_eq!(
        store.ksef_submission(&t.org, &first).await.unwrap(),
        Some(accepted.clone())
    );
    let later = store.claim_due_ksef(1_000_000, 1_100_000, 10).await.unwrap();
    assert_eq!(later.iter().map(|s| &s.invoice_id).collect::<Vec<_>>(), vec![&second]);
    // The same KSeF number on another invoice is refused.
    let copy = KsefSubmission {
        ksef_number: accepted.ksef_number.clone(),
        updated_at_ms: 1_000_001,
        ..later[0].clone()
    };
    assert!(store.save_ksef_submission(&copy, later[0].updated_at_ms).await.is_err());
    // The backlog: the second still on its way, queued at 100; nothing refused.
    let backlog = KsefBacklog {
        waiting: 1,
        oldest_queued_at_ms: Some(100),
        rejected: 0,
        offline: 0,
        nearest_deadline: None,
    };
    assert_eq!(store.ksef_backlog(Some(&t.org)).await.unwrap(), backlog);
    assert_eq!(store.ksef_backlog(None).await.unwrap(), backlog);
    assert_eq!(
        store.ksef_backlog(Some(&other.org)).await.unwrap(),
        KsefBacklog::default()
    );
}

/// Whether KSeF answers is kept per organisation from its first failure; invoices issued
/// offline carry their mode and deadline from the issuing transaction; an unavailability's
/// end sets the deadlines it left open, and the backlog counts them with the nearest one;
/// the list filters them; a refused offline invoice reopens as a technical correction.
pub async fn ksef_offline_invoices_keep_their_mode_and_deadline(store: Store) {
    let t = tenant(&store, 45).await;
    let a = linked(&store, &t, 451).await;
    // No settings yet: nothing to record.
    assert!(!store.set_ksef_unreachable(&t.org, Some(5)).await.unwrap());
    let settings = KsefSettingsRecord {
        updated_at_ms: 1,
        ..KsefSettingsRecord::never_saved(&t.org)
    };
    store.save_ksef_settings(&settings).await.unwrap();
    assert!(!store.set_ksef_unreachable(&t.org, Some(1_000)).await.unwrap());
    assert!(store.set_ksef_unreachable(&t.org, Some(2_000)).await.unwrap());
    let read = store.ksef_settings(&t.org).await.unwrap().unwrap();
    assert_eq!(read.unreachable_since_ms, Some(1_000), "the first failure is kept");
    assert!(store.set_ksef_unreachable(&t.org, None).await.unwrap());
    assert_eq!(
        store.ksef_settings(&t.org).await.unwrap().unwrap().unreachable_since_ms,
        None
    );

    let issue = |order: &'static str, queue: KsefQueue| {
        let (store, t, a) = (store.clone(), &t, &a);
        async move {
            let n = NewInvoice {
                ksef: Some(queue),
                ..new_invoice(t, a, order, "vat", 11)
            };
            match store.issue_invoice(&n).await.unwrap() {
                Issued::New(r) => r.id,
                other => panic!("{other:?}"),
            }
        }
    };
    let offline24 = issue(
        "o1",
        KsefQueue {
            offline_mode: Some("offline24".into()),
            offline_deadline: Some("2026-12-02".into()),
        },
    )
    .await;
    let unavailable = issue(
        "o2",
        KsefQueue {
            offline_mode: Some("unavailable".into()),
            offline_deadline: None,
        },
    )
    .await;
    let online = issue("o3", KsefQueue::default()).await;
    let read = store.ksef_submission(&t.org, &offline24).await.unwrap().unwrap();
    assert_eq!(
        (read.offline_mode.as_deref(), read.offline_deadline.as_deref()),
        (Some("offline24"), Some("2026-12-02"))
    );
    assert_eq!(
        store
            .ksef_backlog(Some(&t.org))
            .await
            .unwrap()
            .nearest_deadline
            .as_deref(),
        Some("2026-12-02")
    );
    assert_eq!(
        store
            .settle_offline_deadlines(&t.org, "unavailable", "2026-12-01")
            .await
            .unwrap(),
        1
    );
    // Settled once: a later end does not move it.
    assert_eq!(
        store
            .settle_offline_deadlines(&t.org, "unavailable", "2026-12-09")
            .await
            .unwrap(),
        0
    );
    let backlog = store.ksef_backlog(Some(&t.org)).await.unwrap();
    assert_eq!(
        (backlog.waiting, backlog.offline, backlog.nearest_deadline.as_deref()),
        (3, 2, Some("2026-12-01"))
    );
    let filter = InvoiceFilter {
        ksef: Some(KsefFilter::Offline),
        ..InvoiceFilter::default()
    };
    let mut listed: Vec<String> = store
        .invoices(&t.org, &filter, 0, 50)
        .await
        .unwrap()
        .0
        .into_iter()
        .map(|r| r.id.as_str().to_owned())
        .collect();
    listed.sort();
    let mut expected = vec![offline24.as_str().to_owned(), unavailable.as_str().to_owned()];
    expected.sort();
    assert_eq!(listed, expected);
    assert!(!listed.contains(&online.as_str().to_owned()));

    // KOD II and the mode survive a save; a refusal reopens as a technical correction.
    let claimed = store.claim_due_ksef(1_000_000, 2_000_000, 10).await.unwrap();
    let mine = claimed.into_iter().find(|s| s.invoice_id == unavailable).unwrap();
    let refused = KsefSubmission {
        state: KsefState::Rejected,
        xml: Some(b"<Faktura/>".to_vec()),
        certificate_link: Some("https://qr/certificate/x".into()),
        updated_at_ms: 1_000_001,
        ..mine.clone()
    };
    assert!(store.save_ksef_submission(&refused, mine.updated_at_ms).await.unwrap());
    assert!(
        store
            .reopen_rejected_ksef(&t.org, &unavailable, "{}", Some("hash-of-refused"), 1_000_002)
            .await
            .unwrap()
    );
    let reopened = store.ksef_submission(&t.org, &unavailable).await.unwrap().unwrap();
    assert_eq!(reopened.state, KsefState::Waiting);
    assert_eq!(reopened.corrected_hash.as_deref(), Some("hash-of-refused"));
    assert_eq!(reopened.offline_mode.as_deref(), Some("unavailable"));
    assert_eq!(reopened.offline_deadline.as_deref(), Some("2026-12-01"));
    assert_eq!((reopened.xml, reopened.certificate_link), (None, None));
}
