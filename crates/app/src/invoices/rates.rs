//! NBP exchange rates for invoices in foreign currencies: the rate of the last business day
//! before the tax point (art. 31a of the VAT Act), exactly as NBP published it — from NBP's
//! table on record, NBP itself, or, when NBP cannot be asked, a table the organisation
//! loaded itself. A rate of any other day is never used in its place.

use domain::calendar::last_business_day_before;
use domain::{NbpRate, OrderTask, OrganisationId};
use store::{RateOnRecord, StoredRate};

use crate::{App, AppError, CurrentUser, Problem, invalid};

/// A table of rates read from a file, every line checked.
fn parse_rates(file: &str, text: &str) -> Result<Vec<StoredRate>, AppError> {
    let mut rates = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let line = line.trim().trim_start_matches('\u{feff}');
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
        let rate = NbpRate::parse(rate).ok_or_else(|| at("problem-rates-rate", rate))?;
        if table.is_empty() {
            return Err(at("problem-rates-table", line));
        }
        rates.push(StoredRate {
            currency: currency.to_uppercase(),
            effective_date: date.to_string(),
            rate,
            table_no: (*table).to_owned(),
        });
    }
    if rates.is_empty() {
        return Err(invalid("file", Problem::new("problem-rates-empty").arg("file", file)));
    }
    Ok(rates)
}

impl App {
    /// The NBP mid rate of the last business day before `tax_point` (`YYYY-MM-DD`) for the
    /// organisation's invoice: NBP's table of that day when on record, else NBP's answer
    /// (then kept), else — NBP unreachable or silent — the organisation's own table of that
    /// day. Never an older day's rate: without the right one the invoice waits, saying
    /// which table it needs.
    pub async fn exchange_rate(
        &self,
        org: &OrganisationId,
        currency: &str,
        tax_point: &str,
    ) -> Result<domain::ExchangeRate, AppError> {
        let date: jiff::civil::Date = tax_point
            .parse()
            .map_err(|_| invalid("date", Problem::new("problem-not-a-date").arg("value", tax_point)))?;
        let required = last_business_day_before(date).to_string();
        let as_rate = |r: StoredRate| domain::ExchangeRate {
            rate: r.rate,
            table: r.table_no,
            date: r.effective_date,
        };
        // A table between the required day and the tax point can only be NBP's own word
        // that it published on a day the calendar takes for a holiday: NBP decides.
        if let Some(r) = self.store.rate_between(currency, &required, tax_point).await? {
            return Ok(as_rate(r));
        }
        if let Some(nbp) = &self.nbp {
            match nbp.rate_before(currency, date).await {
                Ok(r) => {
                    let saved = StoredRate {
                        currency: r.currency,
                        effective_date: r.effective_date.to_string(),
                        rate: r.rate,
                        table_no: r.table,
                    };
                    self.store.save_rates(std::slice::from_ref(&saved)).await?;
                    if saved.effective_date < required {
                        // NBP's latest table is older than the calendar expects: NBP
                        // did not publish that day (a holiday the calendar lacks).
                        tracing::warn!(currency, required, used = %saved.effective_date, "NBP's latest table is older than the last business day");
                    }
                    return Ok(as_rate(saved));
                }
                Err(nbp_client::NbpError::NoRate { .. }) => {}
                Err(e) => {
                    tracing::warn!(error = %e, currency, "NBP unreachable; looking for the organisation's own table")
                }
            }
        }
        if let Some(r) = self
            .store
            .organisation_rate_between(org, currency, &required, tax_point)
            .await?
        {
            return Ok(as_rate(r));
        }
        Err(invalid(
            "currency",
            Problem::new("problem-nbp-rate-missing")
                .arg("currency", currency.to_uppercase())
                .arg("day", required),
        ))
    }

    /// Stores NBP's table from a file for every organisation (the operator's
    /// `allegro-bridge rates load`; `currency;YYYY-MM-DD;rate;table` per line, `#`
    /// comments); every line is checked first and a bad file stores nothing. Invoices
    /// waiting for a rate try again at once.
    pub async fn load_rates(&self, file: &str, text: &str) -> Result<usize, AppError> {
        let rates = parse_rates(file, text)?;
        self.store.save_rates(&rates).await?;
        self.store
            .retry_order_tasks(None, OrderTask::Invoice, self.now_ms())
            .await?;
        Ok(rates.len())
    }

    /// Stores a table the organisation loaded itself (Faktury → Kursy NBP) for its own
    /// invoices only, all lines or none; its invoices waiting for a rate try again at once.
    pub async fn load_organisation_rates(&self, user: &CurrentUser, file: &str, text: &str) -> Result<usize, AppError> {
        let rates = parse_rates(file, text)?;
        let org = &user.organisation_id;
        self.store
            .save_organisation_rates(org, &rates, file, self.now_ms())
            .await?;
        self.store
            .retry_order_tasks(Some(org), OrderTask::Invoice, self.now_ms())
            .await?;
        Ok(rates.len())
    }

    /// The newest rates the organisation's invoices can use, newest day first.
    pub async fn rates_on_record(&self, user: &CurrentUser, limit: i64) -> Result<Vec<RateOnRecord>, AppError> {
        Ok(self.store.rates_on_record(&user.organisation_id, limit).await?)
    }

    /// The NBP tables the organisation's invoices wait for: (currency, day, how many).
    pub async fn rates_missing(&self, org: &OrganisationId) -> Result<Vec<(String, String, i64)>, AppError> {
        let mut missing: Vec<(String, String, i64)> = Vec::new();
        for error in self
            .store
            .order_task_failure_errors(org, OrderTask::Invoice, 1_000)
            .await?
        {
            let Some(p) = Problem::from_stored(&error).filter(|p| p.key == "problem-nbp-rate-missing") else {
                continue;
            };
            let (currency, day) = (p.arg_text("currency"), p.arg_text("day"));
            match missing.iter_mut().find(|(c, d, _)| *c == currency && *d == day) {
                Some(entry) => entry.2 += 1,
                None => missing.push((currency, day, 1)),
            }
        }
        missing.sort();
        Ok(missing)
    }
}
