//! The SQL of RateStore (see [`crate::rates`]), written once for both backends.

/// Implements [`crate::RateStore`] for `$store`; expanded by [`crate::impl_sql_storage`]
/// beside the shared helpers.
#[doc(hidden)]
#[macro_export]
macro_rules! sql_rates {
    ($store:ty, $db:ty, $backend:literal, $claim_sql:expr, $begin:literal) => {
        fn rate_from(r: &<$db as ::sqlx::Database>::Row, table: &'static str) -> StoreResult<StoredRate> {
            let units: i64 = get(r, "rate_units")?;
            let scale: i64 = get(r, "rate_scale")?;
            let rate = u32::try_from(scale)
                .ok()
                .and_then(|s| NbpRate::from_parts(units, s))
                .ok_or_else(|| StoreError::Corrupt {
                    table,
                    column: "rate_units",
                    message: format!("{units} with {scale} decimals is not a rate"),
                })?;
            Ok(StoredRate {
                currency: get(r, "currency")?,
                effective_date: get(r, "effective_date")?,
                rate,
                table_no: get(r, "table_no")?,
            })
        }

        #[::async_trait::async_trait]
        impl RateStore for $store {
            async fn save_rates(&self, rates: &[StoredRate]) -> StoreResult<()> {
                let mut tx = self.pool.begin_with($begin).await.map_err(backend_err)?;
                for r in rates {
                    let (units, scale) = r.rate.parts();
                    ::sqlx::query(
                        "INSERT INTO exchange_rates (currency, effective_date, rate_units, rate_scale, table_no) \
                         VALUES ($1, $2, $3, $4, $5) ON CONFLICT (currency, effective_date) \
                         DO UPDATE SET rate_units = $3, rate_scale = $4, table_no = $5",
                    )
                    .bind(r.currency.to_uppercase())
                    .bind(&r.effective_date)
                    .bind(units)
                    .bind(i64::from(scale))
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
                row.map(|r| rate_from(&r, "exchange_rates")).transpose()
            }

            async fn save_organisation_rates(
                &self,
                org: &OrganisationId,
                rates: &[StoredRate],
                file_name: &str,
                now_ms: i64,
            ) -> StoreResult<()> {
                let mut tx = self.pool.begin_with($begin).await.map_err(backend_err)?;
                for r in rates {
                    let (units, scale) = r.rate.parts();
                    ::sqlx::query(
                        "INSERT INTO organisation_rates (organisation_id, currency, effective_date, rate_units, rate_scale, \
                         table_no, file_name, loaded_at_ms) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) \
                         ON CONFLICT (organisation_id, currency, effective_date) \
                         DO UPDATE SET rate_units = $4, rate_scale = $5, table_no = $6, file_name = $7, loaded_at_ms = $8",
                    )
                    .bind(org.as_str())
                    .bind(r.currency.to_uppercase())
                    .bind(&r.effective_date)
                    .bind(units)
                    .bind(i64::from(scale))
                    .bind(&r.table_no)
                    .bind(file_name)
                    .bind(now_ms)
                    .execute(&mut *tx)
                    .await
                    .map_err(backend_err)?;
                }
                tx.commit().await.map_err(backend_err)?;
                Ok(())
            }

            async fn organisation_rate_between(
                &self,
                org: &OrganisationId,
                currency: &str,
                from: &str,
                before: &str,
            ) -> StoreResult<Option<StoredRate>> {
                let row = ::sqlx::query(
                    "SELECT * FROM organisation_rates WHERE organisation_id = $1 AND currency = $2 \
                     AND effective_date >= $3 AND effective_date < $4 ORDER BY effective_date DESC LIMIT 1",
                )
                .bind(org.as_str())
                .bind(currency.to_uppercase())
                .bind(from)
                .bind(before)
                .fetch_optional(&self.pool)
                .await
                .map_err(backend_err)?;
                row.map(|r| rate_from(&r, "organisation_rates")).transpose()
            }

            async fn rates_on_record(&self, org: &OrganisationId, limit: i64) -> StoreResult<Vec<RateOnRecord>> {
                let rows = ::sqlx::query(
                    "SELECT currency, effective_date, rate_units, rate_scale, table_no, NULL AS file_name \
                     FROM exchange_rates \
                     UNION ALL \
                     SELECT currency, effective_date, rate_units, rate_scale, table_no, file_name \
                     FROM organisation_rates WHERE organisation_id = $1 \
                     ORDER BY effective_date DESC, currency LIMIT $2",
                )
                .bind(org.as_str())
                .bind(limit)
                .fetch_all(&self.pool)
                .await
                .map_err(backend_err)?;
                rows.iter()
                    .map(|r| {
                        Ok(RateOnRecord {
                            rate: rate_from(r, "exchange_rates")?,
                            own_file: get(r, "file_name")?,
                        })
                    })
                    .collect()
            }
        }
    };
}
