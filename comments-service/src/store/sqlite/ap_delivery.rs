//! Deliveries of the blog's posts to followers' inboxes in SQLite: the
//! published versions and the durable queue (see the PostgreSQL twin and
//! `activitypub::outbox`).

use super::*;
use crate::store::{ApDelivery, ApPost, ApQueued};

impl Sqlite {
    /// Records `posts` as told and queues a delivery of each new or changed
    /// one to each of `inboxes`, in one transaction. The first call of all
    /// (nothing recorded yet) records without queueing: followers are told
    /// of posts from then on, not flooded with the archive.
    pub async fn ap_publish(&self, posts: Vec<ApPost>, inboxes: Vec<String>) -> Result<ApQueued> {
        self.write(move |ctx| {
            let known: i64 = ctx
                .conn
                .prepare_cached("SELECT COUNT(*) FROM ap_published")?
                .query_row([], |r| r.get(0))?;
            let mut q = ApQueued {
                baseline: known == 0,
                ..Default::default()
            };
            for p in posts {
                let old: Option<String> = ctx
                    .conn
                    .prepare_cached("SELECT version FROM ap_published WHERE object_id = ?1")?
                    .query_row([&p.object_id], |r| r.get(0))
                    .optional()?;
                let activity = match &old {
                    Some(v) if *v == p.version => continue,
                    Some(_) => &p.update,
                    None => &p.create,
                };
                ctx.conn
                    .prepare_cached(
                        "INSERT INTO ap_published (object_id, version) VALUES (?1, ?2)
                         ON CONFLICT (object_id) DO UPDATE SET version = ?2",
                    )?
                    .execute(params![p.object_id, p.version])?;
                if q.baseline {
                    continue;
                }
                if old.is_some() {
                    q.updated += 1;
                } else {
                    q.created += 1;
                }
                for inbox in &inboxes {
                    q.deliveries += ctx
                        .conn
                        .prepare_cached(
                            "INSERT INTO ap_deliveries (activity_id, activity, inbox, created_us, not_before_us)
                             VALUES (?1, ?2, ?3, ?4, ?4) ON CONFLICT DO NOTHING",
                        )?
                        .execute(params![activity.0, activity.1, inbox, ctx.now_us])?;
                }
            }
            Ok(q)
        })
        .await
    }

    /// Queues one activity for one inbox (an `Accept`); false when queued before.
    pub async fn ap_queue(
        &self,
        activity_id: String,
        activity: String,
        inbox: String,
    ) -> Result<bool> {
        self.write(move |ctx| {
            Ok(ctx
                .conn
                .prepare_cached(
                    "INSERT INTO ap_deliveries (activity_id, activity, inbox, created_us, not_before_us)
                     VALUES (?1, ?2, ?3, ?4, ?4) ON CONFLICT DO NOTHING",
                )?
                .execute(params![activity_id, activity, inbox, ctx.now_us])?
                > 0)
        })
        .await
    }

    /// Frees every claim at start-up: one process owns the file, so a claim
    /// left is from a process that died mid-send.
    pub async fn ap_delivery_release(&self) -> Result<()> {
        self.write(|ctx| {
            ctx.conn
                .prepare_cached("UPDATE ap_deliveries SET taken_us = NULL WHERE done_us IS NULL")?
                .execute([])?;
            Ok(())
        })
        .await
    }

    /// Claims the next due delivery for `lease_us`.
    pub async fn ap_delivery_claim(&self, lease_us: Micros) -> Result<Option<ApDelivery>> {
        self.write(move |ctx| {
            let row: Option<ApDelivery> = ctx
                .conn
                .prepare_cached(
                    "SELECT id, activity, inbox, attempts FROM ap_deliveries
                     WHERE done_us IS NULL AND not_before_us <= ?1 AND (taken_us IS NULL OR taken_us < ?2)
                     ORDER BY not_before_us, id LIMIT 1",
                )?
                .query_row(params![ctx.now_us, ctx.now_us - lease_us], |r| {
                    Ok(ApDelivery {
                        id: r.get(0)?,
                        activity: r.get(1)?,
                        inbox: r.get(2)?,
                        attempts: r.get::<_, i64>(3)? + 1,
                    })
                })
                .optional()?;
            if let Some(d) = &row {
                ctx.conn
                    .prepare_cached("UPDATE ap_deliveries SET taken_us = ?2, attempts = attempts + 1 WHERE id = ?1")?
                    .execute(params![d.id, ctx.now_us])?;
            }
            Ok(row)
        })
        .await
    }

    /// Ends a claimed delivery: done (sent, or given up) or due again at
    /// `retry_at`.
    pub async fn ap_delivery_end(&self, id: i64, retry_at: Option<Micros>) -> Result<()> {
        self.write(move |ctx| {
            match retry_at {
                None => ctx
                    .conn
                    .prepare_cached("UPDATE ap_deliveries SET done_us = ?2, taken_us = NULL WHERE id = ?1")?
                    .execute(params![id, ctx.now_us])?,
                Some(at) => ctx
                    .conn
                    .prepare_cached(
                        "UPDATE ap_deliveries SET not_before_us = ?2, taken_us = NULL WHERE id = ?1",
                    )?
                    .execute(params![id, at])?,
            };
            Ok(())
        })
        .await
    }

    /// The followers' actor ids, oldest first.
    pub async fn ap_followers(&self) -> Result<Vec<String>> {
        self.read(|conn| {
            let mut st =
                conn.prepare_cached("SELECT actor FROM ap_followers ORDER BY created_us, actor")?;
            let rows = st.query_map([], |r| r.get(0))?;
            Ok(rows.collect::<std::result::Result<Vec<String>, _>>()?)
        })
        .await
    }

    /// Where followers take deliveries: each shared inbox once, else the
    /// follower's own.
    pub async fn ap_inboxes(&self) -> Result<Vec<String>> {
        self.read(|conn| {
            let mut st = conn.prepare_cached(
                "SELECT DISTINCT COALESCE(shared_inbox, inbox) FROM ap_followers ORDER BY 1",
            )?;
            let rows = st.query_map([], |r| r.get(0))?;
            Ok(rows.collect::<std::result::Result<Vec<String>, _>>()?)
        })
        .await
    }
}
