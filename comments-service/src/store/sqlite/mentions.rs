//! Verified mentions and the durable verification queue.

use super::*;

impl Sqlite {
    /// Stores a verified mention of `page` by `source`, or updates the existing
    /// row for that pair. A new row is moderated like a comment, keyed by the
    /// source's domain; an update keeps the row's status (a rejected one stays out).
    pub async fn upsert_mention(&self, m: Mention) -> Result<MentionStored> {
        self.write(move |ctx| {
            let existing: Option<(i64, String)> = ctx
                .conn
                .prepare_cached("SELECT id, status FROM comments WHERE source = ?1 AND page = ?2")?
                .query_row(params![m.source, m.page], |r| Ok((r.get(0)?, r.get(1)?)))
                .optional()?;
            let key = format!(
                "domain:{}",
                url::Url::parse(&m.source)
                    .ok()
                    .and_then(|u| u.host_str().map(str::to_lowercase))
                    .unwrap_or_default()
            );
            let (id, status, created) = match existing {
                Some((id, old)) => {
                    let mut status = Status::parse(&old).unwrap_or(Status::Pending);
                    if status == Status::Deleted {
                        status = decide(ctx.conn, m.moderation, &key)?;
                    }
                    ctx.conn
                        .prepare_cached(
                            "UPDATE comments SET kind = ?2, author = ?3, website = ?4, url = ?5, author_photo = ?6,
                               body_html = ?7, status = ?8, updated_us = ?9 WHERE id = ?1",
                        )?
                        .execute(params![
                            id,
                            m.kind.as_str(),
                            m.author,
                            m.website,
                            m.url,
                            m.author_photo,
                            m.content_html,
                            status.as_str(),
                            ctx.now_us
                        ])?;
                    (id, status, false)
                }
                None => {
                    let status = decide(ctx.conn, m.moderation, &key)?;
                    let created_us = m.published_us.filter(|p| *p <= ctx.now_us).unwrap_or(ctx.now_us);
                    ctx.conn
                        .prepare_cached(
                            "INSERT INTO comments (page, kind, status, author, website, url, author_photo, source,
                               body_html, commenter_key, created_us, updated_us, parent)
                             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
                        )?
                        .execute(params![
                            m.page,
                            m.kind.as_str(),
                            status.as_str(),
                            m.author,
                            m.website,
                            m.url,
                            m.author_photo,
                            m.source,
                            m.content_html,
                            key,
                            created_us,
                            ctx.now_us,
                            m.parent
                        ])?;
                    (ctx.conn.last_insert_rowid(), status, true)
                }
            };
            if status == Status::Approved {
                ctx.rebuild = true;
            }
            if created {
                super::mention_mail::after_new_mention(ctx, id, status, m.moderation, &m.notices)?;
            }
            Ok(MentionStored {
                id,
                status,
                created,
            })
        })
        .await
    }

    /// Removes the mention of `page` by `source` (the source deleted it or no
    /// longer links); true when there was one.
    pub async fn remove_mention(&self, source: String, page: String) -> Result<bool> {
        self.write(move |ctx| {
            let row: Option<(i64, String)> = ctx
                .conn
                .prepare_cached(
                    "SELECT id, status FROM comments WHERE source = ?1 AND page = ?2 AND status != 'deleted'",
                )?
                .query_row(params![source, page], |r| Ok((r.get(0)?, r.get(1)?)))
                .optional()?;
            let Some((id, old)) = row else {
                return Ok(false);
            };
            set_status(
                ctx,
                id,
                Status::parse(&old).unwrap_or(Status::Pending),
                Status::Deleted,
            )?;
            Ok(true)
        })
        .await
    }

    /// Queues (source, target) for verification; a repeat of a queued pair
    /// resets it (the sender says the source changed). Returns the queue id.
    pub async fn enqueue_verification(&self, source: String, target: String) -> Result<i64> {
        self.write(move |ctx| {
            Ok(ctx
                .conn
                .prepare_cached(
                    "INSERT INTO mention_queue (source, target, received_us, not_before_us)
                     VALUES (?1, ?2, ?3, ?3)
                     ON CONFLICT (source, target) DO UPDATE SET received_us = ?3, not_before_us = ?3,
                       taken_us = NULL, attempts = 0
                     RETURNING id",
                )?
                .query_row(params![source, target, ctx.now_us], |r| r.get(0))?)
        })
        .await
    }

    /// Takes the oldest due verification (leased for ten minutes: a worker that
    /// dies before `verification_done` leaves it to be taken again).
    pub async fn take_verification(&self) -> Result<Option<PendingVerification>> {
        let lease_us = self.lease_us.load(std::sync::atomic::Ordering::Relaxed);
        self.write(move |ctx| {
            let row = ctx
                .conn
                .prepare_cached(
                    "UPDATE mention_queue SET taken_us = ?1, attempts = attempts + 1
                     WHERE id = (SELECT id FROM mention_queue
                                 WHERE not_before_us <= ?1 AND (taken_us IS NULL OR taken_us < ?2)
                                 ORDER BY not_before_us, id LIMIT 1)
                     RETURNING id, source, target, attempts",
                )?
                .query_row(params![ctx.now_us, ctx.now_us - lease_us], |r| {
                    Ok(PendingVerification {
                        id: r.get(0)?,
                        source: r.get(1)?,
                        target: r.get(2)?,
                        attempts: r.get(3)?,
                    })
                })
                .optional()?;
            Ok(row)
        })
        .await
    }

    /// Removes a verification from the queue (verified, refused or given up).
    pub async fn verification_done(&self, id: i64) -> Result<()> {
        self.write(move |ctx| {
            ctx.conn
                .execute("DELETE FROM mention_queue WHERE id = ?1", [id])?;
            Ok(())
        })
        .await
    }

    /// Puts a taken verification back, to be taken again after `delay_ms`.
    pub async fn verification_retry(&self, id: i64, delay_ms: u64) -> Result<()> {
        self.write(move |ctx| {
            ctx.conn.execute(
                "UPDATE mention_queue SET taken_us = NULL, not_before_us = ?2 WHERE id = ?1",
                params![id, ctx.now_us + (delay_ms as i64) * 1000],
            )?;
            Ok(())
        })
        .await
    }
}
