//! An offline Allegro: the OAuth host (login, consent, token and device endpoints), the
//! developer portal, the REST API host, a seeded data generator, fault injection and a
//! control API under `/__emulator/`. See the crate's README for the control API.
#![forbid(unsafe_code)]
// Validation helpers return the finished error `Response` as their `Err`, as axum handlers
// do; boxing it would only add noise at every call site.
#![allow(clippy::result_large_err)]

/// Unwraps a `Result<T, Response>` or returns the response: the handlers' early exits.
macro_rules! or_respond {
    ($result:expr) => {
        match $result {
            Ok(value) => value,
            Err(response) => return response,
        }
    };
}

mod api;
pub mod clock;
mod control;
mod faults;
pub mod generator;
mod oauth;
mod pages;
mod respond;
mod world;

use std::net::SocketAddr;
use std::sync::Arc;

use axum::Router;
use parking_lot::{Mutex, RwLock};
use tokio::net::TcpListener;

pub use faults::{Faults, Settings};
pub use generator::OrderPlan;
pub use world::{App, AppKind};

use crate::clock::EmulatorClock;
use crate::faults::Traffic;
use crate::world::World;

/// The emulator's state, shared by every request.
pub struct Emulator {
    world: RwLock<World>,
    clock: EmulatorClock,
    faults: RwLock<Faults>,
    settings: RwLock<Settings>,
    traffic: Mutex<Traffic>,
    signer: oauth::Signer,
}

impl std::fmt::Debug for Emulator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Emulator").finish_non_exhaustive()
    }
}

/// Options for a new emulator.
#[derive(Debug, Clone, Default)]
pub struct EmulatorConfig {
    /// Seed of every random choice (ids, codes, generated data).
    pub seed: u64,
}

/// Marketplaces whose buyers may cancel within [`BUYER_CANCEL_WINDOW_MS`] of buying
/// (Allegro's rule as the emulator plays it; the app keeps its own copy in
/// `domain::marketplace`, as any client of Allegro would).
pub const BUYER_CANCEL_MARKETPLACES: [&str; 3] = ["allegro-cz", "allegro-sk", "allegro-hu"];

/// Five minutes after the purchase.
pub const BUYER_CANCEL_WINDOW_MS: i64 = 5 * 60 * 1000;

impl Emulator {
    /// A new, empty emulator.
    pub fn new(config: EmulatorConfig) -> Arc<Self> {
        Arc::new(Self {
            world: RwLock::new(World::new(config.seed)),
            clock: EmulatorClock::default(),
            faults: RwLock::new(Faults::default()),
            settings: RwLock::new(Settings::default()),
            traffic: Mutex::new(Traffic::default()),
            signer: oauth::Signer::load(),
        })
    }

    /// The emulator's current time in epoch milliseconds.
    pub fn now_ms(&self) -> i64 {
        self.clock.now_ms()
    }

    /// Moves the emulator's clock forward and applies what became due.
    pub fn advance_clock(&self, seconds: i64) {
        self.clock.advance(seconds);
        let faults = self.faults.read().clone();
        self.world.write().run_due(self.clock.now_ms(), &faults);
    }

    /// Registers an app as the developer portal would; returns `(client_id, client_secret)`.
    pub fn register_app(&self, request: control::NewApp) -> Result<(String, String), String> {
        control::register_app(self, request, None)
    }

    /// Registers an app in the portal account of the seller with user id `seller_id`, so
    /// the seller sees it under `/apps`; returns `(client_id, client_secret)`.
    pub fn register_app_for(&self, seller_id: &str, request: control::NewApp) -> Result<(String, String), String> {
        let owner = self.world.read().seller_by_id.get(seller_id).copied();
        let owner = owner.ok_or_else(|| format!("no seller with id {seller_id}"))?;
        control::register_app(self, request, Some(owner))
    }

    /// Creates a seller; returns its user id.
    pub fn create_seller(&self, login: &str, password: &str) -> Result<String, String> {
        let mut world = self.world.write();
        let idx = world.add_seller(login, password)?;
        generator::ensure_offers(&mut world, idx, self.clock.now_ms());
        Ok(world.sellers[idx].id.clone())
    }

    /// Generates orders for the seller with this user id; returns how many were made.
    pub fn generate_orders(&self, seller_id: &str, plan: OrderPlan) -> Result<usize, String> {
        let faults = self.faults.read().clone();
        let mut world = self.world.write();
        let idx = *world
            .seller_by_id
            .get(seller_id)
            .ok_or_else(|| format!("no seller with id {seller_id}"))?;
        Ok(generator::generate_orders(
            &mut world,
            idx,
            plan,
            self.clock.now_ms(),
            &faults,
        ))
    }

    /// Replaces the fault configuration.
    pub fn set_faults(&self, faults: Faults) -> Result<(), String> {
        faults.validate()?;
        *self.faults.write() = faults;
        Ok(())
    }

    /// Replaces limits and lifetimes.
    pub fn set_settings(&self, settings: Settings) {
        *self.settings.write() = settings;
    }

    /// 429s sent so far because a rate limit was exceeded (not injected faults).
    pub fn throttled(&self) -> u64 {
        self.traffic.lock().throttled
    }

    /// API requests counted so far (every endpoint behind the API guard).
    pub fn api_requests(&self) -> u64 {
        self.traffic.lock().total
    }

    /// The shipments (tracking numbers) on an order as (carrier id, waybill, line item ids),
    /// in the order they were added, duplicates included (for tests: "never pushed twice").
    pub fn order_shipments(&self, order_id: impl AsRef<str>) -> Vec<(String, String, Vec<String>)> {
        let world = self.world.read();
        world.order_by_id.get(order_id.as_ref()).map_or_else(Vec::new, |&i| {
            world.orders[i]
                .shipments
                .iter()
                .map(|s| {
                    (
                        s.carrier_id.clone().unwrap_or_default(),
                        s.waybill.clone().unwrap_or_default(),
                        s.line_items.iter().flatten().map(|li| li.id.clone()).collect(),
                    )
                })
                .collect()
        })
    }

    /// Adds a shipment to an order behind the API's back, as a seller would in Moje Allegro
    /// or as an attempt that reached Allegro before its caller crashed (for tests).
    pub fn add_shipment_directly(&self, order_id: impl AsRef<str>, carrier_id: &str, waybill: &str) -> bool {
        let order_id = order_id.as_ref();
        use base64::Engine as _;
        let now = self.now_ms();
        let mut world = self.world.write();
        let Some(&i) = world.order_by_id.get(order_id) else {
            return false;
        };
        world.orders[i]
            .shipments
            .push(allegro_api_types::CheckoutFormAddWaybillCreated {
                id: Some(base64::engine::general_purpose::STANDARD.encode(format!("{carrier_id}:{waybill}"))),
                waybill: Some(waybill.to_owned()),
                carrier_id: Some(carrier_id.to_owned()),
                carrier_name: None,
                line_items: None,
                created_at: Some(allegro_api_types::Instant::from_millis(now)),
            });
        true
    }

    /// The invoices attached to an order, as (number, whether its file was uploaded), in
    /// the order they were added (for tests: "exactly one upload").
    pub fn order_invoices(&self, order_id: impl AsRef<str>) -> Vec<(Option<String>, bool)> {
        let world = self.world.read();
        world.order_by_id.get(order_id.as_ref()).map_or_else(Vec::new, |&i| {
            world.orders[i]
                .invoices
                .iter()
                .map(|inv| (inv.number.clone(), inv.file.is_some()))
                .collect()
        })
    }

    /// Moves an order to `status` and/or `fulfillment` (as the control API's
    /// `POST /__emulator/orders/{id}/status`), writing the journal events.
    pub fn move_order(
        &self,
        order_id: impl AsRef<str>,
        status: Option<allegro_api_types::CheckoutFormStatus>,
        fulfillment: Option<allegro_api_types::FulfillmentStatus>,
    ) -> Result<(), String> {
        let order_id = order_id.as_ref();
        let faults = self.faults.read().clone();
        let now = self.now_ms();
        let mut world = self.world.write();
        let idx = *world
            .order_by_id
            .get(order_id)
            .ok_or_else(|| format!("no order {order_id}"))?;
        if let Some(s) = status {
            world.set_status(idx, s, now, &faults);
        }
        if let Some(f) = fulfillment {
            world.set_fulfillment(idx, f, now, &faults);
        }
        Ok(())
    }

    /// The seller's orders' checkout forms, newest purchase first.
    pub fn order_forms(&self, seller_id: &str) -> Vec<allegro_api_types::CheckoutForm> {
        let world = self.world.read();
        world.seller_by_id.get(seller_id).map_or_else(Vec::new, |&s| {
            world.sellers[s]
                .orders
                .iter()
                .map(|&o| world.orders[o].form())
                .collect()
        })
    }

    /// Changes an order's checkout form as a buyer's edit on Allegro would (tests use it to
    /// make an exact case: a company abroad with a verified VAT-EU number, a line's tax
    /// rate), with a new revision.
    pub fn edit_order(
        &self,
        order_id: impl AsRef<str>,
        change: impl FnOnce(&mut allegro_api_types::CheckoutForm),
    ) -> Result<(), String> {
        let order_id = order_id.as_ref();
        let now = self.now_ms();
        let mut world = self.world.write();
        let idx = *world
            .order_by_id
            .get(order_id)
            .ok_or_else(|| format!("no order {order_id}"))?;
        world.orders[idx].update(change);
        world.touch(idx, now, true);
        Ok(())
    }

    /// A buyer on allegro.cz, .sk or .hu cancels the purchase, as Allegro lets them within
    /// five minutes of buying (since 2026-06-17;
    /// `POST /__emulator/orders/{id}/buyer-cancel`). Refused on allegro.pl, after the five
    /// minutes, or once the order is cancelled or sent.
    pub fn buyer_cancel(&self, order_id: impl AsRef<str>) -> Result<(), String> {
        let order_id = order_id.as_ref();
        let faults = self.faults.read().clone();
        let now = self.now_ms();
        let mut world = self.world.write();
        let idx = *world
            .order_by_id
            .get(order_id)
            .ok_or_else(|| format!("no order {order_id}"))?;
        let order = &world.orders[idx];
        let marketplace = order.key.marketplace.as_deref().unwrap_or("allegro-pl");
        if !BUYER_CANCEL_MARKETPLACES.contains(&marketplace) {
            return Err(format!("buyers on {marketplace} cannot cancel a purchase themselves"));
        }
        if now - order.bought_at_ms > BUYER_CANCEL_WINDOW_MS {
            return Err("the five minutes to cancel have passed".into());
        }
        if order.key.status == Some(allegro_api_types::CheckoutFormStatus::Cancelled)
            || order
                .key
                .fulfillment
                .is_some_and(|f| f.as_str() != "NEW" && f.as_str() != "PROCESSING")
        {
            return Err("the order is already cancelled or on its way".into());
        }
        world.set_status(idx, allegro_api_types::CheckoutFormStatus::Cancelled, now, &faults);
        Ok(())
    }

    /// Number of orders held for a seller.
    pub fn order_count(&self, seller_id: &str) -> usize {
        let world = self.world.read();
        world
            .seller_by_id
            .get(seller_id)
            .map_or(0, |&i| world.sellers[i].orders.len())
    }
}

pub use control::NewApp;

/// The emulator's routes: auth host, portal, API host and control API on one router.
pub fn router(emulator: Arc<Emulator>) -> Router {
    Router::new()
        .merge(oauth::router())
        .merge(pages::router())
        .merge(api::router(emulator.clone()))
        .merge(control::router())
        .layer(axum::extract::DefaultBodyLimit::max(16 * 1024 * 1024))
        .with_state(emulator)
}

/// A running emulator.
#[derive(Debug)]
pub struct EmulatorHandle {
    /// Base URL, e.g. `http://127.0.0.1:40123` (auth and API paths alike).
    pub base_url: String,
    /// Base URL of the second address, when one was given (Allegro's auth host is
    /// allegro.pl and its API host api.allegro.pl); otherwise the same as `base_url`.
    pub auth_base_url: String,
    /// Bound address.
    pub addr: SocketAddr,
    /// The state, for tests that drive it directly.
    pub emulator: Arc<Emulator>,
    tasks: Vec<tokio::task::JoinHandle<()>>,
}

impl Drop for EmulatorHandle {
    fn drop(&mut self) {
        for task in &self.tasks {
            task.abort();
        }
    }
}

/// Binds `addr` (port 0 for any free port) and serves the emulator in the background.
pub async fn spawn(addr: &str, config: EmulatorConfig) -> anyhow::Result<EmulatorHandle> {
    spawn_on(addr, None, config).await
}

/// Like [`spawn`], also serving on `auth_addr` when given, so auth and API hosts can
/// differ as on allegro.pl. Both addresses serve every path of the one emulator.
pub async fn spawn_on(addr: &str, auth_addr: Option<&str>, config: EmulatorConfig) -> anyhow::Result<EmulatorHandle> {
    use anyhow::Context as _;
    let emulator = Emulator::new(config);
    let mut tasks = Vec::new();
    let mut bound = Vec::new();
    for a in std::iter::once(addr).chain(auth_addr) {
        let listener = TcpListener::bind(a)
            .await
            .with_context(|| format!("binding the emulator to {a}"))?;
        bound.push(listener.local_addr().context("reading the emulator's bound address")?);
        let app = router(emulator.clone());
        tasks.push(tokio::spawn(async move {
            if let Err(e) = axum::serve(listener, app).await {
                tracing::error!(error = %e, "emulator server stopped");
            }
        }));
    }
    let base_url = format!("http://{}", bound[0]);
    let auth_base_url = bound.get(1).map_or_else(|| base_url.clone(), |a| format!("http://{a}"));
    Ok(EmulatorHandle {
        base_url,
        auth_base_url,
        addr: bound[0],
        emulator,
        tasks,
    })
}
