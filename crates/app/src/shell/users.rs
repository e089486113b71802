//! Organisations, users (Argon2id), login sessions and API keys.

use domain::{ApiKeyId, OrganisationId, UserId};
use secrecy::SecretString;
use store::{ApiKey, Organisation, Session, User};

use super::passwords::check_password;
use crate::{App, AppError, Problem, invalid, random_token, sha256_hex};

/// The user behind a request: from a session cookie (UI) or an API key (`/api/v1`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CurrentUser {
    /// Organisation; every query is scoped to it.
    pub organisation_id: OrganisationId,
    /// The user, for UI sessions.
    pub user_id: Option<UserId>,
    /// E-mail, for UI sessions.
    pub email: Option<String>,
    /// SHA-256 of the session cookie, for UI sessions (binds OAuth `state`).
    pub session_hash: Option<String>,
    /// CSRF token of the session.
    pub csrf_token: Option<String>,
}

impl CurrentUser {
    /// An operator acting for the organisation from the command line (no session).
    pub fn for_organisation(organisation_id: OrganisationId) -> Self {
        Self {
            organisation_id,
            user_id: None,
            email: None,
            session_hash: None,
            csrf_token: None,
        }
    }
}

/// A new login session: the cookie value (secret) and its CSRF token.
#[derive(Debug)]
pub struct NewSession {
    /// Cookie value.
    pub cookie: SecretString,
    /// Seconds it lasts.
    pub max_age_s: i64,
}

fn check_email(email: &str) -> Result<String, AppError> {
    let e = email.trim().to_lowercase();
    let ok = e.len() <= 254
        && e.split_once('@')
            .is_some_and(|(local, domain)| !local.is_empty() && domain.contains('.') && !domain.starts_with('.'))
        && !e.chars().any(char::is_whitespace);
    if ok {
        Ok(e)
    } else {
        Err(invalid("email", "problem-email"))
    }
}

impl App {
    /// First-run setup: the organisation and its first user.
    pub async fn create_organisation(
        &self,
        name: &str,
        email: &str,
        password: SecretString,
    ) -> Result<(OrganisationId, UserId), AppError> {
        let name = name.trim();
        if name.is_empty() || name.chars().count() > 120 {
            return Err(invalid("organisation", "problem-organisation-name"));
        }
        let email = check_email(email)?;
        check_password(&password, &email)?;
        let now = self.now_ms();
        let org = Organisation {
            id: OrganisationId::from_stored(uuid::Uuid::new_v4().to_string()),
            name: name.to_owned(),
            created_at_ms: now,
        };
        let user = User {
            id: UserId::from_stored(uuid::Uuid::new_v4().to_string()),
            organisation_id: org.id.clone(),
            email,
            password_hash: self.hashing.hash(password).await?,
            created_at_ms: now,
        };
        self.store.create_organisation(&org, &user).await.map_err(|e| match e {
            store::StoreError::Conflict { field: Some("email") } => invalid("email", "problem-email-taken"),
            other => other.into(),
        })?;
        Ok((org.id, user.id))
    }

    /// Adds a user to an organisation.
    pub async fn create_user(
        &self,
        org: &OrganisationId,
        email: &str,
        password: SecretString,
    ) -> Result<UserId, AppError> {
        let email = check_email(email)?;
        check_password(&password, &email)?;
        self.store.organisation(org).await?.ok_or(AppError::NotFound)?;
        let user = User {
            id: UserId::from_stored(uuid::Uuid::new_v4().to_string()),
            organisation_id: org.clone(),
            email,
            password_hash: self.hashing.hash(password).await?,
            created_at_ms: self.now_ms(),
        };
        self.store.create_user(&user).await.map_err(|e| match e {
            store::StoreError::Conflict { field: Some("email") } => invalid("email", "problem-email-taken"),
            other => other.into(),
        })?;
        Ok(user.id)
    }

    /// Whether first-run setup is still to be done.
    pub async fn needs_setup(&self) -> Result<bool, AppError> {
        Ok(self.store.count_users().await? == 0)
    }

    /// The one-time code the first-run setup page asks for, while setup is still to be done:
    /// `serve` prints it to its log, so a fresh install is not taken over by whoever opens
    /// the page first. One per process, never stored.
    pub async fn setup_code(&self) -> Result<Option<String>, AppError> {
        if !self.needs_setup().await? {
            return Ok(None);
        }
        let code = self.setup_code.get_or_init(|| {
            let hex = uuid::Uuid::new_v4().simple().to_string().to_uppercase();
            format!("{}-{}", &hex[..4], &hex[4..8])
        });
        Ok(Some(code.clone()))
    }

    /// First-run setup: the organisation and its first user, if `code` is the one
    /// [`App::setup_code`] printed. Afterwards users are added with the CLI.
    pub async fn set_up(
        &self,
        code: &str,
        organisation: &str,
        email: &str,
        password: SecretString,
    ) -> Result<(OrganisationId, UserId), AppError> {
        let expected = self
            .setup_code()
            .await?
            .ok_or_else(|| crate::conflict(Problem::new("problem-setup-done")))?;
        let typed = code.trim().to_uppercase();
        // Compared in constant time: the code guards the whole install.
        if !bool::from(subtle::ConstantTimeEq::ct_eq(typed.as_bytes(), expected.as_bytes())) {
            return Err(invalid("code", "problem-setup-code"));
        }
        self.create_organisation(organisation, email, password).await
    }

    /// Checks e-mail and password; starts a session. The same answer for an unknown e-mail
    /// and a wrong password, after the same work.
    pub async fn login(&self, email: &str, password: SecretString) -> Result<NewSession, AppError> {
        self.login_from(email, password, None).await
    }

    /// [`App::login`] from a network address: failures slow down and then lock the account
    /// and the address (see `login_throttle`).
    pub async fn login_from(
        &self,
        email: &str,
        password: SecretString,
        address: Option<std::net::IpAddr>,
    ) -> Result<NewSession, AppError> {
        // The throttle is read once it is this attempt's turn to hash: attempts queued in a
        // flood see the failures of those before them, and stop without hashing.
        let _turn = self.hashing.turn().await?;
        self.check_login_throttle(email, address).await?;
        let user = self.store.user_by_email(email).await?;
        let ok = self
            .hashing
            .verify(password, user.as_ref().map(|u| u.password_hash.clone()))
            .await?;
        let (Some(user), true) = (user, ok) else {
            self.record_login_failure(email, address).await?;
            return Err(AppError::Unauthorized);
        };
        self.clear_login_failures(email).await?;
        let cookie = random_token(32);
        let ttl = self.config.session_ttl_ms;
        self.store
            .create_session(&Session {
                id_hash: sha256_hex(&cookie),
                user_id: user.id,
                organisation_id: user.organisation_id,
                email: user.email,
                csrf_token: random_token(32),
                expires_at_ms: self.now_ms() + ttl,
            })
            .await?;
        Ok(NewSession {
            cookie: SecretString::from(cookie),
            max_age_s: ttl / 1000,
        })
    }

    /// The user of a session cookie, if it is valid.
    pub async fn user_for_session(&self, cookie: &str) -> Result<Option<CurrentUser>, AppError> {
        let hash = sha256_hex(cookie);
        Ok(self.store.session(&hash, self.now_ms()).await?.map(|s| CurrentUser {
            organisation_id: s.organisation_id,
            user_id: Some(s.user_id),
            email: Some(s.email),
            session_hash: Some(s.id_hash),
            csrf_token: Some(s.csrf_token),
        }))
    }

    /// Ends a session.
    pub async fn logout(&self, cookie: &str) -> Result<(), AppError> {
        Ok(self.store.delete_session(&sha256_hex(cookie)).await?)
    }

    /// Creates an API key; returns it once (only its hash is kept).
    pub async fn create_api_key(&self, org: &OrganisationId, name: &str) -> Result<SecretString, AppError> {
        let name = name.trim();
        if name.is_empty() || name.chars().count() > 80 {
            return Err(invalid("name", "problem-api-key-name"));
        }
        self.store.organisation(org).await?.ok_or(AppError::NotFound)?;
        let key = format!("abk_{}", random_token(30));
        self.store
            .create_api_key(&ApiKey {
                id: ApiKeyId::from_stored(uuid::Uuid::new_v4().to_string()),
                organisation_id: org.clone(),
                name: name.to_owned(),
                key_hash: sha256_hex(&key),
                prefix: key.chars().take(8).collect(),
                created_at_ms: self.now_ms(),
                last_used_at_ms: None,
            })
            .await?;
        Ok(SecretString::from(key))
    }

    /// The organisation of a bearer API key (a revoked key is refused at once: the hash is
    /// looked up on every request, never cached).
    pub async fn user_for_api_key(&self, key: &str) -> Result<Option<CurrentUser>, AppError> {
        let Some(k) = self.store.api_key_by_hash(&sha256_hex(key.trim())).await? else {
            return Ok(None);
        };
        self.store.touch_api_key(&k.id, self.now_ms()).await?;
        Ok(Some(CurrentUser::for_organisation(k.organisation_id)))
    }

    /// The organisation's API keys that work (never the keys themselves: only their first
    /// characters), newest first, with when each was last used.
    pub async fn api_keys(&self, org: &OrganisationId) -> Result<Vec<ApiKey>, AppError> {
        Ok(self.store.api_keys(org).await?)
    }

    /// Revokes one of the organisation's API keys; requests with it are refused from now on.
    pub async fn revoke_api_key(&self, org: &OrganisationId, id: &str) -> Result<(), AppError> {
        let id = ApiKeyId::from_stored(id.trim().to_owned());
        if self.store.revoke_api_key(org, &id, self.now_ms()).await? {
            tracing::info!(api_key = %id, organisation = %org, "API key revoked");
            Ok(())
        } else {
            Err(AppError::NotFound)
        }
    }

    /// Organisations (for the CLI).
    pub async fn organisations(&self) -> Result<Vec<Organisation>, AppError> {
        Ok(self.store.organisations().await?)
    }
}
