//! Users, sessions, API keys and failed logins.

use super::*;

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
    // The unique rule is named by the field it protects, on both backends.
    assert!(
        matches!(
            store.create_user(&dup).await,
            Err(StoreError::Conflict { field: Some("email") })
        ),
        "the e-mail is taken (case-insensitively)"
    );
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
