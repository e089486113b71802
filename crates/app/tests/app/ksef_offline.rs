//! KSeF's offline modes (#16 item 4): KSeF unavailable for two hours of emulator time →
//! invoices issued offline with KOD I (OFFLINE) and KOD II (CERTYFIKAT), all accepted once
//! KSeF is back, none past its deadline; offline24 by the seller's choice, the PDF going to
//! the buyer at once; a refused offline invoice resent as a technical correction.

use app::IssueOutcome;
use secrecy::SecretString;
use store::KsefState;

const NIP: &str = testkit::SELLER_NIP;

/// A shop with a profile, KSeF settings, an Offline certificate and paid orders of
/// companies; the clock under the test's hand.
async fn shop_with_ksef(
    seed: u64,
    login: &str,
) -> (
    testkit::Shop,
    std::sync::Arc<testkit::TestClock>,
    ksef_emulator::Handle,
    Vec<domain::OrderId>,
) {
    let clock = testkit::TestClock::real_time();
    let shop = testkit::Shop::with_clock(&testkit::sqlite_url(), seed, clock.clone()).await;
    let (seller, account) = shop.link_seller(login).await;
    shop.app
        .save_invoicing_profile(&shop.user, &testkit::invoicing_profile("Sklep Offline"))
        .await
        .unwrap();
    let ksef = testkit::ksef_for(&shop.app, &shop.user, false).await;
    let (certificate, key, _) = ksef.emulator.issue_offline_certificate(NIP).unwrap();
    let saved = shop
        .app
        .save_ksef_offline_certificate(&shop.user, &certificate, &SecretString::from(key))
        .await
        .unwrap();
    assert_eq!(saved.offline_certificate.unwrap().serial.len(), 16);
    shop.paid_orders(&seller, 60, seed, 3);
    shop.app.sync_account(&account).await.unwrap();
    let companies: Vec<_> = shop
        .app
        .store()
        .account_orders(&account)
        .await
        .unwrap()
        .into_iter()
        .filter(|o| o.currency == "PLN" && o.status.is_ready_for_processing() && o.data.contains("PL_NIP"))
        .map(|o| o.id)
        .collect();
    assert!(companies.len() >= 4, "{companies:?}");
    (shop, clock, ksef, companies)
}

async fn issue(shop: &testkit::Shop, order: &domain::OrderId) -> store::InvoiceRecord {
    match shop.app.issue_invoice(&shop.user, order).await.unwrap() {
        IssueOutcome::Issued(r) => r,
        other => panic!("{other:?}"),
    }
}

/// Whether KSeF's QR host confirms KOD II's signature with the Offline certificate.
async fn kod_ii_verified(link: &str) -> bool {
    let answer: serde_json::Value = reqwest::Client::new()
        .get(link)
        .header("accept", "application/json")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    answer["valid"] == serde_json::json!(true)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_hours_without_ksef_invoices_go_offline_with_both_codes_and_all_reach_ksef_in_time() {
    let (shop, clock, ksef, companies) = shop_with_ksef(91, "sklep-awaria").await;
    let (app, user, org) = (&shop.app, &shop.user, &shop.org);
    ksef.emulator.set_faults(ksef_emulator::Faults {
        unavailable: true,
        ..Default::default()
    });
    // Issued just as KSeF stops answering: online at first, nothing known yet.
    let first = issue(&shop, &companies[0]).await;
    let round = app.send_due_to_ksef(100).await.unwrap();
    assert_eq!((round.sent, round.waiting), (0, 1));
    let settings = app.ksef_settings(user).await.unwrap();
    assert!(settings.unreachable_since_ms.is_some(), "the outage is noticed");
    let queued = app.store().ksef_submission(org, &first.id).await.unwrap().unwrap();
    assert_eq!(queued.offline_mode, None, "not offline after one failure");

    // Two hours of emulator time, the worker running every ten minutes; two invoices are
    // issued in the middle of it.
    let mut during = Vec::new();
    for step in 0..12 {
        clock.advance_ms(10 * 60_000);
        ksef.emulator.advance_clock(600);
        if step == 5 {
            during.push(issue(&shop, &companies[1]).await);
            during.push(issue(&shop, &companies[2]).await);
        }
        let round = app.send_due_to_ksef(100).await.unwrap();
        assert_eq!(round.accepted, 0);
    }
    for r in std::iter::once(&first).chain(&during) {
        let s = app.store().ksef_submission(org, &r.id).await.unwrap().unwrap();
        assert_eq!(s.offline_mode.as_deref(), Some("unavailable"), "{}", r.number);
        assert_eq!(s.offline_deadline, None, "known only when KSeF is back");
        let link = s.certificate_link.clone().expect("KOD II signed");
        assert!(
            link.starts_with(&format!("{}/certificate/Nip/{NIP}/{NIP}/", ksef.base_url)),
            "{link}"
        );
        assert!(kod_ii_verified(&link).await, "{link}");
        // The PDF: KOD I labelled OFFLINE, KOD II labelled CERTYFIKAT.
        let (_, pdf) = app.invoice_pdf(user, &r.id, app::PdfLanguage::Polish).await.unwrap();
        let text = testkit::pdf_text(&pdf);
        assert!(text.contains("OFFLINE") && text.contains("CERTYFIKAT"), "{text}");
    }
    let board = app.dashboard(user).await.unwrap();
    assert_eq!((board.ksef_offline, board.ksef_offline_deadline), (3, None));

    // KSeF is back: all three go with offlineMode, each accepted once, within the deadline.
    ksef.emulator.set_faults(ksef_emulator::Faults::default());
    clock.advance_ms(5 * 60_000);
    ksef.emulator.advance_clock(300);
    let accepted = super::send_to_ksef_until(app, 3, 40).await;
    assert_eq!(accepted, 3);
    assert_eq!(ksef.emulator.accepted_count(NIP), 3, "each once");
    let today = domain::time::polish_day(app.now_ms());
    let deadline = domain::ksef_offline::business_days_after(today, 1).to_string();
    for r in std::iter::once(&first).chain(&during) {
        let s = app.store().ksef_submission(org, &r.id).await.unwrap().unwrap();
        assert_eq!(s.state, KsefState::Accepted);
        assert_eq!(s.invoicing_mode.as_deref(), Some("Offline"), "{}", r.number);
        assert_eq!(s.offline_deadline.as_deref(), Some(deadline.as_str()));
        let acquired: jiff::Timestamp = s.acquired_at.unwrap().parse().unwrap();
        let day = domain::time::polish_day(acquired.as_millisecond()).to_string();
        assert!(day <= deadline, "accepted {day}, due {deadline}");
        // KSeF holds exactly the bytes KOD II signed.
        let in_ksef = ksef.emulator.invoice_bytes(s.ksef_number.as_deref().unwrap()).unwrap();
        assert_eq!(Some(in_ksef), s.xml);
    }
    assert_eq!(app.ksef_settings(user).await.unwrap().unreachable_since_ms, None);
    let board = app.dashboard(user).await.unwrap();
    assert_eq!((board.ksef_offline, board.ksef_deadline_alert), (0, None));
    // Invoices issued now go online again.
    let after = issue(&shop, &companies[3]).await;
    let s = app.store().ksef_submission(org, &after.id).await.unwrap().unwrap();
    assert_eq!(s.offline_mode, None);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn offline24_gives_the_buyer_the_invoice_at_once_and_ksef_by_the_next_business_day() {
    let (shop, _clock, ksef, companies) = shop_with_ksef(92, "sklep-offline24").await;
    let (app, user, org, emu) = (&shop.app, &shop.user, &shop.org, &shop.emu.emulator);
    let mut settings = app.ksef_settings(user).await.unwrap();
    assert!(!settings.offline24);
    app.save_ksef_settings(
        user,
        app::KsefSettingsInput {
            environment: settings.environment.clone(),
            token: None,
            send_consumer: settings.send_consumer,
            send_from: settings.send_from.take(),
            offline24: true,
            failure_announced: false,
        },
    )
    .await
    .unwrap();
    let invoice = issue(&shop, &companies[0]).await;
    let s = app.store().ksef_submission(org, &invoice.id).await.unwrap().unwrap();
    let issued = domain::time::parse_day(&invoice.issue_date).unwrap();
    let due = domain::ksef_offline::business_days_after(issued, 1).to_string();
    assert_eq!(
        (s.offline_mode.as_deref(), s.offline_deadline.as_deref()),
        (Some("offline24"), Some(due.as_str()))
    );
    // KSeF decides slowly: the PDF still goes to the buyer at once, OFFLINE with KOD II.
    ksef.emulator.set_faults(ksef_emulator::Faults {
        processing_delay_ms: 3_600_000,
        ..Default::default()
    });
    app.send_due_to_ksef(10).await.unwrap();
    let sent = app.store().ksef_submission(org, &invoice.id).await.unwrap().unwrap();
    assert_eq!(sent.state, KsefState::Sent);
    assert!(sent.certificate_link.is_some());
    app.upload_due_invoices(10).await.unwrap();
    assert_eq!(
        emu.order_invoices(invoice.order_id.as_str()),
        vec![(Some(invoice.number.clone()), true)],
        "uploaded without waiting for the number"
    );
    let (_, pdf) = app
        .invoice_pdf(user, &invoice.id, app::PdfLanguage::Polish)
        .await
        .unwrap();
    let text = testkit::pdf_text(&pdf);
    assert!(text.contains("OFFLINE") && text.contains("CERTYFIKAT"), "{text}");
    let board = app.dashboard(user).await.unwrap();
    assert_eq!(board.ksef_offline, 1);
    assert_eq!(board.ksef_offline_deadline.as_deref(), Some(due.as_str()));
    // The list filters it.
    let filter = store::InvoiceFilter {
        ksef: Some(store::KsefFilter::Offline),
        ..Default::default()
    };
    assert_eq!(app.invoices(user, &filter, 0, 10).await.unwrap().1, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_offline_invoice_goes_back_as_a_technical_correction() {
    let (shop, clock, ksef, companies) = shop_with_ksef(93, "sklep-korekta-tech").await;
    let (app, user, org) = (&shop.app, &shop.user, &shop.org);
    // KSeF down long enough for the invoice to be issued offline.
    ksef.emulator.set_faults(ksef_emulator::Faults {
        unavailable: true,
        ..Default::default()
    });
    app.send_due_to_ksef(10).await.unwrap();
    let invoice = issue(&shop, &companies[0]).await;
    app.send_due_to_ksef(10).await.unwrap();
    clock.advance_ms(6 * 60_000);
    ksef.emulator.advance_clock(360);
    let invoice_b = issue(&shop, &companies[1]).await;
    let b = app.store().ksef_submission(org, &invoice_b.id).await.unwrap().unwrap();
    assert_eq!(b.offline_mode.as_deref(), Some("unavailable"), "issued offline");
    // Back, but KSeF refuses the first one (450).
    ksef.emulator.set_faults(ksef_emulator::Faults::default());
    let refuse = reqwest::Client::new()
        .put(format!("{}/__ksef/faults", ksef.base_url))
        .json(&serde_json::json!({"reject_next": {"count": 1, "code": 450}}))
        .send()
        .await
        .unwrap();
    assert!(refuse.status().is_success());
    clock.advance_ms(6 * 60_000);
    ksef.emulator.advance_clock(360);
    let until = |id: domain::InvoiceId, state: KsefState| {
        let (app, org, clock) = (app.clone(), org.clone(), clock.clone());
        async move {
            for _ in 0..60 {
                app.send_due_to_ksef(10).await.unwrap();
                let s = app.store().ksef_submission(&org, &id).await.unwrap().unwrap();
                if s.state == state {
                    return s;
                }
                clock.advance_ms(10_000);
                tokio::time::sleep(std::time::Duration::from_millis(50)).await;
            }
            panic!("never {state:?}")
        }
    };
    let refused = until(invoice.id.clone(), KsefState::Rejected).await;
    assert_eq!(refused.offline_mode.as_deref(), Some("unavailable"));
    let refused_xml = refused.xml.clone().unwrap();
    // Fixed and resent: a technical correction naming the refused bytes' hash.
    let mut fixed = testkit::invoicing_profile("Sklep Offline");
    fixed.seller.address_line1 = "ul. Poprawiona 9".into();
    app.save_invoicing_profile(user, &fixed).await.unwrap();
    app.resend_to_ksef(user, &invoice.id).await.unwrap();
    let reopened = app.store().ksef_submission(org, &invoice.id).await.unwrap().unwrap();
    use base64::Engine as _;
    use sha2::Digest as _;
    let hash = base64::engine::general_purpose::STANDARD.encode(sha2::Sha256::digest(&refused_xml));
    assert_eq!(reopened.corrected_hash.as_deref(), Some(hash.as_str()));
    let accepted = until(invoice.id.clone(), KsefState::Accepted).await;
    assert_ne!(accepted.xml, Some(refused_xml), "the corrected document");
    assert!(accepted.certificate_link.is_some(), "KOD II signed anew");
    assert_ne!(accepted.certificate_link, refused.certificate_link);
    let in_ksef = String::from_utf8(
        ksef.emulator
            .invoice_bytes(accepted.ksef_number.as_deref().unwrap())
            .unwrap(),
    )
    .unwrap();
    assert!(in_ksef.contains("ul. Poprawiona 9"), "{in_ksef}");
    until(invoice_b.id.clone(), KsefState::Accepted).await;
    assert_eq!(ksef.emulator.accepted_count(NIP), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_announced_failure_gives_seven_business_days_from_its_end() {
    let (shop, _clock, ksef, companies) = shop_with_ksef(94, "sklep-awaria-mf").await;
    let (app, user, org) = (&shop.app, &shop.user, &shop.org);
    let declare = |on: bool| {
        let (app, user) = (app.clone(), user.clone());
        async move {
            let s = app.ksef_settings(&user).await.unwrap();
            app.save_ksef_settings(
                &user,
                app::KsefSettingsInput {
                    environment: s.environment,
                    token: None,
                    send_consumer: s.send_consumer,
                    send_from: s.send_from,
                    offline24: s.offline24,
                    failure_announced: on,
                },
            )
            .await
            .unwrap()
        }
    };
    let declared = declare(true).await;
    assert!(declared.failure_since_ms.is_some());
    let invoice = issue(&shop, &companies[0]).await;
    let s = app.store().ksef_submission(org, &invoice.id).await.unwrap().unwrap();
    assert_eq!(
        (s.offline_mode.as_deref(), s.offline_deadline.as_deref()),
        (Some("failure"), None)
    );
    // Sent as soon as KSeF answers, failure or not: early is never late.
    assert_eq!(super::send_to_ksef_until(app, 1, 40).await, 1);
    let sent = app.store().ksef_submission(org, &invoice.id).await.unwrap().unwrap();
    assert_eq!(
        (sent.state, sent.invoicing_mode.as_deref()),
        (KsefState::Accepted, Some("Offline"))
    );
    assert!(sent.certificate_link.is_some());
    // A second one stays unsent until the failure ends, which sets its deadline.
    ksef.emulator.set_faults(ksef_emulator::Faults {
        unavailable: true,
        ..Default::default()
    });
    let second = issue(&shop, &companies[1]).await;
    app.send_due_to_ksef(10).await.unwrap();
    let ended = declare(false).await;
    assert_eq!(ended.failure_since_ms, None);
    let today = domain::time::polish_day(app.now_ms());
    let due = domain::ksef_offline::business_days_after(today, 7).to_string();
    let s = app.store().ksef_submission(org, &second.id).await.unwrap().unwrap();
    assert_eq!(
        (s.offline_mode.as_deref(), s.offline_deadline.as_deref()),
        (Some("failure"), Some(due.as_str()))
    );
    let board = app.dashboard(user).await.unwrap();
    assert_eq!((board.ksef_offline, board.ksef_offline_deadline), (1, Some(due)));
}
