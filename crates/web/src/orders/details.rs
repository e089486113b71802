//! What a seller ships with, read from Allegro's checkout form for the order's page: who
//! bought (name, login, e-mail, phone), where it goes (the delivery method, the pickup
//! point with its address, or the full delivery address, and what delivery cost), and how
//! it was paid, in words ("Płatność online (Przelewy24)", "Za pobraniem").

use app::allegro_types::{CheckoutForm, CheckoutFormPayment, PaymentType, Price};

use crate::i18n::Tr;

/// A price from the checkout form in the page's one money form (`1 299,00 PLN`); Allegro's
/// text as it came if it is not a plain decimal.
pub(crate) fn money(price: &Price) -> String {
    match domain::parse_decimal(&price.amount) {
        Some(minor) => crate::views::money(Some(minor), &price.currency),
        None => format!("{} {}", price.amount, price.currency),
    }
}

fn present(parts: impl IntoIterator<Item = Option<String>>) -> Vec<String> {
    parts
        .into_iter()
        .flatten()
        .map(|p| p.trim().to_owned())
        .filter(|p| !p.is_empty())
        .collect()
}

/// The buyer, a line each: name (or company), login, e-mail, phone.
pub(crate) fn buyer_lines(form: &CheckoutForm, login: &str) -> Vec<String> {
    let b = &form.buyer;
    let name = present([b.first_name.clone(), b.last_name.clone()]).join(" ");
    present([
        b.company_name.clone(),
        Some(name),
        Some(login.to_owned()),
        Some(b.email.clone()),
        b.phone_number.clone(),
    ])
}

/// Where the parcel goes, a line each: the method, then the pickup point (name, id, its
/// address) or the delivery address (recipient, company, street, post code and city,
/// country, phone), then what delivery cost.
pub(crate) fn delivery_lines(tr: &Tr, form: &CheckoutForm) -> Vec<String> {
    let Some(d) = &form.delivery else {
        return Vec::new();
    };
    let mut lines = present([d.method.as_ref().and_then(|m| m.name.clone())]);
    if let Some(p) = &d.pickup_point {
        let point = present([p.name.clone(), p.id.clone()]).join(" · ");
        lines.extend(present([Some(point), p.description.clone()]));
        if let Some(a) = &p.address {
            lines.extend(present([
                a.street.clone(),
                Some(present([a.zip_code.clone(), a.city.clone()]).join(" ")),
                a.country_code.clone().filter(|c| c != "PL"),
            ]));
        }
    } else if let Some(a) = &d.address {
        lines.extend(present([
            Some(format!("{} {}", a.first_name, a.last_name)),
            a.company_name.clone(),
            Some(a.street.clone()),
            Some(format!("{} {}", a.zip_code, a.city)),
            Some(a.country_code.clone()).filter(|c| c != "PL"),
            a.phone_number.clone(),
        ]));
    }
    if let Some(cost) = &d.cost {
        lines.push(tr.args("order-delivery-cost", &[("amount", &money(cost))]));
    }
    lines
}

/// How the order is paid, in words: "Płatność online (Przelewy24) · zapłacono 1 299,00 PLN
/// · 2026-11-30 12:00", "Za pobraniem".
pub(crate) fn payment_words(tr: &Tr, p: &CheckoutFormPayment) -> String {
    let kind = match p.payment_type {
        PaymentType::Unknown => tr.t("payment-type-other"),
        known => tr.t(&format!("payment-type-{}", known.as_str())),
    };
    let mut parts = vec![match p.provider {
        Some(provider) => format!("{kind} ({})", tr.t(&format!("payment-provider-{}", provider.as_str()))),
        None => kind,
    }];
    parts.extend(
        p.paid_amount
            .as_ref()
            .map(|paid| tr.args("order-paid-amount", &[("amount", &money(paid))])),
    );
    // When it was paid, in Polish time as every time a seller sees.
    parts.extend(p.finished_at.map(|t| domain::time::polish_time_text(t.as_millis())));
    parts.join(" · ")
}
