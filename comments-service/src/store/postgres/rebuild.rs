//! The one rebuild request on PostgreSQL, shared by every instance.
//!
//! The row is written in the change's transaction (it survives a crash);
//! the run is claimed with a session advisory lock held by one pooled
//! connection for as long as the command runs, so two instances never run
//! the same generation, and a dead instance's claim ends with its
//! connection while the row stays for the next one.

use deadpool_postgres::{Object, Transaction};

use super::Postgres;
use crate::error::Result;
use crate::store::policy::{self, Debounce};
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
    /// The rebuild request, if one is stored.
    pub async fn rebuild_due(&self) -> Result<Option<RebuildDue>> {
        let c = self.conn().await?;
        let r = c
            .query_opt(
                "SELECT generation, due_us, attempts FROM rebuild_pending WHERE id = 1",
                &[],
            )
            .await?;
        r.map(|r| {
            Ok(RebuildDue {
                generation: r.try_get(0)?,
                due_us: r.try_get(1)?,
                attempts: r.try_get(2)?,
            })
        })
        .transpose()
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

    /// Marks the rebuild of `generation` done (a later change keeps its request).
    pub async fn rebuild_finished(&self, generation: i64) -> Result<()> {
        let c = self.conn().await?;
        c.execute(
            "DELETE FROM rebuild_pending WHERE id = 1 AND generation = $1",
            &[&generation],
        )
        .await?;
        Ok(())
    }

    /// Records a failed rebuild and when to try again.
    pub async fn rebuild_failed(&self, retry_at: Micros) -> Result<()> {
        let c = self.conn().await?;
        c.execute(
            "UPDATE rebuild_pending SET attempts = attempts + 1, due_us = GREATEST(due_us, $1) WHERE id = 1",
            &[&retry_at],
        )
        .await?;
        Ok(())
    }
}

/// Records (or pushes back) the one pending rebuild as `policy::debounce`
/// says, in the change's transaction; the row lock orders concurrent writers.
pub(super) async fn request_rebuild(
    tx: &Transaction<'_>,
    now: Micros,
    debounce_us: Micros,
) -> Result<()> {
    let pending = tx
        .query_opt(
            "SELECT first_us, due_us FROM rebuild_pending WHERE id = 1 FOR UPDATE",
            &[],
        )
        .await?
        .map(|r| -> Result<Debounce> {
            Ok(Debounce {
                first_us: r.try_get(0)?,
                due_us: r.try_get(1)?,
            })
        })
        .transpose()?;
    let next = policy::debounce(pending, now, debounce_us);
    tx.execute(
        "INSERT INTO rebuild_pending (id, generation, first_us, due_us, attempts) VALUES (1, 1, $1, $2, 0)
         ON CONFLICT (id) DO UPDATE SET generation = rebuild_pending.generation + 1,
           due_us = GREATEST(rebuild_pending.due_us, EXCLUDED.due_us)",
        &[&next.first_us, &next.due_us],
    )
    .await?;
    Ok(())
}
