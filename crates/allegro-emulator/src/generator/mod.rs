//! A seeded, deterministic generator of offers and orders that look like a Polish
//! seller's: Polish names and addresses, company buyers with valid NIPs, pickup points,
//! multi-line orders, mixed VAT rates, foreign marketplaces and cancellations.

use std::sync::Arc;

use allegro_api_types::*;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use crate::clock::DAY_MS;
use crate::faults::Faults;
use crate::world::{Offer, Order, Transition, World};

mod catalogue;
mod people;

use catalogue::{CATALOGUE, DELIVERY, FOREIGN};
use people::*;
pub use people::{nip, nip_is_valid, person_name, shop_word};

/// Gives the seller a catalogue of offers (idempotent).
pub fn ensure_offers(world: &mut World, seller: usize, now_ms: i64) {
    if !world.sellers[seller].offers.is_empty() {
        return;
    }
    let mut rng = ChaCha8Rng::seed_from_u64(0x0FFE_u64 ^ (seller as u64) << 16);
    let base: u64 = 17_000_000_000 + seller as u64 * 100_000;
    let offers = CATALOGUE
        .iter()
        .enumerate()
        .map(|(i, (name, rate, price, category))| {
            Arc::new(Offer {
                id: (base + i as u64 * 37).to_string(),
                name: (*name).to_owned(),
                external_id: format!("SKU-{:04}-{}", i + 1, category),
                category_id: (*category).to_owned(),
                price_minor: *price,
                vat_rate: rate,
                stock: rng.random_range(0..250),
                sold: rng.random_range(0..5000),
                status: if i % 9 == 8 { "ENDED" } else { "ACTIVE" },
                created_at_ms: now_ms - rng.random_range(30..400) * DAY_MS,
            })
        })
        .collect();
    world.sellers[seller].offers = offers;
}

/// What to generate for one seller.
#[derive(Debug, Clone, Copy)]
pub struct OrderPlan {
    /// Number of orders.
    pub count: usize,
    /// Seed; the same seed, seller and clock give the same orders.
    pub seed: u64,
    /// Purchases are spread over this many days back from now.
    pub days: i64,
    /// Share of orders that are fresh and unpaid, paid later by the emulator's clock.
    pub pending_share: f64,
    /// Pending orders are paid within this many seconds.
    pub pay_within_seconds: i64,
}

/// Generates orders and their journal events for `seller`; returns how many were made.
pub fn generate_orders(world: &mut World, seller: usize, plan: OrderPlan, now_ms: i64, faults: &Faults) -> usize {
    ensure_offers(world, seller, now_ms);
    let mut rng = ChaCha8Rng::seed_from_u64(plan.seed ^ (seller as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15));
    let span = plan.days.max(1) * DAY_MS;
    // Purchase times sorted oldest first, so the journal reads in time order.
    let mut times: Vec<i64> = (0..plan.count)
        .map(|_| now_ms - rng.random_range(60_000..span.max(60_001)))
        .collect();
    times.sort_unstable();
    let mut events: Vec<(i64, usize, OrderEventType)> = Vec::new();
    for bought in times {
        let pending = rng.random_bool(plan.pending_share.clamp(0.0, 1.0));
        let bought = if pending {
            now_ms - rng.random_range(1_000..60_000)
        } else {
            bought
        };
        let (order, history) = make_order(world, seller, &mut rng, bought, now_ms, pending);
        let idx = world.insert_order(order);
        for (at, ev) in history {
            events.push((at, idx, ev));
        }
        if pending {
            let due = now_ms + rng.random_range(1..plan.pay_within_seconds.max(2)) * 1000;
            world.scheduled.push(std::cmp::Reverse((due, idx, Transition::Pay)));
        }
    }
    events.sort_by_key(|(at, idx, _)| (*at, *idx));
    for (at, idx, ev) in events {
        world.emit(idx, ev, at, faults);
    }
    plan.count
}

fn make_order(
    world: &mut World,
    seller: usize,
    rng: &mut ChaCha8Rng,
    bought: i64,
    now_ms: i64,
    pending: bool,
) -> (Order, Vec<(i64, OrderEventType)>) {
    let offers = world.sellers[seller].offers.clone();
    let uuid = |rng: &mut ChaCha8Rng| uuid::Builder::from_random_bytes(rng.random()).into_uuid().to_string();
    let (first, last) = person_name(rng);
    let (city, post_prefix, point_prefix) = CITIES[rng.random_range(0..CITIES.len())];
    let street = format!(
        "{} {}",
        STREETS[rng.random_range(0..STREETS.len())],
        rng.random_range(1..180)
    );
    let post_code = format!("{post_prefix}{:03}", rng.random_range(1..999));
    let phone = format!(
        "+48 {} {:03} {:03}",
        rng.random_range(500..899),
        rng.random_range(0..999),
        rng.random_range(0..999)
    );
    let ascii_login: String = format!("{}{}", first, last.chars().take(3).collect::<String>())
        .chars()
        .map(|c| match c {
            'ą' => 'a',
            'ć' => 'c',
            'ę' => 'e',
            'ł' | 'Ł' => 'l',
            'ń' => 'n',
            'ó' => 'o',
            'ś' | 'Ś' => 's',
            'ź' | 'ż' | 'Ż' | 'Ź' => 'z',
            other => other.to_ascii_lowercase(),
        })
        .collect();
    let buyer_login = format!("{ascii_login}_{}", rng.random_range(10..999));
    let (marketplace, currency, num, den, foreign_delivery) = if rng.random_bool(0.10) {
        let f = FOREIGN[rng.random_range(0..FOREIGN.len())];
        (f.0, f.1, f.2, f.3, Some(f.4))
    } else {
        ("allegro-pl", "PLN", 1, 1, None)
    };
    let convert = |minor: i64| {
        let v = minor * num / den;
        // CZK and HUF prices on Allegro are whole units.
        if currency == "CZK" || currency == "HUF" {
            (v / 100).max(1) * 100
        } else {
            v
        }
    };
    let company = rng.random_bool(0.30);
    let private_invoice = !company && rng.random_bool(0.12);
    let lines = match rng.random_range(0..10) {
        0..=5 => 1,
        6..=8 => 2,
        _ => rng.random_range(3..5),
    };
    let mut used = Vec::new();
    let mut line_items = Vec::new();
    let mut goods_total = 0i64;
    for _ in 0..lines {
        let mut offer = &offers[rng.random_range(0..offers.len())];
        while used.contains(&offer.id) {
            offer = &offers[rng.random_range(0..offers.len())];
        }
        used.push(offer.id.clone());
        let quantity = if rng.random_bool(0.75) {
            1
        } else {
            rng.random_range(2..4)
        };
        let original = convert(offer.price_minor);
        let discounted = rng.random_bool(0.12);
        let price = if discounted { original * 90 / 100 } else { original };
        goods_total += price * quantity;
        line_items.push(CheckoutFormLineItem {
            id: uuid(rng),
            offer: OfferReference {
                id: offer.id.clone(),
                name: offer.name.clone(),
                external: Some(ExternalId {
                    id: Some(offer.external_id.clone()),
                }),
                product_set: None,
                hs_number: None,
            },
            quantity,
            original_price: Price::from_minor(original, currency),
            price: Price::from_minor(price, currency),
            deposit: None,
            reconciliation: None,
            selected_additional_services: None,
            vouchers: None,
            tax: Some(CheckoutFormLineItemTax {
                rate: Some(offer.vat_rate.to_owned()),
                subject: Some("GOODS".into()),
                exemption: None,
            }),
            bought_at: Some(Instant::from_millis(bought)),
            discounts: discounted.then(|| {
                vec![LineItemDiscount {
                    discount_type: Some(DiscountType::Coupon),
                }]
            }),
            serial_numbers: None,
        });
    }
    let (method_id, method_name, cost, pickup) = match foreign_delivery {
        Some(name) => ("a4d3c1e0-7f1b-4c55-9d0e-6f0e2b1c9a11", name, 1_299, false),
        None => DELIVERY[rng.random_range(0..DELIVERY.len())],
    };
    let delivery_cost = if goods_total >= convert(4_000) && pickup {
        0
    } else {
        convert(cost)
    };
    let total = goods_total + delivery_cost;
    let country = match marketplace {
        "allegro-cz" => "CZ",
        "allegro-sk" => "SK",
        "allegro-hu" => "HU",
        _ => "PL",
    };
    let company_name = company.then(|| {
        format!(
            "{} {} {}",
            shop_word(rng),
            last,
            if rng.random_bool(0.5) { "Sp. z o.o." } else { "s.c." }
        )
    });
    let buyer_nip = company.then(|| nip(rng));
    let invoice = CheckoutFormInvoiceInfo {
        required: company || private_invoice,
        address: (company || private_invoice).then(|| CheckoutFormInvoiceAddress {
            street: street.clone(),
            city: city.into(),
            zip_code: post_code.clone(),
            country_code: country.into(),
            company: company_name.as_ref().map(|name| CheckoutFormInvoiceAddressCompany {
                name: name.clone(),
                ids: buyer_nip.as_ref().map(|n| {
                    // Buyers type NIPs with or without dashes (the draw is made for every
                    // company, so a marketplace's orders stay the same for a seed).
                    let dashed = rng.random_bool(0.5);
                    vec![match country {
                        // A company abroad gives its VAT-EU number (openapi:
                        // `invoice.features` VAT_EU_VERIFIED "means that VAT_EU number will
                        // appear in address.company.ids").
                        "PL" => CheckoutFormInvoiceAddressCompanyId {
                            id_type: CompanyIdType::PlNip,
                            value: if dashed { format_nip_dashed(n) } else { n.clone() },
                        },
                        abroad => CheckoutFormInvoiceAddressCompanyId {
                            id_type: CompanyIdType::VatEu,
                            value: format!("{abroad}{}", &n[..8]),
                        },
                    }]
                }),
                vat_payer_status: VatPayerStatus::Active,
                tax_id: buyer_nip.clone(),
            }),
            natural_person: (!company).then(|| CheckoutFormInvoiceAddressNaturalPerson {
                first_name: first.clone(),
                last_name: last.clone(),
            }),
        }),
        due_date: None,
        // Allegro verifies most VAT-EU numbers; some stay unverified (openapi:
        // CheckoutFormInvoiceInfo.features).
        features: (company && country != "PL").then(|| {
            let verified = buyer_nip
                .as_ref()
                .is_some_and(|n| n.ends_with(['0', '2', '4', '6', '8']));
            vec![
                if verified {
                    "VAT_EU_VERIFIED"
                } else {
                    "VAT_EU_UNVERIFIED"
                }
                .to_owned(),
            ]
        }),
    };
    let age = now_ms - bought;
    let roll = rng.random_range(0..100);
    let status = if pending {
        CheckoutFormStatus::FilledIn
    } else if roll < 7 {
        CheckoutFormStatus::Cancelled
    } else if roll < 11 && age > 2 * DAY_MS {
        CheckoutFormStatus::FilledIn
    } else if roll < 13 && age > 2 * DAY_MS {
        CheckoutFormStatus::Bought
    } else {
        CheckoutFormStatus::ReadyForProcessing
    };
    let fulfillment = match status {
        CheckoutFormStatus::Cancelled => FulfillmentStatus::Cancelled,
        CheckoutFormStatus::ReadyForProcessing if age > 5 * DAY_MS => {
            if pickup {
                FulfillmentStatus::PickedUp
            } else {
                FulfillmentStatus::Sent
            }
        }
        CheckoutFormStatus::ReadyForProcessing if age > DAY_MS => {
            if rng.random_bool(0.5) {
                FulfillmentStatus::Processing
            } else {
                FulfillmentStatus::ReadyForShipment
            }
        }
        _ => FulfillmentStatus::New,
    };
    let cod = rng.random_bool(0.08);
    let filled_at = bought + rng.random_range(20_000..300_000);
    let paid_at = filled_at + rng.random_range(10_000..1_200_000);
    let payment = CheckoutFormPayment {
        id: uuid(rng),
        payment_type: if cod {
            PaymentType::CashOnDelivery
        } else {
            PaymentType::Online
        },
        provider: (!cod).then(|| {
            if rng.random_bool(0.6) {
                PaymentProvider::Payu
            } else {
                PaymentProvider::P24
            }
        }),
        finished_at: None,
        paid_amount: None,
        reconciliation: None,
        features: None,
    };
    let mut form = CheckoutForm {
        id: uuid(rng),
        message_to_seller: rng
            .random_bool(0.1)
            .then(|| "Proszę o staranne zapakowanie, to prezent.".to_owned()),
        buyer: CheckoutFormBuyer {
            id: rng.random_range(10_000_000..99_999_999u64).to_string(),
            email: format!(
                "{}+{}@allegromail.pl",
                world_ascii(&buyer_login),
                rng.random_range(1000..9999)
            ),
            login: buyer_login,
            first_name: Some(first.clone()),
            last_name: Some(last.clone()),
            company_name: company_name.clone(),
            guest: rng.random_bool(0.05),
            personal_identity: None,
            phone_number: Some(phone.clone()),
            preferences: Some(BuyerPreferences {
                language: Some(if country == "PL" {
                    "pl-PL".into()
                } else {
                    format!("{}-{country}", country.to_lowercase())
                }),
            }),
            address: Some(CheckoutFormBuyerAddress {
                street: Some(street.clone()),
                city: Some(city.into()),
                post_code: Some(post_code.clone()),
                country_code: Some(country.into()),
            }),
        },
        payment: Some(payment),
        status,
        fulfillment: Some(CheckoutFormFulfillment {
            status: Some(fulfillment),
            shipment_summary: Some(ShipmentSummary {
                line_items_sent: Some(LineItemsSent::None),
            }),
            provider: Some(FulfillmentProvider {
                id: Some(FulfillmentProviderId::Seller),
            }),
        }),
        delivery: Some(CheckoutFormDelivery {
            address: Some(CheckoutFormDeliveryAddress {
                first_name: first.clone(),
                last_name: last.clone(),
                street: street.clone(),
                city: city.into(),
                zip_code: post_code.clone(),
                country_code: country.into(),
                company_name,
                phone_number: Some(phone),
                modified_at: None,
            }),
            method: Some(CheckoutFormDeliveryMethod {
                id: Some(method_id.into()),
                name: Some(method_name.into()),
            }),
            pickup_point: pickup.then(|| {
                let code = format!(
                    "{point_prefix}{:02}{}",
                    rng.random_range(1..99),
                    ['A', 'M', 'N'][rng.random_range(0..3)]
                );
                CheckoutFormDeliveryPickupPoint {
                    id: Some(code.clone()),
                    name: Some(format!("Paczkomat {code}")),
                    description: Some("Przy sklepie spożywczym".into()),
                    address: Some(CheckoutFormDeliveryPickupPointAddress {
                        street: Some(format!(
                            "{} {}",
                            STREETS[rng.random_range(0..STREETS.len())],
                            rng.random_range(1..90)
                        )),
                        zip_code: Some(format!("{post_prefix}{:03}", rng.random_range(1..999))),
                        city: Some(city.into()),
                        country_code: Some("PL".into()),
                    }),
                }
            }),
            cost: Some(Price::from_minor(delivery_cost, currency)),
            time: Some(CheckoutFormDeliveryTime {
                from: Some(Instant::from_millis(bought + DAY_MS)),
                to: Some(Instant::from_millis(bought + 3 * DAY_MS)),
                guaranteed: None,
                dispatch: Some(TimeWindow {
                    from: Some(Instant::from_millis(bought)),
                    to: Some(Instant::from_millis(bought + DAY_MS)),
                }),
            }),
            smart: Some(rng.random_bool(0.6)),
            cancellation: None,
            calculated_number_of_packages: Some(1),
        }),
        invoice: Some(invoice),
        line_items,
        surcharges: Vec::new(),
        note: None,
        marketplace: Some(CheckoutFormMarketplace { id: marketplace.into() }),
        summary: CheckoutFormSummary {
            total_to_pay: Price::from_minor(total, currency),
        },
        updated_at: None,
        revision: None,
    };
    let mut history = vec![(bought, OrderEventType::Bought)];
    if status != CheckoutFormStatus::Bought {
        history.push((filled_at.min(now_ms), OrderEventType::FilledIn));
    }
    let mut updated = filled_at.min(now_ms);
    match status {
        CheckoutFormStatus::ReadyForProcessing => {
            mark_paid(&mut form, paid_at);
            history.push((paid_at, OrderEventType::ReadyForProcessing));
            updated = paid_at;
            if fulfillment != FulfillmentStatus::New {
                history.push((paid_at + DAY_MS / 2, OrderEventType::FulfillmentStatusChanged));
            }
        }
        CheckoutFormStatus::Cancelled => {
            history.push((paid_at, OrderEventType::BuyerCancelled));
            updated = paid_at;
        }
        _ => {}
    }
    let updated = updated.min(now_ms);
    history.retain(|(at, _)| *at <= now_ms);
    form.updated_at = Some(Instant::from_millis(updated));
    form.revision = Some(format!("{:08x}", rng.random::<u32>()));
    (Order::new(seller, &form, bought, updated), history)
}

fn world_ascii(login: &str) -> String {
    login.chars().filter(|c| c.is_ascii_alphanumeric()).collect()
}

/// Fills in the payment of a paid order (amount = total to pay).
pub fn mark_paid(form: &mut CheckoutForm, at_ms: i64) {
    let total = form.summary.total_to_pay.clone();
    if let Some(p) = form.payment.as_mut() {
        if p.payment_type == PaymentType::CashOnDelivery {
            return;
        }
        p.finished_at = Some(Instant::from_millis(at_ms));
        p.paid_amount = Some(total.clone());
        p.reconciliation = Some(total);
    }
}
