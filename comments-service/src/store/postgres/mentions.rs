//! Verified mentions and the verification queue on PostgreSQL. Several
//! instances' workers take from one queue: a job is claimed with
//! `FOR UPDATE SKIP LOCKED` (no two take the same row) and leased, so one
//! whose instance died is taken again once the lease runs out.

use std::sync::atomic::Ordering;

use tokio_postgres::types::ToSql;

use super::Postgres;
use super::comments::{decide, set_status};
use crate::error::Result;
use crate::model::Status;
use crate::store::{Mention, MentionStored, PendingVerification, now_us};

impl Postgres {
    /// Stores a verified mention of `page` by `source`, or updates the
    /// existing row for that pair (see the SQLite backend for the rules).
    pub async fn upsert_mention(&self, m: Mention) -> Result<MentionStored> {
        let now = now_us();
        let mut c = self.conn().await?;
        let tx = c.transaction().await?;
        let existing = tx
            .query_opt(
                "SELECT id, status FROM comments WHERE source = $1 AND page = $2 FOR UPDATE",
                &[&m.source, &m.page],
            )
            .await?;
        let key = format!(
            "domain:{}",
            url::Url::parse(&m.source)
                .ok()
                .and_then(|u| u.host_str().map(str::to_lowercase))
                .unwrap_or_default()
        );
        let (id, status, created) = match existing {
            Some(r) => {
                let id: i64 = r.try_get(0)?;
                let mut status = Status::parse(r.try_get(1)?).unwrap_or(Status::Pending);
                if status == Status::Deleted {
                    status = decide(&tx, m.moderation, &key).await?;
                }
                tx.execute(
                    "UPDATE comments SET kind = $2, author = $3, website = $4, url = $5, author_photo = $6,
                       body_html = $7, status = $8, updated_us = $9 WHERE id = $1",
                    &[
                        &id,
                        &m.kind.as_str(),
                        &m.author,
                        &m.website,
                        &m.url,
                        &m.author_photo,
                        &m.content_html,
                        &status.as_str(),
                        &now,
                    ],
                )
                .await?;
                (id, status, false)
            }
            None => {
                let status = decide(&tx, m.moderation, &key).await?;
                let created_us = m.published_us.filter(|p| *p <= now).unwrap_or(now);
                let params: [&(dyn ToSql + Sync); 13] = [
                    &m.page,
                    &m.kind.as_str(),
                    &status.as_str(),
                    &m.author,
                    &m.website,
                    &m.url,
                    &m.author_photo,
                    &m.source,
                    &m.content_html,
                    &key,
                    &created_us,
                    &now,
                    &m.parent,
                ];
                let id: i64 = tx
                    .query_one(
                        "INSERT INTO comments (page, kind, status, author, website, url, author_photo, source,
                           body_html, commenter_key, created_us, updated_us, parent)
                         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) RETURNING id",
                        &params,
                    )
                    .await?
                    .try_get(0)?;
                (id, status, true)
            }
        };
        if created {
            super::outbox::after_new_mention(&tx, id, status, m.moderation, &m.notices, now)
                .await?;
        }
        self.commit(tx, status == Status::Approved, now).await?;
        Ok(MentionStored {
            id,
            status,
            created,
        })
    }

    /// Removes the mention of `page` by `source`; true when there was one.
    pub async fn remove_mention(&self, source: String, page: String) -> Result<bool> {
        let now = now_us();
        let mut c = self.conn().await?;
        let tx = c.transaction().await?;
        let Some(r) = tx
            .query_opt(
                "SELECT id, status FROM comments WHERE source = $1 AND page = $2 AND status != 'deleted'
                 FOR UPDATE",
                &[&source, &page],
            )
            .await?
        else {
            return Ok(false);
        };
        let old = Status::parse(r.try_get(1)?).unwrap_or(Status::Pending);
        let rebuild = set_status(&tx, r.try_get(0)?, old, Status::Deleted, now).await?;
        self.commit(tx, rebuild, now).await?;
        Ok(true)
    }

    /// Queues (source, target) for verification; a repeat resets it.
    pub async fn enqueue_verification(&self, source: String, target: String) -> Result<i64> {
        let now = now_us();
        let c = self.conn().await?;
        Ok(c.query_one(
            "INSERT INTO mention_queue (source, target, received_us, not_before_us)
             VALUES ($1, $2, $3, $3)
             ON CONFLICT (source, target) DO UPDATE SET received_us = $3, not_before_us = $3,
               taken_us = NULL, attempts = 0
             RETURNING id",
            &[&source, &target, &now],
        )
        .await?
        .try_get(0)?)
    }

    /// Claims the oldest due verification for this caller: rows another
    /// instance is claiming right now are skipped, not waited for.
    pub async fn take_verification(&self) -> Result<Option<PendingVerification>> {
        let now = now_us();
        let lease_us = self.lease_us.load(Ordering::Relaxed);
        let c = self.conn().await?;
        let row = c
            .query_opt(
                "UPDATE mention_queue SET taken_us = $1, attempts = attempts + 1
                 WHERE id = (SELECT id FROM mention_queue
                             WHERE not_before_us <= $1 AND (taken_us IS NULL OR taken_us < $2)
                             ORDER BY not_before_us, id LIMIT 1 FOR UPDATE SKIP LOCKED)
                 RETURNING id, source, target, attempts",
                &[&now, &(now - lease_us)],
            )
            .await?;
        row.map(|r| {
            Ok(PendingVerification {
                id: r.try_get(0)?,
                source: r.try_get(1)?,
                target: r.try_get(2)?,
                attempts: r.try_get(3)?,
            })
        })
        .transpose()
    }

    /// Removes a verification from the queue.
    pub async fn verification_done(&self, id: i64) -> Result<()> {
        let c = self.conn().await?;
        c.execute("DELETE FROM mention_queue WHERE id = $1", &[&id])
            .await?;
        Ok(())
    }

    /// Puts a taken verification back, to be taken again after `delay_ms`.
    pub async fn verification_retry(&self, id: i64, delay_ms: u64) -> Result<()> {
        let c = self.conn().await?;
        let at = now_us() + (delay_ms as i64) * 1000;
        c.execute(
            "UPDATE mention_queue SET taken_us = NULL, not_before_us = $2 WHERE id = $1",
            &[&id, &at],
        )
        .await?;
        Ok(())
    }
}
