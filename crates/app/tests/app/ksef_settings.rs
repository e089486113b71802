//! KSeF settings (#16 item 1): the token is sealed and never shown, must be for the
//! invoicing profile's NIP and carry InvoiceWrite; "Sprawdź połączenie" logs in and reads
//! the token; a token KSeF revokes is remembered until it is replaced.

use app::{AppError, KsefEnvironment, KsefSettingsInput};
use secrecy::SecretString;

const NIP: &str = "5260250995";

fn input(url: &str, token: Option<&str>) -> KsefSettingsInput {
    KsefSettingsInput {
        environment: KsefEnvironment::Custom(url.to_owned()),
        token: token.map(|t| SecretString::from(t.to_owned())),
        send_consumer: false,
        send_from: None,
        offline24: false,
        failure_announced: false,
    }
}

fn problem(e: AppError) -> domain::Problem {
    match e {
        AppError::Validation { problem, .. } | AppError::Conflict(problem) => problem,
        other => panic!("{other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_ksef_token_is_sealed_checked_and_its_revocation_noticed() {
    let shop = testkit::Shop::new(&testkit::sqlite_url(), 83).await;
    let (app, user, org) = (&shop.app, &shop.user, &shop.org);
    let ksef = ksef_emulator::spawn("127.0.0.1:0", ksef_emulator::Settings::default())
        .await
        .unwrap();
    let token_with = |nip: &str, permissions: &[&str]| {
        ksef.emulator
            .create_token(ksef_emulator::NewToken {
                nip: nip.into(),
                permissions: permissions.iter().map(|p| (*p).to_owned()).collect(),
                description: None,
            })
            .unwrap()
    };
    let fresh = app.ksef_settings(user).await.unwrap();
    assert_eq!((fresh.environment, fresh.token_hint), (KsefEnvironment::Test, None));

    // Without an invoicing profile the token's NIP cannot be checked.
    let (good, good_ref) = token_with(NIP, &["InvoiceWrite", "InvoiceRead"]);
    let p = problem(
        app.save_ksef_settings(user, input(&ksef.api_url, Some(&good)))
            .await
            .unwrap_err(),
    );
    assert_eq!(p.key, "problem-profile-missing");
    app.save_invoicing_profile(user, &testkit::invoicing_profile("Sklep KSeF"))
        .await
        .unwrap();
    // A token for another NIP: refused with both named.
    let (other, _) = token_with("5265877635", &["InvoiceWrite"]);
    let p = problem(
        app.save_ksef_settings(user, input(&ksef.api_url, Some(&other)))
            .await
            .unwrap_err(),
    );
    assert_eq!(
        (p.key.as_str(), p.arg_text("token_nip"), p.arg_text("nip")),
        ("problem-ksef-token-other-nip", "5265877635".into(), NIP.into())
    );
    let p = problem(
        app.save_ksef_settings(user, input(&ksef.api_url, Some("a b")))
            .await
            .unwrap_err(),
    );
    assert_eq!(p.key, "problem-ksef-token-format");
    let p = problem(app.check_ksef_connection(user).await.unwrap_err());
    assert_eq!(p.key, "problem-ksef-token-missing");

    // The right token: sealed at rest, shown only as its hint.
    let saved = app
        .save_ksef_settings(user, input(&ksef.api_url, Some(&good)))
        .await
        .unwrap();
    let secret = good.rsplit('|').next().unwrap();
    let hint = saved.token_hint.clone().unwrap();
    assert!(hint.starts_with(good_ref.as_str()) && !hint.contains(secret), "{hint}");
    let record = app.store().ksef_settings(org).await.unwrap().unwrap();
    let sealed = record.token.as_ref().unwrap();
    assert!(
        !sealed.0.windows(secret.len()).any(|w| w == secret.as_bytes()),
        "sealed at rest"
    );
    assert!(!format!("{saved:?}").contains(secret));
    assert_eq!(saved.send_from, Some(domain::time::polish_day_text(app.now_ms())));

    // "Sprawdź połączenie": the context NIP and the token's permissions.
    let check = app.check_ksef_connection(user).await.unwrap();
    assert_eq!(check.nip, NIP);
    assert!(check.permissions.contains(&"InvoiceWrite".to_owned()), "{check:?}");
    assert_eq!(app.ksef_settings(user).await.unwrap().checked, Some(check));
    // Saving again without a token keeps the token (write-only field left empty).
    let kept = app.save_ksef_settings(user, input(&ksef.api_url, None)).await.unwrap();
    assert_eq!(kept.token_hint, Some(hint));

    // A token that may only read: refused, naming what it has.
    let (reader, _) = token_with(NIP, &["InvoiceRead"]);
    app.save_ksef_settings(user, input(&ksef.api_url, Some(&reader)))
        .await
        .unwrap();
    let p = problem(app.check_ksef_connection(user).await.unwrap_err());
    assert_eq!(
        (p.key.as_str(), p.arg_text("permissions")),
        ("problem-ksef-token-no-invoice-write", "InvoiceRead".into())
    );

    // KSeF revokes the token: the check says so and it is remembered until replaced.
    app.save_ksef_settings(user, input(&ksef.api_url, Some(&good)))
        .await
        .unwrap();
    assert!(ksef.emulator.revoke_token(&good_ref));
    let p = problem(app.check_ksef_connection(user).await.unwrap_err());
    assert_eq!(p.key, "problem-ksef-token-refused");
    assert_eq!(
        app.ksef_settings(user).await.unwrap().token_problem.map(|p| p.key),
        Some("problem-ksef-token-refused".to_owned())
    );
    let (new, _) = token_with(NIP, &["InvoiceWrite"]);
    let replaced = app
        .save_ksef_settings(user, input(&ksef.api_url, Some(&new)))
        .await
        .unwrap();
    assert_eq!((replaced.token_problem, replaced.checked), (None, None));
    app.check_ksef_connection(user).await.unwrap();

    // Another organisation sees nothing of it.
    let (_, stranger) = testkit::owner(app, "Inny", "ewa@inny.pl").await;
    assert_eq!(app.ksef_settings(&stranger).await.unwrap().token_hint, None);
}
