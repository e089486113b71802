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
         AND (CAST($8 AS BIGINT) IS NULL OR bought_at_ms < $8) \
         AND (CAST($9 AS BIGINT) IS NULL OR invoice_required = $9)"
    };
}

/// The filter of the invoices list, shared by its count and its page ("NULL or equal").
#[doc(hidden)]
#[macro_export]
macro_rules! invoices_where {
    () => {
        "FROM invoices WHERE organisation_id = $1 AND number LIKE $2 ESCAPE '\\' \
         AND (CAST($3 AS TEXT) IS NULL OR kind = $3) AND (CAST($4 AS TEXT) IS NULL OR issue_date >= $4) \
         AND (CAST($5 AS TEXT) IS NULL OR issue_date <= $5) AND (CAST($6 AS TEXT) IS NULL OR upload_state = $6) \
         AND (CAST($7 AS TEXT) IS NULL OR LOWER(buyer_name) LIKE $7 ESCAPE '\\')"
    };
}

/// Where an order `o` stands on NEW → PROCESSING → READY_FOR_… → SENT → PICKED_UP, as a
/// number: a trigger status is met at its step or any later one (an order may skip steps).
/// Shared by automatic invoices and WZs.
#[doc(hidden)]
#[macro_export]
macro_rules! fulfillment_rank {
    () => {
        "(CASE COALESCE(o.fulfillment_status, 'NEW') WHEN 'NEW' THEN 0 WHEN 'PROCESSING' THEN 1 \
         WHEN 'READY_FOR_SHIPMENT' THEN 2 WHEN 'READY_FOR_PICKUP' THEN 2 WHEN 'SENT' THEN 3 \
         WHEN 'PICKED_UP' THEN 4 ELSE -1 END)"
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

/// Implements [`crate::Storage`] for `$store` over `$db`; `$begin` opens write transactions
/// (`BEGIN IMMEDIATE` on SQLite).
#[macro_export]
macro_rules! impl_sql_storage {
    ($store:ty, $db:ty, $backend:literal, $claim_sql:expr, $begin:literal) => {
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
                    source: parse("orders", "source", get(r, "source")?)?,
                    invoice_required: get::<i64>(r, "invoice_required")? != 0,
                })
            }

            fn invoice_from(r: &<$db as ::sqlx::Database>::Row) -> StoreResult<InvoiceRecord> {
                Ok(InvoiceRecord {
                    id: get(r, "id")?,
                    organisation_id: OrganisationId::from_stored(get(r, "organisation_id")?),
                    account_id: AccountId::from_stored(get(r, "account_id")?),
                    order_id: get(r, "order_id")?,
                    kind: get(r, "kind")?,
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

            fn shipment_from(r: &<$db as ::sqlx::Database>::Row) -> StoreResult<ShipmentRecord> {
                let line_items: String = get(r, "line_items")?;
                Ok(ShipmentRecord {
                    id: get(r, "id")?,
                    organisation_id: OrganisationId::from_stored(get(r, "organisation_id")?),
                    account_id: AccountId::from_stored(get(r, "account_id")?),
                    order_id: get(r, "order_id")?,
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

            fn document_from(r: &<$db as ::sqlx::Database>::Row) -> StoreResult<WarehouseDocument> {
                let lines: String = get(r, "lines")?;
                Ok(WarehouseDocument {
                    id: get(r, "id")?,
                    organisation_id: OrganisationId::from_stored(get(r, "organisation_id")?),
                    kind: get(r, "kind")?,
                    number: get(r, "number")?,
                    order_id: get(r, "order_id")?,
                    warehouse_id: get(r, "warehouse_id")?,
                    state: get(r, "state")?,
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
                .bind(c.warehouse_id)
                .bind(c.product_id)
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
                .bind(c.warehouse_id)
                .bind(c.product_id)
                .bind(c.delta)
                .bind(c.reason)
                .bind(c.document_id)
                .bind(c.note)
                .bind(c.at_ms)
                .execute(&mut **tx)
                .await
                .map_err(backend_err)?;
                get(&row, "quantity")
            }

            fn import_from(r: &<$db as ::sqlx::Database>::Row) -> StoreResult<Import> {
                Ok(Import {
                    id: get(r, "id")?,
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
                .bind(&o.id)
                .bind(now_ms)
                .bind(&o.status)
                .bind(&o.fulfillment_status)
                .bind(o.source.as_str())
                .execute(&mut **tx)
                .await
                .map_err(backend_err)?;
                Ok(())
            }

            /// Upserts orders of one account inside `tx`. Allegro's copy replaces a file's;
            /// a file's never replaces Allegro's (nor an order another account of the
            /// organisation holds). An insert racing another process's is "unchanged".
            async fn upsert_orders(
                tx: &mut ::sqlx::Transaction<'_, $db>,
                account: &AccountId,
                orders: &[OrderRecord],
                now_ms: i64,
            ) -> StoreResult<UpsertCounts> {
                let mut counts = UpsertCounts::default();
                for o in orders {
                    let existing = ::sqlx::query(
                        "SELECT account_id, data, source, status, fulfillment_status FROM orders WHERE organisation_id = $1 AND id = $2 \
                         AND (account_id = $3 OR $4 = 'file') ORDER BY CASE WHEN account_id = $3 THEN 0 ELSE 1 END LIMIT 1",
                    )
                    .bind(o.organisation_id.as_str())
                    .bind(&o.id)
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
                            (get::<String>(&row, "status")?, get::<Option<String>>(&row, "fulfillment_status")?),
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
                            .bind(o.source.as_str())
                            .bind(i64::from(o.invoice_required))
                            .bind(&o.id)
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
                                 bought_at_ms, revision, total_minor, currency, data, first_seen_at_ms, synced_at_ms, source, invoice_required) \
                                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $13, $14, $15) \
                                 ON CONFLICT (account_id, id) DO NOTHING",
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
                            .bind(o.source.as_str())
                            .bind(i64::from(o.invoice_required))
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
                         UNION ALL SELECT 'account:' || id || ':refresh', refresh_token FROM accounts WHERE refresh_token IS NOT NULL",
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
                        "SELECT enabled, vat_goods, vat_delivery, invoice_trigger, invoice_series, invoice_every_order, delivery_follows_goods, sent_on_waybill \
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
                        "INSERT INTO account_settings (account_id, enabled, vat_goods, vat_delivery, invoice_trigger, invoice_series, updated_at_ms, \
                         invoice_every_order, delivery_follows_goods, sent_on_waybill) \
                         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) ON CONFLICT (account_id) DO UPDATE SET enabled = $2, vat_goods = $3, \
                         vat_delivery = $4, invoice_trigger = $5, invoice_series = $6, updated_at_ms = $7, invoice_every_order = $8, \
                         delivery_follows_goods = $9, sent_on_waybill = $10",
                    )
                    .bind(id.as_str())
                    .bind(s.enabled)
                    .bind(s.vat_goods.as_str())
                    .bind(s.vat_delivery.as_str())
                    .bind(s.invoice_trigger.as_str())
                    .bind(s.invoice_series.as_str())
                    .bind(now_ms)
                    .bind(s.invoice_every_order)
                    .bind(s.delivery_follows_goods)
                    .bind(s.sent_on_waybill)
                    .execute(&mut *tx)
                    .await
                    .map_err(backend_err)?;
                    tx.commit().await.map_err(backend_err)?;
                    Ok(true)
                }

                async fn save_orders(&self, account: &AccountId, orders: &[OrderRecord], cursor: Option<&str>, now_ms: i64) -> StoreResult<UpsertCounts> {
                    let mut tx = self.pool.begin_with($begin).await.map_err(backend_err)?;
                    let counts = upsert_orders(&mut tx, account, orders, now_ms).await?;
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
                    .bind(&f.status)
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
                    .bind(&f.status)
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

                async fn order(&self, org: &OrganisationId, id: &str) -> StoreResult<Option<OrderRecord>> {
                    let row = ::sqlx::query("SELECT * FROM orders WHERE organisation_id = $1 AND id = $2 ORDER BY account_id LIMIT 1")
                        .bind(org.as_str())
                        .bind(id)
                        .fetch_optional(&self.pool)
                        .await
                        .map_err(backend_err)?;
                    row.as_ref().map(order_from).transpose()
                }

                async fn order_history(&self, org: &OrganisationId, id: &str) -> StoreResult<Vec<OrderChange>> {
                    let rows = ::sqlx::query(
                        "SELECT seen_at_ms, status, fulfillment_status, source FROM order_history \
                         WHERE organisation_id = $1 AND order_id = $2 ORDER BY seen_at_ms, status",
                    )
                    .bind(org.as_str())
                    .bind(id)
                    .fetch_all(&self.pool)
                    .await
                    .map_err(backend_err)?;
                    rows.iter()
                        .map(|r| {
                            Ok(OrderChange {
                                seen_at_ms: get(r, "seen_at_ms")?,
                                status: get(r, "status")?,
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

                async fn import(&self, org: &OrganisationId, id: &str) -> StoreResult<Option<Import>> {
                    let row = ::sqlx::query("SELECT * FROM imports WHERE organisation_id = $1 AND id = $2")
                        .bind(org.as_str())
                        .bind(id)
                        .fetch_optional(&self.pool)
                        .await
                        .map_err(backend_err)?;
                    row.as_ref().map(import_from).transpose()
                }

                async fn import_for_worker(&self, id: &str) -> StoreResult<Option<Import>> {
                    let row = ::sqlx::query("SELECT * FROM imports WHERE id = $1")
                        .bind(id)
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

                async fn save_import_page(&self, import_id: &str, page: &ImportPage<'_>, now_ms: i64) -> StoreResult<UpsertCounts> {
                    let mut tx = self.pool.begin_with($begin).await.map_err(backend_err)?;
                    let row = ::sqlx::query("SELECT account_id FROM imports WHERE id = $1")
                        .bind(import_id)
                        .fetch_optional(&mut *tx)
                        .await
                        .map_err(backend_err)?
                        .ok_or_else(|| StoreError::Conflict(format!("no import {import_id}")))?;
                    let account = AccountId::from_stored(get(&row, "account_id")?);
                    let counts = upsert_orders(&mut tx, &account, page.orders, now_ms).await?;
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
                    .bind(import_id)
                    .execute(&mut *tx)
                    .await
                    .map_err(backend_err)?;
                    tx.commit().await.map_err(backend_err)?;
                    Ok(counts)
                }

                async fn finish_import(&self, import_id: &str, state: ImportState, error: Option<&str>, now_ms: i64) -> StoreResult<()> {
                    ::sqlx::query("UPDATE imports SET state = $1, error = $2, updated_at_ms = $3 WHERE id = $4")
                        .bind(state.as_str())
                        .bind(error.map(|e| e.chars().take(2000).collect::<String>()))
                        .bind(now_ms)
                        .bind(import_id)
                        .execute(&self.pool)
                        .await
                        .map_err(backend_err)?;
                    Ok(())
                }

                async fn save_file_import(&self, i: &Import, orders: &[OrderRecord]) -> StoreResult<UpsertCounts> {
                    let mut tx = self.pool.begin_with($begin).await.map_err(backend_err)?;
                    let counts = upsert_orders(&mut tx, &i.account_id, orders, i.created_at_ms).await?;
                    let mut done = i.clone();
                    done.state = ImportState::Done;
                    done.fetched = orders.len() as i64;
                    done.counts = counts;
                    insert_import(&mut *tx, &done).await?;
                    tx.commit().await.map_err(backend_err)?;
                    Ok(counts)
                }

                async fn stage_file_orders(&self, import_id: &str, first_seq: i64, orders: &[OrderRecord], now_ms: i64) -> StoreResult<()> {
                    let mut tx = self.pool.begin_with($begin).await.map_err(backend_err)?;
                    for (n, o) in orders.iter().enumerate() {
                        ::sqlx::query(
                            "INSERT INTO staged_orders (import_id, seq, id, organisation_id, account_id, status, fulfillment_status, \
                             marketplace, buyer_login, bought_at_ms, revision, total_minor, currency, data, source, invoice_required) \
                             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)",
                        )
                        .bind(import_id)
                        .bind(first_seq + n as i64)
                        .bind(&o.id)
                        .bind(o.organisation_id.as_str())
                        .bind(o.account_id.as_str())
                        .bind(&o.status)
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
                        .bind(import_id)
                        .execute(&mut *tx)
                        .await
                        .map_err(backend_err)?;
                    tx.commit().await.map_err(backend_err)?;
                    Ok(())
                }

                async fn publish_file_orders(&self, import_id: &str, limit: i64, now_ms: i64) -> StoreResult<Option<Import>> {
                    let mut tx = self.pool.begin_with($begin).await.map_err(backend_err)?;
                    let Some(import) = ::sqlx::query("SELECT * FROM imports WHERE id = $1")
                        .bind(import_id)
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
                        .bind(import_id)
                        .bind(limit.max(1))
                        .fetch_all(&mut *tx)
                        .await
                        .map_err(backend_err)?;
                    let orders = rows.iter().map(order_from).collect::<StoreResult<Vec<_>>>()?;
                    let counts = upsert_orders(&mut tx, &import.account_id, &orders, now_ms).await?;
                    if let Some(last) = rows.last() {
                        ::sqlx::query("DELETE FROM staged_orders WHERE import_id = $1 AND seq <= $2")
                            .bind(import_id)
                            .bind(get::<i64>(last, "seq")?)
                            .execute(&mut *tx)
                            .await
                            .map_err(backend_err)?;
                    }
                    let left: i64 = get(
                        &::sqlx::query("SELECT COUNT(*) AS n FROM staged_orders WHERE import_id = $1")
                            .bind(import_id)
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
                    .bind(import_id)
                    .execute(&mut *tx)
                    .await
                    .map_err(backend_err)?;
                    let after = ::sqlx::query("SELECT * FROM imports WHERE id = $1")
                        .bind(import_id)
                        .fetch_one(&mut *tx)
                        .await
                        .map_err(backend_err)?;
                    let after = import_from(&after)?;
                    tx.commit().await.map_err(backend_err)?;
                    Ok(Some(after))
                }

                async fn abandon_file_import(&self, import_id: &str, error: &str, now_ms: i64) -> StoreResult<()> {
                    let mut tx = self.pool.begin_with($begin).await.map_err(backend_err)?;
                    ::sqlx::query("DELETE FROM staged_orders WHERE import_id = $1")
                        .bind(import_id)
                        .execute(&mut *tx)
                        .await
                        .map_err(backend_err)?;
                    ::sqlx::query("UPDATE imports SET state = 'failed', error = $1, updated_at_ms = $2 WHERE id = $3")
                        .bind(error)
                        .bind(now_ms)
                        .bind(import_id)
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
                    if let Some(found) = self.invoice_for_order(&n.organisation_id, &n.order_id, &n.kind).await? {
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
                             currency, total_minor, buyer_name, document, created_at_ms, upload_state, upload_next_at_ms) \
                             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $15)",
                        )
                        .bind(&n.id)
                        .bind(n.organisation_id.as_str())
                        .bind(n.account_id.as_str())
                        .bind(&n.order_id)
                        .bind(&n.kind)
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
                        .execute(&mut *tx)
                        .await
                        .map_err(backend_err)?;
                        tx.commit().await.map_err(backend_err)?;
                        Ok::<_, StoreError>(InvoiceRecord {
                            id: n.id.clone(),
                            organisation_id: n.organisation_id.clone(),
                            account_id: n.account_id.clone(),
                            order_id: n.order_id.clone(),
                            kind: n.kind.clone(),
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
                        Err(StoreError::Conflict(m)) => match self.invoice_for_order(&n.organisation_id, &n.order_id, &n.kind).await? {
                            Some(found) => Ok(Issued::Existing(found)),
                            None => Err(StoreError::Conflict(m)),
                        },
                        Err(e) => Err(e),
                    }
                }

                async fn invoices(&self, org: &OrganisationId, f: &InvoiceFilter, offset: i64, limit: i64) -> StoreResult<(Vec<InvoiceRecord>, i64)> {
                    let like = |text: &str| format!("%{}%", text.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_"));
                    let number = like(f.number.trim());
                    let buyer = (!f.buyer.trim().is_empty()).then(|| like(&f.buyer.trim().to_lowercase()));
                    let upload = f.upload.map(UploadState::as_str);
                    let total = ::sqlx::query(concat!("SELECT COUNT(*) AS n ", $crate::invoices_where!()))
                        .bind(org.as_str())
                        .bind(&number)
                        .bind(f.kind.as_deref())
                        .bind(f.from.as_deref())
                        .bind(f.to.as_deref())
                        .bind(upload)
                        .bind(buyer.as_deref())
                        .fetch_one(&self.pool)
                        .await
                        .map_err(backend_err)?;
                    let rows = ::sqlx::query(concat!("SELECT * ", $crate::invoices_where!(), " ORDER BY created_at_ms DESC, id LIMIT $8 OFFSET $9"))
                        .bind(org.as_str())
                        .bind(&number)
                        .bind(f.kind.as_deref())
                        .bind(f.from.as_deref())
                        .bind(f.to.as_deref())
                        .bind(upload)
                        .bind(buyer.as_deref())
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

                async fn save_allegro_invoice_id(&self, invoice_id: &str, allegro_invoice_id: Option<&str>) -> StoreResult<()> {
                    ::sqlx::query("UPDATE invoices SET allegro_invoice_id = $1 WHERE id = $2")
                        .bind(allegro_invoice_id)
                        .bind(invoice_id)
                        .execute(&self.pool)
                        .await
                        .map_err(backend_err)?;
                    Ok(())
                }

                async fn finish_upload(&self, invoice_id: &str, outcome: &UploadOutcome) -> StoreResult<()> {
                    let query = match outcome {
                        UploadOutcome::Uploaded { at_ms } => ::sqlx::query(
                            "UPDATE invoices SET upload_state = 'uploaded', uploaded_at_ms = $1, upload_error = NULL WHERE id = $2",
                        )
                        .bind(*at_ms)
                        .bind(invoice_id),
                        UploadOutcome::Retry { next_at_ms, error } => ::sqlx::query(
                            "UPDATE invoices SET upload_next_at_ms = $1, upload_error = $2, upload_attempts = upload_attempts + 1 \
                             WHERE id = $3 AND upload_state = 'pending'",
                        )
                        .bind(*next_at_ms)
                        .bind(error.chars().take(2000).collect::<String>())
                        .bind(invoice_id),
                        UploadOutcome::Refused { error } => ::sqlx::query(
                            "UPDATE invoices SET upload_state = 'refused', upload_error = $1, upload_attempts = upload_attempts + 1 \
                             WHERE id = $2 AND upload_state = 'pending'",
                        )
                        .bind(error.chars().take(2000).collect::<String>())
                        .bind(invoice_id),
                    };
                    query.execute(&self.pool).await.map_err(backend_err)?;
                    Ok(())
                }

                async fn resend_invoice(&self, org: &OrganisationId, id: &str, now_ms: i64) -> StoreResult<bool> {
                    let done = ::sqlx::query(
                        "UPDATE invoices SET upload_state = 'pending', upload_next_at_ms = $1, upload_attempts = 0, upload_error = NULL \
                         WHERE organisation_id = $2 AND id = $3 AND upload_state IN ('pending', 'refused')",
                    )
                    .bind(now_ms)
                    .bind(org.as_str())
                    .bind(id)
                    .execute(&self.pool)
                    .await
                    .map_err(backend_err)?;
                    Ok(done.rows_affected() == 1)
                }

                async fn create_warehouse(&self, w: &Warehouse, now_ms: i64) -> StoreResult<()> {
                    ::sqlx::query("INSERT INTO warehouses (id, organisation_id, name, created_at_ms) VALUES ($1, $2, $3, $4)")
                        .bind(&w.id)
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
                                id: get(r, "id")?,
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
                        id: get(&row, "id")?,
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
                        .bind(&product_id)
                        .bind(account.as_str())
                        .execute(&mut *tx)
                        .await
                        .map_err(backend_err)?;
                    }
                    // New products may be what failed WZs were waiting for: try them now.
                    ::sqlx::query("DELETE FROM wz_failures WHERE organisation_id = $1")
                        .bind(org.as_str())
                        .execute(&mut *tx)
                        .await
                        .map_err(backend_err)?;
                    tx.commit().await.map_err(backend_err)?;
                    Ok(new)
                }

                async fn products(&self, org: &OrganisationId) -> StoreResult<Vec<ProductStock>> {
                    let rows = ::sqlx::query("SELECT id, sku, name FROM products WHERE organisation_id = $1 ORDER BY sku")
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
                                stock.push((get(l, "warehouse_id")?, get(l, "quantity")?));
                            }
                        }
                        let mut offers = Vec::new();
                        for l in &links {
                            if get::<String>(l, "product_id")? == id {
                                offers.push(get(l, "offer_id")?);
                            }
                        }
                        products.push(ProductStock {
                            id,
                            sku: get(r, "sku")?,
                            name: get(r, "name")?,
                            stock,
                            offers,
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
                        "SELECT p.id, p.sku, p.name FROM products p WHERE p.organisation_id = $1 AND \
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
                            id: get(&r, "id")?,
                            sku: get(&r, "sku")?,
                            name: get(&r, "name")?,
                            stock: Vec::new(),
                            offers: Vec::new(),
                        })
                    })
                    .transpose()
                }

                async fn adjust_stock(&self, org: &OrganisationId, change: &StockChange<'_>) -> StoreResult<i64> {
                    let mut tx = self.pool.begin_with($begin).await.map_err(backend_err)?;
                    let owned = ::sqlx::query(
                        "SELECT 1 AS ok FROM warehouses w JOIN products p ON p.organisation_id = w.organisation_id \
                         WHERE w.organisation_id = $1 AND w.id = $2 AND p.id = $3",
                    )
                    .bind(org.as_str())
                    .bind(change.warehouse_id)
                    .bind(change.product_id)
                    .fetch_optional(&mut *tx)
                    .await
                    .map_err(backend_err)?;
                    if owned.is_none() {
                        return Err(StoreError::Conflict("no such warehouse or product in the organisation".into()));
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
                        .bind(&n.id)
                        .bind(n.organisation_id.as_str())
                        .bind(&number)
                        .bind(&n.order_id)
                        .bind(&n.warehouse_id)
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
                                reason: "wz",
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
                            state: "issued".into(),
                            lines: lines.clone(),
                            issued_at_ms: n.now_ms,
                            cancelled_at_ms: None,
                        })
                    };
                    match attempt.await {
                        Ok(doc) => Ok((doc, true)),
                        // Another process issued this order's WZ first: its one stands.
                        Err(StoreError::Conflict(m)) => match self.wz_for_order(&n.organisation_id, &n.order_id).await? {
                            Some(found) => Ok((found, false)),
                            None => Err(StoreError::Conflict(m)),
                        },
                        Err(e) => Err(e),
                    }
                }

                async fn cancel_wz(&self, org: &OrganisationId, order_id: &str, now_ms: i64) -> StoreResult<Option<WarehouseDocument>> {
                    let mut tx = self.pool.begin_with($begin).await.map_err(backend_err)?;
                    // Only the transaction that flips it from issued gives the stock back.
                    let row = ::sqlx::query(
                        "UPDATE warehouse_documents SET state = 'cancelled', cancelled_at_ms = $1 \
                         WHERE organisation_id = $2 AND kind = 'WZ' AND order_id = $3 AND state = 'issued' RETURNING *",
                    )
                    .bind(now_ms)
                    .bind(org.as_str())
                    .bind(order_id)
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
                            reason: "wz_cancelled",
                            document_id: Some(&doc.id),
                            note: Some(&note),
                            at_ms: now_ms,
                        };
                        move_stock(&mut tx, org, &change).await?;
                    }
                    tx.commit().await.map_err(backend_err)?;
                    Ok(Some(doc))
                }

                async fn wz_for_order(&self, org: &OrganisationId, order_id: &str) -> StoreResult<Option<WarehouseDocument>> {
                    let row = ::sqlx::query("SELECT * FROM warehouse_documents WHERE organisation_id = $1 AND kind = 'WZ' AND order_id = $2")
                        .bind(org.as_str())
                        .bind(order_id)
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
                                warehouse_id: get(r, "warehouse_id")?,
                                product_id: get(r, "product_id")?,
                                delta: get(r, "delta")?,
                                reason: get(r, "reason")?,
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
                            warehouse_id: get(&r, "warehouse_id")?,
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
                    .bind(settings.warehouse_id.as_deref())
                    .execute(&self.pool)
                    .await
                    .map_err(backend_err)?;
                    Ok(())
                }

                async fn record_wz_failure(&self, org: &OrganisationId, order_id: &str, error: &str, next_at_ms: i64) -> StoreResult<i64> {
                    let row = ::sqlx::query(
                        "INSERT INTO wz_failures (organisation_id, order_id, attempts, next_at_ms, error) VALUES ($1, $2, 1, $3, $4) \
                         ON CONFLICT (organisation_id, order_id) DO UPDATE SET attempts = wz_failures.attempts + 1, next_at_ms = $3, error = $4 \
                         RETURNING attempts",
                    )
                    .bind(org.as_str())
                    .bind(order_id)
                    .bind(next_at_ms)
                    .bind(error.chars().take(2000).collect::<String>())
                    .fetch_one(&self.pool)
                    .await
                    .map_err(backend_err)?;
                    get(&row, "attempts")
                }

                async fn wz_failure(&self, org: &OrganisationId, order_id: &str) -> StoreResult<Option<(i64, String)>> {
                    let row = ::sqlx::query("SELECT attempts, error FROM wz_failures WHERE organisation_id = $1 AND order_id = $2")
                        .bind(org.as_str())
                        .bind(order_id)
                        .fetch_optional(&self.pool)
                        .await
                        .map_err(backend_err)?;
                    row.map(|r| Ok((get(&r, "attempts")?, get(&r, "error")?))).transpose()
                }

                async fn orders_awaiting_wz(&self, limit: i64, now_ms: i64) -> StoreResult<Vec<(OrganisationId, String)>> {
                    // The trigger is met at its step of NEW → PROCESSING → READY_FOR_… → SENT →
                    // PICKED_UP or any later one, as for invoices.
                    let rows = ::sqlx::query(
                        concat!(
                        "SELECT o.organisation_id, o.id FROM orders o JOIN warehouse_settings s ON s.organisation_id = o.organisation_id \
                         WHERE s.wz_trigger IS NOT NULL AND o.status = 'READY_FOR_PROCESSING' AND o.source = 'allegro' AND ",
                        $crate::fulfillment_rank!(),
                        " >= (CASE s.wz_trigger WHEN 'NEW' THEN 0 WHEN 'PROCESSING' THEN 1 WHEN 'READY_FOR_SHIPMENT' THEN 2 \
                              WHEN 'READY_FOR_PICKUP' THEN 2 WHEN 'SENT' THEN 3 WHEN 'PICKED_UP' THEN 4 ELSE 99 END) \
                         AND NOT EXISTS (SELECT 1 FROM warehouse_documents d WHERE d.organisation_id = o.organisation_id \
                              AND d.kind = 'WZ' AND d.order_id = o.id) \
                         AND NOT EXISTS (SELECT 1 FROM wz_failures f WHERE f.organisation_id = o.organisation_id \
                              AND f.order_id = o.id AND f.next_at_ms > $2) \
                         ORDER BY o.bought_at_ms, o.id LIMIT $1"),
                    )
                    .bind(limit)
                    .bind(now_ms)
                    .fetch_all(&self.pool)
                    .await
                    .map_err(backend_err)?;
                    rows.iter()
                        .map(|r| Ok((OrganisationId::from_stored(get(r, "organisation_id")?), get(r, "id")?)))
                        .collect()
                }

                async fn orders_awaiting_wz_cancel(&self, limit: i64) -> StoreResult<Vec<(OrganisationId, String)>> {
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
                        .map(|r| Ok((OrganisationId::from_stored(get(r, "organisation_id")?), get(r, "id")?)))
                        .collect()
                }

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
                    .bind(&n.id)
                    .bind(n.organisation_id.as_str())
                    .bind(n.account_id.as_str())
                    .bind(&n.order_id)
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
                    .bind(&n.order_id)
                    .bind(n.waybill.carrier_id.as_str())
                    .bind(n.waybill.waybill.as_str())
                    .fetch_one(&self.pool)
                    .await
                    .map_err(backend_err)?;
                    Ok((shipment_from(&row)?, inserted.rows_affected() == 1))
                }

                async fn order_shipments(&self, org: &OrganisationId, order_id: &str) -> StoreResult<Vec<ShipmentRecord>> {
                    let rows = ::sqlx::query(
                        "SELECT * FROM shipments WHERE organisation_id = $1 AND order_id = $2 ORDER BY created_at_ms, id",
                    )
                    .bind(org.as_str())
                    .bind(order_id)
                    .fetch_all(&self.pool)
                    .await
                    .map_err(backend_err)?;
                    rows.iter().map(shipment_from).collect()
                }

                async fn shipment(&self, org: &OrganisationId, id: &str) -> StoreResult<Option<ShipmentRecord>> {
                    let row = ::sqlx::query("SELECT * FROM shipments WHERE organisation_id = $1 AND id = $2")
                        .bind(org.as_str())
                        .bind(id)
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

                async fn finish_push(&self, shipment_id: &str, outcome: &PushOutcome) -> StoreResult<()> {
                    let query = match outcome {
                        PushOutcome::Pushed { at_ms, allegro_shipment_id } => ::sqlx::query(
                            "UPDATE shipments SET push_state = 'pushed', pushed_at_ms = $1, allegro_shipment_id = $2, push_error = NULL \
                             WHERE id = $3",
                        )
                        .bind(*at_ms)
                        .bind(allegro_shipment_id.as_deref())
                        .bind(shipment_id),
                        PushOutcome::Retry { next_at_ms, error } => ::sqlx::query(
                            "UPDATE shipments SET push_next_at_ms = $1, push_error = $2 WHERE id = $3 AND push_state = 'pending'",
                        )
                        .bind(*next_at_ms)
                        .bind(error.chars().take(2000).collect::<String>())
                        .bind(shipment_id),
                        PushOutcome::Refused { error } => ::sqlx::query(
                            "UPDATE shipments SET push_state = 'refused', push_error = $1 WHERE id = $2 AND push_state = 'pending'",
                        )
                        .bind(error.chars().take(2000).collect::<String>())
                        .bind(shipment_id),
                    };
                    query.execute(&self.pool).await.map_err(backend_err)?;
                    Ok(())
                }

                async fn resend_shipment(&self, org: &OrganisationId, id: &str, now_ms: i64) -> StoreResult<bool> {
                    let done = ::sqlx::query(
                        "UPDATE shipments SET push_state = 'pending', push_next_at_ms = $1, push_error = NULL \
                         WHERE organisation_id = $2 AND id = $3 AND push_state IN ('pending', 'refused') \
                         AND (push_state = 'refused' OR push_next_at_ms <= $1 OR push_error IS NOT NULL)",
                    )
                    .bind(now_ms)
                    .bind(org.as_str())
                    .bind(id)
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

                async fn invoice(&self, org: &OrganisationId, id: &str) -> StoreResult<Option<InvoiceRecord>> {
                    let row = ::sqlx::query("SELECT * FROM invoices WHERE organisation_id = $1 AND id = $2")
                        .bind(org.as_str())
                        .bind(id)
                        .fetch_optional(&self.pool)
                        .await
                        .map_err(backend_err)?;
                    row.as_ref().map(invoice_from).transpose()
                }

                async fn orders_awaiting_invoice(&self, limit: i64, now_ms: i64) -> StoreResult<Vec<(OrganisationId, String)>> {
                    // Fulfilment progresses NEW → PROCESSING → READY_FOR_… → SENT → PICKED_UP;
                    // a trigger is met at its step or any later one (an order may skip steps).
                    let rows = ::sqlx::query(
                        concat!(
                        "SELECT o.organisation_id, o.id FROM orders o JOIN account_settings s ON s.account_id = o.account_id \
                         WHERE s.enabled = TRUE AND (o.invoice_required = 1 OR s.invoice_every_order = TRUE) \
                         AND o.status = 'READY_FOR_PROCESSING' \
                         AND EXISTS (SELECT 1 FROM invoicing_profiles p WHERE p.organisation_id = o.organisation_id) AND ",
                        $crate::fulfillment_rank!(),
                        " >= (CASE s.invoice_trigger WHEN 'READY_FOR_PROCESSING' THEN 0 WHEN 'PROCESSING' THEN 1 \
                              WHEN 'READY_FOR_SHIPMENT' THEN 2 WHEN 'SENT' THEN 3 WHEN 'PICKED_UP' THEN 4 ELSE 99 END) \
                         AND NOT EXISTS (SELECT 1 FROM invoices i WHERE i.organisation_id = o.organisation_id \
                                         AND i.order_id = o.id AND i.kind = 'vat') \
                         AND NOT EXISTS (SELECT 1 FROM invoice_attempts a WHERE a.organisation_id = o.organisation_id \
                                         AND a.order_id = o.id AND a.next_at_ms > $2) \
                         ORDER BY o.bought_at_ms, o.id LIMIT $1"),
                    )
                    .bind(limit)
                    .bind(now_ms)
                    .fetch_all(&self.pool)
                    .await
                    .map_err(backend_err)?;
                    rows.iter()
                        .map(|r| Ok((OrganisationId::from_stored(get(r, "organisation_id")?), get(r, "id")?)))
                        .collect()
                }

                async fn invoice_for_order(&self, org: &OrganisationId, order_id: &str, kind: &str) -> StoreResult<Option<InvoiceRecord>> {
                    let row = ::sqlx::query("SELECT * FROM invoices WHERE organisation_id = $1 AND order_id = $2 AND kind = $3")
                        .bind(org.as_str())
                        .bind(order_id)
                        .bind(kind)
                        .fetch_optional(&self.pool)
                        .await
                        .map_err(backend_err)?;
                    row.as_ref().map(invoice_from).transpose()
                }

                async fn record_invoice_failure(&self, org: &OrganisationId, order_id: &str, error: &str, next_at_ms: i64) -> StoreResult<i64> {
                    let row = ::sqlx::query(
                        "INSERT INTO invoice_attempts (organisation_id, order_id, attempts, next_at_ms, last_error) VALUES ($1, $2, 1, $3, $4) \
                         ON CONFLICT (organisation_id, order_id) DO UPDATE SET attempts = invoice_attempts.attempts + 1, \
                         next_at_ms = $3, last_error = $4 RETURNING attempts",
                    )
                    .bind(org.as_str())
                    .bind(order_id)
                    .bind(next_at_ms)
                    .bind(error.chars().take(2000).collect::<String>())
                    .fetch_one(&self.pool)
                    .await
                    .map_err(backend_err)?;
                    get(&row, "attempts")
                }

                async fn invoice_failure(&self, org: &OrganisationId, order_id: &str) -> StoreResult<Option<(i64, String)>> {
                    let row = ::sqlx::query("SELECT attempts, last_error FROM invoice_attempts WHERE organisation_id = $1 AND order_id = $2")
                        .bind(org.as_str())
                        .bind(order_id)
                        .fetch_optional(&self.pool)
                        .await
                        .map_err(backend_err)?;
                    row.map(|r| Ok((get(&r, "attempts")?, get(&r, "last_error")?))).transpose()
                }

                async fn orders_awaiting_correction(&self, limit: i64) -> StoreResult<Vec<(OrganisationId, String)>> {
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
                        .map(|r| Ok((OrganisationId::from_stored(get(r, "organisation_id")?), get(r, "id")?)))
                        .collect()
                }

                async fn save_rates(&self, rates: &[StoredRate]) -> StoreResult<()> {
                    let mut tx = self.pool.begin_with($begin).await.map_err(backend_err)?;
                    for r in rates {
                        ::sqlx::query(
                            "INSERT INTO exchange_rates (currency, effective_date, rate_e4, table_no) VALUES ($1, $2, $3, $4) \
                             ON CONFLICT (currency, effective_date) DO UPDATE SET rate_e4 = $3, table_no = $4",
                        )
                        .bind(r.currency.to_uppercase())
                        .bind(&r.effective_date)
                        .bind(r.rate_e4)
                        .bind(&r.table_no)
                        .execute(&mut *tx)
                        .await
                        .map_err(backend_err)?;
                    }
                    tx.commit().await.map_err(backend_err)?;
                    Ok(())
                }

                async fn rate_between(&self, currency: &str, from: &str, before: &str) -> StoreResult<Option<StoredRate>> {
                    let row = ::sqlx::query(
                        "SELECT * FROM exchange_rates WHERE currency = $1 AND effective_date >= $2 AND effective_date < $3 \
                         ORDER BY effective_date DESC LIMIT 1",
                    )
                    .bind(currency.to_uppercase())
                    .bind(from)
                    .bind(before)
                    .fetch_optional(&self.pool)
                    .await
                    .map_err(backend_err)?;
                    row.map(|r| {
                        Ok(StoredRate {
                            currency: get(&r, "currency")?,
                            effective_date: get(&r, "effective_date")?,
                            rate_e4: get(&r, "rate_e4")?,
                            table_no: get(&r, "table_no")?,
                        })
                    })
                    .transpose()
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
                .bind(&i.id)
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
