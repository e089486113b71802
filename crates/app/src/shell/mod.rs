//! The shell around the seller's data: organisations, users and sessions, passwords,
//! failed-login throttling, API keys, and the start-up check of the key ring.

mod dashboard;
mod key_ring;
mod login_throttle;
mod passwords;
mod users;

pub use dashboard::{Dashboard, DeadlineAlert};
pub use key_ring::KeyRingProblem;
pub use login_throttle::LOCK_MS as LOGIN_LOCK_MS;

pub(crate) use passwords::HashingPool;
pub use users::{CurrentUser, NewSession};
