//! The outbox: work that must reach Allegro (or KSeF) once — an invoice's PDF, a waybill —
//! kept on its own row with a state (`pending` → `uploaded`/`pushed` or `refused`), a
//! due time and an attempt count. A worker claims due rows under a lease (the due time is
//! moved to the lease's end, so another process skips them), acts, and records one
//! [`Delivery`]. The app's `outbox` module is the one runner; each aggregate's store keeps
//! its rows beside the document they carry.

/// How one claimed outbox item ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Delivery {
    /// Delivered.
    Done {
        /// When.
        at_ms: i64,
        /// The remote side's id of what was delivered (e.g. Allegro's shipment id), if any.
        remote_id: Option<String>,
    },
    /// Failed for now; due again at `next_at_ms`.
    Retry {
        /// When.
        next_at_ms: i64,
        /// Why, in the seller's words.
        error: String,
    },
    /// The remote side will never take it; waits for the seller's "Wyślij ponownie".
    Refused {
        /// Why, in the seller's words.
        error: String,
    },
    /// Not attempted (the worker is stopping): due again at `now_ms`, the attempt not
    /// counted — another worker takes it at once instead of after the lease.
    Released {
        /// Now.
        now_ms: i64,
        /// The lease the claim took: released only while still held (a fencing check).
        held_until_ms: i64,
    },
}

impl Delivery {
    /// The outcome's name in metrics and logs.
    pub fn label(&self) -> &'static str {
        match self {
            Delivery::Done { .. } => "done",
            Delivery::Retry { .. } => "retried",
            Delivery::Refused { .. } => "refused",
            Delivery::Released { .. } => "released",
        }
    }
}
