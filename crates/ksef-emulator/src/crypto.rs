//! Hashes and ciphers KSeF uses, through RustCrypto: SHA-256 in Base64, RSA-OAEP
//! (SHA-256, MGF1-SHA-256), AES-256-CBC with PKCS#7, and the HMAC of presigned links.

use aes::cipher::{BlockDecryptMut, KeyIvInit, block_padding::Pkcs7};
use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use hmac::{Hmac, Mac};
use rsa::{Oaep, RsaPrivateKey};
use sha2::{Digest, Sha256};

/// Base64 (standard, padded) of SHA-256: `invoiceHash`, `x-ms-meta-hash`.
pub fn sha256_b64(bytes: &[u8]) -> String {
    STANDARD.encode(Sha256::digest(bytes))
}

/// Base64URL without padding of SHA-256: the hash in KOD I and KOD II.
pub fn sha256_b64url(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(Sha256::digest(bytes))
}

/// Standard Base64 decoding.
pub fn b64(s: &str) -> Option<Vec<u8>> {
    STANDARD.decode(s.trim()).ok()
}

/// RSA-OAEP-SHA256 decryption with an emulator key.
pub fn oaep_decrypt(key: &RsaPrivateKey, ciphertext: &[u8]) -> Option<Vec<u8>> {
    key.decrypt(Oaep::new::<Sha256>(), ciphertext).ok()
}

/// AES-256-CBC/PKCS#7 decryption; `None` when the padding (or the length) is wrong.
pub fn aes_cbc_decrypt(key: &[u8; 32], iv: &[u8; 16], ciphertext: &[u8]) -> Option<Vec<u8>> {
    cbc::Decryptor::<aes::Aes256>::new(key.into(), iv.into())
        .decrypt_padded_vec_mut::<Pkcs7>(ciphertext)
        .ok()
}

/// HMAC-SHA256 in Base64URL: signs presigned links so they work without a token.
pub fn sign(secret: &[u8], message: &str) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret).expect("HMAC takes any key length");
    mac.update(message.as_bytes());
    URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes())
}
