//! The fediverse's state in PostgreSQL: the actor's key pair (a `settings`
//! row every instance shares) and the followers (see the SQLite twin).

use super::Postgres;
use crate::error::Result;
use crate::store::now_us;

impl Postgres {
    /// The stored value of setting `key`, or `make` stored now (the first
    /// instance wins; the others read what it stored).
    pub async fn setting_or_insert(&self, key: &'static str, make: Vec<u8>) -> Result<Vec<u8>> {
        let c = self.conn().await?;
        c.execute(
            "INSERT INTO settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING",
            &[&key, &make],
        )
        .await?;
        Ok(
            c.query_one("SELECT value FROM settings WHERE key = $1", &[&key])
                .await?
                .try_get(0)?,
        )
    }

    /// The stored value of setting `key`.
    pub async fn setting(&self, key: &'static str) -> Result<Option<Vec<u8>>> {
        let c = self.conn().await?;
        Ok(
            match c
                .query_opt("SELECT value FROM settings WHERE key = $1", &[&key])
                .await?
            {
                Some(r) => Some(r.try_get(0)?),
                None => None,
            },
        )
    }

    /// Adds (or refreshes the inboxes of) a follower.
    pub async fn follower_add(
        &self,
        actor: String,
        inbox: String,
        shared_inbox: Option<String>,
    ) -> Result<()> {
        let c = self.conn().await?;
        c.execute(
            "INSERT INTO ap_followers (actor, inbox, shared_inbox, created_us)
             VALUES ($1, $2, $3, $4)
             ON CONFLICT (actor) DO UPDATE SET inbox = $2, shared_inbox = $3",
            &[&actor, &inbox, &shared_inbox, &now_us()],
        )
        .await?;
        Ok(())
    }

    /// Removes a follower; true when it was one.
    pub async fn follower_remove(&self, actor: String) -> Result<bool> {
        let c = self.conn().await?;
        Ok(
            c.execute("DELETE FROM ap_followers WHERE actor = $1", &[&actor])
                .await?
                > 0,
        )
    }

    /// The live item (not deleted) with `id`, or with `source` when `id`
    /// is `None`.
    pub async fn ap_item(
        &self,
        id: Option<i64>,
        source: String,
    ) -> Result<Option<crate::store::ApItem>> {
        let c = self.conn().await?;
        let row = c
            .query_opt(
                "SELECT id, page, website FROM comments
                 WHERE ($1::BIGINT IS NOT NULL AND id = $1 OR $1::BIGINT IS NULL AND source = $2)
                   AND status != 'deleted' ORDER BY id LIMIT 1",
                &[&id, &source],
            )
            .await?;
        Ok(match row {
            Some(r) => Some(crate::store::ApItem {
                id: r.try_get(0)?,
                page: r.try_get(1)?,
                website: r.try_get(2)?,
            }),
            None => None,
        })
    }

    /// How many follow the blog.
    pub async fn follower_count(&self) -> Result<u64> {
        let c = self.conn().await?;
        let n: i64 = c
            .query_one("SELECT COUNT(*) FROM ap_followers", &[])
            .await?
            .try_get(0)?;
        Ok(n.max(0) as u64)
    }
}
