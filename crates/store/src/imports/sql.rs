//! The SQL of ImportStore (see [`crate::imports`]), written once for both backends.

/// Implements [`crate::ImportStore`] for `$store`; expanded by [`crate::impl_sql_storage`]
/// beside the shared helpers.
#[doc(hidden)]
#[macro_export]
macro_rules! sql_imports {
    ($store:ty, $db:ty, $backend:literal, $claim_sql:expr, $begin:literal) => {
        fn import_from(r: &<$db as ::sqlx::Database>::Row) -> StoreResult<Import> {
            Ok(Import {
                id: ImportId::from_stored(get(r, "id")?),
                organisation_id: OrganisationId::from_stored(get(r, "organisation_id")?),
                account_id: AccountId::from_stored(get(r, "account_id")?),
                kind: parse("imports", "kind", get(r, "kind")?)?,
                file_name: get(r, "file_name")?,
                from_ms: get(r, "from_ms")?,
                to_ms: get(r, "to_ms")?,
                state: parse("imports", "state", get(r, "state")?)?,
                progress: ImportProgress {
                    next_to_ms: get(r, "next_to_ms")?,
                    window_from_ms: get(r, "window_from_ms")?,
                    window_offset: get(r, "window_offset")?,
                },
                expected: get(r, "expected")?,
                fetched: get(r, "fetched")?,
                counts: UpsertCounts {
                    new: get::<i64>(r, "new_count")? as u64,
                    updated: get::<i64>(r, "updated_count")? as u64,
                    unchanged: get::<i64>(r, "unchanged_count")? as u64,
                },
                api_calls: get(r, "api_calls")?,
                error: get(r, "error")?,
                created_at_ms: get(r, "created_at_ms")?,
                updated_at_ms: get(r, "updated_at_ms")?,
            })
        }

        async fn insert_import<'e, E>(executor: E, i: &Import) -> StoreResult<()>
        where
            E: ::sqlx::Executor<'e, Database = $db>,
        {
            ::sqlx::query(
                "INSERT INTO imports (id, organisation_id, account_id, kind, file_name, from_ms, to_ms, state, next_to_ms, \
                 window_from_ms, window_offset, expected, fetched, new_count, updated_count, unchanged_count, api_calls, error, \
                 created_at_ms, updated_at_ms) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20)",
            )
            .bind(i.id.as_str())
            .bind(i.organisation_id.as_str())
            .bind(i.account_id.as_str())
            .bind(i.kind.as_str())
            .bind(&i.file_name)
            .bind(i.from_ms)
            .bind(i.to_ms)
            .bind(i.state.as_str())
            .bind(i.progress.next_to_ms)
            .bind(i.progress.window_from_ms)
            .bind(i.progress.window_offset)
            .bind(i.expected)
            .bind(i.fetched)
            .bind(i.counts.new as i64)
            .bind(i.counts.updated as i64)
            .bind(i.counts.unchanged as i64)
            .bind(i.api_calls)
            .bind(&i.error)
            .bind(i.created_at_ms)
            .bind(i.updated_at_ms)
            .execute(executor)
            .await
            .map_err(backend_err)?;
            Ok(())
        }

        #[::async_trait::async_trait]
        impl ImportStore for $store {
            async fn create_import(&self, i: &Import, job: Option<&NewJob>) -> StoreResult<()> {
                let mut tx = self.pool.begin_with($begin).await.map_err(backend_err)?;
                insert_import(&mut *tx, i).await?;
                if let Some(j) = job {
                    ::sqlx::query(
                        "INSERT INTO jobs (kind, dedup_key, payload, state, attempts, max_attempts, run_at_ms) \
                         VALUES ($1, $2, $3, 'queued', 0, $4, $5) ON CONFLICT DO NOTHING",
                    )
                    .bind(&j.kind)
                    .bind(&j.dedup_key)
                    .bind(&j.payload)
                    .bind(j.max_attempts)
                    .bind(j.run_at_ms)
                    .execute(&mut *tx)
                    .await
                    .map_err(backend_err)?;
                }
                tx.commit().await.map_err(backend_err)?;
                Ok(())
            }

            async fn import(&self, org: &OrganisationId, id: &ImportId) -> StoreResult<Option<Import>> {
                let row = ::sqlx::query("SELECT * FROM imports WHERE organisation_id = $1 AND id = $2")
                    .bind(org.as_str())
                    .bind(id.as_str())
                    .fetch_optional(&self.pool)
                    .await
                    .map_err(backend_err)?;
                row.as_ref().map(import_from).transpose()
            }

            async fn import_for_worker(&self, id: &ImportId) -> StoreResult<Option<Import>> {
                let row = ::sqlx::query("SELECT * FROM imports WHERE id = $1")
                    .bind(id.as_str())
                    .fetch_optional(&self.pool)
                    .await
                    .map_err(backend_err)?;
                row.as_ref().map(import_from).transpose()
            }

            async fn imports(&self, org: &OrganisationId, limit: i64) -> StoreResult<Vec<Import>> {
                let rows = ::sqlx::query("SELECT * FROM imports WHERE organisation_id = $1 ORDER BY created_at_ms DESC, id LIMIT $2")
                    .bind(org.as_str())
                    .bind(limit)
                    .fetch_all(&self.pool)
                    .await
                    .map_err(backend_err)?;
                rows.iter().map(import_from).collect()
            }

            async fn unfinished_import(&self, account: &AccountId, from_ms: i64, to_ms: i64) -> StoreResult<Option<Import>> {
                let row = ::sqlx::query(
                    "SELECT * FROM imports WHERE account_id = $1 AND kind = 'allegro' AND from_ms = $2 AND to_ms = $3 \
                     AND state IN ('queued', 'running') ORDER BY created_at_ms DESC LIMIT 1",
                )
                .bind(account.as_str())
                .bind(from_ms)
                .bind(to_ms)
                .fetch_optional(&self.pool)
                .await
                .map_err(backend_err)?;
                row.as_ref().map(import_from).transpose()
            }

            async fn save_import_page(&self, import_id: &ImportId, page: &ImportPage<'_>, now_ms: i64) -> StoreResult<UpsertCounts> {
                let mut tx = self.pool.begin_with($begin).await.map_err(backend_err)?;
                let row = ::sqlx::query("SELECT account_id FROM imports WHERE id = $1")
                    .bind(import_id.as_str())
                    .fetch_optional(&mut *tx)
                    .await
                    .map_err(backend_err)?
                    .ok_or(StoreError::NotFound("import"))?;
                let account = AccountId::from_stored(get(&row, "account_id")?);
                let counts = upsert_orders(&mut tx, &account, page.orders, now_ms, true).await?;
                ::sqlx::query(
                    "UPDATE imports SET state = 'running', next_to_ms = $1, window_from_ms = $2, window_offset = $3, \
                     expected = COALESCE($4, expected), fetched = fetched + $5, new_count = new_count + $6, \
                     updated_count = updated_count + $7, unchanged_count = unchanged_count + $8, api_calls = api_calls + $9, \
                     updated_at_ms = $10 WHERE id = $11",
                )
                .bind(page.progress.next_to_ms)
                .bind(page.progress.window_from_ms)
                .bind(page.progress.window_offset)
                .bind(page.expected)
                .bind(page.orders.len() as i64)
                .bind(counts.new as i64)
                .bind(counts.updated as i64)
                .bind(counts.unchanged as i64)
                .bind(page.api_calls)
                .bind(now_ms)
                .bind(import_id.as_str())
                .execute(&mut *tx)
                .await
                .map_err(backend_err)?;
                tx.commit().await.map_err(backend_err)?;
                Ok(counts)
            }

            async fn finish_import(&self, import_id: &ImportId, state: ImportState, error: Option<&str>, now_ms: i64) -> StoreResult<()> {
                ::sqlx::query("UPDATE imports SET state = $1, error = $2, updated_at_ms = $3 WHERE id = $4")
                    .bind(state.as_str())
                    .bind(error.map($crate::sql::stored_error))
                    .bind(now_ms)
                    .bind(import_id.as_str())
                    .execute(&self.pool)
                    .await
                    .map_err(backend_err)?;
                Ok(())
            }

            async fn save_file_import(&self, i: &Import, orders: &[OrderRecord]) -> StoreResult<UpsertCounts> {
                let mut tx = self.pool.begin_with($begin).await.map_err(backend_err)?;
                let counts = upsert_orders(&mut tx, &i.account_id, orders, i.created_at_ms, true).await?;
                let mut done = i.clone();
                done.state = ImportState::Done;
                done.fetched = orders.len() as i64;
                done.counts = counts;
                insert_import(&mut *tx, &done).await?;
                tx.commit().await.map_err(backend_err)?;
                Ok(counts)
            }

            async fn stage_file_orders(&self, import_id: &ImportId, first_seq: i64, orders: &[OrderRecord], now_ms: i64) -> StoreResult<()> {
                let mut tx = self.pool.begin_with($begin).await.map_err(backend_err)?;
                for (n, o) in orders.iter().enumerate() {
                    ::sqlx::query(
                        "INSERT INTO staged_orders (import_id, seq, id, organisation_id, account_id, status, fulfillment_status, \
                         marketplace, buyer_login, bought_at_ms, revision, total_minor, currency, data, source, invoice_required) \
                         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)",
                    )
                    .bind(import_id.as_str())
                    .bind(first_seq + n as i64)
                    .bind(o.id.as_str())
                    .bind(o.organisation_id.as_str())
                    .bind(o.account_id.as_str())
                    .bind(o.status.as_str())
                    .bind(&o.fulfillment_status)
                    .bind(&o.marketplace)
                    .bind(&o.buyer_login)
                    .bind(o.bought_at_ms)
                    .bind(&o.revision)
                    .bind(o.total_minor)
                    .bind(&o.currency)
                    .bind(&o.data)
                    .bind(o.source.as_str())
                    .bind(i64::from(o.invoice_required))
                    .execute(&mut *tx)
                    .await
                    .map_err(backend_err)?;
                }
                ::sqlx::query("UPDATE imports SET fetched = fetched + $1, updated_at_ms = $2 WHERE id = $3")
                    .bind(orders.len() as i64)
                    .bind(now_ms)
                    .bind(import_id.as_str())
                    .execute(&mut *tx)
                    .await
                    .map_err(backend_err)?;
                tx.commit().await.map_err(backend_err)?;
                Ok(())
            }

            async fn publish_file_orders(&self, import_id: &ImportId, limit: i64, now_ms: i64) -> StoreResult<Option<Import>> {
                let mut tx = self.pool.begin_with($begin).await.map_err(backend_err)?;
                let Some(import) = ::sqlx::query("SELECT * FROM imports WHERE id = $1")
                    .bind(import_id.as_str())
                    .fetch_optional(&mut *tx)
                    .await
                    .map_err(backend_err)?
                    .as_ref()
                    .map(import_from)
                    .transpose()?
                else {
                    return Ok(None);
                };
                let rows = ::sqlx::query("SELECT * FROM staged_orders WHERE import_id = $1 ORDER BY seq LIMIT $2")
                    .bind(import_id.as_str())
                    .bind(limit.max(1))
                    .fetch_all(&mut *tx)
                    .await
                    .map_err(backend_err)?;
                let orders = rows.iter().map(order_from).collect::<StoreResult<Vec<_>>>()?;
                let counts = upsert_orders(&mut tx, &import.account_id, &orders, now_ms, true).await?;
                if let Some(last) = rows.last() {
                    ::sqlx::query("DELETE FROM staged_orders WHERE import_id = $1 AND seq <= $2")
                        .bind(import_id.as_str())
                        .bind(get::<i64>(last, "seq")?)
                        .execute(&mut *tx)
                        .await
                        .map_err(backend_err)?;
                }
                let left: i64 = get(
                    &::sqlx::query("SELECT COUNT(*) AS n FROM staged_orders WHERE import_id = $1")
                        .bind(import_id.as_str())
                        .fetch_one(&mut *tx)
                        .await
                        .map_err(backend_err)?,
                    "n",
                )?;
                let state = if left == 0 { ImportState::Done } else { import.state };
                ::sqlx::query(
                    "UPDATE imports SET new_count = new_count + $1, updated_count = updated_count + $2, \
                     unchanged_count = unchanged_count + $3, state = $4, updated_at_ms = $5 WHERE id = $6",
                )
                .bind(counts.new as i64)
                .bind(counts.updated as i64)
                .bind(counts.unchanged as i64)
                .bind(state.as_str())
                .bind(now_ms)
                .bind(import_id.as_str())
                .execute(&mut *tx)
                .await
                .map_err(backend_err)?;
                let after = ::sqlx::query("SELECT * FROM imports WHERE id = $1")
                    .bind(import_id.as_str())
                    .fetch_one(&mut *tx)
                    .await
                    .map_err(backend_err)?;
                let after = import_from(&after)?;
                tx.commit().await.map_err(backend_err)?;
                Ok(Some(after))
            }

            async fn abandon_file_import(&self, import_id: &ImportId, error: &str, now_ms: i64) -> StoreResult<()> {
                let mut tx = self.pool.begin_with($begin).await.map_err(backend_err)?;
                ::sqlx::query("DELETE FROM staged_orders WHERE import_id = $1")
                    .bind(import_id.as_str())
                    .execute(&mut *tx)
                    .await
                    .map_err(backend_err)?;
                ::sqlx::query("UPDATE imports SET state = 'failed', error = $1, updated_at_ms = $2 WHERE id = $3")
                    .bind(error)
                    .bind(now_ms)
                    .bind(import_id.as_str())
                    .execute(&mut *tx)
                    .await
                    .map_err(backend_err)?;
                tx.commit().await.map_err(backend_err)?;
                Ok(())
            }

            async fn stalled_file_imports(&self, before_ms: i64) -> StoreResult<Vec<Import>> {
                let rows = ::sqlx::query(
                    "SELECT * FROM imports WHERE kind IN ('csv', 'xml') AND state = 'running' AND updated_at_ms < $1 \
                     ORDER BY updated_at_ms LIMIT 100",
                )
                .bind(before_ms)
                .fetch_all(&self.pool)
                .await
                .map_err(backend_err)?;
                rows.iter().map(import_from).collect()
            }
        }
    };
}
