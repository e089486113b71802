//! The start page ("Pulpit"): what needs the seller now, each item with where it is
//! fixed — the first-run steps, accounts to log in again, invoices that failed or wait,
//! orders to send.

use domain::{AccountStatus, OrderTask};
use store::{InvoiceFilter, UploadState};

use crate::{App, AppError, CurrentUser};

/// What the start page shows.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Dashboard {
    /// First-run step 1: the invoicing details (Dane do faktur) are saved.
    pub has_profile: bool,
    /// Step 2: an Allegro account is linked through a connection.
    pub has_account: bool,
    /// Step 3: automatic invoices are switched on for an account.
    pub invoicing_on: bool,
    /// Logins of the accounts that need a new login.
    pub relogin: Vec<String>,
    /// Orders whose automatic invoice failed and is not issued yet, for another reason
    /// than a missing NBP table (those are in `rates_missing`).
    pub invoices_failed: i64,
    /// Invoices Allegro refused to take on their order.
    pub uploads_refused: i64,
    /// Invoices waiting to be sent to their Allegro order.
    pub uploads_waiting: i64,
    /// Paid orders not yet handed to a carrier.
    pub orders_to_ship: i64,
    /// NBP tables invoices wait for: (currency, day, how many invoices).
    pub rates_missing: Vec<(String, String, i64)>,
    /// Invoices not yet in KSeF (waiting or sent, no number yet).
    pub ksef_waiting: i64,
    /// Invoices KSeF refused, waiting for the seller.
    pub ksef_rejected: i64,
    /// Why KSeF refuses the organisation's token (sending waits until it is replaced).
    pub ksef_token_problem: Option<crate::Problem>,
    /// Invoices issued offline not yet in KSeF.
    pub ksef_offline: i64,
    /// The nearest of their deadlines (`YYYY-MM-DD`), when known.
    pub ksef_offline_deadline: Option<String>,
    /// Whether that deadline is near (today or the next business day) or has passed.
    pub ksef_deadline_alert: Option<DeadlineAlert>,
}

/// How close the nearest offline deadline is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeadlineAlert {
    /// Today or the next business day: KSeF must be reachable by then.
    Near,
    /// Gone: the invoices are late (the seller should send them and tell the accountant).
    Passed,
}

/// Whether `deadline` is near or past on `today` (Polish days).
pub fn deadline_alert(deadline: jiff::civil::Date, today: jiff::civil::Date) -> Option<DeadlineAlert> {
    if deadline < today {
        Some(DeadlineAlert::Passed)
    } else if deadline <= domain::ksef_offline::business_days_after(today, 1) {
        Some(DeadlineAlert::Near)
    } else {
        None
    }
}

impl Dashboard {
    /// Whether every first-run step is done.
    pub fn set_up(&self) -> bool {
        self.has_profile && self.has_account && self.invoicing_on
    }
}

impl App {
    /// The start page of the organisation.
    pub async fn dashboard(&self, user: &CurrentUser) -> Result<Dashboard, AppError> {
        let org = &user.organisation_id;
        let accounts = self.accounts(user).await?;
        let mut invoicing_on = false;
        for a in accounts.iter().filter(|a| a.status != AccountStatus::Disconnected) {
            invoicing_on |= self
                .store
                .account_settings(org, &a.id)
                .await?
                .is_some_and(|s| s.enabled);
        }
        let uploads = |state: UploadState| InvoiceFilter {
            upload: Some(state),
            ..InvoiceFilter::default()
        };
        let rates_missing = self.rates_missing(org).await?;
        let waiting_for_rates: i64 = rates_missing.iter().map(|(_, _, n)| n).sum();
        let ksef = self.store.ksef_backlog(Some(org)).await?;
        let today = domain::time::polish_day(self.now_ms());
        let ksef_deadline_alert = ksef
            .nearest_deadline
            .as_deref()
            .and_then(|d| domain::time::parse_day(d).ok())
            .and_then(|d| deadline_alert(d, today));
        Ok(Dashboard {
            has_profile: self.store.invoicing_profile(org).await?.is_some(),
            has_account: accounts.iter().any(|a| a.status != AccountStatus::Disconnected),
            invoicing_on,
            relogin: accounts
                .iter()
                .filter(|a| a.status == AccountStatus::NeedsRelogin)
                .map(|a| a.login.clone())
                .collect(),
            invoices_failed: self.store.count_order_task_failures(org, OrderTask::Invoice).await? - waiting_for_rates,
            uploads_refused: self.store.invoices(org, &uploads(UploadState::Refused), 0, 1).await?.1,
            uploads_waiting: self.store.invoices(org, &uploads(UploadState::Pending), 0, 1).await?.1,
            orders_to_ship: self.store.count_orders_to_ship(org).await?,
            rates_missing,
            ksef_waiting: ksef.waiting,
            ksef_rejected: ksef.rejected,
            ksef_token_problem: self
                .store
                .ksef_settings(org)
                .await?
                .and_then(|s| s.token_problem)
                .and_then(|p| crate::Problem::from_stored(&p)),
            ksef_offline: ksef.offline,
            ksef_offline_deadline: ksef.nearest_deadline,
            ksef_deadline_alert,
        })
    }
}
