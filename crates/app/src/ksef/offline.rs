//! KSeF's offline modes (issue #16 item 4; ustawa o VAT art. 106nda, 106nf, 106nh). An
//! invoice is issued offline when the organisation chose offline24, or when KSeF has not
//! answered it for longer than `ksef_offline_after_ms` (unavailability). It reaches the
//! buyer at once — KOD I labelled OFFLINE and, with the organisation's Offline
//! certificate, KOD II labelled CERTYFIKAT — and goes to KSeF with `offlineMode=true` as
//! soon as KSeF answers, before its deadline ([`domain::OfflineMode::deadline`]), which is
//! stored, shown and counted.
//!
//! An outage we detect ourselves is treated as unavailability (art. 106nh), never as the
//! failure mode (art. 106nf, 7 business days): that one starts only with the Ministry's
//! announcement, which the seller declares on the KSeF page (and switches off when the
//! Ministry says it ended); the unavailability deadline — the next business day after
//! KSeF is back — is the earlier of the two, so choosing it can never make an invoice late.

use domain::{OfflineMode, OrganisationId};
use ksef_client::qr::OfflineCertificate;
use secrecy::{ExposeSecret, SecretString};
use store::{KsefQueue, KsefSettingsRecord, KsefSubmission};

use super::settings::{KsefSettings, client_environment, view};
use crate::{App, AppError, CurrentUser, Problem, invalid};

/// What the organisation's sealed Offline certificate is sealed for.
fn certificate_purpose(org: &OrganisationId) -> String {
    format!("ksef:{org}:offline-certificate")
}

/// The certificate and its key as sealed together.
#[derive(serde::Serialize, serde::Deserialize)]
struct SealedCertificate {
    certificate: String,
    private_key: String,
}

/// Whether KSeF counts as unavailable for the organisation at `now_ms`: it has not
/// answered for `after_ms`.
pub(super) fn unavailable(settings: Option<&KsefSettingsRecord>, now_ms: i64, after_ms: i64) -> bool {
    settings
        .and_then(|s| s.unreachable_since_ms)
        .is_some_and(|since| now_ms - since >= after_ms)
}

/// The mode KSeF's state imposes on an invoice issued now: the announced failure, else
/// unavailability when KSeF has not answered for `after_ms`.
fn outage_mode(settings: Option<&KsefSettingsRecord>, now_ms: i64, after_ms: i64) -> Option<OfflineMode> {
    if settings.is_some_and(|s| s.failure_since_ms.is_some()) {
        Some(OfflineMode::Failure)
    } else if unavailable(settings, now_ms, after_ms) {
        Some(OfflineMode::Unavailable)
    } else {
        None
    }
}

/// How an invoice issued on `issue_date` at `now_ms` goes to KSeF: offline24 when the
/// organisation chose it, offline for unavailability while KSeF does not answer, else
/// online.
pub(crate) fn queue_for(
    settings: Option<&KsefSettingsRecord>,
    issue_date: &str,
    now_ms: i64,
    after_ms: i64,
) -> KsefQueue {
    // offline24 first: of the three its deadline is the earliest, should the seller have
    // chosen it during a failure.
    let mode = if settings.is_some_and(|s| s.offline24) {
        Some(OfflineMode::Offline24)
    } else {
        outage_mode(settings, now_ms, after_ms)
    };
    let issued = domain::time::parse_day(issue_date).unwrap_or_else(|_| domain::time::polish_day(now_ms));
    KsefQueue {
        offline_mode: mode.map(|m| m.as_str().to_owned()),
        offline_deadline: mode.and_then(|m| m.deadline(issued, None)).map(|d| d.to_string()),
    }
}

impl App {
    /// Saves the organisation's KSeF Offline certificate (PEM) and its private key (PKCS#8
    /// PEM), sealed together; only the serial number and validity are shown afterwards. A
    /// key that is not the certificate's, or a certificate no longer valid, is refused.
    pub async fn save_ksef_offline_certificate(
        &self,
        user: &CurrentUser,
        certificate_pem: &str,
        private_key_pem: &SecretString,
    ) -> Result<KsefSettings, AppError> {
        let org = &user.organisation_id;
        let parsed = OfflineCertificate::from_pem(certificate_pem.trim(), private_key_pem.expose_secret().trim())
            .map_err(|e| {
                invalid(
                    "certificate",
                    Problem::new("problem-ksef-certificate-invalid").arg("reason", e.to_string()),
                )
            })?;
        let now = jiff::Timestamp::from_millisecond(self.now_ms()).unwrap_or(jiff::Timestamp::UNIX_EPOCH);
        let valid_until = domain::time::polish_day(parsed.not_after().as_millisecond()).to_string();
        if parsed.not_after() <= now {
            return Err(invalid(
                "certificate",
                Problem::new("problem-ksef-certificate-expired").arg("until", valid_until),
            ));
        }
        let sealed = serde_json::to_string(&SealedCertificate {
            certificate: certificate_pem.trim().to_owned(),
            private_key: private_key_pem.expose_secret().trim().to_owned(),
        })
        .map_err(|e| AppError::Internal(e.into()))?;
        let mut record = self
            .store
            .ksef_settings(org)
            .await?
            .unwrap_or_else(|| KsefSettingsRecord::never_saved(org));
        record.offline_certificate = Some(
            self.cipher
                .seal_secret(&certificate_purpose(org), &SecretString::from(sealed)),
        );
        record.offline_certificate_hint = Some(format!("{}|{valid_until}", parsed.serial()));
        record.updated_at_ms = self.now_ms();
        self.store.save_ksef_settings(&record).await?;
        tracing::info!(organisation_id = %org, serial = parsed.serial(), "KSeF Offline certificate saved");
        Ok(view(&record))
    }

    /// Forgets the organisation's Offline certificate (invoices issued offline from now on
    /// carry KOD I only).
    pub async fn remove_ksef_offline_certificate(&self, user: &CurrentUser) -> Result<KsefSettings, AppError> {
        let org = &user.organisation_id;
        let mut record = self
            .store
            .ksef_settings(org)
            .await?
            .unwrap_or_else(|| KsefSettingsRecord::never_saved(org));
        record.offline_certificate = None;
        record.offline_certificate_hint = None;
        record.updated_at_ms = self.now_ms();
        self.store.save_ksef_settings(&record).await?;
        Ok(view(&record))
    }

    /// The organisation's Offline certificate, opened (none when not set).
    fn offline_certificate(&self, settings: &KsefSettingsRecord) -> Result<Option<OfflineCertificate>, AppError> {
        let Some(sealed) = settings.offline_certificate.as_ref() else {
            return Ok(None);
        };
        let opened = self
            .cipher
            .open_secret(&certificate_purpose(&settings.organisation_id), sealed)
            .map_err(|e| AppError::Internal(anyhow::Error::new(e).context("opening the KSeF Offline certificate")))?;
        let pair: SealedCertificate = serde_json::from_str(opened.expose_secret())
            .map_err(|e| AppError::Internal(anyhow::Error::new(e).context("reading the KSeF Offline certificate")))?;
        match OfflineCertificate::from_pem(&pair.certificate, &pair.private_key) {
            Ok(c) => Ok(Some(c)),
            Err(e) => {
                tracing::warn!(organisation_id = %settings.organisation_id, error = %e, "the stored Offline certificate is unusable");
                Ok(None)
            }
        }
    }

    /// Fixes what an invoice issued offline carries before it reaches anyone: it becomes
    /// offline (failure or unavailability) when KSeF is out and it was never sent,
    /// and KOD II is signed over its stored bytes once. Whether `s` changed.
    pub(super) fn mark_offline(
        &self,
        s: &mut KsefSubmission,
        settings: Option<&KsefSettingsRecord>,
        certificate: Option<&OfflineCertificate>,
        seller_nip: &str,
    ) -> Result<bool, AppError> {
        let mut changed = false;
        let never_sent = s.session_ref.is_none() && s.ksef_number.is_none();
        if s.offline_mode.is_none()
            && never_sent
            && let Some(mode) = outage_mode(settings, self.now_ms(), self.ksef_offline_after_ms)
        {
            s.offline_mode = Some(mode.as_str().to_owned());
            tracing::info!(invoice_id = %s.invoice_id, mode = %mode, "KSeF out: the invoice is issued offline");
            changed = true;
        }
        if s.offline_mode.is_some()
            && s.certificate_link.is_none()
            && let (Some(xml), Some(certificate), Some(settings)) = (s.xml.as_deref(), certificate, settings)
        {
            let context = ksef_client::types::ContextIdentifier {
                kind: "Nip".to_owned(),
                value: seller_nip.to_owned(),
            };
            let env = client_environment(settings)?;
            s.certificate_link = Some(certificate.kod_ii(&env, &context, seller_nip, xml));
            changed = true;
        }
        Ok(changed)
    }

    /// Prepares the organisation's claimed submissions for sending (whether KSeF answers
    /// or not): offline marks and KOD II. The certificate is opened once per round.
    pub(super) fn offline_certificate_for(
        &self,
        settings: Option<&KsefSettingsRecord>,
    ) -> Result<Option<OfflineCertificate>, AppError> {
        match settings {
            Some(s) => self.offline_certificate(s),
            None => Ok(None),
        }
    }

    /// KSeF did not answer the organisation: remembered from the first failure on (the
    /// unavailability mode starts `ksef_offline_after_ms` later).
    pub(super) async fn ksef_unreachable(&self, org: &OrganisationId) -> Result<(), AppError> {
        if !self.store.set_ksef_unreachable(org, Some(self.now_ms())).await? {
            tracing::warn!(organisation_id = %org, "KSeF does not answer");
        }
        Ok(())
    }

    /// KSeF answered the organisation again: an unavailability ended today, so the
    /// invoices issued offline during it must reach KSeF by the next business day — their
    /// deadline is now known and stored.
    pub(super) async fn ksef_reachable(&self, org: &OrganisationId) -> Result<(), AppError> {
        if !self.store.set_ksef_unreachable(org, None).await? {
            return Ok(());
        }
        let today = domain::time::polish_day(self.now_ms());
        let deadline = OfflineMode::Unavailable
            .deadline(today, Some(today))
            .unwrap_or(today)
            .to_string();
        let settled = self
            .store
            .settle_offline_deadlines(org, OfflineMode::Unavailable.as_str(), &deadline)
            .await?;
        tracing::info!(organisation_id = %org, settled, %deadline, "KSeF answers again");
        Ok(())
    }

    /// The announced failure ended today: the invoices issued in the failure mode must
    /// reach KSeF within 7 business days; their deadline is now known and stored.
    pub(super) async fn failure_ended(&self, org: &OrganisationId) -> Result<(), AppError> {
        let today = domain::time::polish_day(self.now_ms());
        let deadline = OfflineMode::Failure
            .deadline(today, Some(today))
            .unwrap_or(today)
            .to_string();
        let settled = self
            .store
            .settle_offline_deadlines(org, OfflineMode::Failure.as_str(), &deadline)
            .await?;
        tracing::info!(organisation_id = %org, settled, %deadline, "the KSeF failure ended");
        Ok(())
    }
}
