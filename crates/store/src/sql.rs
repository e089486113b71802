//! The SQL shared by both backends. `$N` placeholders work on SQLite (sqlx binds `$NNN` by
//! number) and PostgreSQL, so each query is written once; the backends differ only in
//! their migrations, pool setup and the job-claim statement (`FOR UPDATE SKIP LOCKED` on
//! PostgreSQL). `impl_sql_storage!` expands the one implementation for a backend type
//! that has a `pool: sqlx::Pool<DB>` field. No SQL is built with `format!`.

/// The filter of the orders list, shared by its count and its page: every filter is
/// "NULL or equal", so one fixed text serves every combination.
#[doc(hidden)]
#[macro_export]
macro_rules! orders_where {
    () => {
        "FROM orders WHERE organisation_id = $1 \
         AND (CAST($2 AS TEXT) IS NULL OR account_id = $2) AND (CAST($3 AS TEXT) IS NULL OR status = $3) \
         AND (CAST($4 AS TEXT) IS NULL OR fulfillment_status = $4) AND (CAST($5 AS TEXT) IS NULL OR marketplace = $5) \
         AND (CAST($6 AS TEXT) IS NULL OR buyer_login = $6) AND (CAST($7 AS BIGINT) IS NULL OR bought_at_ms >= $7) \
         AND (CAST($8 AS BIGINT) IS NULL OR bought_at_ms < $8)"
    };
}

/// Implements [`crate::Storage`] for `$store` over `$db`.
#[macro_export]
macro_rules! impl_sql_storage {
    ($store:ty, $db:ty, $backend:literal, $claim_sql:expr) => {
        const _: () = {
            use ::sqlx::Row as _;
            use $crate::domain::{AccountId, AccountSettings, AccountStatus, ApiKeyId, ConnectionId, OrganisationId, UserId};
            use $crate::*;

            fn backend_err(e: ::sqlx::Error) -> StoreError {
                if let ::sqlx::Error::Database(db) = &e
                    && db.is_unique_violation()
                {
                    return StoreError::Conflict(db.message().to_owned());
                }
                StoreError::Backend(Box::new(e))
            }

            fn get<'r, T>(row: &'r <$db as ::sqlx::Database>::Row, col: &'static str) -> StoreResult<T>
            where
                T: ::sqlx::Decode<'r, $db> + ::sqlx::Type<$db>,
            {
                row.try_get(col).map_err(backend_err)
            }

            fn parse<T: ::std::str::FromStr>(table: &'static str, column: &'static str, raw: String) -> StoreResult<T>
            where
                T::Err: ::std::fmt::Display,
            {
                raw.parse().map_err(|e: T::Err| StoreError::Corrupt { table, column, message: e.to_string() })
            }

            fn account_from(row: &<$db as ::sqlx::Database>::Row) -> StoreResult<Account> {
                let access: Option<Vec<u8>> = get(row, "access_token")?;
                let refresh: Option<Vec<u8>> = get(row, "refresh_token")?;
                let tokens = match (access, refresh) {
                    (Some(a), Some(r)) => Some(TokenPair {
                        access_token: Sealed(a),
                        refresh_token: Sealed(r),
                        access_expires_at_ms: get::<Option<i64>>(row, "access_expires_at_ms")?.unwrap_or(0),
                        refresh_expires_at_ms: get::<Option<i64>>(row, "refresh_expires_at_ms")?.unwrap_or(0),
                    }),
                    _ => None,
                };
                Ok(Account {
                    id: AccountId::from_stored(get(row, "id")?),
                    organisation_id: OrganisationId::from_stored(get(row, "organisation_id")?),
                    connection_id: ConnectionId::from_stored(get(row, "connection_id")?),
                    allegro_user_id: get(row, "allegro_user_id")?,
                    login: get(row, "login")?,
                    status: parse("accounts", "status", get(row, "status")?)?,
                    status_reason: get(row, "status_reason")?,
                    scopes: get(row, "scopes")?,
                    tokens,
                    last_refresh_at_ms: get(row, "last_refresh_at_ms")?,
                    last_sync_at_ms: get(row, "last_sync_at_ms")?,
                    created_at_ms: get(row, "created_at_ms")?,
                    updated_at_ms: get(row, "updated_at_ms")?,
                })
            }

            fn connection_from(row: &<$db as ::sqlx::Database>::Row) -> StoreResult<Connection> {
                Ok(Connection {
                    id: ConnectionId::from_stored(get(row, "id")?),
                    organisation_id: OrganisationId::from_stored(get(row, "organisation_id")?),
                    mode: parse("connections", "mode", get(row, "mode")?)?,
                    environment: parse("connections", "environment", get(row, "environment")?)?,
                    auth_url: get(row, "auth_url")?,
                    api_url: get(row, "api_url")?,
                    client_id: get(row, "client_id")?,
                    client_secret: get::<Option<Vec<u8>>>(row, "client_secret")?.map(Sealed),
                    created_at_ms: get(row, "created_at_ms")?,
                    updated_at_ms: get(row, "updated_at_ms")?,
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

            fn order_from(r: &<$db as ::sqlx::Database>::Row) -> StoreResult<OrderRecord> {
                Ok(OrderRecord {
                    id: get(r, "id")?,
                    organisation_id: OrganisationId::from_stored(get(r, "organisation_id")?),
                    account_id: AccountId::from_stored(get(r, "account_id")?),
                    status: get(r, "status")?,
                    fulfillment_status: get(r, "fulfillment_status")?,
                    marketplace: get(r, "marketplace")?,
                    buyer_login: get(r, "buyer_login")?,
                    bought_at_ms: get(r, "bought_at_ms")?,
                    revision: get(r, "revision")?,
                    total_minor: get(r, "total_minor")?,
                    currency: get(r, "currency")?,
                    data: get(r, "data")?,
                })
            }

            fn state_from(row: &<$db as ::sqlx::Database>::Row) -> StoreResult<OAuthState> {
                Ok(OAuthState {
                    state_hash: get(row, "state_hash")?,
                    organisation_id: OrganisationId::from_stored(get(row, "organisation_id")?),
                    connection_id: ConnectionId::from_stored(get(row, "connection_id")?),
                    session_hash: get(row, "session_hash")?,
                    pkce_verifier: Sealed(get(row, "pkce_verifier")?),
                    relink_account_id: get::<Option<String>>(row, "relink_account_id")?.map(AccountId::from_stored),
                    expires_at_ms: get(row, "expires_at_ms")?,
                })
            }

            #[::async_trait::async_trait]
            impl Storage for $store {
                fn backend(&self) -> &'static str {
                    $backend
                }

                async fn create_organisation(&self, org: &Organisation, first_user: &User) -> StoreResult<()> {
                    let mut tx = self.pool.begin().await.map_err(backend_err)?;
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
                        "SELECT id, organisation_id, name, key_hash, prefix, created_at_ms FROM api_keys \
                         WHERE key_hash = $1 AND revoked_at_ms IS NULL",
                    )
                    .bind(key_hash)
                    .fetch_optional(&self.pool)
                    .await
                    .map_err(backend_err)?;
                    row.map(|r| {
                        Ok(ApiKey {
                            id: ApiKeyId::from_stored(get(&r, "id")?),
                            organisation_id: OrganisationId::from_stored(get(&r, "organisation_id")?),
                            name: get(&r, "name")?,
                            key_hash: get(&r, "key_hash")?,
                            prefix: get(&r, "prefix")?,
                            created_at_ms: get(&r, "created_at_ms")?,
                        })
                    })
                    .transpose()
                }

                async fn create_connection(&self, c: &Connection) -> StoreResult<()> {
                    ::sqlx::query(
                        "INSERT INTO connections (id, organisation_id, mode, environment, auth_url, api_url, client_id, client_secret, \
                         created_at_ms, updated_at_ms) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
                    )
                    .bind(c.id.as_str())
                    .bind(c.organisation_id.as_str())
                    .bind(c.mode.as_str())
                    .bind(c.environment.as_str())
                    .bind(&c.auth_url)
                    .bind(&c.api_url)
                    .bind(&c.client_id)
                    .bind(c.client_secret.as_ref().map(|s| s.0.clone()))
                    .bind(c.created_at_ms)
                    .bind(c.updated_at_ms)
                    .execute(&self.pool)
                    .await
                    .map_err(backend_err)?;
                    Ok(())
                }

                async fn connections(&self, org: &OrganisationId) -> StoreResult<Vec<Connection>> {
                    let rows = ::sqlx::query("SELECT * FROM connections WHERE organisation_id = $1 ORDER BY created_at_ms, id")
                        .bind(org.as_str())
                        .fetch_all(&self.pool)
                        .await
                        .map_err(backend_err)?;
                    rows.iter().map(connection_from).collect()
                }

                async fn connection(&self, org: &OrganisationId, id: &ConnectionId) -> StoreResult<Option<Connection>> {
                    let row = ::sqlx::query("SELECT * FROM connections WHERE id = $1 AND organisation_id = $2")
                        .bind(id.as_str())
                        .bind(org.as_str())
                        .fetch_optional(&self.pool)
                        .await
                        .map_err(backend_err)?;
                    row.as_ref().map(connection_from).transpose()
                }

                async fn set_connection_credentials(
                    &self,
                    org: &OrganisationId,
                    id: &ConnectionId,
                    client_id: &str,
                    client_secret: &Sealed,
                    now_ms: i64,
                ) -> StoreResult<bool> {
                    let done = ::sqlx::query(
                        "UPDATE connections SET client_id = $1, client_secret = $2, updated_at_ms = $3 WHERE id = $4 AND organisation_id = $5",
                    )
                    .bind(client_id)
                    .bind(client_secret.0.clone())
                    .bind(now_ms)
                    .bind(id.as_str())
                    .bind(org.as_str())
                    .execute(&self.pool)
                    .await
                    .map_err(backend_err)?;
                    Ok(done.rows_affected() == 1)
                }

                async fn create_oauth_state(&self, s: &OAuthState) -> StoreResult<()> {
                    ::sqlx::query(
                        "INSERT INTO oauth_states (state_hash, organisation_id, connection_id, session_hash, pkce_verifier, \
                         relink_account_id, expires_at_ms) VALUES ($1, $2, $3, $4, $5, $6, $7)",
                    )
                    .bind(&s.state_hash)
                    .bind(s.organisation_id.as_str())
                    .bind(s.connection_id.as_str())
                    .bind(&s.session_hash)
                    .bind(s.pkce_verifier.0.clone())
                    .bind(s.relink_account_id.as_ref().map(|a| a.as_str().to_owned()))
                    .bind(s.expires_at_ms)
                    .execute(&self.pool)
                    .await
                    .map_err(backend_err)?;
                    Ok(())
                }

                async fn take_oauth_state(&self, state_hash: &str, now_ms: i64) -> StoreResult<StateLookup> {
                    // One atomic UPDATE: of two concurrent callbacks with the same state, one wins.
                    let row = ::sqlx::query(
                        "UPDATE oauth_states SET used_at_ms = $1 WHERE state_hash = $2 AND used_at_ms IS NULL \
                         RETURNING state_hash, organisation_id, connection_id, session_hash, pkce_verifier, relink_account_id, expires_at_ms",
                    )
                    .bind(now_ms)
                    .bind(state_hash)
                    .fetch_optional(&self.pool)
                    .await
                    .map_err(backend_err)?;
                    if let Some(r) = row {
                        let state = state_from(&r)?;
                        return Ok(if state.expires_at_ms < now_ms { StateLookup::Expired } else { StateLookup::Valid(state) });
                    }
                    let exists = ::sqlx::query("SELECT state_hash FROM oauth_states WHERE state_hash = $1")
                        .bind(state_hash)
                        .fetch_optional(&self.pool)
                        .await
                        .map_err(backend_err)?;
                    Ok(if exists.is_some() { StateLookup::Used } else { StateLookup::Unknown })
                }

                async fn link_account(&self, l: &NewLink) -> StoreResult<LinkResult> {
                    let mut tx = self.pool.begin().await.map_err(backend_err)?;
                    let existing = ::sqlx::query(
                        "SELECT id FROM accounts WHERE connection_id = $1 AND allegro_user_id = $2 AND organisation_id = $3",
                    )
                    .bind(l.connection_id.as_str())
                    .bind(&l.allegro_user_id)
                    .bind(l.organisation_id.as_str())
                    .fetch_optional(&mut *tx)
                    .await
                    .map_err(backend_err)?;
                    let result = match existing {
                        Some(row) => {
                            let id = AccountId::from_stored(get(&row, "id")?);
                            update_tokens(&mut *tx, &id, &l.allegro_user_id, l).await?;
                            LinkResult::Updated(id)
                        }
                        None => {
                            ::sqlx::query(
                                "INSERT INTO accounts (id, organisation_id, connection_id, allegro_user_id, login, status, scopes, \
                                 access_token, refresh_token, access_expires_at_ms, refresh_expires_at_ms, last_refresh_at_ms, \
                                 created_at_ms, updated_at_ms) VALUES ($1, $2, $3, $4, $5, 'active', $6, $7, $8, $9, $10, $11, $11, $11)",
                            )
                            .bind(l.account_id.as_str())
                            .bind(l.organisation_id.as_str())
                            .bind(l.connection_id.as_str())
                            .bind(&l.allegro_user_id)
                            .bind(&l.login)
                            .bind(&l.scopes)
                            .bind(l.tokens.access_token.0.clone())
                            .bind(l.tokens.refresh_token.0.clone())
                            .bind(l.tokens.access_expires_at_ms)
                            .bind(l.tokens.refresh_expires_at_ms)
                            .bind(l.now_ms)
                            .execute(&mut *tx)
                            .await
                            .map_err(backend_err)?;
                            LinkResult::Created(l.account_id.clone())
                        }
                    };
                    tx.commit().await.map_err(backend_err)?;
                    Ok(result)
                }

                async fn relink_account(&self, org: &OrganisationId, account: &AccountId, l: &NewLink) -> StoreResult<bool> {
                    let mut tx = self.pool.begin().await.map_err(backend_err)?;
                    let owned = ::sqlx::query("SELECT id FROM accounts WHERE id = $1 AND organisation_id = $2 AND allegro_user_id = $3")
                        .bind(account.as_str())
                        .bind(org.as_str())
                        .bind(&l.allegro_user_id)
                        .fetch_optional(&mut *tx)
                        .await
                        .map_err(backend_err)?;
                    if owned.is_none() {
                        return Ok(false);
                    }
                    update_tokens(&mut *tx, account, &l.allegro_user_id, l).await?;
                    tx.commit().await.map_err(backend_err)?;
                    Ok(true)
                }

                async fn accounts(&self, org: &OrganisationId) -> StoreResult<Vec<Account>> {
                    let rows = ::sqlx::query("SELECT * FROM accounts WHERE organisation_id = $1 ORDER BY created_at_ms, id")
                    .bind(org.as_str())
                    .fetch_all(&self.pool)
                    .await
                    .map_err(backend_err)?;
                    rows.iter().map(account_from).collect()
                }

                async fn account(&self, org: &OrganisationId, id: &AccountId) -> StoreResult<Option<Account>> {
                    let row = ::sqlx::query("SELECT * FROM accounts WHERE id = $1 AND organisation_id = $2")
                    .bind(id.as_str())
                    .bind(org.as_str())
                    .fetch_optional(&self.pool)
                    .await
                    .map_err(backend_err)?;
                    row.as_ref().map(account_from).transpose()
                }

                async fn account_for_worker(&self, id: &AccountId) -> StoreResult<Option<Account>> {
                    let row = ::sqlx::query("SELECT * FROM accounts WHERE id = $1")
                        .bind(id.as_str())
                        .fetch_optional(&self.pool)
                        .await
                        .map_err(backend_err)?;
                    row.as_ref().map(account_from).transpose()
                }

                async fn set_account_status(&self, id: &AccountId, status: AccountStatus, reason: Option<&str>, now_ms: i64) -> StoreResult<()> {
                    ::sqlx::query("UPDATE accounts SET status = $1, status_reason = $2, updated_at_ms = $3 WHERE id = $4")
                        .bind(status.as_str())
                        .bind(reason)
                        .bind(now_ms)
                        .bind(id.as_str())
                        .execute(&self.pool)
                        .await
                        .map_err(backend_err)?;
                    Ok(())
                }

                async fn disconnect_account(&self, org: &OrganisationId, id: &AccountId, now_ms: i64) -> StoreResult<bool> {
                    let done = ::sqlx::query(
                        "UPDATE accounts SET status = 'disconnected', status_reason = NULL, access_token = NULL, refresh_token = NULL, \
                         access_expires_at_ms = NULL, refresh_expires_at_ms = NULL, updated_at_ms = $1 WHERE id = $2 AND organisation_id = $3",
                    )
                    .bind(now_ms)
                    .bind(id.as_str())
                    .bind(org.as_str())
                    .execute(&self.pool)
                    .await
                    .map_err(backend_err)?;
                    Ok(done.rows_affected() == 1)
                }

                async fn try_lease_refresh(&self, id: &AccountId, owner: &str, until_ms: i64, now_ms: i64) -> StoreResult<bool> {
                    let done = ::sqlx::query(
                        "UPDATE accounts SET refresh_lock_owner = $1, refresh_lock_until_ms = $2 \
                         WHERE id = $3 AND (refresh_lock_until_ms IS NULL OR refresh_lock_until_ms < $4 OR refresh_lock_owner = $1)",
                    )
                    .bind(owner)
                    .bind(until_ms)
                    .bind(id.as_str())
                    .bind(now_ms)
                    .execute(&self.pool)
                    .await
                    .map_err(backend_err)?;
                    Ok(done.rows_affected() == 1)
                }

                async fn store_refreshed_tokens(&self, id: &AccountId, owner: &str, t: &TokenPair, now_ms: i64) -> StoreResult<bool> {
                    let done = ::sqlx::query(
                        "UPDATE accounts SET access_token = $1, refresh_token = $2, access_expires_at_ms = $3, refresh_expires_at_ms = $4, \
                         last_refresh_at_ms = $5, updated_at_ms = $5, status = 'active', status_reason = NULL \
                         WHERE id = $6 AND refresh_lock_owner = $7 AND refresh_lock_until_ms >= $5",
                    )
                    .bind(t.access_token.0.clone())
                    .bind(t.refresh_token.0.clone())
                    .bind(t.access_expires_at_ms)
                    .bind(t.refresh_expires_at_ms)
                    .bind(now_ms)
                    .bind(id.as_str())
                    .bind(owner)
                    .execute(&self.pool)
                    .await
                    .map_err(backend_err)?;
                    Ok(done.rows_affected() == 1)
                }

                async fn release_refresh_lease(&self, id: &AccountId, owner: &str) -> StoreResult<()> {
                    ::sqlx::query(
                        "UPDATE accounts SET refresh_lock_owner = NULL, refresh_lock_until_ms = NULL WHERE id = $1 AND refresh_lock_owner = $2",
                    )
                    .bind(id.as_str())
                    .bind(owner)
                    .execute(&self.pool)
                    .await
                    .map_err(backend_err)?;
                    Ok(())
                }

                async fn accounts_due_for_refresh(&self, expires_before_ms: i64, refreshed_before_ms: i64, limit: i64) -> StoreResult<Vec<AccountId>> {
                    let rows = ::sqlx::query(
                        "SELECT id FROM accounts WHERE status = 'active' AND refresh_token IS NOT NULL \
                         AND (access_expires_at_ms < $1 OR last_refresh_at_ms < $2) ORDER BY access_expires_at_ms, id LIMIT $3",
                    )
                    .bind(expires_before_ms)
                    .bind(refreshed_before_ms)
                    .bind(limit)
                    .fetch_all(&self.pool)
                    .await
                    .map_err(backend_err)?;
                    rows.iter().map(|r| Ok(AccountId::from_stored(get(r, "id")?))).collect()
                }

                async fn count_accounts_at_risk(&self, refresh_expires_before_ms: i64, refreshed_before_ms: i64) -> StoreResult<i64> {
                    let row = ::sqlx::query(
                        "SELECT COUNT(*) AS n FROM accounts WHERE status = 'active' AND refresh_token IS NOT NULL \
                         AND (refresh_expires_at_ms < $1 OR last_refresh_at_ms < $2)",
                    )
                    .bind(refresh_expires_before_ms)
                    .bind(refreshed_before_ms)
                    .fetch_one(&self.pool)
                    .await
                    .map_err(backend_err)?;
                    get(&row, "n")
                }

                async fn account_status_counts(&self) -> StoreResult<Vec<(AccountStatus, i64)>> {
                    let rows = ::sqlx::query("SELECT status, COUNT(*) AS n FROM accounts GROUP BY status ORDER BY status")
                        .fetch_all(&self.pool)
                        .await
                        .map_err(backend_err)?;
                    rows.iter().map(|r| Ok((parse("accounts", "status", get(r, "status")?)?, get(r, "n")?))).collect()
                }

                async fn account_settings(&self, org: &OrganisationId, id: &AccountId) -> StoreResult<Option<AccountSettings>> {
                    let owned = ::sqlx::query("SELECT id FROM accounts WHERE id = $1 AND organisation_id = $2")
                        .bind(id.as_str())
                        .bind(org.as_str())
                        .fetch_optional(&self.pool)
                        .await
                        .map_err(backend_err)?;
                    if owned.is_none() {
                        return Ok(None);
                    }
                    let row = ::sqlx::query(
                        "SELECT enabled, vat_goods, vat_delivery, invoice_trigger, invoice_series FROM account_settings WHERE account_id = $1",
                    )
                    .bind(id.as_str())
                    .fetch_optional(&self.pool)
                    .await
                    .map_err(backend_err)?;
                    let Some(r) = row else { return Ok(Some(AccountSettings::default())) };
                    Ok(Some(AccountSettings {
                        enabled: get(&r, "enabled")?,
                        vat_goods: parse("account_settings", "vat_goods", get(&r, "vat_goods")?)?,
                        vat_delivery: parse("account_settings", "vat_delivery", get(&r, "vat_delivery")?)?,
                        invoice_trigger: parse("account_settings", "invoice_trigger", get(&r, "invoice_trigger")?)?,
                        invoice_series: $crate::domain::InvoiceSeries::parse(&get::<String>(&r, "invoice_series")?).map_err(|e| {
                            StoreError::Corrupt { table: "account_settings", column: "invoice_series", message: e.to_string() }
                        })?,
                    }))
                }

                async fn save_account_settings(&self, org: &OrganisationId, id: &AccountId, s: &AccountSettings, now_ms: i64) -> StoreResult<bool> {
                    let mut tx = self.pool.begin().await.map_err(backend_err)?;
                    let owned = ::sqlx::query("SELECT id FROM accounts WHERE id = $1 AND organisation_id = $2")
                        .bind(id.as_str())
                        .bind(org.as_str())
                        .fetch_optional(&mut *tx)
                        .await
                        .map_err(backend_err)?;
                    if owned.is_none() {
                        return Ok(false);
                    }
                    ::sqlx::query(
                        "INSERT INTO account_settings (account_id, enabled, vat_goods, vat_delivery, invoice_trigger, invoice_series, updated_at_ms) \
                         VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (account_id) DO UPDATE SET enabled = $2, vat_goods = $3, \
                         vat_delivery = $4, invoice_trigger = $5, invoice_series = $6, updated_at_ms = $7",
                    )
                    .bind(id.as_str())
                    .bind(s.enabled)
                    .bind(s.vat_goods.as_str())
                    .bind(s.vat_delivery.as_str())
                    .bind(s.invoice_trigger.as_str())
                    .bind(s.invoice_series.as_str())
                    .bind(now_ms)
                    .execute(&mut *tx)
                    .await
                    .map_err(backend_err)?;
                    tx.commit().await.map_err(backend_err)?;
                    Ok(true)
                }

                async fn save_orders(&self, account: &AccountId, orders: &[OrderRecord], cursor: Option<&str>, now_ms: i64) -> StoreResult<UpsertCounts> {
                    let mut tx = self.pool.begin().await.map_err(backend_err)?;
                    let mut counts = UpsertCounts::default();
                    for o in orders {
                        let existing = ::sqlx::query("SELECT data FROM orders WHERE id = $1 AND account_id = $2")
                            .bind(&o.id)
                            .bind(account.as_str())
                            .fetch_optional(&mut *tx)
                            .await
                            .map_err(backend_err)?;
                        match existing {
                            Some(row) if get::<String>(&row, "data")? == o.data => counts.unchanged += 1,
                            Some(_) => {
                                ::sqlx::query(
                                    "UPDATE orders SET status = $1, fulfillment_status = $2, marketplace = $3, buyer_login = $4, \
                                     bought_at_ms = $5, revision = $6, total_minor = $7, currency = $8, data = $9, synced_at_ms = $10 \
                                     WHERE id = $11 AND account_id = $12",
                                )
                                .bind(&o.status)
                                .bind(&o.fulfillment_status)
                                .bind(&o.marketplace)
                                .bind(&o.buyer_login)
                                .bind(o.bought_at_ms)
                                .bind(&o.revision)
                                .bind(o.total_minor)
                                .bind(&o.currency)
                                .bind(&o.data)
                                .bind(now_ms)
                                .bind(&o.id)
                                .bind(account.as_str())
                                .execute(&mut *tx)
                                .await
                                .map_err(backend_err)?;
                                counts.updated += 1;
                            }
                            None => {
                                ::sqlx::query(
                                    "INSERT INTO orders (id, organisation_id, account_id, status, fulfillment_status, marketplace, buyer_login, \
                                     bought_at_ms, revision, total_minor, currency, data, first_seen_at_ms, synced_at_ms) \
                                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $13)",
                                )
                                .bind(&o.id)
                                .bind(o.organisation_id.as_str())
                                .bind(account.as_str())
                                .bind(&o.status)
                                .bind(&o.fulfillment_status)
                                .bind(&o.marketplace)
                                .bind(&o.buyer_login)
                                .bind(o.bought_at_ms)
                                .bind(&o.revision)
                                .bind(o.total_minor)
                                .bind(&o.currency)
                                .bind(&o.data)
                                .bind(now_ms)
                                .execute(&mut *tx)
                                .await
                                .map_err(backend_err)?;
                                counts.new += 1;
                            }
                        }
                    }
                    if let Some(c) = cursor {
                        ::sqlx::query(
                            "INSERT INTO sync_cursors (account_id, last_event_id, updated_at_ms) VALUES ($1, $2, $3) \
                             ON CONFLICT (account_id) DO UPDATE SET last_event_id = $2, updated_at_ms = $3",
                        )
                        .bind(account.as_str())
                        .bind(c)
                        .bind(now_ms)
                        .execute(&mut *tx)
                        .await
                        .map_err(backend_err)?;
                    }
                    tx.commit().await.map_err(backend_err)?;
                    Ok(counts)
                }

                async fn active_accounts(&self, limit: i64) -> StoreResult<Vec<AccountId>> {
                    let rows = ::sqlx::query(
                        "SELECT id FROM accounts WHERE status = 'active' ORDER BY COALESCE(last_sync_at_ms, 0), id LIMIT $1",
                    )
                    .bind(limit)
                    .fetch_all(&self.pool)
                    .await
                    .map_err(backend_err)?;
                    rows.iter().map(|r| Ok(AccountId::from_stored(get(r, "id")?))).collect()
                }

                async fn mark_synced(&self, account: &AccountId, now_ms: i64) -> StoreResult<()> {
                    ::sqlx::query("UPDATE accounts SET last_sync_at_ms = $1 WHERE id = $2")
                        .bind(now_ms)
                        .bind(account.as_str())
                        .execute(&self.pool)
                        .await
                        .map_err(backend_err)?;
                    Ok(())
                }

                async fn sync_cursor(&self, account: &AccountId) -> StoreResult<Option<String>> {
                    let row = ::sqlx::query("SELECT last_event_id FROM sync_cursors WHERE account_id = $1")
                        .bind(account.as_str())
                        .fetch_optional(&self.pool)
                        .await
                        .map_err(backend_err)?;
                    row.map(|r| get(&r, "last_event_id")).transpose()
                }

                async fn orders(&self, org: &OrganisationId, f: &OrderFilter, offset: i64, limit: i64) -> StoreResult<(Vec<OrderRecord>, i64)> {
                    // Fixed statements: each filter is "NULL or equal", so no SQL is built.
                    let total = ::sqlx::query(
                        concat!("SELECT COUNT(*) AS n ", $crate::orders_where!()),
                    )
                    .bind(org.as_str())
                    .bind(f.account_id.as_ref().map(|a| a.as_str().to_owned()))
                    .bind(&f.status)
                    .bind(&f.fulfillment_status)
                    .bind(&f.marketplace)
                    .bind(&f.buyer_login)
                    .bind(f.bought_from_ms)
                    .bind(f.bought_to_ms)
                    .fetch_one(&self.pool)
                    .await
                    .map_err(backend_err)?;
                    let rows = ::sqlx::query(
                        concat!("SELECT * ", $crate::orders_where!(), " ORDER BY bought_at_ms DESC, id LIMIT $9 OFFSET $10"),
                    )
                    .bind(org.as_str())
                    .bind(f.account_id.as_ref().map(|a| a.as_str().to_owned()))
                    .bind(&f.status)
                    .bind(&f.fulfillment_status)
                    .bind(&f.marketplace)
                    .bind(&f.buyer_login)
                    .bind(f.bought_from_ms)
                    .bind(f.bought_to_ms)
                    .bind(limit)
                    .bind(offset)
                    .fetch_all(&self.pool)
                    .await
                    .map_err(backend_err)?;
                    Ok((rows.iter().map(order_from).collect::<StoreResult<Vec<_>>>()?, get(&total, "n")?))
                }

                async fn order(&self, org: &OrganisationId, id: &str) -> StoreResult<Option<OrderRecord>> {
                    let row = ::sqlx::query("SELECT * FROM orders WHERE organisation_id = $1 AND id = $2 ORDER BY account_id LIMIT 1")
                        .bind(org.as_str())
                        .bind(id)
                        .fetch_optional(&self.pool)
                        .await
                        .map_err(backend_err)?;
                    row.as_ref().map(order_from).transpose()
                }

                async fn account_orders(&self, account: &AccountId) -> StoreResult<Vec<OrderRecord>> {
                    let rows = ::sqlx::query("SELECT * FROM orders WHERE account_id = $1 ORDER BY bought_at_ms DESC, id")
                        .bind(account.as_str())
                        .fetch_all(&self.pool)
                        .await
                        .map_err(backend_err)?;
                    rows.iter().map(order_from).collect()
                }

                async fn enqueue_job(&self, j: &NewJob) -> StoreResult<bool> {
                    // The partial unique index on (kind, dedup_key) for queued/running jobs
                    // turns a duplicate into "nothing inserted".
                    let done = ::sqlx::query(
                        "INSERT INTO jobs (kind, dedup_key, payload, state, attempts, max_attempts, run_at_ms) \
                         VALUES ($1, $2, $3, 'queued', 0, $4, $5) ON CONFLICT DO NOTHING",
                    )
                    .bind(&j.kind)
                    .bind(&j.dedup_key)
                    .bind(&j.payload)
                    .bind(j.max_attempts)
                    .bind(j.run_at_ms)
                    .execute(&self.pool)
                    .await
                    .map_err(backend_err)?;
                    Ok(done.rows_affected() == 1)
                }

                async fn claim_job(&self, worker: &str, now_ms: i64, lease_until_ms: i64) -> StoreResult<Option<Job>> {
                    let row = ::sqlx::query($claim_sql)
                        .bind(worker)
                        .bind(lease_until_ms)
                        .bind(now_ms)
                        .fetch_optional(&self.pool)
                        .await
                        .map_err(backend_err)?;
                    row.map(|r| {
                        Ok(Job {
                            id: get(&r, "id")?,
                            kind: get(&r, "kind")?,
                            dedup_key: get(&r, "dedup_key")?,
                            payload: get(&r, "payload")?,
                            attempts: get(&r, "attempts")?,
                            max_attempts: get(&r, "max_attempts")?,
                        })
                    })
                    .transpose()
                }

                async fn complete_job(&self, id: i64, worker: &str) -> StoreResult<bool> {
                    let done = ::sqlx::query(
                        "UPDATE jobs SET state = 'done', locked_by = NULL, locked_until_ms = NULL WHERE id = $1 AND locked_by = $2 AND state = 'running'",
                    )
                    .bind(id)
                    .bind(worker)
                    .execute(&self.pool)
                    .await
                    .map_err(backend_err)?;
                    Ok(done.rows_affected() == 1)
                }

                async fn fail_job(&self, id: i64, worker: &str, error: &str, retry_at_ms: i64) -> StoreResult<bool> {
                    let done = ::sqlx::query(
                        "UPDATE jobs SET state = CASE WHEN attempts >= max_attempts THEN 'dead' ELSE 'queued' END, \
                         last_error = $1, run_at_ms = $2, locked_by = NULL, locked_until_ms = NULL \
                         WHERE id = $3 AND locked_by = $4 AND state = 'running'",
                    )
                    .bind(error.chars().take(2000).collect::<String>())
                    .bind(retry_at_ms)
                    .bind(id)
                    .bind(worker)
                    .execute(&self.pool)
                    .await
                    .map_err(backend_err)?;
                    Ok(done.rows_affected() == 1)
                }
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

            async fn update_tokens<'e, E>(executor: E, id: &AccountId, allegro_user_id: &str, l: &NewLink) -> StoreResult<()>
            where
                E: ::sqlx::Executor<'e, Database = $db>,
            {
                // Invariant 4: tokens only ever land on the account of the Allegro user who
                // granted them; the WHERE clause repeats the check the caller made.
                ::sqlx::query(
                    "UPDATE accounts SET login = $1, status = 'active', status_reason = NULL, scopes = $2, access_token = $3, \
                     refresh_token = $4, access_expires_at_ms = $5, refresh_expires_at_ms = $6, last_refresh_at_ms = $7, \
                     updated_at_ms = $7 WHERE id = $8 AND allegro_user_id = $9",
                )
                .bind(&l.login)
                .bind(&l.scopes)
                .bind(l.tokens.access_token.0.clone())
                .bind(l.tokens.refresh_token.0.clone())
                .bind(l.tokens.access_expires_at_ms)
                .bind(l.tokens.refresh_expires_at_ms)
                .bind(l.now_ms)
                .bind(id.as_str())
                .bind(allegro_user_id)
                .execute(executor)
                .await
                .map_err(backend_err)?;
                Ok(())
            }
        };
    };
}
