//! The orders list's query, shared by the UI (`/orders?…`) and the API
//! (`/api/v1/orders?…`): one set of names, one parser, one set of messages.

use app::Problem;
use serde::Deserialize;
use store::{OrderFilter, OrderSort};

/// The orders list's parameters as they arrive; empty values mean "any".
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OrderParams {
    /// Linked account id.
    pub account: Option<String>,
    /// Allegro status.
    pub status: Option<String>,
    /// Fulfillment status.
    pub fulfillment_status: Option<String>,
    /// Marketplace (`allegro-pl`, `allegro-cz`…).
    pub marketplace: Option<String>,
    /// Buyer login.
    pub buyer: Option<String>,
    /// Purchase date from, `YYYY-MM-DD`, inclusive.
    pub from: Option<String>,
    /// Purchase date to, `YYYY-MM-DD`, inclusive.
    pub to: Option<String>,
    /// `yes`: the buyer asked for an invoice; `no`: did not.
    pub invoice: Option<String>,
    /// One of [`OrderSort::ALL`]'s words.
    pub sort: Option<String>,
    /// UI page (0-based).
    pub page: Option<i64>,
    /// API offset.
    pub offset: Option<i64>,
    /// API page size.
    pub limit: Option<i64>,
}

/// Marketplaces orders come from.
pub const MARKETPLACES: [&str; 4] = ["allegro-pl", "allegro-cz", "allegro-sk", "allegro-hu"];

impl OrderParams {
    /// The filter these parameters ask for, or the field that is wrong and why.
    pub fn filter(&self) -> Result<OrderFilter, (&'static str, Problem)> {
        let one_of = |field: &'static str, v: Option<String>, allowed: &[&str]| match v {
            Some(v) if !allowed.contains(&v.as_str()) => Err((field, Problem::not_one_of(&v, allowed))),
            v => Ok(v),
        };
        // Polish calendar days: a purchase at 23:30 on the 31st in Warsaw belongs to the 31st.
        let day = |field: &'static str, v: Option<String>| {
            v.map(|raw| {
                domain::time::parse_day(&raw)
                    .map_err(|_| (field, Problem::new("problem-not-a-date").arg("value", &raw)))
            })
            .transpose()
        };
        let account = crate::input::nonempty(&self.account)
            .map(|raw| {
                raw.parse()
                    .map_err(|_| ("account", Problem::new("problem-account-id").arg("value", &raw)))
            })
            .transpose()?;
        let from = day("from", crate::input::nonempty(&self.from))?;
        let to = day("to", crate::input::nonempty(&self.to))?;
        if let (Some(f), Some(t)) = (from, to)
            && t < f
        {
            return Err(("to", Problem::new("problem-range-reversed")));
        }
        Ok(OrderFilter {
            account_id: account,
            status: one_of(
                "status",
                crate::input::nonempty(&self.status),
                &domain::OrderStatus::known_words(),
            )?
            .map(|s| domain::OrderStatus::from_word(&s)),
            fulfillment_status: one_of(
                "fulfillment_status",
                crate::input::nonempty(&self.fulfillment_status),
                &domain::FulfillmentStatus::ALL
                    .iter()
                    .map(|s| s.as_str())
                    .collect::<Vec<_>>(),
            )?,
            marketplace: crate::input::nonempty(&self.marketplace),
            buyer_login: crate::input::nonempty(&self.buyer),
            bought_from_ms: from.map(domain::time::polish_day_start_ms),
            bought_to_ms: to.map(domain::time::polish_day_end_ms),
            needs_invoice: match crate::input::nonempty(&self.invoice).as_deref() {
                None => None,
                Some("yes") => Some(true),
                Some("no") => Some(false),
                Some(other) => return Err(("invoice", Problem::not_one_of(other, &["yes", "no"]))),
            },
            sort: match crate::input::nonempty(&self.sort) {
                None => OrderSort::default(),
                Some(w) => OrderSort::parse(&w).ok_or_else(|| {
                    let words: Vec<&str> = OrderSort::ALL.iter().map(|(_, w)| *w).collect();
                    ("sort", Problem::not_one_of(&w, &words))
                })?,
            },
        })
    }

    /// The UI query string of these filters at `page` (empty filters left out).
    pub fn query_string(&self, page: Option<i64>) -> String {
        let mut q = url::form_urlencoded::Serializer::new(String::new());
        for (k, v) in [
            ("account", &self.account),
            ("status", &self.status),
            ("fulfillment_status", &self.fulfillment_status),
            ("marketplace", &self.marketplace),
            ("buyer", &self.buyer),
            ("from", &self.from),
            ("to", &self.to),
            ("invoice", &self.invoice),
            ("sort", &self.sort),
        ] {
            if let Some(v) = crate::input::nonempty(v) {
                q.append_pair(k, &v);
            }
        }
        if let Some(p) = page {
            q.append_pair("page", &p.to_string());
        }
        q.finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_names_the_wrong_field() {
        let ok = OrderParams {
            status: Some("READY_FOR_PROCESSING".into()),
            invoice: Some("yes".into()),
            sort: Some("total_desc".into()),
            from: Some("2026-11-01".into()),
            to: Some("2026-11-02".into()),
            buyer: Some("  ".into()),
            ..OrderParams::default()
        };
        let f = ok.filter().unwrap();
        assert_eq!(f.needs_invoice, Some(true));
        assert_eq!(f.sort, OrderSort::TotalDesc);
        assert_eq!(f.buyer_login, None);
        assert_eq!(f.bought_to_ms.unwrap() - f.bought_from_ms.unwrap(), 2 * 86_400_000);
        for (params, field) in [
            (
                OrderParams {
                    status: Some("PAID".into()),
                    ..OrderParams::default()
                },
                "status",
            ),
            (
                OrderParams {
                    sort: Some("price".into()),
                    ..OrderParams::default()
                },
                "sort",
            ),
            (
                OrderParams {
                    invoice: Some("maybe".into()),
                    ..OrderParams::default()
                },
                "invoice",
            ),
            (
                OrderParams {
                    from: Some("2026-13-01".into()),
                    ..OrderParams::default()
                },
                "from",
            ),
            (
                OrderParams {
                    to: Some("2026-02-31".into()),
                    ..OrderParams::default()
                },
                "to",
            ),
            (
                OrderParams {
                    account: Some("x".into()),
                    ..OrderParams::default()
                },
                "account",
            ),
            (
                OrderParams {
                    from: Some("2026-11-02".into()),
                    to: Some("2026-11-01".into()),
                    ..OrderParams::default()
                },
                "to",
            ),
        ] {
            assert_eq!(params.filter().unwrap_err().0, field);
        }
        assert_eq!(
            ok.query_string(Some(2)),
            "status=READY_FOR_PROCESSING&from=2026-11-01&to=2026-11-02&invoice=yes&sort=total_desc&page=2"
        );
    }
}
