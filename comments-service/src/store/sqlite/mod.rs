//! The SQLite backend: one writer thread doing group commit, a small pool of
//! reader connections, refinery migrations (`migrations/sqlite`). Its SQL is
//! split by concern: the writer, comments, mentions, the rebuild request,
//! imports, and streamed rows; `store::postgres` is the other backend.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use rusqlite::{Connection, OpenFlags, OptionalExtension, params};
use tokio::sync::{Notify, mpsc, oneshot};

use super::{
    Action, AdminItem, Created, Mention, MentionStored, Micros, NewComment, Owned,
    PendingVerification, RebuildDue, now_us, rfc3339,
};
use crate::config::Moderation;
use crate::error::{Error, Refusal, Result};
use crate::model::{Comment, Kind, Status};

mod activitypub;
mod admin;
mod ap_delivery;
mod ap_replays;
mod comments;
mod import;
mod mention_mail;
mod mentions;
mod outbox;
mod own;
mod rebuild;
mod rows;
mod sign_in;
mod subscriptions;
mod writer;

use comments::{decide, set_status};
pub use import::{ImportCounts, ImportRow, OutsideWrites, import_preview};
use rebuild::request_rebuild;
use writer::{Done, Job, WriteCtx, writer_loop};

mod embedded {
    refinery::embed_migrations!("src/store/migrations/sqlite");
}

/// Most writes folded into one transaction.
const MAX_BATCH: usize = 1024;
/// A verification taken this long ago without `done` is taken again (the worker died).
const VERIFY_LEASE_US: Micros = 10 * 60 * 1_000_000;

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
pub struct Sqlite {
    jobs: mpsc::Sender<Job>,
    pub(super) readers: Arc<Readers>,
    generation: Arc<AtomicU64>,
    rebuild: Arc<Notify>,
    secret: Arc<Vec<u8>>,
    /// How long a taken verification stays its taker's ([`VERIFY_LEASE_US`]).
    lease_us: Arc<AtomicI64>,
}

impl Sqlite {
    /// Opens (creating or upgrading) the database at `path` and starts the
    /// writer, for the service that serves it. `debounce_ms` is the quiet time
    /// a rebuild waits for after a change.
    pub fn open(path: &Path, debounce_ms: u64) -> Result<Sqlite> {
        Sqlite::open_with(path, debounce_ms, true)
    }

    /// Opens it for a tool that runs beside a serving service (`import`):
    /// the same, but verifications leased by the service's workers stay
    /// theirs, so none is verified twice.
    pub fn open_beside_service(path: &Path, debounce_ms: u64) -> Result<Sqlite> {
        Sqlite::open_with(path, debounce_ms, false)
    }

    fn open_with(path: &Path, debounce_ms: u64, free_leases: bool) -> Result<Sqlite> {
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
        if free_leases {
            conn.execute(
                "UPDATE mention_queue SET taken_us = NULL WHERE taken_us IS NOT NULL",
                [],
            )
            .map_err(open)?;
        }
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
        Ok(Sqlite {
            jobs,
            readers: Arc::new(Readers {
                path: path.to_path_buf(),
                idle: Mutex::new(Vec::new()),
            }),
            generation,
            rebuild,
            secret: Arc::new(secret),
            lease_us: Arc::new(AtomicI64::new(VERIFY_LEASE_US)),
        })
    }

    /// A number that changes after every commit (for caches of reads).
    pub fn generation(&self) -> u64 {
        self.generation.load(Ordering::Acquire)
    }

    /// Shortens (or lengthens) the verification lease (tests).
    pub fn set_verification_lease(&self, lease: std::time::Duration) {
        self.lease_us
            .store(lease.as_micros() as i64, Ordering::Relaxed);
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
}

/// Columns of a reader-visible item, in `row_to_comment` order. A comment's
/// `updated` is its last edit (`edited_us`), not `updated_us`, which every
/// change (an approval too) bumps for the export's `since`; a mention's is
/// when it was last received.
pub(super) const COLS: &str = "id, page, parent, author, website, author_photo, body_html, created_us, CASE WHEN kind = 'comment' THEN coalesce(edited_us, created_us) ELSE updated_us END, kind, source, url, is_owner, verified";

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
        verified: r.get(13)?,
        replies: Vec::new(),
    })
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
    async fn a_file_made_by_a_v2_build_opens_and_upgrades() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("old.db");
        {
            // what a build with V1 and V2 left behind (same history rows)
            let mut conn = Connection::open(&db).unwrap();
            embedded::migrations::runner()
                .set_target(refinery::Target::Version(2))
                .run(&mut conn)
                .unwrap();
            conn.execute(
                "INSERT INTO comments (page, kind, status, author, body_html, created_us, updated_us)
                 VALUES ('/old/', 'comment', 'approved', 'Ann', '<p>old</p>', 1, 1)",
                [],
            )
            .unwrap();
        }
        let store = Sqlite::open(&db, 0).unwrap();
        let items = store.page_items("/old/".into()).await.unwrap();
        assert_eq!(items.len(), 1, "the old comment is there");
        let n = crate::store::NewComment {
            page: "/old/".into(),
            parent: None,
            author: "Bob".into(),
            email: None,
            website: None,
            body_md: "new".into(),
            body_html: "<p>new</p>".into(),
            is_owner: false,
            commenter_key: "k".into(),
            client_addr: None,
            hold: false,
            moderation: Moderation::None,
            notices: Default::default(),
            verified: false,
            signed_in_as: None,
        };
        let a = store
            .create_comment(n.clone(), Some("k1".into()))
            .await
            .unwrap();
        let b = store.create_comment(n, Some("k1".into())).await.unwrap();
        assert_eq!((a.id, b.replayed), (b.id, true), "V3 is in place");
    }

    #[tokio::test]
    async fn a_verification_leased_before_a_crash_is_free_after_open() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("c.db");
        {
            let store = Sqlite::open(&db, 0).unwrap();
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
        // A tool opening it beside the service leaves the lease alone...
        let tool = Sqlite::open_beside_service(&db, 0).unwrap();
        assert!(
            tool.take_verification().await.unwrap().is_none(),
            "an import does not free the service's leases"
        );
        drop(tool);
        // ...while the service, starting again, takes it back at once.
        let store = Sqlite::open(&db, 0).unwrap();
        let again = store.take_verification().await.unwrap();
        assert_eq!(
            again.map(|v| v.source),
            Some("https://a.example/".to_string()),
            "taken again at once, not after the lease"
        );
    }
}
