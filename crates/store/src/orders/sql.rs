//! The SQL of OrderStore (see [`crate::orders`]), written once for both backends.

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
         AND (CAST($8 AS BIGINT) IS NULL OR bought_at_ms < $8) \
         AND (CAST($9 AS BIGINT) IS NULL OR invoice_required = $9)"
    };
}

/// One page of the orders list in one of the fixed sort orders.
#[doc(hidden)]
#[macro_export]
macro_rules! orders_page {
    ($order_by:literal) => {
        concat!(
            "SELECT * ",
            $crate::orders_where!(),
            " ORDER BY ",
            $order_by,
            ", id LIMIT $10 OFFSET $11"
        )
    };
}

/// Implements [`crate::OrderStore`] for `$store`; expanded by [`crate::impl_sql_storage`]
/// beside the shared helpers.
#[doc(hidden)]
#[macro_export]
macro_rules! sql_orders {
    ($store:ty, $db:ty, $backend:literal, $claim_sql:expr, $begin:literal) => {
        fn order_from(r: &<$db as ::sqlx::Database>::Row) -> StoreResult<OrderRecord> {
            Ok(OrderRecord {
                id: OrderId::from_stored(get(r, "id")?),
                organisation_id: OrganisationId::from_stored(get(r, "organisation_id")?),
                account_id: AccountId::from_stored(get(r, "account_id")?),
                status: OrderStatus::from_word(&get::<String>(r, "status")?),
                fulfillment_status: get(r, "fulfillment_status")?,
                marketplace: get(r, "marketplace")?,
                buyer_login: get(r, "buyer_login")?,
                bought_at_ms: get(r, "bought_at_ms")?,
                revision: get(r, "revision")?,
                total_minor: get(r, "total_minor")?,
                currency: get(r, "currency")?,
                data: get(r, "data")?,
                source: parse("orders", "source", get(r, "source")?)?,
                invoice_required: get::<i64>(r, "invoice_required")? != 0,
            })
        }

        /// Records the status an order is now seen in.
        async fn record_change(
            tx: &mut ::sqlx::Transaction<'_, $db>,
            account: &AccountId,
            o: &OrderRecord,
            now_ms: i64,
        ) -> StoreResult<()> {
            ::sqlx::query(
                "INSERT INTO order_history (organisation_id, account_id, order_id, seen_at_ms, status, fulfillment_status, source) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7)",
            )
            .bind(o.organisation_id.as_str())
            .bind(account.as_str())
            .bind(o.id.as_str())
            .bind(now_ms)
            .bind(o.status.as_str())
            .bind(&o.fulfillment_status)
            .bind(o.source.as_str())
            .execute(&mut **tx)
            .await
            .map_err(backend_err)?;
            Ok(())
        }

        /// Upserts orders of one account inside `tx`. Allegro's copy replaces a file's;
        /// a file's never replaces Allegro's (nor an order another account of the
        /// organisation holds). An insert racing another process's is "unchanged". An
        /// order an import stores first (`imported`) stays history: never invoiced
        /// automatically.
        async fn upsert_orders(
            tx: &mut ::sqlx::Transaction<'_, $db>,
            account: &AccountId,
            orders: &[OrderRecord],
            now_ms: i64,
            imported: bool,
        ) -> StoreResult<UpsertCounts> {
            let mut counts = UpsertCounts::default();
            for o in orders {
                let existing = ::sqlx::query(
                    "SELECT account_id, data, source, status, fulfillment_status FROM orders WHERE organisation_id = $1 AND id = $2 \
                     AND (account_id = $3 OR $4 = 'file') ORDER BY CASE WHEN account_id = $3 THEN 0 ELSE 1 END LIMIT 1",
                )
                .bind(o.organisation_id.as_str())
                .bind(o.id.as_str())
                .bind(account.as_str())
                .bind(o.source.as_str())
                .fetch_optional(&mut **tx)
                .await
                .map_err(backend_err)?;
                let existing = match existing {
                    Some(row) => Some((
                        get::<String>(&row, "account_id")?,
                        get::<String>(&row, "data")?,
                        parse::<OrderSource>("orders", "source", get(&row, "source")?)?,
                        (OrderStatus::from_word(&get::<String>(&row, "status")?), get::<Option<String>>(&row, "fulfillment_status")?),
                    )),
                    None => None,
                };
                let status_changed = existing
                    .as_ref()
                    .is_none_or(|(_, _, _, (s, f))| *s != o.status || *f != o.fulfillment_status);
                let existing = existing.map(|(a, d, src, _)| (a, d, src));
                match existing {
                    Some((_, data, source)) if data == o.data && source == o.source => counts.unchanged += 1,
                    // A file never overwrites what Allegro sent, and never adds a
                    // second copy of an order another account holds.
                    Some((_, _, OrderSource::Allegro)) if o.source == OrderSource::File => counts.unchanged += 1,
                    Some((owner, _, _)) if owner != account.as_str() => counts.unchanged += 1,
                    Some(_) => {
                        ::sqlx::query(
                            "UPDATE orders SET status = $1, fulfillment_status = $2, marketplace = $3, buyer_login = $4, \
                             bought_at_ms = $5, revision = $6, total_minor = $7, currency = $8, data = $9, synced_at_ms = $10, \
                             source = $11, invoice_required = $12 WHERE id = $13 AND account_id = $14",
                        )
                        .bind(o.status.as_str())
                        .bind(&o.fulfillment_status)
                        .bind(&o.marketplace)
                        .bind(&o.buyer_login)
                        .bind(o.bought_at_ms)
                        .bind(&o.revision)
                        .bind(o.total_minor)
                        .bind(&o.currency)
                        .bind(&o.data)
                        .bind(now_ms)
                        .bind(o.source.as_str())
                        .bind(i64::from(o.invoice_required))
                        .bind(o.id.as_str())
                        .bind(account.as_str())
                        .execute(&mut **tx)
                        .await
                        .map_err(backend_err)?;
                        counts.updated += 1;
                        if status_changed {
                            record_change(tx, account, o, now_ms).await?;
                        }
                    }
                    None => {
                        let done = ::sqlx::query(
                            "INSERT INTO orders (id, organisation_id, account_id, status, fulfillment_status, marketplace, buyer_login, \
                             bought_at_ms, revision, total_minor, currency, data, first_seen_at_ms, synced_at_ms, source, invoice_required, imported) \
                             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $13, $14, $15, $16) \
                             ON CONFLICT (account_id, id) DO NOTHING",
                        )
                        .bind(o.id.as_str())
                        .bind(o.organisation_id.as_str())
                        .bind(account.as_str())
                        .bind(o.status.as_str())
                        .bind(&o.fulfillment_status)
                        .bind(&o.marketplace)
                        .bind(&o.buyer_login)
                        .bind(o.bought_at_ms)
                        .bind(&o.revision)
                        .bind(o.total_minor)
                        .bind(&o.currency)
                        .bind(&o.data)
                        .bind(now_ms)
                        .bind(o.source.as_str())
                        .bind(i64::from(o.invoice_required))
                        .bind(imported)
                        .execute(&mut **tx)
                        .await
                        .map_err(backend_err)?;
                        if done.rows_affected() == 1 {
                            counts.new += 1;
                            record_change(tx, account, o, now_ms).await?;
                        } else {
                            counts.unchanged += 1;
                        }
                    }
                }
            }
            Ok(counts)
        }

        #[::async_trait::async_trait]
        impl OrderStore for $store {
            async fn save_orders(&self, account: &AccountId, orders: &[OrderRecord], cursor: Option<&str>, now_ms: i64) -> StoreResult<UpsertCounts> {
                let mut tx = self.pool.begin_with($begin).await.map_err(backend_err)?;
                let counts = upsert_orders(&mut tx, account, orders, now_ms, false).await?;
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
                // Fixed statements: each filter is "NULL or equal" and each sort has
                // its own text, so no SQL is built.
                let page_sql = match f.sort {
                    OrderSort::BoughtDesc => $crate::orders_page!("bought_at_ms DESC"),
                    OrderSort::BoughtAsc => $crate::orders_page!("bought_at_ms ASC"),
                    // Amounts compare within a currency: PLN first, then the others by code.
                    OrderSort::TotalDesc => $crate::orders_page!(
                        "CASE WHEN currency = 'PLN' THEN 0 ELSE 1 END, currency, total_minor DESC, bought_at_ms DESC"
                    ),
                    OrderSort::TotalAsc => $crate::orders_page!(
                        "CASE WHEN currency = 'PLN' THEN 0 ELSE 1 END, currency, total_minor ASC, bought_at_ms DESC"
                    ),
                    OrderSort::BuyerAsc => $crate::orders_page!("buyer_login ASC, bought_at_ms DESC"),
                };
                let needs_invoice = f.needs_invoice.map(i64::from);
                let total = ::sqlx::query(
                    concat!("SELECT COUNT(*) AS n ", $crate::orders_where!()),
                )
                .bind(org.as_str())
                .bind(f.account_id.as_ref().map(|a| a.as_str().to_owned()))
                .bind(f.status.as_ref().map(OrderStatus::as_str))
                .bind(&f.fulfillment_status)
                .bind(&f.marketplace)
                .bind(&f.buyer_login)
                .bind(f.bought_from_ms)
                .bind(f.bought_to_ms)
                .bind(needs_invoice)
                .fetch_one(&self.pool)
                .await
                .map_err(backend_err)?;
                let rows = ::sqlx::query(page_sql)
                .bind(org.as_str())
                .bind(f.account_id.as_ref().map(|a| a.as_str().to_owned()))
                .bind(f.status.as_ref().map(OrderStatus::as_str))
                .bind(&f.fulfillment_status)
                .bind(&f.marketplace)
                .bind(&f.buyer_login)
                .bind(f.bought_from_ms)
                .bind(f.bought_to_ms)
                .bind(needs_invoice)
                .bind(limit)
                .bind(offset)
                .fetch_all(&self.pool)
                .await
                .map_err(backend_err)?;
                Ok((rows.iter().map(order_from).collect::<StoreResult<Vec<_>>>()?, get(&total, "n")?))
            }

            async fn order(&self, org: &OrganisationId, id: &OrderId) -> StoreResult<Option<OrderRecord>> {
                let row = ::sqlx::query("SELECT * FROM orders WHERE organisation_id = $1 AND id = $2 ORDER BY account_id LIMIT 1")
                    .bind(org.as_str())
                    .bind(id.as_str())
                    .fetch_optional(&self.pool)
                    .await
                    .map_err(backend_err)?;
                row.as_ref().map(order_from).transpose()
            }

            async fn order_history(&self, org: &OrganisationId, id: &OrderId) -> StoreResult<Vec<OrderChange>> {
                let rows = ::sqlx::query(
                    "SELECT seen_at_ms, status, fulfillment_status, source FROM order_history \
                     WHERE organisation_id = $1 AND order_id = $2 ORDER BY seen_at_ms, status",
                )
                .bind(org.as_str())
                .bind(id.as_str())
                .fetch_all(&self.pool)
                .await
                .map_err(backend_err)?;
                rows.iter()
                    .map(|r| {
                        Ok(OrderChange {
                            seen_at_ms: get(r, "seen_at_ms")?,
                            status: OrderStatus::from_word(&get::<String>(r, "status")?),
                            fulfillment_status: get(r, "fulfillment_status")?,
                            source: parse("order_history", "source", get(r, "source")?)?,
                        })
                    })
                    .collect()
            }

            async fn account_orders(&self, account: &AccountId) -> StoreResult<Vec<OrderRecord>> {
                let rows = ::sqlx::query("SELECT * FROM orders WHERE account_id = $1 ORDER BY bought_at_ms DESC, id")
                    .bind(account.as_str())
                    .fetch_all(&self.pool)
                    .await
                    .map_err(backend_err)?;
                rows.iter().map(order_from).collect()
            }

            async fn claim_due_syncs(&self, owner: &str, now_ms: i64, lease_until_ms: i64, limit: i64) -> StoreResult<Vec<SyncClaim>> {
                // The lease test is repeated outside the subquery: on PostgreSQL a row
                // another process just claimed is re-checked after its lock is released
                // and skipped, so no account is claimed twice.
                let rows = ::sqlx::query(
                    "UPDATE accounts SET sync_owner = $1, sync_lease_until_ms = $2 \
                     WHERE id IN (SELECT id FROM accounts WHERE status = 'active' AND next_sync_at_ms <= $3 \
                         AND (sync_lease_until_ms IS NULL OR sync_lease_until_ms < $3) \
                         ORDER BY next_sync_at_ms, id LIMIT $4) \
                     AND status = 'active' AND (sync_lease_until_ms IS NULL OR sync_lease_until_ms < $3) \
                     RETURNING id, quiet_polls, sync_failures",
                )
                .bind(owner)
                .bind(lease_until_ms)
                .bind(now_ms)
                .bind(limit)
                .fetch_all(&self.pool)
                .await
                .map_err(backend_err)?;
                rows.iter()
                    .map(|r| {
                        Ok(SyncClaim {
                            account_id: AccountId::from_stored(get(r, "id")?),
                            quiet_polls: get(r, "quiet_polls")?,
                            failures: get(r, "sync_failures")?,
                        })
                    })
                    .collect()
            }

            async fn schedule_sync(&self, account: &AccountId, owner: &str, next: &SyncSchedule) -> StoreResult<()> {
                ::sqlx::query(
                    "UPDATE accounts SET next_sync_at_ms = $1, quiet_polls = $2, sync_failures = $3, sync_owner = NULL, \
                     sync_lease_until_ms = NULL WHERE id = $4 AND (sync_owner = $5 OR sync_owner IS NULL)",
                )
                .bind(next.next_at_ms)
                .bind(next.quiet_polls)
                .bind(next.failures)
                .bind(account.as_str())
                .bind(owner)
                .execute(&self.pool)
                .await
                .map_err(backend_err)?;
                Ok(())
            }

            async fn renew_job(&self, id: i64, worker: &str, lease_until_ms: i64) -> StoreResult<bool> {
                let done = ::sqlx::query(
                    "UPDATE jobs SET locked_until_ms = $1 WHERE id = $2 AND locked_by = $3 AND state = 'running'",
                )
                .bind(lease_until_ms)
                .bind(id)
                .bind(worker)
                .execute(&self.pool)
                .await
                .map_err(backend_err)?;
                Ok(done.rows_affected() == 1)
            }

            async fn postpone_order_task(
                &self,
                org: &OrganisationId,
                order_id: &OrderId,
                task: OrderTask,
                error: &str,
                next_at_ms: i64,
            ) -> StoreResult<i64> {
                let row = ::sqlx::query(
                    "INSERT INTO order_task_failures (organisation_id, order_id, task, attempts, next_at_ms, error) \
                     VALUES ($1, $2, $3, 1, $4, $5) \
                     ON CONFLICT (organisation_id, order_id, task) DO UPDATE \
                     SET attempts = order_task_failures.attempts + 1, next_at_ms = $4, error = $5 RETURNING attempts",
                )
                .bind(org.as_str())
                .bind(order_id.as_str())
                .bind(task.as_str())
                .bind(next_at_ms)
                .bind($crate::sql::stored_error(error))
                .fetch_one(&self.pool)
                .await
                .map_err(backend_err)?;
                get(&row, "attempts")
            }

            async fn count_orders_to_ship(&self, org: &OrganisationId) -> StoreResult<i64> {
                // Paid, not cancelled, and not yet handed to a carrier (steps NEW … READY_FOR_).
                static SQL: ::std::sync::LazyLock<String> = ::std::sync::LazyLock::new(|| {
                    let sent = $crate::domain::FulfillmentStatus::Sent.rank().unwrap_or(3);
                    format!(
                        "SELECT COUNT(*) AS n FROM orders o WHERE o.organisation_id = $1 \
                         AND o.status = 'READY_FOR_PROCESSING' AND {rank} >= 0 AND {rank} < {sent}",
                        rank = $crate::sql::fulfillment_rank()
                    )
                });
                let row = ::sqlx::query(SQL.as_str())
                    .bind(org.as_str())
                    .fetch_one(&self.pool)
                    .await
                    .map_err(backend_err)?;
                get(&row, "n")
            }

            async fn count_order_task_failures(&self, org: &OrganisationId, task: OrderTask) -> StoreResult<i64> {
                // Still failing: the task's document does not exist yet.
                let row = ::sqlx::query(
                    "SELECT COUNT(*) AS n FROM order_task_failures f WHERE f.organisation_id = $1 AND f.task = $2 \
                     AND NOT EXISTS (SELECT 1 FROM invoices i WHERE f.task = 'invoice' AND i.organisation_id = f.organisation_id \
                                     AND i.order_id = f.order_id AND i.kind = 'vat') \
                     AND NOT EXISTS (SELECT 1 FROM warehouse_documents d WHERE f.task = 'wz' \
                                     AND d.organisation_id = f.organisation_id AND d.order_id = f.order_id)",
                )
                .bind(org.as_str())
                .bind(task.as_str())
                .fetch_one(&self.pool)
                .await
                .map_err(backend_err)?;
                get(&row, "n")
            }

            async fn order_task_failure_errors(&self, org: &OrganisationId, task: OrderTask, limit: i64) -> StoreResult<Vec<String>> {
                let rows = ::sqlx::query(
                    "SELECT f.error FROM order_task_failures f WHERE f.organisation_id = $1 AND f.task = $2 \
                     AND NOT EXISTS (SELECT 1 FROM invoices i WHERE f.task = 'invoice' AND i.organisation_id = f.organisation_id \
                                     AND i.order_id = f.order_id AND i.kind = 'vat') \
                     AND NOT EXISTS (SELECT 1 FROM warehouse_documents d WHERE f.task = 'wz' \
                                     AND d.organisation_id = f.organisation_id AND d.order_id = f.order_id) \
                     ORDER BY f.order_id LIMIT $3",
                )
                .bind(org.as_str())
                .bind(task.as_str())
                .bind(limit)
                .fetch_all(&self.pool)
                .await
                .map_err(backend_err)?;
                rows.iter().map(|r| get(r, "error")).collect()
            }

            async fn retry_order_tasks(&self, org: Option<&OrganisationId>, task: OrderTask, now_ms: i64) -> StoreResult<u64> {
                let done = ::sqlx::query(
                    "UPDATE order_task_failures SET next_at_ms = $1 \
                     WHERE task = $2 AND next_at_ms > $1 AND ($3 IS NULL OR organisation_id = $3)",
                )
                .bind(now_ms)
                .bind(task.as_str())
                .bind(org.map(|o| o.as_str().to_owned()))
                .execute(&self.pool)
                .await
                .map_err(backend_err)?;
                Ok(done.rows_affected())
            }

            async fn order_task_failure(
                &self,
                org: &OrganisationId,
                order_id: &OrderId,
                task: OrderTask,
            ) -> StoreResult<Option<(i64, String)>> {
                let row = ::sqlx::query(
                    "SELECT attempts, error FROM order_task_failures WHERE organisation_id = $1 AND order_id = $2 AND task = $3",
                )
                .bind(org.as_str())
                .bind(order_id.as_str())
                .bind(task.as_str())
                .fetch_optional(&self.pool)
                .await
                .map_err(backend_err)?;
                row.map(|r| Ok((get(&r, "attempts")?, get(&r, "error")?))).transpose()
            }
        }
    };
}
