//! VAT from gross prices, as Allegro sells (art. 106e ust. 7–9 of the VAT act): per rate,
//! VAT = gross × r / (100 + r) rounded half-up to the grosz (art. 106e ust. 11), net =
//! gross − VAT, so the invoice's total is exactly what the buyer paid
//! (`research/invoicing.md` §3). Amounts are integer grosze (or the foreign currency's
//! minor unit); never floating point.

use crate::VatRate;

/// Amounts in minor units (grosze).
pub type Minor = i64;

/// `numerator / denominator` rounded half away from zero ("końcówki 0,5 grosza i wyższe
/// zaokrągla się do 1 grosza"; corrections are negative: −6.5 → −7).
pub fn div_half_up(numerator: i128, denominator: i128) -> i128 {
    debug_assert!(denominator > 0);
    let q = numerator.abs() * 2 + denominator;
    let r = q / (2 * denominator);
    if numerator < 0 { -r } else { r }
}

/// VAT contained in a gross amount at `rate`.
pub fn vat_of_gross(gross: Minor, rate: VatRate) -> Minor {
    // In hundredths of a percent: gross × 2300 / 12300 is gross × 23 / 123 exactly.
    let r = i128::from(rate.hundredths());
    if r == 0 {
        return 0;
    }
    div_half_up(i128::from(gross) * r, 10_000 + r) as Minor
}

/// One line of goods as sold: gross unit price (discount already deducted or given per
/// line), quantity and rate.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct GoodsLine {
    /// What was sold.
    pub name: String,
    /// Pieces.
    pub quantity: i64,
    /// Gross price of one piece.
    pub unit_gross: Minor,
    /// Gross discount on the whole line (0 when none).
    pub discount_gross: Minor,
    /// VAT rate.
    pub rate: VatRate,
}

impl GoodsLine {
    /// Gross value of the line: unit × quantity − discount.
    pub fn gross(&self) -> Minor {
        self.unit_gross * self.quantity - self.discount_gross
    }
}

/// How delivery is taxed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum DeliveryVat {
    /// At a fixed rate (the account's delivery rate setting).
    Fixed(VatRate),
    /// At the goods' rate; with mixed rates split proportionally to the goods' gross per
    /// rate (research §3.4: an ancillary supply follows the main one).
    FollowGoods,
}

/// A line of the invoice: goods, or a delivery part at one rate.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct InvoiceLine {
    /// Name as printed.
    pub name: String,
    /// Pieces.
    pub quantity: i64,
    /// Gross unit price.
    pub unit_gross: Minor,
    /// Gross discount on the line.
    pub discount_gross: Minor,
    /// Gross value of the line.
    pub gross: Minor,
    /// Rate.
    pub rate: VatRate,
    /// A delivery part.
    pub delivery: bool,
}

impl InvoiceLine {
    /// The line's unit of measure (P_8A), the same in the XML and on the PDF: pieces for
    /// goods, a service for delivery.
    pub fn unit(&self, polish: bool) -> &'static str {
        match (self.delivery, polish) {
            (true, true) => "usł.",
            (true, false) => "service",
            (false, true) => "szt.",
            (false, false) => "pcs",
        }
    }
}

/// Totals of one rate (P_13_x / P_14_x).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct RateTotal {
    /// Rate.
    pub rate: VatRate,
    /// Gross.
    pub gross: Minor,
    /// VAT.
    pub vat: Minor,
    /// Net = gross − VAT.
    pub net: Minor,
}

/// The computed invoice: lines (goods, then delivery parts), totals per rate, total (P_15).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct VatSummary {
    /// Lines.
    pub lines: Vec<InvoiceLine>,
    /// Per rate, in the order of [`VatRate::ALL`].
    pub per_rate: Vec<RateTotal>,
    /// Total gross (what the buyer paid).
    pub total_gross: Minor,
    /// Total VAT.
    pub total_vat: Minor,
}

impl VatSummary {
    /// The same invoice with every amount and quantity negated: a correction that takes
    /// the whole invoice back (rounding is symmetric, so per-rate VAT mirrors exactly).
    pub fn reversed(&self) -> VatSummary {
        VatSummary {
            lines: self
                .lines
                .iter()
                .map(|l| InvoiceLine {
                    quantity: -l.quantity,
                    discount_gross: -l.discount_gross,
                    gross: -l.gross,
                    ..l.clone()
                })
                .collect(),
            per_rate: self
                .per_rate
                .iter()
                .map(|t| RateTotal {
                    gross: -t.gross,
                    vat: -t.vat,
                    net: -t.net,
                    ..*t
                })
                .collect(),
            total_gross: -self.total_gross,
            total_vat: -self.total_vat,
        }
    }
}

/// Splits `amount` over `weights` proportionally, to the minor unit, by largest remainder:
/// the parts always add up to `amount`.
pub fn split_proportionally(amount: Minor, weights: &[Minor]) -> Vec<Minor> {
    let total: i128 = weights.iter().map(|w| i128::from(*w)).sum();
    if weights.is_empty() {
        return Vec::new();
    }
    if total == 0 {
        let mut parts = vec![0; weights.len()];
        parts[0] = amount;
        return parts;
    }
    let exact: Vec<(i128, i128)> = weights
        .iter()
        .map(|w| {
            let n = i128::from(amount) * i128::from(*w);
            (n.div_euclid(total), n.rem_euclid(total))
        })
        .collect();
    let mut parts: Vec<Minor> = exact.iter().map(|(q, _)| *q as Minor).collect();
    let mut left = amount - parts.iter().sum::<Minor>();
    let mut order: Vec<usize> = (0..weights.len()).collect();
    // Largest remainder first; ties to the earlier (larger-rate) part.
    order.sort_by(|a, b| exact[*b].1.cmp(&exact[*a].1).then(a.cmp(b)));
    for i in order.iter().cycle() {
        if left == 0 {
            break;
        }
        parts[*i] += left.signum();
        left -= left.signum();
    }
    parts
}

/// The distinct rates among `rates`: the Polish ones in [`VatRate::POLISH`]'s order, then
/// OSS rates from the highest.
fn rates_in_order(rates: impl Iterator<Item = VatRate>) -> Vec<VatRate> {
    let mut found: Vec<VatRate> = Vec::new();
    for r in rates {
        if !found.contains(&r) {
            found.push(r);
        }
    }
    found.sort_by_key(|r| match r {
        VatRate::Oss(oss) => (1, -i64::from(oss.hundredths())),
        polish => (0, VatRate::POLISH.iter().position(|p| p == polish).unwrap_or(0) as i64),
    });
    found
}

/// Computes an invoice from what was sold and the delivery paid.
pub fn compute(goods: &[GoodsLine], delivery_gross: Minor, delivery: DeliveryVat, delivery_name: &str) -> VatSummary {
    let mut lines: Vec<InvoiceLine> = goods
        .iter()
        .map(|g| InvoiceLine {
            name: g.name.clone(),
            quantity: g.quantity,
            unit_gross: g.unit_gross,
            discount_gross: g.discount_gross,
            gross: g.gross(),
            rate: g.rate,
            delivery: false,
        })
        .collect();
    if delivery_gross != 0 {
        let goods_rates: Vec<(VatRate, Minor)> = rates_in_order(goods.iter().map(|g| g.rate))
            .into_iter()
            .map(|r| (r, goods.iter().filter(|l| l.rate == r).map(GoodsLine::gross).sum()))
            .collect();
        let parts: Vec<(VatRate, Minor)> = match delivery {
            DeliveryVat::Fixed(rate) => vec![(rate, delivery_gross)],
            DeliveryVat::FollowGoods if goods_rates.is_empty() => vec![(VatRate::Standard23, delivery_gross)],
            DeliveryVat::FollowGoods => {
                let weights: Vec<Minor> = goods_rates.iter().map(|(_, g)| *g).collect();
                goods_rates
                    .iter()
                    .zip(split_proportionally(delivery_gross, &weights))
                    .map(|((r, _), part)| (*r, part))
                    .filter(|(_, part)| *part != 0)
                    .collect()
            }
        };
        for (rate, part) in parts {
            lines.push(InvoiceLine {
                name: delivery_name.to_owned(),
                quantity: 1,
                unit_gross: part,
                discount_gross: 0,
                gross: part,
                rate,
                delivery: true,
            });
        }
    }
    let per_rate: Vec<RateTotal> = rates_in_order(lines.iter().map(|l| l.rate))
        .into_iter()
        .map(|r| {
            let gross: Minor = lines.iter().filter(|l| l.rate == r).map(|l| l.gross).sum();
            let vat = vat_of_gross(gross, r);
            RateTotal {
                rate: r,
                gross,
                vat,
                net: gross - vat,
            }
        })
        .collect();
    VatSummary {
        total_gross: per_rate.iter().map(|t| t.gross).sum(),
        total_vat: per_rate.iter().map(|t| t.vat).sum(),
        lines,
        per_rate,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use VatRate::*;

    fn line(name: &str, quantity: i64, unit: Minor, discount: Minor, rate: VatRate) -> GoodsLine {
        GoodsLine {
            name: name.into(),
            quantity,
            unit_gross: unit,
            discount_gross: discount,
            rate,
        }
    }

    fn totals(s: &VatSummary) -> Vec<(VatRate, Minor, Minor, Minor)> {
        s.per_rate.iter().map(|t| (t.rate, t.gross, t.vat, t.net)).collect()
    }

    /// Worked examples, checked by hand (the first is research §3.2's validated example).
    #[test]
    fn worked_examples() {
        // 2 × 39,99 (23 %) + 49,90 (5 %) + delivery 14,99 at a fixed 23 %:
        // 23 %: 94,97 → VAT 94,97 × 23/123 = 17,7585 → 17,76, net 77,21; 5 %: 49,90 →
        // 2,3762 → 2,38, net 47,52; total 144,87.
        let s = compute(
            &[
                line("Kubek", 2, 3999, 0, Standard23),
                line("Książka", 1, 4990, 0, Reduced5),
            ],
            1499,
            DeliveryVat::Fixed(Standard23),
            "Dostawa",
        );
        assert_eq!(
            totals(&s),
            vec![(Standard23, 9497, 1776, 7721), (Reduced5, 4990, 238, 4752)]
        );
        assert_eq!((s.total_gross, s.total_vat), (14487, 2014));

        // Mixed rates, delivery following the goods: 100,00 (23 %) and 50,00 (8 %),
        // delivery 15,00 split 10,00 / 5,00. 23 %: 110,00 → 20,5691 → 20,57, net 89,43;
        // 8 %: 55,00 → 4,0740 → 4,07, net 50,93.
        let s = compute(
            &[
                line("Lampa", 1, 10000, 0, Standard23),
                line("Herbata", 2, 2500, 0, Reduced8),
            ],
            1500,
            DeliveryVat::FollowGoods,
            "Dostawa",
        );
        assert_eq!(
            totals(&s),
            vec![(Standard23, 11000, 2057, 8943), (Reduced8, 5500, 407, 5093)]
        );
        let parts: Vec<_> = s
            .lines
            .iter()
            .filter(|l| l.delivery)
            .map(|l| (l.rate, l.gross))
            .collect();
        assert_eq!(parts, vec![(Standard23, 1000), (Reduced8, 500)]);

        // An uneven split: 33,33 and 66,67 share 10,00 as 3,333… / 6,666…: 3,33 and 6,67
        // (the larger remainder takes the grosz).
        assert_eq!(split_proportionally(1000, &[3333, 6667]), vec![333, 667]);

        // A discount: 3 × 50,00 − 15,00 = 135,00 at 23 % → 25,2439 → 25,24, net 109,76.
        let s = compute(
            &[line("Buty", 3, 5000, 1500, Standard23)],
            0,
            DeliveryVat::FollowGoods,
            "Dostawa",
        );
        assert_eq!(totals(&s), vec![(Standard23, 13500, 2524, 10976)]);

        // Exempt and not-subject goods carry no VAT; all goods follow-rate delivery goes zw.
        let s = compute(
            &[line("Kurs", 1, 20000, 0, Exempt)],
            999,
            DeliveryVat::FollowGoods,
            "Dostawa",
        );
        assert_eq!(totals(&s), vec![(Exempt, 20999, 0, 20999)]);

        // Foreign currency: 100,00 EUR at 23 % → VAT 18,70 EUR; NBP 4,2954 → 80,32 PLN
        // (18,70 × 4,2954 = 80,32398).
        assert_eq!(vat_of_gross(10000, Standard23), 1870);
        assert_eq!(crate::NbpRate::parse("4.2954").unwrap().to_pln(1870), 8032);
        // 6 551,00 HUF at 23 %: 655 100 × 23 / 123 = 122 498,37 → 1 224,98 HUF VAT.
        assert_eq!(vat_of_gross(655_100, Standard23), 122_498);

        // A correction's negative amounts round away from zero: −6,5 grosza → −7.
        assert_eq!(div_half_up(-13, 2), -7);
        assert_eq!(div_half_up(13, 2), 7);
        assert_eq!(vat_of_gross(-9497, Standard23), -1776);
    }
}
