//! The verification links printed as QR codes on an invoice's visualisation
//! (research §A(h)): **KOD I** (verify the invoice) on every invoice, **KOD II** (verify
//! the issuer) on offline invoices, signed with the key of a KSeF *Offline* certificate.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use ksef_api_types::ContextIdentifier;
use sha2::{Digest, Sha256};
use x509_cert::der::DecodePem;

use crate::{Environment, KsefError};

/// Base64URL (no padding) of SHA-256 of the invoice's bytes, as both codes carry it.
pub fn invoice_hash(xml: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(Sha256::digest(xml))
}

/// KOD I: `{qr}/invoice/{seller NIP}/{P_1 as DD-MM-YYYY}/{hash}` (the NIP first, as the
/// Ministry's example has it).
pub fn kod_i(env: &Environment, seller_nip: &str, issue_date: jiff::civil::Date, xml: &[u8]) -> String {
    format!(
        "{}/invoice/{seller_nip}/{}/{}",
        env.qr_host(),
        issue_date.strftime("%d-%m-%Y"),
        invoice_hash(xml)
    )
}

enum Signer {
    /// RSASSA-PSS, SHA-256, MGF1-SHA-256, 32-byte salt.
    Rsa(Box<rsa::pss::BlindedSigningKey<Sha256>>),
    /// ECDSA P-256 with SHA-256, signature as r‖s (IEEE P1363).
    Ecdsa(p256::ecdsa::SigningKey),
}

/// A KSeF Offline certificate and its private key, for KOD II.
pub struct OfflineCertificate {
    serial: String,
    signer: Signer,
    not_before: jiff::Timestamp,
    not_after: jiff::Timestamp,
}

impl std::fmt::Debug for OfflineCertificate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OfflineCertificate")
            .field("serial", &self.serial)
            .finish_non_exhaustive()
    }
}

impl OfflineCertificate {
    /// From the certificate (PEM) and its private key (PKCS#8 PEM, RSA ≥ 2048 bits or
    /// EC P-256).
    pub fn from_pem(certificate_pem: &str, private_key_pem: &str) -> Result<Self, KsefError> {
        use p256::pkcs8::DecodePrivateKey as _;
        let cert = x509_cert::Certificate::from_pem(certificate_pem.as_bytes())
            .map_err(|e| KsefError::Invalid(format!("certyfikat offline nie jest poprawnym PEM X.509: {e}")))?;
        let raw = cert.tbs_certificate.serial_number.as_bytes();
        let hex: String = raw.iter().map(|b| format!("{b:02X}")).collect();
        let hex = hex.trim_start_matches("00").to_owned();
        let serial = format!("{hex:0>16}");
        use p256::pkcs8::EncodePublicKey as _;
        use x509_cert::der::Encode as _;
        let (signer, public) = if let Ok(key) = p256::ecdsa::SigningKey::from_pkcs8_pem(private_key_pem) {
            let public = key.verifying_key().to_public_key_der().map(|d| d.into_vec());
            (Signer::Ecdsa(key), public)
        } else if let Ok(key) = rsa::RsaPrivateKey::from_pkcs8_pem(private_key_pem) {
            if rsa::traits::PublicKeyParts::size(&key) < 256 {
                return Err(KsefError::Invalid(
                    "klucz RSA certyfikatu offline musi mieć co najmniej 2048 bitów".to_owned(),
                ));
            }
            let public = rsa::RsaPublicKey::from(&key).to_public_key_der().map(|d| d.into_vec());
            (
                Signer::Rsa(Box::new(rsa::pss::BlindedSigningKey::<Sha256>::new(key))),
                public,
            )
        } else {
            return Err(KsefError::Invalid(
                "klucz certyfikatu offline musi być kluczem PKCS#8 RSA lub EC P-256".to_owned(),
            ));
        };
        // A key that is not the certificate's would sign links nobody can verify.
        let in_certificate = cert.tbs_certificate.subject_public_key_info.to_der().ok();
        if public.ok() != in_certificate {
            return Err(KsefError::Invalid(
                "klucz prywatny nie pasuje do certyfikatu offline".to_owned(),
            ));
        }
        let validity = &cert.tbs_certificate.validity;
        let at = |t: x509_cert::time::Time| {
            jiff::Timestamp::from_second(i64::try_from(t.to_unix_duration().as_secs()).unwrap_or(i64::MAX))
                .unwrap_or(jiff::Timestamp::MAX)
        };
        Ok(Self {
            serial,
            signer,
            not_before: at(validity.not_before),
            not_after: at(validity.not_after),
        })
    }

    /// From when the certificate is valid.
    pub fn not_before(&self) -> jiff::Timestamp {
        self.not_before
    }

    /// Until when the certificate is valid: KOD II signed after it cannot be verified.
    pub fn not_after(&self) -> jiff::Timestamp {
        self.not_after
    }

    /// The certificate's serial number as 16 uppercase hex characters.
    pub fn serial(&self) -> &str {
        &self.serial
    }

    /// KOD II: `{qr}/certificate/{type}/{value}/{seller NIP}/{serial}/{hash}/{signature}`,
    /// the signature over the link without `https://` and up to the hash.
    pub fn kod_ii(&self, env: &Environment, context: &ContextIdentifier, seller_nip: &str, xml: &[u8]) -> String {
        use rsa::signature::{RandomizedSigner as _, SignatureEncoding as _, Signer as _};
        let host = env.qr_host();
        let unsigned = format!(
            "{host}/certificate/{}/{}/{seller_nip}/{}/{}",
            context.kind,
            context.value,
            self.serial,
            invoice_hash(xml)
        );
        let signed_part = unsigned
            .strip_prefix("https://")
            .or_else(|| unsigned.strip_prefix("http://"))
            .unwrap_or(&unsigned);
        let signature = match &self.signer {
            Signer::Rsa(key) => key
                .sign_with_rng(&mut rand_core::OsRng, signed_part.as_bytes())
                .to_vec(),
            Signer::Ecdsa(key) => {
                let sig: p256::ecdsa::Signature = key.sign(signed_part.as_bytes());
                sig.to_bytes().to_vec()
            }
        };
        format!("{unsigned}/{}", URL_SAFE_NO_PAD.encode(signature))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kod_i_puts_the_nip_first_and_the_date_in_polish_order() {
        let link = kod_i(
            &Environment::test(),
            "1111111111",
            jiff::civil::date(2026, 2, 1),
            b"<Faktura/>",
        );
        assert!(
            link.starts_with("https://qr-test.ksef.mf.gov.pl/invoice/1111111111/01-02-2026/"),
            "{link}"
        );
        let hash = link.rsplit('/').next().unwrap();
        assert_eq!(hash.len(), 43);
        assert!(!hash.contains('=') && !hash.contains('+') && !hash.contains('/'));
    }
}
