//! Moderation from a mail's links: the outbox row is locked so each mail
//! acts once, whichever instance serves its links (beside `comments`, which
//! holds the moderation itself; the outbox only queues what it makes due).

use super::Postgres;
use super::comments::moderate_one;
use crate::error::Result;
use crate::store::mail::LinkOutcome;
use crate::store::{Action, Micros, now_us};

impl Postgres {
    /// A moderation action from one of mail `mail_id`'s links; the row lock
    /// makes each mail act once, whichever instance serves its links.
    pub async fn moderate_from_mail(
        &self,
        mail_id: i64,
        comment_id: i64,
        action: Action,
    ) -> Result<LinkOutcome> {
        let now = now_us();
        let mut c = self.conn().await?;
        let tx = c.transaction().await?;
        let acted = tx
            .query_opt(
                "SELECT acted_us FROM outbox WHERE id = $1 AND comment_id = $2 FOR UPDATE",
                &[&mail_id, &comment_id],
            )
            .await?;
        let Some(acted) = acted else {
            return Ok(LinkOutcome::Missing);
        };
        if acted.try_get::<_, Option<Micros>>(0)?.is_some() {
            return Ok(LinkOutcome::AlreadyUsed);
        }
        tx.execute(
            "UPDATE outbox SET acted_us = $2 WHERE id = $1",
            &[&mail_id, &now],
        )
        .await?;
        let (_, rebuild) = moderate_one(&tx, comment_id, action, now).await?;
        self.commit(tx, rebuild, now).await?;
        Ok(LinkOutcome::Done)
    }
}
