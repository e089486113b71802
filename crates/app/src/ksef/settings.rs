//! An organisation's KSeF settings (issue #16 item 1): the environment, its KSeF token —
//! sealed at rest, write-only, shown only as a hint — what goes to KSeF, and "Sprawdź
//! połączenie", which logs in and reads the token's context and permissions.

use ksef_client::{Environment, KsefClient, KsefError, KsefToken};
use secrecy::{ExposeSecret, SecretString};
use store::KsefSettingsRecord;

use crate::{App, AppError, CurrentUser, Problem, invalid};

/// Where the organisation's KSeF is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KsefEnvironment {
    /// The Ministry's test environment (`api-test.ksef.mf.gov.pl`).
    Test,
    /// The pre-production environment (`api-demo.ksef.mf.gov.pl`).
    Demo,
    /// Production: invoices there are legally issued.
    Production,
    /// Another base URL (an emulator, a proxy), where the operator allows it.
    Custom(String),
}

impl KsefEnvironment {
    /// `test`, `demo`, `production` or `custom`.
    pub fn code(&self) -> &'static str {
        match self {
            KsefEnvironment::Test => "test",
            KsefEnvironment::Demo => "demo",
            KsefEnvironment::Production => "production",
            KsefEnvironment::Custom(_) => "custom",
        }
    }

    fn client_environment(&self) -> Result<Environment, AppError> {
        Ok(match self {
            KsefEnvironment::Test => Environment::test(),
            KsefEnvironment::Demo => Environment::demo(),
            KsefEnvironment::Production => Environment::production(),
            KsefEnvironment::Custom(url) => Environment::custom(url, None)
                .map_err(|_| invalid("api_url", Problem::new("problem-ksef-url").arg("url", url.as_str())))?,
        })
    }
}

/// What the seller sets.
#[derive(Debug, Clone)]
pub struct KsefSettingsInput {
    /// The environment.
    pub environment: KsefEnvironment,
    /// A new KSeF token; `None` keeps the stored one.
    pub token: Option<SecretString>,
    /// Consumer invoices go to KSeF too (voluntary, art. 106ga ust. 2 pkt 4).
    pub send_consumer: bool,
    /// Invoices issued from this day (`YYYY-MM-DD`) on are sent; `None`: from today.
    pub send_from: Option<String>,
    /// Issue in offline24 mode (art. 106nda): invoices reach the buyer at once and KSeF by
    /// the next business day.
    pub offline24: bool,
    /// The Ministry announced a KSeF failure (art. 106nf): invoices are issued in the
    /// failure mode until it is switched off, then reach KSeF within 7 business days.
    pub failure_announced: bool,
}

/// What the last successful "Sprawdź połączenie" found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KsefCheck {
    /// The context NIP KSeF logged into.
    pub nip: String,
    /// The token's permissions.
    pub permissions: Vec<String>,
    /// When.
    pub at_ms: i64,
}

/// The settings as shown: never the token, only its hint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KsefSettings {
    /// The environment.
    pub environment: KsefEnvironment,
    /// The token's reference and NIP with the secret masked, when a token is set.
    pub token_hint: Option<String>,
    /// Consumer invoices go to KSeF too.
    pub send_consumer: bool,
    /// The first day whose invoices are sent.
    pub send_from: Option<String>,
    /// The last successful check.
    pub checked: Option<KsefCheck>,
    /// Why KSeF refuses the token, until it is replaced (sending waits meanwhile).
    pub token_problem: Option<Problem>,
    /// Issues in offline24 mode.
    pub offline24: bool,
    /// The Offline certificate for KOD II, when set (never its key).
    pub offline_certificate: Option<OfflineCertificateInfo>,
    /// Since when KSeF has not answered (none while it does).
    pub unreachable_since_ms: Option<i64>,
    /// Since when an announced KSeF failure is declared.
    pub failure_since_ms: Option<i64>,
}

/// What is shown of the Offline certificate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OfflineCertificateInfo {
    /// Its serial number (16 hex digits, as KOD II carries it).
    pub serial: String,
    /// The last day it is valid (`YYYY-MM-DD`).
    pub valid_until: String,
}

/// The permission a token needs to send invoices.
const INVOICE_WRITE: &str = "InvoiceWrite";

/// What the organisation's sealed token is sealed for.
pub(super) fn purpose(org: &domain::OrganisationId) -> String {
    format!("ksef:{org}:token")
}

fn environment_of(record: &KsefSettingsRecord) -> KsefEnvironment {
    match (record.environment.as_str(), &record.api_url) {
        ("demo", _) => KsefEnvironment::Demo,
        ("production", _) => KsefEnvironment::Production,
        ("custom", Some(url)) => KsefEnvironment::Custom(url.clone()),
        _ => KsefEnvironment::Test,
    }
}

/// The KSeF client's environment of stored settings.
pub(super) fn client_environment(record: &KsefSettingsRecord) -> Result<Environment, AppError> {
    environment_of(record).client_environment()
}

/// The settings as shown.
pub(super) fn view(record: &KsefSettingsRecord) -> KsefSettings {
    KsefSettings {
        environment: environment_of(record),
        token_hint: record.token.as_ref().and(record.token_hint.clone()),
        send_consumer: record.send_consumer,
        send_from: record.send_from.clone(),
        checked: match (&record.checked_nip, record.checked_at_ms) {
            (Some(nip), Some(at_ms)) => Some(KsefCheck {
                nip: nip.clone(),
                permissions: record
                    .checked_permissions
                    .as_deref()
                    .unwrap_or_default()
                    .split(',')
                    .filter(|p| !p.is_empty())
                    .map(str::to_owned)
                    .collect(),
                at_ms,
            }),
            _ => None,
        },
        token_problem: record.token_problem.as_deref().and_then(Problem::from_stored),
        offline24: record.offline24,
        offline_certificate: record
            .offline_certificate
            .as_ref()
            .and(record.offline_certificate_hint.as_deref())
            .and_then(|hint| hint.split_once('|'))
            .map(|(serial, until)| OfflineCertificateInfo {
                serial: serial.to_owned(),
                valid_until: until.to_owned(),
            }),
        unreachable_since_ms: record.unreachable_since_ms,
        failure_since_ms: record.failure_since_ms,
    }
}

/// Why a login or a token's status failed, for the seller.
fn refused(e: &KsefError) -> Problem {
    match e {
        KsefError::Auth(failure) => Problem::new("problem-ksef-token-refused").arg("reason", failure.reason()),
        e if e.is_transient() => Problem::new("problem-ksef-unreachable").arg("detail", e.to_string()),
        e => Problem::new("problem-ksef-refused").arg("detail", e.to_string()),
    }
}

impl App {
    /// The organisation's KSeF settings (test environment and nothing set when never saved).
    pub async fn ksef_settings(&self, user: &CurrentUser) -> Result<KsefSettings, AppError> {
        let org = &user.organisation_id;
        Ok(view(
            &self
                .store
                .ksef_settings(org)
                .await?
                .unwrap_or_else(|| KsefSettingsRecord::never_saved(org)),
        ))
    }

    /// Saves the KSeF settings. A new token must be a KSeF token for the invoicing
    /// profile's NIP (both named when not); it is sealed, and the last check and any
    /// refusal are forgotten with the old one. A custom URL follows the operator's rule for
    /// custom endpoints (the server would send the token there).
    pub async fn save_ksef_settings(
        &self,
        user: &CurrentUser,
        input: KsefSettingsInput,
    ) -> Result<KsefSettings, AppError> {
        let org = &user.organisation_id;
        let environment = match input.environment {
            KsefEnvironment::Custom(raw) => {
                if !self.config.custom_allegro_urls.enabled() {
                    return Err(invalid("api_url", "problem-ksef-custom-urls-off"));
                }
                KsefEnvironment::Custom(self.config.custom_allegro_urls.check("api_url", &raw).await?)
            }
            other => other,
        };
        let send_from = match input.send_from.as_deref().map(str::trim).filter(|d| !d.is_empty()) {
            Some(day) => Some(
                domain::time::parse_day(day)
                    .map_err(|_| invalid("send_from", Problem::new("problem-not-a-date").arg("value", day)))?
                    .to_string(),
            ),
            None => Some(domain::time::polish_day_text(self.now_ms())),
        };
        let stored = self.store.ksef_settings(org).await?;
        let mut record = stored.clone().unwrap_or_else(|| KsefSettingsRecord::never_saved(org));
        let moved = stored.as_ref().is_some_and(|s| environment_of(s) != environment);
        if let Some(secret) = input.token.as_ref().filter(|t| !t.expose_secret().trim().is_empty()) {
            let token = KsefToken::parse(secret.expose_secret())
                .map_err(|reason| invalid("token", Problem::new("problem-ksef-token-format").arg("reason", reason)))?;
            let profile = self
                .invoicing_profile(user)
                .await?
                .ok_or_else(|| invalid("token", "problem-profile-missing"))?;
            let seller_nip = profile.seller.nip.map(|n| n.as_str().to_owned()).unwrap_or_default();
            if let Some(token_nip) = token.nip().filter(|n| *n != seller_nip) {
                return Err(invalid(
                    "token",
                    Problem::new("problem-ksef-token-other-nip")
                        .arg("token_nip", token_nip)
                        .arg("nip", seller_nip),
                ));
            }
            record.token = Some(self.cipher.seal_secret(
                &purpose(org),
                &SecretString::from(secret.expose_secret().trim().to_owned()),
            ));
            record.token_hint = Some(token.hint());
        }
        if input.token.is_some() || moved {
            record.checked_nip = None;
            record.checked_permissions = None;
            record.checked_at_ms = None;
            record.token_problem = None;
        }
        record.environment = environment.code().to_owned();
        record.api_url = match &environment {
            KsefEnvironment::Custom(url) => Some(url.clone()),
            _ => None,
        };
        record.send_consumer = input.send_consumer;
        record.send_from = send_from;
        record.offline24 = input.offline24;
        let failure_was = record.failure_since_ms;
        record.failure_since_ms = match (input.failure_announced, failure_was) {
            (true, since) => since.or(Some(self.now_ms())),
            (false, _) => None,
        };
        record.updated_at_ms = self.now_ms();
        self.store.save_ksef_settings(&record).await?;
        if failure_was.is_some() && record.failure_since_ms.is_none() {
            self.failure_ended(org).await?;
        }
        // This process's login used the old token or environment.
        self.forget_ksef_connection(org).await;
        Ok(view(&record))
    }

    /// "Sprawdź połączenie": logs into KSeF with the organisation's token and reads the
    /// token's context and permissions. A token for another NIP than the invoicing
    /// profile's, or without `InvoiceWrite`, is refused with both named; a token KSeF
    /// refuses is remembered (the banner, and sending waits) until it is replaced.
    #[tracing::instrument(name = "ksef_check", skip_all, fields(organisation_id = %user.organisation_id))]
    pub async fn check_ksef_connection(&self, user: &CurrentUser) -> Result<KsefCheck, AppError> {
        let org = &user.organisation_id;
        let mut record = self
            .store
            .ksef_settings(org)
            .await?
            .filter(|r| r.token.is_some())
            .ok_or_else(|| invalid("token", "problem-ksef-token-missing"))?;
        let secret = self
            .cipher
            .open_secret(&purpose(org), record.token.as_ref().expect("filtered above"))
            .map_err(|e| AppError::Internal(anyhow::Error::new(e).context("opening the KSeF token")))?;
        let token = KsefToken::parse(secret.expose_secret())
            .map_err(|reason| invalid("token", Problem::new("problem-ksef-token-format").arg("reason", reason)))?;
        let profile = self
            .invoicing_profile(user)
            .await?
            .ok_or_else(|| invalid("profile", "problem-profile-missing"))?;
        let nip = profile.seller.nip.map(|n| n.as_str().to_owned()).unwrap_or_default();
        let client = KsefClient::new(environment_of(&record).client_environment()?)
            .map_err(|e| AppError::Internal(anyhow::Error::new(e).context("building the KSeF client")))?;
        let outcome = match client.login_with_token(&nip, &token).await {
            Ok(login) => login
                .token_status(token.reference())
                .await
                .map(|status| (login, status)),
            Err(e) => Err(e),
        };
        let (login, status) = match outcome {
            Ok(found) => found,
            Err(e) => {
                let problem = refused(&e);
                if matches!(e, KsefError::Auth(_)) {
                    record.token_problem = Some(problem.to_stored());
                    record.updated_at_ms = self.now_ms();
                    self.store.save_ksef_settings(&record).await?;
                }
                return Err(AppError::Conflict(problem));
            }
        };
        // The session only served the check.
        let _ = login.revoke_current().await;
        let context = status.context_identifier.value.clone();
        if context != nip {
            return Err(invalid(
                "token",
                Problem::new("problem-ksef-token-other-nip")
                    .arg("token_nip", context)
                    .arg("nip", nip),
            ));
        }
        if !status.requested_permissions.iter().any(|p| p == INVOICE_WRITE) {
            return Err(invalid(
                "token",
                Problem::new("problem-ksef-token-no-invoice-write")
                    .arg("permissions", status.requested_permissions.join(", ")),
            ));
        }
        let check = KsefCheck {
            nip: context,
            permissions: status.requested_permissions,
            at_ms: self.now_ms(),
        };
        record.checked_nip = Some(check.nip.clone());
        record.checked_permissions = Some(check.permissions.join(","));
        record.checked_at_ms = Some(check.at_ms);
        record.token_problem = None;
        record.updated_at_ms = check.at_ms;
        self.store.save_ksef_settings(&record).await?;
        Ok(check)
    }
}
