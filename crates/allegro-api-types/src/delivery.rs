//! An order's delivery: the method, the address or pickup point, its time and cost.

use serde::{Deserialize, Serialize};

use crate::{Instant, Price};

/// `CheckoutFormDeliveryReference`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CheckoutFormDelivery {
    /// Delivery address.
    pub address: Option<CheckoutFormDeliveryAddress>,
    /// Delivery method.
    pub method: Option<CheckoutFormDeliveryMethod>,
    /// Pickup point (parcel locker, shop).
    pub pickup_point: Option<CheckoutFormDeliveryPickupPoint>,
    /// Delivery cost.
    pub cost: Option<Price>,
    /// Delivery times.
    pub time: Option<CheckoutFormDeliveryTime>,
    /// Allegro Smart! delivery.
    pub smart: Option<bool>,
    /// Cancellation of the delivery.
    pub cancellation: Option<CheckoutFormDeliveryCancellation>,
    /// Number of packages.
    pub calculated_number_of_packages: Option<i32>,
}

/// `CheckoutFormDeliveryAddress`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CheckoutFormDeliveryAddress {
    /// First name.
    pub first_name: String,
    /// Last name.
    pub last_name: String,
    /// Street and number.
    pub street: String,
    /// City.
    pub city: String,
    /// Postal code.
    pub zip_code: String,
    /// ISO country code.
    pub country_code: String,
    /// Company name.
    pub company_name: Option<String>,
    /// Phone.
    pub phone_number: Option<String>,
    /// When the buyer last changed the address.
    pub modified_at: Option<String>,
}

/// `CheckoutFormDeliveryMethod`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckoutFormDeliveryMethod {
    /// Method id.
    pub id: Option<String>,
    /// Method name, e.g. "Allegro Paczkomaty InPost".
    pub name: Option<String>,
}

/// `CheckoutFormDeliveryPickupPoint`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckoutFormDeliveryPickupPoint {
    /// Point id, e.g. `POZ08A`.
    pub id: Option<String>,
    /// Point name.
    pub name: Option<String>,
    /// Description.
    pub description: Option<String>,
    /// Address.
    pub address: Option<CheckoutFormDeliveryPickupPointAddress>,
}

/// `CheckoutFormDeliveryPickupPointAddress`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CheckoutFormDeliveryPickupPointAddress {
    /// Street.
    pub street: Option<String>,
    /// Postal code.
    pub zip_code: Option<String>,
    /// City.
    pub city: Option<String>,
    /// ISO country code.
    pub country_code: Option<String>,
}

/// `CheckoutFormDeliveryTime`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckoutFormDeliveryTime {
    /// Earliest delivery.
    pub from: Option<Instant>,
    /// Latest delivery.
    pub to: Option<Instant>,
    /// Guaranteed window (deprecated).
    pub guaranteed: Option<TimeWindow>,
    /// Dispatch window.
    pub dispatch: Option<TimeWindow>,
}

/// A `{from, to}` window of instants.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TimeWindow {
    /// Start.
    pub from: Option<Instant>,
    /// End.
    pub to: Option<Instant>,
}

/// `CheckoutFormDeliveryCancellation`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckoutFormDeliveryCancellation {
    /// When the delivery was cancelled.
    pub date: Instant,
}
