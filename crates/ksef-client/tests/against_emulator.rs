//! The client against the KSeF emulator: the whole token login, online and batch
//! sessions, statuses, UPOs, duplicates, rejections, technical corrections, key rotation,
//! refresh and re-login, revoked tokens, permissions, faults, limits and both QR codes.

use std::time::Duration;

use ksef_client::qr::{OfflineCertificate, kod_i};
use ksef_client::types::{ContextIdentifier, FormCode};
use ksef_client::{
    AuthFailure, Environment, InvoiceOutcome, KsefClient, KsefError, KsefNumber, KsefToken, Login, RetryPolicy,
    SendOptions, SessionState,
};
use ksef_emulator::{Faults, Handle, NewToken, Settings, fixtures};

const NIP: &str = "5265877635";

async fn emulator() -> Handle {
    ksef_emulator::spawn("127.0.0.1:0", Settings::default()).await.unwrap()
}

fn token(h: &Handle, nip: &str, permissions: &[&str]) -> (KsefToken, String) {
    let (token, reference) = h
        .emulator
        .create_token(NewToken {
            nip: nip.to_owned(),
            permissions: permissions.iter().map(|p| (*p).to_owned()).collect(),
            description: None,
        })
        .unwrap();
    (KsefToken::parse(&token).unwrap(), reference)
}

fn client(h: &Handle) -> KsefClient {
    KsefClient::builder(Environment::custom(&h.api_url, None).unwrap())
        .retry(RetryPolicy {
            base_delay: Duration::from_millis(10),
            ..RetryPolicy::default()
        })
        .build()
        .unwrap()
}

async fn login(h: &Handle) -> Login {
    let (t, _) = token(h, NIP, &["InvoiceWrite", "InvoiceRead"]);
    client(h).login_with_token(NIP, &t).await.unwrap()
}

async fn outcome(
    login: &Login,
    session: &ksef_client::OnlineSession,
    invoice: &ksef_client::ReferenceNumber,
) -> InvoiceOutcome {
    for _ in 0..200 {
        let state = login.invoice_status(&session.reference, invoice).await.unwrap();
        if state.outcome.is_final() {
            return state.outcome;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("invoice {invoice} never reached a final status");
}

#[tokio::test]
async fn an_invoice_goes_in_gets_a_number_and_its_upo_and_comes_back_byte_for_byte() {
    let h = emulator().await;
    let login = login(&h).await;
    let session = login.open_online_session(FormCode::fa3()).await.unwrap();
    let xml = fixtures::invoice(NIP, "FV/1/2026", &fixtures::today(&h.emulator));
    let reference = login
        .send_invoice(&session, &xml, &SendOptions::default())
        .await
        .unwrap();
    let InvoiceOutcome::Accepted {
        ksef_number,
        invoicing_mode,
        upo_download_url,
        ..
    } = outcome(&login, &session, &reference).await
    else {
        panic!("not accepted")
    };
    // The number parses, so its CRC-8 is right, and names the seller.
    let reparsed: KsefNumber = ksef_number.as_str().parse().unwrap();
    assert_eq!(reparsed.nip(), NIP);
    assert_eq!(invoicing_mode.as_deref(), Some("Online"));

    // The UPO three ways: by reference, by KSeF number, by its presigned link (no token).
    let by_ref = login.invoice_upo(&session.reference, &reference).await.unwrap();
    let by_number = login
        .invoice_upo_by_ksef_number(&session.reference, &ksef_number)
        .await
        .unwrap();
    let by_link = login.download_upo(&upo_download_url.unwrap()).await.unwrap();
    let upo = String::from_utf8(by_ref.xml.clone()).unwrap();
    assert_eq!(by_ref.xml, by_number.xml);
    assert_eq!(by_ref.xml, by_link.xml);
    assert!(upo.contains(&format!("<NumerKSeFDokumentu>{ksef_number}</NumerKSeFDokumentu>")));
    assert!(upo.contains("<NumerReferencyjnyTokenaKSeF>"));
    use base64::Engine as _;
    use sha2::Digest as _;
    let hash = base64::engine::general_purpose::STANDARD.encode(sha2::Sha256::digest(&xml));
    assert!(upo.contains(&format!("<SkrotDokumentu>{hash}</SkrotDokumentu>")));

    // KSeF gives back exactly what was sent.
    assert_eq!(login.invoice(&ksef_number).await.unwrap(), xml);

    // The same invoice again: 440 with the original number, in any session.
    let second = login.open_online_session(FormCode::fa3()).await.unwrap();
    let again = login
        .send_invoice(&second, &xml, &SendOptions::default())
        .await
        .unwrap();
    match outcome(&login, &second, &again).await {
        InvoiceOutcome::Duplicate {
            original_ksef_number, ..
        } => assert_eq!(original_ksef_number, Some(ksef_number.clone())),
        other => panic!("expected a duplicate, got {other:?}"),
    }

    // A broken invoice: 430 with the schema's words.
    let broken = String::from_utf8(fixtures::invoice(NIP, "FV/2/2026", &fixtures::today(&h.emulator)))
        .unwrap()
        .replace("<P_15>", "<P_15X>")
        .replace("</P_15>", "</P_15X>");
    let bad = login
        .send_invoice(&second, broken.as_bytes(), &SendOptions::default())
        .await
        .unwrap();
    match outcome(&login, &second, &bad).await {
        InvoiceOutcome::Rejected { code, details, .. } => {
            assert_eq!(code, 430);
            assert!(details.iter().any(|d| d.contains("P_15X")), "{details:?}");
        }
        other => panic!("expected a rejection, got {other:?}"),
    }

    // Closing: the session is processed, its UPO lists the accepted invoice only.
    login.close_online_session(&session.reference).await.unwrap();
    let (state, _) = login.session_status(&session.reference).await.unwrap();
    let SessionState::Processed {
        successful,
        failed,
        upo_pages,
    } = state
    else {
        panic!("{state:?}")
    };
    assert_eq!((successful, failed), (1, 0));
    let page = login.download_upo(&upo_pages[0]).await.unwrap().xml;
    assert!(String::from_utf8_lossy(&page).contains("<CalkowitaLiczbaDokumentow>1</CalkowitaLiczbaDokumentow>"));
    let (_, raw) = login.session_status(&session.reference).await.unwrap();
    let page_ref = raw.upo.unwrap().pages[0].reference_number.clone();
    assert_eq!(
        login.session_upo(&session.reference, &page_ref).await.unwrap().xml,
        page
    );
    let failed = login.session_invoices(&second.reference, true).await.unwrap();
    assert_eq!(failed.len(), 2, "the duplicate and the broken one");
}

#[tokio::test]
async fn failed_logins_are_typed_with_their_reason() {
    let h = emulator().await;
    let c = client(&h);
    // A revoked token: 450 "Token unieważniony".
    let (t, reference) = token(&h, NIP, &["InvoiceWrite"]);
    assert!(h.emulator.revoke_token(&reference));
    match c.login_with_token(NIP, &t).await {
        Err(KsefError::Auth(AuthFailure { code: 450, details, .. })) => {
            assert!(details.iter().any(|d| d.contains("unieważniony")), "{details:?}")
        }
        other => panic!("{other:?}"),
    }
    // No permissions in the context: 415.
    let (t, _) = token(&h, NIP, &[]);
    assert!(matches!(
        c.login_with_token(NIP, &t).await,
        Err(KsefError::Auth(AuthFailure { code: 415, .. }))
    ));
    // A token for another NIP.
    let (t, _) = token(&h, "1111111111", &["InvoiceWrite"]);
    let e = c.login_with_token(NIP, &t).await.unwrap_err();
    assert!(matches!(&e, KsefError::Auth(AuthFailure { code: 450, .. })), "{e:?}");
    // The error never quotes the token.
    let (t, _) = token(&h, NIP, &[]);
    let message = c.login_with_token(NIP, &t).await.unwrap_err().to_string();
    assert!(!message.contains("nip-"), "{message}");
    // Read-only: the login works, opening a session is 403 missing-permissions.
    let (t, _) = token(&h, NIP, &["InvoiceRead"]);
    let login = c.login_with_token(NIP, &t).await.unwrap();
    match login.open_online_session(FormCode::fa3()).await {
        Err(KsefError::Forbidden {
            reason_code, security, ..
        }) => {
            assert_eq!(reason_code, "missing-permissions");
            assert!(security.unwrap().to_string().contains("InvoiceWrite"));
        }
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn access_tokens_are_refreshed_and_a_dead_refresh_token_means_a_new_login() {
    let h = emulator().await;
    h.emulator.set_settings(Settings {
        access_token_ttl_seconds: 30,
        ..Settings::default()
    });
    let login = login(&h).await;
    let first = login.access_token().await.unwrap();
    // Less than a minute left: the next call refreshes.
    let second = login.access_token().await.unwrap();
    assert_ne!(first, second);
    let au = login.reference().await;
    login.open_online_session(FormCode::fa3()).await.unwrap();
    assert_eq!(login.reference().await, au, "refreshed, not logged in again");
    // The refresh token dies; the client logs in again by itself.
    login.revoke_current().await.unwrap();
    login.open_online_session(FormCode::fa3()).await.unwrap();
    assert_ne!(login.reference().await, au, "a new login");
}

#[tokio::test]
async fn an_emergency_key_rotation_is_followed() {
    let h = emulator().await;
    let c = client(&h);
    let (t, _) = token(&h, NIP, &["InvoiceWrite"]);
    c.public_key_certificates().await.unwrap();
    let http = reqwest::Client::new();
    for usage in ["KsefTokenEncryption", "SymmetricKeyEncryption"] {
        http.post(format!("{}/__ksef/keys/rotate", h.base_url))
            .json(&serde_json::json!({"usage": usage, "emergency": true}))
            .send()
            .await
            .unwrap()
            .error_for_status()
            .unwrap();
    }
    // The client still holds the retired keys: 21470, read again, succeed.
    let login = c.login_with_token(NIP, &t).await.unwrap();
    login.open_online_session(FormCode::fa3()).await.unwrap();
}

#[tokio::test]
async fn batches_carry_what_the_online_limits_cannot() {
    let h = emulator().await;
    let login = login(&h).await;
    let today = fixtures::today(&h.emulator);
    let invoices: Vec<_> = (1..=40)
        .map(|i| {
            (
                format!("FV_{i}.xml"),
                fixtures::invoice(NIP, &format!("FV/B/{i}"), &today),
            )
        })
        .collect();
    let session = login.send_batch(FormCode::fa3(), &invoices, false).await.unwrap();
    let (state, _) = login.session_status(&session).await.unwrap();
    assert_eq!(
        state,
        SessionState::Processed {
            successful: 40,
            failed: 0,
            upo_pages: match &state {
                SessionState::Processed { upo_pages, .. } => upo_pages.clone(),
                _ => vec![],
            }
        }
    );
    let all = login.session_invoices(&session, false).await.unwrap();
    assert_eq!(all.len(), 40);
    assert!(all.iter().all(|i| matches!(i.outcome, InvoiceOutcome::Accepted { .. })));
    assert_eq!(h.emulator.accepted_count(NIP), 40);
}

#[tokio::test]
async fn a_rejected_offline_invoice_is_replaced_by_one_technical_correction() {
    let h = emulator().await;
    let login = login(&h).await;
    let session = login.open_online_session(FormCode::fa3()).await.unwrap();
    let today = fixtures::today(&h.emulator);
    let original = fixtures::invoice(NIP, "FV/OFF/1", &today);
    reqwest::Client::new()
        .put(format!("{}/__ksef/faults", h.base_url))
        .json(&serde_json::json!({"reject_next": {"count": 1, "code": 450}}))
        .send()
        .await
        .unwrap();
    let offline = SendOptions {
        offline_mode: true,
        hash_of_corrected_invoice: None,
    };
    let first = login.send_invoice(&session, &original, &offline).await.unwrap();
    assert!(matches!(
        outcome(&login, &session, &first).await,
        InvoiceOutcome::Rejected { code: 450, .. }
    ));
    use base64::Engine as _;
    use sha2::Digest as _;
    let correction = SendOptions {
        offline_mode: true,
        hash_of_corrected_invoice: Some(
            base64::engine::general_purpose::STANDARD.encode(sha2::Sha256::digest(&original)),
        ),
    };
    let fixed = fixtures::invoice(NIP, "FV/OFF/1", &today);
    let second = login.send_invoice(&session, &fixed, &correction).await.unwrap();
    match outcome(&login, &session, &second).await {
        InvoiceOutcome::Accepted { invoicing_mode, .. } => assert_eq!(invoicing_mode.as_deref(), Some("Offline")),
        other => panic!("{other:?}"),
    }
    // A second correction of the same invoice: 21166.
    let e = login.send_invoice(&session, &fixed, &correction).await.unwrap_err();
    assert_eq!(e.code(), Some(21166), "{e}");
}

#[tokio::test]
async fn kod_i_and_kod_ii_resolve_on_the_qr_host() {
    let h = emulator().await;
    let login = login(&h).await;
    let env = Environment::custom(&h.api_url, None).unwrap();
    let today = fixtures::today(&h.emulator);
    let xml = fixtures::invoice(NIP, "FV/QR/1", &today);
    let date: jiff::civil::Date = today.parse().unwrap();
    let link = kod_i(&env, NIP, date, &xml);
    let http = reqwest::Client::new();
    let ask = |url: String| {
        let http = http.clone();
        async move {
            http.get(url)
                .header("accept", "application/json")
                .send()
                .await
                .unwrap()
                .json::<serde_json::Value>()
                .await
                .unwrap()
        }
    };
    assert_eq!(ask(link.clone()).await["found"], false, "not in KSeF before it is sent");
    let session = login.open_online_session(FormCode::fa3()).await.unwrap();
    let r = login
        .send_invoice(&session, &xml, &SendOptions::default())
        .await
        .unwrap();
    let InvoiceOutcome::Accepted { ksef_number, .. } = outcome(&login, &session, &r).await else {
        panic!()
    };
    let answer = ask(link).await;
    assert_eq!(answer["found"], true);
    assert_eq!(answer["ksefNumber"], ksef_number.as_str());

    let (cert, key, serial) = h.emulator.issue_offline_certificate(NIP).unwrap();
    let offline = OfflineCertificate::from_pem(&cert, &key).unwrap();
    assert_eq!(offline.serial(), serial);
    let kod_ii = offline.kod_ii(&env, &ContextIdentifier::nip(NIP), NIP, &xml);
    assert_eq!(ask(kod_ii.clone()).await["valid"], true, "{kod_ii}");
    // A link whose hash was changed no longer matches its signature.
    let mut parts: Vec<&str> = kod_ii.split('/').collect();
    let n = parts.len();
    let other_hash = ksef_client::qr::invoice_hash(b"another invoice");
    parts[n - 2] = &other_hash;
    assert_eq!(ask(parts.join("/")).await["valid"], false);
}

#[tokio::test]
async fn outages_are_retried_and_reported() {
    let h = emulator().await;
    // Ten attempts a call: at 30 % faults a call fails for good once in 170 000 (five
    // attempts made this test fail about one run in twenty).
    let (t, _) = token(&h, NIP, &["InvoiceWrite", "InvoiceRead"]);
    let login = KsefClient::builder(Environment::custom(&h.api_url, None).unwrap())
        .retry(RetryPolicy {
            max_attempts: 10,
            base_delay: Duration::from_millis(5),
            max_delay: Duration::from_millis(40),
            ..RetryPolicy::default()
        })
        .build()
        .unwrap()
        .login_with_token(NIP, &t)
        .await
        .unwrap();
    h.emulator.set_faults(Faults {
        error_share: 0.3,
        ..Faults::default()
    });
    // With 30 % of calls failing, every step still succeeds on retries.
    let session = login.open_online_session(FormCode::fa3()).await.unwrap();
    let today = fixtures::today(&h.emulator);
    for i in 0..5 {
        let r = login
            .send_invoice(
                &session,
                &fixtures::invoice(NIP, &format!("FV/R/{i}"), &today),
                &SendOptions::default(),
            )
            .await
            .unwrap();
        assert!(matches!(
            outcome(&login, &session, &r).await,
            InvoiceOutcome::Accepted { .. }
        ));
    }
    h.emulator.set_faults(Faults {
        unavailable: true,
        ..Faults::default()
    });
    let e = login.open_online_session(FormCode::fa3()).await.unwrap_err();
    assert!(matches!(e, KsefError::Unavailable { status: 503, .. }), "{e:?}");
    assert!(e.is_transient());
}

#[tokio::test]
async fn the_client_keeps_within_the_limits_so_ksef_refuses_nothing() {
    let h = emulator().await;
    let login = login(&h).await;
    let session = login.open_online_session(FormCode::fa3()).await.unwrap();
    let today = fixtures::today(&h.emulator);
    let start = std::time::Instant::now();
    for i in 0..25 {
        login
            .send_invoice(
                &session,
                &fixtures::invoice(NIP, &format!("FV/L/{i}"), &today),
                &SendOptions::default(),
            )
            .await
            .unwrap();
    }
    // 10 a second: 25 sends need at least two full seconds of waiting.
    assert!(start.elapsed() >= Duration::from_secs(2), "{:?}", start.elapsed());
    let stats = h.emulator.stats();
    assert_eq!(stats.by_status.get("429"), None, "{stats:?}");
}

#[tokio::test]
async fn both_error_shapes_are_read_and_429_waits_for_retry_after() {
    let h = emulator().await;
    let (t, _) = token(&h, NIP, &["InvoiceWrite", "InvoiceRead"]);
    let unknown = KsefNumber::from_parts(NIP, "20260101", "000000000000").unwrap();
    for problem_details in [false, true] {
        let c = KsefClient::builder(Environment::custom(&h.api_url, None).unwrap())
            .problem_details(problem_details)
            .build()
            .unwrap();
        let login = c.login_with_token(NIP, &t).await.unwrap();
        let e = login.invoice(&unknown).await.unwrap_err();
        assert_eq!(e.code(), Some(21164), "problem details {problem_details}: {e:?}");
    }
    // Without the client's own limits, KSeF's 429 is waited out (Retry-After) and the
    // call still succeeds.
    let c = KsefClient::builder(Environment::custom(&h.api_url, None).unwrap())
        .rate_limits(ksef_client::RateLimits::unlimited())
        .build()
        .unwrap();
    let login = c.login_with_token(NIP, &t).await.unwrap();
    let session = login.open_online_session(FormCode::fa3()).await.unwrap();
    let start = std::time::Instant::now();
    for _ in 0..12 {
        login.session_status(&session.reference).await.unwrap();
    }
    assert!(h.emulator.stats().by_status.get("429").copied().unwrap_or(0) >= 1);
    assert!(start.elapsed() >= Duration::from_millis(900), "{:?}", start.elapsed());
}
