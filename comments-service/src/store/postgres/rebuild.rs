//! The one rebuild request on PostgreSQL, shared by every instance.
//!
//! Each change appends a request row in its own transaction (it survives a
//! crash, and writers share no row);
//! the run is claimed with a session advisory lock held by one pooled
//! connection for as long as the command runs, so two instances never run
//! the same generation, and a dead instance's claim ends with its
//! connection while the row stays for the next one.

use deadpool_postgres::Object;

use super::Postgres;
use crate::error::Result;
use crate::store::policy;
use crate::store::{Micros, RebuildDue};

/// The advisory lock key of the rebuild run.
const REBUILD_LOCK: i64 = 0x6361_7573_0002;

/// The claim on the rebuild run: the connection that holds the lock.
pub struct Claim {
    conn: Option<Object>,
}

impl Claim {
    /// Unlocks, and gives the connection back to the pool.
    pub async fn release(mut self) {
        if let Some(c) = self.conn.take()
            && c.execute("SELECT pg_advisory_unlock($1)", &[&REBUILD_LOCK])
                .await
                .is_err()
        {
            // unsure whether it still holds the lock: close it instead
            drop(Object::take(c));
        }
    }
}

impl Drop for Claim {
    fn drop(&mut self) {
        // Not released (a panic, a cancelled task): closing the connection
        // ends the lock; it must not go back to the pool holding it.
        if let Some(c) = self.conn.take() {
            drop(Object::take(c));
        }
    }
}

impl Postgres {
    /// The rebuild request, if one is stored: the appended changes folded
    /// into one burst, pushed back by a failed run's retry time.
    pub async fn rebuild_due(&self) -> Result<Option<RebuildDue>> {
        let c = self.conn().await?;
        // The generation is the newest request this snapshot sees; the
        // snapshot itself is kept, so that finishing clears exactly the
        // requests this run saw (ids are handed out before commit: "id <= n"
        // alone could clear a change that committed after the run began).
        let burst = c
            .query_one(
                "SELECT pg_current_snapshot()::text,
                        (SELECT id FROM rebuild_requests ORDER BY id DESC LIMIT 1),
                        (SELECT at_us FROM rebuild_requests ORDER BY id LIMIT 1),
                        (SELECT at_us FROM rebuild_requests ORDER BY id DESC LIMIT 1)",
                &[],
            )
            .await?;
        let (Some(generation), Some(first), Some(last)) = (
            burst.try_get::<_, Option<i64>>(1)?,
            burst.try_get::<_, Option<i64>>(2)?,
            burst.try_get::<_, Option<i64>>(3)?,
        ) else {
            return Ok(None);
        };
        if let Ok(mut seen) = self.seen.lock() {
            *seen = Some((generation, burst.try_get(0)?));
        }
        let retry = c
            .query_opt(
                "SELECT due_us, attempts FROM rebuild_pending WHERE id = 1",
                &[],
            )
            .await?;
        let (floor, attempts) = match retry {
            Some(r) => (r.try_get(0)?, r.try_get(1)?),
            None => (i64::MIN, 0),
        };
        Ok(Some(RebuildDue {
            generation,
            due_us: policy::burst_due(first, last, self.debounce_us).max(floor),
            attempts,
        }))
    }

    /// The right to run the rebuild now, or `None` while another instance
    /// holds it.
    pub async fn claim_rebuild(&self) -> Result<Option<Claim>> {
        let c = self.conn().await?;
        let got: bool = c
            .query_one("SELECT pg_try_advisory_lock($1)", &[&REBUILD_LOCK])
            .await?
            .try_get(0)?;
        Ok(got.then_some(Claim { conn: Some(c) }))
    }

    /// Marks the changes up to `generation` that the run saw rebuilt (later
    /// ones keep their request) and forgets the failed run's retry state.
    pub async fn rebuild_finished(&self, generation: i64) -> Result<()> {
        let snapshot = self
            .seen
            .lock()
            .ok()
            .and_then(|s| s.clone())
            .filter(|(g, _)| *g == generation)
            .map(|(_, snap)| snap);
        let mut c = self.conn().await?;
        let tx = c.transaction().await?;
        match snapshot {
            Some(snap) => {
                tx.execute(
                    "DELETE FROM rebuild_requests WHERE id <= $1
                       AND pg_visible_in_snapshot(xact::text::xid8, $2::text::pg_snapshot)",
                    &[&generation, &snap],
                )
                .await?
            }
            // not read here: only what every snapshot sees now is surely done
            None => {
                tx.execute(
                    "DELETE FROM rebuild_requests WHERE id <= $1
                       AND xact::text::xid8 < pg_snapshot_xmin(pg_current_snapshot())",
                    &[&generation],
                )
                .await?
            }
        };
        tx.execute("DELETE FROM rebuild_pending WHERE id = 1", &[])
            .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Records a failed rebuild and when to try again.
    pub async fn rebuild_failed(&self, retry_at: Micros) -> Result<()> {
        let c = self.conn().await?;
        c.execute(
            "INSERT INTO rebuild_pending (id, generation, first_us, due_us, attempts) VALUES (1, 0, $1, $1, 1)
             ON CONFLICT (id) DO UPDATE SET attempts = rebuild_pending.attempts + 1,
               due_us = GREATEST(rebuild_pending.due_us, EXCLUDED.due_us)",
            &[&retry_at],
        )
        .await?;
        Ok(())
    }
}

/// Appends a rebuild request in the change's transaction: no row is shared
/// between writers, so no lock is held until commit (see the V3 migration).
/// `$1` is the time of the change.
pub(super) const REQUEST: &str =
    "INSERT INTO rebuild_requests (at_us, xact) VALUES ($1, pg_current_xact_id()::text::bigint)";
