//! The one outbox runner (see `store::outbox`): claim what is due under a lease → send a
//! few at a time → record one [`Delivery`] per item as it ends. Invoice uploads and
//! waybill pushes are two [`Outbox`]es; KSeF sending will be a third.
//!
//! On shutdown ([`App::shutdown`]) a pass starts nothing new: items it claimed but never
//! started are released (due again at once, for any worker), items in flight get
//! [`STOP_GRACE`] to finish and are then interrupted and recorded as due again — each
//! outbox's send is safe to repeat after an interruption, as after a crash.

use std::collections::HashMap;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use store::Delivery;

use crate::{App, AppError};

/// How long a stopping worker lets sends in flight finish before it interrupts them.
pub(crate) const STOP_GRACE: Duration = Duration::from_secs(5);

/// Why a send did not deliver.
pub(crate) enum Failure {
    /// Failed for now: due again after `after_ms`.
    Retry {
        /// Wait.
        after_ms: i64,
        /// Why, in the seller's words.
        error: String,
    },
    /// The remote side will never take it.
    Refused(String),
}

/// What one pass of an outbox did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OutboxReport {
    /// Delivered (the invoice on its order, the waybill on Allegro).
    pub delivered: usize,
    /// Failed for now; tried again later.
    pub retried: usize,
    /// Refused for good; waits for the seller.
    pub refused: usize,
    /// Claimed, then given back because the worker is stopping.
    pub released: usize,
}

impl OutboxReport {
    /// Whether the pass did anything.
    pub fn is_empty(&self) -> bool {
        self.delivered + self.retried + self.refused + self.released == 0
    }
}

/// One kind of outgoing work: how it is claimed, sent and recorded.
pub(crate) trait Outbox: Send + Sync + 'static {
    /// A claimed item (its row).
    type Item: Send + Sync + 'static;
    /// The metric counting outcomes, labelled by `outcome`.
    const METRIC: &'static str;
    /// Items sent at the same time by one worker.
    const AT_ONCE: usize;
    /// Claims up to `limit` due items until `held_until_ms`.
    fn claim(
        app: &App,
        now_ms: i64,
        held_until_ms: i64,
        limit: i64,
    ) -> impl Future<Output = Result<Vec<Self::Item>, AppError>> + Send;
    /// Sends one item; the remote id of what was delivered, if any.
    fn send(app: &App, item: &Self::Item) -> impl Future<Output = Result<Option<String>, Failure>> + Send;
    /// Records how an item ended.
    fn record(app: &App, item: &Self::Item, outcome: &Delivery) -> impl Future<Output = Result<(), AppError>> + Send;
    /// The stored error of a send the worker's stop interrupted.
    fn interrupted() -> String;
    /// The item in logs: its number or waybill and its ids.
    fn label(item: &Self::Item) -> String;
    /// What follows a delivery (e.g. the order set SENT after its waybill).
    fn after_delivery(_app: &App, _item: &Self::Item) -> impl Future<Output = ()> + Send {
        async {}
    }
}

/// One pass of `O`: claims up to `limit` due items and sends them, [`Outbox::AT_ONCE`] at
/// a time. Safe in any number of processes at once: each item is claimed by one.
pub(crate) async fn drain<O: Outbox>(app: &App, limit: i64) -> Result<OutboxReport, AppError> {
    let mut report = OutboxReport::default();
    if app.is_stopping() {
        return Ok(report);
    }
    let now = app.now_ms();
    let held_until_ms = now + app.upload_lease_ms;
    let mut waiting = O::claim(app, now, held_until_ms, limit).await?.into_iter();
    let mut running = tokio::task::JoinSet::new();
    let mut in_flight: HashMap<tokio::task::Id, Arc<O::Item>> = HashMap::new();
    let grace = tokio::time::sleep(Duration::from_secs(3_600));
    tokio::pin!(grace);
    let mut grace_started = false;
    loop {
        if !app.is_stopping() {
            while running.len() < O::AT_ONCE {
                let Some(item) = waiting.next() else { break };
                let item = Arc::new(item);
                let (app, sent) = (app.clone(), Arc::clone(&item));
                let handle = running.spawn(async move {
                    match O::send(&app, &sent).await {
                        Ok(remote_id) => Delivery::Done {
                            at_ms: app.now_ms(),
                            remote_id,
                        },
                        Err(Failure::Retry { after_ms, error }) => Delivery::Retry {
                            next_at_ms: app.now_ms() + after_ms,
                            error,
                        },
                        Err(Failure::Refused(error)) => Delivery::Refused { error },
                    }
                });
                in_flight.insert(handle.id(), item);
            }
        } else if !grace_started {
            grace_started = true;
            grace.as_mut().reset(tokio::time::Instant::now() + STOP_GRACE);
        }
        let joined = tokio::select! {
            joined = running.join_next_with_id() => joined,
            () = app.stopping(), if !grace_started => continue,
            () = &mut grace, if grace_started => {
                running.abort_all();
                while running.join_next().await.is_some() {}
                break;
            }
        };
        let Some(joined) = joined else { break };
        let (id, outcome) = match joined {
            Ok(done) => done,
            Err(e) => {
                let item = in_flight.remove(&e.id());
                if let Some(item) = item {
                    // A panic in a send: due again later, like a failure.
                    let outcome = Delivery::Retry {
                        next_at_ms: app.now_ms() + 60_000,
                        error: "wysyłka przerwana błędem programu; zostanie ponowiona".into(),
                    };
                    O::record(app, &item, &outcome).await?;
                }
                return Err(AppError::Internal(anyhow::Error::new(e).context("a send stopped")));
            }
        };
        let Some(item) = in_flight.remove(&id) else { continue };
        // Recorded as each one ends, so a crash loses at most the ones in flight.
        O::record(app, &item, &outcome).await?;
        metrics::counter!(O::METRIC, "outcome" => outcome.label()).increment(1);
        match outcome {
            Delivery::Done { .. } => {
                report.delivered += 1;
                O::after_delivery(app, &item).await;
            }
            Delivery::Retry { error, .. } => {
                report.retried += 1;
                tracing::warn!(outbox = O::METRIC, item = %O::label(&item), %error, "send failed; retried later");
            }
            Delivery::Refused { error } => {
                report.refused += 1;
                tracing::warn!(outbox = O::METRIC, item = %O::label(&item), %error, "refused; waits for the seller");
            }
            Delivery::Released { .. } => report.released += 1,
        }
    }
    // Interrupted sends are due again at once: each outbox's send is safe to repeat.
    for (_, item) in in_flight.drain() {
        let outcome = Delivery::Retry {
            next_at_ms: app.now_ms(),
            error: O::interrupted(),
        };
        O::record(app, &item, &outcome).await?;
        report.retried += 1;
    }
    // Claimed and never started: given back, the attempt not counted.
    for item in waiting {
        O::record(
            app,
            &item,
            &Delivery::Released {
                now_ms: app.now_ms(),
                held_until_ms,
            },
        )
        .await?;
        report.released += 1;
    }
    if report.released > 0 {
        tracing::info!(
            outbox = O::METRIC,
            released = report.released,
            "stopping: unsent work given back"
        );
    }
    Ok(report)
}
