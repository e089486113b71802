//! Linking an Allegro account: authorization code with PKCE and a single-use `state`
//! bound to the user's session and the connection; tokens stored sealed against the
//! Allegro user id from `/me`; re-linking refused for a different user.

use allegro_client::{OAuthError, Pkce, types::scopes};
use domain::{AccountId, ConnectionId};
use secrecy::ExposeSecret;
use store::{LinkResult, NewLink, OAuthState, StateLookup, TokenPair};

use crate::{App, AppError, CurrentUser, random_token, sha256_hex};

/// How long a `state` is good for: the seller logs in to Allegro within it.
const STATE_TTL_MS: i64 = 15 * 60 * 1000;

/// Why a callback's `state` was not accepted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StateProblem {
    /// Missing or never issued.
    Unknown,
    /// Already used (a reload, or a replay).
    Used,
    /// Too old.
    Expired,
    /// Issued to another browser session or for another connection.
    Mismatch,
}

/// What happened on the callback, for the page that tells the seller.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LinkOutcome {
    /// Linked (or linked again) as `login`; `missing` lists permissions the seller did
    /// not tick, as (portal group, description, scope).
    Linked {
        /// The account.
        account: AccountId,
        /// Allegro login.
        login: String,
        /// A new account, or new tokens for a known one.
        created: bool,
        /// Missing permissions.
        missing: Vec<(&'static str, &'static str, &'static str)>,
        /// The connection the account was linked through until now, when this link
        /// moved it (one account per Allegro user: orders, invoices and settings stay).
        moved_from: Option<Box<store::Connection>>,
    },
    /// The seller pressed "Nie, anuluj".
    Cancelled,
    /// The `state` was not acceptable.
    BadState(StateProblem),
    /// The code expired (10 s) or was already used.
    CodeExpired,
    /// Re-linking came back as another Allegro user: refused, nothing changed.
    WrongUser {
        /// The account's login.
        expected: String,
        /// The login that came back.
        got: String,
    },
    /// Allegro refused or failed: a message key of the UI (`bad_client`,
    /// `no_refresh_token`, `user_mismatch`) or Allegro's own OAuth error code.
    AllegroFailed(String),
}

impl App {
    /// Starts linking through `connection` (or re-linking `relink`): returns the URL of
    /// Allegro's login and consent page.
    pub async fn start_link(
        &self,
        user: &CurrentUser,
        connection: &ConnectionId,
        relink: Option<&AccountId>,
    ) -> Result<url::Url, AppError> {
        // A link started through the API is bound to the organisation instead of a browser
        // session: whoever opens the URL completes it (state and PKCE still single-use).
        let session_hash = user
            .session_hash
            .clone()
            .unwrap_or_else(|| format!("api:{}", user.organisation_id));
        let conn = self.connection(&user.organisation_id, connection).await?;
        let oauth = self.oauth_for(&conn)?;
        if let Some(account) = relink {
            let a = self
                .store
                .account(&user.organisation_id, account)
                .await?
                .ok_or(AppError::NotFound)?;
            if a.connection_id != conn.id {
                return Err(AppError::NotFound);
            }
        }
        let state = random_token(32);
        let state_hash = sha256_hex(&state);
        let pkce = Pkce::new();
        self.store
            .create_oauth_state(&OAuthState {
                state_hash: state_hash.clone(),
                organisation_id: user.organisation_id.clone(),
                connection_id: conn.id.clone(),
                session_hash,
                pkce_verifier: self.cipher.seal(
                    &format!("state:{state_hash}:pkce"),
                    pkce.verifier.expose_secret().as_bytes(),
                ),
                relink_account_id: relink.cloned(),
                expires_at_ms: self.now_ms() + STATE_TTL_MS,
            })
            .await?;
        Ok(oauth.authorization_url(
            &self.redirect_uri(&conn),
            &state,
            Some(&pkce),
            scopes::REQUIRED_BY_BRIDGE,
        ))
    }

    /// Finishes linking on the redirect URI with Allegro's `code` (or `error`) and `state`.
    /// `user` is the browser's session, if logged in; `connection` the one the redirect
    /// URI names (`None` on the service app's shared redirect URI).
    pub async fn complete_link(
        &self,
        user: Option<&CurrentUser>,
        connection: Option<&ConnectionId>,
        state: Option<&str>,
        code: Option<&str>,
        error: Option<&str>,
    ) -> Result<LinkOutcome, AppError> {
        let Some(state) = state.filter(|s| !s.is_empty()) else {
            return Ok(LinkOutcome::BadState(StateProblem::Unknown));
        };
        let state_hash = sha256_hex(state);
        let pending = match self.store.take_oauth_state(&state_hash, self.now_ms()).await? {
            StateLookup::Valid(s) => s,
            StateLookup::Used => return Ok(LinkOutcome::BadState(StateProblem::Used)),
            StateLookup::Expired => return Ok(LinkOutcome::BadState(StateProblem::Expired)),
            StateLookup::Unknown => return Ok(LinkOutcome::BadState(StateProblem::Unknown)),
        };
        let api_started = pending.session_hash == format!("api:{}", pending.organisation_id);
        let same_session = user.is_some_and(|u| {
            u.session_hash.as_deref() == Some(pending.session_hash.as_str())
                && u.organisation_id == pending.organisation_id
        });
        if !(api_started || same_session) || connection.is_some_and(|c| c != &pending.connection_id) {
            return Ok(LinkOutcome::BadState(StateProblem::Mismatch));
        }
        let org = pending.organisation_id.clone();
        let connection = &pending.connection_id;
        if let Some(e) = error {
            return Ok(if e == "access_denied" {
                LinkOutcome::Cancelled
            } else {
                LinkOutcome::AllegroFailed(
                    e.chars()
                        .filter(|c| c.is_ascii_alphanumeric() || *c == '_')
                        .take(60)
                        .collect(),
                )
            });
        }
        let Some(code) = code.filter(|c| !c.is_empty()) else {
            return Ok(LinkOutcome::CodeExpired);
        };
        let conn = self.connection(&org, connection).await?;
        let oauth = self.oauth_for(&conn)?;
        let verifier = self
            .cipher
            .open_secret(&format!("state:{state_hash}:pkce"), &pending.pkce_verifier)
            .map_err(|e| AppError::Internal(anyhow::Error::new(e).context("opening a PKCE verifier")))?;
        let tokens = match oauth
            .exchange_code(code, &self.redirect_uri(&conn), Some(&verifier))
            .await
        {
            Ok(t) => t,
            Err(OAuthError::InvalidGrant { .. }) => return Ok(LinkOutcome::CodeExpired),
            Err(OAuthError::Unauthorized { .. }) => {
                return Ok(LinkOutcome::AllegroFailed("bad_client".into()));
            }
            Err(e) => {
                return Err(AppError::Internal(
                    anyhow::Error::new(e).context("exchanging the authorization code"),
                ));
            }
        };
        self.store_link(&org, &conn, &oauth, tokens, pending.relink_account_id.as_ref())
            .await
    }

    /// Starts the device flow for a terminal (`allegro-bridge accounts link --device`):
    /// show `user_code` and `verification_uri`, then call [`App::finish_device_link`].
    pub async fn start_device_link(
        &self,
        org: &domain::OrganisationId,
        connection: &ConnectionId,
    ) -> Result<allegro_client::DeviceAuthorization, AppError> {
        let conn = self.connection(org, connection).await?;
        let oauth = self.oauth_for(&conn)?;
        oauth
            .start_device(scopes::REQUIRED_BY_BRIDGE)
            .await
            .map_err(|e| match e {
                OAuthError::Unauthorized { .. } => crate::invalid("connection", "problem-device-flow-refused"),
                other => AppError::Internal(anyhow::Error::new(other).context("starting the device flow")),
            })
    }

    /// Waits for the user to approve on Allegro's page (honouring `interval` and
    /// `slow_down`), then stores the account like the browser flow does.
    pub async fn finish_device_link(
        &self,
        org: &domain::OrganisationId,
        connection: &ConnectionId,
        auth: &allegro_client::DeviceAuthorization,
    ) -> Result<LinkOutcome, AppError> {
        let conn = self.connection(org, connection).await?;
        let oauth = self.oauth_for(&conn)?;
        let poll = oauth
            .wait_for_device(auth)
            .await
            .map_err(|e| AppError::Internal(anyhow::Error::new(e).context("polling the device flow")))?;
        match poll {
            allegro_client::DevicePoll::Token(tokens) => self.store_link(org, &conn, &oauth, tokens, None).await,
            allegro_client::DevicePoll::Denied => Ok(LinkOutcome::Cancelled),
            allegro_client::DevicePoll::Expired => Ok(LinkOutcome::CodeExpired),
            _ => Ok(LinkOutcome::AllegroFailed("invalid_device_code".into())),
        }
    }

    /// Stores the tokens of a finished authorization against the Allegro user id that
    /// `/me` and the token agree on (invariant 4).
    async fn store_link(
        &self,
        org: &domain::OrganisationId,
        conn: &store::Connection,
        oauth: &allegro_client::OAuthClient,
        tokens: allegro_client::TokenSet,
        relink: Option<&AccountId>,
    ) -> Result<LinkOutcome, AppError> {
        let org = org.clone();
        let Some(refresh) = tokens.refresh_token.clone() else {
            return Ok(LinkOutcome::AllegroFailed("no_refresh_token".into()));
        };
        let me = self
            .allegro_for(conn)?
            .account(oauth.client_id(), &tokens.access_token)
            .me()
            .await
            .map_err(|e| AppError::Internal(anyhow::Error::new(e).context("reading /me after linking")))?;
        let allegro_user_id = me.id.clone().unwrap_or_default();
        let login = me.login.clone().unwrap_or_default();
        // Invariant 4: the token's own user id must be the one /me reports.
        let claims = tokens
            .claims()
            .map_err(|e| AppError::Internal(anyhow::Error::new(e).context("decoding the token")))?;
        if allegro_user_id.is_empty() || claims.user_name.as_deref() != Some(allegro_user_id.as_str()) {
            return Ok(LinkOutcome::AllegroFailed("user_mismatch".into()));
        }
        let now = self.now_ms();
        let link = NewLink {
            account_id: AccountId::from_stored(uuid::Uuid::new_v4().to_string()),
            organisation_id: org.clone(),
            connection_id: conn.id.clone(),
            allegro_user_id: allegro_user_id.clone(),
            login: login.clone(),
            scopes: tokens.scopes.join(" "),
            tokens: TokenPair {
                access_token: self.cipher.seal_secret("pending:access", &tokens.access_token),
                refresh_token: self.cipher.seal_secret("pending:refresh", &refresh),
                access_expires_at_ms: now + tokens.expires_in * 1000,
                refresh_expires_at_ms: now + self.config.refresh.refresh_token_lifetime_ms,
            },
            now_ms: now,
        };
        let mut moved_from = None;
        let (account, created) = match relink {
            Some(target) => {
                let existing = self.store.account(&org, target).await?.ok_or(AppError::NotFound)?;
                let sealed = self.seal_for(target, &tokens.access_token, &refresh, &link.tokens);
                let relink = NewLink { tokens: sealed, ..link };
                if !self.store.relink_account(&org, target, &relink).await? {
                    return Ok(LinkOutcome::WrongUser {
                        expected: existing.login,
                        got: login,
                    });
                }
                (target.clone(), false)
            }
            None => {
                // Seal against the account id the row will have: a new id, or the id of
                // the account the organisation already has for this Allegro user (through
                // this connection or another one, which it then moves from).
                let existing = self
                    .store
                    .accounts(&org)
                    .await?
                    .into_iter()
                    .find(|a| a.allegro_user_id == allegro_user_id)
                    .map(|a| a.id);
                let id = existing.unwrap_or_else(|| link.account_id.clone());
                let sealed = self.seal_for(&id, &tokens.access_token, &refresh, &link.tokens);
                let link = NewLink {
                    account_id: id,
                    tokens: sealed,
                    ..link
                };
                match self.store.link_account(&link).await? {
                    LinkResult::Created(id) => (id, true),
                    LinkResult::Updated(id) => (id, false),
                    LinkResult::Moved { account, from } => {
                        tracing::info!(account = %account, from = %from, to = %conn.id, "account moved to another connection");
                        moved_from = self.store.connection(&org, &from).await?.map(Box::new);
                        (account, false)
                    }
                }
            }
        };
        metrics::counter!("allegro_bridge_accounts_linked_total").increment(1);
        // Waybills queued while the account was disconnected go now.
        self.store.wake_account_pushes(&account, now).await?;
        let missing = scopes::REQUIRED_BY_BRIDGE
            .iter()
            .filter(|s| !tokens.scopes.iter().any(|g| g == *s))
            .filter_map(|s| scopes::find(s))
            .map(|s| (s.group, s.description_pl, s.name))
            .collect();
        Ok(LinkOutcome::Linked {
            account,
            login,
            created,
            missing,
            moved_from,
        })
    }

    /// Seals a token pair for an account (associated data names the account).
    pub(crate) fn seal_for(
        &self,
        account: &AccountId,
        access: &secrecy::SecretString,
        refresh: &secrecy::SecretString,
        times: &TokenPair,
    ) -> TokenPair {
        TokenPair {
            access_token: self.cipher.seal_secret(&format!("account:{account}:access"), access),
            refresh_token: self.cipher.seal_secret(&format!("account:{account}:refresh"), refresh),
            access_expires_at_ms: times.access_expires_at_ms,
            refresh_expires_at_ms: times.refresh_expires_at_ms,
        }
    }
}
