//! Organisations, users (Argon2id), login sessions and API keys.

use argon2::Argon2;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use domain::{ApiKeyId, OrganisationId, UserId};
use secrecy::{ExposeSecret, SecretString};
use store::{ApiKey, Organisation, Session, User};

use crate::{App, AppError, invalid, random_token, sha256_hex};

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
        Err(invalid("email", "enter an e-mail address such as anna@sklep.pl"))
    }
}

fn check_password(password: &SecretString) -> Result<(), AppError> {
    let n = password.expose_secret().chars().count();
    if !(10..=256).contains(&n) {
        return Err(invalid("password", "use at least 10 characters"));
    }
    Ok(())
}

async fn hash_password(password: SecretString) -> Result<String, AppError> {
    // Argon2id is deliberately slow: keep it off the async workers.
    tokio::task::spawn_blocking(move || {
        Argon2::default()
            .hash_password(password.expose_secret().as_bytes())
            .map(|h| h.to_string())
    })
    .await
    .map_err(|e| AppError::Internal(anyhow::Error::new(e).context("joining the hashing task")))?
    .map_err(|e| AppError::Internal(anyhow::anyhow!("hashing a password: {e}")))
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
            return Err(invalid(
                "organisation",
                "give the organisation a name (up to 120 characters)",
            ));
        }
        let email = check_email(email)?;
        check_password(&password)?;
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
            password_hash: hash_password(password).await?,
            created_at_ms: now,
        };
        self.store
            .create_organisation(&org, &user)
            .await
            .map_err(|e| match AppError::from(e) {
                AppError::Conflict(_) => invalid("email", "a user with this e-mail already exists"),
                other => other,
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
        check_password(&password)?;
        self.store.organisation(org).await?.ok_or(AppError::NotFound)?;
        let user = User {
            id: UserId::from_stored(uuid::Uuid::new_v4().to_string()),
            organisation_id: org.clone(),
            email,
            password_hash: hash_password(password).await?,
            created_at_ms: self.now_ms(),
        };
        self.store
            .create_user(&user)
            .await
            .map_err(|e| match AppError::from(e) {
                AppError::Conflict(_) => invalid("email", "a user with this e-mail already exists"),
                other => other,
            })?;
        Ok(user.id)
    }

    /// Whether first-run setup is still to be done.
    pub async fn needs_setup(&self) -> Result<bool, AppError> {
        Ok(self.store.count_users().await? == 0)
    }

    /// Checks e-mail and password; starts a session. The same answer for an unknown e-mail
    /// and a wrong password, after the same work.
    pub async fn login(&self, email: &str, password: SecretString) -> Result<NewSession, AppError> {
        let user = self.store.user_by_email(email).await?;
        // A real hash of nothing keeps the time of a miss close to the time of a hit.
        static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
        let dummy = || {
            DUMMY
                .get_or_init(|| {
                    Argon2::default()
                        .hash_password(b"no such user")
                        .map(|h| h.to_string())
                        .unwrap_or_default()
                })
                .clone()
        };
        let hash = match &user {
            Some(u) => u.password_hash.clone(),
            None => tokio::task::spawn_blocking(dummy).await.unwrap_or_default(),
        };
        let ok = tokio::task::spawn_blocking(move || {
            Argon2::default()
                .verify_password(password.expose_secret().as_bytes(), hash.as_str())
                .is_ok()
        })
        .await
        .map_err(|e| AppError::Internal(anyhow::Error::new(e).context("joining the verify task")))?;
        let (Some(user), true) = (user, ok) else {
            return Err(AppError::Unauthorized);
        };
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
            return Err(invalid("name", "name the key (up to 80 characters)"));
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
            })
            .await?;
        Ok(SecretString::from(key))
    }

    /// The organisation of a bearer API key.
    pub async fn user_for_api_key(&self, key: &str) -> Result<Option<CurrentUser>, AppError> {
        Ok(self
            .store
            .api_key_by_hash(&sha256_hex(key.trim()))
            .await?
            .map(|k| CurrentUser {
                organisation_id: k.organisation_id,
                user_id: None,
                email: None,
                session_hash: None,
                csrf_token: None,
            }))
    }

    /// Organisations (for the CLI).
    pub async fn organisations(&self) -> Result<Vec<Organisation>, AppError> {
        Ok(self.store.organisations().await?)
    }
}
