//! The outbox on PostgreSQL: rows written in the transaction of the change
//! that made them due, claimed by any instance's worker. A claim is a lease
//! (`taken_us`) taken with `FOR UPDATE SKIP LOCKED`, so two instances never
//! take the same row; a dead instance's claims are taken again when the
//! lease runs out (never at another instance's start-up: it may be alive).

use deadpool_postgres::{GenericClient, Transaction};

use super::Postgres;
use crate::config::Moderation;
use crate::error::Result;
use crate::model::Status;
use crate::store::mail::{MailComment, Notices, OutboxItem, OutboxKind};
use crate::store::{Created, Micros, NewComment, now_us};

/// A claim older than this is taken again. Longer than one attempt (the
/// SMTP and webhook timeouts are 30 s), so a slow send is not doubled.
const OUTBOX_LEASE_US: Micros = 5 * 60 * 1_000_000;

/// Queues one row unless the same (kind, comment, subscription) is queued.
async fn enqueue(
    tx: &Transaction<'_>,
    kind: OutboxKind,
    comment_id: i64,
    subscription_id: Option<i64>,
    recipient: Option<&str>,
    now: Micros,
) -> Result<()> {
    let st = tx
        .prepare_cached(
            "INSERT INTO outbox (kind, comment_id, subscription_id, recipient, created_us, not_before_us)
             VALUES ($1, $2, $3, $4, $5, $5) ON CONFLICT DO NOTHING",
        )
        .await?;
    tx.execute(
        &st,
        &[
            &kind.as_str(),
            &comment_id,
            &subscription_id,
            &recipient,
            &now,
        ],
    )
    .await?;
    Ok(())
}

/// True when [`after_create`] would write nothing for a new comment of
/// `status`: no held reason, no owner mail or webhook, no subscription, and
/// (no parent) no subscriber to tell. Keep the two in step.
pub(super) fn nothing_due(status: Status, n: &NewComment) -> bool {
    let held = status == Status::Pending;
    let told = !n.is_owner && (n.notices.owner.is_some() || n.notices.webhook);
    let subscribes = n.notices.mail && n.notices.subscribe && n.email.is_some();
    !held && !told && !subscribes && n.parent.is_none()
}

/// What a new comment makes due (see `sqlite::outbox::after_create`).
pub(super) async fn after_create(
    tx: &Transaction<'_>,
    created: &Created,
    n: &NewComment,
    now: Micros,
) -> Result<()> {
    let (id, status) = (created.id, created.status);
    if status == Status::Pending {
        let reason = n.notices.spam_reason.unwrap_or(match n.moderation {
            Moderation::All => "all",
            _ => "first-time",
        });
        tx.execute(
            "UPDATE comments SET held_reason = $2 WHERE id = $1",
            &[&id, &reason],
        )
        .await?;
    }
    if !n.is_owner {
        let kind = if status == Status::Pending {
            OutboxKind::OwnerHeld
        } else {
            OutboxKind::OwnerNew
        };
        if let Some(owner) = &n.notices.owner {
            enqueue(tx, kind, id, None, Some(owner), now).await?;
        }
        if n.notices.webhook {
            enqueue(tx, OutboxKind::Webhook, id, None, None, now).await?;
        }
    }
    if n.notices.mail
        && n.notices.subscribe
        && let Some(email) = &n.email
    {
        tx.execute(
            "INSERT INTO subscriptions (comment_id, email, created_us) VALUES ($1, $2, $3)
             ON CONFLICT DO NOTHING",
            &[&id, email, &now],
        )
        .await?;
    }
    if status == Status::Approved {
        after_approve(tx, id, now).await?;
    }
    Ok(())
}

/// What a new Webmention or pingback makes due (see the SQLite twin,
/// `sqlite::mention_mail`): the owner's mail and the webhook.
pub(super) async fn after_new_mention(
    tx: &Transaction<'_>,
    id: i64,
    status: Status,
    moderation: Moderation,
    n: &Notices,
    now: Micros,
) -> Result<()> {
    let kind = match status {
        Status::Pending => {
            let reason = match moderation {
                Moderation::All => "all",
                _ => "first-time",
            };
            tx.execute(
                "UPDATE comments SET held_reason = $2 WHERE id = $1",
                &[&id, &reason],
            )
            .await?;
            OutboxKind::OwnerHeld
        }
        Status::Approved => OutboxKind::OwnerNew,
        _ => return Ok(()),
    };
    if let Some(owner) = &n.owner {
        enqueue(tx, kind, id, None, Some(owner), now).await?;
    }
    if n.webhook {
        enqueue(tx, OutboxKind::Webhook, id, None, None, now).await?;
    }
    Ok(())
}

/// What publishing `id` makes due: its own subscription's confirmation,
/// and a mail to each confirmed subscriber of the comment it answers.
pub(super) async fn after_approve(tx: &Transaction<'_>, id: i64, now: Micros) -> Result<()> {
    let own = tx
        .query(
            "SELECT id, email FROM subscriptions WHERE comment_id = $1 AND confirmed_us IS NULL",
            &[&id],
        )
        .await?;
    for r in own {
        let email: String = r.try_get(1)?;
        enqueue(
            tx,
            OutboxKind::Confirm,
            id,
            Some(r.try_get(0)?),
            Some(&email),
            now,
        )
        .await?;
    }
    let subscribers = tx
        .query(
            "SELECT s.id, s.email FROM comments c JOIN subscriptions s ON s.comment_id = c.parent
             WHERE c.id = $1 AND s.confirmed_us IS NOT NULL
               AND lower(s.email) != lower(coalesce(c.email, ''))",
            &[&id],
        )
        .await?;
    for r in subscribers {
        let email: String = r.try_get(1)?;
        enqueue(
            tx,
            OutboxKind::Reply,
            id,
            Some(r.try_get(0)?),
            Some(&email),
            now,
        )
        .await?;
    }
    Ok(())
}

async fn mail_comment(c: &impl GenericClient, id: i64) -> Result<Option<MailComment>> {
    let Some(r) = c
        .query_opt(
            "SELECT c.id, c.page, c.author, CASE WHEN c.body_md = '' THEN coalesce(c.source, '') ELSE c.body_md END,
               c.status, c.held_reason, p.author, c.parent
             FROM comments c LEFT JOIN comments p ON p.id = c.parent WHERE c.id = $1",
            &[&id],
        )
        .await?
    else {
        return Ok(None);
    };
    Ok(Some(MailComment {
        id: r.try_get(0)?,
        page: r.try_get(1)?,
        author: r.try_get(2)?,
        body_md: r.try_get(3)?,
        status: Status::parse(r.try_get(4)?).unwrap_or(Status::Pending),
        held_reason: r.try_get(5)?,
        parent_author: r.try_get(6)?,
        parent: r.try_get(7)?,
    }))
}

/// True if the row still has someone to go to (see the SQLite twin).
async fn still_wanted(c: &impl GenericClient, item: &OutboxItem) -> Result<bool> {
    let Some(sub) = item.subscription_id else {
        return Ok(true);
    };
    let confirmed: Option<Option<Micros>> = c
        .query_opt(
            "SELECT confirmed_us FROM subscriptions WHERE id = $1",
            &[&sub],
        )
        .await?
        .map(|r| r.try_get(0))
        .transpose()?;
    Ok(match (item.kind, confirmed) {
        (_, None) => false,
        (OutboxKind::Reply, Some(c)) => c.is_some() && item.comment.status == Status::Approved,
        (OutboxKind::Confirm, Some(c)) => c.is_none(),
        _ => true,
    })
}

/// Marks row `id` done and forgets its address.
async fn mark_sent(c: &impl GenericClient, id: i64, now: Micros) -> Result<()> {
    c.execute(
        "UPDATE outbox SET sent_us = $2, taken_us = NULL, recipient = NULL WHERE id = $1",
        &[&id, &now],
    )
    .await?;
    Ok(())
}

impl Postgres {
    /// Nothing to free: other instances may be sending their claims right
    /// now; a dead instance's claims come back when their lease runs out.
    pub async fn outbox_release(&self) -> Result<()> {
        Ok(())
    }

    /// Claims the next due row for this worker alone (skipping, as sent,
    /// rows nobody wants any more).
    pub async fn outbox_claim(&self) -> Result<Option<OutboxItem>> {
        let now = now_us();
        let mut c = self.conn().await?;
        let tx = c.transaction().await?;
        let st = tx
            .prepare_cached(
                "UPDATE outbox SET taken_us = $1, attempts = attempts + 1
                 WHERE id = (SELECT id FROM outbox
                             WHERE sent_us IS NULL AND not_before_us <= $1
                               AND (taken_us IS NULL OR taken_us < $2)
                             ORDER BY not_before_us, id LIMIT 1
                             FOR UPDATE SKIP LOCKED)
                 RETURNING id, kind, comment_id, subscription_id, recipient, created_us, attempts",
            )
            .await?;
        let claimed = loop {
            let Some(r) = tx.query_opt(&st, &[&now, &(now - OUTBOX_LEASE_US)]).await? else {
                break None;
            };
            let id: i64 = r.try_get(0)?;
            let kind = OutboxKind::parse(r.try_get(1)?);
            let comment = mail_comment(&tx, r.try_get(2)?).await?;
            let (Some(kind), Some(comment)) = (kind, comment) else {
                mark_sent(&tx, id, now).await?;
                continue;
            };
            let item = OutboxItem {
                id,
                kind,
                recipient: r.try_get(4)?,
                subscription_id: r.try_get(3)?,
                created_us: r.try_get(5)?,
                attempts: r.try_get(6)?,
                comment,
            };
            if !still_wanted(&tx, &item).await? {
                mark_sent(&tx, id, now).await?;
                continue;
            }
            break Some(item);
        };
        tx.commit().await?;
        Ok(claimed)
    }

    /// Marks a claimed row done (sent, or given up): it is never sent again.
    pub async fn outbox_done(&self, id: i64) -> Result<()> {
        mark_sent(&self.conn().await?, id, now_us()).await
    }

    /// Gives a claimed row back, due again at `not_before`.
    pub async fn outbox_retry(&self, id: i64, not_before: Micros) -> Result<()> {
        self.conn()
            .await?
            .execute(
                "UPDATE outbox SET taken_us = NULL, not_before_us = $2 WHERE id = $1 AND sent_us IS NULL",
                &[&id, &not_before],
            )
            .await?;
        Ok(())
    }

    /// Deletes rows done before `before` (their links expired long ago).
    pub async fn outbox_prune(&self, before: Micros) -> Result<usize> {
        let n = self
            .conn()
            .await?
            .execute(
                "DELETE FROM outbox WHERE sent_us IS NOT NULL AND sent_us < $1",
                &[&before],
            )
            .await?;
        Ok(n as usize)
    }

    /// When the next unsent row is due, if any.
    pub async fn outbox_next_due(&self) -> Result<Option<Micros>> {
        let r = self
            .conn()
            .await?
            .query_one(
                "SELECT min(not_before_us) FROM outbox WHERE sent_us IS NULL",
                &[],
            )
            .await?;
        Ok(r.try_get(0)?)
    }

    /// The comment mail `mail_id` is about, if it is about `comment_id`.
    pub async fn mail_subject(&self, mail_id: i64, comment_id: i64) -> Result<Option<MailComment>> {
        let c = self.conn().await?;
        let ok = c
            .query_opt(
                "SELECT 1 FROM outbox WHERE id = $1 AND comment_id = $2",
                &[&mail_id, &comment_id],
            )
            .await?
            .is_some();
        if ok {
            mail_comment(&c, comment_id).await
        } else {
            Ok(None)
        }
    }
}
