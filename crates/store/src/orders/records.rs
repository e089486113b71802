use domain::{AccountId, OrderId, OrderStatus, OrganisationId};

/// An order as stored: Allegro's checkout form (JSON) and the columns filters use.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrderRecord {
    /// Checkout form id.
    pub id: OrderId,
    /// Organisation.
    pub organisation_id: OrganisationId,
    /// Linked account it came from.
    pub account_id: AccountId,
    /// Allegro status (`READY_FOR_PROCESSING`…).
    pub status: OrderStatus,
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
    pub status: OrderStatus,
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
    pub status: Option<OrderStatus>,
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
