//! Request and response bodies, named as in the official OpenAPI document.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::{KsefNumber, ReferenceNumber};

/// What a public key certificate is for: encrypting KSeF tokens or session keys.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum PublicKeyCertificateUsage {
    /// RSA-OAEP of `"{token}|{timestampMs}"` at authentication.
    KsefTokenEncryption,
    /// RSA-OAEP of a session's AES-256 key.
    SymmetricKeyEncryption,
}

/// One of KSeF's public key certificates (`GET /security/public-key-certificates`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PublicKeyCertificate {
    /// X.509 DER, standard Base64, no PEM lines.
    pub certificate: String,
    /// Base64 SHA-256 of the certificate DER.
    pub certificate_id: String,
    /// Base64 SHA-256 of the DER SubjectPublicKeyInfo (44 characters).
    pub public_key_id: String,
    /// RFC 3339.
    pub valid_from: String,
    /// RFC 3339.
    pub valid_to: String,
    /// What the key may be used for.
    pub usage: Vec<PublicKeyCertificateUsage>,
}

/// `POST /auth/challenge` → 200.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AuthenticationChallengeResponse {
    /// 36 characters, valid 10 minutes.
    pub challenge: String,
    /// RFC 3339.
    pub timestamp: String,
    /// The same instant in Unix milliseconds: what the token is encrypted with.
    pub timestamp_ms: i64,
    /// The caller's address as KSeF saw it.
    pub client_ip: String,
}

/// The context an authentication acts in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContextIdentifier {
    /// `Nip`, `InternalId`, `NipVatUe` or `PeppolId`.
    #[serde(rename = "type")]
    pub kind: String,
    /// The identifier.
    pub value: String,
}

impl ContextIdentifier {
    /// A `Nip` context.
    pub fn nip(nip: &str) -> Self {
        Self {
            kind: "Nip".to_owned(),
            value: nip.to_owned(),
        }
    }
}

/// The addresses a login may be used from.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AuthorizationPolicy {
    /// `{ip4Addresses, ip4Ranges, ip4Masks}`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub allowed_ips: Option<AllowedIps>,
}

/// IPv4 allow-list of an authorization policy.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AllowedIps {
    /// Single addresses.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ip4_addresses: Option<Vec<String>>,
    /// `a.b.c.d-e.f.g.h` ranges.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ip4_ranges: Option<Vec<String>>,
    /// `a.b.c.d/nn` masks.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ip4_masks: Option<Vec<String>>,
}

/// `POST /auth/ksef-token` body.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct InitTokenAuthenticationRequest {
    /// From `/auth/challenge`.
    pub challenge: String,
    /// The context.
    pub context_identifier: ContextIdentifier,
    /// Base64 RSA-OAEP-SHA256 of `"{token}|{timestampMs}"`.
    pub encrypted_token: String,
    /// Which `KsefTokenEncryption` key was used.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub public_key_id: Option<String>,
    /// IP restrictions for the tokens this login yields.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub authorization_policy: Option<AuthorizationPolicy>,
}

/// A token and when it stops working.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TokenInfo {
    /// JWT.
    pub token: String,
    /// RFC 3339.
    pub valid_until: String,
}

/// `POST /auth/ksef-token` → 202.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AuthenticationInitResponse {
    /// The operation (`AU`).
    pub reference_number: ReferenceNumber,
    /// Bearer for the status and redeem calls.
    pub authentication_token: TokenInfo,
}

/// A status with code and description.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatusInfo {
    /// e.g. 100, 200, 450.
    pub code: i32,
    /// KSeF's description.
    pub description: String,
    /// More words, e.g. "Token unieważniony".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub details: Option<Vec<String>>,
}

/// How a login was made.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AuthenticationMethodInfo {
    /// `Token`, `XadesSignature`, …
    pub category: String,
    /// e.g. `token`.
    pub code: String,
    /// For people.
    pub display_name: String,
}

/// `GET /auth/{referenceNumber}` → 200.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AuthenticationOperationStatusResponse {
    /// RFC 3339.
    pub start_date: String,
    /// Deprecated by KSeF; still required by the document.
    pub authentication_method: String,
    /// How the login was made.
    pub authentication_method_info: AuthenticationMethodInfo,
    /// 100 in progress, 200 done, 4xx/5xx why not.
    pub status: StatusInfo,
    /// Whether `/auth/token/redeem` was called.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub is_token_redeemed: Option<bool>,
    /// RFC 3339.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_token_refresh_date: Option<String>,
    /// RFC 3339.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refresh_token_valid_until: Option<String>,
}

/// `POST /auth/token/redeem` → 200.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AuthenticationTokensResponse {
    /// Bearer for protected calls (minutes).
    pub access_token: TokenInfo,
    /// Bearer for `/auth/token/refresh` (up to 7 days).
    pub refresh_token: TokenInfo,
}

/// `POST /auth/token/refresh` → 200.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AuthenticationTokenRefreshResponse {
    /// A new access token.
    pub access_token: TokenInfo,
}

/// The structure invoices of a session follow.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FormCode {
    /// e.g. `FA (3)`.
    pub system_code: String,
    /// e.g. `1-0E`.
    pub schema_version: String,
    /// e.g. `FA`.
    pub value: String,
}

impl FormCode {
    /// FA(3), the structure allegro-bridge writes.
    pub fn fa3() -> Self {
        Self {
            system_code: "FA (3)".to_owned(),
            schema_version: "1-0E".to_owned(),
            value: "FA".to_owned(),
        }
    }
}

/// A session's symmetric key, encrypted for KSeF.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EncryptionInfo {
    /// Base64 RSA-OAEP-SHA256 of the 32-byte AES key.
    pub encrypted_symmetric_key: String,
    /// Base64 of the 16-byte IV.
    pub initialization_vector: String,
    /// Which `SymmetricKeyEncryption` key was used.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub public_key_id: Option<String>,
}

/// `POST /sessions/online` body.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OpenOnlineSessionRequest {
    /// The structure.
    pub form_code: FormCode,
    /// The session key.
    pub encryption: EncryptionInfo,
}

/// `POST /sessions/online` → 201.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OpenOnlineSessionResponse {
    /// `SO` number.
    pub reference_number: ReferenceNumber,
    /// RFC 3339; 12 hours after opening.
    pub valid_until: String,
}

/// `POST /sessions/online/{ref}/invoices` body.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SendInvoiceRequest {
    /// Base64 SHA-256 of the XML bytes.
    pub invoice_hash: String,
    /// Length of the XML in bytes.
    pub invoice_size: i64,
    /// Base64 SHA-256 of the ciphertext.
    pub encrypted_invoice_hash: String,
    /// Length of the ciphertext in bytes.
    pub encrypted_invoice_size: i64,
    /// Base64 AES-256-CBC/PKCS#7 ciphertext (no IV prefix).
    pub encrypted_invoice_content: String,
    /// An invoice issued offline.
    #[serde(default)]
    pub offline_mode: bool,
    /// Technical correction: the hash of the rejected offline invoice it replaces.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hash_of_corrected_invoice: Option<String>,
}

/// A reference number answer (`SendInvoiceResponse`, 202).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ReferenceResponse {
    /// The new reference number.
    pub reference_number: ReferenceNumber,
}

/// Status of an invoice, with `extensions` (440: the original's numbers).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InvoiceStatusInfo {
    /// 100, 150, 200, 405, 410, 415, 430, 435, 440, 450, 500, 550.
    pub code: i32,
    /// KSeF's description.
    pub description: String,
    /// What failed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub details: Option<Vec<String>>,
    /// e.g. `originalKsefNumber`, `originalSessionReferenceNumber`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub extensions: Option<BTreeMap<String, Option<String>>>,
}

/// `GET /sessions/{ref}/invoices/{invRef}` → 200 (and an item of the lists).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SessionInvoiceStatusResponse {
    /// Position in the session, from 1.
    pub ordinal_number: i32,
    /// `P_2`, once read.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub invoice_number: Option<String>,
    /// Once accepted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ksef_number: Option<KsefNumber>,
    /// `EE` number.
    pub reference_number: ReferenceNumber,
    /// As sent.
    pub invoice_hash: String,
    /// Batch sessions: the file's name in the package.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub invoice_file_name: Option<String>,
    /// When the KSeF number was given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub acquisition_date: Option<String>,
    /// When KSeF accepted it for processing.
    pub invoicing_date: String,
    /// When it was stored for good.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub permanent_storage_date: Option<String>,
    /// Presigned, no token needed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub upo_download_url: Option<String>,
    /// RFC 3339.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub upo_download_url_expiration_date: Option<String>,
    /// `Online` or `Offline`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub invoicing_mode: Option<String>,
    /// Where it stands.
    pub status: InvoiceStatusInfo,
}

/// A page of a session's invoices.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SessionInvoicesResponse {
    /// Send as `x-continuation-token` for the next page; absent on the last.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub continuation_token: Option<String>,
    /// The invoices.
    pub invoices: Vec<SessionInvoiceStatusResponse>,
}

/// A page of a session's UPO.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UpoPageResponse {
    /// `EU` number.
    pub reference_number: ReferenceNumber,
    /// Presigned, no token needed.
    pub download_url: String,
    /// RFC 3339.
    pub download_url_expiration_date: String,
}

/// The pages of a session's UPO.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct UpoResponse {
    /// One per ≤ 10 000 invoices.
    pub pages: Vec<UpoPageResponse>,
}

/// `GET /sessions/{ref}` → 200.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SessionStatusResponse {
    /// 100 open, 170 closed, 200 processed, 415/440/445 failures.
    pub status: StatusInfo,
    /// RFC 3339.
    pub date_created: String,
    /// RFC 3339.
    pub date_updated: String,
    /// RFC 3339.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub valid_until: Option<String>,
    /// Once processed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub upo: Option<UpoResponse>,
    /// Invoices sent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub invoice_count: Option<i32>,
    /// Accepted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub successful_invoice_count: Option<i32>,
    /// Refused.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub failed_invoice_count: Option<i32>,
}

/// A part of a batch package as declared when the session opens.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BatchFilePartInfo {
    /// From 1.
    pub ordinal_number: i32,
    /// Encrypted size in bytes.
    pub file_size: i64,
    /// Base64 SHA-256 of the encrypted part.
    pub file_hash: String,
}

/// The package of a batch session.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BatchFileInfo {
    /// ZIP size before encryption.
    pub file_size: i64,
    /// Base64 SHA-256 of the ZIP before encryption.
    pub file_hash: String,
    /// The encrypted parts (≤ 50).
    pub file_parts: Vec<BatchFilePartInfo>,
}

/// `POST /sessions/batch` body.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OpenBatchSessionRequest {
    /// The structure.
    pub form_code: FormCode,
    /// The package.
    pub batch_file: BatchFileInfo,
    /// The session key.
    pub encryption: EncryptionInfo,
    /// Invoices issued offline.
    #[serde(default)]
    pub offline_mode: bool,
}

/// Where to PUT one part.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PartUploadRequest {
    /// From 1.
    pub ordinal_number: i32,
    /// `PUT`.
    pub method: String,
    /// Presigned.
    pub url: String,
    /// Headers to send with it.
    pub headers: BTreeMap<String, Option<String>>,
}

/// `POST /sessions/batch` → 201.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OpenBatchSessionResponse {
    /// `SB` number.
    pub reference_number: ReferenceNumber,
    /// One per part.
    pub part_upload_requests: Vec<PartUploadRequest>,
}

/// `POST /tokens` body.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct GenerateTokenRequest {
    /// e.g. `InvoiceWrite`.
    pub permissions: Vec<String>,
    /// 5–256 characters.
    pub description: String,
}

/// `GET /tokens/{referenceNumber}` → 200 (`TokenStatusResponse`; the fields the client
/// reads).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TokenStatusResponse {
    /// `EC` number.
    pub reference_number: ReferenceNumber,
    /// The context the token gives access to.
    pub context_identifier: ContextIdentifier,
    /// e.g. `InvoiceWrite`.
    pub requested_permissions: Vec<String>,
    /// `Pending`, `Active`, `Revoking`, `Revoked`, `Failed`.
    pub status: String,
}

/// `POST /tokens` → 202.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GenerateTokenResponse {
    /// `EC` number.
    pub reference_number: ReferenceNumber,
    /// The token, shown once.
    pub token: String,
}
