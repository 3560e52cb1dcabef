//! [`Store`]: the one store type of the service, over one of two backends.
//!
//! An enum, not a trait object: there are exactly two backends, both known
//! here; their methods are `async fn`s, which a `dyn` trait could only
//! offer boxed (or through `async-trait`), one allocation per call on the
//! hottest paths; and adding a method to one backend and forgetting the
//! other is a compile error at the `match` below, not a default method that
//! silently does nothing. Each method is one line: the `on!` match.

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::Notify;

use super::postgres::{self, Postgres};
use super::rows::{ExportRx, PageRx};
use super::sqlite::{self, Sqlite};
use super::{
    Action, Created, ImportCounts, ImportRow, Mention, MentionStored, Micros, NewComment, Owned,
    PendingVerification, RebuildDue,
};
use crate::error::Result;
use crate::model::Comment;

/// The conversation store (cheap to clone).
#[derive(Clone)]
pub struct Store(Backend);

#[derive(Clone)]
enum Backend {
    Sqlite(Sqlite),
    Postgres(Postgres),
}

/// Calls the same method on whichever backend this store is.
macro_rules! on {
    ($self:ident, $b:ident => $e:expr) => {
        match &$self.0 {
            Backend::Sqlite($b) => $e,
            Backend::Postgres($b) => $e,
        }
    };
}

mod activitypub;
mod ap_replays;
mod mail;
mod sign_in;

impl Store {
    /// Opens (creating or upgrading) the SQLite database at `path` for the
    /// service that serves it. `debounce_ms` is the quiet time a rebuild
    /// waits for after a change.
    pub fn open(path: &Path, debounce_ms: u64) -> Result<Store> {
        Ok(Store(Backend::Sqlite(Sqlite::open(path, debounce_ms)?)))
    }

    /// Opens it for a tool that runs beside a serving service (`import`):
    /// verifications leased by the service's workers stay theirs.
    pub fn open_beside_service(path: &Path, debounce_ms: u64) -> Result<Store> {
        Ok(Store(Backend::Sqlite(Sqlite::open_beside_service(
            path,
            debounce_ms,
        )?)))
    }

    /// Connects to PostgreSQL at `database_url` (migrating it), for one of
    /// possibly several instances sharing the database.
    pub async fn connect(database_url: &str, debounce_ms: u64) -> Result<Store> {
        Ok(Store(Backend::Postgres(
            Postgres::connect(database_url, debounce_ms).await?,
        )))
    }

    /// True on PostgreSQL.
    pub fn is_postgres(&self) -> bool {
        matches!(self.0, Backend::Postgres(_))
    }

    /// `sqlite FILE` or `postgres host:port/db`, safe to log.
    pub fn describe(&self) -> String {
        match &self.0 {
            Backend::Sqlite(s) => format!("sqlite {}", s.path().display()),
            Backend::Postgres(p) => format!("postgres {}", p.target()),
        }
    }

    /// A number that changes after every commit (for caches of reads); on
    /// PostgreSQL also after every commit of another instance.
    pub fn generation(&self) -> u64 {
        on!(self, b => b.generation())
    }

    /// Woken after a commit that asked for a rebuild.
    pub fn rebuild_signal(&self) -> Arc<Notify> {
        on!(self, b => b.rebuild_signal())
    }

    /// The random signing key kept in the database (created on first open;
    /// shared by every instance of a PostgreSQL store).
    pub fn stored_secret(&self) -> &[u8] {
        on!(self, b => b.stored_secret())
    }

    /// 200 for `/healthz`: the store answers a query.
    pub async fn ping(&self) -> Result<()> {
        on!(self, b => b.ping().await)
    }

    /// Comment `id` and its status if published or held (its author's view;
    /// the caller checks the edit token).
    pub async fn own_comment(&self, id: i64) -> Result<Option<(Comment, crate::model::Status)>> {
        on!(self, b => b.own_comment(id).await)
    }

    /// The approved items of one page, oldest first (flat; see `model::thread`).
    pub async fn page_items(&self, page: String) -> Result<Vec<Comment>> {
        on!(self, b => b.page_items(page).await)
    }

    /// Approved item counts for each of `pages` (0 for unknown pages).
    pub async fn counts(&self, pages: Vec<String>) -> Result<Vec<(String, u64)>> {
        on!(self, b => b.counts(pages).await)
    }

    /// Stores a reader comment, deciding moderation; refuses a missing parent.
    pub async fn create_comment(&self, n: NewComment) -> Result<Created> {
        on!(self, b => b.create_comment(n, None).await)
    }

    /// [`Store::create_comment`] once per idempotency `key`: a retry with the
    /// same key answers the comment the first try made (`replayed`).
    pub async fn create_comment_once(&self, n: NewComment, key: Option<String>) -> Result<Created> {
        on!(self, b => b.create_comment(n, key).await)
    }

    /// The facts edit/delete check (None when there is no such live comment).
    pub async fn owned(&self, id: i64) -> Result<Option<Owned>> {
        on!(self, b => b.owned(id).await)
    }

    /// Replaces a comment's body if it was created at or after `window_start`.
    pub async fn edit_comment(
        &self,
        id: i64,
        body_md: String,
        body_html: String,
        window_start: Micros,
    ) -> Result<Comment> {
        on!(self, b => b.edit_comment(id, body_md, body_html, window_start).await)
    }

    /// Deletes a comment if it was created at or after `window_start`.
    pub async fn delete_comment(&self, id: i64, window_start: Micros) -> Result<()> {
        on!(self, b => b.delete_comment(id, window_start).await)
    }

    /// Applies a moderation action to each of `ids`; returns how many changed.
    pub async fn moderate(&self, ids: Vec<i64>, action: Action) -> Result<usize> {
        on!(self, b => b.moderate(ids, action).await)
    }

    /// Clears stored client addresses older than `before` (privacy).
    pub async fn forget_addresses(&self, before: Micros) -> Result<usize> {
        on!(self, b => b.forget_addresses(before).await)
    }

    /// Forgets idempotency keys made before `before`.
    pub async fn forget_idempotency_keys(&self, before: Micros) -> Result<usize> {
        on!(self, b => b.forget_idempotency_keys(before).await)
    }

    /// Counts a hit of `key` in the shared window starting at `window_us`;
    /// the window's hits so far, or `None` on SQLite (one process: its
    /// in-memory limiter is the whole truth).
    pub async fn count_hit(&self, key: &str, window_us: Micros) -> Result<Option<u32>> {
        match &self.0 {
            Backend::Sqlite(_) => Ok(None),
            Backend::Postgres(p) => Ok(Some(p.count_hit(key, window_us).await?)),
        }
    }

    /// Forgets shared rate-limit windows that began before `before`.
    pub async fn forget_rate_windows(&self, before: Micros) -> Result<usize> {
        match &self.0 {
            Backend::Sqlite(_) => Ok(0),
            Backend::Postgres(p) => p.forget_rate_windows(before).await,
        }
    }

    /// Stores a verified mention, or updates the existing row for its pair.
    pub async fn upsert_mention(&self, m: Mention) -> Result<MentionStored> {
        on!(self, b => b.upsert_mention(m).await)
    }

    /// Removes the mention of `page` by `source`; true when there was one.
    pub async fn remove_mention(&self, source: String, page: String) -> Result<bool> {
        on!(self, b => b.remove_mention(source, page).await)
    }

    /// Queues (source, target) for verification; returns the queue id.
    pub async fn enqueue_verification(&self, source: String, target: String) -> Result<i64> {
        on!(self, b => b.enqueue_verification(source, target).await)
    }

    /// Takes the oldest due verification, leased to this caller.
    pub async fn take_verification(&self) -> Result<Option<PendingVerification>> {
        on!(self, b => b.take_verification().await)
    }

    /// Removes a verification from the queue (verified, refused or given up).
    pub async fn verification_done(&self, id: i64) -> Result<()> {
        on!(self, b => b.verification_done(id).await)
    }

    /// Puts a taken verification back, to be taken again after `delay_ms`.
    pub async fn verification_retry(&self, id: i64, delay_ms: u64) -> Result<()> {
        on!(self, b => b.verification_retry(id, delay_ms).await)
    }

    /// How long a taken verification stays its taker's (shortened by tests).
    pub fn set_verification_lease(&self, lease: Duration) {
        on!(self, b => b.set_verification_lease(lease))
    }

    /// The rebuild request, if one is stored.
    pub async fn rebuild_due(&self) -> Result<Option<RebuildDue>> {
        on!(self, b => b.rebuild_due().await)
    }

    /// The right to run the rebuild now: `None` while another instance runs
    /// one. Hold it until `rebuild_finished`/`rebuild_failed` are recorded.
    pub async fn claim_rebuild(&self) -> Result<Option<RebuildClaim>> {
        match &self.0 {
            Backend::Sqlite(_) => Ok(Some(RebuildClaim(None))),
            Backend::Postgres(p) => Ok(p.claim_rebuild().await?.map(|c| RebuildClaim(Some(c)))),
        }
    }

    /// Marks the rebuild of `generation` done (a later change keeps its request).
    pub async fn rebuild_finished(&self, generation: i64) -> Result<()> {
        on!(self, b => b.rebuild_finished(generation).await)
    }

    /// Records a failed rebuild and when to try again.
    pub async fn rebuild_failed(&self, retry_at: Micros) -> Result<()> {
        on!(self, b => b.rebuild_failed(retry_at).await)
    }

    /// Writes `rows` (parents before replies) in one transaction; items
    /// already imported under the same `format` and key are skipped.
    pub async fn import(&self, format: &'static str, rows: Vec<ImportRow>) -> Result<ImportCounts> {
        on!(self, b => b.import(format, rows).await)
    }

    /// What `import` would add, writing nothing.
    pub async fn import_preview(&self, format: &str, rows: &[ImportRow]) -> Result<ImportCounts> {
        match &self.0 {
            Backend::Sqlite(s) => sqlite::import_preview(s.path(), format, rows),
            Backend::Postgres(p) => p.import_preview(format, rows).await,
        }
    }

    /// Forgets cached read answers (the store changed behind this process).
    pub fn forget_cached_reads(&self) {
        on!(self, b => b.forget_cached_reads())
    }

    /// A watch on commits made by other processes. On PostgreSQL the
    /// `LISTEN` connection already moves the generation, so it never fires.
    pub fn watch_outside_writes(&self) -> Result<OutsideWrites> {
        match &self.0 {
            Backend::Sqlite(s) => Ok(OutsideWrites(Some(s.watch_outside_writes()?))),
            Backend::Postgres(_) => Ok(OutsideWrites(None)),
        }
    }

    /// Everything approved (changed at or after `since`) and the ids removed
    /// since, as bounded batches (see `store::rows`).
    pub async fn export_batches(
        &self,
        since: Option<Micros>,
        guard: impl Send + 'static,
    ) -> ExportRx {
        on!(self, b => b.export_batches(since, guard).await)
    }

    /// The approved items of `page` as bounded batches, in `plan`'s order.
    pub async fn page_batches(
        &self,
        page: String,
        plan: impl FnOnce(Vec<(i64, Option<i64>)>) -> Vec<(i64, u32)> + Send + 'static,
        guard: impl Send + 'static,
    ) -> PageRx {
        on!(self, b => b.page_batches(page, plan, guard).await)
    }

    /// The SQLite backend, for tools that copy it (`migrate-db`).
    pub fn as_sqlite(&self) -> Option<&Sqlite> {
        match &self.0 {
            Backend::Sqlite(s) => Some(s),
            Backend::Postgres(_) => None,
        }
    }

    /// The PostgreSQL backend, for tools that fill it (`migrate-db`).
    pub fn as_postgres(&self) -> Option<&Postgres> {
        match &self.0 {
            Backend::Sqlite(_) => None,
            Backend::Postgres(p) => Some(p),
        }
    }
}

/// Notices commits of other processes on SQLite (see `Store::watch_outside_writes`).
pub struct OutsideWrites(Option<sqlite::OutsideWrites>);

impl OutsideWrites {
    /// True when another process committed since the last call.
    pub fn changed(&mut self) -> bool {
        self.0.as_mut().is_some_and(|w| w.changed())
    }
}

/// The right to run the pending rebuild (see [`Store::claim_rebuild`]):
/// on PostgreSQL an advisory lock held by one pooled connection, freed by
/// [`RebuildClaim::release`] or, if this process dies, by the server.
pub struct RebuildClaim(Option<postgres::Claim>);

impl RebuildClaim {
    /// Lets another instance claim the next rebuild.
    pub async fn release(self) {
        if let Some(c) = self.0 {
            c.release().await;
        }
    }
}
