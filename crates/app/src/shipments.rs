//! Waybills (tracking numbers) on orders, pushed to Allegro with
//! `POST /order/checkout-forms/{id}/shipments` (`research/allegro-api.md` §8.6), each once:
//! - Allegro keeps a second copy of the same number if it is posted twice, so the push
//!   itself must never repeat: every claim counts an attempt, and a waybill claimed before
//!   (its earlier attempt may have reached Allegro and then crashed, timed out or got a
//!   5xx) is first looked up with `GET …/shipments`;
//! - 429 and Allegro's own failures are retried on a growing backoff; numbers Allegro
//!   refuses (invalid for the carrier, used on too many orders, a line item not in the
//!   order) are kept with the reason in plain words until the seller sends them again;
//! - an account that is disconnected or needs a new login keeps its waybills queued, and
//!   connecting it again makes them due at once.

use std::sync::Arc;

use allegro_client::AllegroError;
use allegro_client::types::{
    CheckoutFormAddWaybillCreated, CheckoutFormAddWaybillRequest, FulfillmentStatus, LineItemRef,
};
use domain::{AccountStatus, ConnectionId, NewWaybill, OrderId, PushState, ShipmentId};
use store::{Delivery, NewShipment, OrderSource, ShipmentRecord};

use crate::outbox::{self, Failure, Outbox, OutboxReport};

use crate::{App, AppError, CurrentUser, Problem, conflict, invalid};

/// Waybills pushed at the same time by one worker (Allegro allows 50 shipment requests a
/// second per Client ID; the client's budget and 429 handling pace the rest).
/// How long a carriers list read from Allegro is used before it is read again.
const CARRIERS_TTL_MS: i64 = 3_600_000;

/// A carrier Allegro knows (`GET /order/carriers`).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Carrier {
    /// `INPOST`, `DPD`, `OTHER`…
    pub id: String,
    /// Its name (`OTHER` has none from Allegro: "Inny przewoźnik").
    pub name: Option<String>,
}

/// How long a page waits for a first carriers list before going on without it.
const CARRIERS_FIRST_READ_MS: u64 = 5_000;

/// The carriers lists read from Allegro, one per connection: what one organisation's
/// connection answers is never shown to, or checked against, another organisation.
#[derive(Debug, Default)]
pub(crate) struct CarrierCache(std::sync::Mutex<std::collections::HashMap<ConnectionId, CarrierEntry>>);

#[derive(Debug, Clone)]
struct CarrierEntry {
    read_at_ms: i64,
    list: Arc<Vec<Carrier>>,
    refreshing: bool,
}

/// Why a push failed, as a stable key the UI words in the seller's language, followed by
/// Allegro's own message.
fn reason(key: &str, detail: impl std::fmt::Display) -> String {
    format!("{key}: {detail}")
}

/// Allegro's own words for a refusal (its `userMessage`, in the language asked for,
/// else its `message`), to quote to the seller.
fn allegro_reason(e: &AllegroError) -> String {
    match e {
        AllegroError::Api { errors, .. } if !errors.is_empty() => errors
            .iter()
            .map(|x| x.user_message.as_deref().unwrap_or(&x.message))
            .collect::<Vec<_>>()
            .join("; "),
        other => other.to_string(),
    }
}

/// The key of a stored push error (`waybill_invalid`, `account_not_connected`…).
pub fn push_error_key(error: &str) -> &str {
    error.split_once(':').map_or(error, |(key, _)| key)
}

/// What a waybill file did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WaybillImport {
    /// Waybills added (and queued for Allegro).
    pub added: usize,
    /// Lines whose order already had that carrier's number.
    pub already: usize,
}

/// How Allegro's answer to a push is handled.
fn classify(e: &AllegroError, attempts: i64) -> Failure {
    let backoff = domain::retry_after_ms(30_000, attempts);
    let codes: Vec<&str> = match e {
        AllegroError::Api { errors, .. } => errors.iter().map(|x| x.code.as_str()).collect(),
        _ => Vec::new(),
    };
    let has = |needle: &str| codes.iter().any(|c| c.contains(needle));
    match e {
        AllegroError::RateLimited { .. } => Failure::Retry {
            after_ms: 60_000,
            error: reason("rate_limited", e),
        },
        AllegroError::Api { status: 400, .. } => {
            let key = if has("CarrierWaybill") {
                "waybill_invalid_for_carrier"
            } else if has("CarrierName") {
                "carrier_name_invalid"
            } else if has("Carrier") {
                "carrier_unknown"
            } else {
                "waybill_invalid"
            };
            Failure::Refused(reason(key, e))
        }
        AllegroError::Api { status: 404, .. } => Failure::Refused(reason("order_not_on_allegro", e)),
        AllegroError::Api { status: 409, .. } => Failure::Refused(reason("waybill_used_too_often", e)),
        AllegroError::Api { status: 422, .. } => Failure::Refused(reason("line_item_not_in_order", e)),
        AllegroError::Api { status: 401 | 403, .. } => Failure::Retry {
            after_ms: 15 * 60_000,
            error: reason("account_not_connected", e),
        },
        _ => Failure::Retry {
            after_ms: backoff,
            error: reason("allegro_unavailable", e),
        },
    }
}

impl App {
    /// The carriers Allegro takes waybills for, read through one of the organisation's
    /// connected accounts and kept an hour per connection; `None` if none could be read.
    /// A stale list is served at once and refreshed in the background, so a page never
    /// waits for a slow Allegro; a first read waits at most a few seconds.
    pub async fn carriers(&self, user: &CurrentUser) -> Result<Option<Arc<Vec<Carrier>>>, AppError> {
        let now = self.now_ms();
        let accounts = self.store.accounts(&user.organisation_id).await?;
        let Some(account) = accounts.into_iter().find(|a| a.status == AccountStatus::Active) else {
            return Ok(None);
        };
        let connection = account.connection_id.clone();
        let cached = self.carriers.0.lock().expect("carriers lock").get(&connection).cloned();
        match cached {
            Some(entry) if now - entry.read_at_ms < CARRIERS_TTL_MS => Ok(Some(entry.list)),
            Some(entry) => {
                let start = {
                    let mut map = self.carriers.0.lock().expect("carriers lock");
                    let e = map.get_mut(&connection).expect("entry read above");
                    !std::mem::replace(&mut e.refreshing, true)
                };
                if start {
                    let app = self.clone();
                    tokio::spawn(async move {
                        app.read_carriers(account).await;
                    });
                }
                Ok(Some(entry.list))
            }
            None => {
                let first = tokio::time::timeout(
                    std::time::Duration::from_millis(CARRIERS_FIRST_READ_MS),
                    self.read_carriers(account),
                );
                Ok(first.await.ok().flatten())
            }
        }
    }

    /// Reads the carriers through `account` and keeps them for its connection; on failure
    /// the last list stays.
    async fn read_carriers(&self, account: store::Account) -> Option<Arc<Vec<Carrier>>> {
        let connection = account.connection_id.clone();
        let read = async {
            let access = self.account_api(account).await?;
            access
                .rest()
                .carriers()
                .await
                .map_err(|e| AppError::Internal(anyhow::Error::new(e).context("reading Allegro's carriers")))
        };
        let result = read.await;
        let mut map = self.carriers.0.lock().expect("carriers lock");
        match result {
            Ok(response) => {
                let list: Arc<Vec<Carrier>> = Arc::new(
                    response
                        .carriers
                        .unwrap_or_default()
                        .into_iter()
                        .filter_map(|c| {
                            Some(Carrier {
                                id: c.id?,
                                name: c.name,
                            })
                        })
                        .collect(),
                );
                map.insert(
                    connection,
                    CarrierEntry {
                        read_at_ms: self.now_ms(),
                        list: Arc::clone(&list),
                        refreshing: false,
                    },
                );
                Some(list)
            }
            Err(e) => {
                tracing::warn!(error = ?e, connection = %connection, "could not read Allegro's carriers; using the last list");
                let entry = map.get_mut(&connection)?;
                entry.refreshing = false;
                // Try again in a minute, not on every page view.
                entry.read_at_ms = self.now_ms() - CARRIERS_TTL_MS + 60_000;
                Some(Arc::clone(&entry.list))
            }
        }
    }

    /// Adds a waybill to an order: checked against Allegro's carriers and the order's line
    /// items, stored once (the same carrier and number again returns the stored one, with
    /// `false`), and queued for Allegro if the order came from there.
    pub async fn add_waybill(
        &self,
        user: &CurrentUser,
        order_id: &OrderId,
        waybill: NewWaybill,
    ) -> Result<(ShipmentRecord, bool), AppError> {
        let order = self.order(user, order_id).await?;
        // Nothing is shipped for a cancelled order (Allegro refuses its waybills too).
        if order.status.is_cancelled() {
            return Err(crate::conflict(Problem::new("problem-order-cancelled-no-shipping")));
        }
        let from_allegro = order.source == OrderSource::Allegro;
        if from_allegro {
            if let Some(carriers) = self.carriers(user).await?
                && !carriers.iter().any(|c| c.id == waybill.carrier_id.as_str())
            {
                return Err(invalid(
                    "carrier_id",
                    Problem::new("problem-carrier-unknown").arg("carrier", waybill.carrier_id.as_str()),
                ));
            }
            let form = crate::orders::checkout_form(&order)?;
            if let Some(bad) = waybill
                .line_items
                .iter()
                .find(|id| !form.line_items.iter().any(|li| &li.id == *id))
            {
                return Err(invalid(
                    "line_items",
                    Problem::new("problem-line-item-not-in-order")
                        .arg("line_item", bad)
                        .arg("order", order_id),
                ));
            }
        }
        let new = NewShipment {
            id: ShipmentId::from_stored(uuid::Uuid::new_v4().to_string()),
            organisation_id: user.organisation_id.clone(),
            account_id: order.account_id.clone(),
            order_id: order.id.clone(),
            waybill,
            created_at_ms: self.now_ms(),
            push: from_allegro,
        };
        Ok(self.store.add_shipment(&new).await?)
    }

    /// Adds the waybills of a CSV file (`order id;carrier;waybill`, see
    /// [`order_files::read_waybills`]). Every line is checked first (its order is the
    /// organisation's, Allegro lists its carrier): a file with any problem adds nothing and
    /// names each line. Adding is idempotent, so a file sent again (or after a crash part
    /// way) adds only what is missing.
    pub async fn import_waybills(
        &self,
        user: &CurrentUser,
        file_name: &str,
        bytes: &[u8],
        encoding: order_files::Encoding,
    ) -> Result<WaybillImport, crate::ImportError> {
        let (rows, mut problems) = order_files::check_waybills(bytes, encoding);
        let carriers = self.carriers(user).await?;
        let mut checked = Vec::with_capacity(rows.len());
        for row in rows {
            // An id no order can have is an unknown order, said the same way.
            let order = match row.order_id.parse::<OrderId>() {
                Ok(id) => self
                    .store
                    .order(&user.organisation_id, &id)
                    .await
                    .map_err(AppError::from)?,
                Err(_) => None,
            };
            let problem = match (&order, &carriers) {
                (None, _) => Some((
                    1,
                    "order id",
                    Problem::new("problem-waybills-order-unknown").arg("order", &row.order_id),
                )),
                (Some(o), _) if o.status.is_cancelled() => {
                    Some((1, "order id", Problem::new("problem-order-cancelled-no-shipping")))
                }
                (Some(o), Some(list))
                    if o.source == OrderSource::Allegro
                        && !list.iter().any(|c| c.id == row.waybill.carrier_id.as_str()) =>
                {
                    Some((
                        2,
                        "carrier",
                        Problem::new("problem-carrier-unknown").arg("carrier", row.waybill.carrier_id.as_str()),
                    ))
                }
                _ => None,
            };
            match (problem, order) {
                (Some((column, field, problem)), _) => problems.push(order_files::FileError {
                    line: row.line,
                    column: Some(column),
                    field: Some(field.to_owned()),
                    problem,
                }),
                (None, Some(order)) => checked.push((order, row)),
                (None, None) => unreachable!("a missing order is a problem"),
            }
        }
        if !problems.is_empty() {
            return Err(order_files::FileErrors::of(file_name, problems).into());
        }
        let mut report = WaybillImport::default();
        for (order, row) in checked {
            let new = NewShipment {
                id: ShipmentId::from_stored(uuid::Uuid::new_v4().to_string()),
                organisation_id: user.organisation_id.clone(),
                account_id: order.account_id.clone(),
                order_id: order.id.clone(),
                waybill: row.waybill,
                created_at_ms: self.now_ms(),
                push: order.source == OrderSource::Allegro,
            };
            let (_, created) = self.store.add_shipment(&new).await.map_err(AppError::from)?;
            if created {
                report.added += 1;
            } else {
                report.already += 1;
            }
        }
        Ok(report)
    }

    /// Sets the order's fulfilment status on Allegro (`PUT …/fulfillment` with the stored
    /// `checkoutForm.revision`, `research/allegro-api.md` §8.5). When Allegro says the
    /// revision is outdated (409) the order is read again and the change tried once more
    /// with the new revision; the order is then stored as Allegro has it, so the page shows
    /// Allegro's status.
    pub async fn set_fulfillment(
        &self,
        user: &CurrentUser,
        order_id: &OrderId,
        status: &str,
    ) -> Result<store::OrderRecord, AppError> {
        let status: FulfillmentStatus = status
            .trim()
            .to_ascii_uppercase()
            .parse()
            .ok()
            .filter(|s| !matches!(s, FulfillmentStatus::Unknown | FulfillmentStatus::Returned))
            .ok_or_else(|| {
                invalid(
                    "status",
                    Problem::not_one_of(
                        status,
                        &domain::FulfillmentStatus::SELLER_SETS.map(domain::FulfillmentStatus::as_str),
                    ),
                )
            })?;
        let order = self.order(user, order_id).await?;
        if order.source != OrderSource::Allegro {
            return Err(conflict("problem-order-from-file"));
        }
        let account = self
            .store
            .account(&user.organisation_id, &order.account_id)
            .await?
            .ok_or(AppError::NotFound)?;
        if account.status != AccountStatus::Active {
            return Err(conflict(
                Problem::new("problem-account-not-connected").arg("login", &account.login),
            ));
        }
        let account_id = account.id.clone();
        let access = self.account_api(account).await?;
        let allegro = access.rest();
        let refused = |e: AllegroError| match &e {
            AllegroError::Api { status: 422, .. } | AllegroError::Api { status: 409, .. } => {
                tracing::info!(order_id = %order.id, error = %e, "Allegro refused a fulfilment status");
                conflict(Problem::new("problem-status-refused").arg("detail", allegro_reason(&e)))
            }
            _ => AppError::Internal(anyhow::Error::new(e).context("setting the fulfilment status on Allegro")),
        };
        match allegro
            .set_fulfillment(order.id.as_str(), status, order.revision.as_deref())
            .await
        {
            Ok(()) => {}
            Err(AllegroError::Api { status: 409, .. }) => {
                // Someone (Allegro, the buyer, another tool) changed the order since we read
                // it: read it again and try once with its revision.
                let fresh = allegro.checkout_form(order.id.as_str()).await.map_err(refused)?;
                allegro
                    .set_fulfillment(order.id.as_str(), status, fresh.revision.as_deref())
                    .await
                    .map_err(refused)?;
            }
            Err(e) => return Err(refused(e)),
        }
        let now = allegro.checkout_form(order.id.as_str()).await.map_err(refused)?;
        let record = crate::order_record(&user.organisation_id, &account_id, &now)?;
        self.store
            .save_orders(&account_id, std::slice::from_ref(&record), None, self.now_ms())
            .await?;
        Ok(record)
    }

    /// The order's waybills, oldest first.
    pub async fn order_shipments(
        &self,
        user: &CurrentUser,
        order_id: &OrderId,
    ) -> Result<Vec<ShipmentRecord>, AppError> {
        let order = self.order(user, order_id).await?;
        Ok(self.store.order_shipments(&user.organisation_id, &order.id).await?)
    }

    /// Sends a refused (or waiting) waybill to Allegro again at the worker's next pass.
    pub async fn resend_waybill(&self, user: &CurrentUser, id: &ShipmentId) -> Result<(), AppError> {
        let record = self
            .store
            .shipment(&user.organisation_id, id)
            .await?
            .ok_or(AppError::NotFound)?;
        if !self
            .store
            .resend_shipment(&user.organisation_id, &record.id, self.now_ms())
            .await?
        {
            return Err(conflict(match record.push.state {
                PushState::Pushed => "problem-waybill-already-on-allegro",
                PushState::NotApplicable => "problem-order-from-file",
                _ => "problem-waybill-being-sent",
            }));
        }
        Ok(())
    }

    /// Pushes the waybills that are due (oldest first, up to `limit`). Safe in any number
    /// of processes at once: each is claimed by one, and reaches Allegro once.
    pub async fn push_due_shipments(&self, limit: i64) -> Result<OutboxReport, AppError> {
        outbox::drain::<WaybillPushes>(self, limit).await
    }

    /// "Po dodaniu numeru przesyłki ustaw Wysłane": the order goes to SENT on Allegro once
    /// its waybill is there, unless it is there already (or further). A failure is only
    /// logged: the waybill is on Allegro either way, and the seller can set it by hand.
    async fn sent_after_waybill(&self, record: &ShipmentRecord) {
        let user = CurrentUser::for_organisation(record.organisation_id.clone());
        let wanted = async {
            let settings = self
                .store
                .account_settings(&record.organisation_id, &record.account_id)
                .await?;
            if !settings.is_some_and(|s| s.sent_on_waybill) {
                return Ok::<_, AppError>(false);
            }
            let order = self.order(&user, &record.order_id).await?;
            // A status this version does not know (Allegro added one) is left alone.
            let fulfillment: Option<domain::FulfillmentStatus> = match order.fulfillment_status.as_deref() {
                None => Some(domain::FulfillmentStatus::New),
                Some(s) => s.parse().ok(),
            };
            Ok(fulfillment.is_some_and(|f| !f.is_shipped_or_closed()) && order.status.is_ready_for_processing())
        };
        match wanted.await {
            Ok(true) => {
                if let Err(e) = self.set_fulfillment(&user, &record.order_id, "SENT").await {
                    tracing::warn!(order = %record.order_id, error = %e, "the waybill is on Allegro, but SENT was not set");
                }
            }
            Ok(false) => {}
            Err(e) => tracing::warn!(order = %record.order_id, error = %e, "could not check whether to set SENT"),
        }
    }

    /// One push; `Ok` carries Allegro's shipment id.
    #[tracing::instrument(name = "waybill_push", skip_all, fields(shipment_id = %record.id, order_id = %record.order_id))]
    async fn push(&self, record: &ShipmentRecord) -> Result<Option<String>, Failure> {
        let retry = |e: AppError| Failure::Retry {
            after_ms: domain::retry_after_ms(30_000, record.push.attempts),
            error: reason("allegro_unavailable", format!("{e:#}")),
        };
        let account = self
            .store
            .account_for_worker(&record.account_id)
            .await
            .map_err(|e| retry(e.into()))?
            .ok_or_else(|| Failure::Refused(reason("account_not_connected", "the Allegro account is gone")))?;
        if account.status != AccountStatus::Active {
            // Queued: connecting the account again wakes it (Storage::wake_account_pushes).
            return Err(Failure::Retry {
                after_ms: domain::MAX_RETRY_MS,
                error: reason(
                    "account_not_connected",
                    format!("the Allegro account {} is {}", account.login, account.status.as_str()),
                ),
            });
        }
        let access = self.account_api(account).await.map_err(retry)?;
        let allegro = access.rest();
        let same = |s: &CheckoutFormAddWaybillCreated| {
            s.carrier_id.as_deref() == Some(record.carrier_id.as_str())
                && s.waybill.as_deref() == Some(record.waybill.as_str())
        };
        if record.push.attempts > 1 {
            // Claimed before: that attempt may have reached Allegro (a crash, a timeout or a
            // 5xx after Allegro stored it). Posting again would add a second copy.
            let listed = allegro
                .shipments(record.order_id.as_str())
                .await
                .map_err(|e| classify(&e, record.push.attempts))?;
            if let Some(found) = listed.shipments.unwrap_or_default().iter().find(|s| same(s)) {
                return Ok(found.id.clone());
            }
        }
        let request = CheckoutFormAddWaybillRequest {
            carrier_id: record.carrier_id.clone(),
            waybill: record.waybill.clone(),
            carrier_name: record.carrier_name.clone(),
            line_items: (!record.line_items.is_empty()).then(|| {
                record
                    .line_items
                    .iter()
                    .map(|id| LineItemRef { id: id.clone() })
                    .collect()
            }),
        };
        match allegro.add_shipment(record.order_id.as_str(), &request).await {
            Ok(created) => Ok(created.id),
            Err(e) => Err(classify(&e, record.push.attempts)),
        }
    }
}

/// Waybills to their Allegro orders, through the one outbox runner.
pub(crate) struct WaybillPushes;

impl Outbox for WaybillPushes {
    type Item = ShipmentRecord;
    const METRIC: &'static str = "allegro_bridge_waybill_pushes_total";
    const AT_ONCE: usize = 8;

    async fn claim(app: &App, now_ms: i64, held_until_ms: i64, limit: i64) -> Result<Vec<ShipmentRecord>, AppError> {
        Ok(app.store.claim_due_pushes(now_ms, held_until_ms, limit).await?)
    }

    async fn send(app: &App, item: &ShipmentRecord) -> Result<Option<String>, Failure> {
        app.push(item).await
    }

    async fn record(app: &App, item: &ShipmentRecord, outcome: &Delivery) -> Result<(), AppError> {
        Ok(app.store.finish_push(&item.id, outcome).await?)
    }

    fn interrupted() -> String {
        // The claim counted the attempt, so the next one looks on Allegro before posting.
        reason("interrupted", "the worker stopped during the push")
    }

    fn label(item: &ShipmentRecord) -> String {
        format!("{} (shipment {}, order {})", item.waybill, item.id, item.order_id)
    }

    async fn after_delivery(app: &App, item: &ShipmentRecord) {
        app.sent_after_waybill(item).await;
    }
}
