//! The invoices list's query, shared by the UI (`/invoices?…`) and the API
//! (`/api/v1/invoices?…`): one set of names, one parser, one set of messages.

use app::Problem;
use domain::InvoiceKind;

use serde::Deserialize;
use store::{InvoiceFilter, UploadState};

/// The invoices list's parameters as they arrive; empty values mean "any".
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InvoiceParams {
    /// Part of the number.
    pub number: Option<String>,
    /// Part of the buyer's name.
    pub buyer: Option<String>,
    /// `vat` or `correction`.
    pub kind: Option<String>,
    /// Issued from, `YYYY-MM-DD`, inclusive.
    pub from: Option<String>,
    /// Issued to, `YYYY-MM-DD`, inclusive.
    pub to: Option<String>,
    /// Upload to Allegro: `pending`, `uploaded`, `refused`, `not_applicable`.
    pub allegro: Option<String>,
    /// KSeF: `waiting`, `sent`, `accepted`, `rejected`, `outside`.
    pub ksef: Option<String>,
    /// API offset.
    pub offset: Option<i64>,
    /// API page size.
    pub limit: Option<i64>,
}
/// Upload states, as the filter names them.
pub const UPLOAD_STATES: [UploadState; 4] = [
    UploadState::Pending,
    UploadState::Uploaded,
    UploadState::Refused,
    UploadState::NotApplicable,
];

impl InvoiceParams {
    /// The filter these parameters ask for, or the field that is wrong and why.
    pub fn filter(&self) -> Result<InvoiceFilter, (&'static str, Problem)> {
        let day = |field: &'static str, v: Option<String>| {
            v.map(|raw| {
                raw.parse::<jiff::civil::Date>()
                    .map(|d| d.to_string())
                    .map_err(|_| (field, Problem::new("problem-not-a-date").arg("value", &raw)))
            })
            .transpose()
        };
        let from = day("from", crate::input::nonempty(&self.from))?;
        let to = day("to", crate::input::nonempty(&self.to))?;
        if let (Some(f), Some(t)) = (&from, &to)
            && t < f
        {
            return Err(("to", Problem::new("problem-range-reversed")));
        }
        let kind = crate::input::nonempty(&self.kind)
            .map(|k| {
                k.parse::<InvoiceKind>().map_err(|_| {
                    let words: Vec<&str> = InvoiceKind::ALL.iter().map(|k| k.as_str()).collect();
                    ("kind", Problem::not_one_of(&k, &words))
                })
            })
            .transpose()?;
        let upload = crate::input::nonempty(&self.allegro)
            .map(|raw| {
                raw.parse::<UploadState>().map_err(|_| {
                    let words: Vec<_> = UPLOAD_STATES.iter().map(|s| s.as_str()).collect();
                    ("allegro", Problem::not_one_of(&raw, &words))
                })
            })
            .transpose()?;
        let ksef = crate::input::nonempty(&self.ksef)
            .map(|raw| {
                store::KsefFilter::parse(&raw).ok_or_else(|| {
                    let words: Vec<_> = store::KsefFilter::ALL.iter().map(|s| s.as_str()).collect();
                    ("ksef", Problem::not_one_of(&raw, &words))
                })
            })
            .transpose()?;
        Ok(InvoiceFilter {
            number: crate::input::nonempty(&self.number).unwrap_or_default(),
            buyer: crate::input::nonempty(&self.buyer).unwrap_or_default(),
            kind,
            from,
            to,
            upload,
            ksef,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_names_the_wrong_field() {
        let p = InvoiceParams {
            number: Some(" FV/1 ".into()),
            kind: Some("correction".into()),
            from: Some("2026-11-01".into()),
            allegro: Some("refused".into()),
            ..InvoiceParams::default()
        };
        let f = p.filter().unwrap();
        assert_eq!(f.number, "FV/1");
        assert_eq!(f.upload, Some(UploadState::Refused));
        assert_eq!(f.from.as_deref(), Some("2026-11-01"));
        let bad = |p: InvoiceParams| p.filter().unwrap_err().0;
        assert_eq!(
            bad(InvoiceParams {
                kind: Some("proforma".into()),
                ..Default::default()
            }),
            "kind"
        );
        assert_eq!(
            bad(InvoiceParams {
                from: Some("2026-13-01".into()),
                ..Default::default()
            }),
            "from"
        );
        assert_eq!(
            bad(InvoiceParams {
                from: Some("2026-11-02".into()),
                to: Some("2026-11-01".into()),
                ..Default::default()
            }),
            "to"
        );
        assert_eq!(
            bad(InvoiceParams {
                allegro: Some("sent".into()),
                ..Default::default()
            }),
            "allegro"
        );
    }
}
