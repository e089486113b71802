//! NBP exchange rates for invoices in foreign currencies: the rate of the last business day
//! before the tax point (art. 31a of the VAT Act), from the store, NBP or a file.

use crate::{App, AppError, Problem, invalid};

impl App {
    /// The NBP mid rate of the last business day before `tax_point` (`YYYY-MM-DD`): the
    /// stored one when it is the day before, else NBP's (then stored), else the latest
    /// stored in the ten days before when NBP cannot be reached.
    pub async fn exchange_rate(&self, currency: &str, tax_point: &str) -> Result<domain::ExchangeRate, AppError> {
        let date: jiff::civil::Date = tax_point
            .parse()
            .map_err(|_| invalid("date", Problem::new("problem-not-a-date").arg("value", tax_point)))?;
        let day_before = date.yesterday().map_err(|e| AppError::Internal(e.into()))?.to_string();
        let window_start = date
            .checked_sub(jiff::Span::new().days(10))
            .map_err(|e| AppError::Internal(e.into()))?
            .to_string();
        let stored = self.store.rate_between(currency, &window_start, tax_point).await?;
        let as_rate = |r: store::StoredRate| domain::ExchangeRate {
            rate_e4: r.rate_e4,
            table: r.table_no,
            date: r.effective_date,
        };
        if let Some(r) = stored.clone().filter(|r| r.effective_date == day_before) {
            return Ok(as_rate(r));
        }
        let missing = || {
            invalid(
                "currency",
                Problem::new("problem-nbp-rate-missing")
                    .arg("currency", currency)
                    .arg("day", tax_point),
            )
        };
        let Some(nbp) = &self.nbp else {
            return stored.map(as_rate).ok_or_else(missing);
        };
        match nbp.rate_before(currency, date).await {
            Ok(r) => {
                let saved = store::StoredRate {
                    currency: r.currency,
                    effective_date: r.effective_date.to_string(),
                    rate_e4: r.rate_e4,
                    table_no: r.table,
                };
                self.store.save_rates(std::slice::from_ref(&saved)).await?;
                Ok(as_rate(saved))
            }
            Err(nbp_client::NbpError::NoRate { .. }) => Err(missing()),
            Err(e) => {
                tracing::warn!(error = %e, "NBP unreachable; using the latest stored rate");
                stored.map(as_rate).ok_or_else(missing)
            }
        }
    }

    /// Stores NBP rates from a file (`currency;YYYY-MM-DD;rate;table` per line, `#`
    /// comments); every line is checked first and a bad file stores nothing.
    pub async fn load_rates(&self, file: &str, text: &str) -> Result<usize, AppError> {
        let mut rates = Vec::new();
        for (n, line) in text.lines().enumerate() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let at = |key: &str, value: &str| {
                invalid(
                    "file",
                    Problem::new(key)
                        .arg("file", file)
                        .arg("line", n + 1)
                        .arg("value", value),
                )
            };
            let parts: Vec<&str> = line.split(';').map(str::trim).collect();
            let [currency, date, rate, table] = parts.as_slice() else {
                return Err(at("problem-rates-format", line));
            };
            if currency.len() != 3 || !currency.bytes().all(|b| b.is_ascii_alphabetic()) {
                return Err(at("problem-rates-currency", currency));
            }
            let date: jiff::civil::Date = date.parse().map_err(|_| at("problem-rates-date", date))?;
            let rate_e4 = nbp_client::parse_rate_e4(&rate.replace(',', "."))
                .filter(|r| *r > 0)
                .ok_or_else(|| at("problem-rates-rate", rate))?;
            rates.push(store::StoredRate {
                currency: currency.to_uppercase(),
                effective_date: date.to_string(),
                rate_e4,
                table_no: (*table).to_owned(),
            });
        }
        self.store.save_rates(&rates).await?;
        Ok(rates.len())
    }
}
