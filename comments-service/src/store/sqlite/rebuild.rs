//! The one stored rebuild request and its debounce.

use super::*;

impl Sqlite {
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
}

/// Records (or pushes back) the one pending rebuild, as `policy::debounce`
/// says; each change bumps its generation. Runs in the writer's transaction,
/// so the read and the write are one step.
pub(super) fn request_rebuild(
    conn: &Connection,
    now: Micros,
    debounce_us: Micros,
) -> rusqlite::Result<()> {
    let pending = conn
        .prepare_cached("SELECT first_us, due_us FROM rebuild_pending WHERE id = 1")?
        .query_row([], |r| {
            Ok(crate::store::policy::Debounce {
                first_us: r.get(0)?,
                due_us: r.get(1)?,
            })
        })
        .optional()?;
    let next = crate::store::policy::debounce(pending, now, debounce_us);
    conn.prepare_cached(
        "INSERT INTO rebuild_pending (id, generation, first_us, due_us, attempts) VALUES (1, 1, ?1, ?2, 0)
         ON CONFLICT (id) DO UPDATE SET generation = generation + 1, due_us = ?2",
    )?
    .execute(params![next.first_us, next.due_us])?;
    Ok(())
}
