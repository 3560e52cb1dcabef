//! Reader comments on PostgreSQL: reads, writes, moderation, idempotency keys.

use deadpool_postgres::{GenericClient, Transaction};
use tokio_postgres::types::ToSql;

use super::{COLS, Postgres, row_to_comment};
use crate::config::Moderation;
use crate::error::{Error, Refusal, Result};
use crate::model::{Comment, Status};
use crate::store::policy;
use crate::store::{Action, Created, IDEMPOTENCY_TTL_US, Micros, NewComment, Owned, now_us};

impl Postgres {
    /// The approved items of one page, oldest first.
    pub async fn page_items(&self, page: String) -> Result<Vec<Comment>> {
        let c = self.conn().await?;
        let st = c
            .prepare_cached(&format!(
                "SELECT {COLS} FROM comments WHERE page = $1 AND status = 'approved' ORDER BY id"
            ))
            .await?;
        c.query(&st, &[&page])
            .await?
            .iter()
            .map(row_to_comment)
            .collect()
    }

    /// Approved item counts for each of `pages` (0 for unknown pages).
    pub async fn counts(&self, pages: Vec<String>) -> Result<Vec<(String, u64)>> {
        let c = self.conn().await?;
        let st = c
            .prepare_cached(
                "SELECT page, count(*) FROM comments WHERE page = ANY($1) AND status = 'approved' GROUP BY page",
            )
            .await?;
        let found: std::collections::HashMap<String, i64> = c
            .query(&st, &[&pages])
            .await?
            .iter()
            .map(|r| Ok((r.try_get(0)?, r.try_get(1)?)))
            .collect::<Result<_>>()?;
        Ok(pages
            .into_iter()
            .map(|p| {
                let n = found.get(&p).copied().unwrap_or(0) as u64;
                (p, n)
            })
            .collect())
    }

    /// Stores a reader comment; with `key`, once per idempotency key. The key
    /// row goes in first: a concurrent try with the same key (on any
    /// instance) waits on it, then answers the comment this one made.
    pub async fn create_comment(&self, n: NewComment, key: Option<String>) -> Result<Created> {
        let now = now_us();
        let mut c = self.conn().await?;
        let tx = c.transaction().await?;
        if let Some(k) = &key {
            tx.execute(
                "DELETE FROM idempotency_keys WHERE key = $1 AND created_us < $2",
                &[k, &(now - IDEMPOTENCY_TTL_US)],
            )
            .await?;
            let fresh = tx
                .query_opt(
                    "INSERT INTO idempotency_keys (key, created_us) VALUES ($1, $2)
                     ON CONFLICT (key) DO NOTHING RETURNING 1",
                    &[k, &now],
                )
                .await?;
            if fresh.is_none() {
                let r = tx
                    .query_one(
                        "SELECT c.id, c.page, c.author, c.email, c.body_md, c.parent, c.status, c.created_us
                         FROM idempotency_keys k JOIN comments c ON c.id = k.comment_id WHERE k.key = $1",
                        &[k],
                    )
                    .await?;
                let (email, status): (Option<String>, String) = (r.try_get(3)?, r.try_get(6)?);
                return policy::replay(
                    &n,
                    policy::Earlier {
                        id: r.try_get(0)?,
                        page: r.try_get(1)?,
                        author: r.try_get(2)?,
                        email: email.as_deref(),
                        body_md: r.try_get(4)?,
                        parent: r.try_get(5)?,
                        status: &status,
                        created_us: r.try_get(7)?,
                    },
                );
            }
        }
        let created = insert_comment(&tx, &n, now).await?;
        super::outbox::after_create(&tx, &created, &n, now).await?;
        if let Some(k) = &key {
            tx.execute(
                "UPDATE idempotency_keys SET comment_id = $2 WHERE key = $1",
                &[k, &created.id],
            )
            .await?;
        }
        self.commit(tx, created.status == Status::Approved, now)
            .await?;
        Ok(created)
    }

    /// The facts edit/delete check (None when there is no such live comment).
    pub async fn owned(&self, id: i64) -> Result<Option<Owned>> {
        let c = self.conn().await?;
        live_comment(&c, id).await
    }

    /// Replaces a comment's body if it was created at or after `window_start`.
    pub async fn edit_comment(
        &self,
        id: i64,
        body_md: String,
        body_html: String,
        window_start: Micros,
    ) -> Result<Comment> {
        let now = now_us();
        let mut c = self.conn().await?;
        let tx = c.transaction().await?;
        let o = live_in_window(&tx, id, window_start).await?;
        tx.execute(
            "UPDATE comments SET body_md = $2, body_html = $3, updated_us = $4, edited_us = $4 WHERE id = $1",
            &[&id, &body_md, &body_html, &now],
        )
        .await?;
        let row = tx
            .query_one(
                &format!("SELECT {COLS} FROM comments WHERE id = $1"),
                &[&id],
            )
            .await?;
        let comment = row_to_comment(&row)?;
        self.commit(tx, o.status == Status::Approved, now).await?;
        Ok(comment)
    }

    /// Deletes a comment if it was created at or after `window_start`.
    pub async fn delete_comment(&self, id: i64, window_start: Micros) -> Result<()> {
        let now = now_us();
        let mut c = self.conn().await?;
        let tx = c.transaction().await?;
        let o = live_in_window(&tx, id, window_start).await?;
        let rebuild = set_status(&tx, id, o.status, Status::Deleted, now).await?;
        self.commit(tx, rebuild, now).await
    }

    /// Applies a moderation action to each of `ids`; returns how many changed.
    pub async fn moderate(&self, ids: Vec<i64>, action: Action) -> Result<usize> {
        let now = now_us();
        let mut c = self.conn().await?;
        let tx = c.transaction().await?;
        let (mut changed, mut rebuild) = (0, false);
        for id in ids {
            let (did, visible) = moderate_one(&tx, id, action, now).await?;
            changed += usize::from(did);
            rebuild |= visible;
        }
        self.commit(tx, rebuild, now).await?;
        Ok(changed)
    }

    /// Clears stored client addresses older than `before` (privacy).
    pub async fn forget_addresses(&self, before: Micros) -> Result<usize> {
        let c = self.conn().await?;
        let n = c
            .execute(
                "UPDATE comments SET client_addr = NULL WHERE client_addr IS NOT NULL AND created_us < $1",
                &[&before],
            )
            .await?;
        Ok(n as usize)
    }

    /// Forgets idempotency keys made before `before`.
    pub async fn forget_idempotency_keys(&self, before: Micros) -> Result<usize> {
        let c = self.conn().await?;
        let n = c
            .execute(
                "DELETE FROM idempotency_keys WHERE created_us < $1",
                &[&before],
            )
            .await?;
        Ok(n as usize)
    }
}

/// Applies `action` to `id` inside `tx`: (changed, the site's pages change).
pub(super) async fn moderate_one(
    tx: &Transaction<'_>,
    id: i64,
    action: Action,
    now: Micros,
) -> Result<(bool, bool)> {
    let new = match action {
        Action::Approve => Status::Approved,
        Action::Reject => Status::Rejected,
        Action::Spam => Status::Spam,
        Action::Delete => Status::Deleted,
    };
    let Some(r) = tx
        .query_opt(
            "SELECT status, commenter_key FROM comments WHERE id = $1 FOR UPDATE",
            &[&id],
        )
        .await?
    else {
        return Ok((false, false));
    };
    let old = Status::parse(r.try_get(0)?).unwrap_or(Status::Pending);
    let key: Option<String> = r.try_get(1)?;
    if old == new {
        return Ok((false, false));
    }
    let rebuild = set_status(tx, id, old, new, now).await?;
    if new == Status::Approved {
        if let Some(k) = key {
            tx.execute(
                "INSERT INTO trusted_commenters (commenter_key) VALUES ($1) ON CONFLICT DO NOTHING",
                &[&k],
            )
            .await?;
        }
        super::outbox::after_approve(tx, id, now).await?;
    }
    Ok((true, rebuild))
}

/// Inserts a new reader comment inside `tx`.
async fn insert_comment(tx: &Transaction<'_>, n: &NewComment, now: Micros) -> Result<Created> {
    if let Some(p) = n.parent {
        let st = tx
            .prepare_cached(
                "SELECT 1 FROM comments WHERE id = $1 AND page = $2 AND status IN ('approved', 'pending')",
            )
            .await?;
        let ok = tx.query_opt(&st, &[&p, &n.page]).await?;
        if ok.is_none() {
            return Err(Error::refused(
                Refusal::Inconsistent,
                "parent",
                "the comment you answer does not exist on this page",
            ));
        }
    }
    let status = if n.is_owner {
        Status::Approved
    } else if n.hold {
        Status::Pending
    } else {
        decide(tx, n.moderation, &n.commenter_key).await?
    };
    let st = tx
        .prepare_cached(
            "INSERT INTO comments (page, parent, kind, status, author, email, website, body_md,
                body_html, is_owner, commenter_key, client_addr, created_us, updated_us,
                verified, signed_in_as)
             VALUES ($1, $2, 'comment', $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $12, $13, $14)
             RETURNING id",
        )
        .await?;
    let params: [&(dyn ToSql + Sync); 14] = [
        &n.page,
        &n.parent,
        &status.as_str(),
        &n.author,
        &n.email,
        &n.website,
        &n.body_md,
        &n.body_html,
        &n.is_owner,
        &n.commenter_key,
        &n.client_addr,
        &now,
        &n.verified,
        &n.signed_in_as,
    ];
    let id: i64 = tx.query_one(&st, &params).await?.try_get(0)?;
    Ok(Created {
        id,
        status,
        created_us: now,
        replayed: false,
    })
}

/// The status a new item gets under `mode` (see `policy::status_for`).
pub(super) async fn decide(tx: &Transaction<'_>, mode: Moderation, key: &str) -> Result<Status> {
    let known = mode == Moderation::FirstTime && {
        let st = tx
            .prepare_cached("SELECT 1 FROM trusted_commenters WHERE commenter_key = $1")
            .await?;
        tx.query_opt(&st, &[&key]).await?.is_some()
    };
    Ok(policy::status_for(mode, known))
}

/// The live (approved or held) comment `id`, if there is one.
async fn live_comment(c: &impl GenericClient, id: i64) -> Result<Option<Owned>> {
    let Some(r) = c
        .query_opt(
            "SELECT id, page, status, created_us FROM comments
             WHERE id = $1 AND kind = 'comment' AND status IN ('approved', 'pending')",
            &[&id],
        )
        .await?
    else {
        return Ok(None);
    };
    Ok(Some(Owned {
        id: r.try_get(0)?,
        page: r.try_get(1)?,
        status: Status::parse(r.try_get(2)?).unwrap_or(Status::Pending),
        created_us: r.try_get(3)?,
    }))
}

/// The live comment `id`, refusing one outside the edit window.
async fn live_in_window(tx: &Transaction<'_>, id: i64, window_start: Micros) -> Result<Owned> {
    let o = live_comment(tx, id)
        .await?
        .ok_or_else(|| Error::refused(Refusal::Missing, "id", "no such comment"))?;
    if o.created_us < window_start {
        return Err(Error::refused(
            Refusal::Closed,
            "token",
            "the time for changing this comment has passed",
        ));
    }
    Ok(o)
}

/// Moves `id` from `old` to `new`, keeping the removal log in step; true
/// when the site's pages change (a rebuild is due).
pub(super) async fn set_status(
    tx: &Transaction<'_>,
    id: i64,
    old: Status,
    new: Status,
    now: Micros,
) -> Result<bool> {
    tx.execute(
        "UPDATE comments SET status = $2, updated_us = $3 WHERE id = $1",
        &[&id, &new.as_str(), &now],
    )
    .await?;
    if old == Status::Approved && new != Status::Approved {
        tx.execute(
            "INSERT INTO removals (comment_id, at_us) VALUES ($1, $2)",
            &[&id, &now],
        )
        .await?;
    }
    Ok(old == Status::Approved || new == Status::Approved)
}
