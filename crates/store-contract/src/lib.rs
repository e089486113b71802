//! The contract every `Storage` implementation keeps. Each backend's tests call
//! [`contract_tests!`](crate::contract_tests) with a function that returns a fresh store,
//! so SQLite and PostgreSQL run the same checks. A dev-only crate: the production `store`
//! crate carries none of it.
#![forbid(unsafe_code)]

use std::sync::Arc;

use domain::{
    AccountId, AccountSettings, AccountStatus, ConnectionId, ConnectionMode, Environment, InvoiceSeries,
    InvoiceTrigger, OrganisationId, UserId, VatRate,
};

use store::*;

fn uuid(n: u128) -> String {
    let h = format!("{n:032x}");
    format!(
        "{}-{}-4{}-8{}-{}",
        &h[0..8],
        &h[8..12],
        &h[13..16],
        &h[17..20],
        &h[20..32]
    )
}

struct Tenant {
    org: OrganisationId,
    connection: ConnectionId,
}

async fn tenant(store: &Store, n: u128) -> Tenant {
    let org = OrganisationId::from_stored(uuid(n));
    let user = User {
        id: UserId::from_stored(uuid(n + 1000)),
        organisation_id: org.clone(),
        email: format!("Owner{n}@Sklep.pl"),
        password_hash: "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA".into(),
        created_at_ms: 1,
    };
    store
        .create_organisation(
            &Organisation {
                id: org.clone(),
                name: format!("Sklep {n}"),
                created_at_ms: 1,
            },
            &user,
        )
        .await
        .unwrap();
    let connection = ConnectionId::from_stored(uuid(n + 2000));
    store
        .create_connection(&Connection {
            id: connection.clone(),
            organisation_id: org.clone(),
            mode: ConnectionMode::OwnApp,
            environment: Environment::Custom,
            auth_url: "http://127.0.0.1:1".into(),
            api_url: "http://127.0.0.1:1".into(),
            client_id: None,
            client_secret: None,
            created_at_ms: 10,
            updated_at_ms: 10,
        })
        .await
        .unwrap();
    Tenant { org, connection }
}

fn tokens(tag: u8, now: i64) -> TokenPair {
    TokenPair {
        access_token: Sealed(vec![tag; 40]),
        refresh_token: Sealed(vec![tag + 1; 40]),
        access_expires_at_ms: now + 43_199_000,
        refresh_expires_at_ms: now + 90 * 86_400_000,
    }
}

fn link(t: &Tenant, account: u128, allegro_user: &str, tag: u8, now: i64) -> NewLink {
    NewLink {
        account_id: AccountId::from_stored(uuid(account)),
        organisation_id: t.org.clone(),
        connection_id: t.connection.clone(),
        allegro_user_id: allegro_user.into(),
        login: format!("login-{allegro_user}"),
        scopes: "allegro:api:orders:read allegro:api:profile:read".into(),
        tokens: tokens(tag, now),
        now_ms: now,
    }
}

/// Users, e-mail uniqueness (case-insensitive), sessions and API keys.
pub async fn users_sessions_and_keys(store: Store) {
    assert_eq!(store.count_users().await.unwrap(), 0);
    let t = tenant(&store, 1).await;
    assert_eq!(store.count_users().await.unwrap(), 1);
    let user = store
        .user_by_email(" owner1@sklep.PL ")
        .await
        .unwrap()
        .expect("e-mail is matched case-insensitively");
    assert_eq!(user.organisation_id, t.org);
    let dup = User {
        id: UserId::from_stored(uuid(77)),
        email: "OWNER1@sklep.pl".into(),
        ..user.clone()
    };
    assert!(matches!(store.create_user(&dup).await, Err(StoreError::Conflict(_))));
    assert_eq!(store.organisations().await.unwrap().len(), 1);

    let session = Session {
        id_hash: "a".repeat(64),
        user_id: user.id.clone(),
        organisation_id: t.org.clone(),
        email: user.email.clone(),
        csrf_token: "csrf".into(),
        expires_at_ms: 1_000,
    };
    store.create_session(&session).await.unwrap();
    assert_eq!(
        store.session(&session.id_hash, 999).await.unwrap(),
        Some(session.clone())
    );
    assert_eq!(store.session(&session.id_hash, 1_000).await.unwrap(), None, "expired");
    store.delete_session(&session.id_hash).await.unwrap();
    assert_eq!(store.session(&session.id_hash, 1).await.unwrap(), None);

    let key = ApiKey {
        id: domain::ApiKeyId::from_stored(uuid(5)),
        organisation_id: t.org.clone(),
        name: "ERP".into(),
        key_hash: "b".repeat(64),
        prefix: "abk_1234".into(),
        created_at_ms: 3,
        last_used_at_ms: None,
    };
    store.create_api_key(&key).await.unwrap();
    assert_eq!(store.api_key_by_hash(&key.key_hash).await.unwrap(), Some(key.clone()));
    assert_eq!(store.api_key_by_hash(&"c".repeat(64)).await.unwrap(), None);

    // Listed, touched at most once a minute, revoked only within the organisation.
    assert_eq!(store.api_keys(&t.org).await.unwrap(), vec![key.clone()]);
    store.touch_api_key(&key.id, 100_000).await.unwrap();
    store.touch_api_key(&key.id, 130_000).await.unwrap();
    assert_eq!(store.api_keys(&t.org).await.unwrap()[0].last_used_at_ms, Some(100_000));
    store.touch_api_key(&key.id, 170_001).await.unwrap();
    assert_eq!(store.api_keys(&t.org).await.unwrap()[0].last_used_at_ms, Some(170_001));
    let other = tenant(&store, 2).await;
    assert!(
        !store.revoke_api_key(&other.org, &key.id, 5).await.unwrap(),
        "another organisation's key"
    );
    assert!(store.api_key_by_hash(&key.key_hash).await.unwrap().is_some());
    assert!(store.revoke_api_key(&t.org, &key.id, 5).await.unwrap());
    assert!(
        !store.revoke_api_key(&t.org, &key.id, 6).await.unwrap(),
        "already revoked"
    );
    assert_eq!(store.api_key_by_hash(&key.key_hash).await.unwrap(), None);
    assert!(store.api_keys(&t.org).await.unwrap().is_empty());

    // Failed logins: counted atomically, restarted after the window, cleared on success.
    let k = "account:anna@a.pl";
    assert_eq!(store.login_failures(k).await.unwrap(), None);
    for n in 1..=3 {
        assert_eq!(store.record_login_failure(k, 1_000 + n, 0).await.unwrap().failures, n);
    }
    let after_window = store.record_login_failure(k, 99_000, 50_000).await.unwrap();
    assert_eq!((after_window.failures, after_window.last_failure_ms), (1, 99_000));
    assert_eq!(store.login_failures(k).await.unwrap(), Some(after_window));
    store.clear_login_failures(k).await.unwrap();
    assert_eq!(store.login_failures(k).await.unwrap(), None);
    store
        .record_login_failure("address:203.0.113.9", 10_000, 0)
        .await
        .unwrap();
    store
        .record_login_failure("address:203.0.113.10", 20_000, 0)
        .await
        .unwrap();
    assert_eq!(store.forget_login_failures(15_000).await.unwrap(), 1);
    assert!(store.login_failures("address:203.0.113.9").await.unwrap().is_none());
    assert!(store.login_failures("address:203.0.113.10").await.unwrap().is_some());
}

/// Connections and OAuth states: organisation scoping, credentials, single-use states.
pub async fn connections_and_states(store: Store) {
    let a = tenant(&store, 10).await;
    let b = tenant(&store, 20).await;
    assert_eq!(store.connections(&a.org).await.unwrap().len(), 1);
    assert!(
        store.connection(&b.org, &a.connection).await.unwrap().is_none(),
        "another organisation's connection is invisible"
    );
    assert!(
        !store
            .set_connection_credentials(&b.org, &a.connection, "x", &Sealed(vec![1]), 5)
            .await
            .unwrap()
    );
    assert!(
        store
            .set_connection_credentials(&a.org, &a.connection, "cid", &Sealed(vec![9, 9]), 5)
            .await
            .unwrap()
    );
    let c = store.connection(&a.org, &a.connection).await.unwrap().unwrap();
    assert_eq!(c.client_id.as_deref(), Some("cid"));
    assert_eq!(c.client_secret, Some(Sealed(vec![9, 9])));
    // Another organisation cannot take the same Client ID in the same environment (its
    // requests would spend this one's budget); the first keeps it.
    assert!(
        !store
            .set_connection_credentials(&b.org, &b.connection, "cid", &Sealed(vec![7]), 6)
            .await
            .unwrap()
    );
    assert_eq!(
        store
            .connection(&b.org, &b.connection)
            .await
            .unwrap()
            .unwrap()
            .client_id,
        None
    );

    let state = OAuthState {
        state_hash: "d".repeat(64),
        organisation_id: a.org.clone(),
        connection_id: a.connection.clone(),
        session_hash: "e".repeat(64),
        pkce_verifier: Sealed(vec![7; 20]),
        relink_account_id: None,
        expires_at_ms: 600,
    };
    store.create_oauth_state(&state).await.unwrap();
    assert_eq!(
        store.take_oauth_state(&state.state_hash, 100).await.unwrap(),
        StateLookup::Valid(state.clone())
    );
    assert_eq!(
        store.take_oauth_state(&state.state_hash, 101).await.unwrap(),
        StateLookup::Used
    );
    assert_eq!(
        store.take_oauth_state(&"f".repeat(64), 100).await.unwrap(),
        StateLookup::Unknown
    );
    let late = OAuthState {
        state_hash: "0".repeat(64),
        ..state
    };
    store.create_oauth_state(&late).await.unwrap();
    assert_eq!(
        store.take_oauth_state(&late.state_hash, 601).await.unwrap(),
        StateLookup::Expired
    );
}

/// Linking: one account per (connection, Allegro user), re-linking only as the same user,
/// disconnecting drops tokens, and every read is scoped to the organisation.
pub async fn accounts_link_relink_disconnect(store: Store) {
    let a = tenant(&store, 30).await;
    let b = tenant(&store, 40).await;
    let first = store.link_account(&link(&a, 301, "111", 1, 1_000)).await.unwrap();
    let LinkResult::Created(id) = first else {
        panic!("a new account")
    };
    // The same Allegro user again: its tokens are replaced, no second account.
    assert_eq!(
        store.link_account(&link(&a, 302, "111", 3, 2_000)).await.unwrap(),
        LinkResult::Updated(id.clone())
    );
    let accounts = store.accounts(&a.org).await.unwrap();
    assert_eq!(accounts.len(), 1);
    assert_eq!(accounts[0].tokens.as_ref().unwrap().access_token, Sealed(vec![3; 40]));
    assert_eq!(accounts[0].status, AccountStatus::Active);
    assert!(store.accounts(&b.org).await.unwrap().is_empty());
    assert!(
        store.account(&b.org, &id).await.unwrap().is_none(),
        "invisible to another organisation"
    );

    // Re-link as a different Allegro user: refused, nothing changes.
    store
        .set_account_status(&id, AccountStatus::NeedsRelogin, Some("password_change"), 2_500)
        .await
        .unwrap();
    assert!(
        !store
            .relink_account(&a.org, &id, &link(&a, 303, "222", 5, 3_000))
            .await
            .unwrap()
    );
    let unchanged = store.account(&a.org, &id).await.unwrap().unwrap();
    assert_eq!(unchanged.allegro_user_id, "111");
    assert_eq!(unchanged.status, AccountStatus::NeedsRelogin);
    assert_eq!(unchanged.status_reason.as_deref(), Some("password_change"));
    assert_eq!(unchanged.tokens.as_ref().unwrap().access_token, Sealed(vec![3; 40]));
    assert!(
        !store
            .relink_account(&b.org, &id, &link(&a, 303, "111", 5, 3_000))
            .await
            .unwrap(),
        "not across organisations"
    );
    assert!(
        store
            .relink_account(&a.org, &id, &link(&a, 303, "111", 5, 3_000))
            .await
            .unwrap()
    );
    let relinked = store.account(&a.org, &id).await.unwrap().unwrap();
    assert_eq!(relinked.status, AccountStatus::Active);
    assert_eq!(relinked.status_reason, None);

    assert!(!store.disconnect_account(&b.org, &id, 4_000).await.unwrap());
    assert!(store.disconnect_account(&a.org, &id, 4_000).await.unwrap());
    let gone = store.account(&a.org, &id).await.unwrap().unwrap();
    assert_eq!(gone.status, AccountStatus::Disconnected);
    assert!(gone.tokens.is_none(), "tokens are dropped");
    assert_eq!(gone.login, "login-111", "history stays");
    let counts = store.account_status_counts().await.unwrap();
    assert_eq!(counts, vec![(AccountStatus::Disconnected, 1)]);
}

/// The refresh lease: one holder at a time, expiry, fencing of the token write.
pub async fn refresh_lease_and_fencing(store: Store) {
    let t = tenant(&store, 50).await;
    let LinkResult::Created(id) = store.link_account(&link(&t, 501, "555", 1, 1_000)).await.unwrap() else {
        panic!()
    };
    assert!(store.try_lease_refresh(&id, "worker-a", 2_000, 1_000).await.unwrap());
    assert!(
        !store.try_lease_refresh(&id, "worker-b", 2_500, 1_500).await.unwrap(),
        "held by a"
    );
    assert!(
        store.try_lease_refresh(&id, "worker-a", 2_600, 1_500).await.unwrap(),
        "the holder may extend"
    );
    // After expiry b takes it; a's late write is then refused.
    assert!(store.try_lease_refresh(&id, "worker-b", 5_000, 2_700).await.unwrap());
    assert!(
        !store
            .store_refreshed_tokens(&id, "worker-a", &tokens(8, 2_800), 2_800)
            .await
            .unwrap()
    );
    assert!(
        store
            .store_refreshed_tokens(&id, "worker-b", &tokens(9, 2_900), 2_900)
            .await
            .unwrap()
    );
    let account = store.account_for_worker(&id).await.unwrap().unwrap();
    let refresh_end = account.tokens.as_ref().unwrap().refresh_expires_at_ms;
    assert_eq!(account.tokens.unwrap().refresh_token, Sealed(vec![10; 40]));
    assert_eq!(store.count_accounts_at_risk(refresh_end, 0).await.unwrap(), 0);
    assert_eq!(
        store.count_accounts_at_risk(refresh_end + 1, 0).await.unwrap(),
        1,
        "refresh token ends soon"
    );
    assert_eq!(
        store.count_accounts_at_risk(0, 2_901).await.unwrap(),
        1,
        "no refresh for too long"
    );
    assert_eq!(account.last_refresh_at_ms, Some(2_900));
    store.release_refresh_lease(&id, "worker-b").await.unwrap();
    assert!(store.try_lease_refresh(&id, "worker-c", 9_000, 3_000).await.unwrap());

    // Due: access token expiring soon, or a keep-alive refresh overdue.
    let soon = 2_900 + 43_199_000 - 1;
    assert_eq!(
        store.accounts_due_for_refresh(soon, 0, 10).await.unwrap(),
        Vec::<AccountId>::new()
    );
    assert_eq!(
        store.accounts_due_for_refresh(soon + 2, 0, 10).await.unwrap(),
        vec![id.clone()]
    );
    assert_eq!(
        store.accounts_due_for_refresh(0, 3_000, 10).await.unwrap(),
        vec![id.clone()]
    );
    store
        .set_account_status(&id, AccountStatus::NeedsRelogin, Some("revoked"), 3_100)
        .await
        .unwrap();
    assert!(
        store
            .accounts_due_for_refresh(i64::MAX, i64::MAX, 10)
            .await
            .unwrap()
            .is_empty(),
        "only active accounts"
    );
}

/// Settings: defaults until saved, validation round-trip, organisation scope.
pub async fn account_settings(store: Store) {
    let t = tenant(&store, 60).await;
    let other = tenant(&store, 70).await;
    let LinkResult::Created(id) = store.link_account(&link(&t, 601, "666", 1, 1_000)).await.unwrap() else {
        panic!()
    };
    assert_eq!(
        store.account_settings(&t.org, &id).await.unwrap(),
        Some(AccountSettings::default())
    );
    let settings = AccountSettings {
        enabled: true,
        vat_goods: VatRate::Reduced8,
        vat_delivery: VatRate::Exempt,
        invoice_trigger: InvoiceTrigger::Sent,
        invoice_series: InvoiceSeries::parse("FA/{YYYY}/{n}").unwrap(),
        invoice_every_order: true,
        delivery_follows_goods: true,
        sent_on_waybill: true,
    };
    assert!(
        !store
            .save_account_settings(&other.org, &id, &settings, 2)
            .await
            .unwrap()
    );
    assert!(store.save_account_settings(&t.org, &id, &settings, 2).await.unwrap());
    assert_eq!(
        store.account_settings(&t.org, &id).await.unwrap(),
        Some(settings.clone())
    );
    let changed = AccountSettings {
        enabled: false,
        ..settings
    };
    assert!(store.save_account_settings(&t.org, &id, &changed, 3).await.unwrap());
    assert_eq!(store.account_settings(&t.org, &id).await.unwrap(), Some(changed));
    assert_eq!(store.account_settings(&other.org, &id).await.unwrap(), None);
}

/// Orders: upserts count new/updated/unchanged, never duplicate, and move the journal
/// cursor in the same transaction.
pub async fn orders_upsert_and_cursor(store: Store) {
    let t = tenant(&store, 80).await;
    let LinkResult::Created(account) = store.link_account(&link(&t, 801, "888", 1, 1_000)).await.unwrap() else {
        panic!()
    };
    let order = |id: &str, status: &str, data: &str| OrderRecord {
        id: id.into(),
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
    let history = store.order_history(&t.org, "a").await.unwrap();
    assert_eq!(
        history
            .iter()
            .map(|h| (h.seen_at_ms, h.status.as_str()))
            .collect::<Vec<_>>(),
        vec![(10, "FILLED_IN"), (11, "READY_FOR_PROCESSING")]
    );
    assert_eq!(store.order_history(&t.org, "b").await.unwrap().len(), 1);
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
    assert!(store.order(&other.org, "a").await.unwrap().is_none());
    assert_eq!(
        store.order(&t.org, "a").await.unwrap().unwrap().status,
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

/// Jobs: dedup while queued or running, leases, retries, death, reclaiming expired leases.
pub async fn jobs_with_leases(store: Store) {
    let job = |key: &str, run_at: i64| NewJob {
        kind: "refresh_token".into(),
        dedup_key: key.into(),
        payload: "{}".into(),
        run_at_ms: run_at,
        max_attempts: 2,
    };
    assert!(store.enqueue_job(&job("a", 100)).await.unwrap());
    assert!(
        !store.enqueue_job(&job("a", 100)).await.unwrap(),
        "deduplicated while queued"
    );
    assert!(store.enqueue_job(&job("b", 500)).await.unwrap());
    assert!(
        store.claim_job("w1", 50, 1_000).await.unwrap().is_none(),
        "nothing due yet"
    );
    let a = store.claim_job("w1", 100, 1_000).await.unwrap().unwrap();
    assert_eq!((a.dedup_key.as_str(), a.attempts), ("a", 1));
    assert!(
        !store.enqueue_job(&job("a", 100)).await.unwrap(),
        "deduplicated while running"
    );
    assert!(
        store.claim_job("w2", 200, 1_000).await.unwrap().is_none(),
        "a is leased, b not due"
    );
    assert!(
        !store.complete_job(a.id, "w2").await.unwrap(),
        "only the holder completes"
    );
    assert!(store.fail_job(a.id, "w1", "boom", 300).await.unwrap());
    let again = store.claim_job("w2", 300, 2_000).await.unwrap().unwrap();
    assert_eq!((again.id, again.attempts), (a.id, 2));
    assert!(store.fail_job(again.id, "w2", "boom again", 400).await.unwrap());
    // Dead after max_attempts: never claimed again, and a new one may be queued.
    let b = store.claim_job("w3", 10_000, 11_000).await.unwrap().unwrap();
    assert_eq!(b.dedup_key, "b");
    assert!(store.claim_job("w3", 10_000, 11_000).await.unwrap().is_none());
    assert!(store.enqueue_job(&job("a", 100)).await.unwrap());
    // A worker that died: its lease expires and another worker takes the job over.
    let reclaimed = store.claim_job("w4", 11_001, 12_000).await.unwrap().unwrap();
    assert_eq!(reclaimed.dedup_key, "a", "the new a is due first (run_at 100)");
    let b_again = store.claim_job("w4", 11_001, 12_000).await.unwrap().unwrap();
    assert_eq!((b_again.id, b_again.attempts), (b.id, 2), "b's lease expired at 11 000");
    assert!(store.complete_job(b_again.id, "w4").await.unwrap());
    assert!(!store.complete_job(b_again.id, "w4").await.unwrap(), "done once");
}

/// Many workers claiming at once never get the same job.
pub async fn concurrent_claims_never_overlap(store: Store) {
    for i in 0..60 {
        let job = NewJob {
            kind: "k".into(),
            dedup_key: i.to_string(),
            payload: "{}".into(),
            run_at_ms: 0,
            max_attempts: 3,
        };
        store.enqueue_job(&job).await.unwrap();
    }
    let mut tasks = Vec::new();
    for w in 0..6 {
        let store = Arc::clone(&store);
        tasks.push(tokio::spawn(async move {
            let mut got = Vec::new();
            while let Some(job) = store.claim_job(&format!("w{w}"), 1, 1_000_000).await.unwrap() {
                got.push(job.id);
                assert!(store.complete_job(job.id, &format!("w{w}")).await.unwrap());
            }
            got
        }));
    }
    let mut all = Vec::new();
    for t in tasks {
        all.extend(t.await.unwrap());
    }
    all.sort_unstable();
    let before = all.len();
    all.dedup();
    assert_eq!(before, all.len(), "a job was claimed twice");
    assert_eq!(all.len(), 60);
}

fn order_of(t: &Tenant, account: &AccountId, id: &str, data: &str, source: OrderSource) -> OrderRecord {
    OrderRecord {
        id: id.into(),
        organisation_id: t.org.clone(),
        account_id: account.clone(),
        status: "READY_FOR_PROCESSING".into(),
        fulfillment_status: None,
        marketplace: Some("allegro-pl".into()),
        buyer_login: format!("buyer-{id}"),
        bought_at_ms: 1_000 + data.len() as i64,
        revision: None,
        total_minor: Some(100 * data.len() as i64),
        currency: "PLN".into(),
        data: data.into(),
        source,
        invoice_required: id.starts_with('f'),
    }
}

async fn linked(store: &Store, t: &Tenant, n: u128) -> AccountId {
    match store.link_account(&link(t, n, &n.to_string(), 1, 1_000)).await.unwrap() {
        LinkResult::Created(a) => a,
        other => panic!("{other:?}"),
    }
}

fn file_import(t: &Tenant, account: &AccountId, id: &str) -> Import {
    Import {
        id: id.into(),
        organisation_id: t.org.clone(),
        account_id: account.clone(),
        kind: ImportKind::Csv,
        file_name: Some("zamowienia.csv".into()),
        from_ms: None,
        to_ms: None,
        state: ImportState::Running,
        progress: ImportProgress::default(),
        expected: None,
        fetched: 0,
        counts: UpsertCounts::default(),
        api_calls: 0,
        error: None,
        created_at_ms: 50,
        updated_at_ms: 50,
    }
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
        .import(&t.org, "00000000-0000-4000-8000-000000000001")
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
    let f1 = store.order(&t.org, "f1").await.unwrap().unwrap();
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
        store.order(&t.org, "f2").await.unwrap().is_none(),
        "nothing half-written"
    );
    let other = tenant(&store, 91).await;
    assert!(
        store
            .import(&other.org, "00000000-0000-4000-8000-000000000001")
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
        dedup_key: import.id.clone(),
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
    assert_eq!(claimed.dedup_key, import.id);
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
    let ids = |page: Vec<OrderRecord>| page.into_iter().map(|o| o.id).collect::<Vec<_>>();
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

fn new_invoice(t: &Tenant, account: &AccountId, order: &str, kind: &str, month: u8) -> NewInvoice {
    NewInvoice {
        // A stable id per (order, kind, month).
        id: uuid(
            order.bytes().fold(7u128, |h, b| (h * 31 + u128::from(b)) % (1 << 64)) * 100
                + u128::from(month) * 2
                + u128::from(kind == "vat"),
        ),
        organisation_id: t.org.clone(),
        account_id: account.clone(),
        order_id: order.into(),
        kind: kind.into(),
        series: domain::InvoiceSeries::parse("FV/{n}/{MM}/{YYYY}").unwrap(),
        year: 2026,
        month,
        issue_date: format!("2026-{month:02}-15"),
        currency: "PLN".into(),
        total_minor: 12_345,
        buyer_name: "Jan Kowalski".into(),
        document: "{}".into(),
        upload: true,
        now_ms: 100,
    }
}

fn by_number(number: &str) -> InvoiceFilter {
    InvoiceFilter {
        number: number.into(),
        ..InvoiceFilter::default()
    }
}

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
            kind: Some("correction".into()),
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
            kind: Some("vat".into()),
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
    store.save_orders(&a, &orders, None, 1).await.unwrap();
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
    assert!(due(0).await.is_empty(), "the account is off");
    let on = AccountSettings {
        enabled: true,
        ..AccountSettings::default()
    };
    store.save_account_settings(&t.org, &a, &on, 2).await.unwrap();
    assert!(due(0).await.is_empty(), "no invoicing profile yet");
    store.save_invoicing_profile(&t.org, "{}", 3).await.unwrap();
    assert_eq!(due(0).await, vec!["f1", "f2"], "only buyers who asked");
    assert_eq!(
        store
            .record_invoice_failure(&t.org, "f1", "totals differ", 1_000)
            .await
            .unwrap(),
        1
    );
    assert_eq!(due(500).await, vec!["f2"], "f1 waits");
    assert_eq!(due(1_000).await, vec!["f1", "f2"]);
    assert_eq!(
        store
            .record_invoice_failure(&t.org, "f1", "still", 2_000)
            .await
            .unwrap(),
        2
    );
    assert_eq!(
        store.invoice_failure(&t.org, "f1").await.unwrap(),
        Some((2, "still".into()))
    );
    assert_eq!(store.invoice_failure(&t.org, "f2").await.unwrap(), None);
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
    let (one, two, three) = (&ids[0], &ids[1], &ids[2]);
    store.save_allegro_invoice_id(one, Some("meta-1")).await.unwrap();
    store
        .finish_upload(one, &UploadOutcome::Uploaded { at_ms: 61_500 })
        .await
        .unwrap();
    store
        .finish_upload(
            two,
            &UploadOutcome::Retry {
                next_at_ms: 200_000,
                error: "429".into(),
            },
        )
        .await
        .unwrap();
    store
        .finish_upload(
            three,
            &UploadOutcome::Refused {
                error: "order cancelled".into(),
            },
        )
        .await
        .unwrap();
    let get = |id: String| {
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

/// Waybills: one per (order, carrier, number) however often it is added, each due push
/// claimed by one process with its attempts counted, outcomes kept, "send again".
pub async fn shipments_once_and_pushed_once(store: Store) {
    let t = tenant(&store, 120).await;
    let a = linked(&store, &t, 1201).await;
    let waybill = |carrier: &str, number: &str, items: &[&str]| {
        domain::NewWaybill::parse(carrier, None, number, items.iter().map(|s| s.to_string()).collect()).unwrap()
    };
    let new = |i: u128, order: &str, w: domain::NewWaybill, push: bool| NewShipment {
        id: uuid(1_200_000 + i),
        organisation_id: t.org.clone(),
        account_id: a.clone(),
        order_id: order.into(),
        waybill: w,
        created_at_ms: 100 + i as i64,
        push,
    };
    let (first, created) = store
        .add_shipment(&new(1, "o-1", waybill("INPOST", "AD-1", &["li-2", "li-1"]), true))
        .await
        .unwrap();
    assert!(created);
    assert_eq!(
        (
            first.carrier_id.as_str(),
            first.waybill.as_str(),
            first.line_items.clone()
        ),
        ("INPOST", "AD-1", vec!["li-1".to_owned(), "li-2".to_owned()])
    );
    assert_eq!((first.push.state, first.push.attempts), (domain::PushState::Pending, 0));
    // The same number again (another id, a double click, a CSV imported twice): the same waybill.
    let (again, created) = store
        .add_shipment(&new(2, "o-1", waybill("inpost", " AD-1 ", &[]), true))
        .await
        .unwrap();
    assert!(!created);
    assert_eq!(again.id, first.id);
    // Another carrier's number, another order, an order from a file.
    store
        .add_shipment(&new(3, "o-1", waybill("DPD", "AD-1", &[]), true))
        .await
        .unwrap();
    for i in 4..30 {
        store
            .add_shipment(&new(i, &format!("o-{i}"), waybill("DHL", &format!("W{i}"), &[]), true))
            .await
            .unwrap();
    }
    let (file, _) = store
        .add_shipment(&new(30, "file-1", waybill("DHL", "F1", &[]), false))
        .await
        .unwrap();
    assert_eq!(file.push.state, domain::PushState::NotApplicable);
    let on_order = store.order_shipments(&t.org, "o-1").await.unwrap();
    assert_eq!(
        on_order.iter().map(|s| s.carrier_id.as_str()).collect::<Vec<_>>(),
        ["INPOST", "DPD"]
    );
    let other = tenant(&store, 121).await;
    assert!(store.order_shipments(&other.org, "o-1").await.unwrap().is_empty());
    assert!(store.shipment(&other.org, &first.id).await.unwrap().is_none());
    // Four processes claim at once: each due push goes to exactly one.
    let mut tasks = Vec::new();
    for _ in 0..4 {
        let store = Arc::clone(&store);
        tasks.push(tokio::spawn(async move {
            let mut got = Vec::new();
            loop {
                let claimed = store.claim_due_pushes(1_000, 61_000, 5).await.unwrap();
                if claimed.is_empty() {
                    return got;
                }
                got.extend(claimed.into_iter().map(|r| (r.id, r.push.attempts)));
            }
        }));
    }
    let mut all = Vec::new();
    for task in tasks {
        all.extend(task.await.unwrap());
    }
    assert_eq!(all.len(), 28, "every due push once, the file order's never");
    assert!(all.iter().all(|(_, attempts)| *attempts == 1));
    // Held until the lease ends; then due again, with the attempt counted.
    assert!(store.claim_due_pushes(60_000, 120_000, 100).await.unwrap().is_empty());
    let again = store.claim_due_pushes(61_000, 120_000, 100).await.unwrap();
    assert_eq!(again.len(), 28);
    assert!(again.iter().all(|s| s.push.attempts == 2));
    let ids: Vec<String> = on_order.iter().map(|s| s.id.clone()).collect();
    let (pushed, refused) = (&ids[0], &ids[1]);
    store
        .finish_push(
            pushed,
            &PushOutcome::Pushed {
                at_ms: 61_500,
                allegro_shipment_id: Some("SU5QT1NUOkFELTE=".into()),
            },
        )
        .await
        .unwrap();
    store
        .finish_push(
            refused,
            &PushOutcome::Refused {
                error: "Numer nie pasuje do przewoźnika".into(),
            },
        )
        .await
        .unwrap();
    let get = |id: String| {
        let (store, org) = (Arc::clone(&store), t.org.clone());
        async move { store.shipment(&org, &id).await.unwrap().unwrap().push }
    };
    let p = get(pushed.clone()).await;
    assert_eq!(
        (p.state, p.allegro_shipment_id.as_deref(), p.pushed_at_ms),
        (domain::PushState::Pushed, Some("SU5QT1NUOkFELTE="), Some(61_500))
    );
    let r = get(refused.clone()).await;
    assert_eq!(
        (r.state, r.error.as_deref()),
        (domain::PushState::Refused, Some("Numer nie pasuje do przewoźnika"))
    );
    // A late Retry (a lost lease) never undoes a refusal.
    store
        .finish_push(
            refused,
            &PushOutcome::Retry {
                next_at_ms: 1,
                error: "late".into(),
            },
        )
        .await
        .unwrap();
    assert_eq!(get(refused.clone()).await.state, domain::PushState::Refused);
    // Send again: the refused one is due now; a pushed one, a file one or another
    // organisation's cannot be.
    assert!(store.resend_shipment(&t.org, refused, 130_000).await.unwrap());
    assert!(!store.resend_shipment(&t.org, pushed, 130_000).await.unwrap());
    assert!(!store.resend_shipment(&t.org, &file.id, 130_000).await.unwrap());
    assert!(!store.resend_shipment(&other.org, refused, 130_000).await.unwrap());
    let due: Vec<_> = store
        .claim_due_pushes(130_000, 190_000, 100)
        .await
        .unwrap()
        .into_iter()
        .map(|s| s.id)
        .collect();
    assert!(due.contains(refused) && !due.contains(pushed), "{due:?}");
    // A failed push waits; connecting the account again wakes it.
    store
        .finish_push(
            refused,
            &PushOutcome::Retry {
                next_at_ms: 10_000_000,
                error: "account not connected".into(),
            },
        )
        .await
        .unwrap();
    let due = store.claim_due_pushes(200_000, 260_000, 100).await.unwrap();
    assert!(!due.iter().any(|s| &s.id == refused), "waits for its time");
    assert_eq!(store.wake_account_pushes(&a, 270_000).await.unwrap(), 1);
    let due = store.claim_due_pushes(270_000, 330_000, 100).await.unwrap();
    assert!(due.iter().any(|s| &s.id == refused), "woken");
}

/// The warehouse: products by SKU, stock that only moves with a movement, one WZ per order
/// however many processes issue it, stock given back once on cancellation, triggers.
pub async fn stock_moves_once_per_document(store: Store) {
    let t = tenant(&store, 130).await;
    let a = linked(&store, &t, 1301).await;
    let w = store.default_warehouse(&t.org, 10).await.unwrap();
    assert_eq!(
        store.default_warehouse(&t.org, 11).await.unwrap(),
        w,
        "one default warehouse"
    );
    assert_eq!(w.name, "Magazyn główny");
    let second = Warehouse {
        id: uuid(1_300_100),
        organisation_id: t.org.clone(),
        name: "Magazyn Kraków".into(),
    };
    store.create_warehouse(&second, 12).await.unwrap();
    let same_name = Warehouse {
        id: uuid(1_300_101),
        ..second.clone()
    };
    assert!(matches!(
        store.create_warehouse(&same_name, 13).await,
        Err(StoreError::Conflict(_))
    ));
    assert_eq!(store.warehouses(&t.org).await.unwrap(), [w.clone(), second.clone()]);
    assert_eq!(store.default_warehouse(&t.org, 14).await.unwrap(), w, "still the first");
    let offer = |id: &str, sku: &str, name: &str| OfferProduct {
        offer_id: id.into(),
        sku: sku.into(),
        name: name.into(),
    };
    let new = store
        .upsert_offer_products(
            &t.org,
            &a,
            &[
                offer("o-1", "SKU-1", "Kubek"),
                offer("o-2", "SKU-1", "Kubek 300 ml"),
                offer("o-3", "SKU-2", "Talerz"),
            ],
            20,
        )
        .await
        .unwrap();
    assert_eq!(new, 2, "two SKUs, two products");
    let products = store.products(&t.org).await.unwrap();
    assert_eq!(
        products.iter().map(|p| p.sku.as_str()).collect::<Vec<_>>(),
        ["SKU-1", "SKU-2"]
    );
    assert_eq!(products[0].name, "Kubek 300 ml", "the latest title");
    assert_eq!(products[0].offers, ["o-1", "o-2"]);
    let (mug, plate) = (products[0].id.clone(), products[1].id.clone());
    assert_eq!(
        store.product_for_offer(&t.org, "o-2", None).await.unwrap().unwrap().id,
        mug
    );
    assert_eq!(
        store
            .product_for_offer(&t.org, "o-9", Some("SKU-2"))
            .await
            .unwrap()
            .unwrap()
            .id,
        plate
    );
    assert!(
        store
            .product_for_offer(&t.org, "o-9", Some("SKU-9"))
            .await
            .unwrap()
            .is_none()
    );
    let other = tenant(&store, 131).await;
    assert!(
        store
            .product_for_offer(&other.org, "o-1", Some("SKU-1"))
            .await
            .unwrap()
            .is_none()
    );
    fn receipt<'a>(warehouse: &'a str, product: &'a str, delta: i64) -> StockChange<'a> {
        StockChange {
            warehouse_id: warehouse,
            product_id: product,
            delta,
            reason: "receipt",
            document_id: None,
            note: Some("PZ 1"),
            at_ms: 30,
        }
    }
    assert_eq!(store.adjust_stock(&t.org, &receipt(&w.id, &mug, 10)).await.unwrap(), 10);
    assert_eq!(store.adjust_stock(&t.org, &receipt(&w.id, &plate, 4)).await.unwrap(), 4);
    assert!(matches!(
        store.adjust_stock(&other.org, &receipt(&w.id, &mug, 5)).await,
        Err(StoreError::Conflict(_))
    ));
    // Orders reach the trigger; four processes issue the same WZ at once: one document,
    // stock taken once.
    for (id, fulfillment) in [("wz-1", "PROCESSING"), ("wz-2", "SENT"), ("wz-3", "NEW")] {
        let mut o = order_of(&t, &a, id, "{}", OrderSource::Allegro);
        o.fulfillment_status = Some(fulfillment.into());
        store.save_orders(&a, &[o], None, 40).await.unwrap();
    }
    assert!(
        store.orders_awaiting_wz(10, 0).await.unwrap().is_empty(),
        "no trigger: by hand only"
    );
    store
        .save_warehouse_settings(
            &t.org,
            &WarehouseSettings {
                wz_trigger: Some("PROCESSING".into()),
                warehouse_id: None,
            },
        )
        .await
        .unwrap();
    let due_at = |now: i64| {
        let store = Arc::clone(&store);
        async move {
            store
                .orders_awaiting_wz(10, now)
                .await
                .unwrap()
                .into_iter()
                .map(|(_, o)| o)
                .collect::<Vec<String>>()
        }
    };
    assert_eq!(due_at(0).await, ["wz-1", "wz-2"]);
    // A failed attempt waits for its time; reading products clears it.
    assert_eq!(
        store
            .record_wz_failure(&t.org, "wz-1", "no product", 1_000)
            .await
            .unwrap(),
        1
    );
    assert_eq!(
        store
            .record_wz_failure(&t.org, "wz-1", "still no product", 2_000)
            .await
            .unwrap(),
        2
    );
    assert_eq!(due_at(1_500).await, ["wz-2"]);
    assert_eq!(due_at(2_000).await, ["wz-1", "wz-2"], "its time has come");
    assert_eq!(
        store.wz_failure(&t.org, "wz-1").await.unwrap(),
        Some((2, "still no product".into()))
    );
    store.upsert_offer_products(&t.org, &a, &[], 45).await.unwrap();
    assert_eq!(store.wz_failure(&t.org, "wz-1").await.unwrap(), None);
    assert_eq!(due_at(1_500).await, ["wz-1", "wz-2"]);
    let line = |product: &str, quantity: i64| WzLine {
        product_id: product.into(),
        sku: "S".into(),
        name: "Nazwa\tz tabem".into(),
        quantity,
    };
    let mut tasks = Vec::new();
    for i in 0..4 {
        let store = Arc::clone(&store);
        let wz = NewWz {
            id: uuid(1_300_000 + i),
            organisation_id: t.org.clone(),
            order_id: "wz-1".into(),
            warehouse_id: w.id.clone(),
            lines: vec![line(&mug, 3), line(&plate, 1)],
            now_ms: 50,
            year: 2026,
        };
        tasks.push(tokio::spawn(async move { store.issue_wz(&wz).await.unwrap() }));
    }
    let mut created = 0;
    let mut numbers = std::collections::BTreeSet::new();
    for task in tasks {
        let (doc, new) = task.await.unwrap();
        created += usize::from(new);
        numbers.insert(doc.number);
    }
    assert_eq!((created, numbers.len()), (1, 1), "one WZ: {numbers:?}");
    assert_eq!(numbers.first().unwrap(), "WZ/1/2026");
    let (second, _) = store
        .issue_wz(&NewWz {
            id: uuid(1_300_010),
            organisation_id: t.org.clone(),
            order_id: "wz-2".into(),
            warehouse_id: w.id.clone(),
            lines: vec![line(&mug, 2)],
            now_ms: 60,
            year: 2026,
        })
        .await
        .unwrap();
    assert_eq!(second.number, "WZ/2/2026");
    assert_eq!(second.lines[0].name, "Nazwa z tabem", "stored text stays one line");
    let stock = |products: &[ProductStock], id: &str| products.iter().find(|p| p.id == id).unwrap().stock.clone();
    let products = store.products(&t.org).await.unwrap();
    assert_eq!(stock(&products, &mug), [(w.id.clone(), 10 - 3 - 2)]);
    assert_eq!(stock(&products, &plate), [(w.id.clone(), 3)]);
    assert!(store.orders_awaiting_wz(10, 0).await.unwrap().is_empty());
    // wz-1 is cancelled: four processes give its stock back, once.
    let mut cancelled = order_of(&t, &a, "wz-1", "{\"status\":\"CANCELLED\"}", OrderSource::Allegro);
    cancelled.status = "CANCELLED".into();
    store.save_orders(&a, &[cancelled], None, 70).await.unwrap();
    let due: Vec<String> = store
        .orders_awaiting_wz_cancel(10)
        .await
        .unwrap()
        .into_iter()
        .map(|(_, o)| o)
        .collect();
    assert_eq!(due, ["wz-1"]);
    let mut tasks = Vec::new();
    for _ in 0..4 {
        let (store, org) = (Arc::clone(&store), t.org.clone());
        tasks.push(tokio::spawn(
            async move { store.cancel_wz(&org, "wz-1", 80).await.unwrap() },
        ));
    }
    let mut restored = 0;
    for task in tasks {
        restored += usize::from(task.await.unwrap().is_some());
    }
    assert_eq!(restored, 1);
    assert!(store.orders_awaiting_wz_cancel(10).await.unwrap().is_empty());
    assert_eq!(
        store.wz_for_order(&t.org, "wz-1").await.unwrap().unwrap().state,
        "cancelled"
    );
    let products = store.products(&t.org).await.unwrap();
    assert_eq!(stock(&products, &mug), [(w.id.clone(), 8)]);
    assert_eq!(stock(&products, &plate), [(w.id.clone(), 4)]);
    // Every stock level is the sum of its movements.
    let movements = store.stock_movements(&t.org, 100).await.unwrap();
    for p in &products {
        let sum: i64 = movements.iter().filter(|m| m.product_id == p.id).map(|m| m.delta).sum();
        assert_eq!(p.stock, [(w.id.clone(), sum)], "{}", p.sku);
    }
    assert_eq!(movements.len(), 2 + 2 + 1 + 2);
    assert!(store.stock_movements(&other.org, 100).await.unwrap().is_empty());
    let docs = store.warehouse_documents(&t.org, 10).await.unwrap();
    assert_eq!(
        docs.iter().map(|d| d.number.as_str()).collect::<Vec<_>>(),
        ["WZ/2/2026", "WZ/1/2026"]
    );
}

/// Generates one `#[tokio::test]` per contract check; `$fresh` is an async fn returning a
/// new, empty `Store`.
#[macro_export]
macro_rules! contract_tests {
    ($fresh:path) => {
        $crate::contract_tests!(@each $fresh, users_sessions_and_keys, connections_and_states, accounts_link_relink_disconnect,
            refresh_lease_and_fencing, account_settings, orders_upsert_and_cursor, jobs_with_leases, concurrent_claims_never_overlap,
            files_never_override_allegro, import_pages_commit_with_their_checkpoint, sync_claims_never_overlap, order_sorts_and_invoice_filter,
            invoices_once_per_order_and_gap_free, concurrent_issuing_has_no_gaps, due_invoices_and_failed_attempts,
            uploads_are_claimed_once_and_finish, shipments_once_and_pushed_once, stock_moves_once_per_document);
    };
    (@each $fresh:path, $($name:ident),+) => {
        $(
            #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn $name() {
                $crate::$name($fresh().await).await;
            }
        )+
    };
}
