//! The client's crypto, through RustCrypto: RSA-OAEP (SHA-256, MGF1-SHA-256) for the KSeF
//! token and the session key, AES-256-CBC/PKCS#7 for invoices and batch parts, SHA-256.

use aes::cipher::{BlockEncryptMut, KeyIvInit, block_padding::Pkcs7};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use rsa::pkcs8::DecodePublicKey;
use rsa::{Oaep, RsaPublicKey};
use sha2::{Digest, Sha256};
use x509_cert::der::Decode;

use crate::KsefError;

/// Base64 SHA-256.
pub fn sha256_b64(bytes: &[u8]) -> String {
    STANDARD.encode(Sha256::digest(bytes))
}

/// The RSA public key of a KSeF certificate (Base64 DER).
pub fn certificate_key(certificate_b64: &str) -> Result<RsaPublicKey, KsefError> {
    let der = STANDARD
        .decode(certificate_b64)
        .map_err(|_| KsefError::Invalid("certyfikat KSeF nie jest poprawnym Base64".to_owned()))?;
    let cert = x509_cert::Certificate::from_der(&der)
        .map_err(|e| KsefError::Invalid(format!("certyfikat KSeF nie jest poprawnym X.509: {e}")))?;
    let spki = x509_cert::der::Encode::to_der(&cert.tbs_certificate.subject_public_key_info)
        .map_err(|e| KsefError::Invalid(e.to_string()))?;
    RsaPublicKey::from_public_key_der(&spki).map_err(|e| KsefError::Invalid(format!("klucz certyfikatu KSeF: {e}")))
}

/// Base64 RSA-OAEP-SHA256.
pub fn oaep_encrypt(key: &RsaPublicKey, plaintext: &[u8]) -> Result<String, KsefError> {
    key.encrypt(&mut rand_core::OsRng, Oaep::new::<Sha256>(), plaintext)
        .map(|ct| STANDARD.encode(ct))
        .map_err(|e| KsefError::Invalid(format!("szyfrowanie RSA-OAEP: {e}")))
}

/// AES-256-CBC/PKCS#7, no IV prefix (KSeF takes the IV from the session).
pub fn aes_encrypt(key: &[u8; 32], iv: &[u8; 16], plaintext: &[u8]) -> Vec<u8> {
    cbc::Encryptor::<aes::Aes256>::new(key.into(), iv.into()).encrypt_padded_vec_mut::<Pkcs7>(plaintext)
}

/// A fresh AES-256 key and IV.
pub fn session_key() -> ([u8; 32], [u8; 16]) {
    use rand_core::RngCore as _;
    let mut key = [0u8; 32];
    let mut iv = [0u8; 16];
    rand_core::OsRng.fill_bytes(&mut key);
    rand_core::OsRng.fill_bytes(&mut iv);
    (key, iv)
}

/// Standard Base64.
pub fn b64(bytes: &[u8]) -> String {
    STANDARD.encode(bytes)
}
