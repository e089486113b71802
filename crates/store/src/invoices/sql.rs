//! The SQL of InvoiceStore (see [`crate::invoices`]), written once for both backends.

/// The filter of the invoices list, shared by its count and its page ("NULL or equal").
#[doc(hidden)]
#[macro_export]
macro_rules! invoices_where {
    () => {
        "FROM invoices WHERE organisation_id = $1 AND number LIKE $2 ESCAPE '\\' \
         AND (CAST($3 AS TEXT) IS NULL OR kind = $3) AND (CAST($4 AS TEXT) IS NULL OR issue_date >= $4) \
         AND (CAST($5 AS TEXT) IS NULL OR issue_date <= $5) AND (CAST($6 AS TEXT) IS NULL OR upload_state = $6) \
         AND (CAST($7 AS TEXT) IS NULL OR buyer_key LIKE $7 ESCAPE '\\') \
         AND (CAST($8 AS TEXT) IS NULL \
              OR ($8 = 'outside' AND NOT EXISTS (SELECT 1 FROM ksef_submissions k WHERE k.invoice_id = invoices.id)) \
              OR ($8 = 'offline' AND EXISTS (SELECT 1 FROM ksef_submissions k WHERE k.invoice_id = invoices.id \
                  AND k.offline_mode IS NOT NULL AND k.state <> 'accepted')) \
              OR EXISTS (SELECT 1 FROM ksef_submissions k WHERE k.invoice_id = invoices.id AND k.state = $8))"
    };
}

/// Implements [`crate::InvoiceStore`] for `$store`; expanded by [`crate::impl_sql_storage`]
/// beside the shared helpers.
#[doc(hidden)]
#[macro_export]
macro_rules! sql_invoices {
    ($store:ty, $db:ty, $backend:literal, $claim_sql:expr, $begin:literal) => {
        fn invoice_from(r: &<$db as ::sqlx::Database>::Row) -> StoreResult<InvoiceRecord> {
            Ok(InvoiceRecord {
                id: InvoiceId::from_stored(get(r, "id")?),
                organisation_id: OrganisationId::from_stored(get(r, "organisation_id")?),
                account_id: AccountId::from_stored(get(r, "account_id")?),
                order_id: OrderId::from_stored(get(r, "order_id")?),
                kind: parse("invoices", "kind", get(r, "kind")?)?,
                number: get(r, "number")?,
                issue_date: get(r, "issue_date")?,
                currency: get(r, "currency")?,
                total_minor: get(r, "total_minor")?,
                buyer_name: get(r, "buyer_name")?,
                document: get(r, "document")?,
                created_at_ms: get(r, "created_at_ms")?,
                upload: InvoiceUpload {
                    state: parse("invoices", "upload_state", get(r, "upload_state")?)?,
                    allegro_invoice_id: get(r, "allegro_invoice_id")?,
                    attempts: get(r, "upload_attempts")?,
                    next_at_ms: get(r, "upload_next_at_ms")?,
                    error: get(r, "upload_error")?,
                    uploaded_at_ms: get(r, "uploaded_at_ms")?,
                },
            })
        }

        #[::async_trait::async_trait]
        impl InvoiceStore for $store {
            async fn save_invoicing_profile(&self, org: &OrganisationId, data: &str, now_ms: i64) -> StoreResult<()> {
                ::sqlx::query(
                    "INSERT INTO invoicing_profiles (organisation_id, data, updated_at_ms) VALUES ($1, $2, $3) \
                     ON CONFLICT (organisation_id) DO UPDATE SET data = $2, updated_at_ms = $3",
                )
                .bind(org.as_str())
                .bind(data)
                .bind(now_ms)
                .execute(&self.pool)
                .await
                .map_err(backend_err)?;
                Ok(())
            }

            async fn invoicing_profile(&self, org: &OrganisationId) -> StoreResult<Option<String>> {
                let row = ::sqlx::query("SELECT data FROM invoicing_profiles WHERE organisation_id = $1")
                    .bind(org.as_str())
                    .fetch_optional(&self.pool)
                    .await
                    .map_err(backend_err)?;
                row.map(|r| get(&r, "data")).transpose()
            }

            async fn issue_invoice(&self, n: &NewInvoice) -> StoreResult<Issued> {
                if let Some(found) = self.invoice_for_order(&n.organisation_id, &n.order_id, n.kind).await? {
                    return Ok(Issued::Existing(found));
                }
                let period = n.series.period(n.year, n.month);
                let upload_state = if n.upload { UploadState::Pending } else { UploadState::NotApplicable };
                let attempt = async {
                    let mut tx = self.pool.begin_with($begin).await.map_err(backend_err)?;
                    // The counter row is locked until commit: concurrent issuers queue
                    // here, and a rollback gives the number back (no gaps).
                    let row = ::sqlx::query(
                        "INSERT INTO invoice_counters (organisation_id, series, period, last_number) VALUES ($1, $2, $3, 1) \
                         ON CONFLICT (organisation_id, series, period) DO UPDATE SET last_number = invoice_counters.last_number + 1 \
                         RETURNING last_number",
                    )
                    .bind(n.organisation_id.as_str())
                    .bind(n.series.as_str())
                    .bind(&period)
                    .fetch_one(&mut *tx)
                    .await
                    .map_err(backend_err)?;
                    let seq: i64 = get(&row, "last_number")?;
                    let number = n.series.format(seq as u64, n.year, n.month);
                    ::sqlx::query(
                        "INSERT INTO invoices (id, organisation_id, account_id, order_id, kind, series, period, seq, number, issue_date, \
                         currency, total_minor, buyer_name, document, created_at_ms, upload_state, upload_next_at_ms, buyer_key) \
                         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $15, $17)",
                    )
                    .bind(n.id.as_str())
                    .bind(n.organisation_id.as_str())
                    .bind(n.account_id.as_str())
                    .bind(n.order_id.as_str())
                    .bind(n.kind.as_str())
                    .bind(n.series.as_str())
                    .bind(&period)
                    .bind(seq)
                    .bind(&number)
                    .bind(&n.issue_date)
                    .bind(&n.currency)
                    .bind(n.total_minor)
                    .bind(&n.buyer_name)
                    .bind(&n.document)
                    .bind(n.now_ms)
                    .bind(upload_state.as_str())
                    .bind($crate::domain::text::search_key(&n.buyer_name))
                    .execute(&mut *tx)
                    .await
                    .map_err(backend_err)?;
                    if let Some(queue) = &n.ksef {
                        ::sqlx::query(
                            "INSERT INTO ksef_submissions (invoice_id, organisation_id, state, next_at_ms, queued_at_ms, updated_at_ms, \
                             offline_mode, offline_deadline) VALUES ($1, $2, 'waiting', $3, $3, $3, $4, $5)",
                        )
                        .bind(n.id.as_str())
                        .bind(n.organisation_id.as_str())
                        .bind(n.now_ms)
                        .bind(&queue.offline_mode)
                        .bind(&queue.offline_deadline)
                        .execute(&mut *tx)
                        .await
                        .map_err(backend_err)?;
                    }
                    tx.commit().await.map_err(backend_err)?;
                    Ok::<_, StoreError>(InvoiceRecord {
                        id: n.id.clone(),
                        organisation_id: n.organisation_id.clone(),
                        account_id: n.account_id.clone(),
                        order_id: n.order_id.clone(),
                        kind: n.kind,
                        number,
                        issue_date: n.issue_date.clone(),
                        currency: n.currency.clone(),
                        total_minor: n.total_minor,
                        buyer_name: n.buyer_name.clone(),
                        document: n.document.clone(),
                        created_at_ms: n.now_ms,
                        upload: InvoiceUpload {
                            state: upload_state,
                            allegro_invoice_id: None,
                            attempts: 0,
                            next_at_ms: n.now_ms,
                            error: None,
                            uploaded_at_ms: None,
                        },
                    })
                };
                match attempt.await {
                    Ok(record) => Ok(Issued::New(record)),
                    // Another process issued this order's invoice first: its one stands.
                    Err(StoreError::Conflict { field }) => match self.invoice_for_order(&n.organisation_id, &n.order_id, n.kind).await? {
                        Some(found) => Ok(Issued::Existing(found)),
                        None => Err(StoreError::Conflict { field }),
                    },
                    Err(e) => Err(e),
                }
            }

            async fn fill_buyer_keys(&self, limit: i64) -> StoreResult<u64> {
                let rows = ::sqlx::query("SELECT id, buyer_name FROM invoices WHERE buyer_key IS NULL ORDER BY id LIMIT $1")
                    .bind(limit)
                    .fetch_all(&self.pool)
                    .await
                    .map_err(backend_err)?;
                for r in &rows {
                    ::sqlx::query("UPDATE invoices SET buyer_key = $1 WHERE id = $2")
                        .bind($crate::domain::text::search_key(&get::<String>(r, "buyer_name")?))
                        .bind(get::<String>(r, "id")?)
                        .execute(&self.pool)
                        .await
                        .map_err(backend_err)?;
                }
                Ok(rows.len() as u64)
            }

            async fn invoices(&self, org: &OrganisationId, f: &InvoiceFilter, offset: i64, limit: i64) -> StoreResult<(Vec<InvoiceRecord>, i64)> {
                let like = |text: &str| format!("%{}%", text.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_"));
                let number = like(f.number.trim());
                let buyer = (!f.buyer.trim().is_empty()).then(|| like(&$crate::domain::text::search_key(f.buyer.trim())));
                let upload = f.upload.map(UploadState::as_str);
                let ksef = f.ksef.map(KsefFilter::as_str);
                let total = ::sqlx::query(concat!("SELECT COUNT(*) AS n ", $crate::invoices_where!()))
                    .bind(org.as_str())
                    .bind(&number)
                    .bind(f.kind.map(InvoiceKind::as_str))
                    .bind(f.from.as_deref())
                    .bind(f.to.as_deref())
                    .bind(upload)
                    .bind(buyer.as_deref())
                    .bind(ksef)
                    .fetch_one(&self.pool)
                    .await
                    .map_err(backend_err)?;
                let rows = ::sqlx::query(concat!("SELECT * ", $crate::invoices_where!(), " ORDER BY created_at_ms DESC, id LIMIT $9 OFFSET $10"))
                    .bind(org.as_str())
                    .bind(&number)
                    .bind(f.kind.map(InvoiceKind::as_str))
                    .bind(f.from.as_deref())
                    .bind(f.to.as_deref())
                    .bind(upload)
                    .bind(buyer.as_deref())
                    .bind(ksef)
                    .bind(limit)
                    .bind(offset)
                    .fetch_all(&self.pool)
                    .await
                    .map_err(backend_err)?;
                Ok((rows.iter().map(invoice_from).collect::<StoreResult<Vec<_>>>()?, get(&total, "n")?))
            }

            async fn claim_due_uploads(&self, now_ms: i64, lease_until_ms: i64, limit: i64) -> StoreResult<Vec<InvoiceRecord>> {
                // As claim_due_syncs: the due test is repeated outside the subquery so a
                // row another process claimed meanwhile is skipped on PostgreSQL.
                let rows = ::sqlx::query(
                    "UPDATE invoices SET upload_next_at_ms = $1 \
                     WHERE id IN (SELECT id FROM invoices WHERE upload_state = 'pending' AND upload_next_at_ms <= $2 \
                         ORDER BY upload_next_at_ms, created_at_ms, id LIMIT $3) \
                     AND upload_state = 'pending' AND upload_next_at_ms <= $2 RETURNING *",
                )
                .bind(lease_until_ms)
                .bind(now_ms)
                .bind(limit)
                .fetch_all(&self.pool)
                .await
                .map_err(backend_err)?;
                rows.iter().map(invoice_from).collect()
            }

            async fn save_allegro_invoice_id(&self, invoice_id: &InvoiceId, allegro_invoice_id: Option<&str>) -> StoreResult<()> {
                ::sqlx::query("UPDATE invoices SET allegro_invoice_id = $1 WHERE id = $2")
                    .bind(allegro_invoice_id)
                    .bind(invoice_id.as_str())
                    .execute(&self.pool)
                    .await
                    .map_err(backend_err)?;
                Ok(())
            }

            async fn finish_upload(&self, invoice_id: &InvoiceId, outcome: &Delivery) -> StoreResult<()> {
                let query = match outcome {
                    Delivery::Done { at_ms, .. } => ::sqlx::query(
                        "UPDATE invoices SET upload_state = 'uploaded', uploaded_at_ms = $1, upload_error = NULL WHERE id = $2",
                    )
                    .bind(*at_ms)
                    .bind(invoice_id.as_str()),
                    Delivery::Retry { next_at_ms, error } => ::sqlx::query(
                        "UPDATE invoices SET upload_next_at_ms = $1, upload_error = $2, upload_attempts = upload_attempts + 1 \
                         WHERE id = $3 AND upload_state = 'pending'",
                    )
                    .bind(*next_at_ms)
                    .bind($crate::sql::stored_error(error))
                    .bind(invoice_id.as_str()),
                    Delivery::Refused { error } => ::sqlx::query(
                        "UPDATE invoices SET upload_state = 'refused', upload_error = $1, upload_attempts = upload_attempts + 1 \
                         WHERE id = $2 AND upload_state = 'pending'",
                    )
                    .bind($crate::sql::stored_error(error))
                    .bind(invoice_id.as_str()),
                    Delivery::Released { now_ms, held_until_ms } => ::sqlx::query(
                        "UPDATE invoices SET upload_next_at_ms = $1 \
                         WHERE id = $2 AND upload_state = 'pending' AND upload_next_at_ms = $3",
                    )
                    .bind(*now_ms)
                    .bind(invoice_id.as_str())
                    .bind(*held_until_ms),
                };
                query.execute(&self.pool).await.map_err(backend_err)?;
                Ok(())
            }

            async fn resend_invoice(&self, org: &OrganisationId, id: &InvoiceId, now_ms: i64) -> StoreResult<bool> {
                let done = ::sqlx::query(
                    "UPDATE invoices SET upload_state = 'pending', upload_next_at_ms = $1, upload_attempts = 0, upload_error = NULL \
                     WHERE organisation_id = $2 AND id = $3 AND upload_state IN ('pending', 'refused')",
                )
                .bind(now_ms)
                .bind(org.as_str())
                .bind(id.as_str())
                .execute(&self.pool)
                .await
                .map_err(backend_err)?;
                Ok(done.rows_affected() == 1)
            }

            async fn invoice(&self, org: &OrganisationId, id: &InvoiceId) -> StoreResult<Option<InvoiceRecord>> {
                let row = ::sqlx::query("SELECT * FROM invoices WHERE organisation_id = $1 AND id = $2")
                    .bind(org.as_str())
                    .bind(id.as_str())
                    .fetch_optional(&self.pool)
                    .await
                    .map_err(backend_err)?;
                row.as_ref().map(invoice_from).transpose()
            }

            async fn orders_awaiting_invoice(&self, limit: i64, now_ms: i64) -> StoreResult<Vec<(OrganisationId, OrderId)>> {
                // A trigger is met at its step or any later one (an order may skip steps):
                // the ranks are domain::FulfillmentStatus::rank and InvoiceTrigger::rank.
                static SQL: ::std::sync::LazyLock<String> = ::std::sync::LazyLock::new(|| {
                    format!(
                        "SELECT o.organisation_id, o.id FROM orders o JOIN account_settings s ON s.account_id = o.account_id \
                         WHERE s.enabled = TRUE AND (o.invoice_required = 1 OR s.invoice_every_order = TRUE) \
                         AND o.status = 'READY_FOR_PROCESSING' \
                         AND EXISTS (SELECT 1 FROM invoicing_profiles p WHERE p.organisation_id = o.organisation_id) \
                         AND {} >= {} \
                         AND {} \
                         AND NOT {} \
                         AND NOT {} \
                         AND NOT EXISTS (SELECT 1 FROM invoices i WHERE i.organisation_id = o.organisation_id \
                                         AND i.order_id = o.id AND i.kind = 'vat') \
                         AND NOT EXISTS (SELECT 1 FROM order_task_failures a WHERE a.organisation_id = o.organisation_id \
                                         AND a.order_id = o.id AND a.task = 'invoice' AND a.next_at_ms > $2) \
                         ORDER BY o.bought_at_ms, o.id LIMIT $1",
                        $crate::sql::fulfillment_rank(),
                        InvoiceTrigger::rank_sql("s.invoice_trigger"),
                        $crate::sql::reached_trigger_while_invoicing(),
                        $crate::sql::buyer_may_cancel("$2"),
                        $crate::sql::cash_on_delivery_not_yet_sold(),
                    )
                });
                let rows = ::sqlx::query(SQL.as_str())
                .bind(limit)
                .bind(now_ms)
                .fetch_all(&self.pool)
                .await
                .map_err(backend_err)?;
                rows.iter()
                    .map(|r| Ok((OrganisationId::from_stored(get(r, "organisation_id")?), OrderId::from_stored(get(r, "id")?))))
                    .collect()
            }

            async fn earlier_orders_to_invoice(&self, org: &OrganisationId, limit: i64) -> StoreResult<Vec<OrderRecord>> {
                static SQL: ::std::sync::LazyLock<String> = ::std::sync::LazyLock::new(|| {
                    format!(
                        "SELECT o.* FROM orders o JOIN account_settings s ON s.account_id = o.account_id \
                         WHERE o.organisation_id = $1 AND (o.invoice_required = 1 OR s.invoice_every_order = TRUE) \
                         AND o.status = 'READY_FOR_PROCESSING' AND {} >= {} \
                         AND NOT (s.enabled = TRUE AND {}) \
                         AND NOT EXISTS (SELECT 1 FROM invoices i WHERE i.organisation_id = o.organisation_id \
                                         AND i.order_id = o.id AND i.kind = 'vat') \
                         ORDER BY o.bought_at_ms, o.id LIMIT $2",
                        $crate::sql::fulfillment_rank(),
                        InvoiceTrigger::rank_sql("s.invoice_trigger"),
                        $crate::sql::reached_trigger_while_invoicing(),
                    )
                });
                let rows = ::sqlx::query(SQL.as_str())
                    .bind(org.as_str())
                    .bind(limit)
                    .fetch_all(&self.pool)
                    .await
                    .map_err(backend_err)?;
                rows.iter().map(order_from).collect()
            }

            async fn invoice_for_order(&self, org: &OrganisationId, order_id: &OrderId, kind: InvoiceKind) -> StoreResult<Option<InvoiceRecord>> {
                let row = ::sqlx::query("SELECT * FROM invoices WHERE organisation_id = $1 AND order_id = $2 AND kind = $3")
                    .bind(org.as_str())
                    .bind(order_id.as_str())
                    .bind(kind.as_str())
                    .fetch_optional(&self.pool)
                    .await
                    .map_err(backend_err)?;
                row.as_ref().map(invoice_from).transpose()
            }

            async fn invoice_numbers(&self, org: &OrganisationId, orders: &[OrderId]) -> StoreResult<Vec<(OrderId, String)>> {
                if orders.is_empty() {
                    return Ok(Vec::new());
                }
                let mut q = ::sqlx::QueryBuilder::<$db>::new("SELECT order_id, number FROM invoices WHERE organisation_id = ");
                q.push_bind(org.as_str()).push(" AND order_id IN (");
                let mut ids = q.separated(", ");
                for id in orders {
                    ids.push_bind(id.as_str());
                }
                q.push(") ORDER BY order_id, created_at_ms, id");
                let rows = q.build().fetch_all(&self.pool).await.map_err(backend_err)?;
                rows.iter()
                    .map(|r| Ok((OrderId::from_stored(get(r, "order_id")?), get(r, "number")?)))
                    .collect()
            }

            async fn orders_awaiting_correction(&self, limit: i64) -> StoreResult<Vec<(OrganisationId, OrderId)>> {
                let rows = ::sqlx::query(
                    "SELECT o.organisation_id, o.id FROM orders o \
                     JOIN invoices v ON v.organisation_id = o.organisation_id AND v.order_id = o.id AND v.kind = 'vat' \
                     WHERE (o.status = 'CANCELLED' OR o.fulfillment_status = 'RETURNED') \
                     AND NOT EXISTS (SELECT 1 FROM invoices k WHERE k.organisation_id = o.organisation_id \
                                     AND k.order_id = o.id AND k.kind = 'correction') \
                     ORDER BY o.bought_at_ms, o.id LIMIT $1",
                )
                .bind(limit)
                .fetch_all(&self.pool)
                .await
                .map_err(backend_err)?;
                rows.iter()
                    .map(|r| Ok((OrganisationId::from_stored(get(r, "organisation_id")?), OrderId::from_stored(get(r, "id")?))))
                    .collect()
            }
        }
    };
}
