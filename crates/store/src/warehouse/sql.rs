//! The SQL of WarehouseStore (see [`crate::warehouse`]), written once for both backends.

/// Implements [`crate::WarehouseStore`] for `$store`; expanded by [`crate::impl_sql_storage`]
/// beside the shared helpers.
#[doc(hidden)]
#[macro_export]
macro_rules! sql_warehouse {
    ($store:ty, $db:ty, $backend:literal, $claim_sql:expr, $begin:literal) => {
        fn document_from(r: &<$db as ::sqlx::Database>::Row) -> StoreResult<WarehouseDocument> {
            let lines: String = get(r, "lines")?;
            Ok(WarehouseDocument {
                id: get(r, "id")?,
                organisation_id: OrganisationId::from_stored(get(r, "organisation_id")?),
                kind: get(r, "kind")?,
                number: get(r, "number")?,
                order_id: OrderId::from_stored(get(r, "order_id")?),
                warehouse_id: WarehouseId::from_stored(get(r, "warehouse_id")?),
                state: parse("warehouse_documents", "state", get(r, "state")?)?,
                lines: WzLine::decode(&lines).map_err(|message| StoreError::Corrupt {
                    table: "warehouse_documents",
                    column: "lines",
                    message,
                })?,
                issued_at_ms: get(r, "issued_at_ms")?,
                cancelled_at_ms: get(r, "cancelled_at_ms")?,
            })
        }

        /// Moves stock and writes the movement, inside `tx`.
        async fn move_stock(
            tx: &mut ::sqlx::Transaction<'_, $db>,
            org: &OrganisationId,
            c: &StockChange<'_>,
        ) -> StoreResult<i64> {
            let row = ::sqlx::query(
                "INSERT INTO stock_levels (warehouse_id, product_id, quantity) VALUES ($1, $2, $3) \
                 ON CONFLICT (warehouse_id, product_id) DO UPDATE SET quantity = stock_levels.quantity + $3 \
                 RETURNING quantity",
            )
            .bind(c.warehouse_id.as_str())
            .bind(c.product_id.as_str())
            .bind(c.delta)
            .fetch_one(&mut **tx)
            .await
            .map_err(backend_err)?;
            ::sqlx::query(
                "INSERT INTO stock_movements (id, organisation_id, warehouse_id, product_id, delta, reason, document_id, note, at_ms) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
            )
            .bind($crate::new_id())
            .bind(org.as_str())
            .bind(c.warehouse_id.as_str())
            .bind(c.product_id.as_str())
            .bind(c.delta)
            .bind(c.reason.as_str())
            .bind(c.document_id)
            .bind(c.note)
            .bind(c.at_ms)
            .execute(&mut **tx)
            .await
            .map_err(backend_err)?;
            get(&row, "quantity")
        }

        #[::async_trait::async_trait]
        impl WarehouseStore for $store {
            async fn create_warehouse(&self, w: &Warehouse, now_ms: i64) -> StoreResult<()> {
                ::sqlx::query("INSERT INTO warehouses (id, organisation_id, name, created_at_ms) VALUES ($1, $2, $3, $4)")
                    .bind(w.id.as_str())
                    .bind(w.organisation_id.as_str())
                    .bind(&w.name)
                    .bind(now_ms)
                    .execute(&self.pool)
                    .await
                    .map_err(backend_err)?;
                Ok(())
            }

            async fn warehouses(&self, org: &OrganisationId) -> StoreResult<Vec<Warehouse>> {
                let rows = ::sqlx::query("SELECT id, name FROM warehouses WHERE organisation_id = $1 ORDER BY created_at_ms, id")
                    .bind(org.as_str())
                    .fetch_all(&self.pool)
                    .await
                    .map_err(backend_err)?;
                rows.iter()
                    .map(|r| {
                        Ok(Warehouse {
                            id: WarehouseId::from_stored(get(r, "id")?),
                            organisation_id: org.clone(),
                            name: get(r, "name")?,
                        })
                    })
                    .collect()
            }

            async fn default_warehouse(&self, org: &OrganisationId, now_ms: i64) -> StoreResult<Warehouse> {
                ::sqlx::query(
                    "INSERT INTO warehouses (id, organisation_id, name, created_at_ms) \
                     SELECT $1, $2, 'Magazyn główny', $3 WHERE NOT EXISTS (SELECT 1 FROM warehouses WHERE organisation_id = $2) \
                     ON CONFLICT DO NOTHING",
                )
                .bind($crate::new_id())
                .bind(org.as_str())
                .bind(now_ms)
                .execute(&self.pool)
                .await
                .map_err(backend_err)?;
                let row = ::sqlx::query("SELECT * FROM warehouses WHERE organisation_id = $1 ORDER BY created_at_ms, id LIMIT 1")
                    .bind(org.as_str())
                    .fetch_one(&self.pool)
                    .await
                    .map_err(backend_err)?;
                Ok(Warehouse {
                    id: WarehouseId::from_stored(get(&row, "id")?),
                    organisation_id: org.clone(),
                    name: get(&row, "name")?,
                })
            }

            async fn upsert_offer_products(
                &self,
                org: &OrganisationId,
                account: &AccountId,
                offers: &[OfferProduct],
                now_ms: i64,
            ) -> StoreResult<u64> {
                let mut tx = self.pool.begin_with($begin).await.map_err(backend_err)?;
                let mut new = 0;
                for o in offers {
                    let fresh = $crate::new_id();
                    let inserted = ::sqlx::query(
                        "INSERT INTO products (id, organisation_id, sku, name, created_at_ms, updated_at_ms) VALUES ($1, $2, $3, $4, $5, $5) \
                         ON CONFLICT (organisation_id, sku) DO UPDATE SET name = $4, updated_at_ms = $5 \
                         RETURNING id",
                    )
                    .bind(&fresh)
                    .bind(org.as_str())
                    .bind(&o.sku)
                    .bind(&o.name)
                    .bind(now_ms)
                    .fetch_one(&mut *tx)
                    .await
                    .map_err(backend_err)?;
                    let product_id: String = get(&inserted, "id")?;
                    // An existing product keeps its id; only a new row has ours.
                    if product_id == fresh {
                        new += 1;
                    }
                    ::sqlx::query(
                        "INSERT INTO product_offers (organisation_id, offer_id, product_id, account_id) VALUES ($1, $2, $3, $4) \
                         ON CONFLICT (organisation_id, offer_id) DO UPDATE SET product_id = $3, account_id = $4",
                    )
                    .bind(org.as_str())
                    .bind(&o.offer_id)
                    .bind(product_id.as_str())
                    .bind(account.as_str())
                    .execute(&mut *tx)
                    .await
                    .map_err(backend_err)?;
                }
                // New products may be what failed WZs were waiting for: try them now.
                ::sqlx::query("DELETE FROM order_task_failures WHERE organisation_id = $1 AND task = 'wz'")
                    .bind(org.as_str())
                    .execute(&mut *tx)
                    .await
                    .map_err(backend_err)?;
                tx.commit().await.map_err(backend_err)?;
                Ok(new)
            }

            async fn products(&self, org: &OrganisationId) -> StoreResult<Vec<ProductStock>> {
                let rows = ::sqlx::query("SELECT id, sku, name, annex15 FROM products WHERE organisation_id = $1 ORDER BY sku")
                    .bind(org.as_str())
                    .fetch_all(&self.pool)
                    .await
                    .map_err(backend_err)?;
                let levels = ::sqlx::query(
                    "SELECT l.product_id, l.warehouse_id, l.quantity FROM stock_levels l JOIN products p ON p.id = l.product_id \
                     WHERE p.organisation_id = $1 ORDER BY l.warehouse_id",
                )
                .bind(org.as_str())
                .fetch_all(&self.pool)
                .await
                .map_err(backend_err)?;
                let links = ::sqlx::query("SELECT offer_id, product_id FROM product_offers WHERE organisation_id = $1 ORDER BY offer_id")
                    .bind(org.as_str())
                    .fetch_all(&self.pool)
                    .await
                    .map_err(backend_err)?;
                let mut products = Vec::with_capacity(rows.len());
                for r in &rows {
                    let id: String = get(r, "id")?;
                    let mut stock = Vec::new();
                    for l in &levels {
                        if get::<String>(l, "product_id")? == id {
                            stock.push((WarehouseId::from_stored(get(l, "warehouse_id")?), get(l, "quantity")?));
                        }
                    }
                    let mut offers = Vec::new();
                    for l in &links {
                        if get::<String>(l, "product_id")? == id {
                            offers.push(get(l, "offer_id")?);
                        }
                    }
                    products.push(ProductStock {
                        id: ProductId::from_stored(id),
                        sku: get(r, "sku")?,
                        name: get(r, "name")?,
                        stock,
                        offers,
                        annex15: get(r, "annex15")?,
                    });
                }
                Ok(products)
            }

            async fn product_for_offer(
                &self,
                org: &OrganisationId,
                offer_id: &str,
                sku: Option<&str>,
            ) -> StoreResult<Option<ProductStock>> {
                let row = ::sqlx::query(
                    "SELECT p.id, p.sku, p.name, p.annex15 FROM products p WHERE p.organisation_id = $1 AND \
                     (p.id = (SELECT product_id FROM product_offers WHERE organisation_id = $1 AND offer_id = $2) \
                      OR p.sku = $3) \
                     ORDER BY CASE WHEN p.id = (SELECT product_id FROM product_offers WHERE organisation_id = $1 AND offer_id = $2) THEN 0 ELSE 1 END \
                     LIMIT 1",
                )
                .bind(org.as_str())
                .bind(offer_id)
                .bind(sku)
                .fetch_optional(&self.pool)
                .await
                .map_err(backend_err)?;
                row.map(|r| {
                    Ok(ProductStock {
                        id: ProductId::from_stored(get(&r, "id")?),
                        sku: get(&r, "sku")?,
                        name: get(&r, "name")?,
                        stock: Vec::new(),
                        offers: Vec::new(),
                        annex15: get(&r, "annex15")?,
                    })
                })
                .transpose()
            }

            async fn set_product_annex15(&self, org: &OrganisationId, product: &ProductId, annex15: Option<bool>) -> StoreResult<bool> {
                let done = ::sqlx::query("UPDATE products SET annex15 = $1 WHERE organisation_id = $2 AND id = $3")
                    .bind(annex15)
                    .bind(org.as_str())
                    .bind(product.as_str())
                    .execute(&self.pool)
                    .await
                    .map_err(backend_err)?;
                Ok(done.rows_affected() == 1)
            }

            async fn adjust_stock(&self, org: &OrganisationId, change: &StockChange<'_>) -> StoreResult<i64> {
                let mut tx = self.pool.begin_with($begin).await.map_err(backend_err)?;
                let owned = ::sqlx::query(
                    "SELECT 1 AS ok FROM warehouses w JOIN products p ON p.organisation_id = w.organisation_id \
                     WHERE w.organisation_id = $1 AND w.id = $2 AND p.id = $3",
                )
                .bind(org.as_str())
                .bind(change.warehouse_id.as_str())
                .bind(change.product_id.as_str())
                .fetch_optional(&mut *tx)
                .await
                .map_err(backend_err)?;
                if owned.is_none() {
                    return Err(StoreError::NotFound("warehouse or product"));
                }
                let quantity = move_stock(&mut tx, org, &StockChange { document_id: None, ..*change }).await?;
                tx.commit().await.map_err(backend_err)?;
                Ok(quantity)
            }

            async fn issue_wz(&self, n: &NewWz) -> StoreResult<(WarehouseDocument, bool)> {
                if let Some(found) = self.wz_for_order(&n.organisation_id, &n.order_id).await? {
                    return Ok((found, false));
                }
                // Stored as text; what is returned is what was stored.
                let encoded = WzLine::encode(&n.lines);
                let lines = WzLine::decode(&encoded).map_err(|message| StoreError::Corrupt {
                    table: "warehouse_documents",
                    column: "lines",
                    message,
                })?;
                let attempt = async {
                    let mut tx = self.pool.begin_with($begin).await.map_err(backend_err)?;
                    // WZ numbers share invoice_counters (series "WZ", the year as period):
                    // the counter row is locked until commit, as for invoices.
                    let period = n.year.to_string();
                    let row = ::sqlx::query(
                        "INSERT INTO invoice_counters (organisation_id, series, period, last_number) VALUES ($1, 'WZ', $2, 1) \
                         ON CONFLICT (organisation_id, series, period) DO UPDATE SET last_number = invoice_counters.last_number + 1 \
                         RETURNING last_number",
                    )
                    .bind(n.organisation_id.as_str())
                    .bind(&period)
                    .fetch_one(&mut *tx)
                    .await
                    .map_err(backend_err)?;
                    let seq: i64 = get(&row, "last_number")?;
                    let number = format!("WZ/{seq}/{}", n.year);
                    ::sqlx::query(
                        "INSERT INTO warehouse_documents (id, organisation_id, kind, number, order_id, warehouse_id, state, lines, issued_at_ms) \
                         VALUES ($1, $2, 'WZ', $3, $4, $5, 'issued', $6, $7)",
                    )
                    .bind(n.id.as_str())
                    .bind(n.organisation_id.as_str())
                    .bind(&number)
                    .bind(n.order_id.as_str())
                    .bind(n.warehouse_id.as_str())
                    .bind(&encoded)
                    .bind(n.now_ms)
                    .execute(&mut *tx)
                    .await
                    .map_err(backend_err)?;
                    for l in &n.lines {
                        let change = StockChange {
                            warehouse_id: &n.warehouse_id,
                            product_id: &l.product_id,
                            delta: -l.quantity,
                            reason: MovementReason::Wz,
                            document_id: Some(&n.id),
                            note: Some(&number),
                            at_ms: n.now_ms,
                        };
                        move_stock(&mut tx, &n.organisation_id, &change).await?;
                    }
                    tx.commit().await.map_err(backend_err)?;
                    Ok::<_, StoreError>(WarehouseDocument {
                        id: n.id.clone(),
                        organisation_id: n.organisation_id.clone(),
                        kind: "WZ".into(),
                        number,
                        order_id: n.order_id.clone(),
                        warehouse_id: n.warehouse_id.clone(),
                        state: WzState::Issued,
                        lines: lines.clone(),
                        issued_at_ms: n.now_ms,
                        cancelled_at_ms: None,
                    })
                };
                match attempt.await {
                    Ok(doc) => Ok((doc, true)),
                    // Another process issued this order's WZ first: its one stands.
                    Err(StoreError::Conflict { field }) => match self.wz_for_order(&n.organisation_id, &n.order_id).await? {
                        Some(found) => Ok((found, false)),
                        None => Err(StoreError::Conflict { field }),
                    },
                    Err(e) => Err(e),
                }
            }

            async fn cancel_wz(&self, org: &OrganisationId, order_id: &OrderId, now_ms: i64) -> StoreResult<Option<WarehouseDocument>> {
                let mut tx = self.pool.begin_with($begin).await.map_err(backend_err)?;
                // Only the transaction that flips it from issued gives the stock back.
                let row = ::sqlx::query(
                    "UPDATE warehouse_documents SET state = 'cancelled', cancelled_at_ms = $1 \
                     WHERE organisation_id = $2 AND kind = 'WZ' AND order_id = $3 AND state = 'issued' RETURNING *",
                )
                .bind(now_ms)
                .bind(org.as_str())
                .bind(order_id.as_str())
                .fetch_optional(&mut *tx)
                .await
                .map_err(backend_err)?;
                let Some(row) = row else {
                    return Ok(None);
                };
                let doc = document_from(&row)?;
                let note = format!("{} anulowany", doc.number);
                for l in &doc.lines {
                    let change = StockChange {
                        warehouse_id: &doc.warehouse_id,
                        product_id: &l.product_id,
                        delta: l.quantity,
                        reason: MovementReason::WzCancelled,
                        document_id: Some(&doc.id),
                        note: Some(&note),
                        at_ms: now_ms,
                    };
                    move_stock(&mut tx, org, &change).await?;
                }
                tx.commit().await.map_err(backend_err)?;
                Ok(Some(doc))
            }

            async fn wz_for_order(&self, org: &OrganisationId, order_id: &OrderId) -> StoreResult<Option<WarehouseDocument>> {
                let row = ::sqlx::query("SELECT * FROM warehouse_documents WHERE organisation_id = $1 AND kind = 'WZ' AND order_id = $2")
                    .bind(org.as_str())
                    .bind(order_id.as_str())
                    .fetch_optional(&self.pool)
                    .await
                    .map_err(backend_err)?;
                row.as_ref().map(document_from).transpose()
            }

            async fn warehouse_documents(&self, org: &OrganisationId, limit: i64) -> StoreResult<Vec<WarehouseDocument>> {
                let rows = ::sqlx::query(
                    "SELECT * FROM warehouse_documents WHERE organisation_id = $1 ORDER BY issued_at_ms DESC, number DESC LIMIT $2",
                )
                .bind(org.as_str())
                .bind(limit)
                .fetch_all(&self.pool)
                .await
                .map_err(backend_err)?;
                rows.iter().map(document_from).collect()
            }

            async fn stock_movements(&self, org: &OrganisationId, limit: i64) -> StoreResult<Vec<StockMovement>> {
                let rows = ::sqlx::query("SELECT * FROM stock_movements WHERE organisation_id = $1 ORDER BY at_ms DESC, id LIMIT $2")
                    .bind(org.as_str())
                    .bind(limit)
                    .fetch_all(&self.pool)
                    .await
                    .map_err(backend_err)?;
                rows.iter()
                    .map(|r| {
                        Ok(StockMovement {
                            id: get(r, "id")?,
                            warehouse_id: WarehouseId::from_stored(get(r, "warehouse_id")?),
                            product_id: ProductId::from_stored(get(r, "product_id")?),
                            delta: get(r, "delta")?,
                            reason: parse("stock_movements", "reason", get(r, "reason")?)?,
                            document_id: get(r, "document_id")?,
                            note: get(r, "note")?,
                            at_ms: get(r, "at_ms")?,
                        })
                    })
                    .collect()
            }

            async fn warehouse_settings(&self, org: &OrganisationId) -> StoreResult<WarehouseSettings> {
                let row = ::sqlx::query("SELECT wz_trigger, warehouse_id FROM warehouse_settings WHERE organisation_id = $1")
                    .bind(org.as_str())
                    .fetch_optional(&self.pool)
                    .await
                    .map_err(backend_err)?;
                Ok(match row {
                    Some(r) => WarehouseSettings {
                        wz_trigger: get(&r, "wz_trigger")?,
                        warehouse_id: get::<Option<String>>(&r, "warehouse_id")?.map(WarehouseId::from_stored),
                    },
                    None => WarehouseSettings::default(),
                })
            }

            async fn save_warehouse_settings(&self, org: &OrganisationId, settings: &WarehouseSettings) -> StoreResult<()> {
                ::sqlx::query(
                    "INSERT INTO warehouse_settings (organisation_id, wz_trigger, warehouse_id) VALUES ($1, $2, $3) \
                     ON CONFLICT (organisation_id) DO UPDATE SET wz_trigger = $2, warehouse_id = $3",
                )
                .bind(org.as_str())
                .bind(settings.wz_trigger.as_deref())
                .bind(settings.warehouse_id.as_ref().map(WarehouseId::as_str))
                .execute(&self.pool)
                .await
                .map_err(backend_err)?;
                Ok(())
            }

            async fn orders_awaiting_wz(&self, limit: i64, now_ms: i64) -> StoreResult<Vec<(OrganisationId, OrderId)>> {
                // The trigger is met at its step of NEW → PROCESSING → READY_FOR_… → SENT →
                // PICKED_UP or any later one, as for invoices.
                static SQL: ::std::sync::LazyLock<String> = ::std::sync::LazyLock::new(|| {
                    format!(
                        "SELECT o.organisation_id, o.id FROM orders o JOIN warehouse_settings s ON s.organisation_id = o.organisation_id \
                         WHERE s.wz_trigger IS NOT NULL AND o.status = 'READY_FOR_PROCESSING' AND o.source = 'allegro' \
                         AND {} >= {} \
                         AND NOT EXISTS (SELECT 1 FROM warehouse_documents d WHERE d.organisation_id = o.organisation_id \
                              AND d.kind = 'WZ' AND d.order_id = o.id) \
                         AND NOT EXISTS (SELECT 1 FROM order_task_failures f WHERE f.organisation_id = o.organisation_id \
                              AND f.order_id = o.id AND f.task = 'wz' AND f.next_at_ms > $2) \
                         ORDER BY o.bought_at_ms, o.id LIMIT $1",
                        $crate::sql::fulfillment_rank(),
                        FulfillmentStatus::rank_sql("s.wz_trigger", 99),
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

            async fn orders_awaiting_wz_cancel(&self, limit: i64) -> StoreResult<Vec<(OrganisationId, OrderId)>> {
                let rows = ::sqlx::query(
                    "SELECT o.organisation_id, o.id FROM orders o JOIN warehouse_documents d \
                     ON d.organisation_id = o.organisation_id AND d.kind = 'WZ' AND d.order_id = o.id \
                     WHERE d.state = 'issued' AND (o.status = 'CANCELLED' OR o.fulfillment_status = 'CANCELLED') \
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
