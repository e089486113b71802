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
                        offline24: get(&r, "offline24")?,
                        offline_certificate: get::<Option<Vec<u8>>>(&r, "offline_certificate")?.map(Sealed),
                        offline_certificate_hint: get(&r, "offline_certificate_hint")?,
                        unreachable_since_ms: get(&r, "unreachable_since_ms")?,
                        failure_since_ms: get(&r, "failure_since_ms")?,
                        updated_at_ms: get(&r, "updated_at_ms")?,
                    })
                })
                .transpose()
            }

            async fn save_ksef_settings(&self, s: &KsefSettingsRecord) -> StoreResult<()> {
                ::sqlx::query(
                    "INSERT INTO ksef_settings (organisation_id, environment, api_url, token, token_hint, send_consumer, \
                     send_from, checked_nip, checked_permissions, checked_at_ms, token_problem, updated_at_ms, offline24, \
                     offline_certificate, offline_certificate_hint, unreachable_since_ms, failure_since_ms) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17) \
                     ON CONFLICT (organisation_id) DO UPDATE SET environment = $2, api_url = $3, token = $4, \
                     token_hint = $5, send_consumer = $6, send_from = $7, checked_nip = $8, checked_permissions = $9, \
                     checked_at_ms = $10, token_problem = $11, updated_at_ms = $12, offline24 = $13, \
                     offline_certificate = $14, offline_certificate_hint = $15, unreachable_since_ms = $16, \
                     failure_since_ms = $17",
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
                .bind(s.offline24)
                .bind(s.offline_certificate.as_ref().map(|t| t.0.clone()))
                .bind(&s.offline_certificate_hint)
                .bind(s.unreachable_since_ms)
                .bind(s.failure_since_ms)
                .execute(&self.pool)
                .await
                .map_err(backend_err)?;
                Ok(())
            }

            async fn set_ksef_unreachable(&self, org: &OrganisationId, since_ms: Option<i64>) -> StoreResult<bool> {
                let mut tx = self.pool.begin_with($begin).await.map_err(backend_err)?;
                let before: Option<Option<i64>> =
                    ::sqlx::query_scalar("SELECT unreachable_since_ms FROM ksef_settings WHERE organisation_id = $1")
                        .bind(org.as_str())
                        .fetch_optional(&mut *tx)
                        .await
                        .map_err(backend_err)?;
                let Some(before) = before else {
                    return Ok(false);
                };
                let after = match since_ms {
                    Some(now) => Some(before.unwrap_or(now)),
                    None => None,
                };
                if after != before {
                    ::sqlx::query("UPDATE ksef_settings SET unreachable_since_ms = $1 WHERE organisation_id = $2")
                        .bind(after)
                        .bind(org.as_str())
                        .execute(&mut *tx)
                        .await
                        .map_err(backend_err)?;
                }
                tx.commit().await.map_err(backend_err)?;
                Ok(before.is_some())
            }

            async fn claim_due_ksef(&self, now_ms: i64, lease_until_ms: i64, limit: i64) -> StoreResult<Vec<KsefSubmission>> {
                // As claim_due_uploads: the due test is repeated outside the subquery so a row
                // another process claimed meanwhile is skipped on PostgreSQL.
                let rows = ::sqlx::query(
                    "UPDATE ksef_submissions SET next_at_ms = $1, updated_at_ms = $2 \
                     WHERE invoice_id IN (SELECT invoice_id FROM ksef_submissions \
                         WHERE state IN ('waiting', 'sent') AND next_at_ms <= $2 \
                         ORDER BY next_at_ms, queued_at_ms, invoice_id LIMIT $3) \
                     AND state IN ('waiting', 'sent') AND next_at_ms <= $2 RETURNING *",
                )
                .bind(lease_until_ms)
                .bind(now_ms)
                .bind(limit)
                .fetch_all(&self.pool)
                .await
                .map_err(backend_err)?;
                let mut out: Vec<KsefSubmission> = rows.iter().map(submission_from).collect::<StoreResult<_>>()?;
                out.sort_by(|a, b| (a.queued_at_ms, a.invoice_id.as_str()).cmp(&(b.queued_at_ms, b.invoice_id.as_str())));
                Ok(out)
            }

            async fn save_ksef_submission(&self, s: &KsefSubmission, read_at_ms: i64) -> StoreResult<bool> {
                let done = ::sqlx::query(
                    "UPDATE ksef_submissions SET state = $1, xml = $2, attempts = $3, next_at_ms = $4, session_ref = $5, \
                     invoice_ref = $6, ksef_number = $7, acquired_at = $8, invoicing_mode = $9, upo = $10, error = $11, \
                     updated_at_ms = $12, offline_mode = $15, offline_deadline = $16, certificate_link = $17, \
                     corrected_hash = $18 WHERE invoice_id = $13 AND updated_at_ms = $14",
                )
                .bind(s.state.as_str())
                .bind(&s.xml)
                .bind(s.attempts)
                .bind(s.next_at_ms)
                .bind(&s.session_ref)
                .bind(&s.invoice_ref)
                .bind(&s.ksef_number)
                .bind(&s.acquired_at)
                .bind(&s.invoicing_mode)
                .bind(&s.upo)
                .bind(&s.error)
                .bind(s.updated_at_ms)
                .bind(s.invoice_id.as_str())
                .bind(read_at_ms)
                .bind(&s.offline_mode)
                .bind(&s.offline_deadline)
                .bind(&s.certificate_link)
                .bind(&s.corrected_hash)
                .execute(&self.pool)
                .await
                .map_err(backend_err)?;
                Ok(done.rows_affected() == 1)
            }

            async fn reopen_rejected_ksef(
                &self,
                org: &OrganisationId,
                invoice: &InvoiceId,
                document: &str,
                corrected_hash: Option<&str>,
                now_ms: i64,
            ) -> StoreResult<bool> {
                let mut tx = self.pool.begin_with($begin).await.map_err(backend_err)?;
                let reopened = ::sqlx::query(
                    "UPDATE ksef_submissions SET state = 'waiting', xml = NULL, attempts = 0, next_at_ms = $1, \
                     session_ref = NULL, invoice_ref = NULL, error = NULL, updated_at_ms = $1, \
                     certificate_link = NULL, corrected_hash = $4 \
                     WHERE organisation_id = $2 AND invoice_id = $3 AND state = 'rejected'",
                )
                .bind(now_ms)
                .bind(org.as_str())
                .bind(invoice.as_str())
                .bind(corrected_hash)
                .execute(&mut *tx)
                .await
                .map_err(backend_err)?;
                if reopened.rows_affected() != 1 {
                    return Ok(false);
                }
                ::sqlx::query("UPDATE invoices SET document = $1 WHERE organisation_id = $2 AND id = $3")
                    .bind(document)
                    .bind(org.as_str())
                    .bind(invoice.as_str())
                    .execute(&mut *tx)
                    .await
                    .map_err(backend_err)?;
                tx.commit().await.map_err(backend_err)?;
                Ok(true)
            }

            async fn ksef_submissions_of(&self, org: &OrganisationId, invoices: &[InvoiceId]) -> StoreResult<Vec<KsefSubmission>> {
                if invoices.is_empty() {
                    return Ok(Vec::new());
                }
                let mut q = ::sqlx::QueryBuilder::<$db>::new("SELECT * FROM ksef_submissions WHERE organisation_id = ");
                q.push_bind(org.as_str()).push(" AND invoice_id IN (");
                let mut ids = q.separated(", ");
                for id in invoices {
                    ids.push_bind(id.as_str());
                }
                q.push(")");
                let rows = q.build().fetch_all(&self.pool).await.map_err(backend_err)?;
                rows.iter().map(submission_from).collect()
            }

            async fn ksef_backlog(&self, org: Option<&OrganisationId>) -> StoreResult<KsefBacklog> {
                let row = ::sqlx::query(
                    "SELECT \
                       COALESCE(SUM(CASE WHEN state IN ('waiting', 'sent') THEN 1 ELSE 0 END), 0) AS waiting, \
                       MIN(CASE WHEN state IN ('waiting', 'sent') THEN queued_at_ms END) AS oldest, \
                       COALESCE(SUM(CASE WHEN state = 'rejected' THEN 1 ELSE 0 END), 0) AS rejected, \
                       COALESCE(SUM(CASE WHEN offline_mode IS NOT NULL THEN 1 ELSE 0 END), 0) AS offline, \
                       MIN(CASE WHEN offline_mode IS NOT NULL THEN offline_deadline END) AS nearest_deadline \
                     FROM ksef_submissions WHERE (CAST($1 AS TEXT) IS NULL OR organisation_id = $1) \
                       AND state <> 'accepted'",
                )
                .bind(org.map(OrganisationId::as_str))
                .fetch_one(&self.pool)
                .await
                .map_err(backend_err)?;
                Ok(KsefBacklog {
                    waiting: get(&row, "waiting")?,
                    oldest_queued_at_ms: get(&row, "oldest")?,
                    rejected: get(&row, "rejected")?,
                    offline: get(&row, "offline")?,
                    nearest_deadline: get(&row, "nearest_deadline")?,
                })
            }

            async fn settle_offline_deadlines(&self, org: &OrganisationId, mode: &str, deadline: &str) -> StoreResult<u64> {
                let done = ::sqlx::query(
                    "UPDATE ksef_submissions SET offline_deadline = $1 \
                     WHERE organisation_id = $2 AND offline_mode = $3 AND offline_deadline IS NULL",
                )
                .bind(deadline)
                .bind(org.as_str())
                .bind(mode)
                .execute(&self.pool)
                .await
                .map_err(backend_err)?;
                Ok(done.rows_affected())
            }

            async fn ksef_submission(&self, org: &OrganisationId, invoice: &InvoiceId) -> StoreResult<Option<KsefSubmission>> {
                let row = ::sqlx::query("SELECT * FROM ksef_submissions WHERE organisation_id = $1 AND invoice_id = $2")
                    .bind(org.as_str())
                    .bind(invoice.as_str())
                    .fetch_optional(&self.pool)
                    .await
                    .map_err(backend_err)?;
                row.as_ref().map(submission_from).transpose()
            }
        }

        fn submission_from(r: &<$db as ::sqlx::Database>::Row) -> StoreResult<KsefSubmission> {
            let state: String = get(r, "state")?;
            Ok(KsefSubmission {
                invoice_id: InvoiceId::from_stored(get::<String>(r, "invoice_id")?),
                organisation_id: OrganisationId::from_stored(get::<String>(r, "organisation_id")?),
                state: KsefState::parse(&state).ok_or_else(|| StoreError::Corrupt {
                    table: "ksef_submissions",
                    column: "state",
                    message: format!("unknown state {state:?}"),
                })?,
                xml: get(r, "xml")?,
                attempts: get(r, "attempts")?,
                next_at_ms: get(r, "next_at_ms")?,
                session_ref: get(r, "session_ref")?,
                invoice_ref: get(r, "invoice_ref")?,
                ksef_number: get(r, "ksef_number")?,
                acquired_at: get(r, "acquired_at")?,
                invoicing_mode: get(r, "invoicing_mode")?,
                upo: get(r, "upo")?,
                error: get(r, "error")?,
                offline_mode: get(r, "offline_mode")?,
                offline_deadline: get(r, "offline_deadline")?,
                certificate_link: get(r, "certificate_link")?,
                corrected_hash: get(r, "corrected_hash")?,
                queued_at_ms: get(r, "queued_at_ms")?,
                updated_at_ms: get(r, "updated_at_ms")?,
            })
        }
    };
}
