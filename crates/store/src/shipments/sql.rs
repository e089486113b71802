//! The SQL of ShipmentStore (see [`crate::shipments`]), written once for both backends.

/// Implements [`crate::ShipmentStore`] for `$store`; expanded by [`crate::impl_sql_storage`]
/// beside the shared helpers.
#[doc(hidden)]
#[macro_export]
macro_rules! sql_shipments {
    ($store:ty, $db:ty, $backend:literal, $claim_sql:expr, $begin:literal) => {
        fn shipment_from(r: &<$db as ::sqlx::Database>::Row) -> StoreResult<ShipmentRecord> {
            let line_items: String = get(r, "line_items")?;
            Ok(ShipmentRecord {
                id: ShipmentId::from_stored(get(r, "id")?),
                organisation_id: OrganisationId::from_stored(get(r, "organisation_id")?),
                account_id: AccountId::from_stored(get(r, "account_id")?),
                order_id: OrderId::from_stored(get(r, "order_id")?),
                carrier_id: get(r, "carrier_id")?,
                carrier_name: get(r, "carrier_name")?,
                waybill: get(r, "waybill")?,
                line_items: line_items.split(',').filter(|l| !l.is_empty()).map(str::to_owned).collect(),
                created_at_ms: get(r, "created_at_ms")?,
                push: ShipmentPush {
                    state: parse("shipments", "push_state", get(r, "push_state")?)?,
                    attempts: get(r, "push_attempts")?,
                    next_at_ms: get(r, "push_next_at_ms")?,
                    error: get(r, "push_error")?,
                    allegro_shipment_id: get(r, "allegro_shipment_id")?,
                    pushed_at_ms: get(r, "pushed_at_ms")?,
                },
            })
        }

        #[::async_trait::async_trait]
        impl ShipmentStore for $store {
            async fn add_shipment(&self, n: &NewShipment) -> StoreResult<(ShipmentRecord, bool)> {
                let state = if n.push { $crate::domain::PushState::Pending } else { $crate::domain::PushState::NotApplicable };
                // Line item ids (UUIDs; the domain refuses commas) joined by commas.
                let line_items = n.waybill.line_items.join(",");
                // ON CONFLICT DO NOTHING: the same number added twice (a double click, a
                // CSV imported again) stays one waybill, pushed once.
                let inserted = ::sqlx::query(
                    "INSERT INTO shipments (id, organisation_id, account_id, order_id, carrier_id, carrier_name, waybill, \
                     line_items, created_at_ms, push_state, push_next_at_ms) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $9) \
                     ON CONFLICT (organisation_id, order_id, carrier_id, waybill) DO NOTHING",
                )
                .bind(n.id.as_str())
                .bind(n.organisation_id.as_str())
                .bind(n.account_id.as_str())
                .bind(n.order_id.as_str())
                .bind(n.waybill.carrier_id.as_str())
                .bind(n.waybill.carrier_name.as_deref())
                .bind(n.waybill.waybill.as_str())
                .bind(line_items)
                .bind(n.created_at_ms)
                .bind(state.as_str())
                .execute(&self.pool)
                .await
                .map_err(backend_err)?;
                let row = ::sqlx::query(
                    "SELECT * FROM shipments WHERE organisation_id = $1 AND order_id = $2 AND carrier_id = $3 AND waybill = $4",
                )
                .bind(n.organisation_id.as_str())
                .bind(n.order_id.as_str())
                .bind(n.waybill.carrier_id.as_str())
                .bind(n.waybill.waybill.as_str())
                .fetch_one(&self.pool)
                .await
                .map_err(backend_err)?;
                Ok((shipment_from(&row)?, inserted.rows_affected() == 1))
            }

            async fn order_shipments(&self, org: &OrganisationId, order_id: &OrderId) -> StoreResult<Vec<ShipmentRecord>> {
                let rows = ::sqlx::query(
                    "SELECT * FROM shipments WHERE organisation_id = $1 AND order_id = $2 ORDER BY created_at_ms, id",
                )
                .bind(org.as_str())
                .bind(order_id.as_str())
                .fetch_all(&self.pool)
                .await
                .map_err(backend_err)?;
                rows.iter().map(shipment_from).collect()
            }

            async fn shipment(&self, org: &OrganisationId, id: &ShipmentId) -> StoreResult<Option<ShipmentRecord>> {
                let row = ::sqlx::query("SELECT * FROM shipments WHERE organisation_id = $1 AND id = $2")
                    .bind(org.as_str())
                    .bind(id.as_str())
                    .fetch_optional(&self.pool)
                    .await
                    .map_err(backend_err)?;
                row.as_ref().map(shipment_from).transpose()
            }

            async fn claim_due_pushes(&self, now_ms: i64, lease_until_ms: i64, limit: i64) -> StoreResult<Vec<ShipmentRecord>> {
                // As claim_due_uploads; the claim itself counts the attempt, so a push
                // that crashed after Allegro took it is known to need a look first.
                let rows = ::sqlx::query(
                    "UPDATE shipments SET push_next_at_ms = $1, push_attempts = push_attempts + 1 \
                     WHERE id IN (SELECT id FROM shipments WHERE push_state = 'pending' AND push_next_at_ms <= $2 \
                         ORDER BY push_next_at_ms, created_at_ms, id LIMIT $3) \
                     AND push_state = 'pending' AND push_next_at_ms <= $2 RETURNING *",
                )
                .bind(lease_until_ms)
                .bind(now_ms)
                .bind(limit)
                .fetch_all(&self.pool)
                .await
                .map_err(backend_err)?;
                rows.iter().map(shipment_from).collect()
            }

            async fn finish_push(&self, shipment_id: &ShipmentId, outcome: &Delivery) -> StoreResult<()> {
                let query = match outcome {
                    Delivery::Done { at_ms, remote_id } => ::sqlx::query(
                        "UPDATE shipments SET push_state = 'pushed', pushed_at_ms = $1, allegro_shipment_id = $2, push_error = NULL \
                         WHERE id = $3",
                    )
                    .bind(*at_ms)
                    .bind(remote_id.as_deref())
                    .bind(shipment_id.as_str()),
                    Delivery::Retry { next_at_ms, error } => ::sqlx::query(
                        "UPDATE shipments SET push_next_at_ms = $1, push_error = $2 WHERE id = $3 AND push_state = 'pending'",
                    )
                    .bind(*next_at_ms)
                    .bind($crate::sql::stored_error(error))
                    .bind(shipment_id.as_str()),
                    Delivery::Refused { error } => ::sqlx::query(
                        "UPDATE shipments SET push_state = 'refused', push_error = $1 WHERE id = $2 AND push_state = 'pending'",
                    )
                    .bind($crate::sql::stored_error(error))
                    .bind(shipment_id.as_str()),
                    // The claim counted an attempt that never started.
                    Delivery::Released { now_ms, held_until_ms } => ::sqlx::query(
                        "UPDATE shipments SET push_next_at_ms = $1, push_attempts = push_attempts - 1 \
                         WHERE id = $2 AND push_state = 'pending' AND push_next_at_ms = $3 AND push_attempts > 0",
                    )
                    .bind(*now_ms)
                    .bind(shipment_id.as_str())
                    .bind(*held_until_ms),
                };
                query.execute(&self.pool).await.map_err(backend_err)?;
                Ok(())
            }

            async fn resend_shipment(&self, org: &OrganisationId, id: &ShipmentId, now_ms: i64) -> StoreResult<bool> {
                let done = ::sqlx::query(
                    "UPDATE shipments SET push_state = 'pending', push_next_at_ms = $1, push_error = NULL \
                     WHERE organisation_id = $2 AND id = $3 AND push_state IN ('pending', 'refused') \
                     AND (push_state = 'refused' OR push_next_at_ms <= $1 OR push_error IS NOT NULL)",
                )
                .bind(now_ms)
                .bind(org.as_str())
                .bind(id.as_str())
                .execute(&self.pool)
                .await
                .map_err(backend_err)?;
                Ok(done.rows_affected() == 1)
            }

            async fn wake_account_pushes(&self, account: &AccountId, now_ms: i64) -> StoreResult<u64> {
                let done = ::sqlx::query(
                    "UPDATE shipments SET push_next_at_ms = $1 \
                     WHERE account_id = $2 AND push_state = 'pending' AND push_next_at_ms > $1 AND push_error IS NOT NULL",
                )
                .bind(now_ms)
                .bind(account.as_str())
                .execute(&self.pool)
                .await
                .map_err(backend_err)?;
                Ok(done.rows_affected())
            }
        }
    };
}
