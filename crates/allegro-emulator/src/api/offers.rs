//! Offers: the seller's list and one product offer.

use super::*;

fn offer_listing(o: &crate::world::Offer) -> OfferListing {
    OfferListing {
        id: Some(o.id.clone()),
        name: Some(o.name.clone()),
        category: Some(CategoryRef {
            id: Some(o.category_id.clone()),
        }),
        primary_image: Some(ImageRef {
            url: Some(format!("https://a.allegroimg.com/original/{}.jpg", o.id)),
        }),
        selling_mode: Some(OfferSellingMode {
            format: Some("BUY_NOW".into()),
            price: Some(Price::from_minor(o.price_minor, "PLN")),
        }),
        stock: Some(OfferStock {
            available: Some(o.stock),
            sold: Some(o.sold),
        }),
        publication: Some(OfferPublication {
            status: Some(o.status.into()),
            started_at: Some(Instant::from_millis(o.created_at_ms)),
            ended_at: None,
        }),
        external: Some(ExternalId {
            id: Some(o.external_id.clone()),
        }),
    }
}

pub(super) async fn offers(
    State(emu): State<Arc<Emulator>>,
    Extension(caller): Extension<Caller>,
    Extension(lang): Extension<Lang>,
    RawQuery(raw): RawQuery,
) -> Response {
    let params = Params::parse(raw.as_deref().unwrap_or_default());
    let path = "/sale/offers";
    let limit = or_respond!(int_param(&params, "limit", 20, 1, 1000, path, lang)) as usize;
    let offset = or_respond!(int_param(&params, "offset", 0, 0, 9_999_999, path, lang)) as usize;
    if offset + limit > 10_000_000 {
        return validation("Offset and limit parameters exceed maximal result size", path, lang);
    }
    let ids = params.all("offer.id");
    let external = params.all("external.id");
    if external.len() > 100 {
        return bad_request("At most 100 values of external.id", path, lang);
    }
    let statuses = params.all("publication.status");
    let name = params.get("name").map(str::to_lowercase);
    let world = emu.world.read();
    let mut matching: Vec<&Arc<crate::world::Offer>> = world.sellers[seller_of(&caller)]
        .offers
        .iter()
        .filter(|o| ids.is_empty() || ids.contains(&o.id.as_str()))
        .filter(|o| external.is_empty() || external.contains(&o.external_id.as_str()))
        .filter(|o| statuses.is_empty() || statuses.contains(&o.status))
        .filter(|o| name.as_ref().is_none_or(|n| o.name.to_lowercase().contains(n)))
        .collect();
    match params.get("sort") {
        None => matching.sort_by_key(|o| std::cmp::Reverse(o.created_at_ms)),
        Some("sellingMode.price.amount") => matching.sort_by_key(|o| o.price_minor),
        Some("-sellingMode.price.amount") => matching.sort_by_key(|o| std::cmp::Reverse(o.price_minor)),
        Some("stock.sold") => matching.sort_by_key(|o| o.sold),
        Some("-stock.sold") => matching.sort_by_key(|o| std::cmp::Reverse(o.sold)),
        Some("stock.available") => matching.sort_by_key(|o| o.stock),
        Some("-stock.available") => matching.sort_by_key(|o| std::cmp::Reverse(o.stock)),
        Some(other) => return bad_request(&format!("Invalid value {other:?} for parameter sort"), path, lang),
    }
    let page: Vec<OfferListing> = matching
        .iter()
        .skip(offset)
        .take(limit)
        .map(|o| offer_listing(o))
        .collect();
    vnd_json(
        StatusCode::OK,
        &OffersSearchResult {
            count: Some(page.len() as i64),
            total_count: Some(matching.len() as i64),
            offers: Some(page),
        },
    )
}

pub(super) async fn product_offer(
    State(emu): State<Arc<Emulator>>,
    Extension(caller): Extension<Caller>,
    Extension(lang): Extension<Lang>,
    Path(offer_id): Path<String>,
) -> Response {
    let world = emu.world.read();
    let Some(o) = world.sellers[seller_of(&caller)]
        .offers
        .iter()
        .find(|o| o.id == offer_id)
    else {
        return api_error(
            StatusCode::NOT_FOUND,
            "OfferNotFoundException",
            format!("Offer {offer_id} not found"),
            None,
            lang,
        );
    };
    vnd_json(
        StatusCode::OK,
        &SaleProductOffer {
            id: Some(o.id.clone()),
            name: Some(o.name.clone()),
            category: Some(CategoryRef {
                id: Some(o.category_id.clone()),
            }),
            external: Some(ExternalId {
                id: Some(o.external_id.clone()),
            }),
            selling_mode: Some(OfferSellingMode {
                format: Some("BUY_NOW".into()),
                price: Some(Price::from_minor(o.price_minor, "PLN")),
            }),
            stock: Some(ProductOfferStock {
                available: Some(o.stock),
                unit: Some("UNIT".into()),
            }),
            publication: Some(ProductOfferPublication {
                status: Some(o.status.into()),
            }),
            payments: Some(OfferPayments {
                invoice: Some("VAT".into()),
            }),
            tax_settings: Some(OfferTaxSettings {
                rates: vec![OfferTaxRate {
                    rate: Some(o.vat_rate.into()),
                    country_code: Some("PL".into()),
                }],
                subject: Some("GOODS".into()),
                exemption: None,
            }),
            created_at: Some(Instant::from_millis(o.created_at_ms)),
            updated_at: Some(Instant::from_millis(o.created_at_ms)),
        },
    )
}
