//! Connections, OAuth states, linked accounts, token refresh and account settings.

use super::*;

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
        cod_sale_when_sent: true,
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
