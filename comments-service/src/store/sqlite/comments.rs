//! Reader comments: reads, writes, moderation and the edit window.

use super::*;
use crate::store::IDEMPOTENCY_TTL_US;

impl Sqlite {
    /// The approved items of one page, oldest first (flat; see `model::thread`).
    pub async fn page_items(&self, page: String) -> Result<Vec<Comment>> {
        self.read(move |c| {
            let mut st = c.prepare_cached(&format!(
                "SELECT {COLS} FROM comments WHERE page = ?1 AND status = 'approved' ORDER BY id"
            ))?;
            let rows = st.query_map([page], row_to_comment)?;
            Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
        })
        .await
    }

    /// Approved item counts for each of `pages` (0 for unknown pages).
    pub async fn counts(&self, pages: Vec<String>) -> Result<Vec<(String, u64)>> {
        self.read(move |c| {
            let mut st = c.prepare_cached(
                "SELECT count(*) FROM comments WHERE page = ?1 AND status = 'approved'",
            )?;
            let mut out = Vec::with_capacity(pages.len());
            for p in pages {
                let n: i64 = st.query_row([&p], |r| r.get(0))?;
                out.push((p, n as u64));
            }
            Ok(out)
        })
        .await
    }

    /// Stores a reader comment, deciding moderation; refuses a missing parent.
    /// With `key`, a comment stored earlier under the same idempotency key is
    /// answered instead (see `policy::replay`).
    pub async fn create_comment(&self, n: NewComment, key: Option<String>) -> Result<Created> {
        self.write(move |ctx| {
            if let Some(k) = &key {
                ctx.conn
                    .prepare_cached("DELETE FROM idempotency_keys WHERE key = ?1 AND created_us < ?2")?
                    .execute(params![k, ctx.now_us - IDEMPOTENCY_TTL_US])?;
                let earlier: Option<Option<i64>> = ctx
                    .conn
                    .prepare_cached("SELECT comment_id FROM idempotency_keys WHERE key = ?1")?
                    .query_row([k], |r| r.get(0))
                    .optional()?;
                if let Some(id) = earlier.flatten() {
                    return replay(ctx.conn, id, &n);
                }
            }
            let created = insert_comment(ctx, &n)?;
            if let Some(k) = &key {
                ctx.conn
                    .prepare_cached(
                        "INSERT INTO idempotency_keys (key, comment_id, created_us) VALUES (?1, ?2, ?3)",
                    )?
                    .execute(params![k, created.id, ctx.now_us])?;
            }
            super::outbox::after_create(ctx, created.id, created.status, &n)?;
            Ok(created)
        })
        .await
    }

    /// The facts edit/delete check (None when there is no such live comment).
    pub async fn owned(&self, id: i64) -> Result<Option<Owned>> {
        self.read(move |c| live_comment(c, id)).await
    }

    /// Replaces a comment's body if it was created at or after `window_start`.
    pub async fn edit_comment(
        &self,
        id: i64,
        body_md: String,
        body_html: String,
        window_start: Micros,
    ) -> Result<Comment> {
        self.write(move |ctx| {
            let o = live_in_window(ctx.conn, id, window_start)?;
            ctx.conn
                .prepare_cached(
                    "UPDATE comments SET body_md = ?2, body_html = ?3, updated_us = ?4, edited_us = ?4 WHERE id = ?1",
                )?
                .execute(params![id, body_md, body_html, ctx.now_us])?;
            if o.status == Status::Approved {
                ctx.rebuild = true;
            }
            let c = ctx.conn.query_row(
                &format!("SELECT {COLS} FROM comments WHERE id = ?1"),
                [id],
                row_to_comment,
            )?;
            Ok(c)
        })
        .await
    }

    /// Deletes a comment if it was created at or after `window_start`.
    pub async fn delete_comment(&self, id: i64, window_start: Micros) -> Result<()> {
        self.write(move |ctx| {
            let o = live_in_window(ctx.conn, id, window_start)?;
            set_status(ctx, id, o.status, Status::Deleted)?;
            Ok(())
        })
        .await
    }

    /// Applies a moderation action to each of `ids`; returns how many changed.
    pub async fn moderate(&self, ids: Vec<i64>, action: Action) -> Result<usize> {
        self.write(move |ctx| {
            let mut changed = 0;
            for id in ids {
                if moderate_one(ctx, id, action)? {
                    changed += 1;
                }
            }
            Ok(changed)
        })
        .await
    }

    /// Forgets idempotency keys made before `before`.
    pub async fn forget_idempotency_keys(&self, before: Micros) -> Result<usize> {
        self.write(move |ctx| {
            Ok(ctx.conn.execute(
                "DELETE FROM idempotency_keys WHERE created_us < ?1",
                [before],
            )?)
        })
        .await
    }

    /// Clears stored client addresses older than `before` (privacy).
    pub async fn forget_addresses(&self, before: Micros) -> Result<usize> {
        self.write(move |ctx| {
            Ok(ctx.conn.execute(
                "UPDATE comments SET client_addr = NULL WHERE client_addr IS NOT NULL AND created_us < ?1",
                [before],
            )?)
        })
        .await
    }
}

/// Inserts a new reader comment inside the writer's transaction.
fn insert_comment(ctx: &mut WriteCtx, n: &NewComment) -> Result<Created> {
    if let Some(p) = n.parent {
        let ok: Option<i64> = ctx
            .conn
            .prepare_cached(
                "SELECT 1 FROM comments WHERE id = ?1 AND page = ?2 AND status IN ('approved', 'pending')",
            )?
            .query_row(params![p, n.page], |r| r.get(0))
            .optional()?;
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
        decide(ctx.conn, n.moderation, &n.commenter_key)?
    };
    ctx.conn
        .prepare_cached(
            "INSERT INTO comments (page, parent, kind, status, author, email, website, body_md,
                body_html, is_owner, commenter_key, client_addr, created_us, updated_us,
                verified, signed_in_as)
             VALUES (?1, ?2, 'comment', ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?12, ?13, ?14)",
        )?
        .execute(params![
            n.page,
            n.parent,
            status.as_str(),
            n.author,
            n.email,
            n.website,
            n.body_md,
            n.body_html,
            n.is_owner,
            n.commenter_key,
            n.client_addr,
            ctx.now_us,
            n.verified,
            n.signed_in_as
        ])?;
    let id = ctx.conn.last_insert_rowid();
    if status == Status::Approved {
        ctx.rebuild = true;
    }
    Ok(Created {
        id,
        status,
        created_us: ctx.now_us,
        replayed: false,
    })
}

/// The answer of an earlier try under the same key, if it was this same post.
fn replay(conn: &Connection, id: i64, n: &NewComment) -> Result<Created> {
    type Row = (
        String,
        String,
        Option<String>,
        String,
        Option<i64>,
        String,
        Micros,
    );
    let (page, author, email, body_md, parent, status, created_us): Row = conn
        .prepare_cached(
            "SELECT page, author, email, body_md, parent, status, created_us FROM comments WHERE id = ?1",
        )?
        .query_row([id], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?, r.get(6)?))
        })?;
    crate::store::policy::replay(
        n,
        crate::store::policy::Earlier {
            id,
            page: &page,
            author: &author,
            email: email.as_deref(),
            body_md: &body_md,
            parent,
            status: &status,
            created_us,
        },
    )
}

/// Applies `action` to `id`; false when there is no such item or nothing changed.
pub(super) fn moderate_one(ctx: &mut WriteCtx, id: i64, action: Action) -> Result<bool> {
    let row: Option<(String, Option<String>)> = ctx
        .conn
        .prepare_cached("SELECT status, commenter_key FROM comments WHERE id = ?1")?
        .query_row([id], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?;
    let Some((old, key)) = row else {
        return Ok(false);
    };
    let old = Status::parse(&old).unwrap_or(Status::Pending);
    let new = match action {
        Action::Approve => Status::Approved,
        Action::Reject => Status::Rejected,
        Action::Spam => Status::Spam,
        Action::Delete => Status::Deleted,
    };
    if old == new {
        return Ok(false);
    }
    set_status(ctx, id, old, new)?;
    if new == Status::Approved {
        if let Some(k) = key {
            ctx.conn
                .prepare_cached(
                    "INSERT OR IGNORE INTO trusted_commenters (commenter_key) VALUES (?1)",
                )?
                .execute([k])?;
        }
        super::outbox::after_approve(ctx, id)?;
    }
    Ok(true)
}

/// The status a new item gets under `mode`.
pub(super) fn decide(conn: &Connection, mode: Moderation, key: &str) -> Result<Status> {
    let known = mode == Moderation::FirstTime
        && conn
            .prepare_cached("SELECT 1 FROM trusted_commenters WHERE commenter_key = ?1")?
            .query_row([key], |r| r.get::<_, i64>(0))
            .optional()?
            .is_some();
    Ok(crate::store::policy::status_for(mode, known))
}

/// The facts edit and delete check of the live (approved or held) comment
/// `id`, if there is one.
pub(super) fn live_comment(conn: &Connection, id: i64) -> Result<Option<Owned>> {
    Ok(conn
        .prepare_cached(
            "SELECT id, page, status, created_us FROM comments
             WHERE id = ?1 AND kind = 'comment' AND status IN ('approved', 'pending')",
        )?
        .query_row([id], |r| {
            Ok(Owned {
                id: r.get(0)?,
                page: r.get(1)?,
                status: Status::parse(&r.get::<_, String>(2)?).unwrap_or(Status::Pending),
                created_us: r.get(3)?,
            })
        })
        .optional()?)
}

/// The live comment `id`, refusing one outside the edit window.
pub(super) fn live_in_window(conn: &Connection, id: i64, window_start: Micros) -> Result<Owned> {
    let o = live_comment(conn, id)?
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

/// Moves `id` from `old` to `new`, keeping the export's removal log and the
/// rebuild request in step.
pub(super) fn set_status(ctx: &mut WriteCtx, id: i64, old: Status, new: Status) -> Result<()> {
    ctx.conn
        .prepare_cached("UPDATE comments SET status = ?2, updated_us = ?3 WHERE id = ?1")?
        .execute(params![id, new.as_str(), ctx.now_us])?;
    if old == Status::Approved && new != Status::Approved {
        ctx.conn
            .prepare_cached("INSERT INTO removals (comment_id, at_us) VALUES (?1, ?2)")?
            .execute(params![id, ctx.now_us])?;
    }
    if old == Status::Approved || new == Status::Approved {
        ctx.rebuild = true;
    }
    Ok(())
}
