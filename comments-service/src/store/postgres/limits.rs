//! Rate-limit counters shared by every instance: one row per client key,
//! counting hits in the current fixed window. A single upsert both counts
//! and answers, so two instances never both let the last allowed hit pass.

use super::Postgres;
use crate::error::Result;
use crate::store::Micros;

impl Postgres {
    /// Counts one hit of `key` in the window starting at `window_us`; the
    /// hits of that window so far, this one included.
    pub async fn count_hit(&self, key: &str, window_us: Micros) -> Result<u32> {
        let c = self.conn().await?;
        let st = c
            .prepare_cached(
                "INSERT INTO rate_windows (key, window_us, hits) VALUES ($1, $2, 1)
                 ON CONFLICT (key) DO UPDATE SET
                   hits = CASE WHEN rate_windows.window_us = EXCLUDED.window_us
                               THEN rate_windows.hits + 1 ELSE 1 END,
                   window_us = EXCLUDED.window_us
                 RETURNING hits",
            )
            .await?;
        let hits: i32 = c.query_one(&st, &[&key, &window_us]).await?.try_get(0)?;
        Ok(hits.max(0) as u32)
    }

    /// Forgets counters of windows that began before `before`.
    pub async fn forget_rate_windows(&self, before: Micros) -> Result<usize> {
        let c = self.conn().await?;
        let n = c
            .execute("DELETE FROM rate_windows WHERE window_us < $1", &[&before])
            .await?;
        Ok(n as usize)
    }
}
