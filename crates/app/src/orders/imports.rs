//! Imports: Allegro's orders of one account bought in a date range (seed 004's "Import
//! Allegro": "Login allegro", "Data zakupu od / do"), and orders from CSV or XML files.
//!
//! An Allegro import pages `GET /order/checkout-forms` newest first through windows of
//! at most 10 000 orders (Allegro never serves past offset + limit = 10 000), and commits
//! each page with its checkpoint, so a crash resumes where it stopped and the counts equal
//! an uninterrupted run's.

use allegro_client::types::Instant;
use allegro_client::{CheckoutFormsQuery, MAX_RESULT_WINDOW, ORDER_RETENTION_MS, OrderSort};
use domain::{AccountId, AccountStatus, ImportId, OrganisationId};
use order_files::{Encoding, FileErrors, Format};
use store::{Import, ImportKind, ImportPage, ImportProgress, ImportState, OrderSource, UpsertCounts};

use super::sync::order_record;

/// Orders staged or published per transaction.
const STAGE_CHUNK: usize = 500;
/// A running file import with no step for this long was left by a stopped process.
const STALLED_IMPORT_MS: i64 = 5 * 60_000;
use crate::{App, AppError, CurrentUser, Problem, invalid};

/// Orders per page (Allegro's maximum).
const PAGE: u32 = 100;
const DAY_MS: i64 = 86_400_000;

/// A purchase-date range as the seller gives it: `YYYY-MM-DD` to `YYYY-MM-DD`, whole days
/// (Polish calendar days, Europe/Warsaw, as the orders list shows times), both inclusive.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DateRange {
    /// First millisecond.
    pub from_ms: i64,
    /// Last millisecond of the last day.
    pub to_ms: i64,
}

/// A typed Polish calendar day (`2026-02-31` refused).
fn polish_day(field: &'static str, raw: &str) -> Result<jiff::civil::Date, AppError> {
    domain::time::parse_day(raw)
        .map_err(|_| invalid(field, Problem::new("problem-not-a-date").arg("value", raw.trim())))
}

impl DateRange {
    /// Parses and checks a range against `now_ms`: not reversed, not in the future, and
    /// not older than Allegro keeps orders (12 months).
    pub fn parse(from: &str, to: &str, now_ms: i64) -> Result<Self, AppError> {
        // Polish calendar days, from the first millisecond of `from` to the last of `to`.
        let from_ms = domain::time::polish_day_start_ms(polish_day("from", from)?);
        let to_ms = domain::time::polish_day_end_ms(polish_day("to", to)?) - 1;
        if to_ms < from_ms {
            return Err(invalid("to", "problem-range-reversed"));
        }
        if from_ms > now_ms {
            return Err(invalid("from", "problem-range-future"));
        }
        let oldest = now_ms - ORDER_RETENTION_MS;
        if from_ms < oldest {
            let earliest = domain::time::polish_day_text(oldest + DAY_MS);
            return Err(invalid(
                "from",
                Problem::new("problem-range-too-old").arg("earliest", earliest),
            ));
        }
        Ok(Self { from_ms, to_ms })
    }
}

/// Why an import stopped.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    /// The file was refused; nothing was stored.
    #[error(transparent)]
    File(#[from] FileErrors),
    /// Anything else.
    #[error(transparent)]
    App(#[from] AppError),
}

fn new_import(org: &OrganisationId, account: &AccountId, kind: ImportKind, now: i64) -> Import {
    Import {
        id: ImportId::from_stored(uuid::Uuid::new_v4().to_string()),
        organisation_id: org.clone(),
        account_id: account.clone(),
        kind,
        file_name: None,
        from_ms: None,
        to_ms: None,
        state: ImportState::Queued,
        progress: ImportProgress::default(),
        expected: None,
        fetched: 0,
        counts: UpsertCounts::default(),
        api_calls: 0,
        error: None,
        created_at_ms: now,
        updated_at_ms: now,
    }
}

impl App {
    async fn importable_account(&self, org: &OrganisationId, account: &AccountId) -> Result<(), AppError> {
        let a = self.store.account(org, account).await?.ok_or(AppError::NotFound)?;
        if a.status != AccountStatus::Active {
            return Err(invalid(
                "account",
                Problem::new("problem-import-needs-relogin").arg("login", &a.login),
            ));
        }
        Ok(())
    }

    /// Queues an import of the account's orders bought in `from`–`to` (`YYYY-MM-DD`); a
    /// worker runs it. An unfinished import of the same range is returned instead of a
    /// second one.
    pub async fn start_import(
        &self,
        user: &CurrentUser,
        account: &AccountId,
        from: &str,
        to: &str,
    ) -> Result<Import, AppError> {
        let range = DateRange::parse(from, to, self.now_ms())?;
        self.create_import(&user.organisation_id, account, range, true).await
    }

    /// Creates (or finds unfinished) an Allegro import of `range`; with `queue`, a worker
    /// job runs it, otherwise the caller does ([`App::run_import`]).
    pub async fn create_import(
        &self,
        org: &OrganisationId,
        account: &AccountId,
        range: DateRange,
        queue: bool,
    ) -> Result<Import, AppError> {
        self.importable_account(org, account).await?;
        if let Some(existing) = self
            .store
            .unfinished_import(account, range.from_ms, range.to_ms)
            .await?
        {
            return Ok(existing);
        }
        let now = self.now_ms();
        let mut import = new_import(org, account, ImportKind::Allegro, now);
        import.from_ms = Some(range.from_ms);
        import.to_ms = Some(range.to_ms);
        // Orders after now do not exist yet; the range itself is kept as asked, so the
        // same request finds this import again to resume it.
        import.progress.next_to_ms = Some(range.to_ms.min(now));
        let job = queue.then(|| {
            crate::worker::JobPayload::ImportOrders {
                import_id: import.id.clone(),
            }
            .job(import.id.as_str(), now, 20)
        });
        self.store.create_import(&import, job.as_ref()).await?;
        Ok(import)
    }

    /// One import of the organisation.
    pub async fn import(&self, user: &CurrentUser, id: &ImportId) -> Result<Import, AppError> {
        self.store
            .import(&user.organisation_id, id)
            .await?
            .ok_or(AppError::NotFound)
    }

    /// The organisation's latest imports.
    pub async fn imports(&self, user: &CurrentUser) -> Result<Vec<Import>, AppError> {
        Ok(self.store.imports(&user.organisation_id, 20).await?)
    }

    /// Runs (or resumes) an Allegro import to its end, calling `progress` after each
    /// committed page (return false to stop, e.g. when a job lease was lost). A failure
    /// that will not pass (the account needs a new login) ends the import as failed; any
    /// other is returned and the import can be resumed.
    pub async fn run_import(
        &self,
        id: &ImportId,
        progress: impl FnMut(&Import) -> bool + Send,
    ) -> Result<Import, AppError> {
        self.import_pages(id, None, progress).await
    }

    #[tracing::instrument(name = "import", skip_all, fields(import_id = %id))]
    pub(crate) async fn import_pages(
        &self,
        id: &ImportId,
        lease: Option<JobLease<'_>>,
        mut progress: impl FnMut(&Import) -> bool + Send,
    ) -> Result<Import, AppError> {
        let mut import = self.store.import_for_worker(id).await?.ok_or(AppError::NotFound)?;
        if matches!(import.state, ImportState::Done | ImportState::Failed) || import.kind != ImportKind::Allegro {
            return Ok(import);
        }
        let account = self
            .store
            .account_for_worker(&import.account_id)
            .await?
            .ok_or(AppError::NotFound)?;
        if account.status != AccountStatus::Active {
            let why = Problem::new("problem-import-needs-relogin").arg("login", &account.login);
            self.store
                .finish_import(id, ImportState::Failed, Some(&why.to_stored()), self.now_ms())
                .await?;
            return Err(invalid("account", why));
        }
        let (org, account_id) = (account.organisation_id.clone(), account.id.clone());
        let access = self.account_api(account).await?;
        let allegro = access.rest();
        let from = import.from_ms.unwrap_or(0);
        let fail =
            |e: allegro_client::AllegroError| AppError::Internal(anyhow::Error::new(e).context("importing orders"));
        while let Some(hi) = import.progress.next_to_ms.filter(|hi| *hi >= from) {
            let mut calls = 0;
            let mut expected = None;
            // The window [lo, hi]: resumed, or the widest one Allegro can page (≤ 10 000).
            let (lo, offset, first) = match import.progress.window_from_ms {
                Some(lo) => (lo, import.progress.window_offset, None),
                None => {
                    let mut lo = from;
                    loop {
                        let page = allegro.checkout_forms(&query(lo, hi, 0)).await.map_err(fail)?;
                        calls += 1;
                        if import.expected.is_none() && expected.is_none() {
                            expected = Some(page.total_count);
                        }
                        if page.total_count <= i64::from(MAX_RESULT_WINDOW) || lo >= hi {
                            break (lo, 0, Some(page));
                        }
                        lo += (hi - lo) / 2 + 1;
                    }
                }
            };
            let mut offset = offset;
            let mut pending = first;
            loop {
                let page = match pending.take() {
                    Some(p) => p,
                    None => {
                        calls += 1;
                        allegro
                            .checkout_forms(&query(lo, hi, offset as u32))
                            .await
                            .map_err(fail)?
                    }
                };
                let records = page
                    .checkout_forms
                    .iter()
                    .map(|f| order_record(&org, &account_id, f))
                    .collect::<Result<Vec<_>, _>>()?;
                offset += records.len() as i64;
                let window_done = records.is_empty()
                    || offset >= page.total_count
                    || offset + i64::from(PAGE) > i64::from(MAX_RESULT_WINDOW);
                let checkpoint = if window_done {
                    ImportProgress {
                        next_to_ms: Some(lo - 1),
                        window_from_ms: None,
                        window_offset: 0,
                    }
                } else {
                    ImportProgress {
                        next_to_ms: Some(hi),
                        window_from_ms: Some(lo),
                        window_offset: offset,
                    }
                };
                self.store
                    .save_import_page(
                        id,
                        &ImportPage {
                            orders: &records,
                            progress: checkpoint,
                            expected: expected.take(),
                            api_calls: std::mem::take(&mut calls),
                        },
                        self.now_ms(),
                    )
                    .await?;
                import = self.store.import_for_worker(id).await?.ok_or(AppError::NotFound)?;
                if !progress(&import) {
                    return Ok(import);
                }
                if let Some(l) = &lease
                    && !self
                        .store
                        .renew_job(l.job_id, l.worker, self.now_ms() + l.lease_ms)
                        .await?
                {
                    // Another worker took the job over after our lease lapsed; it resumes
                    // from the committed checkpoint.
                    return Ok(import);
                }
                if window_done {
                    break;
                }
            }
        }
        self.store
            .finish_import(id, ImportState::Done, None, self.now_ms())
            .await?;
        metrics::counter!("allegro_bridge_imports_total", "kind" => "allegro").increment(1);
        self.store.import_for_worker(id).await?.ok_or(AppError::NotFound)
    }

    /// Imports a CSV or XML file into an account. The whole file is checked first: with
    /// any problem nothing is stored and every problem is named (file, line, column,
    /// field). A good file's orders are then staged in short transactions (never all in
    /// memory at once) and published in short transactions, so other organisations' writes
    /// are never starved; a stopped publication is finished by the worker
    /// ([`App::recover_file_imports`]).
    pub async fn import_file(
        &self,
        user: &CurrentUser,
        account: &AccountId,
        file_name: &str,
        bytes: bytes::Bytes,
        format: Option<Format>,
        encoding: Encoding,
    ) -> Result<Import, ImportError> {
        let org = &user.organisation_id;
        let exists = self.store.account(org, account).await.map_err(AppError::from)?;
        if exists.is_none() {
            return Err(AppError::NotFound.into());
        }
        let kind = match format.or_else(|| Format::from_file_name(file_name)) {
            Some(Format::Xml) => ImportKind::Xml,
            _ => ImportKind::Csv,
        };
        // Reading and checking is CPU work on a blocking thread; its orders come back in
        // chunks through a short channel, so at most a few chunks are in memory at once.
        enum Read {
            Total(usize),
            Chunk(Vec<store::OrderRecord>),
        }
        let (tx, mut rx) = tokio::sync::mpsc::channel::<Result<Read, AppError>>(2);
        let reader = {
            let (org, account, name) = (org.clone(), account.clone(), file_name.to_owned());
            tokio::task::spawn_blocking(move || {
                let mut chunk = Vec::with_capacity(STAGE_CHUNK);
                let mut started = false;
                let handed: Result<usize, ()> = order_files::read_each(&name, &bytes, format, encoding, |o, total| {
                    if !started {
                        started = true;
                        tx.blocking_send(Ok(Read::Total(total))).map_err(|_| ())?;
                    }
                    let mut record = order_record(&org, &account, &o.form).map_err(|e| {
                        let _ = tx.blocking_send(Err(e));
                    })?;
                    record.source = OrderSource::File;
                    chunk.push(record);
                    if chunk.len() == STAGE_CHUNK {
                        let full = std::mem::replace(&mut chunk, Vec::with_capacity(STAGE_CHUNK));
                        tx.blocking_send(Ok(Read::Chunk(full))).map_err(|_| ())?;
                    }
                    Ok(())
                })?;
                if handed.is_ok() && !chunk.is_empty() {
                    let _ = tx.blocking_send(Ok(Read::Chunk(chunk)));
                }
                Ok::<_, order_files::FileErrors>(handed.is_ok())
            })
        };
        let now = self.now_ms();
        let mut import = new_import(org, account, kind, now);
        import.file_name = Some(file_name.chars().take(200).collect());
        let mut staged: i64 = 0;
        let mut created = false;
        let mut failure: Option<AppError> = None;
        while let Some(message) = rx.recv().await {
            let step = async {
                match message? {
                    Read::Total(total) => {
                        import.state = ImportState::Running;
                        import.expected = Some(total as i64);
                        self.store.create_import(&import, None).await?;
                        created = true;
                    }
                    Read::Chunk(records) => {
                        self.store
                            .stage_file_orders(&import.id, staged, &records, self.now_ms())
                            .await?;
                        staged += records.len() as i64;
                    }
                }
                Ok::<(), AppError>(())
            };
            if let Err(e) = step.await {
                failure = Some(e);
                break;
            }
        }
        drop(rx);
        let read = reader
            .await
            .map_err(|e| AppError::Internal(anyhow::Error::new(e).context("joining the file reader")))?;
        let complete = match read {
            Err(problems) => return Err(ImportError::File(problems)),
            Ok(complete) => complete,
        };
        if let Some(e) =
            failure.or_else(|| (!complete).then(|| AppError::Internal(anyhow::anyhow!("the file reader stopped"))))
        {
            if created {
                let _ = self
                    .store
                    .abandon_file_import(
                        &import.id,
                        "nie udało się zapisać pliku; wczytaj go ponownie",
                        self.now_ms(),
                    )
                    .await;
            }
            return Err(e.into());
        }
        if !created {
            // A file without orders: nothing to stage, done at once.
            import.state = ImportState::Done;
            import.expected = Some(0);
            self.store.create_import(&import, None).await.map_err(AppError::from)?;
            return Ok(import);
        }
        metrics::counter!("allegro_bridge_imports_total", "kind" => kind.as_str()).increment(1);
        Ok(self.publish_file_import(&import.id).await?)
    }

    /// Publishes a file import's staged orders, a chunk per transaction, to the end.
    async fn publish_file_import(&self, import_id: &ImportId) -> Result<Import, AppError> {
        loop {
            let Some(import) = self
                .store
                .publish_file_orders(import_id, STAGE_CHUNK as i64, self.now_ms())
                .await?
            else {
                return Err(AppError::NotFound);
            };
            if import.state != ImportState::Running {
                return Ok(import);
            }
        }
    }

    /// Finishes file imports whose process stopped: a fully staged file is published, a
    /// partly staged one is dropped (nothing of it was published) and marked failed with
    /// a word to upload it again. Run by the worker.
    pub async fn recover_file_imports(&self) -> Result<usize, AppError> {
        let stalled = self
            .store
            .stalled_file_imports(self.now_ms() - STALLED_IMPORT_MS)
            .await?;
        for import in &stalled {
            if import.expected == Some(import.fetched) {
                tracing::info!(import = %import.id, "finishing a file import a stopped process left");
                self.publish_file_import(&import.id).await?;
            } else {
                tracing::warn!(import = %import.id, staged = import.fetched, "dropping a file import a stopped process left half read");
                self.store
                    .abandon_file_import(
                        &import.id,
                        "wczytywanie pliku przerwano (serwer zatrzymano); nic z niego nie zapisano — wczytaj plik ponownie",
                        self.now_ms(),
                    )
                    .await?;
            }
        }
        Ok(stalled.len())
    }
}

/// The job lease an import renews between pages.
pub(crate) struct JobLease<'a> {
    pub(crate) job_id: i64,
    pub(crate) worker: &'a str,
    pub(crate) lease_ms: i64,
}

fn query(lo: i64, hi: i64, offset: u32) -> CheckoutFormsQuery {
    CheckoutFormsQuery {
        bought_at_gte: Some(Instant::from_millis(lo)),
        bought_at_lte: Some(Instant::from_millis(hi)),
        sort: OrderSort::BoughtAtDesc,
        offset,
        limit: PAGE,
        ..CheckoutFormsQuery::default()
    }
}
