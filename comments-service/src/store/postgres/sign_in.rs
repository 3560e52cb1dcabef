//! Sign-in: sessions and single-use flow records (the twin of
//! `sqlite::sign_in`). `DELETE … RETURNING` takes a flow once, whichever
//! instance serves the callback.

use super::Postgres;
use crate::error::Result;
use crate::store::Micros;
use crate::store::sign_in::SessionRow;

impl Postgres {
    /// Keeps flow record `id` until `expires_us` (replaces one with the same id).
    pub async fn put_flow(&self, id: String, payload: String, expires_us: Micros) -> Result<()> {
        let c = self.conn().await?;
        c.execute(
            "INSERT INTO sign_in_flows (id, payload, expires_us) VALUES ($1, $2, $3)
             ON CONFLICT (id) DO UPDATE SET payload = EXCLUDED.payload, expires_us = EXCLUDED.expires_us",
            &[&id, &payload, &expires_us],
        )
        .await?;
        Ok(())
    }

    /// Deletes flow record `id` and answers its payload if it had not expired at `now_us`.
    pub async fn take_flow(&self, id: String, now_us: Micros) -> Result<Option<String>> {
        let c = self.conn().await?;
        let row = c
            .query_opt(
                "DELETE FROM sign_in_flows WHERE id = $1 RETURNING payload, expires_us",
                &[&id],
            )
            .await?;
        let Some(r) = row else { return Ok(None) };
        let exp: Micros = r.try_get(1)?;
        Ok((exp > now_us).then(|| r.try_get(0)).transpose()?)
    }

    /// Stores a new session.
    pub async fn put_session(&self, s: SessionRow) -> Result<()> {
        let c = self.conn().await?;
        c.execute(
            "INSERT INTO sign_in_sessions (id_hash, identity, csrf, created_us, expires_us)
             VALUES ($1, $2, $3, $4, $5)",
            &[
                &s.id_hash,
                &s.identity,
                &s.csrf,
                &s.created_us,
                &s.expires_us,
            ],
        )
        .await?;
        Ok(())
    }

    /// The session with `id_hash` if it has not expired at `now_us`.
    pub async fn session(&self, id_hash: String, now_us: Micros) -> Result<Option<SessionRow>> {
        let c = self.conn().await?;
        let st = c
            .prepare_cached(
                "SELECT id_hash, identity, csrf, created_us, expires_us FROM sign_in_sessions
                 WHERE id_hash = $1 AND expires_us > $2",
            )
            .await?;
        let Some(r) = c.query_opt(&st, &[&id_hash, &now_us]).await? else {
            return Ok(None);
        };
        Ok(Some(SessionRow {
            id_hash: r.try_get(0)?,
            identity: r.try_get(1)?,
            csrf: r.try_get(2)?,
            created_us: r.try_get(3)?,
            expires_us: r.try_get(4)?,
        }))
    }

    /// Ends the session with `id_hash`; true when there was one.
    pub async fn delete_session(&self, id_hash: String) -> Result<bool> {
        let c = self.conn().await?;
        let n = c
            .execute(
                "DELETE FROM sign_in_sessions WHERE id_hash = $1",
                &[&id_hash],
            )
            .await?;
        Ok(n > 0)
    }

    /// Deletes sessions and flow records expired at `now_us`; how many.
    pub async fn forget_expired_sign_ins(&self, now_us: Micros) -> Result<usize> {
        let c = self.conn().await?;
        let a = c
            .execute(
                "DELETE FROM sign_in_sessions WHERE expires_us <= $1",
                &[&now_us],
            )
            .await?;
        let b = c
            .execute(
                "DELETE FROM sign_in_flows WHERE expires_us <= $1",
                &[&now_us],
            )
            .await?;
        Ok((a + b) as usize)
    }

    /// The signed-in identity key comment `id` was posted under, if any.
    pub async fn signed_in_as(&self, id: i64) -> Result<Option<String>> {
        let c = self.conn().await?;
        let r = c
            .query_opt("SELECT signed_in_as FROM comments WHERE id = $1", &[&id])
            .await?;
        Ok(match r {
            Some(r) => r.try_get(0)?,
            None => None,
        })
    }
}
