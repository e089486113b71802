//! What an invoice reads from Allegro's order: the buyer (a company with its NIP or VAT-EU
//! number, or a person), which kind of supply it is (domestic, intra-Community, OSS) and
//! each line's VAT rate.

use allegro_client::types::{CheckoutForm, CheckoutFormLineItemTax};
use domain::{InvoicingProfile, Nip, OssRate, Party, VatRate};

use crate::{AppError, Problem, invalid};

/// How the sale is taxed, which decides every line's rate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Supply {
    /// Polish VAT at the offers' rates.
    Domestic,
    /// An intra-Community supply of goods at 0 % (WDT, art. 42).
    IntraEu,
    /// A distance sale to a consumer in this member state, taxed there in OSS.
    Oss(String),
}

/// The kind of supply, from the seller's profile and the order. WDT only when the seller
/// enabled it, the buyer names itself by a VAT-EU number Allegro verified
/// (`invoice.features` `VAT_EU_VERIFIED`, art. 42 ust. 1 pkt 2: a valid number when the
/// supply is made) and the goods go to another member state (art. 42 ust. 1 pkt 1) — an
/// unverified number, or goods left in Poland, keep Polish VAT, the conservative choice. OSS
/// only for a consumer (no NIP, no VAT-EU number) whose goods go to another member state,
/// when the seller chose OSS.
pub(crate) fn supply_of(form: &CheckoutForm, buyer: &Party, profile: &InvoicingProfile) -> Supply {
    let destination = form
        .delivery
        .as_ref()
        .and_then(|d| d.address.as_ref())
        .map(|a| a.country_code.to_uppercase())
        .unwrap_or_else(|| buyer.country.to_uppercase());
    let abroad_in_eu = destination != "PL" && domain::EuVatNumber::is_member_state(&destination);
    let verified = form
        .invoice
        .as_ref()
        .and_then(|i| i.features.as_ref())
        .is_some_and(|f| f.iter().any(|f| f == "VAT_EU_VERIFIED"));
    if profile.intra_eu_supply && buyer.vat_eu.is_some() && verified && abroad_in_eu {
        Supply::IntraEu
    } else if profile.oss && buyer.nip.is_none() && buyer.vat_eu.is_none() && abroad_in_eu {
        Supply::Oss(destination)
    } else {
        Supply::Domestic
    }
}

/// A line's rate for `supply`: 0 % WDT on every line of an intra-Community supply; in OSS
/// the rate Allegro gives, which must be one of the consumer's country's rates (never a
/// Polish rate or a guess); otherwise [`line_rate`].
pub(crate) fn supply_rate(
    supply: &Supply,
    tax: Option<&CheckoutFormLineItemTax>,
    default: VatRate,
    item: &str,
) -> Result<VatRate, AppError> {
    match supply {
        Supply::Domestic => line_rate(tax, default, item),
        Supply::IntraEu => Ok(VatRate::IntraEuSupply),
        Supply::Oss(country) => {
            let Some(rates) = domain::oss::rates_of(country) else {
                return Err(invalid(
                    "vat_rate",
                    Problem::new("problem-oss-country-unknown").arg("country", country.as_str()),
                ));
            };
            let rate = tax.and_then(|t| t.rate.as_deref()).unwrap_or("");
            OssRate::parse(country, rate).map(VatRate::Oss).ok_or_else(|| {
                let known: Vec<String> = rates
                    .iter()
                    .map(|r| domain::decimal_text(i64::from(*r)).trim_end_matches(".00").to_owned())
                    .collect();
                invalid(
                    "vat_rate",
                    Problem::new("problem-oss-rate-unexpected")
                        .arg("rate", if rate.is_empty() { "—" } else { rate })
                        .arg("country", country.as_str())
                        .arg("item", item)
                        .arg("rates", known.join(", ")),
                )
            })
        }
    }
}

/// The line's VAT rate as Allegro gives it (`tax.rate` "23.00"), else the account's default.
/// A rate Allegro gives that is not a Polish one (21 % set for allegro.cz, say) stops the
/// invoice with the rate and the item named: it is never replaced by a Polish rate in
/// silence (the seller either charges Polish VAT, or uses OSS, which is not done yet).
pub(crate) fn line_rate(
    tax: Option<&CheckoutFormLineItemTax>,
    default: VatRate,
    item: &str,
) -> Result<VatRate, AppError> {
    let Some(tax) = tax else { return Ok(default) };
    if let Some(ex) = tax.exemption.as_deref() {
        return Ok(if ex.eq_ignore_ascii_case("np") {
            VatRate::NotSubject
        } else {
            VatRate::Exempt
        });
    }
    let Some(rate) = tax.rate.as_deref() else {
        return Ok(default);
    };
    VatRate::parse_polish(rate.trim_end_matches(".00")).map_err(|_| {
        invalid(
            "vat_rate",
            Problem::new("problem-vat-rate-unexpected")
                .arg("rate", rate)
                .arg("item", item),
        )
    })
}

/// The buyer of a stored order as an invoice names them now (the order as last synced).
pub(crate) async fn buyer_of_order(
    app: &crate::App,
    user: &crate::CurrentUser,
    order_id: &domain::OrderId,
) -> Result<Party, AppError> {
    let order = app.order(user, order_id).await?;
    Ok(buyer_of(&crate::orders::checkout_form(&order)?))
}

/// The buyer as the invoice names them: the company with its NIP when the invoice address
/// has one (`invoice.address.company.ids` PL_NIP), otherwise the person.
pub(crate) fn buyer_of(form: &CheckoutForm) -> Party {
    if let Some(addr) = form.invoice.as_ref().and_then(|i| i.address.as_ref()) {
        let nip = addr
            .company
            .as_ref()
            .and_then(|c| c.ids.as_ref())
            .and_then(|ids| ids.iter().find(|id| id.id_type.as_str() == "PL_NIP"))
            .and_then(|id| id.value.parse::<Nip>().ok());
        // A business elsewhere in the EU is named by its VAT-EU number (KodUE + NrVatUE),
        // never dropped to a consumer: Allegro gives it as VAT_EU, or as the Czech DIČ /
        // Slovak IČ DPH, which are the same numbers.
        let vat_eu = nip.is_none().then(|| {
            addr.company
                .as_ref()
                .and_then(|c| c.ids.as_ref())
                .into_iter()
                .flatten()
                .filter(|id| ["VAT_EU", "CZ_DIC", "SK_IC_DPH"].contains(&id.id_type.as_str()))
                .find_map(|id| domain::EuVatNumber::parse(&id.value))
        });
        let name = match (&addr.company, &addr.natural_person) {
            (Some(c), _) => c.name.clone(),
            (None, Some(p)) => format!("{} {}", p.first_name, p.last_name),
            (None, None) => person_name(form),
        };
        return Party {
            name: domain::text::shorten(&name, 512).into_owned(),
            nip,
            vat_eu: vat_eu.flatten(),
            address_line1: addr.street.clone(),
            address_line2: format!("{} {}", addr.zip_code, addr.city),
            country: addr.country_code.clone(),
        };
    }
    let (line1, line2, country) = match form.delivery.as_ref().and_then(|d| d.address.as_ref()) {
        Some(a) => (
            a.street.clone(),
            format!("{} {}", a.zip_code, a.city),
            a.country_code.clone(),
        ),
        None => (String::new(), String::new(), "PL".to_owned()),
    };
    Party {
        name: domain::text::shorten(&person_name(form), 512).into_owned(),
        nip: None,
        vat_eu: None,
        address_line1: if line1.is_empty() {
            form.buyer.login.clone()
        } else {
            line1
        },
        address_line2: line2,
        country,
    }
}

fn person_name(form: &CheckoutForm) -> String {
    let b = &form.buyer;
    match (&b.company_name, &b.first_name, &b.last_name) {
        (Some(c), _, _) if !c.is_empty() => c.clone(),
        (_, Some(f), Some(l)) => format!("{f} {l}"),
        _ => b.login.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn form(company_ids: serde_json::Value) -> CheckoutForm {
        serde_json::from_value(json!({
            "id": "29738e61-7f6a-11e8-ac45-09db60ede9d6",
            "buyer": {"id": "1", "email": "a@b.cz", "login": "kupec", "guest": false},
            "status": "READY_FOR_PROCESSING",
            "invoice": {"required": true, "address": {
                "street": "Václavské náměstí 1", "city": "Praha", "zipCode": "110 00", "countryCode": "CZ",
                "company": {"name": "Sklo Bohemia s.r.o.", "ids": company_ids, "vatPayerStatus": "ACTIVE"},
            }},
            "lineItems": [],
            "surcharges": [],
            "summary": {"totalToPay": {"amount": "10.00", "currency": "CZK"}},
        }))
        .expect("a checkout form")
    }

    /// How Allegro names a company, and what the invoice makes of it.
    #[test]
    fn a_company_abroad_keeps_its_vat_eu_number() {
        let cases = [
            (
                json!([{"type": "VAT_EU", "value": "CZ27650081"}]),
                None,
                Some("CZ27650081"),
            ),
            (
                json!([{"type": "CZ_ICO", "value": "27650081"}, {"type": "CZ_DIC", "value": "CZ27650081"}]),
                None,
                Some("CZ27650081"),
            ),
            (
                json!([{"type": "PL_NIP", "value": "526-025-09-95"}, {"type": "VAT_EU", "value": "PL5260250995"}]),
                Some("5260250995"),
                None,
            ),
            (json!([{"type": "HU_ADOSZAM", "value": "12345678-2-42"}]), None, None),
        ];
        for (ids, nip, vat_eu) in cases {
            let buyer = buyer_of(&form(ids.clone()));
            assert_eq!(buyer.name, "Sklo Bohemia s.r.o.");
            assert_eq!(
                buyer.nip.as_ref().map(|n| n.as_str().to_owned()).as_deref(),
                nip,
                "{ids}"
            );
            assert_eq!(
                buyer.vat_eu.as_ref().map(ToString::to_string).as_deref(),
                vat_eu,
                "{ids}"
            );
        }
    }

    #[test]
    fn a_rate_poland_does_not_have_stops_the_invoice() {
        let tax = |rate: &str| allegro_client::types::CheckoutFormLineItemTax {
            rate: Some(rate.into()),
            subject: Some("GOODS".into()),
            exemption: None,
        };
        assert_eq!(
            line_rate(Some(&tax("8.00")), VatRate::Standard23, "Herbata").unwrap(),
            VatRate::Reduced8
        );
        assert_eq!(
            line_rate(None, VatRate::Reduced5, "Książka").unwrap(),
            VatRate::Reduced5
        );
        let Err(AppError::Validation { problem, .. }) = line_rate(Some(&tax("21.00")), VatRate::Standard23, "Lampa")
        else {
            panic!("refused")
        };
        assert_eq!(
            (problem.key.as_str(), problem.arg_text("rate"), problem.arg_text("item")),
            ("problem-vat-rate-unexpected", "21.00".into(), "Lampa".into())
        );
    }
}
