use serde::{Deserialize, Serialize};

use crate::{CheckoutFormDelivery, Instant, Price, api_enum};

api_enum! {
    /// `CheckoutFormStatus`.
    CheckoutFormStatus {
        /// Bought, checkout form not filled in.
        Bought = "BOUGHT",
        /// Filled in, payment not completed.
        FilledIn = "FILLED_IN",
        /// Paid (or cash on delivery): ready to ship.
        ReadyForProcessing = "READY_FOR_PROCESSING",
        /// Cancelled.
        Cancelled = "CANCELLED",
    }
}

api_enum! {
    /// `CheckoutFormFulfillmentStatus`: the seller's processing status.
    FulfillmentStatus {
        /// New.
        New = "NEW",
        /// Being processed.
        Processing = "PROCESSING",
        /// Ready for shipment.
        ReadyForShipment = "READY_FOR_SHIPMENT",
        /// Ready for pickup.
        ReadyForPickup = "READY_FOR_PICKUP",
        /// Sent.
        Sent = "SENT",
        /// Picked up.
        PickedUp = "PICKED_UP",
        /// Cancelled.
        Cancelled = "CANCELLED",
        /// Suspended (One Fulfillment).
        Suspended = "SUSPENDED",
        /// Returned; set only by Allegro, never by the seller.
        Returned = "RETURNED",
    }
}

api_enum! {
    /// `CheckoutFormFulfillmentShipmentSummaryLineItemsSent`.
    LineItemsSent {
        /// No line item sent.
        None = "NONE",
        /// Some line items sent.
        Some = "SOME",
        /// All line items sent.
        All = "ALL",
    }
}

api_enum! {
    /// `CheckoutFormFulfillmentProvider.id`.
    FulfillmentProviderId {
        /// The seller ships.
        Seller = "SELLER",
        /// Allegro One Fulfillment ships.
        Allegro = "ALLEGRO",
    }
}

api_enum! {
    /// `CheckoutFormPaymentType`.
    PaymentType {
        /// Cash on delivery.
        CashOnDelivery = "CASH_ON_DELIVERY",
        /// Wire transfer.
        WireTransfer = "WIRE_TRANSFER",
        /// Online payment.
        Online = "ONLINE",
        /// Split payment.
        SplitPayment = "SPLIT_PAYMENT",
        /// Extended payment terms.
        ExtendedTerm = "EXTENDED_TERM",
    }
}

api_enum! {
    /// `CheckoutFormPaymentProvider`.
    PaymentProvider {
        /// PayU.
        Payu = "PAYU",
        /// Przelewy24.
        P24 = "P24",
        /// Allegro Finance.
        Af = "AF",
        /// Offline.
        Offline = "OFFLINE",
        /// Extended payment terms.
        Ept = "EPT",
    }
}

api_enum! {
    /// `CheckoutFormInvoiceAddressCompany.vatPayerStatus`.
    VatPayerStatus {
        /// Active VAT payer.
        Active = "ACTIVE",
        /// Not an active VAT payer.
        NonActive = "NON_ACTIVE",
        /// Not declared or not applicable.
        NotApplicable = "NOT_APPLICABLE",
    }
}

api_enum! {
    /// `CheckoutFormInvoiceAddressCompanyId.type`.
    CompanyIdType {
        /// Polish NIP.
        PlNip = "PL_NIP",
        /// Czech IČO.
        CzIco = "CZ_ICO",
        /// Czech DIČ.
        CzDic = "CZ_DIC",
        /// Hungarian adószám.
        HuAdoszam = "HU_ADOSZAM",
        /// Slovak IČO.
        SkIco = "SK_ICO",
        /// Slovak IČ DPH.
        SkIcDph = "SK_IC_DPH",
        /// EU VAT number.
        VatEu = "VAT_EU",
        /// Other.
        Other = "OTHER",
    }
}

api_enum! {
    /// `LineItemDiscount.type`.
    DiscountType {
        /// Bundle.
        Bundle = "BUNDLE",
        /// Unit percentage discount.
        UnitPercentageDiscount = "UNIT_PERCENTAGE_DISCOUNT",
        /// Wholesale price list.
        WholesalePriceList = "WHOLESALE_PRICE_LIST",
        /// Large order discount.
        LargeOrderDiscount = "LARGE_ORDER_DISCOUNT",
        /// Turnover discount.
        TurnoverDiscount = "TURNOVER_DISCOUNT",
        /// Coupon.
        Coupon = "COUPON",
        /// Campaign.
        Campaign = "CAMPAIGN",
    }
}

/// `CheckoutForms`: one page of `GET /order/checkout-forms`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CheckoutForms {
    /// The orders on this page.
    pub checkout_forms: Vec<CheckoutForm>,
    /// Number of orders on this page.
    pub count: i64,
    /// Number of orders matching the filters.
    pub total_count: i64,
}

/// `CheckoutForm`: an order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CheckoutForm {
    /// Order (checkout form) id, a UUID.
    pub id: String,
    /// Message from the buyer.
    pub message_to_seller: Option<String>,
    /// The buyer.
    pub buyer: CheckoutFormBuyer,
    /// The payment.
    pub payment: Option<CheckoutFormPayment>,
    /// Order status.
    pub status: CheckoutFormStatus,
    /// Seller's fulfillment status.
    pub fulfillment: Option<CheckoutFormFulfillment>,
    /// Delivery.
    pub delivery: Option<CheckoutFormDelivery>,
    /// Invoice data.
    pub invoice: Option<CheckoutFormInvoiceInfo>,
    /// Line items.
    pub line_items: Vec<CheckoutFormLineItem>,
    /// Extra payments (dopłaty).
    pub surcharges: Vec<CheckoutFormPayment>,
    /// Seller's note.
    pub note: Option<CheckoutFormNote>,
    /// Marketplace the order was placed on.
    pub marketplace: Option<CheckoutFormMarketplace>,
    /// Summary.
    pub summary: CheckoutFormSummary,
    /// Last update.
    pub updated_at: Option<Instant>,
    /// Revision; changes with every change of the order.
    pub revision: Option<String>,
}

/// `CheckoutFormBuyerReference`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CheckoutFormBuyer {
    /// Buyer's user id.
    pub id: String,
    /// E-mail (masked relay address).
    pub email: String,
    /// Login.
    pub login: String,
    /// First name.
    pub first_name: Option<String>,
    /// Last name.
    pub last_name: Option<String>,
    /// Company name.
    pub company_name: Option<String>,
    /// Bought without an account.
    pub guest: bool,
    /// PESEL.
    pub personal_identity: Option<String>,
    /// Phone.
    pub phone_number: Option<String>,
    /// Preferences.
    pub preferences: Option<BuyerPreferences>,
    /// Buyer's address.
    pub address: Option<CheckoutFormBuyerAddress>,
}

/// `BuyerPreferencesReference`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BuyerPreferences {
    /// Preferred language, e.g. `pl-PL`.
    pub language: Option<String>,
}

/// `CheckoutFormBuyerAddressReference`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CheckoutFormBuyerAddress {
    /// Street and number.
    pub street: Option<String>,
    /// City.
    pub city: Option<String>,
    /// Postal code.
    pub post_code: Option<String>,
    /// ISO country code.
    pub country_code: Option<String>,
}

/// `CheckoutFormPaymentReference`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CheckoutFormPayment {
    /// Payment id (UUID).
    pub id: String,
    /// Payment type.
    #[serde(rename = "type")]
    pub payment_type: PaymentType,
    /// Provider.
    pub provider: Option<PaymentProvider>,
    /// When the payment finished.
    pub finished_at: Option<Instant>,
    /// Amount paid.
    pub paid_amount: Option<Price>,
    /// Amount reconciled to the seller.
    pub reconciliation: Option<Price>,
    /// Features such as `ALLEGRO_PAY`.
    pub features: Option<Vec<String>>,
}

/// `CheckoutFormFulfillment`: also the body of `PUT …/fulfillment`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CheckoutFormFulfillment {
    /// Fulfillment status.
    pub status: Option<FulfillmentStatus>,
    /// Which line items were sent.
    #[serde(default)]
    pub shipment_summary: Option<ShipmentSummary>,
    /// Who ships.
    #[serde(default)]
    pub provider: Option<FulfillmentProvider>,
}

/// `CheckoutFormFulfillmentShipmentSummary`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ShipmentSummary {
    /// NONE, SOME or ALL.
    pub line_items_sent: Option<LineItemsSent>,
}

/// `CheckoutFormFulfillmentProvider`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FulfillmentProvider {
    /// SELLER or ALLEGRO.
    pub id: Option<FulfillmentProviderId>,
}

/// `CheckoutFormInvoiceInfo`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CheckoutFormInvoiceInfo {
    /// The buyer asked for an invoice.
    pub required: bool,
    /// Invoice address.
    pub address: Option<CheckoutFormInvoiceAddress>,
    /// Payment due date (`YYYY-MM-DD`), only with extended payment terms.
    pub due_date: Option<String>,
    /// `VAT_EU_VERIFIED` / `VAT_EU_UNVERIFIED`.
    pub features: Option<Vec<String>>,
}

/// `CheckoutFormInvoiceAddress`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CheckoutFormInvoiceAddress {
    /// Street and number.
    pub street: String,
    /// City.
    pub city: String,
    /// Postal code.
    pub zip_code: String,
    /// ISO country code.
    pub country_code: String,
    /// Set for a company purchase; `null` means a private purchase.
    pub company: Option<CheckoutFormInvoiceAddressCompany>,
    /// Set for a private purchase.
    pub natural_person: Option<CheckoutFormInvoiceAddressNaturalPerson>,
}

/// `CheckoutFormInvoiceAddressCompany`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CheckoutFormInvoiceAddressCompany {
    /// Company name.
    pub name: String,
    /// Tax ids (NIP etc.).
    pub ids: Option<Vec<CheckoutFormInvoiceAddressCompanyId>>,
    /// VAT payer status.
    pub vat_payer_status: VatPayerStatus,
    /// Deprecated single tax id.
    pub tax_id: Option<String>,
}

/// `CheckoutFormInvoiceAddressCompanyId`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckoutFormInvoiceAddressCompanyId {
    /// Id type.
    #[serde(rename = "type")]
    pub id_type: CompanyIdType,
    /// The id as the buyer typed it (may contain dashes).
    pub value: String,
}

/// `CheckoutFormInvoiceAddressNaturalPerson`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CheckoutFormInvoiceAddressNaturalPerson {
    /// First name.
    pub first_name: String,
    /// Last name.
    pub last_name: String,
}

/// `CheckoutFormLineItem`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CheckoutFormLineItem {
    /// Line item id (UUID).
    pub id: String,
    /// The offer bought.
    pub offer: OfferReference,
    /// Quantity (≥ 1).
    pub quantity: i64,
    /// Unit price before discounts.
    pub original_price: Price,
    /// Unit price paid.
    pub price: Price,
    /// Deposit.
    pub deposit: Option<LineItemDeposit>,
    /// Reconciliation.
    pub reconciliation: Option<LineItemReconciliation>,
    /// Additional services.
    pub selected_additional_services: Option<Vec<CheckoutFormAdditionalService>>,
    /// Vouchers.
    pub vouchers: Option<Vec<LineItemVoucher>>,
    /// The offer's tax settings at purchase.
    pub tax: Option<CheckoutFormLineItemTax>,
    /// When it was bought.
    pub bought_at: Option<Instant>,
    /// Discounts applied.
    pub discounts: Option<Vec<LineItemDiscount>>,
    /// Serial numbers.
    pub serial_numbers: Option<CheckoutFormLineItemSerialNumbers>,
}

/// `OfferReference`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OfferReference {
    /// Offer id.
    pub id: String,
    /// Offer title.
    pub name: String,
    /// Seller's own id (SKU).
    pub external: Option<ExternalId>,
    /// Product set.
    pub product_set: Option<OfferProductSet>,
    /// HS number.
    pub hs_number: Option<String>,
}

/// `ExternalId`: the seller's own offer id (SKU), ≤ 100 characters.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExternalId {
    /// The id.
    pub id: Option<String>,
}

/// `OfferProductSetReference`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OfferProductSet {
    /// Products.
    pub products: Vec<OfferProductSetProduct>,
}

/// `OfferProductSetProductReference`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OfferProductSetProduct {
    /// Product id (UUID).
    pub id: String,
    /// Quantity.
    pub quantity: Option<i64>,
}

/// `LineItemDeposit`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LineItemDeposit {
    /// Deposit price.
    pub price: Price,
}

/// `LineItemReconciliation`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LineItemReconciliation {
    /// Value.
    pub value: Option<Price>,
    /// BILLING or WALLET.
    #[serde(rename = "type")]
    pub reconciliation_type: Option<String>,
    /// Quantity.
    pub quantity: Option<i32>,
}

/// `CheckoutFormAdditionalService`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CheckoutFormAdditionalService {
    /// Definition id.
    pub definition_id: Option<String>,
    /// Name.
    pub name: Option<String>,
    /// Price.
    pub price: Option<Price>,
    /// Quantity.
    pub quantity: Option<i32>,
}

/// `LineItemVoucher`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LineItemVoucher {
    /// Code.
    pub code: Option<String>,
    /// Type (`NOTEBOOKS_FOR_TEACHERS`).
    #[serde(rename = "type")]
    pub voucher_type: String,
    /// ACTIVE or CANCELLED.
    pub status: Option<String>,
    /// External transaction id.
    pub external_transaction_id: Option<String>,
    /// Value.
    pub value: Option<Price>,
}

/// `CheckoutFormLineItemTax`: the offer's VAT settings at purchase time.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckoutFormLineItemTax {
    /// VAT rate, e.g. `"23.00"`.
    pub rate: Option<String>,
    /// Subject, e.g. `GOODS`.
    pub subject: Option<String>,
    /// Exemption, e.g. `MONEY_EQUIVALENT`.
    pub exemption: Option<String>,
}

/// `LineItemDiscount`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LineItemDiscount {
    /// Discount type.
    #[serde(rename = "type")]
    pub discount_type: Option<DiscountType>,
}

/// `CheckoutFormLineItemSerialNumbers`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckoutFormLineItemSerialNumbers {
    /// Whether serial numbers are expected.
    pub expected: Option<bool>,
    /// Entries.
    pub entries: Option<Vec<SerialNumberEntry>>,
}

/// `CheckoutFormLineItemSerialNumbersEntry`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SerialNumberEntry {
    /// Serial number.
    pub value: String,
    /// Returned.
    pub returned: Option<bool>,
}

/// `CheckoutFormNoteReference`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckoutFormNote {
    /// Note text.
    pub text: Option<String>,
}

/// `CheckoutFormMarketplace`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckoutFormMarketplace {
    /// Marketplace id, e.g. `allegro-pl`.
    pub id: String,
}

/// `CheckoutFormSummary`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CheckoutFormSummary {
    /// What the buyer pays in total.
    pub total_to_pay: Price,
}
