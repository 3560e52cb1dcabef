//! The sign-in surface of [`Store`]: sessions and single-use flow records
//! (e-mail link tokens; OpenID Connect and IndieAuth states).

use super::{Backend, Store};
use crate::error::Result;
use crate::store::Micros;
use crate::store::sign_in::SessionRow;

impl Store {
    /// Keeps the single-use flow record `id` (JSON `payload`) until `expires_us`.
    pub async fn put_flow(&self, id: &str, payload: &str, expires_us: Micros) -> Result<()> {
        let (id, payload) = (id.to_string(), payload.to_string());
        on!(self, b => b.put_flow(id, payload, expires_us).await)
    }

    /// Deletes flow record `id` atomically and answers its payload, or
    /// `None` if there was none or it had expired at `now_us`.
    pub async fn take_flow(&self, id: &str, now_us: Micros) -> Result<Option<String>> {
        let id = id.to_string();
        on!(self, b => b.take_flow(id, now_us).await)
    }

    /// Stores a new session.
    pub async fn put_session(&self, s: SessionRow) -> Result<()> {
        on!(self, b => b.put_session(s).await)
    }

    /// The session with `id_hash`, if it has not expired at `now_us`.
    pub async fn session(&self, id_hash: &str, now_us: Micros) -> Result<Option<SessionRow>> {
        let id_hash = id_hash.to_string();
        on!(self, b => b.session(id_hash, now_us).await)
    }

    /// Ends (revokes) the session with `id_hash`; true when there was one.
    pub async fn delete_session(&self, id_hash: &str) -> Result<bool> {
        let id_hash = id_hash.to_string();
        on!(self, b => b.delete_session(id_hash).await)
    }

    /// Deletes sessions and flow records expired at `now_us`.
    pub async fn forget_expired_sign_ins(&self, now_us: Micros) -> Result<usize> {
        on!(self, b => b.forget_expired_sign_ins(now_us).await)
    }

    /// The signed-in identity key comment `id` was posted under, if any.
    pub async fn signed_in_as(&self, id: i64) -> Result<Option<String>> {
        on!(self, b => b.signed_in_as(id).await)
    }
}
