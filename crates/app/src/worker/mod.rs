//! The background worker: what runs, how often, side by side (moved from the CLI so the
//! schedule lives beside the use cases it runs; `serve` and `worker` both start it).

mod jobs;

pub use jobs::JobPayload;

use std::time::Duration;

use crate::{App, AppError, RefreshOutcome};

/// How long [`run`] waits, once asked to stop, for its tasks to finish what they hold
/// (an outbox gives its sends [`crate::outbox::STOP_GRACE`]; a journal read or an import
/// page ends within Allegro's timeouts); what is still running after that is dropped, as
/// in a crash — every piece of work is safe to take over after its lease.
pub const STOP_LIMIT: Duration = Duration::from_secs(20);

/// Runs `cycle` until the app stops, `pause` after each; a failed cycle is logged and the
/// next one runs as usual.
async fn every<F, Fut>(app: App, pause: Duration, name: &'static str, cycle: F)
where
    F: Fn(App) -> Fut + Send + 'static,
    Fut: std::future::Future<Output = Result<(), AppError>> + Send,
{
    while !app.is_stopping() {
        if let Err(e) = cycle(app.clone()).await {
            tracing::error!(error = %e, cycle = name, "worker cycle failed");
        }
        tokio::select! {
            () = tokio::time::sleep(pause) => {}
            () = app.stopping() => {}
        }
    }
}

/// The background worker, until [`App::shutdown`]. Every second: reads the journals of
/// the accounts due (adaptive polling, see `domain::PollPolicy`); beside it, a task runs
/// due jobs (imports) and issues due invoices, and others send issued invoices and
/// waybills to their Allegro orders and issue WZs. Every `interval_seconds`: refreshes due
/// tokens (ahead of expiry, and keep-alive for quiet accounts) and publishes gauges.
/// Every 30 minutes (and at start): reconciles the last 30 days of every account. One
/// account's failure never stops the others; a failing cycle is logged and retried.
///
/// Once stopping, nothing new is claimed, work not started is given back (due at once
/// for another worker) and the function returns within [`STOP_LIMIT`].
pub async fn run(app: App, interval_seconds: u64, policy: domain::PollPolicy) {
    let mut tasks = tokio::task::JoinSet::new();
    // Jobs (imports, which may run for minutes) in their own task: polling never waits.
    tasks.spawn(every(app.clone(), Duration::from_secs(1), "jobs", |app| async move {
        app.run_due_jobs(60_000).await?;
        app.recover_file_imports().await?;
        app.forget_old_login_failures().await?;
        for (order, result) in app.issue_due_invoices(200).await? {
            match result {
                Ok(crate::IssueOutcome::Issued(inv)) => {
                    tracing::info!(order_id = %order, number = %inv.number, "invoice issued")
                }
                Ok(crate::IssueOutcome::AlreadyIssued(_)) => {}
                Err(e) => tracing::warn!(order_id = %order, error = %e, "invoice not issued; retried"),
            }
        }
        Ok(())
    }));
    // Invoice PDFs and waybills to their Allegro orders, and warehouse documents, each in a
    // task of its own: a slow or rate-limited one never delays the others or polling.
    tasks.spawn(every(
        app.clone(),
        Duration::from_secs(1),
        "invoice upload",
        |app| async move {
            let r = app.upload_due_invoices(50).await?;
            if !r.is_empty() {
                tracing::info!(
                    uploaded = r.delivered,
                    retried = r.retried,
                    refused = r.refused,
                    released = r.released,
                    "invoices sent to Allegro"
                );
            }
            Ok(())
        },
    ));
    tasks.spawn(every(
        app.clone(),
        Duration::from_secs(1),
        "waybill push",
        |app| async move {
            let r = app.push_due_shipments(200).await?;
            if !r.is_empty() {
                tracing::info!(
                    pushed = r.delivered,
                    retried = r.retried,
                    refused = r.refused,
                    released = r.released,
                    "waybills sent to Allegro"
                );
            }
            Ok(())
        },
    ));
    // Invoices to KSeF, in a task of its own: KSeF's limits never slow the rest.
    tasks.spawn(every(app.clone(), crate::KSEF_PAUSE, "ksef", |app| async move {
        let r = app.send_due_to_ksef(crate::KSEF_ROUND).await?;
        if r != crate::KsefRound::default() {
            tracing::info!(
                sent = r.sent,
                accepted = r.accepted,
                rejected = r.rejected,
                waiting = r.waiting,
                "invoices to KSeF"
            );
        }
        Ok(())
    }));
    // WZ at the organisation's trigger, stock back on cancellation.
    tasks.spawn(every(
        app.clone(),
        Duration::from_secs(2),
        "warehouse",
        |app| async move {
            let (issued, cancelled) = app.run_warehouse(200).await?;
            if issued + cancelled > 0 {
                tracing::info!(issued, cancelled, "warehouse documents");
            }
            Ok(())
        },
    ));
    // The 30-day sweep in its own task: a long one never delays polling or jobs.
    tasks.spawn(every(
        app.clone(),
        Duration::from_secs(30 * 60),
        "reconciliation",
        |app| async move {
            log_sync_results("orders reconciled", app.reconcile_active_accounts(30).await?);
            Ok(())
        },
    ));
    let refresh_every = Duration::from_secs(interval_seconds.max(1));
    tasks.spawn(every(app.clone(), refresh_every, "token refresh", |app| async move {
        refresh_cycle(&app).await;
        Ok(())
    }));
    tasks.spawn(every(
        app.clone(),
        Duration::from_secs(1),
        "sync",
        move |app| async move {
            log_sync_results("orders synced", app.sync_due_accounts(&policy, 1).await?);
            Ok(())
        },
    ));
    app.stopping().await;
    tracing::info!("stopping: finishing or giving back the work in hand");
    let deadline = tokio::time::Instant::now() + STOP_LIMIT;
    loop {
        match tokio::time::timeout_at(deadline, tasks.join_next()).await {
            Ok(Some(_)) => {}
            Ok(None) => {
                tracing::info!("worker stopped");
                break;
            }
            Err(_) => {
                tracing::warn!(
                    still_running = tasks.len(),
                    "worker stopped with work still running; its leases lapse as after a crash"
                );
                tasks.abort_all();
                break;
            }
        }
    }
}

fn log_sync_results(what: &'static str, results: Vec<(domain::AccountId, Result<crate::SyncReport, String>)>) {
    for (id, result) in results {
        match result {
            Ok(r) if r.counts.new + r.counts.updated > 0 => {
                tracing::info!(account.id = %id, new = r.counts.new, updated = r.counts.updated, "{what}");
            }
            Ok(_) => {}
            Err(e) => tracing::warn!(account.id = %id, error = %e, "order sync failed; retried later"),
        }
    }
}

async fn refresh_cycle(app: &App) {
    match app.refresh_due_accounts(500).await {
        Ok(done) => {
            for (id, outcome) in done {
                match outcome {
                    RefreshOutcome::Refreshed | RefreshOutcome::Busy | RefreshOutcome::Skipped => {}
                    RefreshOutcome::NeedsRelogin(reason) => {
                        tracing::warn!(account.id = %id, reason, "account needs a new login")
                    }
                    RefreshOutcome::Failed(e) => {
                        tracing::warn!(account.id = %id, error = %e, "refresh failed; retried next cycle")
                    }
                }
            }
        }
        Err(e) => tracing::error!(error = %e, "refresh cycle failed"),
    }
    match app.store().ksef_backlog(None).await {
        Ok(b) => {
            metrics::gauge!("allegro_bridge_ksef_invoices_waiting").set(b.waiting as f64);
            metrics::gauge!("allegro_bridge_ksef_invoices_rejected").set(b.rejected as f64);
            let oldest = b.oldest_queued_at_ms.map_or(0, |at| (app.now_ms() - at).max(0));
            metrics::gauge!("allegro_bridge_ksef_oldest_wait_seconds").set(oldest as f64 / 1000.0);
            metrics::gauge!("allegro_bridge_ksef_offline_invoices").set(b.offline as f64);
            // Seconds until the end (Polish midnight) of the nearest offline deadline;
            // negative once it has passed, 0 when there is none.
            let left = b
                .nearest_deadline
                .as_deref()
                .and_then(|d| domain::time::parse_day(d).ok())
                .map_or(0, |d| domain::time::polish_day_end_ms(d) - app.now_ms());
            metrics::gauge!("allegro_bridge_ksef_offline_deadline_seconds").set(left as f64 / 1000.0);
        }
        Err(e) => tracing::error!(error = %e, "reading the KSeF backlog"),
    }
    match app.accounts_at_risk().await {
        Ok(n) => {
            metrics::gauge!("allegro_bridge_accounts_at_risk").set(n as f64);
            if n > 0 {
                tracing::warn!(
                    accounts = n,
                    "accounts at risk of lapsing: their refresh tokens end soon or refreshes keep failing"
                );
            }
        }
        Err(e) => tracing::error!(error = %e, "counting accounts at risk"),
    }
    if let Ok(counts) = app.store().account_status_counts().await {
        for status in ["active", "needs_relogin", "disconnected"] {
            let n = counts.iter().find(|(s, _)| s.as_str() == status).map_or(0, |(_, n)| *n);
            metrics::gauge!("allegro_bridge_accounts", "status" => status).set(n as f64);
        }
    }
}
