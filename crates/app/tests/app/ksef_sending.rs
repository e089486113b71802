//! Invoices to KSeF exactly once (#16 item 2): business invoices queued when issued, sent,
//! given KSeF numbers and UPOs; a send whose answer was lost is resolved by KSeF's answer
//! to the same bytes; a correction waits for its original's number and names it.

use app::{IssueOutcome, KsefEnvironment, KsefSettingsInput};
use secrecy::SecretString;
use store::KsefState;

const NIP: &str = "5260250995";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn business_invoices_reach_ksef_once_with_their_numbers() {
    let clock = testkit::TestClock::real_time();
    let shop = testkit::Shop::with_clock(&testkit::sqlite_url(), 84, clock.clone()).await;
    let (seller, account) = shop.link_seller("sklep-ksef").await;
    let (app, user, org, emu) = (&shop.app, &shop.user, &shop.org, &shop.emu.emulator);
    app.save_invoicing_profile(user, &testkit::invoicing_profile("Sklep KSeF"))
        .await
        .unwrap();
    let ksef = ksef_emulator::spawn("127.0.0.1:0", ksef_emulator::Settings::default())
        .await
        .unwrap();
    let token = testkit::ksef_token(&ksef, NIP, &["InvoiceWrite", "InvoiceRead"]);
    shop.paid_orders(&seller, 80, 15, 3);
    app.sync_account(&account).await.unwrap();
    let orders = app.store().account_orders(&account).await.unwrap();
    let paid_pln = |company: bool| {
        orders
            .iter()
            .filter(|o| o.currency == "PLN" && o.status.is_ready_for_processing())
            .filter(|o| o.data.contains("PL_NIP") == company)
            .map(|o| o.id.clone())
            .collect::<Vec<_>>()
    };
    let (companies, people) = (paid_pln(true), paid_pln(false));
    assert!(companies.len() >= 4 && !people.is_empty(), "{companies:?}");
    let companies = &companies[..4];
    let mut issued = Vec::new();
    for o in companies.iter().chain(&people[..1]) {
        let IssueOutcome::Issued(r) = app.issue_invoice(user, o).await.unwrap() else {
            panic!()
        };
        issued.push(r);
    }
    // Queued with the invoice: the companies' four, not the consumer's.
    for (i, r) in issued.iter().enumerate() {
        let queued = app.store().ksef_submission(org, &r.id).await.unwrap();
        assert_eq!(queued.is_some(), i < 4, "{}", r.number);
    }
    // Without a token they wait, saying why; nothing is lost.
    let round = app.send_due_to_ksef(100).await.unwrap();
    assert_eq!((round.sent, round.waiting), (0, 4));
    let waiting = app.store().ksef_submission(org, &issued[0].id).await.unwrap().unwrap();
    assert!(waiting.error.unwrap().contains("problem-ksef-token-missing"));

    app.save_ksef_settings(
        user,
        KsefSettingsInput {
            environment: KsefEnvironment::Custom(ksef.api_url.clone()),
            token: Some(SecretString::from(token.clone())),
            send_consumer: false,
            send_from: Some("2026-01-01".into()),
            offline24: false,
            failure_announced: false,
        },
    )
    .await
    .unwrap();
    // A worker sent the first invoice and died before storing what KSeF answered.
    let (_, lost_xml) = app.invoice_xml(user, &issued[0].id).await.unwrap();
    let client = ksef_client::KsefClient::new(ksef_client::Environment::custom(&ksef.api_url, None).unwrap()).unwrap();
    let login = client
        .login_with_token(NIP, &ksef_client::KsefToken::parse(&token).unwrap())
        .await
        .unwrap();
    let session = login
        .open_online_session(ksef_client::types::FormCode::fa3())
        .await
        .unwrap();
    let lost = login
        .send_invoice(&session, lost_xml.as_bytes(), &ksef_client::SendOptions::default())
        .await
        .unwrap();
    let first_number = loop {
        match login.invoice_status(&session.reference, &lost).await.unwrap().outcome {
            ksef_client::InvoiceOutcome::Accepted { ksef_number, .. } => break ksef_number.to_string(),
            ksef_client::InvoiceOutcome::Processing => tokio::time::sleep(std::time::Duration::from_millis(20)).await,
            other => panic!("{other:?}"),
        }
    };

    // The waiting invoices are looked at again after their pause.
    clock.advance_ms(11 * 60_000);
    let mut accepted = 0;
    for _ in 0..30 {
        let round = app.send_due_to_ksef(100).await.unwrap();
        accepted += round.accepted;
        assert_eq!(round.rejected, 0, "{round:?}");
        if accepted == 4 {
            break;
        }
        clock.advance_ms(3_000);
    }
    assert_eq!(accepted, 4);
    for r in &issued[..4] {
        let s = app.store().ksef_submission(org, &r.id).await.unwrap().unwrap();
        assert_eq!(s.state, KsefState::Accepted, "{}", r.number);
        let number = s.ksef_number.clone().unwrap();
        assert!(number.starts_with(NIP), "{number}");
        // What KSeF holds is exactly what we stored.
        assert_eq!(ksef.emulator.invoice_bytes(&number), s.xml, "{}", r.number);
        if r.id != issued[0].id {
            assert!(
                s.upo
                    .as_ref()
                    .is_some_and(|u| String::from_utf8_lossy(u).contains(&number)),
                "UPO"
            );
        }
    }
    let first = app.store().ksef_submission(org, &issued[0].id).await.unwrap().unwrap();
    assert_eq!(
        first.ksef_number.as_deref(),
        Some(first_number.as_str()),
        "the lost send's number"
    );
    assert_eq!(
        ksef.emulator.accepted_count(NIP),
        4,
        "each invoice in KSeF exactly once"
    );

    // The consumer's invoice never went; a correction of a company's invoice names the
    // original's KSeF number.
    emu.move_order(
        companies[1].as_str(),
        Some(allegro_api_types::CheckoutFormStatus::Cancelled),
        None,
    )
    .unwrap();
    app.sync_account(&account).await.unwrap();
    let IssueOutcome::Issued(kor) = app.issue_correction(user, &companies[1]).await.unwrap() else {
        panic!()
    };
    for _ in 0..10 {
        if app.send_due_to_ksef(100).await.unwrap().accepted == 1 {
            break;
        }
        clock.advance_ms(3_000);
    }
    let sent = app.store().ksef_submission(org, &kor.id).await.unwrap().unwrap();
    assert_eq!(sent.state, KsefState::Accepted);
    let xml = String::from_utf8(sent.xml.unwrap()).unwrap();
    let original = app.store().ksef_submission(org, &issued[1].id).await.unwrap().unwrap();
    assert!(
        xml.contains(&format!(
            "<NrKSeFFaKorygowanej>{}</NrKSeFFaKorygowanej>",
            original.ksef_number.unwrap()
        )),
        "{xml}"
    );
    assert_eq!(ksef.emulator.accepted_count(NIP), 5);
}

/// A refusal (450) keeps the invoice's number and says why; "Wyślij ponownie do KSeF"
/// after the seller corrected the profile sends the corrected document under that number.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_invoice_is_fixed_and_sent_again_under_its_number() {
    let shop = testkit::Shop::new(&testkit::sqlite_url(), 85).await;
    let (seller, account) = shop.link_seller("sklep-odrzucony").await;
    let (app, user, org) = (&shop.app, &shop.user, &shop.org);
    app.save_invoicing_profile(user, &testkit::invoicing_profile("Sklep KSeF"))
        .await
        .unwrap();
    let ksef = testkit::ksef_for(app, user, false).await;
    shop.paid_orders(&seller, 40, 16, 3);
    app.sync_account(&account).await.unwrap();
    let order = app
        .store()
        .account_orders(&account)
        .await
        .unwrap()
        .into_iter()
        .find(|o| o.currency == "PLN" && o.status.is_ready_for_processing() && o.data.contains("PL_NIP"))
        .unwrap();
    let IssueOutcome::Issued(invoice) = app.issue_invoice(user, &order.id).await.unwrap() else {
        panic!()
    };
    let refuse = reqwest::Client::new()
        .put(format!("{}/__ksef/faults", ksef.base_url))
        .json(&serde_json::json!({"reject_next": {"count": 1, "code": 450}}))
        .send()
        .await
        .unwrap();
    assert!(refuse.status().is_success());
    let until = |state: KsefState| {
        let (app, org, id) = (app.clone(), org.clone(), invoice.id.clone());
        async move {
            for _ in 0..50 {
                app.send_due_to_ksef(10).await.unwrap();
                let s = app.store().ksef_submission(&org, &id).await.unwrap().unwrap();
                if s.state == state {
                    return s;
                }
                tokio::time::sleep(std::time::Duration::from_millis(100)).await;
            }
            panic!("never {state:?}")
        }
    };
    let refused = until(KsefState::Rejected).await;
    let problem = domain::Problem::from_stored(refused.error.as_deref().unwrap()).unwrap();
    assert_eq!(
        (problem.key.as_str(), problem.arg_text("code")),
        ("problem-ksef-rejected", "450".into())
    );
    assert_eq!(ksef.emulator.accepted_count(NIP), 0);

    // Fixed in the profile, sent again: the same number, the corrected data in KSeF.
    let mut fixed = testkit::invoicing_profile("Sklep KSeF");
    fixed.seller.address_line1 = "ul. Poprawiona 7".into();
    app.save_invoicing_profile(user, &fixed).await.unwrap();
    app.resend_to_ksef(user, &invoice.id).await.unwrap();
    let accepted = until(KsefState::Accepted).await;
    let number = accepted.ksef_number.unwrap();
    let in_ksef = String::from_utf8(ksef.emulator.invoice_bytes(&number).unwrap()).unwrap();
    assert!(
        in_ksef.contains("ul. Poprawiona 7") && in_ksef.contains(&format!("<P_2>{}</P_2>", invoice.number)),
        "{in_ksef}"
    );
    // Only a refused invoice can be sent again.
    assert!(matches!(
        app.resend_to_ksef(user, &invoice.id).await,
        Err(app::AppError::Conflict(p)) if p.key == "problem-ksef-not-rejected"
    ));
}

/// The PDF goes to the Allegro order once the invoice has its KSeF number, so the buyer's
/// copy carries it; if KSeF takes longer than the wait allowed, it goes labelled OFFLINE.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_pdf_reaches_allegro_with_its_ksef_number_or_after_the_wait() {
    let clock = testkit::TestClock::real_time();
    let shop = testkit::Shop::with_clock(&testkit::sqlite_url(), 86, clock.clone()).await;
    let (seller, account) = shop.link_seller("sklep-czeka").await;
    let (app, user, org, emu) = (&shop.app, &shop.user, &shop.org, &shop.emu.emulator);
    app.save_invoicing_profile(user, &testkit::invoicing_profile("Sklep KSeF"))
        .await
        .unwrap();
    shop.paid_orders(&seller, 40, 17, 3);
    app.sync_account(&account).await.unwrap();
    let companies: Vec<_> = app
        .store()
        .account_orders(&account)
        .await
        .unwrap()
        .into_iter()
        .filter(|o| o.currency == "PLN" && o.status.is_ready_for_processing() && o.data.contains("PL_NIP"))
        .take(2)
        .collect();
    assert_eq!(companies.len(), 2);
    let mut invoices = Vec::new();
    for o in &companies {
        let IssueOutcome::Issued(r) = app.issue_invoice(user, &o.id).await.unwrap() else {
            panic!()
        };
        invoices.push(r);
    }
    let _ksef = testkit::ksef_for(app, user, false).await;
    // The PDFs wait for their numbers, saying why and until when.
    app.upload_due_invoices(10).await.unwrap();
    assert!(
        emu.order_invoices(companies[0].id.as_str()).is_empty(),
        "not before its number"
    );
    let (record, _) = app.invoice(user, &invoices[0].id).await.unwrap();
    assert!(record.upload.error.unwrap().contains("problem-upload-waits-for-ksef"));
    // KSeF answers slowly for the second one: only the first is sent now.
    let first_only = app
        .store()
        .ksef_submission(org, &invoices[1].id)
        .await
        .unwrap()
        .unwrap();
    let held = store::KsefSubmission {
        next_at_ms: app.now_ms() + 24 * 3_600_000,
        updated_at_ms: first_only.updated_at_ms + 1,
        ..first_only.clone()
    };
    assert!(
        app.store()
            .save_ksef_submission(&held, first_only.updated_at_ms)
            .await
            .unwrap()
    );
    for _ in 0..20 {
        if app.send_due_to_ksef(10).await.unwrap().accepted == 1 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    // The first has its number: its PDF goes; the second still waits.
    clock.advance_ms(20_000);
    app.upload_due_invoices(10).await.unwrap();
    assert_eq!(
        emu.order_invoices(companies[0].id.as_str()),
        vec![(Some(invoices[0].number.clone()), true)]
    );
    assert!(emu.order_invoices(companies[1].id.as_str()).is_empty());
    // Ten minutes since it was queued: it goes without its number.
    clock.advance_ms(10 * 60_000);
    app.upload_due_invoices(10).await.unwrap();
    assert_eq!(
        emu.order_invoices(companies[1].id.as_str()),
        vec![(Some(invoices[1].number.clone()), true)]
    );
    let shorter = app.clone().with_ksef_upload_wait(0);
    assert!(shorter.upload_due_invoices(10).await.unwrap().is_empty(), "each once");
}

/// More invoices than KSeF's online limits let go now: they go as one batch session, each
/// accepted once, with production limits on and no 429 from KSeF; sent again after a crash,
/// KSeF's 440s settle them.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_burst_goes_as_a_batch_session_within_the_limits() {
    let shop = testkit::Shop::new(&testkit::sqlite_url(), 88).await;
    let (seller, account) = shop.link_seller("sklep-wsad").await;
    let (app, user, org) = (&shop.app, &shop.user, &shop.org);
    app.save_invoicing_profile(user, &testkit::invoicing_profile("Sklep KSeF"))
        .await
        .unwrap();
    let ksef = testkit::ksef_for(app, user, true).await;
    shop.paid_orders(&seller, 120, 18, 3);
    app.sync_account(&account).await.unwrap();
    let mut issued = Vec::new();
    for o in app
        .store()
        .account_orders(&account)
        .await
        .unwrap()
        .iter()
        .filter(|o| o.currency == "PLN" && o.status.is_ready_for_processing())
        .take(60)
    {
        let IssueOutcome::Issued(r) = app.issue_invoice(user, &o.id).await.unwrap() else {
            panic!()
        };
        issued.push(r.id);
    }
    assert_eq!(issued.len(), 60);
    let accepted = super::send_to_ksef_until(app, 60, 100).await;
    assert_eq!(accepted, 60);
    assert_eq!(ksef.emulator.accepted_count(NIP), 60, "each once");
    let stats = ksef.emulator.stats();
    assert!(
        stats.by_endpoint.keys().any(|e| e.contains("/sessions/batch")),
        "{:?}",
        stats.by_endpoint
    );
    assert_eq!(stats.by_status.get("429"), None, "no 429: {:?}", stats.by_status);
    let mut numbers = Vec::new();
    for id in &issued {
        let s = app.store().ksef_submission(org, id).await.unwrap().unwrap();
        assert!(s.ksef_number.is_some() && s.invoice_ref.is_some(), "{s:?}");
        numbers.push(s.ksef_number);
    }

    // A worker killed after KSeF took the batch but before it marked the invoices sent:
    // they wait again with the same bytes. Sent again, KSeF answers each with 440 and the
    // session fails as a whole (445, no new invoice in it) — each is then settled by the
    // number KSeF names, never left to be sent forever.
    for id in &issued {
        let s = app.store().ksef_submission(org, id).await.unwrap().unwrap();
        let waiting = store::KsefSubmission {
            state: KsefState::Waiting,
            session_ref: None,
            invoice_ref: None,
            ksef_number: None,
            acquired_at: None,
            upo: None,
            next_at_ms: 0,
            updated_at_ms: s.updated_at_ms + 1,
            ..s.clone()
        };
        assert!(
            app.store()
                .save_ksef_submission(&waiting, s.updated_at_ms)
                .await
                .unwrap()
        );
    }
    let settled = super::send_to_ksef_until(app, 60, 100).await;
    assert_eq!(settled, 60);
    assert_eq!(ksef.emulator.accepted_count(NIP), 60, "still each once");
    for (id, number) in issued.iter().zip(&numbers) {
        let s = app.store().ksef_submission(org, id).await.unwrap().unwrap();
        assert_eq!((s.state, &s.ksef_number), (KsefState::Accepted, number));
    }
}
