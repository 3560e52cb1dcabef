//! Readers' subscriptions to replies on PostgreSQL: confirmed by a mailed
//! link, listed and deleted from the signed manage page, dropped by
//! one-click unsubscribe (see the SQLite twin).

use super::Postgres;
use crate::error::Result;
use crate::store::Micros;
use crate::store::mail::{LinkOutcome, SubscriptionView};
use crate::store::now_us;

impl Postgres {
    /// Confirms subscription `id` (double opt-in); the row lock makes a
    /// second click, on any instance, `AlreadyUsed`.
    pub async fn confirm_subscription(&self, id: i64) -> Result<LinkOutcome> {
        let now = now_us();
        let mut c = self.conn().await?;
        let tx = c.transaction().await?;
        let found = tx
            .query_opt(
                "SELECT confirmed_us FROM subscriptions WHERE id = $1 FOR UPDATE",
                &[&id],
            )
            .await?;
        let Some(found) = found else {
            return Ok(LinkOutcome::Missing);
        };
        if found.try_get::<_, Option<Micros>>(0)?.is_some() {
            return Ok(LinkOutcome::AlreadyUsed);
        }
        tx.execute(
            "UPDATE subscriptions SET confirmed_us = $2 WHERE id = $1",
            &[&id, &now],
        )
        .await?;
        tx.commit().await?;
        Ok(LinkOutcome::Done)
    }

    /// Deletes subscription `target` (every one with `None`) if it has the
    /// address of subscription `via`, with its unsent mails and the address
    /// on its sent ones.
    pub async fn unsubscribe(&self, via: i64, target: Option<i64>) -> Result<LinkOutcome> {
        let mut c = self.conn().await?;
        let tx = c.transaction().await?;
        let ids: Vec<i64> = tx
            .query(
                "SELECT t.id FROM subscriptions v JOIN subscriptions t ON t.email = v.email
                 WHERE v.id = $1 AND ($2::bigint IS NULL OR t.id = $2)
                 FOR UPDATE OF t",
                &[&via, &target],
            )
            .await?
            .iter()
            .map(|r| r.try_get(0))
            .collect::<std::result::Result<_, _>>()?;
        if ids.is_empty() {
            return Ok(LinkOutcome::Missing);
        }
        tx.execute(
            "DELETE FROM outbox WHERE subscription_id = ANY($1) AND sent_us IS NULL",
            &[&ids],
        )
        .await?;
        tx.execute(
            "UPDATE outbox SET recipient = NULL WHERE subscription_id = ANY($1)",
            &[&ids],
        )
        .await?;
        tx.execute("DELETE FROM subscriptions WHERE id = ANY($1)", &[&ids])
            .await?;
        tx.commit().await?;
        Ok(LinkOutcome::Done)
    }

    /// The subscriptions with the address of subscription `via`, newest first.
    pub async fn subscriptions_beside(&self, via: i64) -> Result<Vec<SubscriptionView>> {
        let c = self.conn().await?;
        c.query(
            "SELECT s.id, c.page, c.id, s.confirmed_us IS NOT NULL
             FROM subscriptions v JOIN subscriptions s ON s.email = v.email
             JOIN comments c ON c.id = s.comment_id
             WHERE v.id = $1 ORDER BY s.id DESC",
            &[&via],
        )
        .await?
        .iter()
        .map(|r| {
            Ok(SubscriptionView {
                id: r.try_get(0)?,
                page: r.try_get(1)?,
                comment_id: r.try_get(2)?,
                confirmed: r.try_get(3)?,
            })
        })
        .collect()
    }

    /// The trusted commenter key of an approved comment by `email`, if the
    /// address is verified (it confirmed a subscription).
    pub async fn verified_trusted_key(&self, email: String) -> Result<Option<String>> {
        let c = self.conn().await?;
        let r = c
            .query_opt(
                "SELECT c.commenter_key FROM comments c
                 JOIN trusted_commenters t ON t.commenter_key = c.commenter_key
                 WHERE lower(c.email) = lower($1) AND c.status = 'approved'
                   AND EXISTS (SELECT 1 FROM subscriptions s
                               WHERE lower(s.email) = lower($1) AND s.confirmed_us IS NOT NULL)
                 LIMIT 1",
                &[&email],
            )
            .await?;
        Ok(r.map(|r| r.try_get(0)).transpose()?)
    }
}
