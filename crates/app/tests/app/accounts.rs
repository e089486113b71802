//! Connections, linking and the token lifecycle against the emulator, on SQLite.

use std::sync::Arc;

use allegro_emulator::{EmulatorConfig, EmulatorHandle, Faults};
use app::{App, CurrentUser, LinkOutcome, RefreshOutcome, RefreshPolicy, StateProblem};
use domain::{AccountId, AccountStatus, ConnectionId};
use secrecy::SecretString;
use testkit::TestClock;

struct Fixture {
    emu: EmulatorHandle,
    app: App,
    user: CurrentUser,
    connection: ConnectionId,
    db: String,
    clock: Arc<TestClock>,
}

fn cipher() -> app::Cipher {
    testkit::cipher()
}

fn config() -> app::AppConfig {
    app::AppConfig {
        public_url: "http://bridge.test".into(),
        service_app: None,
        session_ttl_ms: 3_600_000,
        refresh: RefreshPolicy::default(),
        custom_allegro_urls: app::CustomAllegroUrls::any(),
    }
}

async fn fixture(scopes: Option<Vec<&str>>) -> Fixture {
    let emu = allegro_emulator::spawn("127.0.0.1:0", EmulatorConfig { seed: 5 })
        .await
        .unwrap();
    emu.emulator.create_seller("sklep-a", "haslo-a").unwrap();
    emu.emulator.create_seller("sklep-b", "haslo-b").unwrap();
    let db = testkit::sqlite_url();
    let clock = TestClock::new();
    let app = testkit::app(
        testkit::open_store(&db).await,
        clock.clone(),
        "http://bridge.test",
        None,
    );
    let (org, user) = testkit::owner(&app, "Sklep", "anna@sklep.pl").await;
    // Seed 000's order: the connection first (its redirect URI), then the app in
    // Allegro's portal, then Client ID and Secret pasted into the connection.
    let connection = testkit::own_app_connection_with_scopes(&app, &org, &emu, None, scopes.as_deref()).await;
    let conn = app.connection(&org, &connection).await.unwrap();
    assert_eq!(
        app.redirect_uri(&conn),
        format!("http://bridge.test/allegro/install/{connection}")
    );
    Fixture {
        emu,
        app,
        user,
        connection,
        db,
        clock,
    }
}

fn query(url: &str, key: &str) -> Option<String> {
    testkit::query_param(url, key)
}

async fn link_as(f: &Fixture, login: &str, relink: Option<&AccountId>) -> LinkOutcome {
    testkit::link(&f.app, &f.user, &f.connection, &f.emu, login, relink).await
}

#[tokio::test]
async fn link_relink_and_refuse_another_user() {
    let f = fixture(None).await;
    let LinkOutcome::Linked {
        account,
        login,
        created,
        missing,
        moved_from,
    } = link_as(&f, "sklep-a", None).await
    else {
        panic!("linked")
    };
    assert!(created);
    assert_eq!(login, "sklep-a");
    assert!(missing.is_empty());
    assert_eq!(moved_from, None);
    // The same user again through the same connection: no second account.
    let LinkOutcome::Linked {
        account: again,
        created,
        ..
    } = link_as(&f, "sklep-a", None).await
    else {
        panic!()
    };
    assert_eq!((again.clone(), created), (account.clone(), false));
    assert_eq!(f.app.accounts(&f.user).await.unwrap().len(), 1);

    // A password change on Allegro: the next refresh flags only this account.
    let seller = f.app.account(&f.user, &account).await.unwrap().allegro_user_id;
    reqwest::Client::new()
        .post(format!("{}/__emulator/sellers/{seller}/revoke", f.emu.base_url))
        .json(&serde_json::json!({"reason": "password_change"}))
        .send()
        .await
        .unwrap();
    assert_eq!(
        f.app.refresh_account(&account).await.unwrap(),
        RefreshOutcome::NeedsRelogin("revoked")
    );
    let flagged = f.app.account(&f.user, &account).await.unwrap();
    assert_eq!(flagged.status, AccountStatus::NeedsRelogin);

    // Re-linking as another Allegro user is refused and changes nothing.
    let outcome = link_as(&f, "sklep-b", Some(&account)).await;
    assert_eq!(
        outcome,
        LinkOutcome::WrongUser {
            expected: "sklep-a".into(),
            got: "sklep-b".into()
        }
    );
    let after = f.app.account(&f.user, &account).await.unwrap();
    assert_eq!(after, flagged, "nothing changed");
    assert_eq!(f.app.accounts(&f.user).await.unwrap().len(), 1);

    // Re-linking as the same user brings it back.
    let LinkOutcome::Linked {
        account: relinked,
        created,
        ..
    } = link_as(&f, "sklep-a", Some(&account)).await
    else {
        panic!()
    };
    assert_eq!((relinked, created), (account.clone(), false));
    assert_eq!(
        f.app.account(&f.user, &account).await.unwrap().status,
        AccountStatus::Active
    );
    let (client_id, token) = f.app.access_token(&f.user.organisation_id, &account).await.unwrap();
    let api = allegro_client::Allegro::builder(
        allegro_client::Environment::custom(&f.emu.base_url, &f.emu.base_url).unwrap(),
    )
    .build();
    assert_eq!(
        api.account(&client_id, &token).me().await.unwrap().login.as_deref(),
        Some("sklep-a")
    );
}

#[tokio::test]
async fn state_is_single_use_bound_to_session_and_expiring() {
    let f = fixture(None).await;
    let url = f.app.start_link(&f.user, &f.connection, None).await.unwrap();
    let back = f.emu.emulator.consent(url.as_str(), "sklep-a", true).unwrap();
    let (state, code) = (query(&back, "state"), query(&back, "code"));
    // Another browser session with the same state: refused (and the state is spent).
    let other = CurrentUser {
        session_hash: Some("0".repeat(64)),
        ..f.user.clone()
    };
    assert_eq!(
        f.app
            .complete_link(
                Some(&other),
                Some(&f.connection),
                state.as_deref(),
                code.as_deref(),
                None
            )
            .await
            .unwrap(),
        LinkOutcome::BadState(StateProblem::Mismatch)
    );
    assert_eq!(
        f.app
            .complete_link(
                Some(&f.user),
                Some(&f.connection),
                state.as_deref(),
                code.as_deref(),
                None
            )
            .await
            .unwrap(),
        LinkOutcome::BadState(StateProblem::Used)
    );
    assert_eq!(
        f.app
            .complete_link(
                Some(&f.user),
                Some(&f.connection),
                Some("forged"),
                code.as_deref(),
                None
            )
            .await
            .unwrap(),
        LinkOutcome::BadState(StateProblem::Unknown)
    );
    // "Nie, anuluj".
    let url = f.app.start_link(&f.user, &f.connection, None).await.unwrap();
    let back = f.emu.emulator.consent(url.as_str(), "sklep-a", false).unwrap();
    let outcome = f
        .app
        .complete_link(
            Some(&f.user),
            Some(&f.connection),
            query(&back, "state").as_deref(),
            None,
            query(&back, "error").as_deref(),
        )
        .await
        .unwrap();
    assert_eq!(outcome, LinkOutcome::Cancelled);
    // A code older than 10 s.
    let url = f.app.start_link(&f.user, &f.connection, None).await.unwrap();
    let back = f.emu.emulator.consent(url.as_str(), "sklep-a", true).unwrap();
    f.emu.emulator.advance_clock(11);
    let outcome = f
        .app
        .complete_link(
            Some(&f.user),
            Some(&f.connection),
            query(&back, "state").as_deref(),
            query(&back, "code").as_deref(),
            None,
        )
        .await
        .unwrap();
    assert_eq!(outcome, LinkOutcome::CodeExpired);
    // A state older than 15 minutes.
    let url = f.app.start_link(&f.user, &f.connection, None).await.unwrap();
    let back = f.emu.emulator.consent(url.as_str(), "sklep-a", true).unwrap();
    f.clock.advance_ms(16 * 60_000);
    let outcome = f
        .app
        .complete_link(
            Some(&f.user),
            Some(&f.connection),
            query(&back, "state").as_deref(),
            query(&back, "code").as_deref(),
            None,
        )
        .await
        .unwrap();
    assert_eq!(outcome, LinkOutcome::BadState(StateProblem::Expired));
}

#[tokio::test]
async fn a_forgotten_permission_is_named() {
    let f = fixture(Some(vec![
        "allegro:api:sale:offers:read",
        "allegro:api:orders:read",
        "allegro:api:profile:read",
    ]))
    .await;
    let LinkOutcome::Linked { missing, .. } = link_as(&f, "sklep-a", None).await else {
        panic!()
    };
    assert_eq!(
        missing,
        vec![(
            "Zamówienia i obsługa posprzedażowa",
            "Zarządzanie zamówieniami (numery przesyłek, statusy, faktury)",
            "allegro:api:orders:write"
        )]
    );
}

#[tokio::test]
async fn secrets_are_sealed_at_rest() {
    let f = fixture(None).await;
    let LinkOutcome::Linked { account, .. } = link_as(&f, "sklep-a", None).await else {
        panic!()
    };
    let (_, token) = f.app.access_token(&f.user.organisation_id, &account).await.unwrap();
    use secrecy::ExposeSecret;
    let path = f.db.trim_start_matches("sqlite:");
    drop(f.app);
    let mut bytes = std::fs::read(path).unwrap();
    for suffix in ["-wal", "-shm"] {
        if let Ok(extra) = std::fs::read(format!("{path}{suffix}")) {
            bytes.extend(extra);
        }
    }
    let needle = &token.expose_secret().as_bytes()[..40];
    assert!(
        !bytes.windows(needle.len()).any(|w| w == needle),
        "an access token is stored in clear"
    );
}

#[tokio::test]
async fn two_processes_refreshing_one_account_never_burn_its_token() {
    let f = fixture(None).await;
    let LinkOutcome::Linked { account, .. } = link_as(&f, "sklep-a", None).await else {
        panic!()
    };
    // A slow token endpoint widens the race window.
    f.emu
        .emulator
        .set_faults(Faults {
            token_latency_ms: 30,
            ..Faults::default()
        })
        .unwrap();
    // No grace: a refresh token used twice would be an invalid_grant at once.
    f.emu.emulator.set_settings(allegro_emulator::Settings {
        refresh_grace_seconds: 0,
        ..Default::default()
    });
    let store: store::Store = Arc::new(store_sqlite::SqliteStore::open(&f.db).await.unwrap());
    let second = App::new(store, cipher(), f.clock.clone(), config());
    let mut refreshed = 0;
    for _ in 0..10 {
        let (a, b) = tokio::join!(f.app.refresh_account(&account), second.refresh_account(&account));
        for outcome in [a.unwrap(), b.unwrap()] {
            match outcome {
                RefreshOutcome::Refreshed => refreshed += 1,
                RefreshOutcome::Busy => {}
                other => panic!("{other:?}"),
            }
        }
    }
    assert!(refreshed >= 10, "one of each pair refreshed ({refreshed})");
    assert_eq!(
        f.app.account(&f.user, &account).await.unwrap().status,
        AccountStatus::Active
    );
    let (client_id, token) = f.app.access_token(&f.user.organisation_id, &account).await.unwrap();
    let api = allegro_client::Allegro::builder(
        allegro_client::Environment::custom(&f.emu.base_url, &f.emu.base_url).unwrap(),
    )
    .build();
    api.account(&client_id, &token).me().await.unwrap();
}

#[tokio::test]
async fn due_accounts_are_refreshed_and_organisations_are_isolated() {
    let f = fixture(None).await;
    let LinkOutcome::Linked { account, .. } = link_as(&f, "sklep-a", None).await else {
        panic!()
    };
    assert!(
        f.app.refresh_due_accounts(100).await.unwrap().is_empty(),
        "fresh tokens are not due"
    );
    // 12 h later the access token is about to expire.
    f.clock.advance_ms(43_199_000 - 30 * 60_000);
    let done = f.app.refresh_due_accounts(100).await.unwrap();
    assert_eq!(done, vec![(account.clone(), RefreshOutcome::Refreshed)]);

    let (other_org, _) = f
        .app
        .create_organisation("Inny", "jan@inny.pl", SecretString::from("inne-tajne-haslo"))
        .await
        .unwrap();
    let outsider = CurrentUser {
        organisation_id: other_org,
        ..f.user.clone()
    };
    assert!(f.app.accounts(&outsider).await.unwrap().is_empty());
    assert!(matches!(
        f.app.account(&outsider, &account).await,
        Err(app::AppError::NotFound)
    ));
    assert!(matches!(
        f.app.disconnect(&outsider, &account).await,
        Err(app::AppError::NotFound)
    ));
    assert!(matches!(
        f.app.start_link(&outsider, &f.connection, None).await,
        Err(app::AppError::NotFound)
    ));
    // "Odłącz" drops the tokens; the account stays listed.
    f.app.disconnect(&f.user, &account).await.unwrap();
    let gone = f.app.account(&f.user, &account).await.unwrap();
    assert_eq!(gone.status, AccountStatus::Disconnected);
    assert!(gone.tokens.is_none());
}

#[tokio::test]
async fn login_and_validation_messages() {
    let f = fixture(None).await;
    assert!(matches!(
        f.app.login("anna@sklep.pl", SecretString::from("zle-haslo-123")).await,
        Err(app::AppError::Unauthorized)
    ));
    assert!(matches!(
        f.app
            .login("nikt@sklep.pl", SecretString::from("bardzo-tajne-haslo"))
            .await,
        Err(app::AppError::Unauthorized)
    ));
    let short = f
        .app
        .create_user(&f.user.organisation_id, "ola@sklep.pl", SecretString::from("krotkie"))
        .await
        .unwrap_err();
    assert!(
        matches!(short, app::AppError::Validation { field: "password", .. }),
        "{short:?}"
    );
    let dup = f
        .app
        .create_user(
            &f.user.organisation_id,
            "Anna@Sklep.pl",
            SecretString::from("inne-dlugie-haslo"),
        )
        .await
        .unwrap_err();
    assert!(
        matches!(dup, app::AppError::Validation { field: "email", .. }),
        "{dup:?}"
    );
    let key = f.app.create_api_key(&f.user.organisation_id, "ERP").await.unwrap();
    use secrecy::ExposeSecret;
    assert!(key.expose_secret().starts_with("abk_"));
    assert_eq!(
        f.app
            .user_for_api_key(key.expose_secret())
            .await
            .unwrap()
            .unwrap()
            .organisation_id,
        f.user.organisation_id
    );
    assert!(f.app.user_for_api_key("abk_wrong").await.unwrap().is_none());
    let bad = f
        .app
        .set_credentials(&f.user.organisation_id, &f.connection, "x", &SecretString::from("s"))
        .await
        .unwrap_err();
    assert!(matches!(bad, app::AppError::Validation { field: "client_id", .. }));
}

#[tokio::test]
async fn a_quiet_account_never_lapses() {
    let f = fixture(None).await;
    let LinkOutcome::Linked { account, .. } = link_as(&f, "sklep-a", None).await else {
        panic!()
    };
    assert_eq!(f.app.accounts_at_risk().await.unwrap(), 0);
    // 120 days without any activity of the seller; the worker runs every few days.
    for _ in 0..24 {
        f.clock.advance_ms(5 * 86_400_000);
        f.emu.emulator.advance_clock(5 * 86_400);
        let done = f.app.refresh_due_accounts(10).await.unwrap();
        assert_eq!(done, vec![(account.clone(), RefreshOutcome::Refreshed)]);
    }
    let (client_id, token) = f.app.access_token(&f.user.organisation_id, &account).await.unwrap();
    let api = allegro_client::Allegro::builder(
        allegro_client::Environment::custom(&f.emu.base_url, &f.emu.base_url).unwrap(),
    )
    .build();
    assert_eq!(
        api.account(&client_id, &token).me().await.unwrap().login.as_deref(),
        Some("sklep-a")
    );
    // Without refreshes the 90-day refresh token runs out: the account is flagged at risk
    // two weeks ahead, then needs a new login.
    f.clock.advance_ms(80 * 86_400_000);
    assert_eq!(f.app.accounts_at_risk().await.unwrap(), 1);
    assert!(f.app.at_risk(&f.app.account(&f.user, &account).await.unwrap()));
    f.emu.emulator.advance_clock(91 * 86_400);
    assert_eq!(
        f.app.refresh_account(&account).await.unwrap(),
        RefreshOutcome::NeedsRelogin("refresh_invalid")
    );
}

/// Finding 3 of the security probe: sellers cannot make the server send secrets where they
/// point (internal hosts, the metadata service), unless the operator allowed it.
#[tokio::test]
async fn custom_allegro_urls_are_the_operators_choice() {
    let f = fixture(None).await;
    let with_rule = |rule: app::CustomAllegroUrls| {
        let mut config = config();
        config.custom_allegro_urls = rule;
        App::new(f.app.store().clone(), cipher(), Arc::new(domain::SystemClock), config)
    };
    let org = &f.user.organisation_id;
    let custom = |auth: &str, api: &str| Some((auth.to_owned(), api.to_owned()));
    let create = |app: App, urls: Option<(String, String)>| async move {
        app.create_connection(org, domain::ConnectionMode::OwnApp, domain::Environment::Custom, urls)
            .await
    };

    // By default: production and sandbox only.
    let off = with_rule(app::CustomAllegroUrls::default());
    let refused = create(
        off.clone(),
        custom("https://allegro.example.com", "https://api.example.com"),
    )
    .await;
    assert!(
        matches!(&refused, Err(app::AppError::Validation { field: "environment", problem }) if problem.key == "problem-custom-urls-off"),
        "{refused:?}"
    );
    for env in [domain::Environment::Production, domain::Environment::Sandbox] {
        off.create_connection(org, domain::ConnectionMode::OwnApp, env, None)
            .await
            .unwrap();
    }

    // Allowed for public hosts: internal addresses are still refused.
    let public = with_rule(app::CustomAllegroUrls {
        allowed: true,
        ..Default::default()
    });
    for internal in [
        "http://169.254.169.254/latest/meta-data",
        "http://127.0.0.1:9090",
        "http://10.0.0.5",
        "http://[::1]:8080",
        "http://localhost:8091",
        "http://[::ffff:192.168.0.1]",
    ] {
        let r = create(public.clone(), custom(internal, internal)).await;
        assert!(
            matches!(&r, Err(app::AppError::Validation { field: "auth_url", .. })),
            "{internal}: {r:?}"
        );
    }

    // A connection created while the rule was looser is refused once it is tightened:
    // the Client Secret is never sent to the emulator on loopback.
    let before = f.app.connection(org, &f.connection).await.unwrap();
    assert!(before.auth_url.starts_with("http://127.0.0.1"));
    let r = off.start_link(&f.user, &f.connection, None).await;
    assert!(matches!(r, Err(app::AppError::Validation { .. })), "{r:?}");
    assert!(
        public.start_link(&f.user, &f.connection, None).await.is_err(),
        "loopback needs --allow-private-allegro-urls"
    );
    // Named hosts are allowed whatever they resolve to.
    let named = with_rule(app::CustomAllegroUrls {
        hosts: vec!["127.0.0.1".into()],
        ..Default::default()
    });
    named.start_link(&f.user, &f.connection, None).await.unwrap();
}

/// Finding 4 of the security probe: another organisation cannot register our Client ID
/// (its traffic would spend our Allegro budget).
#[tokio::test]
async fn a_client_id_belongs_to_one_organisation() {
    let f = fixture(None).await;
    let ours = f.app.connection(&f.user.organisation_id, &f.connection).await.unwrap();
    let client_id = ours.client_id.clone().expect("the fixture pasted credentials");
    let (org_b, _) = testkit::owner(&f.app, "Firma C", "c@firma-c.pl").await;
    let theirs = f
        .app
        .create_connection(
            &org_b,
            domain::ConnectionMode::OwnApp,
            domain::Environment::Custom,
            Some((ours.auth_url.clone(), ours.api_url.clone())),
        )
        .await
        .unwrap();
    let r = f
        .app
        .set_credentials(&org_b, &theirs.id, &client_id, &SecretString::from("x".repeat(64)))
        .await;
    assert!(
        matches!(&r, Err(app::AppError::Validation { field: "client_id", problem }) if problem.key == "problem-client-id-taken"),
        "{r:?}"
    );
    assert_eq!(f.app.connection(&org_b, &theirs.id).await.unwrap().client_id, None);
    // Our own second connection may use it (the same organisation's app).
    let second = f
        .app
        .create_connection(
            &f.user.organisation_id,
            domain::ConnectionMode::OwnApp,
            domain::Environment::Custom,
            Some((ours.auth_url.clone(), ours.api_url.clone())),
        )
        .await
        .unwrap();
    f.app
        .set_credentials(
            &f.user.organisation_id,
            &second.id,
            &client_id,
            &SecretString::from("y".repeat(64)),
        )
        .await
        .unwrap();
}

/// Finding 2 of the security probe: 30 wrong passwords at once for one account hash only
/// until the account's waits begin (each attempt reads the throttle when its turn to hash
/// comes); the rest are refused without hashing.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_concurrent_flood_at_one_account_stops_hashing_once_it_waits() {
    let f = fixture(None).await;
    let mut attempts = tokio::task::JoinSet::new();
    for _ in 0..30 {
        let app = f.app.clone();
        attempts.spawn(async move { app.login("anna@sklep.pl", SecretString::from("zle-haslo-123")).await });
    }
    let (mut wrong, mut throttled) = (0, 0);
    while let Some(done) = attempts.join_next().await {
        match done.unwrap() {
            Err(app::AppError::Unauthorized) => wrong += 1,
            Err(app::AppError::Throttled { retry_after_s }) => {
                assert!(retry_after_s >= 1);
                throttled += 1
            }
            other => panic!("{other:?}"),
        }
    }
    // 5 free attempts, plus at most the attempts already hashing when the 5th failed.
    assert!(wrong <= 5 + 4, "{wrong} passwords checked");
    assert_eq!(wrong + throttled, 30);
    let right = f
        .app
        .login("anna@sklep.pl", SecretString::from(testkit::PASSWORD))
        .await;
    assert!(
        matches!(right, Err(app::AppError::Throttled { .. })),
        "the right one waits too"
    );
}

/// One Allegro login linked through a second connection (the operator's app after the
/// seller's own, or a new app) is the same account, moved: no second account, no order
/// stored twice; its orders and settings stay, and it syncs through the new connection.
/// Linking through the first connection again moves it back.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_allegro_login_through_two_connections_is_one_account() {
    let shop = testkit::Shop::new(&testkit::sqlite_url(), 41).await;
    let (seller, account) = shop.link_seller("sklep-dwa").await;
    let settings = domain::AccountSettings {
        invoice_every_order: true,
        ..domain::AccountSettings::default()
    };
    shop.app.save_settings(&shop.user, &account, &settings).await.unwrap();
    shop.paid_orders(&seller, 6, 3, 2);
    shop.app.sync_account(&account).await.unwrap();
    assert_eq!(testkit::stored_orders(&shop.app, &account).await.len(), 6);

    let second = testkit::own_app_connection(&shop.app, &shop.org, &shop.emu, None).await;
    let LinkOutcome::Linked {
        account: moved,
        created,
        moved_from,
        ..
    } = testkit::link(&shop.app, &shop.user, &second, &shop.emu, "sklep-dwa", None).await
    else {
        panic!("linked")
    };
    assert_eq!((&moved, created), (&account, false), "the same account, not a new one");
    assert_eq!(moved_from.map(|c| c.id), Some(shop.conn.clone()));
    let accounts = shop.app.accounts(&shop.user).await.unwrap();
    assert_eq!(accounts.len(), 1, "{accounts:?}");
    assert_eq!(accounts[0].connection_id, second);
    assert_eq!(accounts[0].status, AccountStatus::Active);
    assert_eq!(shop.app.settings(&shop.user, &account).await.unwrap(), settings);

    // New orders come in through the new connection's tokens, each stored once, and the
    // store holds exactly what Allegro holds.
    shop.paid_orders(&seller, 4, 4, 1);
    shop.app.sync_account(&account).await.unwrap();
    let stored = testkit::stored_orders(&shop.app, &account).await;
    assert_eq!(stored.len(), 10);
    assert_eq!(
        stored,
        testkit::allegro_orders(&shop.emu, &shop.app, &shop.org, &account).await
    );

    // Back through the first connection: moved back, still one account.
    let LinkOutcome::Linked {
        account: back,
        moved_from,
        ..
    } = testkit::link(&shop.app, &shop.user, &shop.conn, &shop.emu, "sklep-dwa", None).await
    else {
        panic!("linked")
    };
    assert_eq!(back, account);
    assert_eq!(moved_from.map(|c| c.id), Some(second));
    let accounts = shop.app.accounts(&shop.user).await.unwrap();
    assert_eq!(accounts.len(), 1);
    assert_eq!(accounts[0].connection_id, shop.conn);
}
