//! The command line: every subcommand and its arguments (clap), read by `main`.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

/// allegro-bridge: Allegro orders, invoices and shipping for Polish sellers.
#[derive(Debug, Parser)]
#[command(name = "allegro-bridge", version, about)]
pub(crate) struct Cli {
    /// Log as JSON lines instead of text.
    #[arg(long, global = true, env = "ALLEGRO_BRIDGE_LOG_JSON")]
    pub(crate) log_json: bool,
    #[command(subcommand)]
    pub(crate) command: Command,
}

/// Where the data is and how secrets are sealed.
#[derive(Debug, Clone, Args)]
pub struct StoreArgs {
    /// Database: `sqlite:path/file.db` (default, embedded) or `postgres://user:pass@host/db`.
    #[arg(long, env = "ALLEGRO_BRIDGE_DATABASE", default_value = "sqlite:allegro-bridge.db")]
    pub database: String,
    /// File with the 32-byte encryption key (hex) for tokens and secrets; created (mode
    /// 0600) if missing and the database holds no secrets yet. Lines `N:hex` add older keys
    /// for rotation; the first line seals. Refused when others may read it.
    #[arg(long, env = "ALLEGRO_BRIDGE_KEY_FILE", default_value = "allegro-bridge.key")]
    pub key_file: PathBuf,
    /// Create a new key file although the database holds secrets sealed with a lost key
    /// (they stay unreadable: every Allegro account must be linked again).
    #[arg(long)]
    pub new_key: bool,
}

/// How the server is reached and the operator's Allegro app.
#[derive(Debug, Clone, Args)]
pub struct ServerArgs {
    /// Base URL sellers use; redirect URIs are built on it. Default: http://<listen>.
    #[arg(long, env = "ALLEGRO_BRIDGE_PUBLIC_URL")]
    pub public_url: Option<String>,
    /// Client ID of the operator's app ("Połącz konto Allegro" without an own app).
    #[arg(long, env = "ALLEGRO_BRIDGE_SERVICE_CLIENT_ID")]
    pub service_client_id: Option<String>,
    /// Client Secret of the operator's app.
    #[arg(long, env = "ALLEGRO_BRIDGE_SERVICE_CLIENT_SECRET", hide_env_values = true)]
    pub service_client_secret: Option<String>,
    /// Environment of the operator's app: production, sandbox, or custom with the URLs below.
    #[arg(long, env = "ALLEGRO_BRIDGE_SERVICE_ENVIRONMENT", default_value = "production")]
    pub service_environment: String,
    /// Auth host of a custom environment.
    #[arg(long, env = "ALLEGRO_BRIDGE_SERVICE_AUTH_URL")]
    pub service_auth_url: Option<String>,
    /// API host of a custom environment.
    #[arg(long, env = "ALLEGRO_BRIDGE_SERVICE_API_URL")]
    pub service_api_url: Option<String>,
    /// Mark cookies Secure (set when served over HTTPS).
    #[arg(long, env = "ALLEGRO_BRIDGE_SECURE_COOKIES")]
    pub secure_cookies: bool,
    /// Seconds between background cycles (token refreshes).
    #[arg(long, env = "ALLEGRO_BRIDGE_WORKER_INTERVAL", default_value_t = 20)]
    pub worker_interval_seconds: u64,
    /// How long one process may hold an account's refresh lease; a crashed holder's lease
    /// frees after this.
    #[arg(long, env = "ALLEGRO_BRIDGE_REFRESH_LEASE", default_value_t = 60)]
    pub refresh_lease_seconds: i64,
    /// NBP's rates service for foreign-currency invoices (rates are stored once fetched);
    /// `off` to use only rates loaded with `rates load`.
    #[arg(long, env = "ALLEGRO_BRIDGE_NBP_URL", default_value = "https://api.nbp.pl")]
    pub nbp_url: String,
    /// Seconds between journal reads of an account that just had new events.
    #[arg(long, env = "ALLEGRO_BRIDGE_POLL_BUSY", default_value_t = 20)]
    pub poll_busy_seconds: i64,
    /// Longest wait between journal reads of a quiet account (bounds how late a new order
    /// shows up).
    #[arg(long, env = "ALLEGRO_BRIDGE_POLL_MAX", default_value_t = 90)]
    pub poll_max_seconds: i64,
    /// How long a worker holds an invoice it is sending to Allegro; after a crash another
    /// worker sends it once this has passed.
    #[arg(long, env = "ALLEGRO_BRIDGE_UPLOAD_LEASE", default_value_t = 120)]
    pub upload_lease_seconds: i64,
    /// How long an invoice's PDF waits for its KSeF number before it goes to the Allegro
    /// order without one (labelled OFFLINE), so the buyer's copy carries the number.
    #[arg(long, env = "ALLEGRO_BRIDGE_KSEF_UPLOAD_WAIT", default_value_t = 600)]
    pub ksef_upload_wait_seconds: i64,
    /// How long a worker holds the invoices it is sending to KSeF; after a crash another
    /// worker takes them over once this has passed.
    #[arg(long, env = "ALLEGRO_BRIDGE_KSEF_LEASE", default_value_t = 300)]
    pub ksef_lease_seconds: i64,
    /// How long KSeF may fail to answer before it counts as unavailable: invoices are then
    /// issued in offline mode (art. 106nh) and sent as soon as it answers again.
    #[arg(long, env = "ALLEGRO_BRIDGE_KSEF_OFFLINE_AFTER", default_value_t = 300)]
    pub ksef_offline_after_seconds: i64,
    /// Let sellers point a connection at their own Allegro URLs (public hosts only, unless
    /// `--allow-private-allegro-urls`). Off by default: sellers choose production or sandbox.
    #[arg(long, env = "ALLEGRO_BRIDGE_ALLOW_CUSTOM_ALLEGRO_URLS")]
    pub allow_custom_allegro_urls: bool,
    /// Also allow custom Allegro URLs on loopback, link-local and private addresses (an
    /// emulator on this machine). Never on a server sellers you do not trust can reach.
    #[arg(long, env = "ALLEGRO_BRIDGE_ALLOW_PRIVATE_ALLEGRO_URLS")]
    pub allow_private_allegro_urls: bool,
    /// Hosts sellers may use in custom Allegro URLs whatever they resolve to
    /// (comma-separated), even when custom URLs are otherwise off.
    #[arg(long, env = "ALLEGRO_BRIDGE_ALLEGRO_URL_HOSTS", value_delimiter = ',')]
    pub allegro_url_hosts: Vec<String>,
    /// Largest order or waybill file a seller may upload, in MB (larger ones are answered
    /// 413 with the limit named).
    #[arg(long, env = "ALLEGRO_BRIDGE_MAX_UPLOAD_MB", default_value_t = 64)]
    pub max_upload_mb: usize,
}

impl ServerArgs {
    /// The polling policy these arguments ask for.
    pub fn poll_policy(&self) -> domain::PollPolicy {
        let base = domain::PollPolicy::default();
        let busy_ms = self.poll_busy_seconds.max(1) * 1000;
        domain::PollPolicy {
            busy_ms,
            max_quiet_ms: (self.poll_max_seconds * 1000).max(busy_ms),
            quiet_step_ms: base.quiet_step_ms.min(busy_ms),
            ..base
        }
    }
}

#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// Run the back-office (UI and /api/v1) and, unless --no-worker, the background worker.
    Serve {
        /// Address to listen on.
        #[arg(long, env = "ALLEGRO_BRIDGE_LISTEN", default_value = "127.0.0.1:8080")]
        listen: String,
        /// Address of the admin listener with /metrics (Prometheus).
        #[arg(long, env = "ALLEGRO_BRIDGE_ADMIN_LISTEN")]
        admin_listen: Option<String>,
        /// Do not run background jobs in this process.
        #[arg(long)]
        no_worker: bool,
        #[command(flatten)]
        store: StoreArgs,
        #[command(flatten)]
        server: ServerArgs,
    },
    /// Run only the background worker (token refreshes); any number may share a PostgreSQL.
    Worker {
        /// Address of the admin listener with /metrics.
        #[arg(long, env = "ALLEGRO_BRIDGE_ADMIN_LISTEN")]
        admin_listen: Option<String>,
        #[command(flatten)]
        store: StoreArgs,
        #[command(flatten)]
        server: ServerArgs,
    },
    /// Create or upgrade the database schema, then exit.
    Migrate {
        #[command(flatten)]
        store: StoreArgs,
    },
    /// Back-office users.
    Users {
        #[command(subcommand)]
        command: UsersCommand,
    },
    /// Linked Allegro accounts.
    Accounts {
        #[command(subcommand)]
        command: AccountsCommand,
    },
    /// Orders: import by purchase date from Allegro, or from a CSV/XML file.
    Orders {
        #[command(subcommand)]
        command: OrdersCommand,
    },
    /// NBP exchange rates for foreign-currency invoices.
    Rates {
        #[command(subcommand)]
        command: RatesCommand,
    },
    /// Invoices: export.
    Invoices {
        #[command(subcommand)]
        command: InvoicesCommand,
    },
    /// Waybills (tracking numbers): add one, or a CSV of them; the worker sends them to
    /// Allegro.
    Shipments {
        #[command(subcommand)]
        command: ShipmentsCommand,
    },
    /// The organisation's KSeF settings: the token (from standard input), the check.
    Ksef {
        #[command(subcommand)]
        command: crate::ksef::KsefCommand,
    },
    /// API keys for /api/v1.
    ApiKeys {
        #[command(subcommand)]
        command: crate::api_keys::ApiKeysCommand,
    },
    /// Run the offline Allegro emulator (auth host, API host, developer portal, control API).
    Emulator {
        /// Address to listen on (auth and API paths).
        #[arg(long, default_value = "127.0.0.1:8090")]
        listen: String,
        /// A second address, e.g. to give the auth host its own port as allegro.pl has.
        #[arg(long)]
        auth_listen: Option<String>,
        /// Seed of every random choice.
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Also create a demo seller with offers and orders.
        #[arg(long)]
        with_demo_data: bool,
    },
    /// Run the offline KSeF 2.0 emulator (API under /v2, QR host, test data, control API).
    KsefEmulator {
        /// Address to listen on.
        #[arg(long, default_value = "127.0.0.1:8091")]
        listen: String,
        /// Behave like KSeF TEST (`test`) or production (`prod`: NIP checksums, FA(3) only).
        #[arg(long, default_value = "test")]
        profile: String,
        /// Create a KSeF token with InvoiceWrite and InvoiceRead for this NIP and print it.
        #[arg(long)]
        token_for_nip: Option<String>,
    },
    /// Benchmarks (figures go to docs/BENCHMARKS.md).
    Bench {
        #[command(subcommand)]
        target: BenchTarget,
    },
    /// The product on the built-in emulator: back-office, emulator, demo seller and orders,
    /// SQLite in --data. Prints the URLs and logins.
    Demo {
        /// Address of the back-office.
        #[arg(long, default_value = "127.0.0.1:8080")]
        listen: String,
        /// Address of the emulated Allegro.
        #[arg(long, default_value = "127.0.0.1:8090")]
        emulator_listen: String,
        /// Address of the emulated KSeF.
        #[arg(long, default_value = "127.0.0.1:8091")]
        ksef_listen: String,
        /// Data folder (SQLite file and key; the demo database is recreated on each start).
        #[arg(long, default_value = "allegro-bridge-demo")]
        data: PathBuf,
    },
}

#[derive(Debug, Subcommand)]
pub(crate) enum UsersCommand {
    /// Create a user; with --organisation-name also its organisation (first run).
    Create {
        /// E-mail (the login).
        #[arg(long)]
        email: String,
        /// Organisation id to add the user to; default: the only organisation.
        #[arg(long)]
        organisation: Option<String>,
        /// Create a new organisation with this name for the user.
        #[arg(long, conflicts_with = "organisation")]
        organisation_name: Option<String>,
        /// Read the password from standard input (otherwise ALLEGRO_BRIDGE_PASSWORD).
        #[arg(long)]
        password_stdin: bool,
        #[command(flatten)]
        store: StoreArgs,
    },
}

#[derive(Debug, Subcommand)]
pub(crate) enum AccountsCommand {
    /// Link an Allegro account from a terminal with the device flow: prints a page and a
    /// code to enter there, waits for "Tak, powiąż", stores the account.
    Link {
        /// Use the device flow (the connection's app must be registered as "no browser").
        #[arg(long)]
        device: bool,
        /// Connection id (see `GET /api/v1/connections`).
        #[arg(long)]
        connection: String,
        /// Organisation id; default: the only organisation.
        #[arg(long)]
        organisation: Option<String>,
        #[command(flatten)]
        store: StoreArgs,
    },
}

#[derive(Debug, Subcommand)]
pub(crate) enum OrdersCommand {
    /// Import an account's orders bought in a date range from Allegro, with a progress
    /// bar; run again after a crash or Ctrl+C to resume. Allegro keeps 12 months.
    Import {
        /// The Allegro login of a linked account.
        #[arg(long)]
        account: String,
        /// Purchase date from, YYYY-MM-DD (inclusive).
        #[arg(long)]
        from: String,
        /// Purchase date to, YYYY-MM-DD (inclusive).
        #[arg(long)]
        to: String,
        /// Organisation id; default: the only organisation.
        #[arg(long)]
        organisation: Option<String>,
        #[command(flatten)]
        store: StoreArgs,
    },
    /// Import orders from a CSV or XML file (layout: docs/IMPORT.md) into a linked
    /// account; a file with any problem stores nothing and every problem is listed.
    ImportFile {
        /// The file (.csv or .xml).
        path: PathBuf,
        /// The Allegro login of the linked account the orders belong to.
        #[arg(long)]
        account: String,
        /// auto (UTF-8, else Windows-1250), utf-8 or windows-1250.
        #[arg(long, default_value = "auto")]
        encoding: String,
        /// Organisation id; default: the only organisation.
        #[arg(long)]
        organisation: Option<String>,
        #[command(flatten)]
        store: StoreArgs,
    },
}

#[derive(Debug, Subcommand)]
pub(crate) enum RatesCommand {
    /// Loads NBP table-A mid rates from a file, one `currency;YYYY-MM-DD;rate;table` per
    /// line (for servers that cannot reach api.nbp.pl); a bad line stores nothing.
    Load {
        /// The file.
        path: PathBuf,
        #[command(flatten)]
        store: StoreArgs,
    },
}

#[derive(Debug, Subcommand)]
pub(crate) enum InvoicesCommand {
    /// Writes every invoice issued from–to (YYYY-MM-DD, inclusive) as FA(3) XML into a
    /// folder, one file per invoice named by its number.
    Export {
        /// Issue date from.
        #[arg(long)]
        from: String,
        /// Issue date to.
        #[arg(long)]
        to: String,
        /// Folder to write to (created if missing).
        #[arg(long, default_value = "faktury")]
        out: PathBuf,
        /// Language of the PDFs: pl or en.
        #[arg(long, default_value = "pl")]
        lang: String,
        /// Organisation id; default: the only organisation.
        #[arg(long)]
        organisation: Option<String>,
        #[command(flatten)]
        store: StoreArgs,
    },
}

#[derive(Debug, Subcommand)]
pub(crate) enum ShipmentsCommand {
    /// Adds a waybill to an order (checked against Allegro's carriers and the order).
    Add {
        /// The order (Allegro checkout form id).
        #[arg(long)]
        order: String,
        /// Allegro carrier id: INPOST, DPD, DHL, POCZTA_POLSKA, OTHER…
        #[arg(long)]
        carrier: String,
        /// The tracking number (at most 64 characters).
        #[arg(long)]
        waybill: String,
        /// The carrier's name, for OTHER (at most 30 characters).
        #[arg(long)]
        carrier_name: Option<String>,
        /// A line item id the parcel carries (repeat it); none: the whole order.
        #[arg(long = "line-item")]
        line_items: Vec<String>,
        /// Organisation id; default: the only organisation.
        #[arg(long)]
        organisation: Option<String>,
        #[command(flatten)]
        store: StoreArgs,
    },
    /// Adds the waybills of a CSV file, one `order id;carrier;waybill` a line (a fourth
    /// column: the carrier's name for OTHER); a file with any problem adds nothing.
    Import {
        /// The file.
        path: PathBuf,
        /// auto (UTF-8, else Windows-1250), utf-8 or windows-1250.
        #[arg(long, default_value = "auto")]
        encoding: String,
        /// Organisation id; default: the only organisation.
        #[arg(long)]
        organisation: Option<String>,
        #[command(flatten)]
        store: StoreArgs,
    },
}

#[derive(Debug, Subcommand)]
pub(crate) enum BenchTarget {
    /// Peak memory of importing a big CSV file, and another organisation's writes meanwhile.
    Upload {
        /// Size of the file, in MB.
        #[arg(long, default_value_t = 64)]
        megabytes: usize,
    },
    /// Emulator requests/s on loopback (`/me`, full order pages) and memory with orders loaded.
    Emulator {
        /// Orders to load.
        #[arg(long, default_value_t = 100_000)]
        orders: usize,
        /// Seconds per measurement.
        #[arg(long, default_value_t = 10)]
        seconds: u64,
        /// Concurrent connections.
        #[arg(long, default_value_t = 32)]
        connections: usize,
    },
    /// Orders per second imported from Allegro (by purchase date) and from a CSV file;
    /// Allegro requests per order; memory.
    Import {
        /// Orders on Allegro (and rows in the file).
        #[arg(long, default_value_t = 10_000)]
        orders: usize,
    },
    /// Polling: a simulation of many accounts on one Client ID (requests/min, new-order
    /// latency) and real journal requests per idle account and per changed order.
    Sync {
        /// Accounts in the simulation.
        #[arg(long, default_value_t = 10_000)]
        accounts: usize,
        /// Simulated minutes.
        #[arg(long, default_value_t = 60)]
        minutes: i64,
        /// Accounts linked for real against the emulator.
        #[arg(long, default_value_t = 200)]
        real_accounts: usize,
    },
    /// Invoices: FA(3) XML per second, issued per second end to end, payment → invoice.
    Invoices {
        /// Invoices to make.
        #[arg(long, default_value_t = 2_000)]
        count: usize,
    },
    /// Waybills pushed to Allegro per second within its 50 requests/s shipments limit.
    Shipments {
        /// Waybills to push.
        #[arg(long, default_value_t = 1_000)]
        count: usize,
    },
    /// Invoices through the product to KSeF (production limits, network latency): one at
    /// a time → its KSeF number (p50/p95), and a burst issued at once → all numbered.
    KsefSend {
        /// Invoices issued at once.
        #[arg(long, default_value_t = 10_000)]
        count: usize,
        /// Network latency the emulator adds to every call, in milliseconds.
        #[arg(long, default_value_t = 30)]
        latency_ms: u64,
    },
    /// KSeF: invoices the emulator accepts per second with validation on, and the
    /// client's throughput against production limits (with network latency).
    Ksef {
        /// Invoices for the emulator's own throughput.
        #[arg(long, default_value_t = 2_000)]
        count: usize,
        /// Simulated minutes of sending against production limits (clock advanced).
        #[arg(long, default_value_t = 70)]
        minutes: u64,
        /// Network latency the emulator adds to every call, in milliseconds.
        #[arg(long, default_value_t = 30)]
        latency_ms: u64,
    },
    /// Memory of `serve` with many linked idle accounts; time to refresh them all.
    Refresh {
        /// Accounts to link.
        #[arg(long, default_value_t = 1000)]
        accounts: usize,
    },
}
