//! Deliveries of the blog's posts on PostgreSQL: the published versions and
//! the durable queue, claimed with `FOR UPDATE SKIP LOCKED` so instances
//! share the work (see the SQLite twin).

use super::Postgres;
use crate::error::Result;
use crate::store::{ApDelivery, ApPost, ApQueued, Micros, now_us};

impl Postgres {
    /// See the SQLite twin: records and queues in one transaction.
    pub async fn ap_publish(&self, posts: Vec<ApPost>, inboxes: Vec<String>) -> Result<ApQueued> {
        let now = now_us();
        let mut c = self.conn().await?;
        let tx = c.transaction().await?;
        // One publisher at a time: two syncs must not both find a post new.
        tx.execute("LOCK TABLE ap_published IN EXCLUSIVE MODE", &[])
            .await?;
        let known: i64 = tx
            .query_one("SELECT COUNT(*) FROM ap_published", &[])
            .await?
            .try_get(0)?;
        let mut q = ApQueued {
            baseline: known == 0,
            ..Default::default()
        };
        for p in posts {
            let old: Option<String> = match tx
                .query_opt(
                    "SELECT version FROM ap_published WHERE object_id = $1",
                    &[&p.object_id],
                )
                .await?
            {
                Some(r) => Some(r.try_get(0)?),
                None => None,
            };
            let activity = match &old {
                Some(v) if *v == p.version => continue,
                Some(_) => &p.update,
                None => &p.create,
            };
            tx.execute(
                "INSERT INTO ap_published (object_id, version) VALUES ($1, $2)
                 ON CONFLICT (object_id) DO UPDATE SET version = $2",
                &[&p.object_id, &p.version],
            )
            .await?;
            if q.baseline {
                continue;
            }
            if old.is_some() {
                q.updated += 1;
            } else {
                q.created += 1;
            }
            for inbox in &inboxes {
                q.deliveries += tx
                    .execute(
                        "INSERT INTO ap_deliveries (activity_id, activity, inbox, created_us, not_before_us)
                         VALUES ($1, $2, $3, $4, $4) ON CONFLICT DO NOTHING",
                        &[&activity.0, &activity.1, inbox, &now],
                    )
                    .await? as usize;
            }
        }
        tx.commit().await?;
        Ok(q)
    }

    /// Queues one activity for one inbox; false when queued before.
    pub async fn ap_queue(
        &self,
        activity_id: String,
        activity: String,
        inbox: String,
    ) -> Result<bool> {
        let now = now_us();
        let c = self.conn().await?;
        Ok(c.execute(
            "INSERT INTO ap_deliveries (activity_id, activity, inbox, created_us, not_before_us)
             VALUES ($1, $2, $3, $4, $4) ON CONFLICT DO NOTHING",
            &[&activity_id, &activity, &inbox, &now],
        )
        .await?
            > 0)
    }

    /// Nothing at start-up: other instances may hold claims; a dead one's
    /// run out with their lease.
    pub async fn ap_delivery_release(&self) -> Result<()> {
        Ok(())
    }

    /// Claims the next due delivery for `lease_us`.
    pub async fn ap_delivery_claim(&self, lease_us: Micros) -> Result<Option<ApDelivery>> {
        let now = now_us();
        let c = self.conn().await?;
        let row = c
            .query_opt(
                "UPDATE ap_deliveries SET taken_us = $1, attempts = attempts + 1
                 WHERE id = (SELECT id FROM ap_deliveries
                             WHERE done_us IS NULL AND not_before_us <= $1
                               AND (taken_us IS NULL OR taken_us < $2)
                             ORDER BY not_before_us, id LIMIT 1
                             FOR UPDATE SKIP LOCKED)
                 RETURNING id, activity, inbox, attempts",
                &[&now, &(now - lease_us)],
            )
            .await?;
        Ok(match row {
            Some(r) => Some(ApDelivery {
                id: r.try_get(0)?,
                activity: r.try_get(1)?,
                inbox: r.try_get(2)?,
                attempts: r.try_get(3)?,
            }),
            None => None,
        })
    }

    /// Ends a claimed delivery: done, or due again at `retry_at`.
    pub async fn ap_delivery_end(&self, id: i64, retry_at: Option<Micros>) -> Result<()> {
        let c = self.conn().await?;
        match retry_at {
            None => {
                c.execute(
                    "UPDATE ap_deliveries SET done_us = $2, taken_us = NULL WHERE id = $1",
                    &[&id, &now_us()],
                )
                .await?
            }
            Some(at) => {
                c.execute(
                    "UPDATE ap_deliveries SET not_before_us = $2, taken_us = NULL WHERE id = $1",
                    &[&id, &at],
                )
                .await?
            }
        };
        Ok(())
    }

    /// The followers' actor ids, oldest first.
    pub async fn ap_followers(&self) -> Result<Vec<String>> {
        let c = self.conn().await?;
        let rows = c
            .query(
                "SELECT actor FROM ap_followers ORDER BY created_us, actor",
                &[],
            )
            .await?;
        rows.iter().map(|r| Ok(r.try_get(0)?)).collect()
    }

    /// Each shared inbox once, else the follower's own.
    pub async fn ap_inboxes(&self) -> Result<Vec<String>> {
        let c = self.conn().await?;
        let rows = c
            .query(
                "SELECT DISTINCT COALESCE(shared_inbox, inbox) FROM ap_followers ORDER BY 1",
                &[],
            )
            .await?;
        rows.iter().map(|r| Ok(r.try_get(0)?)).collect()
    }
}
