//! An organisation's way into KSeF in this process: one login and its online session per
//! organisation, reused within the session's validity and closed when idle.

use std::collections::HashMap;
use std::sync::Arc;

use domain::OrganisationId;
use ksef_client::{KsefClient, KsefError, KsefToken, Login, OnlineSession, SendOptions};
use secrecy::ExposeSecret;
use store::KsefSubmission;

use super::settings::{client_environment, purpose};
use crate::{App, AppError, CurrentUser, Problem};

/// A session unused this long is closed (KSeF then prepares its UPO).
const IDLE_MS: i64 = 60_000;

/// One organisation's way into KSeF in this process: a login and its online session.
pub(crate) struct Connection {
    pub(super) login: Login,
    session: tokio::sync::Mutex<Option<(OnlineSession, i64)>>,
}

impl Connection {
    /// The exact bytes KSeF holds under `number`.
    pub(crate) async fn download(&self, number: &ksef_client::KsefNumber) -> Result<Vec<u8>, KsefError> {
        self.login.invoice(number).await
    }
}

/// The logins this process holds, one per organisation (never shared between them).
#[derive(Default)]
pub(crate) struct Connections(pub(super) tokio::sync::Mutex<HashMap<OrganisationId, Arc<Connection>>>);

impl App {
    /// Sends the stored bytes in the organisation's open session (opening one when there
    /// is none or it is about to expire): the session's and the invoice's references.
    pub(super) async fn send_one(
        &self,
        org: &OrganisationId,
        connection: &Connection,
        s: &KsefSubmission,
    ) -> Result<(String, String), KsefError> {
        let xml = s.xml.as_deref().unwrap_or_default();
        let mut held = connection.session.lock().await;
        let now = self.now_ms();
        let fresh = held.as_ref().is_some_and(|(session, _)| {
            jiff::Timestamp::strptime("%Y-%m-%dT%H:%M:%S%.f%:z", &session.valid_until)
                .or_else(|_| session.valid_until.parse::<jiff::Timestamp>())
                .map_or(true, |until| until.as_millisecond() - now > 5 * 60_000)
        });
        if !fresh {
            let session = connection
                .login
                .open_online_session(ksef_client::types::FormCode::fa3())
                .await?;
            tracing::info!(organisation_id = %org, session = %session.reference, "KSeF session opened");
            *held = Some((session, now));
        }
        let (session, used) = held.as_mut().expect("opened above");
        *used = now;
        let options = SendOptions {
            offline_mode: s.offline_mode.is_some(),
            hash_of_corrected_invoice: s.corrected_hash.clone(),
        };
        let invoice = connection.login.send_invoice(session, xml, &options).await?;
        Ok((session.reference.to_string(), invoice.to_string()))
    }

    /// The organisation's login, made once per process and kept; `Err` says why the
    /// organisation's invoices must wait (no settings, no token, a token KSeF refused).
    pub(crate) async fn ksef_connection(
        &self,
        org: &OrganisationId,
    ) -> Result<Result<Arc<Connection>, Problem>, AppError> {
        let mut held = self.ksef.0.lock().await;
        if let Some(c) = held.get(org) {
            return Ok(Ok(c.clone()));
        }
        let Some(settings) = self.store.ksef_settings(org).await? else {
            return Ok(Err(Problem::new("problem-ksef-token-missing")));
        };
        if let Some(problem) = settings.token_problem.as_deref().and_then(Problem::from_stored) {
            return Ok(Err(problem));
        }
        let Some(sealed) = settings.token.as_ref() else {
            return Ok(Err(Problem::new("problem-ksef-token-missing")));
        };
        let secret = self
            .cipher
            .open_secret(&purpose(org), sealed)
            .map_err(|e| AppError::Internal(anyhow::Error::new(e).context("opening the KSeF token")))?;
        let Ok(token) = KsefToken::parse(secret.expose_secret()) else {
            return Ok(Err(Problem::new("problem-ksef-token-missing")));
        };
        let user = CurrentUser::for_organisation(org.clone());
        let Some(profile) = self.invoicing_profile(&user).await? else {
            return Ok(Err(Problem::new("problem-profile-missing")));
        };
        let nip = profile.seller.nip.map(|n| n.as_str().to_owned()).unwrap_or_default();
        let client = KsefClient::new(client_environment(&settings)?)
            .map_err(|e| AppError::Internal(anyhow::Error::new(e).context("building the KSeF client")))?;
        let login = match client.login_with_token(&nip, &token).await {
            Ok(login) => login,
            Err(KsefError::Auth(failure)) => {
                let problem = Problem::new("problem-ksef-token-refused").arg("reason", failure.reason());
                let mut settings = settings;
                settings.token_problem = Some(problem.to_stored());
                settings.updated_at_ms = self.now_ms();
                self.store.save_ksef_settings(&settings).await?;
                return Ok(Err(problem));
            }
            Err(e) => {
                return Ok(Err(
                    Problem::new("problem-ksef-unreachable").arg("detail", e.to_string())
                ));
            }
        };
        let connection = Arc::new(Connection {
            login,
            session: tokio::sync::Mutex::new(None),
        });
        held.insert(org.clone(), connection.clone());
        Ok(Ok(connection))
    }

    /// Forgets the organisation's login (after its settings change).
    pub(crate) async fn forget_ksef_connection(&self, org: &OrganisationId) {
        self.ksef.0.lock().await.remove(org);
    }

    /// Closes the sessions nobody used for [`IDLE_MS`].
    pub(super) async fn close_idle_ksef_sessions(&self) {
        let connections: Vec<Arc<Connection>> = self.ksef.0.lock().await.values().cloned().collect();
        let now = self.now_ms();
        for c in connections {
            let mut held = c.session.lock().await;
            if let Some((session, used)) = held.as_ref()
                && now - used > IDLE_MS
            {
                if let Err(e) = c.login.close_online_session(&session.reference).await {
                    tracing::warn!(session = %session.reference, error = %e, "closing an idle KSeF session");
                }
                *held = None;
            }
        }
    }
}
