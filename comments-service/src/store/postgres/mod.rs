//! The PostgreSQL backend: a deadpool of tokio-postgres connections shared by
//! every request of this instance, one database shared by every instance.
//!
//! Each write is one transaction (PostgreSQL does the group commit), after
//! which the instance sends `NOTIFY causerie_changes` (`announce`: outside
//! the transaction, so commits share WAL flushes); every instance `LISTEN`s
//! on its own connection and moves its read-cache generation when one
//! arrives (`connect`), while the writing instance moves its own before
//! answering.
//! What was in-process on SQLite is claimed in the database here: the
//! verification queue with `FOR UPDATE SKIP LOCKED` and a lease, the rebuild
//! run with an advisory lock, idempotency keys with a unique index.

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::time::Duration;

use deadpool_postgres::{Object, Pool, Transaction};
use tokio::sync::Notify;
use tokio_postgres::Row;

use super::{Micros, rfc3339};
use crate::error::{Error, Result};
use crate::model::{Comment, Kind};

mod activitypub;
mod admin;
mod announce;
mod ap_delivery;
mod ap_replays;
mod comments;
mod connect;
mod import;
mod limits;
mod mail_links;
mod mentions;
mod messages;
mod one_trip;
mod outbox;
mod own;
mod rebuild;
mod rows;
mod sign_in;
mod subscriptions;

pub use connect::LISTENER_NAME;
pub use rebuild::Claim;

/// The channel every writing transaction notifies.
pub const CHANNEL: &str = "causerie_changes";
/// A verification taken this long ago without `done` is taken again: other
/// instances are alive, so only the lease frees a dead instance's job.
const VERIFY_LEASE_US: Micros = 3 * 60 * 1_000_000;

/// The PostgreSQL store (cheap to clone).
#[derive(Clone)]
pub struct Postgres {
    pool: Pool,
    target: Arc<str>,
    generation: Arc<AtomicU64>,
    rebuild: Arc<Notify>,
    secret: Arc<Vec<u8>>,
    debounce_us: Micros,
    lease_us: Arc<AtomicI64>,
    /// The last rebuild request read: its generation and the snapshot that
    /// saw it (see `rebuild::rebuild_finished`).
    seen: Arc<std::sync::Mutex<Option<(i64, String)>>>,
    /// Tells the other instances after a commit.
    announcer: announce::Announcer,
}

impl Postgres {
    /// `host:port/dbname` of the database, safe to log.
    pub fn target(&self) -> &str {
        &self.target
    }

    /// A number that changes after every commit of any instance.
    pub fn generation(&self) -> u64 {
        self.generation.load(Ordering::Acquire)
    }

    /// Woken after a commit (of this or another instance) that asked for a rebuild.
    pub fn rebuild_signal(&self) -> Arc<Notify> {
        self.rebuild.clone()
    }

    /// The signing key every instance shares (the `settings` row).
    pub fn stored_secret(&self) -> &[u8] {
        &self.secret
    }

    /// Forgets cached read answers.
    pub fn forget_cached_reads(&self) {
        self.generation.fetch_add(1, Ordering::AcqRel);
    }

    /// Shortens (or lengthens) the verification lease (tests).
    pub fn set_verification_lease(&self, lease: Duration) {
        self.lease_us
            .store(lease.as_micros() as i64, Ordering::Relaxed);
    }

    /// 200 for `/healthz`: a pooled connection answers a query.
    pub async fn ping(&self) -> Result<()> {
        self.conn().await?.simple_query("SELECT 1").await?;
        Ok(())
    }

    /// A server setting as a pooled connection sees it (`SHOW name`).
    pub async fn server_setting(&self, name: &str) -> Result<String> {
        let c = self.conn().await?;
        let r = c.query_one("SELECT current_setting($1)", &[&name]).await?;
        Ok(r.try_get(0)?)
    }

    /// A pooled connection; an unreachable database names its target only.
    pub async fn conn(&self) -> Result<Object> {
        self.pool.get().await.map_err(|e| Error::Connect {
            target: self.target.to_string(),
            message: messages::pool_message(&e),
        })
    }

    /// Ends a writing transaction: records the rebuild request if the change
    /// is visible on the site (in the same transaction: it survives a
    /// crash), commits, moves this instance's generation so it reads its
    /// own write at once, then has the other instances told (`announce`).
    pub(crate) async fn commit(
        &self,
        tx: Transaction<'_>,
        rebuild: bool,
        now: Micros,
    ) -> Result<()> {
        if rebuild {
            let st = tx.prepare_cached(rebuild::REQUEST).await?;
            tx.execute(&st, &[&now]).await?;
        }
        tx.commit().await?;
        self.committed(rebuild);
        Ok(())
    }

    /// Like [`Postgres::commit`], with the notification inside the
    /// transaction: for a tool's one big write (`import`), whose process may
    /// exit before a later notification would be sent.
    pub(crate) async fn commit_announced(
        &self,
        tx: Transaction<'_>,
        rebuild: bool,
        now: Micros,
    ) -> Result<()> {
        if rebuild {
            tx.execute(rebuild::REQUEST, &[&now]).await?;
        }
        let payload = if rebuild { "rebuild" } else { "" };
        tx.execute("SELECT pg_notify($1, $2)", &[&CHANNEL, &payload])
            .await?;
        tx.commit().await?;
        self.generation.fetch_add(1, Ordering::AcqRel);
        if rebuild {
            self.rebuild.notify_one();
        }
        Ok(())
    }

    fn committed(&self, rebuild: bool) {
        self.generation.fetch_add(1, Ordering::AcqRel);
        if rebuild {
            self.rebuild.notify_one();
        }
        self.announcer.changed(rebuild);
    }
}

/// Columns of a reader-visible item, in `row_to_comment` order. A comment's
/// `updated` is its last edit (`edited_us`), not `updated_us`, which every
/// change (an approval too) bumps for the export's `since`; a mention's is
/// when it was last received.
pub(crate) const COLS: &str = "id, page, parent, author, website, author_photo, body_html, created_us, CASE WHEN kind = 'comment' THEN coalesce(edited_us, created_us) ELSE updated_us END, kind, source, url, is_owner, verified";

pub(crate) fn row_to_comment(r: &Row) -> Result<Comment> {
    Ok(Comment {
        id: r.try_get(0)?,
        page: r.try_get(1)?,
        parent: r.try_get(2)?,
        author: r.try_get(3)?,
        website: r.try_get(4)?,
        author_photo: r.try_get(5)?,
        body_html: r.try_get(6)?,
        created: rfc3339(r.try_get(7)?),
        updated: rfc3339(r.try_get(8)?),
        kind: Kind::parse(r.try_get(9)?).unwrap_or(Kind::Comment),
        source: r.try_get(10)?,
        url: r.try_get(11)?,
        is_owner: r.try_get(12)?,
        verified: r.try_get(13)?,
        replies: Vec::new(),
    })
}
