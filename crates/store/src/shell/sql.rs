//! The SQL of ShellStore (see [`crate::shell`]), written once for both backends.

/// Implements [`crate::ShellStore`] for `$store`; expanded by [`crate::impl_sql_storage`]
/// beside the shared helpers.
#[doc(hidden)]
#[macro_export]
macro_rules! sql_shell {
    ($store:ty, $db:ty, $backend:literal, $claim_sql:expr, $begin:literal) => {
        fn api_key_from(r: &<$db as ::sqlx::Database>::Row) -> StoreResult<ApiKey> {
            Ok(ApiKey {
                id: ApiKeyId::from_stored(get(r, "id")?),
                organisation_id: OrganisationId::from_stored(get(r, "organisation_id")?),
                name: get(r, "name")?,
                key_hash: get(r, "key_hash")?,
                prefix: get(r, "prefix")?,
                created_at_ms: get(r, "created_at_ms")?,
                last_used_at_ms: get(r, "last_used_at_ms")?,
            })
        }

        fn user_from(row: &<$db as ::sqlx::Database>::Row) -> StoreResult<User> {
            Ok(User {
                id: UserId::from_stored(get(row, "id")?),
                organisation_id: OrganisationId::from_stored(get(row, "organisation_id")?),
                email: get(row, "email")?,
                password_hash: get(row, "password_hash")?,
                created_at_ms: get(row, "created_at_ms")?,
            })
        }

        async fn insert_user<'e, E>(executor: E, u: &User) -> StoreResult<()>
        where
            E: ::sqlx::Executor<'e, Database = $db>,
        {
            ::sqlx::query(
                "INSERT INTO users (id, organisation_id, email, password_hash, created_at_ms) VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(u.id.as_str())
            .bind(u.organisation_id.as_str())
            .bind(u.email.trim().to_lowercase())
            .bind(&u.password_hash)
            .bind(u.created_at_ms)
            .execute(executor)
            .await
            .map_err(backend_err)?;
            Ok(())
        }

        #[::async_trait::async_trait]
        impl ShellStore for $store {
            async fn create_organisation(&self, org: &Organisation, first_user: &User) -> StoreResult<()> {
                let mut tx = self.pool.begin_with($begin).await.map_err(backend_err)?;
                ::sqlx::query("INSERT INTO organisations (id, name, created_at_ms) VALUES ($1, $2, $3)")
                    .bind(org.id.as_str())
                    .bind(&org.name)
                    .bind(org.created_at_ms)
                    .execute(&mut *tx)
                    .await
                    .map_err(backend_err)?;
                insert_user(&mut *tx, first_user).await?;
                tx.commit().await.map_err(backend_err)
            }

            async fn create_user(&self, user: &User) -> StoreResult<()> {
                let mut conn = self.pool.acquire().await.map_err(backend_err)?;
                insert_user(&mut *conn, user).await
            }

            async fn organisation(&self, id: &OrganisationId) -> StoreResult<Option<Organisation>> {
                let row = ::sqlx::query("SELECT id, name, created_at_ms FROM organisations WHERE id = $1")
                    .bind(id.as_str())
                    .fetch_optional(&self.pool)
                    .await
                    .map_err(backend_err)?;
                row.map(|r| {
                    Ok(Organisation {
                        id: OrganisationId::from_stored(get(&r, "id")?),
                        name: get(&r, "name")?,
                        created_at_ms: get(&r, "created_at_ms")?,
                    })
                })
                .transpose()
            }

            async fn organisations(&self) -> StoreResult<Vec<Organisation>> {
                let rows = ::sqlx::query("SELECT id, name, created_at_ms FROM organisations ORDER BY created_at_ms, id")
                    .fetch_all(&self.pool)
                    .await
                    .map_err(backend_err)?;
                rows.iter()
                    .map(|r| {
                        Ok(Organisation {
                            id: OrganisationId::from_stored(get(r, "id")?),
                            name: get(r, "name")?,
                            created_at_ms: get(r, "created_at_ms")?,
                        })
                    })
                    .collect()
            }

            async fn user_by_email(&self, email: &str) -> StoreResult<Option<User>> {
                let row = ::sqlx::query(
                    "SELECT id, organisation_id, email, password_hash, created_at_ms FROM users WHERE email = $1",
                )
                .bind(email.trim().to_lowercase())
                .fetch_optional(&self.pool)
                .await
                .map_err(backend_err)?;
                row.as_ref().map(user_from).transpose()
            }

            async fn count_users(&self) -> StoreResult<i64> {
                let row = ::sqlx::query("SELECT COUNT(*) AS n FROM users").fetch_one(&self.pool).await.map_err(backend_err)?;
                get(&row, "n")
            }

            async fn create_session(&self, s: &Session) -> StoreResult<()> {
                ::sqlx::query(
                    "INSERT INTO sessions (id_hash, user_id, organisation_id, csrf_token, expires_at_ms) VALUES ($1, $2, $3, $4, $5)",
                )
                .bind(&s.id_hash)
                .bind(s.user_id.as_str())
                .bind(s.organisation_id.as_str())
                .bind(&s.csrf_token)
                .bind(s.expires_at_ms)
                .execute(&self.pool)
                .await
                .map_err(backend_err)?;
                Ok(())
            }

            async fn session(&self, id_hash: &str, now_ms: i64) -> StoreResult<Option<Session>> {
                let row = ::sqlx::query(
                    "SELECT s.id_hash, s.user_id, s.organisation_id, s.csrf_token, s.expires_at_ms, u.email \
                     FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.id_hash = $1 AND s.expires_at_ms > $2",
                )
                .bind(id_hash)
                .bind(now_ms)
                .fetch_optional(&self.pool)
                .await
                .map_err(backend_err)?;
                row.map(|r| {
                    Ok(Session {
                        id_hash: get(&r, "id_hash")?,
                        user_id: UserId::from_stored(get(&r, "user_id")?),
                        organisation_id: OrganisationId::from_stored(get(&r, "organisation_id")?),
                        email: get(&r, "email")?,
                        csrf_token: get(&r, "csrf_token")?,
                        expires_at_ms: get(&r, "expires_at_ms")?,
                    })
                })
                .transpose()
            }

            async fn delete_session(&self, id_hash: &str) -> StoreResult<()> {
                ::sqlx::query("DELETE FROM sessions WHERE id_hash = $1").bind(id_hash).execute(&self.pool).await.map_err(backend_err)?;
                Ok(())
            }

            async fn create_api_key(&self, k: &ApiKey) -> StoreResult<()> {
                ::sqlx::query(
                    "INSERT INTO api_keys (id, organisation_id, name, key_hash, prefix, created_at_ms) VALUES ($1, $2, $3, $4, $5, $6)",
                )
                .bind(k.id.as_str())
                .bind(k.organisation_id.as_str())
                .bind(&k.name)
                .bind(&k.key_hash)
                .bind(&k.prefix)
                .bind(k.created_at_ms)
                .execute(&self.pool)
                .await
                .map_err(backend_err)?;
                Ok(())
            }

            async fn api_key_by_hash(&self, key_hash: &str) -> StoreResult<Option<ApiKey>> {
                let row = ::sqlx::query(
                    "SELECT * FROM api_keys WHERE key_hash = $1 AND revoked_at_ms IS NULL",
                )
                .bind(key_hash)
                .fetch_optional(&self.pool)
                .await
                .map_err(backend_err)?;
                row.as_ref().map(api_key_from).transpose()
            }

            async fn api_keys(&self, org: &OrganisationId) -> StoreResult<Vec<ApiKey>> {
                let rows = ::sqlx::query(
                    "SELECT * FROM api_keys WHERE organisation_id = $1 AND revoked_at_ms IS NULL ORDER BY created_at_ms DESC, id",
                )
                .bind(org.as_str())
                .fetch_all(&self.pool)
                .await
                .map_err(backend_err)?;
                rows.iter().map(api_key_from).collect()
            }

            async fn revoke_api_key(&self, org: &OrganisationId, id: &ApiKeyId, now_ms: i64) -> StoreResult<bool> {
                let done = ::sqlx::query(
                    "UPDATE api_keys SET revoked_at_ms = $1 WHERE id = $2 AND organisation_id = $3 AND revoked_at_ms IS NULL",
                )
                .bind(now_ms)
                .bind(id.as_str())
                .bind(org.as_str())
                .execute(&self.pool)
                .await
                .map_err(backend_err)?;
                Ok(done.rows_affected() == 1)
            }

            async fn touch_api_key(&self, id: &ApiKeyId, now_ms: i64) -> StoreResult<()> {
                ::sqlx::query(
                    "UPDATE api_keys SET last_used_at_ms = $1 WHERE id = $2 \
                     AND (last_used_at_ms IS NULL OR last_used_at_ms < $1 - 60000)",
                )
                .bind(now_ms)
                .bind(id.as_str())
                .execute(&self.pool)
                .await
                .map_err(backend_err)?;
                Ok(())
            }

            async fn record_login_failure(&self, key: &str, now_ms: i64, window_start_ms: i64) -> StoreResult<LoginFailures> {
                // One statement, so concurrent failures all count.
                let row = ::sqlx::query(
                    "INSERT INTO login_failures (throttle_key, failures, last_failure_ms) VALUES ($1, 1, $2) \
                     ON CONFLICT (throttle_key) DO UPDATE SET \
                     failures = CASE WHEN login_failures.last_failure_ms < $3 THEN 1 ELSE login_failures.failures + 1 END, \
                     last_failure_ms = $2 RETURNING failures, last_failure_ms",
                )
                .bind(key)
                .bind(now_ms)
                .bind(window_start_ms)
                .fetch_one(&self.pool)
                .await
                .map_err(backend_err)?;
                Ok(LoginFailures {
                    failures: get(&row, "failures")?,
                    last_failure_ms: get(&row, "last_failure_ms")?,
                })
            }

            async fn login_failures(&self, key: &str) -> StoreResult<Option<LoginFailures>> {
                let row = ::sqlx::query("SELECT failures, last_failure_ms FROM login_failures WHERE throttle_key = $1")
                    .bind(key)
                    .fetch_optional(&self.pool)
                    .await
                    .map_err(backend_err)?;
                row.map(|r| {
                    Ok(LoginFailures {
                        failures: get(&r, "failures")?,
                        last_failure_ms: get(&r, "last_failure_ms")?,
                    })
                })
                .transpose()
            }

            async fn clear_login_failures(&self, key: &str) -> StoreResult<()> {
                ::sqlx::query("DELETE FROM login_failures WHERE throttle_key = $1")
                    .bind(key)
                    .execute(&self.pool)
                    .await
                    .map_err(backend_err)?;
                Ok(())
            }

            async fn forget_login_failures(&self, before_ms: i64) -> StoreResult<u64> {
                let done = ::sqlx::query("DELETE FROM login_failures WHERE last_failure_ms < $1")
                    .bind(before_ms)
                    .execute(&self.pool)
                    .await
                    .map_err(backend_err)?;
                Ok(done.rows_affected())
            }

            async fn stored_secrets(&self) -> StoreResult<Vec<StoredSecret>> {
                let rows = ::sqlx::query(
                    "SELECT 'connection:' || id || ':secret' AS purpose, client_secret AS sealed FROM connections \
                     WHERE client_secret IS NOT NULL \
                     UNION ALL SELECT 'account:' || id || ':refresh', refresh_token FROM accounts WHERE refresh_token IS NOT NULL \
                     UNION ALL SELECT 'ksef:' || organisation_id || ':token', token FROM ksef_settings WHERE token IS NOT NULL \
                     UNION ALL SELECT 'ksef:' || organisation_id || ':offline-certificate', offline_certificate \
                     FROM ksef_settings WHERE offline_certificate IS NOT NULL",
                )
                .fetch_all(&self.pool)
                .await
                .map_err(backend_err)?;
                rows.iter()
                    .map(|r| {
                        Ok(StoredSecret {
                            purpose: get(r, "purpose")?,
                            sealed: Sealed(get(r, "sealed")?),
                        })
                    })
                    .collect()
            }
        }
    };
}
