//! The SQL of RateStore (see [`crate::rates`]), written once for both backends.

/// Implements [`crate::RateStore`] for `$store`; expanded by [`crate::impl_sql_storage`]
/// beside the shared helpers.
#[doc(hidden)]
#[macro_export]
macro_rules! sql_rates {
    ($store:ty, $db:ty, $backend:literal, $claim_sql:expr, $begin:literal) => {
        #[::async_trait::async_trait]
        impl RateStore for $store {
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
        }
    };
}
