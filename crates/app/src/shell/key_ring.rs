//! The start-up check that the key ring opens what the database holds: without it, a lost
//! or replaced key file would leave every account failing while the UI says "active".

use std::collections::BTreeMap;

use crate::crypto::{CryptoError, sealed_key_id};
use crate::{App, AppError};

/// What the key ring cannot open.
#[derive(Debug, thiserror::Error)]
pub enum KeyRingProblem {
    /// Values sealed with a key the file does not have.
    #[error(
        "baza zawiera {count} zaszyfrowanych sekretów (tokeny Allegro, Client Secret) zapisanych kluczem {key_id}, którego nie ma w pliku klucza; przywróć plik klucza z kopii zapasowej"
    )]
    MissingKey {
        /// The key id the values need.
        key_id: u8,
        /// How many values.
        count: usize,
    },
    /// The file has a key with that id, but not the one that sealed the values.
    #[error(
        "klucz {key_id} w pliku klucza nie otwiera sekretów zapisanych w bazie (inny klucz o tym samym numerze); przywróć właściwy plik klucza"
    )]
    WrongKey {
        /// The key id.
        key_id: u8,
    },
}

impl App {
    /// Whether the database holds sealed values at all (a new key may be created only for
    /// a database that holds none).
    pub async fn holds_sealed_secrets(&self) -> Result<bool, AppError> {
        Ok(!self.store.stored_secrets().await?.is_empty())
    }

    /// Opens one stored value per key id it was sealed with; the first key that is missing
    /// or wrong is the problem.
    pub async fn check_key_ring(&self) -> Result<Result<(), KeyRingProblem>, AppError> {
        let mut by_key: BTreeMap<u8, Vec<_>> = BTreeMap::new();
        for secret in self.store.stored_secrets().await? {
            if let Some(id) = sealed_key_id(&secret.sealed) {
                by_key.entry(id).or_default().push(secret);
            }
        }
        for (key_id, secrets) in by_key {
            let first = &secrets[0];
            match self.cipher.open(&first.purpose, &first.sealed) {
                Ok(_) => {}
                Err(CryptoError::UnknownKey(_)) => {
                    return Ok(Err(KeyRingProblem::MissingKey {
                        key_id,
                        count: secrets.len(),
                    }));
                }
                Err(_) => return Ok(Err(KeyRingProblem::WrongKey { key_id })),
            }
        }
        Ok(Ok(()))
    }
}
