//! Order sync: the journal (`/order/events`) read from a durable cursor, and a periodic
//! reconciliation over a purchase-date window, because Allegro's journal is known to skip
//! events and keeps only 60 days (`research/peers.md` §3).

use std::collections::HashSet;

use allegro_client::types::{CheckoutForm, Price};
use allegro_client::{AllegroError, CheckoutFormsQuery};
use domain::{AccountId, AccountStatus, OrganisationId};
use store::{OrderRecord, UpsertCounts};

use crate::{App, AppError};

/// Journal pages are read 1 000 events at a time (Allegro's maximum).
const EVENTS_PAGE: u32 = 1000;
/// Orders fetched for the journal between commits of orders and cursor.
const JOURNAL_CHUNK: usize = 25;
/// How far back a newly linked account's orders are read (older ones: an import).
pub const FIRST_SYNC_DAYS: i64 = 30;

/// What one sync pass did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct SyncReport {
    /// Journal events read (duplicates and repeats included).
    pub events: u64,
    /// Orders fetched from Allegro.
    pub fetched: u64,
    /// What the upserts did.
    pub counts: UpsertCounts,
    /// Orders the journal named that could not be read this pass (read again next pass:
    /// the cursor stays before the first of them).
    pub failed: u64,
}

impl SyncReport {
    fn add(&mut self, c: UpsertCounts) {
        self.counts.new += c.new;
        self.counts.updated += c.updated;
        self.counts.unchanged += c.unchanged;
    }
}

/// The stored form of a checkout form.
pub fn order_record(org: &OrganisationId, account: &AccountId, form: &CheckoutForm) -> Result<OrderRecord, AppError> {
    let cleaned = without_controls(form)?;
    let form = &cleaned;
    let bought = form
        .line_items
        .iter()
        .filter_map(|li| li.bought_at)
        .map(|t| t.as_millis())
        .min()
        .unwrap_or(0);
    let total: &Price = &form.summary.total_to_pay;
    // Allegro's ids are UUIDs; one we could not keep is a broken answer, not an order.
    let id = form
        .id
        .parse::<domain::OrderId>()
        .map_err(|e| AppError::Internal(anyhow::Error::new(e).context("an order id from Allegro")))?;
    Ok(OrderRecord {
        id,
        organisation_id: org.clone(),
        account_id: account.clone(),
        status: domain::OrderStatus::from_word(form.status.as_str()),
        fulfillment_status: form
            .fulfillment
            .as_ref()
            .and_then(|f| f.status)
            .map(|s| s.as_str().to_owned()),
        marketplace: form.marketplace.as_ref().map(|m| m.id.clone()),
        buyer_login: form.buyer.login.clone(),
        bought_at_ms: bought,
        revision: form.revision.clone(),
        total_minor: domain::parse_decimal(&total.amount),
        currency: total.currency.clone(),
        data: serde_json::to_string(form)
            .map_err(|e| AppError::Internal(anyhow::Error::new(e).context("serialising an order")))?,
        source: store::OrderSource::Allegro,
        invoice_required: form.invoice.as_ref().is_some_and(|i| i.required),
    })
}

/// The order with control characters (NUL, escape…) removed from every text: one such
/// byte from Allegro or a file would otherwise stop the account's sync on PostgreSQL (which
/// refuses NUL) and make FA(3) XML invalid.
fn without_controls(form: &CheckoutForm) -> Result<CheckoutForm, AppError> {
    fn clean(v: &mut serde_json::Value) {
        match v {
            serde_json::Value::String(s) => {
                if let std::borrow::Cow::Owned(c) = domain::text::without_controls(s) {
                    *s = c;
                }
            }
            serde_json::Value::Array(items) => items.iter_mut().for_each(clean),
            serde_json::Value::Object(map) => map.values_mut().for_each(clean),
            _ => {}
        }
    }
    let serialise = |e| AppError::Internal(anyhow::Error::new(e).context("normalising an order's text"));
    let mut value = serde_json::to_value(form).map_err(serialise)?;
    clean(&mut value);
    serde_json::from_value(value).map_err(serialise)
}

/// An active account's REST access: its Client ID, a fresh access token, and the client
/// for its environment (sharing the Client-ID budgets). Every use of an account's token
/// goes through one: when Allegro answered any of its calls 401, dropping it refreshes the
/// account at once unless another refresh already replaced the token
/// ([`App::refresh_after_refusal`]) — a password changed on Allegro is
/// noticed on the next call, not at the next scheduled refresh hours away.
pub(crate) struct AccountApi {
    api: allegro_client::Allegro,
    client_id: String,
    token: secrecy::SecretString,
    account_id: AccountId,
    app: App,
    refused: std::sync::atomic::AtomicBool,
}

impl AccountApi {
    /// The account's REST calls.
    pub(crate) fn rest(&self) -> allegro_client::Account<'_> {
        self.api
            .account(&self.client_id, &self.token)
            .noting_refusal(&self.refused)
    }
}

impl Drop for AccountApi {
    fn drop(&mut self) {
        if self.refused.load(std::sync::atomic::Ordering::Relaxed)
            && let Ok(runtime) = tokio::runtime::Handle::try_current()
        {
            let (app, id, token) = (self.app.clone(), self.account_id.clone(), self.token.clone());
            runtime.spawn(async move { app.refresh_after_refusal(&id, &token).await });
        }
    }
}

impl App {
    /// REST access for an account the caller found active (refreshing its token if due).
    pub(crate) async fn account_api(&self, account: store::Account) -> Result<AccountApi, AppError> {
        let org = &account.organisation_id;
        let (client_id, token) = self.access_token(org, &account.id).await?;
        let conn = self
            .store
            .connection(org, &account.connection_id)
            .await?
            .ok_or(AppError::NotFound)?;
        Ok(AccountApi {
            api: self.allegro_for(&conn)?,
            client_id,
            token,
            account_id: account.id.clone(),
            app: self.clone(),
            refused: std::sync::atomic::AtomicBool::new(false),
        })
    }
}

fn allegro_failed(e: AllegroError, what: &str) -> AppError {
    AppError::Internal(anyhow::Error::new(e).context(what.to_owned()))
}

impl App {
    /// Reads the account's journal from its cursor to the end: every order an event names
    /// is fetched whole and upserted, and the cursor moves in the same transaction, page by
    /// page. Duplicated, repeated and out-of-order events change nothing twice: orders are
    /// keyed by id and stored as Allegro returns them now.
    #[tracing::instrument(name = "sync", skip_all, fields(account_id = %id))]
    pub async fn sync_account(&self, id: &AccountId) -> Result<SyncReport, AppError> {
        let account = self.store.account_for_worker(id).await?.ok_or(AppError::NotFound)?;
        if account.status != AccountStatus::Active {
            return Ok(SyncReport::default());
        }
        let org = account.organisation_id.clone();
        let access = self.account_api(account).await?;
        let allegro = access.rest();
        let mut cursor = self.store.sync_cursor(id).await?;
        let mut report = SyncReport::default();
        if cursor.is_none() {
            // First sync of an account: reading the whole journal costs a request per
            // order it names. `event-stats` gives the newest event instead; the orders
            // before it come from one reconciliation, 100 per request. Stats first, so
            // nothing falls between the two.
            let stats = allegro
                .order_event_stats()
                .await
                .map_err(|e| allegro_failed(e, "reading the journal's newest event"))?;
            report = self.reconcile_account(id, FIRST_SYNC_DAYS).await?;
            // An empty journal is marked "" (read from its start next time).
            let start = stats.latest_event.map(|e| e.id).unwrap_or_default();
            self.store.save_orders(id, &[], Some(&start), self.now_ms()).await?;
            cursor = Some(start);
        }
        'pages: loop {
            let page = allegro
                .order_events(cursor.as_deref().filter(|c| !c.is_empty()), &[], EVENTS_PAGE)
                .await
                .map_err(|e| allegro_failed(e, "reading the order journal"))?;
            let Some(last) = page.events.last().map(|e| e.id.clone()) else {
                break;
            };
            report.events += page.events.len() as u64;
            let mut seen = HashSet::new();
            let mut records = Vec::new();
            // Where the cursor may move: past every event whose order is stored. After an
            // order that could not be read it stays put (the order is read again next
            // pass), while the orders after it are still fetched and stored now.
            let mut safe_cursor = cursor.clone();
            let mut first_failure: Option<AllegroError> = None;
            for event in &page.events {
                if let Some(form_id) = event.order.checkout_form.as_ref().map(|c| c.id.clone())
                    && seen.insert(form_id.clone())
                {
                    match allegro.checkout_form(&form_id).await {
                        Ok(form) => {
                            report.fetched += 1;
                            records.push(order_record(&org, id, &form)?);
                        }
                        // A revoked token or a 429 block fails every call: stop the pass
                        // now (what was read is kept) and back off.
                        Err(e @ (AllegroError::Unauthorized { .. } | AllegroError::RateLimited { .. })) => {
                            self.store
                                .save_orders(id, &records, safe_cursor.as_deref(), self.now_ms())
                                .await?;
                            return Err(allegro_failed(e, "reading an order named by the journal"));
                        }
                        // An order Allegro no longer has cannot be read later either.
                        Err(AllegroError::Api { status: 404, .. }) => {
                            tracing::warn!(account = %id, order = %form_id, "the journal named an order Allegro does not have; skipped");
                        }
                        Err(e) => {
                            report.failed += 1;
                            tracing::warn!(account = %id, order = %form_id, error = %e, "could not read an order the journal named; it is read again next pass");
                            first_failure.get_or_insert(e);
                        }
                    }
                }
                if first_failure.is_none() {
                    safe_cursor = Some(event.id.clone());
                }
                // Commit every few orders with the cursor at this event: a page naming more
                // orders than the per-minute limit allows still advances under a 429 block,
                // and a crash re-reads at most one chunk.
                if records.len() >= JOURNAL_CHUNK {
                    report.add(
                        self.store
                            .save_orders(id, &records, safe_cursor.as_deref(), self.now_ms())
                            .await?,
                    );
                    records.clear();
                }
            }
            if let Some(e) = first_failure {
                report.add(
                    self.store
                        .save_orders(id, &records, safe_cursor.as_deref(), self.now_ms())
                        .await?,
                );
                if report.fetched == 0 && report.counts.new + report.counts.updated == 0 {
                    // Nothing moved: a failure, backed off as one.
                    return Err(allegro_failed(e, "reading an order named by the journal"));
                }
                break 'pages;
            }
            let counts = self.store.save_orders(id, &records, Some(&last), self.now_ms()).await?;
            report.add(counts);
            cursor = Some(last);
        }
        self.store.mark_synced(id, self.now_ms()).await?;
        metrics::counter!("allegro_bridge_orders_synced_total").increment(report.counts.new + report.counts.updated);
        Ok(report)
    }

    /// Reconciles every active account over the last `days` days (the journal's safety
    /// net). A failing account (revoked, 429, 5xx) is reported and never stops the others.
    pub async fn reconcile_active_accounts(
        &self,
        days: i64,
    ) -> Result<Vec<(AccountId, Result<SyncReport, String>)>, AppError> {
        let mut out = Vec::new();
        for id in self.store.active_accounts(100_000).await? {
            if self.is_stopping() {
                break;
            }
            let result = self.reconcile_account(&id, days).await;
            out.push((id, result.map_err(|e| format!("{e:#}"))));
        }
        Ok(out)
    }

    /// One pass of adaptive polling: claims the accounts whose next journal read is due
    /// (at most `policy.polls_per_second × seconds` of them, under a lease so no other
    /// process reads them at once), reads each journal concurrently, and schedules the
    /// next read: sooner for an account that had events, later for a quiet one, backed
    /// off for a failing one, which therefore never holds the others up.
    pub async fn sync_due_accounts(
        &self,
        policy: &domain::PollPolicy,
        seconds: i64,
    ) -> Result<Vec<(AccountId, Result<SyncReport, String>)>, AppError> {
        if self.is_stopping() {
            return Ok(Vec::new());
        }
        let now = self.now_ms();
        let limit = (policy.polls_per_second * seconds.max(1)).max(1);
        let claims = self
            .store
            .claim_due_syncs(&self.instance, now, now + 5 * 60_000, limit)
            .await?;
        let mut tasks = tokio::task::JoinSet::new();
        let gate = std::sync::Arc::new(tokio::sync::Semaphore::new(16));
        for claim in claims {
            let app = self.clone();
            let gate = gate.clone();
            let policy = *policy;
            tasks.spawn(async move {
                let _permit = gate.acquire_owned().await;
                let result = app.sync_account(&claim.account_id).await;
                let now = app.now_ms();
                let outcome = match &result {
                    Ok(r) if r.events > 0 || r.fetched > 0 => domain::PollOutcome::Events,
                    Ok(_) => domain::PollOutcome::Quiet,
                    Err(_) => domain::PollOutcome::Failed,
                };
                let before = domain::PollState {
                    next_at_ms: now,
                    quiet_polls: claim.quiet_polls,
                    failures: claim.failures,
                };
                let after = policy.after(before, outcome, now);
                let next = store::SyncSchedule {
                    next_at_ms: after.next_at_ms,
                    quiet_polls: after.quiet_polls,
                    failures: after.failures,
                };
                let scheduled = app.store.schedule_sync(&claim.account_id, &app.instance, &next).await;
                let result = match (result, scheduled) {
                    (Ok(r), Ok(())) => Ok(r),
                    (Err(e), _) => Err(format!("{e:#}")),
                    (_, Err(e)) => Err(format!("scheduling the next sync: {e}")),
                };
                (claim.account_id, result)
            });
        }
        let mut out = Vec::new();
        while let Some(done) = tasks.join_next().await {
            out.push(done.map_err(|e| AppError::Internal(anyhow::Error::new(e).context("a sync task panicked")))?);
        }
        Ok(out)
    }

    /// Re-reads every order bought in the last `days` days (Allegro keeps 365) and upserts
    /// those that differ: what the journal skipped is caught here.
    #[tracing::instrument(name = "reconcile", skip_all, fields(account_id = %id, days))]
    pub async fn reconcile_account(&self, id: &AccountId, days: i64) -> Result<SyncReport, AppError> {
        let account = self.store.account_for_worker(id).await?.ok_or(AppError::NotFound)?;
        if account.status != AccountStatus::Active {
            return Ok(SyncReport::default());
        }
        let org = account.organisation_id.clone();
        let access = self.account_api(account).await?;
        let allegro = access.rest();
        let now = self.now_ms();
        let query = CheckoutFormsQuery {
            bought_at_gte: Some(allegro_client::types::Instant::from_millis(
                now - days.clamp(1, 365) * 86_400_000,
            )),
            ..CheckoutFormsQuery::default()
        };
        let mut report = SyncReport::default();
        let mut batch = Vec::with_capacity(100);
        let stream = allegro.checkout_forms_all(query, now);
        let mut stream = std::pin::pin!(stream);
        while let Some(form) = std::future::poll_fn(|cx| futures_core::Stream::poll_next(stream.as_mut(), cx)).await {
            let form = form.map_err(|e| allegro_failed(e, "listing orders for reconciliation"))?;
            report.fetched += 1;
            batch.push(order_record(&org, id, &form)?);
            if batch.len() == 100 {
                report.add(self.store.save_orders(id, &batch, None, self.now_ms()).await?);
                batch.clear();
            }
        }
        if !batch.is_empty() {
            report.add(self.store.save_orders(id, &batch, None, self.now_ms()).await?);
        }
        Ok(report)
    }
}
