//! Token lifecycle: refresh ahead of expiry, keep-alive refreshes, one refresh per account
//! at a time across processes (a lease on the account row, with a fenced write), the
//! rotated pair committed before anything uses it, and revoked tokens flagging only their
//! own account.

use allegro_client::OAuthError;
use domain::{AccountId, AccountStatus, OrganisationId};
use secrecy::{ExposeSecret, SecretString};
use store::{Account, TokenPair};

use crate::{App, AppError};

/// When tokens are refreshed.
#[derive(Debug, Clone, Copy)]
pub struct RefreshPolicy {
    /// Refresh when the access token has less than this left.
    pub access_margin_ms: i64,
    /// Refresh at least this often even when idle, so the 3-month refresh token never lapses.
    pub keepalive_ms: i64,
    /// How long one refresh may hold the account's lease.
    pub lease_ms: i64,
    /// Refresh-token lifetime to assume (Allegro: 90 days, sliding).
    pub refresh_token_lifetime_ms: i64,
    /// Warn while the refresh token has less than this left.
    pub at_risk_ms: i64,
}

impl Default for RefreshPolicy {
    fn default() -> Self {
        Self {
            access_margin_ms: 60 * 60 * 1000,
            keepalive_ms: 7 * 86_400_000,
            lease_ms: 60_000,
            refresh_token_lifetime_ms: 90 * 86_400_000,
            at_risk_ms: 14 * 86_400_000,
        }
    }
}

/// What one refresh attempt did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RefreshOutcome {
    /// New pair stored.
    Refreshed,
    /// Another process holds the lease; it refreshes.
    Busy,
    /// Not active, or no tokens.
    Skipped,
    /// Allegro refused the refresh token: the account needs a new login (reason given).
    NeedsRelogin(&'static str),
    /// A transient failure (network, 5xx, 429); retried on the next cycle.
    Failed(String),
}

impl App {
    /// Allegro answered 401 to one of the account's calls: its access token is dead —
    /// superseded, or revoked by a password change, "log out everywhere" or a sales block.
    /// Refreshes at once rather than at the next scheduled refresh (up to hours away): a
    /// refused refresh flags the account for re-login now, with the reason, and every page
    /// that depends on it says so. Nothing to do when `refused` is no longer the account's
    /// token: another refresh replaced it (and revoked it — the 401 was that rotation's).
    pub(crate) async fn refresh_after_refusal(&self, id: &AccountId, refused: &SecretString) {
        match self.refresh_account_unless_rotated(id, Some(refused)).await {
            Ok(outcome) => {
                tracing::info!(account.id = %id, ?outcome, "Allegro refused the account's token; refreshed at once unless replaced");
            }
            Err(e) => tracing::warn!(account.id = %id, error = %e, "refreshing an account Allegro refused"),
        }
    }

    /// Whether an account is at risk of lapsing: its refresh token ends soon, or refreshes
    /// have not succeeded for longer than the keep-alive interval.
    pub fn at_risk(&self, account: &Account) -> bool {
        let now = self.now_ms();
        let p = self.config.refresh;
        account.status == AccountStatus::Active
            && account.tokens.as_ref().is_some_and(|t| {
                t.refresh_expires_at_ms - now < p.at_risk_ms
                    || account.last_refresh_at_ms.is_some_and(|r| now - r > 2 * p.keepalive_ms)
            })
    }

    /// Number of active accounts at risk of lapsing (see [`App::at_risk`]).
    pub async fn accounts_at_risk(&self) -> Result<i64, AppError> {
        let now = self.now_ms();
        let p = self.config.refresh;
        Ok(self
            .store
            .count_accounts_at_risk(now + p.at_risk_ms, now - 2 * p.keepalive_ms)
            .await?)
    }

    /// Refreshes every account that is due (expiring soon or idle past the keep-alive);
    /// returns what happened to each. A failure on one account never stops the others.
    pub async fn refresh_due_accounts(&self, limit: i64) -> Result<Vec<(AccountId, RefreshOutcome)>, AppError> {
        let now = self.now_ms();
        let p = self.config.refresh;
        let due = self
            .store
            .accounts_due_for_refresh(now + p.access_margin_ms, now - p.keepalive_ms, limit)
            .await?;
        let mut out = Vec::with_capacity(due.len());
        for id in due {
            if self.is_stopping() {
                break;
            }
            let outcome = match self.refresh_account(&id).await {
                Ok(o) => o,
                Err(e) => RefreshOutcome::Failed(format!("{e:#}")),
            };
            out.push((id, outcome));
        }
        Ok(out)
    }

    /// Refreshes one account under its lease.
    #[tracing::instrument(name = "token_refresh", skip_all, fields(account_id = %id))]
    pub async fn refresh_account(&self, id: &AccountId) -> Result<RefreshOutcome, AppError> {
        self.refresh_account_unless_rotated(id, None).await
    }

    /// [`App::refresh_account`]; with `refused`, only if that access token is still the
    /// account's (checked under the lease): when another refresh already replaced it, the
    /// 401 was that rotation's, and refreshing again would only revoke the new token.
    async fn refresh_account_unless_rotated(
        &self,
        id: &AccountId,
        refused: Option<&SecretString>,
    ) -> Result<RefreshOutcome, AppError> {
        let now = self.now_ms();
        let p = self.config.refresh;
        // One owner per attempt, not per process: two refreshes of one account inside one
        // process (the schedule's and one after a 401) must exclude each other too.
        let owner = format!("{}:{}", self.instance, uuid::Uuid::new_v4().simple());
        if !self.store.try_lease_refresh(id, &owner, now + p.lease_ms, now).await? {
            return Ok(RefreshOutcome::Busy);
        }
        let outcome = match refused {
            Some(token) => match self.still_the_access_token(id, token).await {
                Ok(true) => self.refresh_leased(id, &owner).await,
                Ok(false) => Ok(RefreshOutcome::Skipped),
                Err(e) => Err(e),
            },
            None => self.refresh_leased(id, &owner).await,
        };
        // Release even on error; an expired lease would free it anyway.
        self.store.release_refresh_lease(id, &owner).await?;
        let outcome = outcome?;
        match &outcome {
            RefreshOutcome::Refreshed => metrics::counter!("allegro_bridge_token_refreshes_total").increment(1),
            RefreshOutcome::NeedsRelogin(_) | RefreshOutcome::Failed(_) => {
                metrics::counter!("allegro_bridge_token_refresh_failures_total").increment(1);
            }
            _ => {}
        }
        Ok(outcome)
    }

    /// Whether `token` is the access token the account holds now.
    async fn still_the_access_token(&self, id: &AccountId, token: &SecretString) -> Result<bool, AppError> {
        let Some(tokens) = self.store.account_for_worker(id).await?.and_then(|a| a.tokens) else {
            return Ok(false);
        };
        let held = self
            .cipher
            .open_secret(&format!("account:{id}:access"), &tokens.access_token)
            .map_err(|e| AppError::Internal(anyhow::Error::new(e).context("opening an access token")))?;
        Ok(held.expose_secret() == token.expose_secret())
    }

    async fn refresh_leased(&self, id: &AccountId, owner: &str) -> Result<RefreshOutcome, AppError> {
        // Read after taking the lease: another process may have just rotated the pair.
        let Some(account) = self.store.account_for_worker(id).await? else {
            return Ok(RefreshOutcome::Skipped);
        };
        let (AccountStatus::Active, Some(tokens)) = (account.status, account.tokens.as_ref()) else {
            return Ok(RefreshOutcome::Skipped);
        };
        let conn = self
            .store
            .connection(&account.organisation_id, &account.connection_id)
            .await?
            .ok_or(AppError::NotFound)?;
        let oauth = self.oauth_for(&conn)?;
        let refresh = self
            .cipher
            .open_secret(&format!("account:{id}:refresh"), &tokens.refresh_token)
            .map_err(|e| AppError::Internal(anyhow::Error::new(e).context("opening a refresh token")))?;
        let fresh = match oauth.refresh(&refresh).await {
            Ok(t) => t,
            Err(e @ (OAuthError::InvalidGrant { .. } | OAuthError::Unauthorized { .. })) => {
                let reason = if matches!(e, OAuthError::Unauthorized { .. }) {
                    "revoked"
                } else {
                    "refresh_invalid"
                };
                tracing::warn!(account.id = %id, error = %e, "Allegro refused the refresh token; the account needs a new login");
                self.store
                    .set_account_status(id, AccountStatus::NeedsRelogin, Some(reason), self.now_ms())
                    .await?;
                return Ok(RefreshOutcome::NeedsRelogin(reason));
            }
            Err(e) => return Ok(RefreshOutcome::Failed(e.to_string())),
        };
        let Some(new_refresh) = fresh.refresh_token.clone() else {
            return Ok(RefreshOutcome::Failed("Allegro returned no refresh token".into()));
        };
        let now = self.now_ms();
        let times = TokenPair {
            access_token: store::Sealed(Vec::new()),
            refresh_token: store::Sealed(Vec::new()),
            access_expires_at_ms: now + fresh.expires_in * 1000,
            refresh_expires_at_ms: now + self.config.refresh.refresh_token_lifetime_ms,
        };
        let pair = self.seal_for(id, &fresh.access_token, &new_refresh, &times);
        // Invariant 3: the rotated pair is committed before anything uses it. If the lease
        // was lost meanwhile, the write is refused and the holder's pair stays.
        if !self.store.store_refreshed_tokens(id, owner, &pair, now).await? {
            return Ok(RefreshOutcome::Busy);
        }
        Ok(RefreshOutcome::Refreshed)
    }

    /// A usable access token for an account (refreshing first if it is about to expire),
    /// with its app's Client ID.
    pub async fn access_token(&self, org: &OrganisationId, id: &AccountId) -> Result<(String, SecretString), AppError> {
        let account = self.store.account(org, id).await?.ok_or(AppError::NotFound)?;
        let soon = self.now_ms() + 60_000;
        if account.tokens.as_ref().is_some_and(|t| t.access_expires_at_ms < soon) {
            self.refresh_account(id).await?;
        }
        let account = self.store.account(org, id).await?.ok_or(AppError::NotFound)?;
        let tokens = account
            .tokens
            .ok_or_else(|| crate::invalid("account", "problem-account-not-linked"))?;
        let conn = self
            .store
            .connection(org, &account.connection_id)
            .await?
            .ok_or(AppError::NotFound)?;
        let client_id = self.oauth_for(&conn)?.client_id().to_owned();
        let token = self
            .cipher
            .open_secret(&format!("account:{id}:access"), &tokens.access_token)
            .map_err(|e| AppError::Internal(anyhow::Error::new(e).context("opening an access token")))?;
        Ok((client_id, token))
    }
}
