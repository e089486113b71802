//! Everything the emulated Allegro knows: registered apps, sellers with their offers,
//! orders and event journals, OAuth grants and tokens, and browser sessions.

use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap, VecDeque};
use std::sync::Arc;

use allegro_api_types::{
    CheckoutForm, CheckoutFormAddWaybillCreated, CheckoutFormReference, CheckoutFormStatus, EventBuyer,
    FulfillmentStatus, IdRef, OrderEventData, OrderEventType, OrderLineItem, OrderLineItemOffer,
};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use crate::faults::Faults;

mod grants;
mod order;

pub use grants::{AccessRecord, AuthCode, DeviceGrant, DeviceState, RefreshRecord};
pub use order::{INVOICE_SCAN_MS, InvoiceRecord, Order};

/// An application registered in the developer portal.
#[derive(Debug, Clone)]
pub struct App {
    /// Client ID (32 hex characters, as Allegro's).
    pub client_id: String,
    /// Client Secret (64 characters).
    pub client_secret: String,
    /// Name shown on the consent page.
    pub name: String,
    /// Optional description.
    pub description: String,
    /// "Has a browser" (authorization_code) or "no browser" (device_code).
    pub kind: AppKind,
    /// Registered redirect URIs; `/authorize` requires an exact match.
    pub redirect_uris: Vec<String>,
    /// Permissions ticked in the portal; the most a token can be granted.
    pub scopes: Vec<String>,
    /// Seller who registered it in the portal, if registered through the pages.
    pub owner: Option<usize>,
    /// Registration time.
    pub created_at_ms: i64,
}

/// The app type chosen at registration; it cannot be changed later.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AppKind {
    /// Application with a browser: OAuth grant type `authorization_code`.
    AuthorizationCode,
    /// Application without a browser: OAuth grant type `device_code`.
    DeviceCode,
}

impl AppKind {
    /// The grant name the portal shows.
    pub fn grant(self) -> &'static str {
        match self {
            AppKind::AuthorizationCode => "authorization_code",
            AppKind::DeviceCode => "device_code",
        }
    }
}

/// An Allegro seller account.
#[derive(Debug, Clone)]
pub struct Seller {
    /// User id (numeric string); the tokens' `user_name`.
    pub id: String,
    /// Login.
    pub login: String,
    /// Password for the login page.
    pub password: String,
    /// First name.
    pub first_name: String,
    /// Last name.
    pub last_name: String,
    /// E-mail.
    pub email: String,
    /// Company name and NIP.
    pub company: Option<(String, String)>,
    /// Bumped by a password change, "log out of all devices" or a sales block: every token
    /// issued under an older epoch is dead.
    pub token_epoch: u32,
    /// Orders (indexes into `World::orders`), newest purchase first.
    pub orders: Vec<usize>,
    /// The order journal, oldest first; ids strictly increase.
    pub events: Vec<EventRecord>,
    /// Offers.
    pub offers: Vec<Arc<Offer>>,
    /// Times tokens were issued for this user, for the token-flood limit.
    pub token_issues: VecDeque<i64>,
}

/// An offer in the emulator's catalogue.
#[derive(Debug, Clone)]
pub struct Offer {
    /// Offer id (numeric string).
    pub id: String,
    /// Title.
    pub name: String,
    /// SKU.
    pub external_id: String,
    /// Category id.
    pub category_id: String,
    /// Price in grosze (PLN).
    pub price_minor: i64,
    /// VAT rate as Allegro writes it, e.g. `23.00`.
    pub vat_rate: &'static str,
    /// Units in stock.
    pub stock: i64,
    /// Units sold.
    pub sold: i64,
    /// ACTIVE, ENDED…
    pub status: &'static str,
    /// Created.
    pub created_at_ms: i64,
}

/// One journal entry.
#[derive(Debug, Clone)]
pub struct EventRecord {
    /// Numeric id, microseconds since the epoch, strictly increasing per journal.
    pub id: u64,
    /// Event type.
    pub event_type: OrderEventType,
    /// When it happened (may go backwards when events are delivered out of order).
    pub occurred_at_ms: i64,
    /// The order the event is about (index into `World::orders`).
    pub order: usize,
    /// The order's revision when the event happened.
    pub revision: Option<String>,
}

/// A status change the generator scheduled for later (a buyer paying, say).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Transition {
    /// FILLED_IN → READY_FOR_PROCESSING.
    Pay,
    /// BOUGHT → FILLED_IN.
    FillIn,
}

/// The whole emulated Allegro.
#[derive(Debug)]
pub struct World {
    /// Apps by Client ID.
    pub apps: HashMap<String, App>,
    /// Sellers.
    pub sellers: Vec<Seller>,
    /// Seller index by lower-cased login.
    pub seller_by_login: HashMap<String, usize>,
    /// Seller index by user id.
    pub seller_by_id: HashMap<String, usize>,
    /// Orders.
    pub orders: Vec<Order>,
    /// Order index by checkout form id.
    pub order_by_id: HashMap<String, usize>,
    /// Pending authorization codes.
    pub auth_codes: HashMap<String, AuthCode>,
    /// Device grants by device code.
    pub device_grants: HashMap<String, DeviceGrant>,
    /// Access tokens by `jti`.
    pub access_tokens: HashMap<String, AccessRecord>,
    /// Refresh tokens by `jti`.
    pub refresh_tokens: HashMap<String, RefreshRecord>,
    /// Browser sessions (cookie value → seller).
    pub browser_sessions: HashMap<String, usize>,
    /// Scheduled transitions: (due time, order index, transition).
    pub scheduled: BinaryHeap<Reverse<(i64, usize, Transition)>>,
    /// Events held back to be delivered late (out-of-order quirk), per seller.
    pub held_back: HashMap<usize, Vec<EventRecord>>,
    /// Randomness for ids, codes and quirks.
    pub rng: ChaCha8Rng,
    last_event_id: u64,
}

impl World {
    /// An empty world whose random choices follow `seed`.
    pub fn new(seed: u64) -> Self {
        Self {
            apps: HashMap::new(),
            sellers: Vec::new(),
            seller_by_login: HashMap::new(),
            seller_by_id: HashMap::new(),
            orders: Vec::new(),
            order_by_id: HashMap::new(),
            auth_codes: HashMap::new(),
            device_grants: HashMap::new(),
            access_tokens: HashMap::new(),
            refresh_tokens: HashMap::new(),
            browser_sessions: HashMap::new(),
            scheduled: BinaryHeap::new(),
            held_back: HashMap::new(),
            rng: ChaCha8Rng::seed_from_u64(seed),
            last_event_id: 0,
        }
    }

    /// A random string of `len` characters from `alphabet`.
    pub fn random_string(&mut self, len: usize, alphabet: &[u8]) -> String {
        (0..len)
            .map(|_| alphabet[self.rng.random_range(0..alphabet.len())] as char)
            .collect()
    }

    /// A random token-like string (URL-safe letters and digits).
    pub fn random_token(&mut self, len: usize) -> String {
        self.random_string(len, b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789")
    }

    /// A random UUID v4 drawn from the world's generator (deterministic per seed).
    pub fn uuid(&mut self) -> String {
        uuid::Builder::from_random_bytes(self.rng.random())
            .into_uuid()
            .to_string()
    }

    /// Adds a seller; fails if the login is taken.
    pub fn add_seller(&mut self, login: &str, password: &str) -> Result<usize, String> {
        let key = login.trim().to_lowercase();
        if key.is_empty() {
            return Err("login must not be empty".into());
        }
        if self.seller_by_login.contains_key(&key) {
            return Err(format!("login {login:?} is already taken"));
        }
        let idx = self.sellers.len();
        let id = format!("{}", 40_000_000 + idx as u64 * 7919 + self.rng.random_range(0..7000));
        let (first_name, last_name) = crate::generator::person_name(&mut self.rng);
        let company = if idx.is_multiple_of(2) {
            Some((
                format!(
                    "{} {} Sp. z o.o.",
                    crate::generator::shop_word(&mut self.rng),
                    last_name
                ),
                crate::generator::nip(&mut self.rng),
            ))
        } else {
            None
        };
        self.sellers.push(Seller {
            id: id.clone(),
            login: login.trim().to_owned(),
            password: password.to_owned(),
            first_name,
            last_name,
            email: format!(
                "{}@example.allegro.pl",
                key.replace(|c: char| !c.is_ascii_alphanumeric(), ".")
            ),
            company,
            token_epoch: 0,
            orders: Vec::new(),
            events: Vec::new(),
            offers: Vec::new(),
            token_issues: VecDeque::new(),
        });
        self.seller_by_login.insert(key, idx);
        self.seller_by_id.insert(id, idx);
        Ok(idx)
    }

    /// Adds an order and keeps the seller's list sorted newest purchase first.
    pub fn insert_order(&mut self, order: Order) -> usize {
        let idx = self.orders.len();
        let seller = order.seller;
        let bought = order.bought_at_ms;
        self.order_by_id.insert(order.key.id.clone(), idx);
        self.orders.push(order);
        let orders = &self.orders;
        let list = &mut self.sellers[seller].orders;
        // Newest first; ties keep insertion order. Generated orders mostly arrive sorted.
        let pos = list.partition_point(|&o| orders[o].bought_at_ms >= bought);
        list.insert(pos, idx);
        idx
    }

    /// Records a change to an order: new revision, and `updatedAt` unless the change is one
    /// Allegro does not reflect there (fulfillment changes, GH#9905).
    pub fn touch(&mut self, order: usize, now_ms: i64, moves_updated_at: bool) {
        let o = &mut self.orders[order];
        o.revision += 1;
        if moves_updated_at {
            o.updated_at_ms = now_ms;
        }
        let revision = format!("{:08x}", hash_revision(&o.key.id, o.revision));
        let updated = allegro_api_types::Instant::from_millis(o.updated_at_ms);
        o.update(|form| {
            form.revision = Some(revision);
            form.updated_at = Some(updated);
        });
    }

    /// Appends an event for `order` to its seller's journal, applying the configured
    /// journal quirks (skipped READY_FOR_PROCESSING, duplicates, late delivery).
    pub fn emit(&mut self, order: usize, event_type: OrderEventType, at_ms: i64, faults: &Faults) {
        let seller = self.orders[order].seller;
        let revision = self.orders[order].key.revision.clone();
        if event_type == OrderEventType::ReadyForProcessing
            && faults.skip_ready_for_processing > 0.0
            && self.rng.random_bool(faults.skip_ready_for_processing.min(1.0))
        {
            return;
        }
        let copies = if faults.duplicate_events > 0.0 && self.rng.random_bool(faults.duplicate_events.min(1.0)) {
            2
        } else {
            1
        };
        let late = faults.out_of_order_events > 0.0 && self.rng.random_bool(faults.out_of_order_events.min(1.0));
        let held = self.held_back.remove(&seller).unwrap_or_default();
        for _ in 0..copies {
            let record = EventRecord {
                id: 0,
                event_type,
                occurred_at_ms: at_ms,
                order,
                revision: revision.clone(),
            };
            if late {
                self.held_back.entry(seller).or_default().push(record);
            } else {
                self.append_event(seller, record, at_ms);
            }
        }
        // Events held back earlier are released after this one: the journal then shows them
        // after a later event, with an older occurredAt (ORD-TUT: unexpected order).
        for record in held {
            self.append_event(seller, record, at_ms);
        }
    }

    fn append_event(&mut self, seller: usize, mut record: EventRecord, now_ms: i64) {
        let id = (self.last_event_id + 1).max(now_ms as u64 * 1000);
        self.last_event_id = id;
        record.id = id;
        self.sellers[seller].events.push(record);
    }

    /// Applies every scheduled transition that is due at `now_ms`.
    pub fn run_due(&mut self, now_ms: i64, faults: &Faults) {
        while let Some(Reverse((due, order, transition))) = self.scheduled.peek().copied() {
            if due > now_ms {
                break;
            }
            self.scheduled.pop();
            let status = self.orders[order].key.status;
            match (transition, status.unwrap_or(CheckoutFormStatus::Unknown)) {
                (Transition::FillIn, CheckoutFormStatus::Bought) => {
                    self.set_status(order, CheckoutFormStatus::FilledIn, due, faults);
                }
                (Transition::Pay, CheckoutFormStatus::FilledIn | CheckoutFormStatus::Bought) => {
                    self.set_status(order, CheckoutFormStatus::ReadyForProcessing, due, faults);
                }
                _ => {}
            }
        }
    }

    /// Moves an order to `status` as the buyer or Allegro would, emitting the event.
    pub fn set_status(&mut self, order: usize, status: CheckoutFormStatus, at_ms: i64, faults: &Faults) {
        let event = match status {
            CheckoutFormStatus::Bought => OrderEventType::Bought,
            CheckoutFormStatus::FilledIn => OrderEventType::FilledIn,
            CheckoutFormStatus::ReadyForProcessing => OrderEventType::ReadyForProcessing,
            CheckoutFormStatus::Cancelled | CheckoutFormStatus::Unknown => OrderEventType::BuyerCancelled,
        };
        self.orders[order].update(|form| {
            form.status = status;
            if status == CheckoutFormStatus::ReadyForProcessing {
                crate::generator::mark_paid(form, at_ms);
            }
            if status == CheckoutFormStatus::Cancelled
                && let Some(f) = form.fulfillment.as_mut()
            {
                f.status = Some(FulfillmentStatus::Cancelled);
            }
        });
        self.touch(order, at_ms, true);
        self.emit(order, event, at_ms, faults);
    }

    /// Sets the fulfillment status and emits FULFILLMENT_STATUS_CHANGED.
    pub fn set_fulfillment(&mut self, order: usize, status: FulfillmentStatus, at_ms: i64, faults: &Faults) {
        self.orders[order].update(|form| {
            let f = form
                .fulfillment
                .get_or_insert(allegro_api_types::CheckoutFormFulfillment {
                    status: None,
                    shipment_summary: None,
                    provider: None,
                });
            f.status = Some(status);
        });
        self.orders[order].fulfillment_changes += 1;
        self.touch(order, at_ms, false);
        self.emit(order, OrderEventType::FulfillmentStatusChanged, at_ms, faults);
    }
}

fn hash_revision(id: &str, revision: u64) -> u32 {
    // FNV-1a: a stable, short revision string that changes with every change.
    let mut h: u32 = 0x811c_9dc5;
    for b in id.bytes().chain(revision.to_le_bytes()) {
        h ^= u32::from(b);
        h = h.wrapping_mul(0x0100_0193);
    }
    h
}

/// The order as an event carries it (`OrderEventData`), at the event's revision. Buyer and
/// line items do not change after a purchase, so they come from the current form.
pub fn event_data(seller: &Seller, form: &CheckoutForm, revision: Option<String>) -> OrderEventData {
    OrderEventData {
        seller: IdRef { id: seller.id.clone() },
        buyer: EventBuyer {
            id: form.buyer.id.clone(),
            email: form.buyer.email.clone(),
            login: form.buyer.login.clone(),
            guest: form.buyer.guest,
            preferences: form.buyer.preferences.clone(),
        },
        line_items: form
            .line_items
            .iter()
            .map(|li| OrderLineItem {
                id: li.id.clone(),
                offer: OrderLineItemOffer {
                    id: li.offer.id.clone(),
                    name: li.offer.name.clone(),
                    external: li.offer.external.clone(),
                },
                quantity: li.quantity,
                original_price: Some(li.original_price.clone()),
                price: li.price.clone(),
                bought_at: li.bought_at,
            })
            .collect(),
        checkout_form: Some(CheckoutFormReference {
            id: form.id.clone(),
            revision,
        }),
        marketplace: form.marketplace.as_ref().map(|m| IdRef { id: m.id.clone() }),
    }
}
