use serde::{Deserialize, Serialize};

use crate::{ExternalId, Instant, Price};

/// `OffersSearchResultDto`: `GET /sale/offers`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OffersSearchResult {
    /// Offers on this page.
    pub offers: Option<Vec<OfferListing>>,
    /// Number on this page.
    pub count: Option<i64>,
    /// Number matching the filters.
    pub total_count: Option<i64>,
}

/// `OfferListingDto` (the fields this product reads).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OfferListing {
    /// Offer id.
    pub id: Option<String>,
    /// Title.
    pub name: Option<String>,
    /// Category.
    pub category: Option<CategoryRef>,
    /// Main image.
    pub primary_image: Option<ImageRef>,
    /// Price and format.
    pub selling_mode: Option<OfferSellingMode>,
    /// Stock.
    pub stock: Option<OfferStock>,
    /// Publication.
    pub publication: Option<OfferPublication>,
    /// Seller's own id (SKU).
    pub external: Option<ExternalId>,
}

/// `Category` reference.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CategoryRef {
    /// Category id.
    pub id: Option<String>,
}

/// `OfferListingDtoImage`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImageRef {
    /// Image URL.
    pub url: Option<String>,
}

/// `OfferListingDtoV1SellingMode` / `SellingMode`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OfferSellingMode {
    /// BUY_NOW, AUCTION or ADVERTISEMENT.
    pub format: Option<String>,
    /// Buy-now price.
    pub price: Option<Price>,
}

/// `OfferListingDtoV1Stock`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OfferStock {
    /// Units available.
    pub available: Option<i64>,
    /// Units sold.
    pub sold: Option<i64>,
}

/// `OfferListingDtoV1Publication`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OfferPublication {
    /// INACTIVE, ACTIVATING, ACTIVE or ENDED.
    pub status: Option<String>,
    /// When it started.
    pub started_at: Option<Instant>,
    /// When it ended.
    pub ended_at: Option<Instant>,
}

/// `SaleProductOfferResponseV1`: `GET /sale/product-offers/{offerId}` (the fields this
/// product reads: identity, price, stock, invoice type and VAT settings).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SaleProductOffer {
    /// Offer id.
    pub id: Option<String>,
    /// Title.
    pub name: Option<String>,
    /// Category.
    pub category: Option<CategoryRef>,
    /// Seller's own id (SKU).
    pub external: Option<ExternalId>,
    /// Price and format.
    pub selling_mode: Option<OfferSellingMode>,
    /// Stock.
    pub stock: Option<ProductOfferStock>,
    /// Publication.
    pub publication: Option<ProductOfferPublication>,
    /// Invoice type the seller issues.
    pub payments: Option<OfferPayments>,
    /// VAT settings.
    pub tax_settings: Option<OfferTaxSettings>,
    /// Created.
    pub created_at: Option<Instant>,
    /// Updated.
    pub updated_at: Option<Instant>,
}

/// `StockResponse`-like stock of a product offer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProductOfferStock {
    /// Units available.
    pub available: Option<i64>,
    /// UNIT, PAIR or SET.
    pub unit: Option<String>,
}

/// Publication of a product offer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProductOfferPublication {
    /// INACTIVE, ACTIVATING, ACTIVE or ENDED.
    pub status: Option<String>,
}

/// `Payments`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OfferPayments {
    /// VAT, VAT_MARGIN, WITHOUT_VAT or NO_INVOICE.
    pub invoice: Option<String>,
}

/// `OfferTaxSettings`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OfferTaxSettings {
    /// Rates per country.
    pub rates: Vec<OfferTaxRate>,
    /// Subject, e.g. GOODS.
    pub subject: Option<String>,
    /// Exemption.
    pub exemption: Option<String>,
}

/// `OfferTaxRate`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OfferTaxRate {
    /// Rate, e.g. `"23.00"`.
    pub rate: Option<String>,
    /// Country, e.g. `PL`.
    pub country_code: Option<String>,
}
