//! Accepted inbox signatures on PostgreSQL: the unique hash makes the
//! second insert of one signature, from whichever instance, a conflict.

use super::Postgres;
use crate::error::Result;
use crate::store::Micros;

/// Inserts the hash, or takes over an expired row; no row touched = a replay.
const FIRST: &str = "INSERT INTO ap_replays (hash, expires_us) VALUES ($1, $3)
     ON CONFLICT (hash) DO UPDATE SET expires_us = EXCLUDED.expires_us
     WHERE ap_replays.expires_us <= $2";

impl Postgres {
    /// See `Store::ap_signature_first`.
    pub async fn ap_signature_first(
        &self,
        hash: Vec<u8>,
        now_us: Micros,
        expires_us: Micros,
    ) -> Result<bool> {
        let c = self.conn().await?;
        Ok(c.execute(FIRST, &[&hash, &now_us, &expires_us]).await? == 1)
    }

    /// See `Store::ap_forget_signatures`.
    pub async fn ap_forget_signatures(&self, now_us: Micros) -> Result<u64> {
        let c = self.conn().await?;
        Ok(
            c.execute("DELETE FROM ap_replays WHERE expires_us <= $1", &[&now_us])
                .await?,
        )
    }
}
