//! The file layout: each column (and XML attribute), its level and its names in English
//! and Polish.

/// Whether a field belongs to the order or to one line item.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    /// Same on every row of an order.
    Order,
    /// Per line item.
    Line,
}

/// One column of the CSV layout (and its XML attribute).
#[derive(Debug, Clone, Copy)]
pub struct Field {
    /// CSV header.
    pub name: &'static str,
    /// Polish CSV header accepted as well.
    pub polish: &'static str,
    /// XML element and attribute.
    pub xml: &'static str,
    /// Order or line.
    pub level: Level,
    /// Must be present and non-empty.
    pub required: bool,
    /// What it holds.
    pub help: &'static str,
}

macro_rules! fields {
    ($(($name:literal, $polish:literal, $xml:literal, $level:ident, $req:literal, $help:literal)),+ $(,)?) => {
        /// The file layout: CSV headers (English or Polish), XML attributes, meaning.
        pub const FIELDS: &[Field] = &[$(Field { name: $name, polish: $polish, xml: $xml, level: Level::$level, required: $req, help: $help }),+];
    };
}

fields! {
    ("order_id", "id_zamowienia", "order/@id", Order, true, "Allegro's order id (checkout form UUID) or your own order number; rows with the same id are one order"),
    ("bought_at", "data_zakupu", "order/@boughtAt", Order, true, "purchase time: 2026-11-05 14:30, 05.11.2026 14:30, 2026-11-05 (Polish time) or RFC 3339 with an offset"),
    ("buyer_login", "login_kupujacego", "buyer/@login", Order, true, "the buyer's Allegro login"),
    ("buyer_email", "email", "buyer/@email", Order, false, "the buyer's e-mail"),
    ("first_name", "imie", "buyer/@firstName", Order, false, "first name"),
    ("last_name", "nazwisko", "buyer/@lastName", Order, false, "last name"),
    ("company_name", "firma", "buyer/@companyName", Order, false, "company name"),
    ("nip", "nip", "buyer/@nip", Order, false, "the company's NIP (checked); needs street, zip_code and city"),
    ("phone", "telefon", "buyer/@phone", Order, false, "phone number"),
    ("street", "ulica", "address/@street", Order, false, "delivery street and number"),
    ("zip_code", "kod_pocztowy", "address/@zipCode", Order, false, "postcode (NN-NNN in Poland)"),
    ("city", "miasto", "address/@city", Order, false, "city"),
    ("country_code", "kraj", "address/@countryCode", Order, false, "two-letter country code; PL when empty"),
    ("delivery_method", "sposob_dostawy", "delivery/@method", Order, false, "delivery method's name"),
    ("delivery_cost", "koszt_dostawy", "delivery/@cost", Order, false, "delivery cost, gross"),
    ("pickup_point", "punkt_odbioru", "delivery/@pickupPoint", Order, false, "pickup point id (e.g. a Paczkomat)"),
    ("currency", "waluta", "order/@currency", Order, false, "PLN, CZK, EUR or HUF; PLN when empty"),
    ("status", "status", "order/@status", Order, false, "READY_FOR_PROCESSING (paid, the default), BOUGHT, FILLED_IN or CANCELLED"),
    ("invoice_required", "faktura", "order/@invoiceRequired", Order, false, "the buyer asked for an invoice: tak/nie, yes/no, 1/0"),
    ("offer_id", "id_oferty", "line/@offerId", Line, false, "Allegro offer id"),
    ("sku", "sku", "line/@sku", Line, false, "your product code (the offer's external id)"),
    ("offer_name", "nazwa", "line/@name", Line, true, "item name"),
    ("quantity", "ilosc", "line/@quantity", Line, true, "whole number of pieces, at least 1"),
    ("unit_price", "cena_brutto", "line/@unitPrice", Line, true, "gross price of one piece: 49,99 or 1 234,50 or 49.99"),
    ("vat_rate", "stawka_vat", "line/@vatRate", Line, false, "23, 8, 5, 0, zw or np"),
}

/// The field of a header (English or Polish, any case, spaces as underscores).
pub(crate) fn field_of(header: &str) -> Option<&'static Field> {
    let h: String = header
        .trim()
        .to_lowercase()
        .chars()
        .map(|c| match c {
            ' ' | '-' => '_',
            'ą' => 'a',
            'ć' => 'c',
            'ę' => 'e',
            'ł' => 'l',
            'ń' => 'n',
            'ó' => 'o',
            'ś' => 's',
            'ź' | 'ż' => 'z',
            c => c,
        })
        .collect();
    FIELDS.iter().find(|f| f.name == h || f.polish == h)
}
