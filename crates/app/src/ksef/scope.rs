//! Which invoices go to KSeF (`research/invoicing.md` §1, §6).

use domain::Invoice;
use store::KsefSettingsRecord;

/// Whether `invoice` goes to KSeF: every invoice to a business (a Polish NIP or a VAT-EU
/// number) — mandatory since 2026 (art. 106ga) — and consumer invoices when the seller
/// chose to send them too (voluntary, art. 106ga ust. 2 pkt 4); never an OSS sale (outside
/// KSeF); nothing issued before the day the seller set sending to start. Without KSeF
/// settings a business invoice is still queued: it is mandatory, and waits for the token.
pub(crate) fn goes_to_ksef(invoice: &Invoice, settings: Option<&KsefSettingsRecord>) -> bool {
    if invoice.oss_country().is_some() {
        return false;
    }
    let business = invoice.buyer.nip.is_some() || invoice.buyer.vat_eu.is_some();
    let consumer_too = settings.is_some_and(|s| s.send_consumer);
    let started = settings
        .and_then(|s| s.send_from.as_deref())
        .is_none_or(|from| invoice.issue_date.as_str() >= from);
    (business || consumer_too) && started
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings(send_consumer: bool, send_from: Option<&str>) -> KsefSettingsRecord {
        KsefSettingsRecord {
            send_consumer,
            send_from: send_from.map(str::to_owned),
            ..KsefSettingsRecord::never_saved(&domain::OrganisationId::from_stored("o".into()))
        }
    }

    #[test]
    fn businesses_always_consumers_by_choice_oss_never() {
        let samples = testkit::sample_invoices();
        let of = |name: &str| samples.iter().find(|(n, _)| *n == name).unwrap().1.clone();
        let (b2b, b2c, wdt, oss) = (of("b2b"), of("b2c"), of("wdt"), of("oss"));
        let cases = [
            (&b2b, None, true),
            (&b2b, Some(settings(false, None)), true),
            (&b2b, Some(settings(false, Some("2026-11-24"))), false),
            (&b2b, Some(settings(false, Some("2026-11-23"))), true),
            (&wdt, None, true),
            (&b2c, None, false),
            (&b2c, Some(settings(false, None)), false),
            (&b2c, Some(settings(true, None)), true),
            (&oss, Some(settings(true, None)), false),
        ];
        for (invoice, s, expected) in cases {
            assert_eq!(
                goes_to_ksef(invoice, s.as_ref()),
                expected,
                "{} {s:?}",
                invoice.buyer.name
            );
        }
    }
}
