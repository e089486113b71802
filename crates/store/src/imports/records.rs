use domain::{AccountId, ImportId, OrganisationId};

use crate::{OrderRecord, UpsertCounts};

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
    pub id: ImportId,
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
