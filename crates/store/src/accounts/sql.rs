//! The SQL of AccountStore (see [`crate::accounts`]), written once for both backends.

/// Implements [`crate::AccountStore`] for `$store`; expanded by [`crate::impl_sql_storage`]
/// beside the shared helpers.
#[doc(hidden)]
#[macro_export]
macro_rules! sql_accounts {
    ($store:ty, $db:ty, $backend:literal, $claim_sql:expr, $begin:literal) => {
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

        #[::async_trait::async_trait]
        impl AccountStore for $store {
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
                    "UPDATE connections SET client_id = $1, client_secret = $2, updated_at_ms = $3 WHERE id = $4 AND organisation_id = $5 \
                     AND NOT EXISTS (SELECT 1 FROM connections other WHERE other.client_id = $1 \
                     AND other.organisation_id <> $5 AND other.api_url = connections.api_url)",
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
                let mut tx = self.pool.begin_with($begin).await.map_err(backend_err)?;
                // One account per Allegro user in an organisation, whichever connection
                // linked it: the same user through another connection moves the account.
                let existing = ::sqlx::query(
                    "SELECT id, connection_id FROM accounts WHERE organisation_id = $1 AND allegro_user_id = $2",
                )
                .bind(l.organisation_id.as_str())
                .bind(&l.allegro_user_id)
                .fetch_optional(&mut *tx)
                .await
                .map_err(backend_err)?;
                let result = match existing {
                    Some(row) => {
                        let id = AccountId::from_stored(get(&row, "id")?);
                        let was = ConnectionId::from_stored(get(&row, "connection_id")?);
                        update_tokens(&mut *tx, &id, &l.allegro_user_id, l).await?;
                        if was == l.connection_id {
                            LinkResult::Updated(id)
                        } else {
                            ::sqlx::query("UPDATE accounts SET connection_id = $1 WHERE id = $2")
                                .bind(l.connection_id.as_str())
                                .bind(id.as_str())
                                .execute(&mut *tx)
                                .await
                                .map_err(backend_err)?;
                            LinkResult::Moved { account: id, from: was }
                        }
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
                let mut tx = self.pool.begin_with($begin).await.map_err(backend_err)?;
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
                    "SELECT enabled, vat_goods, vat_delivery, invoice_trigger, invoice_series, invoice_every_order, delivery_follows_goods, sent_on_waybill, cod_sale_when_sent \
                     FROM account_settings WHERE account_id = $1",
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
                    invoice_every_order: get(&r, "invoice_every_order")?,
                    delivery_follows_goods: get(&r, "delivery_follows_goods")?,
                    sent_on_waybill: get(&r, "sent_on_waybill")?,
                    cod_sale_when_sent: get(&r, "cod_sale_when_sent")?,
                }))
            }

            async fn save_account_settings(&self, org: &OrganisationId, id: &AccountId, s: &AccountSettings, now_ms: i64) -> StoreResult<bool> {
                let mut tx = self.pool.begin_with($begin).await.map_err(backend_err)?;
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
                    // Invoicing counts from the moment it was switched on; saving other
                    // settings while it stays on keeps that moment.
                    "INSERT INTO account_settings (account_id, enabled, vat_goods, vat_delivery, invoice_trigger, invoice_series, updated_at_ms, \
                     invoice_every_order, delivery_follows_goods, sent_on_waybill, invoicing_since_ms, cod_sale_when_sent) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, CASE WHEN $2 THEN $7 ELSE NULL END, $11) \
                     ON CONFLICT (account_id) DO UPDATE SET enabled = $2, vat_goods = $3, \
                     vat_delivery = $4, invoice_trigger = $5, invoice_series = $6, updated_at_ms = $7, invoice_every_order = $8, \
                     delivery_follows_goods = $9, sent_on_waybill = $10, cod_sale_when_sent = $11, \
                     invoicing_since_ms = CASE WHEN NOT $2 THEN NULL \
                                               WHEN account_settings.enabled AND account_settings.invoicing_since_ms IS NOT NULL \
                                               THEN account_settings.invoicing_since_ms ELSE $7 END",
                )
                .bind(id.as_str())
                .bind(s.enabled)
                .bind(s.vat_goods.to_string())
                .bind(s.vat_delivery.to_string())
                .bind(s.invoice_trigger.as_str())
                .bind(s.invoice_series.as_str())
                .bind(now_ms)
                .bind(s.invoice_every_order)
                .bind(s.delivery_follows_goods)
                .bind(s.sent_on_waybill)
                .bind(s.cod_sale_when_sent)
                .execute(&mut *tx)
                .await
                .map_err(backend_err)?;
                tx.commit().await.map_err(backend_err)?;
                Ok(true)
            }
        }
    };
}
