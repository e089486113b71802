//! KSeF's public key certificates: one RSA key pair per usage (`KsefTokenEncryption`,
//! `SymmetricKeyEncryption`), each in a self-signed X.509 certificate, rotated on demand
//! (planned: old and new side by side; emergency: the old key disappears and its
//! `publicKeyId` gets 21470). Also the emulator's CA for Offline certificates (KOD II).

use std::str::FromStr;
use std::time::{Duration, SystemTime};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use ksef_api_types::{PublicKeyCertificate, PublicKeyCertificateUsage};
use rsa::RsaPrivateKey;
use rsa::pkcs8::{DecodePrivateKey, EncodePublicKey};
use sha2::{Digest, Sha256};
use x509_cert::builder::{Builder, CertificateBuilder, Profile};
use x509_cert::der::{Encode, EncodePem};
use x509_cert::name::Name;
use x509_cert::serial_number::SerialNumber;
use x509_cert::spki::SubjectPublicKeyInfoOwned;
use x509_cert::time::{Time, Validity};

/// Keys generated once and shipped with the emulator (generating 2048-bit RSA keys takes
/// seconds in a debug build; these are test keys of an offline emulator, not secrets).
const SHIPPED: [&str; 4] = [
    include_str!("../keys/emulator-key-1.pem"),
    include_str!("../keys/emulator-key-2.pem"),
    include_str!("../keys/emulator-key-3.pem"),
    include_str!("../keys/emulator-key-4.pem"),
];

/// One published key.
pub struct PublishedKey {
    /// The private half, to decrypt what clients send.
    pub private: RsaPrivateKey,
    /// Its usage.
    pub usage: PublicKeyCertificateUsage,
    /// The entry `GET /security/public-key-certificates` lists.
    pub entry: PublicKeyCertificate,
}

/// Every key the emulator holds.
pub struct KeyRing {
    /// Published keys, oldest first.
    pub keys: Vec<PublishedKey>,
    /// Signs Offline certificates.
    pub ca: RsaPrivateKey,
    next_shipped: usize,
}

fn ms_to_system(ms: i64) -> SystemTime {
    SystemTime::UNIX_EPOCH + Duration::from_millis(ms.max(0) as u64)
}

/// A self-signed certificate for `key` valid from `from_ms` for two years; DER.
fn self_signed(key: &RsaPrivateKey, cn: &str, from_ms: i64) -> anyhow::Result<Vec<u8>> {
    let signer = rsa::pkcs1v15::SigningKey::<Sha256>::new(key.clone());
    let spki = SubjectPublicKeyInfoOwned::from_key(key.to_public_key())?;
    let validity = Validity {
        not_before: Time::try_from(ms_to_system(from_ms - 60_000))?,
        not_after: Time::try_from(ms_to_system(from_ms + 2 * 365 * crate::clock::DAY_MS))?,
    };
    let serial = SerialNumber::new(&rand::random::<[u8; 8]>().map(|b| b & 0x7f))?;
    let subject = Name::from_str(&format!("CN={cn},O=Ministerstwo Finansow (emulator),C=PL"))?;
    let builder = CertificateBuilder::new(Profile::Root, serial, validity, subject, spki, &signer)?;
    let cert = builder.build::<rsa::pkcs1v15::Signature>()?;
    Ok(cert.to_der()?)
}

fn entry(key: &RsaPrivateKey, usage: PublicKeyCertificateUsage, now_ms: i64) -> anyhow::Result<PublicKeyCertificate> {
    let cn = match usage {
        PublicKeyCertificateUsage::KsefTokenEncryption => "KSeF Token Encryption",
        PublicKeyCertificateUsage::SymmetricKeyEncryption => "KSeF Symmetric Key Encryption",
    };
    let der = self_signed(key, cn, now_ms)?;
    let spki = key.to_public_key().to_public_key_der()?;
    Ok(PublicKeyCertificate {
        certificate: STANDARD.encode(&der),
        certificate_id: STANDARD.encode(Sha256::digest(&der)),
        public_key_id: STANDARD.encode(Sha256::digest(spki.as_bytes())),
        valid_from: crate::clock::iso(now_ms - 60_000),
        valid_to: crate::clock::iso(now_ms + 2 * 365 * crate::clock::DAY_MS),
        usage: vec![usage],
    })
}

impl KeyRing {
    /// The shipped keys: token key, session-key key, and the CA.
    pub fn new(now_ms: i64) -> anyhow::Result<Self> {
        let load = |i: usize| RsaPrivateKey::from_pkcs8_pem(SHIPPED[i]);
        let mut ring = Self {
            keys: Vec::new(),
            ca: load(3)?,
            next_shipped: 2,
        };
        for (i, usage) in [
            PublicKeyCertificateUsage::KsefTokenEncryption,
            PublicKeyCertificateUsage::SymmetricKeyEncryption,
        ]
        .into_iter()
        .enumerate()
        {
            let private = load(i)?;
            let entry = entry(&private, usage, now_ms)?;
            ring.keys.push(PublishedKey { private, usage, entry });
        }
        Ok(ring)
    }

    /// The newest key for `usage`.
    pub fn current(&self, usage: PublicKeyCertificateUsage) -> Option<&PublishedKey> {
        self.keys.iter().rev().find(|k| k.usage == usage)
    }

    /// The key with this `publicKeyId` and usage; `None` for unknown or retired ids.
    pub fn by_id(&self, id: &str, usage: PublicKeyCertificateUsage) -> Option<&PublishedKey> {
        self.keys
            .iter()
            .find(|k| k.usage == usage && k.entry.public_key_id == id)
    }

    /// A new key for `usage`. `emergency` drops the old ones at once (their id then gets
    /// 21470); otherwise both stay published, as in a planned rotation.
    pub fn rotate(&mut self, usage: PublicKeyCertificateUsage, emergency: bool, now_ms: i64) -> anyhow::Result<()> {
        let private = if self.next_shipped == 2 {
            self.next_shipped += 1;
            RsaPrivateKey::from_pkcs8_pem(SHIPPED[2])?
        } else {
            RsaPrivateKey::new(&mut rand_core::OsRng, 2048)?
        };
        let entry = entry(&private, usage, now_ms)?;
        if emergency {
            self.keys.retain(|k| k.usage != usage);
        }
        self.keys.push(PublishedKey { private, usage, entry });
        Ok(())
    }

    /// The CA certificate (PEM) that signs Offline certificates.
    pub fn ca_name() -> &'static str {
        "CN=KSeF Offline CA (emulator),O=Ministerstwo Finansow (emulator),C=PL"
    }

    /// Issues an Offline certificate (KOD II) for `nip` on a fresh P-256 key; returns
    /// `(certificate PEM, private key PKCS#8 PEM, serial as 16 uppercase hex)`.
    pub fn issue_offline(&self, nip: &str, now_ms: i64) -> anyhow::Result<(String, String, String)> {
        use p256::pkcs8::EncodePrivateKey;
        let key = p256::ecdsa::SigningKey::random(&mut rand_core::OsRng);
        let spki = SubjectPublicKeyInfoOwned::from_key(*key.verifying_key())?;
        let serial_bytes = rand::random::<[u8; 8]>().map(|b| b & 0x7f);
        let serial_hex: String = serial_bytes.iter().map(|b| format!("{b:02X}")).collect();
        let serial = SerialNumber::new(&serial_bytes)?;
        let validity = Validity {
            not_before: Time::try_from(ms_to_system(now_ms - 60_000))?,
            not_after: Time::try_from(ms_to_system(now_ms + 365 * crate::clock::DAY_MS))?,
        };
        let subject = Name::from_str(&format!(
            "CN=Offline {nip},SERIALNUMBER=VATPL-{nip},O=Podatnik {nip},C=PL"
        ))?;
        let signer = rsa::pkcs1v15::SigningKey::<Sha256>::new(self.ca.clone());
        let profile = Profile::Leaf {
            issuer: Name::from_str(Self::ca_name())?,
            enable_key_agreement: false,
            enable_key_encipherment: false,
        };
        let builder = CertificateBuilder::new(profile, serial, validity, subject, spki, &signer)?;
        let cert = builder.build::<rsa::pkcs1v15::Signature>()?;
        let cert_pem = cert.to_pem(x509_cert::der::pem::LineEnding::LF)?;
        let key_pem = key.to_pkcs8_pem(x509_cert::der::pem::LineEnding::LF)?.to_string();
        Ok((cert_pem, key_pem, serial_hex))
    }
}
