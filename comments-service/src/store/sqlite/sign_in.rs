//! Sign-in: sessions and single-use flow records (see `store::sign_in`).
//! Taking a flow deletes it in the writer, so it is used once.

use super::*;
use crate::store::sign_in::SessionRow;

impl Sqlite {
    /// Keeps flow record `id` until `expires_us` (replaces one with the same id).
    pub async fn put_flow(&self, id: String, payload: String, expires_us: Micros) -> Result<()> {
        self.write(move |ctx| {
            ctx.conn
                .prepare_cached(
                    "INSERT OR REPLACE INTO sign_in_flows (id, payload, expires_us) VALUES (?1, ?2, ?3)",
                )?
                .execute(params![id, payload, expires_us])?;
            Ok(())
        })
        .await
    }

    /// Deletes flow record `id` and answers its payload if it had not expired at `now_us`.
    pub async fn take_flow(&self, id: String, now_us: Micros) -> Result<Option<String>> {
        self.write(move |ctx| {
            let found: Option<(String, Micros)> = ctx
                .conn
                .prepare_cached(
                    "DELETE FROM sign_in_flows WHERE id = ?1 RETURNING payload, expires_us",
                )?
                .query_row([&id], |r| Ok((r.get(0)?, r.get(1)?)))
                .optional()?;
            Ok(found.and_then(|(p, exp)| (exp > now_us).then_some(p)))
        })
        .await
    }

    /// Stores a new session.
    pub async fn put_session(&self, s: SessionRow) -> Result<()> {
        self.write(move |ctx| {
            ctx.conn
                .prepare_cached(
                    "INSERT INTO sign_in_sessions (id_hash, identity, csrf, created_us, expires_us)
                     VALUES (?1, ?2, ?3, ?4, ?5)",
                )?
                .execute(params![
                    s.id_hash,
                    s.identity,
                    s.csrf,
                    s.created_us,
                    s.expires_us
                ])?;
            Ok(())
        })
        .await
    }

    /// The session with `id_hash` if it has not expired at `now_us`.
    pub async fn session(&self, id_hash: String, now_us: Micros) -> Result<Option<SessionRow>> {
        self.read(move |c| {
            Ok(c.prepare_cached(
                "SELECT id_hash, identity, csrf, created_us, expires_us FROM sign_in_sessions
                 WHERE id_hash = ?1 AND expires_us > ?2",
            )?
            .query_row(params![id_hash, now_us], |r| {
                Ok(SessionRow {
                    id_hash: r.get(0)?,
                    identity: r.get(1)?,
                    csrf: r.get(2)?,
                    created_us: r.get(3)?,
                    expires_us: r.get(4)?,
                })
            })
            .optional()?)
        })
        .await
    }

    /// Ends the session with `id_hash`; true when there was one.
    pub async fn delete_session(&self, id_hash: String) -> Result<bool> {
        self.write(move |ctx| {
            let n = ctx
                .conn
                .prepare_cached("DELETE FROM sign_in_sessions WHERE id_hash = ?1")?
                .execute([id_hash])?;
            Ok(n > 0)
        })
        .await
    }

    /// Deletes sessions and flow records expired at `now_us`; how many.
    pub async fn forget_expired_sign_ins(&self, now_us: Micros) -> Result<usize> {
        self.write(move |ctx| {
            let a = ctx
                .conn
                .prepare_cached("DELETE FROM sign_in_sessions WHERE expires_us <= ?1")?
                .execute([now_us])?;
            let b = ctx
                .conn
                .prepare_cached("DELETE FROM sign_in_flows WHERE expires_us <= ?1")?
                .execute([now_us])?;
            Ok(a + b)
        })
        .await
    }

    /// The signed-in identity key comment `id` was posted under, if any.
    pub async fn signed_in_as(&self, id: i64) -> Result<Option<String>> {
        self.read(move |c| {
            Ok(
                c.prepare_cached("SELECT signed_in_as FROM comments WHERE id = ?1")?
                    .query_row([id], |r| r.get::<_, Option<String>>(0))
                    .optional()?
                    .flatten(),
            )
        })
        .await
    }
}
