//! Secrets at rest: XChaCha20-Poly1305 with a random 192-bit nonce per message and a key
//! ring for rotation. A sealed value is `[1 (format)][key id][nonce (24)][ciphertext+tag]`;
//! the associated data names what the secret is and whose (`account:<id>:refresh`), so a
//! value copied to another row or column does not open.

use std::collections::HashMap;

use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{Key, XChaCha20Poly1305, XNonce};
use rand::RngCore;
use secrecy::{ExposeSecret, SecretString};
use store::Sealed;

const FORMAT: u8 = 1;

/// Errors opening a sealed value.
#[derive(Debug, thiserror::Error)]
pub enum CryptoError {
    /// Sealed with a key id the ring does not have.
    #[error("sealed with key {0}, which is not in the key ring")]
    UnknownKey(u8),
    /// Not a sealed value, tampered with, or for other associated data.
    #[error("the sealed value does not open (wrong key, tampered or moved)")]
    Invalid,
    /// A key in the configuration is not 32 bytes of hex.
    #[error("encryption key {0} must be 64 hex characters (32 bytes)")]
    BadKey(u8),
}

/// The key ring: every key that may have sealed stored values, and the one that seals new
/// ones.
pub struct Cipher {
    active: u8,
    keys: HashMap<u8, XChaCha20Poly1305>,
}

impl std::fmt::Debug for Cipher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Cipher")
            .field("active", &self.active)
            .field("keys", &self.keys.len())
            .finish()
    }
}

impl Cipher {
    /// A ring from `(id, hex key)` pairs; `active` seals new values.
    pub fn new(active: u8, keys: &[(u8, SecretString)]) -> Result<Self, CryptoError> {
        let mut ring = HashMap::new();
        for (id, hex_key) in keys {
            let bytes = hex::decode(hex_key.expose_secret().trim()).map_err(|_| CryptoError::BadKey(*id))?;
            let key = Key::try_from(bytes.as_slice()).map_err(|_| CryptoError::BadKey(*id))?;
            ring.insert(*id, XChaCha20Poly1305::new(&key));
        }
        if !ring.contains_key(&active) {
            return Err(CryptoError::UnknownKey(active));
        }
        Ok(Self { active, keys: ring })
    }

    /// A fresh random 32-byte key as hex, for `allegro-bridge` to write into a new config.
    pub fn generate_key_hex() -> String {
        let mut key = [0u8; 32];
        rand::rng().fill_bytes(&mut key);
        hex::encode(key)
    }

    /// Seals `plaintext` for `purpose`.
    pub fn seal(&self, purpose: &str, plaintext: &[u8]) -> Sealed {
        let mut nonce = [0u8; 24];
        rand::rng().fill_bytes(&mut nonce);
        let cipher = &self.keys[&self.active];
        let ct = cipher
            .encrypt(
                &XNonce::from(nonce),
                Payload {
                    msg: plaintext,
                    aad: purpose.as_bytes(),
                },
            )
            .expect("XChaCha20-Poly1305 encryption does not fail for in-memory buffers");
        let mut out = Vec::with_capacity(2 + 24 + ct.len());
        out.push(FORMAT);
        out.push(self.active);
        out.extend_from_slice(&nonce);
        out.extend_from_slice(&ct);
        Sealed(out)
    }

    /// Seals a secret string.
    pub fn seal_secret(&self, purpose: &str, secret: &SecretString) -> Sealed {
        self.seal(purpose, secret.expose_secret().as_bytes())
    }

    /// Opens a value sealed for `purpose`.
    pub fn open(&self, purpose: &str, sealed: &Sealed) -> Result<Vec<u8>, CryptoError> {
        let b = &sealed.0;
        if b.len() < 2 + 24 + 16 || b[0] != FORMAT {
            return Err(CryptoError::Invalid);
        }
        let cipher = self.keys.get(&b[1]).ok_or(CryptoError::UnknownKey(b[1]))?;
        let nonce: [u8; 24] = b[2..26].try_into().map_err(|_| CryptoError::Invalid)?;
        cipher
            .decrypt(
                &XNonce::from(nonce),
                Payload {
                    msg: &b[26..],
                    aad: purpose.as_bytes(),
                },
            )
            .map_err(|_| CryptoError::Invalid)
    }

    /// Opens a sealed secret string.
    pub fn open_secret(&self, purpose: &str, sealed: &Sealed) -> Result<SecretString, CryptoError> {
        let bytes = self.open(purpose, sealed)?;
        String::from_utf8(bytes)
            .map(SecretString::from)
            .map_err(|_| CryptoError::Invalid)
    }
}

/// The key id a sealed value names (its second byte), if it has the expected format.
pub fn sealed_key_id(sealed: &store::Sealed) -> Option<u8> {
    (sealed.0.len() > 2 && sealed.0[0] == FORMAT).then(|| sealed.0[1])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ring(active: u8) -> Cipher {
        Cipher::new(
            active,
            &[
                (1, SecretString::from("11".repeat(32))),
                (2, SecretString::from("22".repeat(32))),
            ],
        )
        .unwrap()
    }

    #[test]
    fn seals_opens_and_binds_the_purpose() {
        let c = ring(1);
        let sealed = c.seal("account:a:refresh", b"eyJ-token");
        assert!(!sealed.0.windows(9).any(|w| w == b"eyJ-token"), "no plaintext inside");
        assert_eq!(c.open("account:a:refresh", &sealed).unwrap(), b"eyJ-token");
        assert!(
            matches!(c.open("account:b:refresh", &sealed), Err(CryptoError::Invalid)),
            "moved to another row"
        );
        let mut tampered = sealed.clone();
        *tampered.0.last_mut().unwrap() ^= 1;
        assert!(c.open("account:a:refresh", &tampered).is_err());
        assert_ne!(c.seal("p", b"x"), c.seal("p", b"x"), "random nonces");
    }

    #[test]
    fn rotation_keeps_old_values_readable() {
        let old = ring(1).seal("p", b"secret");
        let rotated = ring(2);
        assert_eq!(rotated.open("p", &old).unwrap(), b"secret");
        assert_eq!(rotated.seal("p", b"x").0[1], 2, "new values use the active key");
        let only_new = Cipher::new(2, &[(2, SecretString::from("22".repeat(32)))]).unwrap();
        assert!(matches!(only_new.open("p", &old), Err(CryptoError::UnknownKey(1))));
        assert!(Cipher::new(1, &[(1, SecretString::from("abc"))]).is_err());
    }
}
