//! The outbox: mails and webhook posts due because of a change, written in
//! that change's transaction, then claimed, sent and marked by the worker.

use super::*;
use crate::store::mail::{LinkOutcome, MailComment, OutboxItem, OutboxKind};

/// id, kind, comment, subscription, recipient, created, attempts.
type DueRow = (i64, String, i64, Option<i64>, Option<String>, Micros, i64);

/// A claim older than this is taken again (its worker died mid-send).
const OUTBOX_LEASE_US: Micros = 10 * 60 * 1_000_000;

/// Queues one row unless the same (kind, comment, subscription) is queued.
pub(super) fn enqueue(
    ctx: &WriteCtx,
    kind: OutboxKind,
    comment_id: i64,
    subscription_id: Option<i64>,
    recipient: Option<&str>,
) -> Result<()> {
    ctx.conn
        .prepare_cached(
            "INSERT INTO outbox (kind, comment_id, subscription_id, recipient, created_us, not_before_us)
             VALUES (?1, ?2, ?3, ?4, ?5, ?5) ON CONFLICT DO NOTHING",
        )?
        .execute(params![
            kind.as_str(),
            comment_id,
            subscription_id,
            recipient,
            ctx.now_us
        ])?;
    Ok(())
}

/// What a new comment makes due: the owner's mail, the webhook, the
/// commenter's subscription, and (if published) mails to subscribers.
pub(super) fn after_create(
    ctx: &mut WriteCtx,
    id: i64,
    status: Status,
    n: &NewComment,
) -> Result<()> {
    if status == Status::Pending {
        let reason = n.notices.spam_reason.unwrap_or(match n.moderation {
            Moderation::All => "all",
            _ => "first-time",
        });
        ctx.conn
            .prepare_cached("UPDATE comments SET held_reason = ?2 WHERE id = ?1")?
            .execute(params![id, reason])?;
    }
    if !n.is_owner {
        let kind = if status == Status::Pending {
            OutboxKind::OwnerHeld
        } else {
            OutboxKind::OwnerNew
        };
        if let Some(owner) = &n.notices.owner {
            enqueue(ctx, kind, id, None, Some(owner))?;
        }
        if n.notices.webhook {
            enqueue(ctx, OutboxKind::Webhook, id, None, None)?;
        }
    }
    if n.notices.mail
        && n.notices.subscribe
        && let Some(email) = &n.email
    {
        ctx.conn
            .prepare_cached(
                "INSERT INTO subscriptions (comment_id, email, created_us) VALUES (?1, ?2, ?3)
                 ON CONFLICT DO NOTHING",
            )?
            .execute(params![id, email, ctx.now_us])?;
    }
    if status == Status::Approved {
        after_approve(ctx, id)?;
    }
    Ok(())
}

/// What publishing `id` makes due: the confirmation of its own subscription
/// (never before approval, so a held comment cannot mail a stranger), and one
/// mail to each confirmed subscriber of the comment it answers.
pub(super) fn after_approve(ctx: &mut WriteCtx, id: i64) -> Result<()> {
    let own: Vec<(i64, String)> = ctx
        .conn
        .prepare_cached(
            "SELECT id, email FROM subscriptions WHERE comment_id = ?1 AND confirmed_us IS NULL",
        )?
        .query_map([id], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<rusqlite::Result<_>>()?;
    for (sub, email) in own {
        enqueue(ctx, OutboxKind::Confirm, id, Some(sub), Some(&email))?;
    }
    let subscribers: Vec<(i64, String)> = ctx
        .conn
        .prepare_cached(
            "SELECT s.id, s.email FROM comments c JOIN subscriptions s ON s.comment_id = c.parent
             WHERE c.id = ?1 AND s.confirmed_us IS NOT NULL
               AND lower(s.email) != lower(coalesce(c.email, ''))",
        )?
        .query_map([id], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<rusqlite::Result<_>>()?;
    for (sub, email) in subscribers {
        enqueue(ctx, OutboxKind::Reply, id, Some(sub), Some(&email))?;
    }
    Ok(())
}

fn mail_comment(conn: &Connection, id: i64) -> Result<Option<MailComment>> {
    Ok(conn
        .prepare_cached(
            "SELECT c.id, c.page, c.author, CASE WHEN c.body_md = '' THEN coalesce(c.source, '') ELSE c.body_md END, c.status, c.held_reason, p.author, c.parent
             FROM comments c LEFT JOIN comments p ON p.id = c.parent WHERE c.id = ?1",
        )?
        .query_row([id], |r| {
            Ok(MailComment {
                id: r.get(0)?,
                page: r.get(1)?,
                author: r.get(2)?,
                body_md: r.get(3)?,
                status: Status::parse(&r.get::<_, String>(4)?).unwrap_or(Status::Pending),
                held_reason: r.get(5)?,
                parent_author: r.get(6)?,
                parent: r.get(7)?,
            })
        })
        .optional()?)
}

/// True if the row still has someone to go to: a reader's mail needs its
/// subscription (confirmed, for a reply) and a reply still published.
fn still_wanted(conn: &Connection, item: &OutboxItem) -> Result<bool> {
    let Some(sub) = item.subscription_id else {
        return Ok(true);
    };
    let confirmed: Option<Option<Micros>> = conn
        .prepare_cached("SELECT confirmed_us FROM subscriptions WHERE id = ?1")?
        .query_row([sub], |r| r.get(0))
        .optional()?;
    Ok(match (item.kind, confirmed) {
        (_, None) => false,
        (OutboxKind::Reply, Some(c)) => c.is_some() && item.comment.status == Status::Approved,
        (OutboxKind::Confirm, Some(c)) => c.is_none(),
        _ => true,
    })
}

impl Sqlite {
    /// Frees every claim at start-up: the worker that held them is gone.
    /// A mail claimed before a crash is sent again (same Message-ID).
    pub async fn outbox_release(&self) -> Result<()> {
        self.write(|ctx| {
            ctx.conn.execute(
                "UPDATE outbox SET taken_us = NULL WHERE taken_us IS NOT NULL AND sent_us IS NULL",
                [],
            )?;
            Ok(())
        })
        .await
    }

    /// Claims the next due row (skipping, as sent, rows nobody wants any more).
    pub async fn outbox_claim(&self) -> Result<Option<OutboxItem>> {
        self.write(|ctx| {
            loop {
                let row: Option<DueRow> = ctx
                    .conn
                    .prepare_cached(
                        "SELECT id, kind, comment_id, subscription_id, recipient, created_us, attempts
                         FROM outbox WHERE sent_us IS NULL AND not_before_us <= ?1
                           AND (taken_us IS NULL OR taken_us < ?2)
                         ORDER BY not_before_us, id LIMIT 1",
                    )?
                    .query_row(params![ctx.now_us, ctx.now_us - OUTBOX_LEASE_US], |r| {
                        Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?, r.get(6)?))
                    })
                    .optional()?;
                let Some((id, kind, comment_id, subscription_id, recipient, created_us, attempts)) =
                    row
                else {
                    return Ok(None);
                };
                let comment = mail_comment(ctx.conn, comment_id)?;
                let (Some(kind), Some(comment)) = (OutboxKind::parse(&kind), comment) else {
                    mark_sent(ctx, id)?;
                    continue;
                };
                let item = OutboxItem {
                    id,
                    kind,
                    recipient,
                    subscription_id,
                    created_us,
                    attempts: attempts + 1,
                    comment,
                };
                if !still_wanted(ctx.conn, &item)? {
                    mark_sent(ctx, id)?;
                    continue;
                }
                ctx.conn
                    .prepare_cached("UPDATE outbox SET taken_us = ?2, attempts = attempts + 1 WHERE id = ?1")?
                    .execute(params![id, ctx.now_us])?;
                return Ok(Some(item));
            }
        })
        .await
    }

    /// Marks a claimed row done (sent, or given up): it is never sent again.
    pub async fn outbox_done(&self, id: i64) -> Result<()> {
        self.write(move |ctx| mark_sent(ctx, id)).await
    }

    /// Gives a claimed row back, due again at `not_before`.
    pub async fn outbox_retry(&self, id: i64, not_before: Micros) -> Result<()> {
        self.write(move |ctx| {
            ctx.conn
                .prepare_cached(
                    "UPDATE outbox SET taken_us = NULL, not_before_us = ?2 WHERE id = ?1",
                )?
                .execute(params![id, not_before])?;
            Ok(())
        })
        .await
    }

    /// Deletes rows done before `before` (their links expired long ago).
    pub async fn outbox_prune(&self, before: Micros) -> Result<usize> {
        self.write(move |ctx| {
            Ok(ctx
                .conn
                .prepare_cached("DELETE FROM outbox WHERE sent_us IS NOT NULL AND sent_us < ?1")?
                .execute([before])?)
        })
        .await
    }

    /// When the next unsent row is due, if any.
    pub async fn outbox_next_due(&self) -> Result<Option<Micros>> {
        self.read(|c| {
            Ok(
                c.prepare_cached("SELECT min(not_before_us) FROM outbox WHERE sent_us IS NULL")?
                    .query_row([], |r| r.get(0))?,
            )
        })
        .await
    }

    /// The comment a mail (outbox row `mail_id`) is about, if it is about `comment_id`.
    pub async fn mail_subject(&self, mail_id: i64, comment_id: i64) -> Result<Option<MailComment>> {
        self.read(move |c| {
            let ok = c
                .prepare_cached("SELECT 1 FROM outbox WHERE id = ?1 AND comment_id = ?2")?
                .query_row(params![mail_id, comment_id], |r| r.get::<_, i64>(0))
                .optional()?
                .is_some();
            if ok {
                mail_comment(c, comment_id)
            } else {
                Ok(None)
            }
        })
        .await
    }

    /// Applies a moderation action from one of mail `mail_id`'s links; each
    /// mail acts once, whichever of its links is used.
    pub async fn moderate_from_mail(
        &self,
        mail_id: i64,
        comment_id: i64,
        action: Action,
    ) -> Result<LinkOutcome> {
        self.write(move |ctx| {
            let acted: Option<Option<Micros>> = ctx
                .conn
                .prepare_cached("SELECT acted_us FROM outbox WHERE id = ?1 AND comment_id = ?2")?
                .query_row(params![mail_id, comment_id], |r| r.get(0))
                .optional()?;
            match acted {
                None => return Ok(LinkOutcome::Missing),
                Some(Some(_)) => return Ok(LinkOutcome::AlreadyUsed),
                Some(None) => {}
            }
            ctx.conn
                .prepare_cached("UPDATE outbox SET acted_us = ?2 WHERE id = ?1")?
                .execute(params![mail_id, ctx.now_us])?;
            comments::moderate_one(ctx, comment_id, action)?;
            Ok(LinkOutcome::Done)
        })
        .await
    }
}

/// Marks row `id` done and forgets its address (no longer needed).
fn mark_sent(ctx: &WriteCtx, id: i64) -> Result<()> {
    ctx.conn
        .prepare_cached(
            "UPDATE outbox SET sent_us = ?2, taken_us = NULL, recipient = NULL WHERE id = ?1",
        )?
        .execute(params![id, ctx.now_us])?;
    Ok(())
}
