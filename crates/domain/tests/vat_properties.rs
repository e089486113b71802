//! Properties of the VAT arithmetic for any order: totals equal what the buyer paid, each
//! rate's net + VAT equals its gross, VAT is never off by half a grosz or more, delivery
//! splits add up and follow the goods.

use domain::{DeliveryVat, GoodsLine, VatRate, compute, div_half_up, split_proportionally, vat_of_gross};
use proptest::prelude::*;

fn rate() -> impl Strategy<Value = VatRate> {
    let mut rates = VatRate::POLISH.to_vec();
    rates.extend(["OSS CZ 21", "OSS HU 27", "OSS SK 5"].map(|r| r.parse::<VatRate>().expect("an OSS rate")));
    prop::sample::select(rates)
}

fn goods() -> impl Strategy<Value = Vec<GoodsLine>> {
    prop::collection::vec(
        (1i64..20, 1i64..200_000, rate(), 0u32..100).prop_map(|(quantity, unit, rate, discount_pct)| {
            let gross = quantity * unit;
            GoodsLine {
                name: "x".into(),
                quantity,
                unit_gross: unit,
                discount_gross: gross * i64::from(discount_pct) / 100,
                rate,
            }
        }),
        1..8,
    )
}

proptest! {
    #[test]
    fn totals_equal_what_was_paid(goods in goods(), delivery in 0i64..10_000, fixed in prop::option::of(rate())) {
        let mode = fixed.map_or(DeliveryVat::FollowGoods, DeliveryVat::Fixed);
        let s = compute(&goods, delivery, mode, "Dostawa");
        let paid: i64 = goods.iter().map(GoodsLine::gross).sum::<i64>() + delivery;
        prop_assert_eq!(s.total_gross, paid);
        prop_assert_eq!(s.per_rate.iter().map(|t| t.gross).sum::<i64>(), paid);
        prop_assert_eq!(s.lines.iter().map(|l| l.gross).sum::<i64>(), paid);
        prop_assert_eq!(s.total_vat, s.per_rate.iter().map(|t| t.vat).sum::<i64>());
        for t in &s.per_rate {
            prop_assert_eq!(t.net + t.vat, t.gross);
            let r = i128::from(t.rate.hundredths());
            // |VAT − gross × r / (10000 + r)| ≤ ½ grosz, i.e. |VAT(10000+r) − gross·r| ≤ (10000+r)/2.
            let off = (i128::from(t.vat) * (10_000 + r) - i128::from(t.gross) * r).abs();
            prop_assert!(2 * off <= 10_000 + r, "{t:?}");
        }
        let parts: Vec<_> = s.lines.iter().filter(|l| l.delivery).collect();
        prop_assert_eq!(parts.iter().map(|l| l.gross).sum::<i64>(), delivery);
        if mode == DeliveryVat::FollowGoods {
            for p in parts {
                prop_assert!(goods.iter().any(|g| g.rate == p.rate), "delivery at a rate no goods have");
            }
        }
    }

    #[test]
    fn splits_add_up_and_stay_within_a_grosz(amount in -100_000i64..100_000, weights in prop::collection::vec(0i64..1_000_000, 1..6)) {
        let parts = split_proportionally(amount, &weights);
        prop_assert_eq!(parts.iter().sum::<i64>(), amount);
        let total: i128 = weights.iter().map(|w| i128::from(*w)).sum();
        if total > 0 {
            for (p, w) in parts.iter().zip(&weights) {
                let exact = i128::from(amount) * i128::from(*w);
                prop_assert!((i128::from(*p) * total - exact).abs() < total, "{p} for weight {w}");
            }
        }
    }

    #[test]
    fn rounding_is_half_up_and_symmetric(n in -10_000_000i128..10_000_000, d in 1i128..1_000) {
        prop_assert_eq!(div_half_up(-n, d), -div_half_up(n, d));
        let q = div_half_up(n, d);
        prop_assert!((q * d - n).abs() * 2 <= d);
    }

    #[test]
    fn a_correction_mirrors_the_invoice(gross in 0i64..10_000_000, rate in rate()) {
        prop_assert_eq!(vat_of_gross(-gross, rate), -vat_of_gross(gross, rate));
    }
}
