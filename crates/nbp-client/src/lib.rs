//! NBP table-A mid rates (`api.nbp.pl`), as art. 31a of the VAT act needs them: the rate
//! of the last business day before the tax point. Asking for the ten days before the date
//! and taking the latest avoids keeping a calendar of Polish holidays
//! (`research/invoicing.md` §4.2).
#![forbid(unsafe_code)]

use std::time::Duration;

use jiff::civil::Date;
use serde::Deserialize;

/// A mid rate: PLN per one unit of the currency.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MidRate {
    /// Currency code (`EUR`).
    pub currency: String,
    /// Table number (`226/A/NBP/2026`).
    pub table: String,
    /// The day the table applies to.
    pub effective_date: Date,
    /// The rate exactly as NBP published it (four decimals for most currencies, six for
    /// the forint).
    pub rate: domain::NbpRate,
}

/// Why no rate came back.
#[derive(Debug, thiserror::Error)]
pub enum NbpError {
    /// NBP has no table in the ten days before the date (404 "Brak danych").
    #[error("NBP published no {currency} rate in the ten days before {date}")]
    NoRate {
        /// Currency.
        currency: String,
        /// The tax point.
        date: Date,
    },
    /// The service could not be reached or answered an error.
    #[error("NBP could not be asked for the {currency} rate")]
    Unavailable {
        /// Currency.
        currency: String,
        /// Cause.
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
    /// The answer did not have the documented shape.
    #[error("NBP's answer for {currency} could not be read: {message}")]
    Malformed {
        /// Currency.
        currency: String,
        /// What was wrong.
        message: String,
    },
}

#[derive(Deserialize)]
struct Series {
    code: String,
    rates: Vec<Entry>,
}

#[derive(Deserialize)]
struct Entry {
    no: String,
    #[serde(rename = "effectiveDate")]
    effective_date: String,
    mid: serde_json::Number,
}

/// The NBP Web API client.
#[derive(Debug, Clone)]
pub struct NbpClient {
    http: reqwest::Client,
    base: String,
}

impl NbpClient {
    /// A client of `base` (`https://api.nbp.pl`).
    pub fn new(base: &str) -> Self {
        Self {
            http: reqwest::Client::builder()
                .timeout(Duration::from_secs(10))
                .build()
                .unwrap_or_default(),
            base: base.trim_end_matches('/').to_owned(),
        }
    }

    /// The mid rate of the last business day before `date` (art. 31a ust. 1).
    pub async fn rate_before(&self, currency: &str, date: Date) -> Result<MidRate, NbpError> {
        let code = currency.to_ascii_uppercase();
        let unavailable = |e: Box<dyn std::error::Error + Send + Sync>| NbpError::Unavailable {
            currency: code.clone(),
            source: e,
        };
        let start = date
            .checked_sub(jiff::Span::new().days(10))
            .map_err(|e| unavailable(Box::new(e)))?;
        let end = date
            .checked_sub(jiff::Span::new().days(1))
            .map_err(|e| unavailable(Box::new(e)))?;
        let url = format!(
            "{}/api/exchangerates/rates/a/{}/{start}/{end}/?format=json",
            self.base,
            code.to_ascii_lowercase()
        );
        let response = self
            .http
            .get(&url)
            .header("accept", "application/json")
            .send()
            .await
            .map_err(|e| unavailable(Box::new(e)))?;
        if response.status() == reqwest::StatusCode::NOT_FOUND {
            return Err(NbpError::NoRate { currency: code, date });
        }
        let response = response.error_for_status().map_err(|e| unavailable(Box::new(e)))?;
        let series: Series = response.json().await.map_err(|e| NbpError::Malformed {
            currency: code.clone(),
            message: e.to_string(),
        })?;
        let malformed = |message: String| NbpError::Malformed {
            currency: code.clone(),
            message,
        };
        if !series.code.eq_ignore_ascii_case(&code) {
            return Err(malformed(format!("asked for {code}, got {}", series.code)));
        }
        let mut best: Option<MidRate> = None;
        for e in series.rates {
            let day: Date = e
                .effective_date
                .parse()
                .map_err(|_| malformed(format!("{:?} is not a date", e.effective_date)))?;
            if day >= date {
                continue;
            }
            // Read from the JSON number's text, never through a float's arithmetic.
            let rate = domain::NbpRate::parse(&e.mid.to_string())
                .ok_or_else(|| malformed(format!("{} is not a rate", e.mid)))?;
            if best.as_ref().is_none_or(|b| day > b.effective_date) {
                best = Some(MidRate {
                    currency: code.clone(),
                    table: e.no,
                    effective_date: day,
                    rate,
                });
            }
        }
        best.ok_or(NbpError::NoRate { currency: code, date })
    }
}
