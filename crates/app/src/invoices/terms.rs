//! When the sale happened (P_6) and how the buyer pays, read from the order as it really
//! went: paid online on Allegro, cash on delivery before or after the parcel was picked
//! up, paid according to an order file, or still to be paid by transfer.

use allegro_client::types::{CheckoutForm, PaymentType};
use domain::{InvoicingProfile, Payment};
use store::{OrderRecord, OrderSource};

use super::issue::day_of;

/// Whether a VAT invoice was issued after its legal deadline: later than the 15th of the
/// month after its sale (art. 106i ust. 1). Corrections have no such deadline.
pub fn issued_late(record: &store::InvoiceRecord) -> bool {
    #[derive(serde::Deserialize)]
    struct Dates {
        sale_date: String,
        issue_date: String,
    }
    if record.kind != domain::InvoiceKind::Vat {
        return false;
    }
    let Ok(d) = serde_json::from_str::<Dates>(&record.document) else {
        return false;
    };
    match (
        d.sale_date.parse::<jiff::civil::Date>(),
        d.issue_date.parse::<jiff::civil::Date>(),
    ) {
        (Ok(sale), Ok(issued)) => issued > domain::calendar::invoice_deadline(sale),
        _ => false,
    }
}

/// The sale's day and the payment part of an invoice.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct SaleTerms {
    /// The instant whose Polish day is the sale date (P_6), and the tax point.
    pub(crate) sale_at_ms: i64,
    /// How the buyer pays or paid.
    pub(crate) payment: Payment,
}

/// What a paid Allegro order was paid with, in words.
fn paid_with(kind: PaymentType) -> &'static str {
    match kind {
        PaymentType::WireTransfer => "Przelew przez Allegro",
        PaymentType::SplitPayment => "Płatność przez Allegro (podzielona)",
        _ => "Płatność online przez Allegro",
    }
}

/// How far a cash-on-delivery order has gone, from its history.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Delivery {
    /// When it was first seen sent (or later).
    pub(crate) sent_at_ms: Option<i64>,
    /// When it was first seen picked up (the buyer paid the carrier).
    pub(crate) picked_up_at_ms: Option<i64>,
}

/// Whether the buyer pays on delivery.
fn cash_on_delivery(form: &CheckoutForm) -> bool {
    form.payment
        .as_ref()
        .is_some_and(|p| p.payment_type == PaymentType::CashOnDelivery)
}

/// The instant of `order`'s sale, whose Polish day is the sale date (P_6). Art. 106i/19a:
/// for an order paid before it is sent (Allegro's online payments) the payment is the
/// decisive event; for cash on delivery it is the delivery — the parcel picked up, or sent
/// when the seller counts it so (`cod_sale_when_sent`) — and an invoice issued by hand
/// before either takes now; otherwise (an order file's paid order, an unpaid order) the
/// purchase, the only date there is.
pub(crate) fn sale_at_ms(
    form: &CheckoutForm,
    order: &OrderRecord,
    delivery: Delivery,
    cod_sale_when_sent: bool,
    now_ms: i64,
) -> i64 {
    if cash_on_delivery(form) {
        let sold = if cod_sale_when_sent {
            delivery.sent_at_ms.or(delivery.picked_up_at_ms)
        } else {
            delivery.picked_up_at_ms
        };
        return sold.unwrap_or(now_ms);
    }
    form.payment
        .as_ref()
        .and_then(|p| p.finished_at)
        .map_or(order.bought_at_ms, |t| t.as_millis())
}

/// The sale date and payment of `order`: the sale at [`sale_at_ms`]; the payment as it
/// really went — paid online (with its day and how), cash on delivery paid at pickup or
/// still due on delivery, paid according to an order file, or a transfer due in the
/// profile's days.
pub(crate) fn sale_terms(
    form: &CheckoutForm,
    order: &OrderRecord,
    delivery: Delivery,
    cod_sale_when_sent: bool,
    profile: &InvoicingProfile,
    now_ms: i64,
) -> SaleTerms {
    SaleTerms {
        sale_at_ms: sale_at_ms(form, order, delivery, cod_sale_when_sent, now_ms),
        payment: payment_of(form, order, delivery, profile, now_ms),
    }
}

/// How the buyer pays or paid `order`.
fn payment_of(
    form: &CheckoutForm,
    order: &OrderRecord,
    delivery: Delivery,
    profile: &InvoicingProfile,
    now_ms: i64,
) -> Payment {
    if cash_on_delivery(form) {
        return match delivery.picked_up_at_ms {
            Some(at) => Payment::Paid {
                date: day_of(at),
                description: "Za pobraniem (zapłacono przy odbiorze przesyłki)".to_owned(),
            },
            None => Payment::OnDelivery {
                description: "Za pobraniem".to_owned(),
            },
        };
    }
    if let Some((kind, paid)) = form
        .payment
        .as_ref()
        .and_then(|p| p.finished_at.map(|t| (p.payment_type, t.as_millis())))
    {
        return Payment::Paid {
            date: day_of(paid),
            description: paid_with(kind).to_owned(),
        };
    }
    // An order file marks an order paid by its status and gives no payment of its own:
    // the file's word is taken, dated with the purchase — the only date it gives.
    if order.source == OrderSource::File && order.status.is_ready_for_processing() {
        return Payment::Paid {
            date: day_of(order.bought_at_ms),
            description: "Zapłacono (według pliku zamówień)".to_owned(),
        };
    }
    Payment::Transfer {
        due: day_of(now_ms + i64::from(profile.payment_days) * 86_400_000),
        account: profile.bank_account.clone(),
    }
}

impl crate::App {
    /// How far a cash-on-delivery order has gone, from its history (when it was first seen
    /// sent and picked up); nothing is read for other orders, whose sale it does not decide.
    pub(crate) async fn delivery_of(
        &self,
        org: &domain::OrganisationId,
        order: &OrderRecord,
        form: &CheckoutForm,
    ) -> Result<Delivery, crate::AppError> {
        if !cash_on_delivery(form) {
            return Ok(Delivery::default());
        }
        let history = self.store.order_history(org, &order.id).await?;
        let first_seen = |statuses: &[&str]| {
            history
                .iter()
                .filter(|c| c.fulfillment_status.as_deref().is_some_and(|f| statuses.contains(&f)))
                .map(|c| c.seen_at_ms)
                .min()
        };
        Ok(Delivery {
            sent_at_ms: first_seen(&["SENT", "PICKED_UP"]),
            picked_up_at_ms: first_seen(&["PICKED_UP"]),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn form(payment: serde_json::Value) -> CheckoutForm {
        serde_json::from_value(json!({
            "id": "29738e61-7f6a-11e8-ac45-09db60ede9d6",
            "buyer": {"id": "1", "email": "a@b.pl", "login": "kupiec", "guest": false},
            "payment": payment,
            "status": "READY_FOR_PROCESSING",
            "lineItems": [],
            "surcharges": [],
            "summary": {"totalToPay": {"amount": "10.00", "currency": "PLN"}},
        }))
        .expect("a checkout form")
    }

    fn order(source: OrderSource, bought_at_ms: i64) -> OrderRecord {
        OrderRecord {
            id: "29738e61-7f6a-11e8-ac45-09db60ede9d6".parse().unwrap(),
            organisation_id: domain::OrganisationId::from_stored("o".into()),
            account_id: domain::AccountId::from_stored("a".into()),
            status: "READY_FOR_PROCESSING".into(),
            fulfillment_status: None,
            marketplace: None,
            buyer_login: "kupiec".into(),
            bought_at_ms,
            revision: None,
            total_minor: Some(1000),
            currency: "PLN".into(),
            data: String::new(),
            source,
            invoice_required: true,
        }
    }

    /// Each way an order is paid, around Polish midnight: (payment JSON, source, picked up
    /// at, expected sale day, expected payment).
    #[test]
    fn the_sale_day_and_payment_follow_the_order() {
        let profile = InvoicingProfile {
            payment_days: 14,
            bank_account: Some("61 1090 1014 0000 0712 1981 2874".into()),
            ..testkit::invoicing_profile("Sklep")
        };
        // 2026-11-30T23:30:00Z is 00:30 on 1 December in Warsaw.
        let midnight = "2026-11-30T23:30:00Z";
        let midnight_ms = 1_796_081_400_000;
        // Bought on 28 November, 10:00 UTC; invoiced on 3 December.
        let bought = 1_795_860_000_000;
        let now = 1_796_292_000_000;
        let paid = |date: &str, how: &str| Payment::Paid {
            date: date.into(),
            description: how.into(),
        };
        let cases = [
            (
                json!({"id": "p1", "type": "ONLINE", "finishedAt": midnight}),
                OrderSource::Allegro,
                None,
                "2026-12-01",
                paid("2026-12-01", "Płatność online przez Allegro"),
            ),
            (
                json!({"id": "p2", "type": "WIRE_TRANSFER", "finishedAt": midnight}),
                OrderSource::Allegro,
                None,
                "2026-12-01",
                paid("2026-12-01", "Przelew przez Allegro"),
            ),
            (
                json!({"id": "p3", "type": "CASH_ON_DELIVERY"}),
                OrderSource::Allegro,
                None,
                "2026-12-03",
                Payment::OnDelivery {
                    description: "Za pobraniem".into(),
                },
            ),
            (
                json!({"id": "p4", "type": "CASH_ON_DELIVERY"}),
                OrderSource::Allegro,
                Some(midnight_ms),
                "2026-12-01",
                paid("2026-12-01", "Za pobraniem (zapłacono przy odbiorze przesyłki)"),
            ),
            (
                serde_json::Value::Null,
                OrderSource::File,
                None,
                "2026-11-28",
                paid("2026-11-28", "Zapłacono (według pliku zamówień)"),
            ),
            (
                serde_json::Value::Null,
                OrderSource::Allegro,
                None,
                "2026-11-28",
                Payment::Transfer {
                    due: "2026-12-17".into(),
                    account: profile.bank_account.clone(),
                },
            ),
        ];
        for (payment, source, picked_up, sale_day, expected) in cases {
            let delivery = Delivery {
                sent_at_ms: picked_up,
                picked_up_at_ms: picked_up,
            };
            let terms = sale_terms(
                &form(payment.clone()),
                &order(source, bought),
                delivery,
                false,
                &profile,
                now,
            );
            assert_eq!(day_of(terms.sale_at_ms), sale_day, "{payment}");
            assert_eq!(terms.payment, expected, "{payment}");
        }
    }

    /// Cash on delivery sent on 30 November, picked up on 2 December: the sale is the
    /// pickup, or the sending when the seller counts it so; paid only once picked up.
    #[test]
    fn a_cash_on_delivery_sale_is_the_pickup_or_the_sending_as_the_seller_chooses() {
        let profile = testkit::invoicing_profile("Sklep");
        let cod = json!({"id": "p5", "type": "CASH_ON_DELIVERY"});
        let (sent, picked, now) = (1_796_032_800_000, 1_796_205_600_000, 1_796_292_000_000);
        let order = order(OrderSource::Allegro, 1_795_860_000_000);
        let both = Delivery {
            sent_at_ms: Some(sent),
            picked_up_at_ms: Some(picked),
        };
        let on_pickup = sale_terms(&form(cod.clone()), &order, both, false, &profile, now);
        assert_eq!(day_of(on_pickup.sale_at_ms), "2026-12-02");
        let on_sending = sale_terms(&form(cod.clone()), &order, both, true, &profile, now);
        assert_eq!(day_of(on_sending.sale_at_ms), "2026-11-30");
        assert!(matches!(on_sending.payment, Payment::Paid { ref date, .. } if date == "2026-12-02"));
        let only_sent = Delivery {
            sent_at_ms: Some(sent),
            picked_up_at_ms: None,
        };
        let in_transit = sale_terms(&form(cod), &order, only_sent, true, &profile, now);
        assert_eq!(day_of(in_transit.sale_at_ms), "2026-11-30");
        assert!(matches!(in_transit.payment, Payment::OnDelivery { .. }));
    }

    #[test]
    fn a_correction_settles_in_words_never_paid_again() {
        let paid = Payment::Paid {
            date: "2026-12-01".into(),
            description: "Płatność online przez Allegro".into(),
        };
        assert!(matches!(
            paid.settled_by_correction(),
            Payment::Settlement { refund: true, .. }
        ));
        let cod = Payment::OnDelivery {
            description: "Za pobraniem".into(),
        };
        assert!(matches!(
            cod.settled_by_correction(),
            Payment::Settlement { refund: false, .. }
        ));
    }
}
