use domain::{AccountId, AccountStatus, ApiKeyId, ConnectionId, ConnectionMode, Environment, OrganisationId, UserId};

/// Bytes sealed by the application's cipher (key id, nonce, ciphertext). The store never
/// sees a token or a secret in clear.
#[derive(Clone, PartialEq, Eq)]
pub struct Sealed(pub Vec<u8>);

impl std::fmt::Debug for Sealed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Sealed({} bytes)", self.0.len())
    }
}

/// An organisation (tenant).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Organisation {
    /// Id.
    pub id: OrganisationId,
    /// Display name.
    pub name: String,
    /// Created.
    pub created_at_ms: i64,
}

/// A back-office user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    /// Id.
    pub id: UserId,
    /// Organisation.
    pub organisation_id: OrganisationId,
    /// E-mail, lower-cased; the login.
    pub email: String,
    /// Argon2id PHC string.
    pub password_hash: String,
    /// Created.
    pub created_at_ms: i64,
}

/// A login session. The cookie holds a random token; the store keeps its SHA-256.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    /// SHA-256 of the cookie value, hex.
    pub id_hash: String,
    /// User.
    pub user_id: UserId,
    /// The user's organisation.
    pub organisation_id: OrganisationId,
    /// The user's e-mail (shown in the header).
    pub email: String,
    /// Per-session CSRF token.
    pub csrf_token: String,
    /// Expiry.
    pub expires_at_ms: i64,
}

/// An API key for `/api/v1`. Only its hash is stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiKey {
    /// Id.
    pub id: ApiKeyId,
    /// Organisation.
    pub organisation_id: OrganisationId,
    /// Name given at creation.
    pub name: String,
    /// SHA-256 of the key, hex.
    pub key_hash: String,
    /// First characters, to recognise it in lists.
    pub prefix: String,
    /// Created.
    pub created_at_ms: i64,
    /// Last time a request used it (to the minute).
    pub last_used_at_ms: Option<i64>,
}

/// A sealed value as stored, with what it belongs to: the key-ring check at start opens one
/// value per key id.
#[derive(Debug, Clone)]
pub struct StoredSecret {
    /// The value's purpose as the application seals it (e.g. `connection:{id}:secret`).
    pub purpose: String,
    /// The sealed bytes.
    pub sealed: Sealed,
}

/// Failed logins counted for one account or address.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LoginFailures {
    /// Failures since the count last started.
    pub failures: i64,
    /// The latest failure.
    pub last_failure_ms: i64,
}

/// A connection: the OAuth app accounts are linked through.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Connection {
    /// Id; also the last segment of its unique redirect URI.
    pub id: ConnectionId,
    /// Organisation.
    pub organisation_id: OrganisationId,
    /// Own app or the service app.
    pub mode: ConnectionMode,
    /// Production, sandbox or custom URLs.
    pub environment: Environment,
    /// Auth host base URL.
    pub auth_url: String,
    /// API host base URL.
    pub api_url: String,
    /// Client ID (own app, once pasted).
    pub client_id: Option<String>,
    /// Client Secret, sealed (own app, once pasted).
    pub client_secret: Option<Sealed>,
    /// Created.
    pub created_at_ms: i64,
    /// Updated.
    pub updated_at_ms: i64,
}

/// A pending OAuth authorization: `state` is single use, bound to the user's session and
/// the connection, and expires.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OAuthState {
    /// SHA-256 of the `state` value, hex.
    pub state_hash: String,
    /// Organisation.
    pub organisation_id: OrganisationId,
    /// Connection.
    pub connection_id: ConnectionId,
    /// SHA-256 of the session that started it (the callback must come from the same one).
    pub session_hash: String,
    /// The PKCE verifier, sealed.
    pub pkce_verifier: Sealed,
    /// When re-linking: the account that must come back with the same Allegro user.
    pub relink_account_id: Option<AccountId>,
    /// Expiry.
    pub expires_at_ms: i64,
}

/// What `take_oauth_state` found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StateLookup {
    /// First use, not expired.
    Valid(OAuthState),
    /// Already used.
    Used,
    /// Expired.
    Expired,
    /// Never issued.
    Unknown,
}

/// Tokens as stored: sealed, with their expiries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenPair {
    /// Access token, sealed.
    pub access_token: Sealed,
    /// Refresh token, sealed.
    pub refresh_token: Sealed,
    /// Access-token expiry.
    pub access_expires_at_ms: i64,
    /// Refresh-token expiry.
    pub refresh_expires_at_ms: i64,
}

/// The result of a successful authorization, to store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewLink {
    /// Id for a new account (unused when the account exists).
    pub account_id: AccountId,
    /// Organisation.
    pub organisation_id: OrganisationId,
    /// Connection.
    pub connection_id: ConnectionId,
    /// Allegro user id (from `/me`, equal to the token's `user_name`).
    pub allegro_user_id: String,
    /// Login from `/me`.
    pub login: String,
    /// Granted scopes, space-separated.
    pub scopes: String,
    /// Tokens.
    pub tokens: TokenPair,
    /// Now.
    pub now_ms: i64,
}

/// What `link_account` did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LinkResult {
    /// A new account.
    Created(AccountId),
    /// The connection already had this Allegro user: its tokens were replaced.
    Updated(AccountId),
}

/// A linked Allegro account (tokens stay sealed).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Account {
    /// Id.
    pub id: AccountId,
    /// Organisation.
    pub organisation_id: OrganisationId,
    /// Connection.
    pub connection_id: ConnectionId,
    /// Allegro user id.
    pub allegro_user_id: String,
    /// Allegro login.
    pub login: String,
    /// Status.
    pub status: AccountStatus,
    /// Why it needs a new login, in words for the seller.
    pub status_reason: Option<String>,
    /// Granted scopes, space-separated.
    pub scopes: String,
    /// Tokens, while linked.
    pub tokens: Option<TokenPair>,
    /// Last successful refresh.
    pub last_refresh_at_ms: Option<i64>,
    /// Last successful sync.
    pub last_sync_at_ms: Option<i64>,
    /// Linked.
    pub created_at_ms: i64,
    /// Updated.
    pub updated_at_ms: i64,
}

/// A job to enqueue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewJob {
    /// Kind, e.g. `refresh_token`.
    pub kind: String,
    /// At most one queued or running job per (kind, dedup key).
    pub dedup_key: String,
    /// JSON payload.
    pub payload: String,
    /// Not before.
    pub run_at_ms: i64,
    /// Attempts before it is dead.
    pub max_attempts: i32,
}

/// A claimed job.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Job {
    /// Id.
    pub id: i64,
    /// Kind.
    pub kind: String,
    /// Dedup key.
    pub dedup_key: String,
    /// JSON payload.
    pub payload: String,
    /// Attempts so far, this one included.
    pub attempts: i32,
    /// Attempts allowed.
    pub max_attempts: i32,
}

/// An order as stored: Allegro's checkout form (JSON) and the columns filters use.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrderRecord {
    /// Checkout form id.
    pub id: String,
    /// Organisation.
    pub organisation_id: OrganisationId,
    /// Linked account it came from.
    pub account_id: AccountId,
    /// Allegro status (`READY_FOR_PROCESSING`…).
    pub status: String,
    /// Fulfillment status.
    pub fulfillment_status: Option<String>,
    /// Marketplace id.
    pub marketplace: Option<String>,
    /// Buyer's login.
    pub buyer_login: String,
    /// Purchase time.
    pub bought_at_ms: i64,
    /// Allegro's revision.
    pub revision: Option<String>,
    /// Total to pay in minor units.
    pub total_minor: Option<i64>,
    /// Currency.
    pub currency: String,
    /// The checkout form as Allegro returned it (or as a file described it).
    pub data: String,
    /// Where it came from.
    pub source: OrderSource,
    /// The buyer asked for an invoice.
    pub invoice_required: bool,
}

/// A status an order was seen in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrderChange {
    /// When we first saw it.
    pub seen_at_ms: i64,
    /// Allegro status.
    pub status: String,
    /// Fulfillment status.
    pub fulfillment_status: Option<String>,
    /// Where it came from.
    pub source: OrderSource,
}

/// Where a stored order came from. Allegro's copy always wins over a file's.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum OrderSource {
    /// Sync, reconciliation or an import by purchase date.
    #[default]
    Allegro,
    /// A CSV or XML file.
    File,
}

impl OrderSource {
    /// The stored word.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Allegro => "allegro",
            Self::File => "file",
        }
    }
}

impl std::str::FromStr for OrderSource {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "allegro" => Ok(Self::Allegro),
            "file" => Ok(Self::File),
            other => Err(format!("unknown order source {other:?}")),
        }
    }
}

/// What a batch of upserts did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct UpsertCounts {
    /// Orders not seen before.
    pub new: u64,
    /// Orders whose data changed.
    pub updated: u64,
    /// Orders seen again unchanged.
    pub unchanged: u64,
}

/// Filters of the orders list; `None` means any.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OrderFilter {
    /// Linked account.
    pub account_id: Option<AccountId>,
    /// Allegro status.
    pub status: Option<String>,
    /// Fulfillment status.
    pub fulfillment_status: Option<String>,
    /// Marketplace id.
    pub marketplace: Option<String>,
    /// Buyer login (exact).
    pub buyer_login: Option<String>,
    /// Bought at or after.
    pub bought_from_ms: Option<i64>,
    /// Bought before.
    pub bought_to_ms: Option<i64>,
    /// Only orders whose buyer asked for an invoice (true) or did not (false).
    pub needs_invoice: Option<bool>,
    /// Order of the list.
    pub sort: OrderSort,
}

/// How the orders list is sorted.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum OrderSort {
    /// Newest purchase first.
    #[default]
    BoughtDesc,
    /// Oldest purchase first.
    BoughtAsc,
    /// Largest total first (within a currency; PLN first).
    TotalDesc,
    /// Smallest total first (within a currency; PLN first).
    TotalAsc,
    /// Buyer login A–Z.
    BuyerAsc,
}

impl OrderSort {
    /// Every sort, with the word used in URLs.
    pub const ALL: [(Self, &'static str); 5] = [
        (Self::BoughtDesc, "bought_desc"),
        (Self::BoughtAsc, "bought_asc"),
        (Self::TotalDesc, "total_desc"),
        (Self::TotalAsc, "total_asc"),
        (Self::BuyerAsc, "buyer_asc"),
    ];

    /// The word used in URLs.
    pub fn as_str(self) -> &'static str {
        Self::ALL
            .iter()
            .find(|(s, _)| *s == self)
            .map_or("bought_desc", |(_, w)| w)
    }

    /// Parses the word used in URLs.
    pub fn parse(word: &str) -> Option<Self> {
        Self::ALL.iter().find(|(_, w)| *w == word).map(|(s, _)| *s)
    }
}

/// What an import reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImportKind {
    /// Allegro's orders of one account bought in a date range.
    Allegro,
    /// A CSV file.
    Csv,
    /// An XML file.
    Xml,
}

impl ImportKind {
    /// The stored word.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Allegro => "allegro",
            Self::Csv => "csv",
            Self::Xml => "xml",
        }
    }
}

impl std::str::FromStr for ImportKind {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "allegro" => Ok(Self::Allegro),
            "csv" => Ok(Self::Csv),
            "xml" => Ok(Self::Xml),
            other => Err(format!("unknown import kind {other:?}")),
        }
    }
}

/// Where an import is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImportState {
    /// Waiting for a worker.
    Queued,
    /// Being read (or stopped by a crash; a worker resumes it).
    Running,
    /// Finished.
    Done,
    /// Stopped for good; `error` says why.
    Failed,
}

impl ImportState {
    /// The stored word.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Queued => "queued",
            Self::Running => "running",
            Self::Done => "done",
            Self::Failed => "failed",
        }
    }
}

impl std::str::FromStr for ImportState {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "queued" => Ok(Self::Queued),
            "running" => Ok(Self::Running),
            "done" => Ok(Self::Done),
            "failed" => Ok(Self::Failed),
            other => Err(format!("unknown import state {other:?}")),
        }
    }
}

/// An import and its progress.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Import {
    /// Id (UUID).
    pub id: String,
    /// Organisation.
    pub organisation_id: OrganisationId,
    /// The linked account the orders belong to.
    pub account_id: AccountId,
    /// What it reads.
    pub kind: ImportKind,
    /// The uploaded file's name.
    pub file_name: Option<String>,
    /// Purchase date range (Allegro imports): from, inclusive.
    pub from_ms: Option<i64>,
    /// Purchase date range: to, inclusive.
    pub to_ms: Option<i64>,
    /// State.
    pub state: ImportState,
    /// Where it stands.
    pub progress: ImportProgress,
    /// Orders Allegro reported for the range (for a progress bar), once known.
    pub expected: Option<i64>,
    /// Orders read so far.
    pub fetched: i64,
    /// What the upserts did so far.
    pub counts: UpsertCounts,
    /// Allegro API calls made.
    pub api_calls: i64,
    /// Why it failed.
    pub error: Option<String>,
    /// Created.
    pub created_at_ms: i64,
    /// Last progress.
    pub updated_at_ms: i64,
}

/// The checkpoint of an Allegro import: the range `[from, next_to]` is still to do,
/// newest first; `window_from` (when set) is the window `[window_from, next_to]` being
/// paged, `offset` orders into it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ImportProgress {
    /// Upper end of what is still to do.
    pub next_to_ms: Option<i64>,
    /// Lower end of the window being paged.
    pub window_from_ms: Option<i64>,
    /// Orders of the window already stored.
    pub window_offset: i64,
}

/// One page of an import, committed at once: its orders, the new checkpoint and counts.
#[derive(Debug, Clone)]
pub struct ImportPage<'a> {
    /// The orders.
    pub orders: &'a [OrderRecord],
    /// The checkpoint after this page.
    pub progress: ImportProgress,
    /// Orders Allegro reported for the range, when learnt.
    pub expected: Option<i64>,
    /// API calls this page took.
    pub api_calls: i64,
}

/// An account due for a journal read, claimed with a lease.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyncClaim {
    /// The account.
    pub account_id: AccountId,
    /// Polls in a row that found nothing.
    pub quiet_polls: i64,
    /// Polls in a row that failed.
    pub failures: i64,
}

/// When an account's journal is read next, and why.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SyncSchedule {
    /// Next read at.
    pub next_at_ms: i64,
    /// Polls in a row that found nothing.
    pub quiet_polls: i64,
    /// Polls in a row that failed.
    pub failures: i64,
}

/// An invoice to issue: the store gives it the next number of its series and period in
/// the same transaction, unless the order already has one of this kind.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewInvoice {
    /// Id (UUID).
    pub id: String,
    /// Organisation.
    pub organisation_id: OrganisationId,
    /// The order's account.
    pub account_id: AccountId,
    /// The order.
    pub order_id: String,
    /// `vat` or `correction`.
    pub kind: String,
    /// Numbering pattern.
    pub series: domain::InvoiceSeries,
    /// Issue year (numbering period).
    pub year: i32,
    /// Issue month (numbering period).
    pub month: u8,
    /// Issue date `YYYY-MM-DD`.
    pub issue_date: String,
    /// Currency.
    pub currency: String,
    /// Total gross.
    pub total_minor: i64,
    /// Buyer's name (for the list and search).
    pub buyer_name: String,
    /// The invoice's content (domain::Invoice as JSON; its number is the record's).
    pub document: String,
    /// Whether it goes to the Allegro order (false for orders from files).
    pub upload: bool,
    /// Now.
    pub now_ms: i64,
}

/// An issued invoice.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvoiceRecord {
    /// Id.
    pub id: String,
    /// Organisation.
    pub organisation_id: OrganisationId,
    /// Account.
    pub account_id: AccountId,
    /// Order.
    pub order_id: String,
    /// `vat` or `correction`.
    pub kind: String,
    /// The number, e.g. `FV/7/11/2026`.
    pub number: String,
    /// Issue date.
    pub issue_date: String,
    /// Currency.
    pub currency: String,
    /// Total gross.
    pub total_minor: i64,
    /// Buyer.
    pub buyer_name: String,
    /// Content (JSON).
    pub document: String,
    /// Created.
    pub created_at_ms: i64,
    /// Sending it to the Allegro order.
    pub upload: InvoiceUpload,
}

/// Which invoices a list shows; empty fields do not filter.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct InvoiceFilter {
    /// Part of the number (`FV/12`), matched literally.
    pub number: String,
    /// Part of the buyer's name, any case.
    pub buyer: String,
    /// `vat` or `correction`.
    pub kind: Option<String>,
    /// Issued on or after (`YYYY-MM-DD`).
    pub from: Option<String>,
    /// Issued on or before (`YYYY-MM-DD`).
    pub to: Option<String>,
    /// Where the upload to Allegro stands.
    pub upload: Option<UploadState>,
}

/// Where sending an invoice's PDF to its Allegro order stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UploadState {
    /// To be sent (again after `next_at_ms` when an attempt failed).
    Pending,
    /// Attached to the order.
    Uploaded,
    /// Allegro will not take it (e.g. the order was cancelled); sent again only by hand.
    Refused,
    /// The order did not come from Allegro (a file import).
    NotApplicable,
}

impl UploadState {
    /// The stored word.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Uploaded => "uploaded",
            Self::Refused => "refused",
            Self::NotApplicable => "not_applicable",
        }
    }
}

impl std::str::FromStr for UploadState {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "pending" => Ok(Self::Pending),
            "uploaded" => Ok(Self::Uploaded),
            "refused" => Ok(Self::Refused),
            "not_applicable" => Ok(Self::NotApplicable),
            other => Err(format!("unknown upload state {other:?}")),
        }
    }
}

/// An invoice's upload to Allegro.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvoiceUpload {
    /// Where it stands.
    pub state: UploadState,
    /// Allegro's id of the invoice metadata, once added (`POST …/invoices`).
    pub allegro_invoice_id: Option<String>,
    /// Failed attempts so far.
    pub attempts: i64,
    /// When it is tried next (pending) — or until when a worker holds it.
    pub next_at_ms: i64,
    /// Why the last attempt failed.
    pub error: Option<String>,
    /// When the file was accepted.
    pub uploaded_at_ms: Option<i64>,
}

/// How an upload attempt ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UploadOutcome {
    /// The PDF is attached to the order.
    Uploaded {
        /// When.
        at_ms: i64,
    },
    /// Try again at `next_at_ms`.
    Retry {
        /// When.
        next_at_ms: i64,
        /// Why it failed.
        error: String,
    },
    /// Allegro will not take it; stop trying.
    Refused {
        /// Allegro's reason.
        error: String,
    },
}

impl InvoiceRecord {
    /// A file name for the invoice: its number with `/`, `\` and spaces as `_`, and `ext`.
    pub fn file_name(&self, ext: &str) -> String {
        format!("{}.{ext}", self.number.replace(['/', '\\', ' '], "_"))
    }
}

/// What issuing did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Issued {
    /// A new invoice with the next number.
    New(InvoiceRecord),
    /// The order already had one of this kind; nothing changed.
    Existing(InvoiceRecord),
}

/// An NBP table-A mid rate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredRate {
    /// Currency code.
    pub currency: String,
    /// `YYYY-MM-DD` the table applies to.
    pub effective_date: String,
    /// PLN per unit × 10 000.
    pub rate_e4: i64,
    /// Table number.
    pub table_no: String,
}

/// A waybill (tracking number) added to an order, and where its push to Allegro stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShipmentRecord {
    /// Our id.
    pub id: String,
    /// Organisation.
    pub organisation_id: OrganisationId,
    /// The order's linked account.
    pub account_id: AccountId,
    /// Checkout form id.
    pub order_id: String,
    /// Allegro carrier id (`INPOST`, `OTHER`…).
    pub carrier_id: String,
    /// Name of an `OTHER` carrier.
    pub carrier_name: Option<String>,
    /// Tracking number.
    pub waybill: String,
    /// Allegro line item ids it covers; empty: the whole order.
    pub line_items: Vec<String>,
    /// When it was added.
    pub created_at_ms: i64,
    /// Where the push to Allegro stands.
    pub push: ShipmentPush,
}

/// A waybill's push to Allegro (`POST …/shipments`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShipmentPush {
    /// Where it stands.
    pub state: domain::PushState,
    /// Times it was claimed for a push; above one, an earlier attempt may have reached
    /// Allegro, so the order's shipments are read before posting again.
    pub attempts: i64,
    /// When it is due (also the lease of a claimed push).
    pub next_at_ms: i64,
    /// Why the last attempt failed, in the seller's words.
    pub error: Option<String>,
    /// Allegro's shipment id, once pushed.
    pub allegro_shipment_id: Option<String>,
    /// When it reached Allegro.
    pub pushed_at_ms: Option<i64>,
}

/// A waybill to store.
#[derive(Debug, Clone)]
pub struct NewShipment {
    /// Our id.
    pub id: String,
    /// Organisation.
    pub organisation_id: OrganisationId,
    /// The order's linked account.
    pub account_id: AccountId,
    /// Checkout form id.
    pub order_id: String,
    /// The checked waybill.
    pub waybill: domain::NewWaybill,
    /// When.
    pub created_at_ms: i64,
    /// Whether it goes to Allegro (false for orders from files).
    pub push: bool,
}

/// How a push attempt ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PushOutcome {
    /// On the Allegro order.
    Pushed {
        /// When.
        at_ms: i64,
        /// Allegro's shipment id.
        allegro_shipment_id: Option<String>,
    },
    /// Try again at `next_at_ms`.
    Retry {
        /// When.
        next_at_ms: i64,
        /// Why, in the seller's words.
        error: String,
    },
    /// Allegro will not take it; stop until the seller sends it again.
    Refused {
        /// Allegro's reason, in the seller's words.
        error: String,
    },
}

/// A place goods are kept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Warehouse {
    /// Our id.
    pub id: String,
    /// Organisation.
    pub organisation_id: OrganisationId,
    /// Its name ("Magazyn główny").
    pub name: String,
}

/// A product: one seller SKU (Allegro's offer `external.id`), with its stock per warehouse.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProductStock {
    /// Our id.
    pub id: String,
    /// The seller's SKU.
    pub sku: String,
    /// Its name (the latest offer title seen).
    pub name: String,
    /// Stock per warehouse id (warehouses it never moved in are left out).
    pub stock: Vec<(String, i64)>,
    /// Offers that sell it.
    pub offers: Vec<String>,
}

/// An offer read from Allegro, for the products list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OfferProduct {
    /// Offer id.
    pub offer_id: String,
    /// The seller's SKU (`external.id`).
    pub sku: String,
    /// Offer title.
    pub name: String,
}

/// A line of a goods-issue document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WzLine {
    /// Product.
    pub product_id: String,
    /// Its SKU then.
    pub sku: String,
    /// Its name then.
    pub name: String,
    /// Pieces issued.
    pub quantity: i64,
}

/// A goods-issue document (WZ) for an order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WarehouseDocument {
    /// Our id.
    pub id: String,
    /// Organisation.
    pub organisation_id: OrganisationId,
    /// `WZ`.
    pub kind: String,
    /// `WZ/{n}/{YYYY}`.
    pub number: String,
    /// The order.
    pub order_id: String,
    /// Warehouse the goods left.
    pub warehouse_id: String,
    /// `issued` or `cancelled` (stock given back).
    pub state: String,
    /// What left.
    pub lines: Vec<WzLine>,
    /// When.
    pub issued_at_ms: i64,
    /// When it was cancelled.
    pub cancelled_at_ms: Option<i64>,
}

/// A WZ to issue.
#[derive(Debug, Clone)]
pub struct NewWz {
    /// Our id.
    pub id: String,
    /// Organisation.
    pub organisation_id: OrganisationId,
    /// The order.
    pub order_id: String,
    /// Warehouse.
    pub warehouse_id: String,
    /// Lines (products known).
    pub lines: Vec<WzLine>,
    /// When.
    pub now_ms: i64,
    /// The year it is numbered in.
    pub year: i32,
}

/// One change of stock.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StockMovement {
    /// Our id.
    pub id: String,
    /// Warehouse.
    pub warehouse_id: String,
    /// Product.
    pub product_id: String,
    /// Pieces in (positive) or out (negative).
    pub delta: i64,
    /// `receipt`, `adjustment`, `wz` or `wz_cancelled`.
    pub reason: String,
    /// The document it belongs to.
    pub document_id: Option<String>,
    /// A note (the seller's, or the WZ number).
    pub note: Option<String>,
    /// When.
    pub at_ms: i64,
}

/// A change of stock to write with its movement.
#[derive(Debug, Clone, Copy)]
pub struct StockChange<'a> {
    /// Warehouse.
    pub warehouse_id: &'a str,
    /// Product.
    pub product_id: &'a str,
    /// Pieces in (positive) or out (negative).
    pub delta: i64,
    /// `receipt`, `adjustment`, `wz` or `wz_cancelled`.
    pub reason: &'a str,
    /// The document it belongs to.
    pub document_id: Option<&'a str>,
    /// A note.
    pub note: Option<&'a str>,
    /// When.
    pub at_ms: i64,
}

/// An organisation's warehouse settings.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WarehouseSettings {
    /// The fulfilment status at which an order's WZ is issued; `None`: only by hand.
    pub wz_trigger: Option<String>,
    /// The warehouse goods leave from; `None`: the default one.
    pub warehouse_id: Option<String>,
}

impl WzLine {
    /// The stored form: one line each, `product id TAB quantity TAB sku TAB name`.
    pub fn encode(lines: &[WzLine]) -> String {
        let clean = |s: &str| s.replace(['\t', '\n', '\r'], " ");
        lines
            .iter()
            .map(|l| {
                format!(
                    "{}\t{}\t{}\t{}",
                    l.product_id,
                    l.quantity,
                    clean(&l.sku),
                    clean(&l.name)
                )
            })
            .collect::<Vec<_>>()
            .join("\n")
    }

    /// Reads [`WzLine::encode`]'s form back.
    pub fn decode(text: &str) -> Result<Vec<WzLine>, String> {
        text.lines()
            .filter(|l| !l.is_empty())
            .map(|l| {
                let mut parts = l.splitn(4, '\t');
                let (Some(product_id), Some(quantity), Some(sku), Some(name)) =
                    (parts.next(), parts.next(), parts.next(), parts.next())
                else {
                    return Err(format!("a WZ line of fewer than 4 fields: {l:?}"));
                };
                Ok(WzLine {
                    product_id: product_id.to_owned(),
                    quantity: quantity.parse().map_err(|e| format!("quantity {quantity:?}: {e}"))?,
                    sku: sku.to_owned(),
                    name: name.to_owned(),
                })
            })
            .collect()
    }
}
