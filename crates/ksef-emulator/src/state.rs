//! Everything the emulator remembers: challenges, KSeF tokens, logins and their bearer
//! tokens, sessions with their invoices, accepted invoices, test data.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::Arc;

use ksef_api_types::{FormCode, KsefNumber, ReferenceNumber};

use crate::facts::InvoiceFacts;

/// A challenge handed out by `/auth/challenge`.
#[derive(Debug)]
pub struct Challenge {
    /// When (epoch ms; the `timestampMs` the token is encrypted with).
    pub at_ms: i64,
    /// Used by a login already.
    pub used: bool,
}

/// A taxpayer's KSeF token, as their app would generate it.
#[derive(Debug, Clone)]
pub struct KsefToken {
    /// `EC` number.
    pub reference: ReferenceNumber,
    /// The context NIP it acts for.
    pub nip: String,
    /// e.g. `InvoiceWrite`.
    pub permissions: Vec<String>,
    /// For people.
    pub description: String,
    /// `false` once revoked.
    pub active: bool,
    /// When.
    pub created_ms: i64,
}

/// What a bearer token is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BearerKind {
    /// For `/auth/{ref}` and redeem.
    Authentication,
    /// For protected calls.
    Access,
    /// For `/auth/token/refresh`.
    Refresh,
}

/// A bearer token the emulator issued.
#[derive(Debug, Clone)]
pub struct Bearer {
    /// What it is for.
    pub kind: BearerKind,
    /// The login it came from.
    pub auth: ReferenceNumber,
    /// Until when.
    pub expires_ms: i64,
}

/// A login (`AU`).
#[derive(Debug)]
pub struct Login {
    /// When it started.
    pub started_ms: i64,
    /// When its status becomes final.
    pub ready_ms: i64,
    /// The final status: 200 or a failure code with its details.
    pub outcome: (i32, String, Vec<String>),
    /// The context NIP.
    pub nip: String,
    /// The KSeF token used (its `EC` number), for the UPO and revocation.
    pub token_reference: Option<ReferenceNumber>,
    /// Permissions in the context.
    pub permissions: Vec<String>,
    /// Whether `/auth/token/redeem` was called.
    pub redeemed: bool,
    /// The refresh token, once redeemed.
    pub refresh_token: Option<String>,
    /// Its expiry.
    pub refresh_valid_until_ms: Option<i64>,
    /// Last refresh.
    pub last_refresh_ms: Option<i64>,
    /// `DELETE /auth/sessions/…` was called: refresh no longer works.
    pub revoked: bool,
    /// IPv4 allow-list of the authorization policy (empty: any).
    pub allowed_ips: Vec<String>,
}

/// Online or batch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SessionKind {
    /// `SO`.
    Online,
    /// `SB`.
    Batch,
}

/// What happened to one invoice.
#[derive(Debug, Clone)]
pub enum Outcome {
    /// Given a KSeF number.
    Accepted {
        /// Its number.
        ksef: KsefNumber,
    },
    /// Refused with a status code.
    Rejected {
        /// 405, 410, 415, 430, 435, 440, 450, 500, 550.
        code: i32,
        /// Details.
        details: Vec<String>,
        /// 440: the original's numbers.
        extensions: Option<BTreeMap<String, Option<String>>>,
    },
}

/// An invoice within a session.
#[derive(Debug, Clone)]
pub struct SessionInvoice {
    /// From 1.
    pub ordinal: i32,
    /// `EE` number.
    pub reference: ReferenceNumber,
    /// As declared.
    pub hash: String,
    /// When it was taken for processing.
    pub invoicing_ms: i64,
    /// When processing ends (before: status 150).
    pub ready_ms: i64,
    /// `P_2`, once read.
    pub number: Option<String>,
    /// Batch: its name in the package.
    pub file_name: Option<String>,
    /// The result.
    pub outcome: Outcome,
}

/// A session.
#[derive(Debug)]
pub struct Session {
    /// Online or batch.
    pub kind: SessionKind,
    /// The context NIP.
    pub nip: String,
    /// The login that opened it.
    pub login: ReferenceNumber,
    /// The structure.
    pub form: FormCode,
    /// The AES key; `None` when it did not decrypt to 32 bytes (status 415).
    pub key: Option<[u8; 32]>,
    /// The IV.
    pub iv: [u8; 16],
    /// When it opened.
    pub created_ms: i64,
    /// Last change.
    pub updated_ms: i64,
    /// 12 hours after opening.
    pub valid_until_ms: i64,
    /// When it was closed (by hand or by expiry).
    pub closed_ms: Option<i64>,
    /// Its invoices, in order.
    pub invoices: Vec<SessionInvoice>,
    /// Batch: declared parts `(size, hash)` and the bytes uploaded so far.
    pub parts: Vec<(i64, String, Option<Vec<u8>>)>,
    /// Batch: the declared package hash and size.
    pub package: Option<(i64, String)>,
    /// Batch: every invoice is offline.
    pub offline_mode: bool,
}

/// An accepted invoice, kept with its exact bytes.
#[derive(Debug)]
pub struct StoredInvoice {
    /// Exactly as sent.
    pub bytes: Arc<Vec<u8>>,
    /// Base64 SHA-256 of the bytes.
    pub hash: String,
    /// What it says.
    pub facts: InvoiceFacts,
    /// The session it came in.
    pub session: ReferenceNumber,
    /// When it was taken for processing.
    pub invoicing_ms: i64,
    /// When it got its number.
    pub acquisition_ms: i64,
    /// When it can be downloaded.
    pub storage_ms: i64,
    /// `Online` / `Offline`.
    pub mode: &'static str,
    /// Technical correction of.
    pub hash_of_corrected: Option<String>,
    /// The form code of its session.
    pub form: FormCode,
    /// The context NIP and the token used (for the UPO).
    pub context_nip: String,
    /// The token's `EC` number.
    pub token_reference: Option<ReferenceNumber>,
}

/// An Offline certificate the emulator issued (KOD II).
#[derive(Debug, Clone)]
pub struct OfflineCertificate {
    /// Whose.
    pub nip: String,
    /// SubjectPublicKeyInfo DER.
    pub spki_der: Vec<u8>,
}

/// The world.
#[derive(Debug, Default)]
pub struct State {
    /// By challenge string.
    pub challenges: HashMap<String, Challenge>,
    /// By token string.
    pub tokens: HashMap<String, KsefToken>,
    /// Logins by `AU` number.
    pub logins: HashMap<ReferenceNumber, Login>,
    /// Bearer tokens by their string.
    pub bearers: HashMap<String, Bearer>,
    /// Sessions by number.
    pub sessions: HashMap<ReferenceNumber, Session>,
    /// Accepted invoices by KSeF number.
    pub invoices: HashMap<KsefNumber, StoredInvoice>,
    /// (seller NIP, RodzajFaktury, P_2) → the accepted invoice: KSeF's duplicate key.
    pub duplicates: HashMap<(String, String, String), KsefNumber>,
    /// (seller NIP, Base64URL hash) → KSeF number: the QR host's lookup.
    pub by_hash: HashMap<(String, String), KsefNumber>,
    /// Hashes of accepted invoices (a technical correction of one is 21167).
    pub accepted_hashes: HashSet<String>,
    /// Hashes of rejected offline invoices → whether a technical correction was accepted.
    pub rejected_offline: HashMap<String, bool>,
    /// Subjects and persons created through `/testdata`.
    pub test_subjects: HashSet<String>,
    /// Contexts blocked through `/testdata/context/block` (logins end with 480).
    pub blocked: HashSet<String>,
    /// Persons marked deceased (470 / 21308).
    pub deceased: HashSet<String>,
    /// Subjects that opted in to attachments.
    pub attachments_allowed: HashSet<String>,
    /// Offline certificates by serial (16 uppercase hex).
    pub offline_certificates: HashMap<String, OfflineCertificate>,
    /// Invoices to reject next, with the status to give them (the `reject_next` fault).
    pub reject_next: Vec<i32>,
}
