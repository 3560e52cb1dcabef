//! The SQLite backend: one writer thread doing group commit, a small pool of
//! reader connections, refinery migrations. All SQL of the service lives here.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use axum::http::StatusCode;
use rusqlite::{Connection, OpenFlags, OptionalExtension, params};
use tokio::sync::{Notify, mpsc, oneshot};

use super::{
    Action, AdminItem, Created, Mention, MentionStored, Micros, NewComment, Owned,
    PendingVerification, RebuildDue, now_us, rfc3339,
};
use crate::config::Moderation;
use crate::error::{Error, Result};
use crate::model::{Comment, Kind, Status};

// `#[path]`: a child module (it needs the writer's private transaction job),
// kept in its own file beside this one.
#[path = "import.rs"]
mod import;
pub use import::{ImportCounts, ImportRow, OutsideWrites, import_preview};

mod embedded {
    refinery::embed_migrations!("src/store/migrations");
}

/// Most writes folded into one transaction.
const MAX_BATCH: usize = 1024;
/// A verification taken this long ago without `done` is taken again (the worker died).
const VERIFY_LEASE_US: Micros = 10 * 60 * 1_000_000;

/// What a write job can touch: the connection inside the batch transaction.
struct WriteCtx<'c> {
    conn: &'c Connection,
    now_us: Micros,
    /// Set by a job whose change readers of the site can see.
    rebuild: bool,
}

type Done = Box<dyn FnOnce(bool) + Send>;
type Job = Box<dyn FnOnce(&mut WriteCtx) -> (Done, bool) + Send>;

/// Idle reader connections.
pub(super) struct Readers {
    path: PathBuf,
    pub(super) idle: Mutex<Vec<Connection>>,
}

impl Readers {
    pub(super) fn take(&self) -> Result<Connection> {
        if let Some(c) = self.idle.lock().map_err(|_| Error::Closed)?.pop() {
            return Ok(c);
        }
        let c = Connection::open_with_flags(
            &self.path,
            OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )?;
        c.busy_timeout(std::time::Duration::from_secs(5))?;
        // small per-reader page cache: the hot data is a few pages, and RSS matters
        c.pragma_update(None, "cache_size", -512)?;
        Ok(c)
    }

    pub(super) fn give(&self, c: Connection) {
        if let Ok(mut idle) = self.idle.lock()
            && idle.len() < 8
        {
            idle.push(c);
        }
    }
}

/// The conversation store (cheap to clone).
#[derive(Clone)]
pub struct Store {
    jobs: mpsc::Sender<Job>,
    pub(super) readers: Arc<Readers>,
    generation: Arc<AtomicU64>,
    rebuild: Arc<Notify>,
    secret: Arc<Vec<u8>>,
}

impl Store {
    /// Opens (creating or upgrading) the database at `path` and starts the writer.
    /// `debounce_ms` is the quiet time a rebuild waits for after a change.
    pub fn open(path: &Path, debounce_ms: u64) -> Result<Store> {
        let open = |source| Error::Open {
            path: path.display().to_string(),
            source,
        };
        let mut conn = Connection::open(path).map_err(open)?;
        conn.busy_timeout(std::time::Duration::from_secs(10))
            .map_err(open)?;
        // WAL: readers never wait for the writer; FULL: a commit is on disk
        // (the WAL is fsynced) before any 2xx is answered.
        conn.pragma_update(None, "journal_mode", "WAL")
            .map_err(open)?;
        conn.pragma_update(None, "synchronous", "FULL")
            .map_err(open)?;
        conn.pragma_update(None, "foreign_keys", "ON")
            .map_err(open)?;
        migrate(&mut conn, path)?;
        // A verification leased by a worker of an earlier run (killed in the
        // middle of a fetch) has nobody working on it any more: free it now
        // rather than after the lease runs out.
        conn.execute(
            "UPDATE mention_queue SET taken_us = NULL WHERE taken_us IS NOT NULL",
            [],
        )
        .map_err(open)?;
        let secret = load_secret(&conn)?;
        let (jobs, rx) = mpsc::channel::<Job>(8192);
        let generation = Arc::new(AtomicU64::new(1));
        let rebuild = Arc::new(Notify::new());
        let (g, r) = (generation.clone(), rebuild.clone());
        let debounce_us = (debounce_ms as i64).saturating_mul(1000);
        std::thread::Builder::new()
            .name("store-writer".into())
            .spawn(move || writer_loop(conn, rx, g, r, debounce_us))
            .map_err(|source| Error::Io {
                path: path.display().to_string(),
                source,
            })?;
        Ok(Store {
            jobs,
            readers: Arc::new(Readers {
                path: path.to_path_buf(),
                idle: Mutex::new(Vec::new()),
            }),
            generation,
            rebuild,
            secret: Arc::new(secret),
        })
    }

    /// A number that changes after every commit (for caches of reads).
    pub fn generation(&self) -> u64 {
        self.generation.load(Ordering::Acquire)
    }

    /// Woken after a commit that asked for a rebuild.
    pub fn rebuild_signal(&self) -> Arc<Notify> {
        self.rebuild.clone()
    }

    /// The random signing key kept in the database (created on first open).
    pub fn stored_secret(&self) -> &[u8] {
        &self.secret
    }

    async fn write<T: Send + 'static>(
        &self,
        f: impl FnOnce(&mut WriteCtx) -> Result<T> + Send + 'static,
    ) -> Result<T> {
        let (tx, rx) = oneshot::channel();
        let job: Job = Box::new(move |ctx| {
            let r = f(ctx);
            let ok = r.is_ok();
            let done: Done = Box::new(move |committed| {
                let _ = tx.send(if committed || r.is_err() {
                    r
                } else {
                    Err(Error::Closed)
                });
            });
            (done, ok)
        });
        self.jobs.send(job).await.map_err(|_| Error::Closed)?;
        rx.await.map_err(|_| Error::Closed)?
    }

    async fn read<T: Send + 'static>(
        &self,
        f: impl FnOnce(&Connection) -> Result<T> + Send + 'static,
    ) -> Result<T> {
        let readers = self.readers.clone();
        tokio::task::spawn_blocking(move || {
            let conn = readers.take()?;
            let r = f(&conn);
            readers.give(conn);
            r
        })
        .await
        .map_err(|_| Error::Closed)?
    }

    // ------------------------------------------------------------ reads

    /// 200 for `/healthz`: the writer is alive and a reader answers a query.
    pub async fn ping(&self) -> Result<()> {
        if self.jobs.is_closed() {
            return Err(Error::Closed);
        }
        self.read(|c| Ok(c.query_row("SELECT 1", [], |_| Ok(()))?))
            .await
    }

    /// The approved items of one page, oldest first (flat; see `model::thread`).
    pub async fn page_items(&self, page: String) -> Result<Vec<Comment>> {
        self.read(move |c| {
            let mut st = c.prepare_cached(&format!(
                "SELECT {COLS} FROM comments WHERE page = ?1 AND status = 'approved' ORDER BY id"
            ))?;
            let rows = st.query_map([page], row_to_comment)?;
            Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
        })
        .await
    }

    /// Approved item counts for each of `pages` (0 for unknown pages).
    pub async fn counts(&self, pages: Vec<String>) -> Result<Vec<(String, u64)>> {
        self.read(move |c| {
            let mut st = c.prepare_cached(
                "SELECT count(*) FROM comments WHERE page = ?1 AND status = 'approved'",
            )?;
            let mut out = Vec::with_capacity(pages.len());
            for p in pages {
                let n: i64 = st.query_row([&p], |r| r.get(0))?;
                out.push((p, n as u64));
            }
            Ok(out)
        })
        .await
    }

    /// Items for the admin page: with `status`, only those; newest first.
    pub async fn admin_items(&self, status: Option<Status>, limit: u32) -> Result<Vec<AdminItem>> {
        self.read(move |c| {
            let sql = format!(
                "SELECT {COLS}, status, email, client_addr, body_md FROM comments
                 WHERE (?1 IS NULL AND status != 'deleted') OR status = ?1 ORDER BY id DESC LIMIT ?2"
            );
            let mut st = c.prepare_cached(&sql)?;
            let rows = st.query_map(params![status.map(Status::as_str), limit], |r| {
                Ok(AdminItem {
                    comment: row_to_comment(r)?,
                    status: Status::parse(&r.get::<_, String>(13)?).unwrap_or(Status::Pending),
                    email: r.get(14)?,
                    client_addr: r.get(15)?,
                    body_md: r.get(16)?,
                })
            })?;
            Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
        })
        .await
    }

    /// The rebuild request, if one is stored.
    pub async fn rebuild_due(&self) -> Result<Option<RebuildDue>> {
        self.read(|c| {
            Ok(c.query_row(
                "SELECT generation, due_us, attempts FROM rebuild_pending WHERE id = 1",
                [],
                |r| {
                    Ok(RebuildDue {
                        generation: r.get(0)?,
                        due_us: r.get(1)?,
                        attempts: r.get(2)?,
                    })
                },
            )
            .optional()?)
        })
        .await
    }

    // ------------------------------------------------------------ writes

    /// Stores a reader comment, deciding moderation; refuses a missing parent.
    pub async fn create_comment(&self, n: NewComment) -> Result<Created> {
        self.write(move |ctx| {
            if let Some(p) = n.parent {
                let ok: Option<i64> = ctx
                    .conn
                    .prepare_cached(
                        "SELECT 1 FROM comments WHERE id = ?1 AND page = ?2 AND status IN ('approved', 'pending')",
                    )?
                    .query_row(params![p, n.page], |r| r.get(0))
                    .optional()?;
                if ok.is_none() {
                    return Err(Error::field(
                        StatusCode::UNPROCESSABLE_ENTITY,
                        "parent",
                        "the comment you answer does not exist on this page",
                    ));
                }
            }
            let status = if n.is_owner {
                Status::Approved
            } else if n.hold {
                Status::Pending
            } else {
                decide(ctx.conn, n.moderation, &n.commenter_key)?
            };
            ctx.conn
                .prepare_cached(
                    "INSERT INTO comments (page, parent, kind, status, author, email, website, body_md,
                        body_html, is_owner, commenter_key, client_addr, created_us, updated_us)
                     VALUES (?1, ?2, 'comment', ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?12)",
                )?
                .execute(params![
                    n.page,
                    n.parent,
                    status.as_str(),
                    n.author,
                    n.email,
                    n.website,
                    n.body_md,
                    n.body_html,
                    n.is_owner,
                    n.commenter_key,
                    n.client_addr,
                    ctx.now_us
                ])?;
            let id = ctx.conn.last_insert_rowid();
            if status == Status::Approved {
                ctx.rebuild = true;
            }
            Ok(Created {
                id,
                status,
                created_us: ctx.now_us,
            })
        })
        .await
    }

    /// The facts edit/delete check (None when there is no such live comment).
    pub async fn owned(&self, id: i64) -> Result<Option<Owned>> {
        self.read(move |c| live_comment(c, id)).await
    }

    /// Replaces a comment's body if it was created at or after `window_start`.
    pub async fn edit_comment(
        &self,
        id: i64,
        body_md: String,
        body_html: String,
        window_start: Micros,
    ) -> Result<Comment> {
        self.write(move |ctx| {
            let o = live_in_window(ctx.conn, id, window_start)?;
            ctx.conn
                .prepare_cached(
                    "UPDATE comments SET body_md = ?2, body_html = ?3, updated_us = ?4 WHERE id = ?1",
                )?
                .execute(params![id, body_md, body_html, ctx.now_us])?;
            if o.status == Status::Approved {
                ctx.rebuild = true;
            }
            let c = ctx.conn.query_row(
                &format!("SELECT {COLS} FROM comments WHERE id = ?1"),
                [id],
                row_to_comment,
            )?;
            Ok(c)
        })
        .await
    }

    /// Deletes a comment if it was created at or after `window_start`.
    pub async fn delete_comment(&self, id: i64, window_start: Micros) -> Result<()> {
        self.write(move |ctx| {
            let o = live_in_window(ctx.conn, id, window_start)?;
            set_status(ctx, id, o.status, Status::Deleted)?;
            Ok(())
        })
        .await
    }

    /// Applies a moderation action to each of `ids`; returns how many changed.
    pub async fn moderate(&self, ids: Vec<i64>, action: Action) -> Result<usize> {
        self.write(move |ctx| {
            let mut changed = 0;
            for id in ids {
                let row: Option<(String, Option<String>)> = ctx
                    .conn
                    .prepare_cached("SELECT status, commenter_key FROM comments WHERE id = ?1")?
                    .query_row([id], |r| Ok((r.get(0)?, r.get(1)?)))
                    .optional()?;
                let Some((old, key)) = row else { continue };
                let old = Status::parse(&old).unwrap_or(Status::Pending);
                let new = match action {
                    Action::Approve => Status::Approved,
                    Action::Reject => Status::Rejected,
                    Action::Spam => Status::Spam,
                    Action::Delete => Status::Deleted,
                };
                if old == new {
                    continue;
                }
                set_status(ctx, id, old, new)?;
                if new == Status::Approved
                    && let Some(k) = key
                {
                    ctx.conn
                        .prepare_cached(
                            "INSERT OR IGNORE INTO trusted_commenters (commenter_key) VALUES (?1)",
                        )?
                        .execute([k])?;
                }
                changed += 1;
            }
            Ok(changed)
        })
        .await
    }

    /// Clears stored client addresses older than `before` (privacy).
    pub async fn forget_addresses(&self, before: Micros) -> Result<usize> {
        self.write(move |ctx| {
            Ok(ctx.conn.execute(
                "UPDATE comments SET client_addr = NULL WHERE client_addr IS NOT NULL AND created_us < ?1",
                [before],
            )?)
        })
        .await
    }

    /// Marks the rebuild of `generation` done (a later change keeps its request).
    pub async fn rebuild_finished(&self, generation: i64) -> Result<()> {
        self.write(move |ctx| {
            ctx.conn.execute(
                "DELETE FROM rebuild_pending WHERE id = 1 AND generation = ?1",
                [generation],
            )?;
            Ok(())
        })
        .await
    }

    /// Records a failed rebuild and when to try again.
    pub async fn rebuild_failed(&self, retry_at: Micros) -> Result<()> {
        self.write(move |ctx| {
            ctx.conn.execute(
                "UPDATE rebuild_pending SET attempts = attempts + 1, due_us = max(due_us, ?1) WHERE id = 1",
                [retry_at],
            )?;
            Ok(())
        })
        .await
    }

    // ------------------------------------------------ Webmentions and pingbacks

    /// Stores a verified mention of `page` by `source`, or updates the existing
    /// row for that pair. A new row is moderated like a comment, keyed by the
    /// source's domain; an update keeps the row's status (a rejected one stays out).
    pub async fn upsert_mention(&self, m: Mention) -> Result<MentionStored> {
        self.write(move |ctx| {
            let existing: Option<(i64, String)> = ctx
                .conn
                .prepare_cached("SELECT id, status FROM comments WHERE source = ?1 AND page = ?2")?
                .query_row(params![m.source, m.page], |r| Ok((r.get(0)?, r.get(1)?)))
                .optional()?;
            let key = format!(
                "domain:{}",
                url::Url::parse(&m.source)
                    .ok()
                    .and_then(|u| u.host_str().map(str::to_lowercase))
                    .unwrap_or_default()
            );
            let (id, status, created) = match existing {
                Some((id, old)) => {
                    let mut status = Status::parse(&old).unwrap_or(Status::Pending);
                    if status == Status::Deleted {
                        status = decide(ctx.conn, m.moderation, &key)?;
                    }
                    ctx.conn
                        .prepare_cached(
                            "UPDATE comments SET kind = ?2, author = ?3, website = ?4, url = ?5, author_photo = ?6,
                               body_html = ?7, status = ?8, updated_us = ?9 WHERE id = ?1",
                        )?
                        .execute(params![
                            id,
                            m.kind.as_str(),
                            m.author,
                            m.website,
                            m.url,
                            m.author_photo,
                            m.content_html,
                            status.as_str(),
                            ctx.now_us
                        ])?;
                    (id, status, false)
                }
                None => {
                    let status = decide(ctx.conn, m.moderation, &key)?;
                    let created_us = m.published_us.filter(|p| *p <= ctx.now_us).unwrap_or(ctx.now_us);
                    ctx.conn
                        .prepare_cached(
                            "INSERT INTO comments (page, kind, status, author, website, url, author_photo, source,
                               body_html, commenter_key, created_us, updated_us)
                             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
                        )?
                        .execute(params![
                            m.page,
                            m.kind.as_str(),
                            status.as_str(),
                            m.author,
                            m.website,
                            m.url,
                            m.author_photo,
                            m.source,
                            m.content_html,
                            key,
                            created_us,
                            ctx.now_us
                        ])?;
                    (ctx.conn.last_insert_rowid(), status, true)
                }
            };
            if status == Status::Approved {
                ctx.rebuild = true;
            }
            Ok(MentionStored {
                id,
                status,
                created,
            })
        })
        .await
    }

    /// Removes the mention of `page` by `source` (the source deleted it or no
    /// longer links); true when there was one.
    pub async fn remove_mention(&self, source: String, page: String) -> Result<bool> {
        self.write(move |ctx| {
            let row: Option<(i64, String)> = ctx
                .conn
                .prepare_cached(
                    "SELECT id, status FROM comments WHERE source = ?1 AND page = ?2 AND status != 'deleted'",
                )?
                .query_row(params![source, page], |r| Ok((r.get(0)?, r.get(1)?)))
                .optional()?;
            let Some((id, old)) = row else {
                return Ok(false);
            };
            set_status(
                ctx,
                id,
                Status::parse(&old).unwrap_or(Status::Pending),
                Status::Deleted,
            )?;
            Ok(true)
        })
        .await
    }

    /// Queues (source, target) for verification; a repeat of a queued pair
    /// resets it (the sender says the source changed). Returns the queue id.
    pub async fn enqueue_verification(&self, source: String, target: String) -> Result<i64> {
        self.write(move |ctx| {
            Ok(ctx
                .conn
                .prepare_cached(
                    "INSERT INTO mention_queue (source, target, received_us, not_before_us)
                     VALUES (?1, ?2, ?3, ?3)
                     ON CONFLICT (source, target) DO UPDATE SET received_us = ?3, not_before_us = ?3,
                       taken_us = NULL, attempts = 0
                     RETURNING id",
                )?
                .query_row(params![source, target, ctx.now_us], |r| r.get(0))?)
        })
        .await
    }

    /// Takes the oldest due verification (leased for ten minutes: a worker that
    /// dies before `verification_done` leaves it to be taken again).
    pub async fn take_verification(&self) -> Result<Option<PendingVerification>> {
        self.write(move |ctx| {
            let row = ctx
                .conn
                .prepare_cached(
                    "UPDATE mention_queue SET taken_us = ?1, attempts = attempts + 1
                     WHERE id = (SELECT id FROM mention_queue
                                 WHERE not_before_us <= ?1 AND (taken_us IS NULL OR taken_us < ?2)
                                 ORDER BY not_before_us, id LIMIT 1)
                     RETURNING id, source, target, attempts",
                )?
                .query_row(params![ctx.now_us, ctx.now_us - VERIFY_LEASE_US], |r| {
                    Ok(PendingVerification {
                        id: r.get(0)?,
                        source: r.get(1)?,
                        target: r.get(2)?,
                        attempts: r.get(3)?,
                    })
                })
                .optional()?;
            Ok(row)
        })
        .await
    }

    /// Removes a verification from the queue (verified, refused or given up).
    pub async fn verification_done(&self, id: i64) -> Result<()> {
        self.write(move |ctx| {
            ctx.conn
                .execute("DELETE FROM mention_queue WHERE id = ?1", [id])?;
            Ok(())
        })
        .await
    }

    /// Puts a taken verification back, to be taken again after `delay_ms`.
    pub async fn verification_retry(&self, id: i64, delay_ms: u64) -> Result<()> {
        self.write(move |ctx| {
            ctx.conn.execute(
                "UPDATE mention_queue SET taken_us = NULL, not_before_us = ?2 WHERE id = ?1",
                params![id, ctx.now_us + (delay_ms as i64) * 1000],
            )?;
            Ok(())
        })
        .await
    }
}

/// Columns of a reader-visible item, in `row_to_comment` order.
pub(super) const COLS: &str = "id, page, parent, author, website, author_photo, body_html, created_us, updated_us, kind, source, url, is_owner";

pub(super) fn row_to_comment(r: &rusqlite::Row) -> rusqlite::Result<Comment> {
    Ok(Comment {
        id: r.get(0)?,
        page: r.get(1)?,
        parent: r.get(2)?,
        author: r.get(3)?,
        website: r.get(4)?,
        author_photo: r.get(5)?,
        body_html: r.get(6)?,
        created: rfc3339(r.get(7)?),
        updated: rfc3339(r.get(8)?),
        kind: Kind::parse(&r.get::<_, String>(9)?).unwrap_or(Kind::Comment),
        source: r.get(10)?,
        url: r.get(11)?,
        is_owner: r.get(12)?,
        replies: Vec::new(),
    })
}

/// The status a new item gets under `mode`.
fn decide(conn: &Connection, mode: Moderation, key: &str) -> Result<Status> {
    Ok(match mode {
        Moderation::None => Status::Approved,
        Moderation::All => Status::Pending,
        Moderation::FirstTime => {
            let known: Option<i64> = conn
                .prepare_cached("SELECT 1 FROM trusted_commenters WHERE commenter_key = ?1")?
                .query_row([key], |r| r.get(0))
                .optional()?;
            if known.is_some() {
                Status::Approved
            } else {
                Status::Pending
            }
        }
    })
}

/// The facts edit and delete check of the live (approved or held) comment
/// `id`, if there is one.
fn live_comment(conn: &Connection, id: i64) -> Result<Option<Owned>> {
    Ok(conn
        .prepare_cached(
            "SELECT id, page, status, created_us FROM comments
             WHERE id = ?1 AND kind = 'comment' AND status IN ('approved', 'pending')",
        )?
        .query_row([id], |r| {
            Ok(Owned {
                id: r.get(0)?,
                page: r.get(1)?,
                status: Status::parse(&r.get::<_, String>(2)?).unwrap_or(Status::Pending),
                created_us: r.get(3)?,
            })
        })
        .optional()?)
}

/// The live comment `id`, refusing one outside the edit window.
fn live_in_window(conn: &Connection, id: i64, window_start: Micros) -> Result<Owned> {
    let o = live_comment(conn, id)?
        .ok_or_else(|| Error::field(StatusCode::NOT_FOUND, "id", "no such comment"))?;
    if o.created_us < window_start {
        return Err(Error::field(
            StatusCode::FORBIDDEN,
            "token",
            "the time for changing this comment has passed",
        ));
    }
    Ok(o)
}

/// Moves `id` from `old` to `new`, keeping the export's removal log and the
/// rebuild request in step.
fn set_status(ctx: &mut WriteCtx, id: i64, old: Status, new: Status) -> Result<()> {
    ctx.conn
        .prepare_cached("UPDATE comments SET status = ?2, updated_us = ?3 WHERE id = ?1")?
        .execute(params![id, new.as_str(), ctx.now_us])?;
    if old == Status::Approved && new != Status::Approved {
        ctx.conn
            .prepare_cached("INSERT INTO removals (comment_id, at_us) VALUES (?1, ?2)")?
            .execute(params![id, ctx.now_us])?;
    }
    if old == Status::Approved || new == Status::Approved {
        ctx.rebuild = true;
    }
    Ok(())
}

/// Runs the embedded migrations; refuses a file from a newer build.
fn migrate(conn: &mut Connection, path: &Path) -> Result<()> {
    let runner = embedded::migrations::runner();
    let supported = runner
        .get_migrations()
        .iter()
        .map(|m| m.version() as i64)
        .max()
        .unwrap_or(0);
    let has_history: bool = conn.query_row(
        "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'refinery_schema_history'",
        [],
        |r| r.get::<_, i64>(0).map(|n| n > 0),
    )?;
    if has_history {
        let found: Option<i64> = conn.query_row(
            "SELECT max(version) FROM refinery_schema_history",
            [],
            |r| r.get(0),
        )?;
        if let Some(found) = found.filter(|f| *f > supported) {
            return Err(Error::SchemaTooNew {
                path: path.display().to_string(),
                found,
                supported,
            });
        }
    }
    runner.run(conn)?;
    Ok(())
}

/// The signing key kept in `settings`, created on first open.
fn load_secret(conn: &Connection) -> Result<Vec<u8>> {
    let found: Option<Vec<u8>> = conn
        .query_row("SELECT value FROM settings WHERE key = 'secret'", [], |r| {
            r.get(0)
        })
        .optional()?;
    if let Some(s) = found {
        return Ok(s);
    }
    let mut key = vec![0u8; 32];
    getrandom::fill(&mut key).map_err(|e| Error::Config(format!("no random source: {e}")))?;
    conn.execute(
        "INSERT OR IGNORE INTO settings (key, value) VALUES ('secret', ?1)",
        [&key],
    )?;
    Ok(
        conn.query_row("SELECT value FROM settings WHERE key = 'secret'", [], |r| {
            r.get(0)
        })?,
    )
}

/// The writer: takes every waiting job, runs each in a savepoint inside one
/// transaction, commits once (one fsync), then answers them all.
fn writer_loop(
    conn: Connection,
    mut rx: mpsc::Receiver<Job>,
    generation: Arc<AtomicU64>,
    rebuild: Arc<Notify>,
    debounce_us: Micros,
) {
    let mut batch: Vec<Job> = Vec::with_capacity(MAX_BATCH);
    while let Some(first) = rx.blocking_recv() {
        batch.push(first);
        while batch.len() < MAX_BATCH {
            match rx.try_recv() {
                Ok(j) => batch.push(j),
                Err(_) => break,
            }
        }
        let mut dones: Vec<Done> = Vec::with_capacity(batch.len());
        let now = now_us();
        let mut wants_rebuild = false;
        let began = conn.execute_batch("BEGIN IMMEDIATE");
        if let Err(e) = began {
            tracing::error!(error = %e, "store: cannot begin a transaction");
            // Dropping a job drops its answer channel: its caller gets an error.
            batch.clear();
            std::thread::sleep(std::time::Duration::from_millis(50));
            continue;
        }
        for job in batch.drain(..) {
            if conn.execute_batch("SAVEPOINT job").is_err() {
                drop(job);
                continue;
            }
            let mut ctx = WriteCtx {
                conn: &conn,
                now_us: now,
                rebuild: false,
            };
            // A bug in one job must not take the writer (and every later
            // write) down: its savepoint is rolled back and its caller gets
            // an error when the job's answer channel drops.
            let run = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| job(&mut ctx)));
            let Ok((done, ok)) = run else {
                tracing::error!("store: a write job panicked; rolled back");
                let _ = conn.execute_batch("ROLLBACK TO job; RELEASE job");
                continue;
            };
            if ok {
                wants_rebuild |= ctx.rebuild;
                let _ = conn.execute_batch("RELEASE job");
            } else {
                let _ = conn.execute_batch("ROLLBACK TO job; RELEASE job");
            }
            dones.push(done);
        }
        if wants_rebuild && let Err(e) = request_rebuild(&conn, now, debounce_us) {
            tracing::error!(error = %e, "store: cannot record the rebuild request");
        }
        let committed = match conn.execute_batch("COMMIT") {
            Ok(()) => true,
            Err(e) => {
                tracing::error!(error = %e, "store: commit failed");
                let _ = conn.execute_batch("ROLLBACK");
                false
            }
        };
        if committed {
            generation.fetch_add(1, Ordering::AcqRel);
            if wants_rebuild {
                rebuild.notify_one();
            }
        }
        for d in dones {
            d(committed);
        }
    }
}

/// Records (or pushes back) the one pending rebuild: due after `debounce` of
/// quiet, but no later than five debounces after the burst began.
fn request_rebuild(conn: &Connection, now: Micros, debounce_us: Micros) -> rusqlite::Result<()> {
    conn.prepare_cached(
        "INSERT INTO rebuild_pending (id, generation, first_us, due_us, attempts) VALUES (1, 1, ?1, ?1 + ?2, 0)
         ON CONFLICT (id) DO UPDATE SET generation = generation + 1,
           due_us = max(due_us, min(?1 + ?2, first_us + 5 * ?2))",
    )?
    .execute(params![now, debounce_us])?;
    Ok(())
}

/// Copies the live database at `db` to `dest` with SQLite's online backup
/// (consistent even while the service writes), via a temp file and rename.
pub fn backup(db: &Path, dest: &Path) -> Result<()> {
    let io = |source| Error::Io {
        path: dest.display().to_string(),
        source,
    };
    if !db.exists() {
        return Err(Error::Io {
            path: db.display().to_string(),
            source: std::io::Error::new(std::io::ErrorKind::NotFound, "no such database"),
        });
    }
    let src = Connection::open_with_flags(db, OpenFlags::SQLITE_OPEN_READ_ONLY)?;
    src.busy_timeout(std::time::Duration::from_secs(10))?;
    let tmp = dest.with_extension("partial");
    let _ = std::fs::remove_file(&tmp);
    {
        let mut out = Connection::open(&tmp)?;
        let b = rusqlite::backup::Backup::new(&src, &mut out)?;
        b.run_to_completion(256, std::time::Duration::from_millis(5), None)?;
        drop(b);
        out.pragma_update(None, "journal_mode", "DELETE")?;
    }
    std::fs::rename(&tmp, dest).map_err(io)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_verification_leased_before_a_crash_is_free_after_open() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("c.db");
        {
            let store = Store::open(&db, 0).unwrap();
            store
                .enqueue_verification("https://a.example/".into(), "https://s.example/p/".into())
                .await
                .unwrap();
            assert!(store.take_verification().await.unwrap().is_some());
            assert!(
                store.take_verification().await.unwrap().is_none(),
                "a taken verification is leased"
            );
        }
        // The lease is still in the file, as after `kill -9` mid-verification.
        let store = Store::open(&db, 0).unwrap();
        let again = store.take_verification().await.unwrap();
        assert_eq!(
            again.map(|v| v.source),
            Some("https://a.example/".to_string()),
            "taken again at once, not after the lease"
        );
    }
}
