//! The SQL of KsefStore (see [`crate::ksef`]), written once for both backends.

/// Implements [`crate::KsefStore`] for `$store`; expanded by [`crate::impl_sql_storage`]
/// beside the shared helpers.
#[doc(hidden)]
#[macro_export]
macro_rules! sql_ksef {
    ($store:ty, $db:ty, $backend:literal, $claim_sql:expr, $begin:literal) => {
        #[::async_trait::async_trait]
        impl KsefStore for $store {
            async fn ksef_settings(&self, org: &OrganisationId) -> StoreResult<Option<KsefSettingsRecord>> {
                let row = ::sqlx::query("SELECT * FROM ksef_settings WHERE organisation_id = $1")
                    .bind(org.as_str())
                    .fetch_optional(&self.pool)
                    .await
                    .map_err(backend_err)?;
                row.map(|r| {
                    Ok(KsefSettingsRecord {
                        organisation_id: org.clone(),
                        environment: get(&r, "environment")?,
                        api_url: get(&r, "api_url")?,
                        token: get::<Option<Vec<u8>>>(&r, "token")?.map(Sealed),
                        token_hint: get(&r, "token_hint")?,
                        send_consumer: get(&r, "send_consumer")?,
                        send_from: get(&r, "send_from")?,
                        checked_nip: get(&r, "checked_nip")?,
                        checked_permissions: get(&r, "checked_permissions")?,
                        checked_at_ms: get(&r, "checked_at_ms")?,
                        token_problem: get(&r, "token_problem")?,
                        updated_at_ms: get(&r, "updated_at_ms")?,
                    })
                })
                .transpose()
            }

            async fn save_ksef_settings(&self, s: &KsefSettingsRecord) -> StoreResult<()> {
                ::sqlx::query(
                    "INSERT INTO ksef_settings (organisation_id, environment, api_url, token, token_hint, send_consumer, \
                     send_from, checked_nip, checked_permissions, checked_at_ms, token_problem, updated_at_ms) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) \
                     ON CONFLICT (organisation_id) DO UPDATE SET environment = $2, api_url = $3, token = $4, \
                     token_hint = $5, send_consumer = $6, send_from = $7, checked_nip = $8, checked_permissions = $9, \
                     checked_at_ms = $10, token_problem = $11, updated_at_ms = $12",
                )
                .bind(s.organisation_id.as_str())
                .bind(&s.environment)
                .bind(&s.api_url)
                .bind(s.token.as_ref().map(|t| t.0.clone()))
                .bind(&s.token_hint)
                .bind(s.send_consumer)
                .bind(&s.send_from)
                .bind(&s.checked_nip)
                .bind(&s.checked_permissions)
                .bind(s.checked_at_ms)
                .bind(&s.token_problem)
                .bind(s.updated_at_ms)
                .execute(&self.pool)
                .await
                .map_err(backend_err)?;
                Ok(())
            }
        }
    };
}
