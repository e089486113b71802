//! Connections: the Allegro apps (Client ID and sealed Client Secret) an organisation links
//! accounts through, the operator's service connection, and the addresses they call.

use allegro_client::Allegro;
use domain::{ConnectionId, ConnectionMode, Environment, OrganisationId};
use secrecy::SecretString;
use store::Connection;

use crate::{App, AppError, invalid};

impl App {
    /// The redirect URI of a connection, to paste into Allegro's portal: unique per
    /// own-app connection; one for the operator's service app (its state names the
    /// connection).
    pub fn redirect_uri(&self, connection: &Connection) -> String {
        let base = self.config.public_url.trim_end_matches('/');
        match connection.mode {
            ConnectionMode::ServiceApp => format!("{base}/allegro/install/service"),
            ConnectionMode::OwnApp => format!("{base}/allegro/install/{}", connection.id),
        }
    }

    /// Creates a connection. `own_app` needs credentials later; `service_app` uses the
    /// operator's app and is refused when none is configured.
    pub async fn create_connection(
        &self,
        org: &OrganisationId,
        mode: ConnectionMode,
        environment: Environment,
        custom_urls: Option<(String, String)>,
    ) -> Result<Connection, AppError> {
        let (auth_url, api_url) = match (mode, environment) {
            (ConnectionMode::ServiceApp, _) => {
                let app = self
                    .config
                    .service_app
                    .as_ref()
                    .ok_or_else(|| invalid("mode", "problem-service-app-missing"))?;
                (app.auth_url.clone(), app.api_url.clone())
            }
            (_, Environment::Custom) => {
                let rule = &self.config.custom_allegro_urls;
                if !rule.enabled() {
                    return Err(invalid("environment", "problem-custom-urls-off"));
                }
                let (auth, api) = custom_urls.ok_or_else(|| invalid("auth_url", "problem-custom-urls-missing"))?;
                (rule.check("auth_url", &auth).await?, rule.check("api_url", &api).await?)
            }
            (_, env) => {
                let (auth, api) = allegro_urls_of(env).expect("production and sandbox have fixed URLs");
                (auth.to_owned(), api.to_owned())
            }
        };
        let now = self.now_ms();
        let connection = Connection {
            id: ConnectionId::from_stored(uuid::Uuid::new_v4().to_string()),
            organisation_id: org.clone(),
            mode,
            environment: if mode == ConnectionMode::ServiceApp {
                self.config.service_app.as_ref().map_or(environment, |s| s.environment)
            } else {
                environment
            },
            auth_url,
            api_url,
            client_id: None,
            client_secret: None,
            created_at_ms: now,
            updated_at_ms: now,
        };
        self.store.create_connection(&connection).await?;
        Ok(connection)
    }

    /// Stores an own app's Client ID and Client Secret (the secret sealed).
    pub async fn set_credentials(
        &self,
        org: &OrganisationId,
        id: &ConnectionId,
        client_id: &str,
        secret: &SecretString,
    ) -> Result<(), AppError> {
        use secrecy::ExposeSecret;
        let client_id = client_id.trim();
        // Allegro's Client IDs are 32 hex characters; Secrets are 64 characters.
        if client_id.len() < 8
            || client_id.len() > 128
            || !client_id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        {
            return Err(invalid("client_id", "problem-client-id"));
        }
        let trimmed = secret.expose_secret().trim();
        if trimmed.len() < 8 || trimmed.len() > 256 || trimmed.chars().any(char::is_whitespace) {
            return Err(invalid("client_secret", "problem-client-secret"));
        }
        let connection = self.store.connection(org, id).await?.ok_or(AppError::NotFound)?;
        if connection.mode != ConnectionMode::OwnApp {
            return Err(invalid("mode", "problem-service-app-credentials"));
        }
        let taken = || invalid("client_id", "problem-client-id-taken");
        if self
            .config
            .service_app
            .as_ref()
            .is_some_and(|s| s.client_id == client_id)
        {
            return Err(taken());
        }
        let sealed = self.cipher.seal(&format!("connection:{id}:secret"), trimmed.as_bytes());
        if !self
            .store
            .set_connection_credentials(org, id, client_id, &sealed, self.now_ms())
            .await?
        {
            // The connection exists (read above), so the Client ID is another firm's.
            return Err(match self.store.connection(org, id).await? {
                Some(_) => taken(),
                None => AppError::NotFound,
            });
        }
        Ok(())
    }

    /// The organisation's connection through the operator's app, created on first use, so
    /// a seller only ever clicks "Połącz konto Allegro".
    pub async fn service_connection(&self, org: &OrganisationId) -> Result<Connection, AppError> {
        if let Some(existing) = self
            .store
            .connections(org)
            .await?
            .into_iter()
            .find(|c| c.mode == ConnectionMode::ServiceApp)
        {
            return Ok(existing);
        }
        let env = self
            .config
            .service_app
            .as_ref()
            .map_or(Environment::Production, |s| s.environment);
        self.create_connection(org, ConnectionMode::ServiceApp, env, None).await
    }

    /// An organisation's connections.
    pub async fn connections(&self, org: &OrganisationId) -> Result<Vec<Connection>, AppError> {
        Ok(self.store.connections(org).await?)
    }

    /// One connection.
    pub async fn connection(&self, org: &OrganisationId, id: &ConnectionId) -> Result<Connection, AppError> {
        self.store.connection(org, id).await?.ok_or(AppError::NotFound)
    }

    /// The REST client for a connection's environment (shares the Client-ID budgets).
    pub(crate) fn allegro_for(&self, connection: &Connection) -> Result<Allegro, AppError> {
        self.check_connection_urls(connection)?;
        let env = allegro_client::Environment::custom(&connection.api_url, &connection.api_url)
            .map_err(|e| AppError::Internal(anyhow::anyhow!("stored connection URL does not parse: {e}")))?;
        Ok(Allegro::builder(env)
            .budgets(self.allegro_budgets.clone())
            .retry(self.allegro_retry)
            .build())
    }

    /// Refuses calls to a stored custom environment the operator's rule no longer allows
    /// (the rule is checked when a connection is created, and again before every call).
    fn check_connection_urls(&self, connection: &Connection) -> Result<(), AppError> {
        let known = [Environment::Production, Environment::Sandbox]
            .into_iter()
            .map(|e| allegro_urls_of(e).map(|(a, b)| (a.to_owned(), b.to_owned())))
            .chain(
                self.config
                    .service_app
                    .as_ref()
                    .map(|s| Some((s.auth_url.clone(), s.api_url.clone()))),
            )
            .flatten()
            .any(|(auth, api)| auth == connection.auth_url && api == connection.api_url);
        if known || connection.mode == ConnectionMode::ServiceApp {
            return Ok(());
        }
        let rule = &self.config.custom_allegro_urls;
        rule.check_offline("auth_url", &connection.auth_url)?;
        rule.check_offline("api_url", &connection.api_url)?;
        Ok(())
    }

    /// The OAuth client of a connection, if it has credentials.
    pub(crate) fn oauth_for(&self, connection: &Connection) -> Result<allegro_client::OAuthClient, AppError> {
        self.check_connection_urls(connection)?;
        let env = allegro_client::Environment::custom(&connection.auth_url, &connection.api_url)
            .map_err(|e| AppError::Internal(anyhow::anyhow!("stored connection URL does not parse: {e}")))?;
        match connection.mode {
            ConnectionMode::ServiceApp => {
                let app = self
                    .config
                    .service_app
                    .as_ref()
                    .ok_or_else(|| invalid("mode", "problem-service-app-missing"))?;
                Ok(allegro_client::OAuthClient::new(
                    env,
                    app.client_id.clone(),
                    app.client_secret.clone(),
                ))
            }
            ConnectionMode::OwnApp => {
                let (Some(id), Some(sealed)) = (&connection.client_id, &connection.client_secret) else {
                    return Err(invalid("client_id", "problem-client-credentials-missing"));
                };
                let secret = self
                    .cipher
                    .open_secret(&format!("connection:{}:secret", connection.id), sealed)
                    .map_err(|e| AppError::Internal(anyhow::Error::new(e).context("opening a client secret")))?;
                Ok(allegro_client::OAuthClient::new(env, id.clone(), secret))
            }
        }
    }
}

/// Allegro's own URLs (auth, API) of production and the sandbox.
pub(crate) fn allegro_urls_of(env: Environment) -> Option<(&'static str, &'static str)> {
    match env {
        Environment::Production => Some(("https://allegro.pl", "https://api.allegro.pl")),
        Environment::Sandbox => Some((
            "https://allegro.pl.allegrosandbox.pl",
            "https://api.allegro.pl.allegrosandbox.pl",
        )),
        Environment::Custom => None,
    }
}
