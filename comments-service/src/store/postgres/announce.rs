//! Telling the other instances that something changed, outside the change's
//! transaction.
//!
//! A `NOTIFY` inside a transaction holds PostgreSQL's database-wide notify
//! lock from pre-commit until the commit's WAL flush is done, so notifying
//! writes commit one after another and cannot share a flush: measured on
//! this machine's disk, that capped durable comments at about 500–700/s
//! whatever the number of instances. So a write commits first (its rebuild
//! request is still in its own transaction, so a crash loses nothing), and
//! one task per instance then sends one `NOTIFY` for all the commits made
//! since its last one. A `NOTIFY` alone writes no WAL and holds the lock
//! for a moment.
//!
//! A crash between commit and notification loses that notification: the
//! rebuild loop polls its request table every second anyway, and
//! [`poll_changes`] moves the generation when the newest change time moved,
//! so other instances' caches are at most about a second stale then.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;

use deadpool_postgres::Pool;
use tokio::sync::Notify;

use super::CHANNEL;

/// How often an instance looks at the newest change time in case a
/// notification was lost.
const POLL: Duration = Duration::from_secs(1);

/// The instance's side of the announcements (cheap to clone).
#[derive(Clone, Default)]
pub(super) struct Announcer {
    wake: Arc<Notify>,
    rebuild: Arc<AtomicBool>,
}

impl Announcer {
    /// Asks for a notification after a commit; commits that ask while one
    /// is being sent share the next one.
    pub(super) fn changed(&self, rebuild: bool) {
        if rebuild {
            self.rebuild.store(true, Ordering::Release);
        }
        self.wake.notify_one();
    }

    /// Sends the notifications for the life of the pool.
    pub(super) fn start(&self, pool: Pool, target: Arc<str>) {
        let me = self.clone();
        tokio::spawn(async move {
            let mut failures = 0u32;
            loop {
                me.wake.notified().await;
                let rebuild = me.rebuild.swap(false, Ordering::AcqRel);
                let payload = if rebuild { "rebuild" } else { "" };
                let sent = match pool.get().await {
                    Ok(c) => c
                        .execute("SELECT pg_notify($1, $2)", &[&CHANNEL, &payload])
                        .await
                        .map(|_| ())
                        .map_err(|e| e.to_string()),
                    Err(e) => Err(super::messages::pool_message(&e)),
                };
                if let Err(e) = sent {
                    failures += 1;
                    if failures == 1 || failures.is_multiple_of(60) {
                        tracing::warn!(database = %target, error = %e, "cannot notify the other instances");
                    }
                    // try again shortly, keeping what was to be said
                    if rebuild {
                        me.rebuild.store(true, Ordering::Release);
                    }
                    tokio::time::sleep(Duration::from_millis(500)).await;
                    me.wake.notify_one();
                } else {
                    failures = 0;
                }
            }
        });
    }
}

/// Moves `generation` when the newest change time or id of the conversation moved
/// without a notification (one was lost with a crashed instance).
pub(super) fn poll_changes(pool: Pool, generation: Arc<AtomicU64>) {
    tokio::spawn(async move {
        let mut last: Option<(i64, i64)> = None;
        loop {
            tokio::time::sleep(POLL).await;
            let Ok(c) = pool.get().await else { continue };
            let newest = c
                .query_one(
                    "SELECT coalesce(max(updated_us), 0), coalesce(max(id), 0) FROM comments",
                    &[],
                )
                .await
                .and_then(|r| Ok((r.try_get::<_, i64>(0)?, r.try_get::<_, i64>(1)?)));
            if let Ok(newest) = newest {
                if last.is_some_and(|l| l != newest) {
                    generation.fetch_add(1, Ordering::AcqRel);
                }
                last = Some(newest);
            }
        }
    });
}
