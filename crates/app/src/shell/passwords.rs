//! Passwords: the policy (length, not among the commonest, not the e-mail) and Argon2id
//! hashing on a bounded pool, so a flood of logins queues instead of exhausting memory
//! (each Argon2id hash holds 19 MiB while it runs).

use std::sync::{Arc, OnceLock};

use argon2::Argon2;
use argon2::password_hash::PasswordHasher;
use secrecy::{ExposeSecret, SecretString};

use crate::{AppError, invalid};

/// At most this many passwords are hashed or verified at once in one process.
pub(crate) fn hashing_permits() -> usize {
    std::thread::available_parallelism().map_or(2, |n| n.get().clamp(1, 4))
}

/// The bounded hashing pool: a few threads of its own that do nothing else. Fixed threads
/// matter as much as the bound: on tokio's blocking pool each hash may land on another
/// thread, and glibc keeps a 19 MiB arena per thread that hashed once (a flood of 128
/// logins kept `serve` at 550 MB).
#[derive(Clone)]
pub(crate) struct HashingPool {
    jobs: std::sync::mpsc::Sender<Job>,
    /// One turn per hashing thread: a login waits for its turn before it looks at the
    /// throttle and hashes, so a flood at one account stops hashing once it is locked.
    turns: Arc<tokio::sync::Semaphore>,
}

type Job = Box<dyn FnOnce() + Send>;

impl std::fmt::Debug for HashingPool {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HashingPool").finish_non_exhaustive()
    }
}

impl Default for HashingPool {
    fn default() -> Self {
        let (jobs, queue) = std::sync::mpsc::channel::<Job>();
        let queue = Arc::new(std::sync::Mutex::new(queue));
        for n in 0..hashing_permits() {
            let queue = Arc::clone(&queue);
            let spawned = std::thread::Builder::new().name(format!("argon2-{n}")).spawn(move || {
                loop {
                    // The lock is held only while taking the next job.
                    let job = match queue.lock() {
                        Ok(q) => q.recv(),
                        Err(_) => return,
                    };
                    match job {
                        Ok(job) => job(),
                        // Every pool handle is gone: the app was dropped.
                        Err(_) => return,
                    }
                }
            });
            if let Err(e) = spawned {
                tracing::error!(error = %e, "could not start a password-hashing thread");
            }
        }
        Self {
            jobs,
            turns: Arc::new(tokio::sync::Semaphore::new(hashing_permits())),
        }
    }
}

impl HashingPool {
    /// Waits for a free hashing thread; hold the permit while hashing.
    pub(crate) async fn turn(&self) -> Result<tokio::sync::OwnedSemaphorePermit, AppError> {
        Arc::clone(&self.turns)
            .acquire_owned()
            .await
            .map_err(|e| AppError::Internal(anyhow::Error::new(e).context("the hashing turns closed")))
    }

    async fn run<T: Send + 'static>(&self, work: impl FnOnce() -> T + Send + 'static) -> Result<T, AppError> {
        let (done, result) = tokio::sync::oneshot::channel();
        self.jobs
            .send(Box::new(move || {
                let _ = done.send(work());
            }))
            .map_err(|_| AppError::Internal(anyhow::anyhow!("the password-hashing threads stopped")))?;
        result
            .await
            .map_err(|e| AppError::Internal(anyhow::Error::new(e).context("a password-hashing job was lost")))
    }

    /// Hashes a new password.
    pub(crate) async fn hash(&self, password: SecretString) -> Result<String, AppError> {
        self.run(move || {
            Argon2::default()
                .hash_password(password.expose_secret().as_bytes())
                .map(|h| h.to_string())
        })
        .await?
        .map_err(|e| AppError::Internal(anyhow::anyhow!("hashing a password: {e}")))
    }

    /// Whether `password` matches `hash`; for an unknown user pass `None`, which does the
    /// same work against a hash of nothing, so a miss takes as long as a hit.
    pub(crate) async fn verify(&self, password: SecretString, hash: Option<String>) -> Result<bool, AppError> {
        self.run(move || {
            static DUMMY: OnceLock<String> = OnceLock::new();
            let dummy = || {
                DUMMY
                    .get_or_init(|| {
                        Argon2::default()
                            .hash_password(b"no such user")
                            .map(|h| h.to_string())
                            .unwrap_or_default()
                    })
                    .clone()
            };
            let known = hash.is_some();
            let hash = hash.unwrap_or_else(dummy);
            let ok = verify_in_place(password.expose_secret().as_bytes(), &hash);
            known && ok
        })
        .await
    }
}

thread_local! {
    /// Argon2's working memory (19 MiB), allocated once per hashing thread and reused:
    /// a fresh allocation per hash is what left glibc holding hundreds of MB after a flood.
    static BLOCKS: std::cell::RefCell<Vec<argon2::Block>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// Whether `password` matches the PHC string `phc`, computed in this thread's reused
/// memory; the comparison is constant-time (`Output`'s equality).
fn verify_in_place(password: &[u8], phc: &str) -> bool {
    let Ok(hash) = argon2::PasswordHash::new(phc) else {
        return false;
    };
    let (Some(salt), Some(expected)) = (&hash.salt, &hash.hash) else {
        return false;
    };
    let Ok(params) = argon2::Params::try_from(&hash) else {
        return false;
    };
    let Ok(algorithm) = argon2::Algorithm::try_from(hash.algorithm.as_str()) else {
        return false;
    };
    let version = match hash.version.map(argon2::Version::try_from).transpose() {
        Ok(v) => v.unwrap_or_default(),
        Err(_) => return false,
    };
    let blocks = params.block_count();
    let argon = Argon2::new(algorithm, version, params);
    let mut out = vec![0u8; expected.as_bytes().len()];
    let hashed = BLOCKS.with(|cell| {
        let mut memory = cell.borrow_mut();
        if memory.len() < blocks {
            memory.resize(blocks, argon2::Block::default());
        }
        argon.hash_password_into_with_memory(password, salt, &mut out, &mut memory[..blocks])
    });
    hashed.is_ok() && argon2::password_hash::phc::Output::new(&out).is_ok_and(|o| &o == expected)
}

fn common_passwords() -> &'static std::collections::HashSet<&'static str> {
    static LIST: OnceLock<std::collections::HashSet<&'static str>> = OnceLock::new();
    LIST.get_or_init(|| {
        // Each password and its stem (without the digits or "!" people add at the end).
        include_str!("common_passwords.txt")
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && !l.starts_with('#'))
            .flat_map(|l| [l, stem(l)])
            .collect()
    })
}

/// A password without the digits or `!` added at its end.
fn stem(password: &str) -> &str {
    password.trim_end_matches(|c: char| c.is_ascii_digit() || c == '!')
}

/// The password policy: 10 to 256 characters, not one of the commonest passwords (nor one
/// with digits or `!` added), not one character repeated, not the e-mail address.
pub(crate) fn check_password(password: &SecretString, email: &str) -> Result<(), AppError> {
    let p = password.expose_secret();
    let n = p.chars().count();
    if !(10..=256).contains(&n) {
        return Err(invalid("password", "problem-password-length"));
    }
    let lower = p.to_lowercase();
    let stem = stem(&lower);
    let list = common_passwords();
    let repeated = lower.chars().all(|c| lower.starts_with(c));
    let local = email.trim().to_lowercase();
    let local = local.split('@').next().unwrap_or("");
    if list.contains(lower.as_str())
        || list.contains(stem)
        || repeated
        || lower == email.trim().to_lowercase()
        || (local.chars().count() >= 4 && stem == local)
    {
        return Err(invalid("password", "problem-password-common"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(p: &str) -> bool {
        check_password(&SecretString::from(p), "anna.nowak@sklep.pl").is_ok()
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn a_flood_of_hashing_queues_on_the_pool() {
        use std::sync::atomic::{AtomicUsize, Ordering};
        let pool = HashingPool::default();
        let running = Arc::new(AtomicUsize::new(0));
        let most = Arc::new(AtomicUsize::new(0));
        let mut tasks = tokio::task::JoinSet::new();
        for _ in 0..32 {
            let (pool, running, most) = (pool.clone(), running.clone(), most.clone());
            tasks.spawn(async move {
                pool.run(move || {
                    let now = running.fetch_add(1, Ordering::SeqCst) + 1;
                    most.fetch_max(now, Ordering::SeqCst);
                    std::thread::sleep(std::time::Duration::from_millis(5));
                    running.fetch_sub(1, Ordering::SeqCst);
                })
                .await
                .unwrap();
            });
        }
        while tasks.join_next().await.is_some() {}
        let most = most.load(Ordering::SeqCst);
        assert!((1..=hashing_permits()).contains(&most), "{most} at once");
    }

    #[tokio::test]
    async fn verifies_in_reused_memory_as_argon2_does() {
        let pool = HashingPool::default();
        let hash = pool.hash(SecretString::from("bardzo-tajne-haslo")).await.unwrap();
        for _ in 0..2 {
            assert!(
                pool.verify(SecretString::from("bardzo-tajne-haslo"), Some(hash.clone()))
                    .await
                    .unwrap()
            );
            assert!(
                !pool
                    .verify(SecretString::from("bardzo-tajne-hasl0"), Some(hash.clone()))
                    .await
                    .unwrap()
            );
        }
        assert!(
            !pool
                .verify(SecretString::from("bardzo-tajne-haslo"), None)
                .await
                .unwrap(),
            "no user"
        );
        assert!(
            !pool
                .verify(SecretString::from("x"), Some("not a PHC string".into()))
                .await
                .unwrap()
        );
    }

    #[test]
    fn common_and_guessable_passwords_are_refused() {
        for p in [
            "123456789",
            "1234567890",
            "qwertyuiop",
            "Qwertyuiop1",
            "zaq12wsx123",
            "haslo12345",
            "Polska12345!",
            "kochamcie1",
            "aaaaaaaaaaaa",
            "anna.nowak@sklep.pl",
            "anna.nowak2026",
        ] {
            assert!(!check(p), "{p} should be refused");
        }
        for p in ["bardzo-tajne-haslo", "koń jedzie wolno 7", "Zielony-Parasol-Marzec"] {
            assert!(check(p), "{p} should pass");
        }
    }
}
