//! Linked Allegro accounts: connections (Allegro apps) and the addresses they call, linking
//! (OAuth and the device flow), the token lifecycle, and each account's settings.

mod allegro_urls;
mod connections;
mod linking;
mod tokens;

use domain::{AccountId, AccountSettings};
use store::Account;

use crate::{App, AppError, CurrentUser};

pub use allegro_urls::{CustomAllegroUrls, is_public};
pub use linking::{LinkOutcome, StateProblem};
pub use tokens::{RefreshOutcome, RefreshPolicy};

impl App {
    /// The organisation's linked accounts.
    pub async fn accounts(&self, user: &CurrentUser) -> Result<Vec<Account>, AppError> {
        Ok(self.store.accounts(&user.organisation_id).await?)
    }

    /// One account.
    pub async fn account(&self, user: &CurrentUser, id: &AccountId) -> Result<Account, AppError> {
        self.store
            .account(&user.organisation_id, id)
            .await?
            .ok_or(AppError::NotFound)
    }

    /// "Odłącz": drops the tokens; orders and history stay.
    pub async fn disconnect(&self, user: &CurrentUser, id: &AccountId) -> Result<(), AppError> {
        if !self
            .store
            .disconnect_account(&user.organisation_id, id, self.now_ms())
            .await?
        {
            return Err(AppError::NotFound);
        }
        Ok(())
    }

    /// An account's settings.
    pub async fn settings(&self, user: &CurrentUser, id: &AccountId) -> Result<AccountSettings, AppError> {
        self.store
            .account_settings(&user.organisation_id, id)
            .await?
            .ok_or(AppError::NotFound)
    }

    /// Saves an account's settings.
    pub async fn save_settings(
        &self,
        user: &CurrentUser,
        id: &AccountId,
        settings: &AccountSettings,
    ) -> Result<(), AppError> {
        // Another organisation's account is not found, whatever the settings say.
        self.account(user, id).await?;
        // A series without the year repeats its numbers every year (or every month with
        // {MM} alone): the second "FV/1/01" would be refused and invoicing would stop.
        let series = settings.invoice_series.as_str();
        if !series.contains("{YYYY}") {
            return Err(crate::invalid(
                "invoice_series",
                crate::Problem::new("problem-series-needs-year").arg("series", series),
            ));
        }
        if !self
            .store
            .save_account_settings(&user.organisation_id, id, settings, self.now_ms())
            .await?
        {
            return Err(AppError::NotFound);
        }
        Ok(())
    }
}
