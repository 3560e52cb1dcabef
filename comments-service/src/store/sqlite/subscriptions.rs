//! Readers' subscriptions to replies: confirmed by a mailed link, listed and
//! deleted from the signed manage page, dropped by one-click unsubscribe.

use super::*;
use crate::store::mail::{LinkOutcome, SubscriptionView};

impl Sqlite {
    /// Confirms subscription `id` (double opt-in).
    pub async fn confirm_subscription(&self, id: i64) -> Result<LinkOutcome> {
        self.write(move |ctx| {
            let found: Option<Option<Micros>> = ctx
                .conn
                .prepare_cached("SELECT confirmed_us FROM subscriptions WHERE id = ?1")?
                .query_row([id], |r| r.get(0))
                .optional()?;
            Ok(match found {
                None => LinkOutcome::Missing,
                Some(Some(_)) => LinkOutcome::AlreadyUsed,
                Some(None) => {
                    ctx.conn
                        .prepare_cached("UPDATE subscriptions SET confirmed_us = ?2 WHERE id = ?1")?
                        .execute(params![id, ctx.now_us])?;
                    LinkOutcome::Done
                }
            })
        })
        .await
    }

    /// Deletes subscription `target` if it has the address of subscription
    /// `via` (the one whose signed link is used; `via == target` for a mail's
    /// own unsubscribe link), with its unsent mails and the address on its
    /// sent ones. `target = None` deletes every subscription of the address.
    pub async fn unsubscribe(&self, via: i64, target: Option<i64>) -> Result<LinkOutcome> {
        self.write(move |ctx| {
            let ids: Vec<i64> = ctx
                .conn
                .prepare_cached(
                    "SELECT t.id FROM subscriptions v JOIN subscriptions t ON t.email = v.email
                     WHERE v.id = ?1 AND (?2 IS NULL OR t.id = ?2)",
                )?
                .query_map(params![via, target], |r| r.get(0))?
                .collect::<rusqlite::Result<_>>()?;
            if ids.is_empty() {
                return Ok(LinkOutcome::Missing);
            }
            for id in ids {
                ctx.conn
                    .prepare_cached(
                        "DELETE FROM outbox WHERE subscription_id = ?1 AND sent_us IS NULL",
                    )?
                    .execute([id])?;
                ctx.conn
                    .prepare_cached(
                        "UPDATE outbox SET recipient = NULL WHERE subscription_id = ?1",
                    )?
                    .execute([id])?;
                ctx.conn
                    .prepare_cached("DELETE FROM subscriptions WHERE id = ?1")?
                    .execute([id])?;
            }
            Ok(LinkOutcome::Done)
        })
        .await
    }

    /// The subscriptions with the address of subscription `via`, newest first.
    pub async fn subscriptions_beside(&self, via: i64) -> Result<Vec<SubscriptionView>> {
        self.read(move |c| {
            let mut st = c.prepare_cached(
                "SELECT s.id, c.page, c.id, s.confirmed_us IS NOT NULL
                 FROM subscriptions v JOIN subscriptions s ON s.email = v.email
                 JOIN comments c ON c.id = s.comment_id
                 WHERE v.id = ?1 ORDER BY s.id DESC",
            )?;
            let rows = st.query_map([via], |r| {
                Ok(SubscriptionView {
                    id: r.get(0)?,
                    page: r.get(1)?,
                    comment_id: r.get(2)?,
                    confirmed: r.get(3)?,
                })
            })?;
            Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
        })
        .await
    }

    /// The trusted commenter key of an approved comment by `email`, if the
    /// address is verified (it confirmed a subscription): the address, not
    /// the name, is what first-time moderation trusts then.
    pub async fn verified_trusted_key(&self, email: String) -> Result<Option<String>> {
        self.read(move |c| {
            Ok(c.prepare_cached(
                "SELECT c.commenter_key FROM comments c
                 JOIN trusted_commenters t ON t.commenter_key = c.commenter_key
                 WHERE lower(c.email) = lower(?1) AND c.status = 'approved'
                   AND EXISTS (SELECT 1 FROM subscriptions s
                               WHERE lower(s.email) = lower(?1) AND s.confirmed_us IS NOT NULL)
                 LIMIT 1",
            )?
            .query_row([email], |r| r.get(0))
            .optional()?)
        })
        .await
    }
}
