//! Accepted inbox signatures on SQLite (see the PostgreSQL twin): one
//! writer, so the unique hash decides as it does there.

use super::*;

impl Sqlite {
    /// See `Store::ap_signature_first`.
    pub async fn ap_signature_first(
        &self,
        hash: Vec<u8>,
        now_us: Micros,
        expires_us: Micros,
    ) -> Result<bool> {
        self.write(move |ctx| {
            let n = ctx
                .conn
                .prepare_cached(
                    "INSERT INTO ap_replays (hash, expires_us) VALUES (?1, ?3)
                     ON CONFLICT (hash) DO UPDATE SET expires_us = excluded.expires_us
                     WHERE ap_replays.expires_us <= ?2",
                )?
                .execute(params![hash, now_us, expires_us])?;
            Ok(n == 1)
        })
        .await
    }

    /// See `Store::ap_forget_signatures`.
    pub async fn ap_forget_signatures(&self, now_us: Micros) -> Result<u64> {
        self.write(move |ctx| {
            Ok(ctx
                .conn
                .prepare_cached("DELETE FROM ap_replays WHERE expires_us <= ?1")?
                .execute([now_us])? as u64)
        })
        .await
    }
}
