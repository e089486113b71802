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
    settings.updated_at_ms = 2_000;
    store.save_ksef_settings(&settings).await.unwrap();
    assert_eq!(store.ksef_settings(&t.org).await.unwrap(), Some(settings));
    assert_eq!(store.ksef_settings(&other.org).await.unwrap(), None);
}
