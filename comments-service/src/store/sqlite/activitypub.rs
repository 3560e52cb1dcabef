//! The fediverse's state in SQLite: the actor's key pair (a `settings`
//! row) and the followers (see the PostgreSQL twin).

use super::*;

impl Sqlite {
    /// The stored value of setting `key`, or `make()` stored now (the first
    /// caller wins; later ones read what it stored).
    pub async fn setting_or_insert(&self, key: &'static str, make: Vec<u8>) -> Result<Vec<u8>> {
        self.write(move |ctx| {
            ctx.conn
                .prepare_cached("INSERT OR IGNORE INTO settings (key, value) VALUES (?1, ?2)")?
                .execute(params![key, make])?;
            Ok(ctx
                .conn
                .prepare_cached("SELECT value FROM settings WHERE key = ?1")?
                .query_row([key], |r| r.get(0))?)
        })
        .await
    }

    /// Whether setting `key` is stored.
    pub async fn setting(&self, key: &'static str) -> Result<Option<Vec<u8>>> {
        self.read(move |conn| {
            Ok(conn
                .prepare_cached("SELECT value FROM settings WHERE key = ?1")?
                .query_row([key], |r| r.get(0))
                .optional()?)
        })
        .await
    }

    /// Adds (or refreshes the inboxes of) a follower.
    pub async fn follower_add(
        &self,
        actor: String,
        inbox: String,
        shared_inbox: Option<String>,
    ) -> Result<()> {
        self.write(move |ctx| {
            ctx.conn
                .prepare_cached(
                    "INSERT INTO ap_followers (actor, inbox, shared_inbox, created_us)
                     VALUES (?1, ?2, ?3, ?4)
                     ON CONFLICT (actor) DO UPDATE SET inbox = ?2, shared_inbox = ?3",
                )?
                .execute(params![actor, inbox, shared_inbox, ctx.now_us])?;
            Ok(())
        })
        .await
    }

    /// Removes a follower; true when it was one.
    pub async fn follower_remove(&self, actor: String) -> Result<bool> {
        self.write(move |ctx| {
            Ok(ctx
                .conn
                .prepare_cached("DELETE FROM ap_followers WHERE actor = ?1")?
                .execute([actor])?
                > 0)
        })
        .await
    }

    /// The live item (not deleted) with `id`, or with `source` when `id`
    /// is `None`: (id, page, website).
    pub async fn ap_item(
        &self,
        id: Option<i64>,
        source: String,
    ) -> Result<Option<crate::store::ApItem>> {
        self.read(move |conn| {
            Ok(conn
                .prepare_cached(
                    "SELECT id, page, website FROM comments
                     WHERE (?1 IS NOT NULL AND id = ?1 OR ?1 IS NULL AND source = ?2)
                       AND status != 'deleted' ORDER BY id LIMIT 1",
                )?
                .query_row(params![id, source], |r| {
                    Ok(crate::store::ApItem {
                        id: r.get(0)?,
                        page: r.get(1)?,
                        website: r.get(2)?,
                    })
                })
                .optional()?)
        })
        .await
    }

    /// How many follow the blog.
    pub async fn follower_count(&self) -> Result<u64> {
        self.read(|conn| {
            let n: i64 = conn
                .prepare_cached("SELECT COUNT(*) FROM ap_followers")?
                .query_row([], |r| r.get(0))?;
            Ok(n.max(0) as u64)
        })
        .await
    }
}
