//! The common new comment in one round trip. A plain comment that needs no
//! read first (no parent to check, a status the mode decides alone) and
//! makes nothing due (see `outbox::nothing_due`) is one statement: the row
//! and, when it is published, its rebuild request, in the implicit
//! transaction of that statement. The general path takes six round trips
//! (BEGIN, the insert, two subscription reads, the request, COMMIT), and on
//! a durable PostgreSQL the client's waits between them, not the disk, were
//! what bounded writes.

use tokio_postgres::error::SqlState;
use tokio_postgres::types::ToSql;

use std::sync::LazyLock;

use super::comments::{NEW_COLUMNS, NEW_VALUES, new_values};
use super::{Postgres, outbox};
use crate::config::Moderation;
use crate::error::Result;
use crate::model::Status;
use crate::store::{Created, Micros, NewComment, policy};

/// The row, the rebuild request when `$15` (published) holds, and the
/// idempotency key `$16` when there is one, at once. A key already present
/// (a retry, or an expired key) makes no row: the general path answers it.
/// Two first tries with one key race to the key's unique index; the loser's
/// statement fails as a whole, leaving nothing, and the general path then
/// replays the winner's comment.
static INSERT_ALL: LazyLock<String> = LazyLock::new(|| {
    format!(
        "WITH c AS (
            INSERT INTO comments ({NEW_COLUMNS}) SELECT {NEW_VALUES}
            WHERE $16::text IS NULL
               OR NOT EXISTS (SELECT 1 FROM idempotency_keys WHERE key = $16::text)
            RETURNING id),
        r AS (INSERT INTO rebuild_requests (at_us, xact)
            SELECT $12, pg_current_xact_id()::text::bigint FROM c WHERE $15),
        k AS (INSERT INTO idempotency_keys (key, created_us, comment_id)
            SELECT $16::text, $12, id FROM c WHERE $16::text IS NOT NULL)
        SELECT id FROM c"
    )
});

/// The status `n` gets when no read is needed to decide it.
fn status_without_reads(n: &NewComment) -> Option<Status> {
    if n.is_owner {
        Some(Status::Approved)
    } else if n.hold {
        Some(Status::Pending)
    } else if n.moderation == Moderation::FirstTime {
        None
    } else {
        Some(policy::status_for(n.moderation, false))
    }
}

impl Postgres {
    /// Stores `n` (with its idempotency `key`) in one statement when it
    /// qualifies; `None` sends the caller down the general path.
    pub(super) async fn create_in_one_trip(
        &self,
        n: &NewComment,
        key: Option<&str>,
        now: Micros,
    ) -> Result<Option<Created>> {
        if n.parent.is_some() {
            return Ok(None);
        }
        let Some(status) = status_without_reads(n) else {
            return Ok(None);
        };
        if !outbox::nothing_due(status, n) {
            return Ok(None);
        }
        let published = status == Status::Approved;
        let c = self.conn().await?;
        let st = c.prepare_cached(&INSERT_ALL).await?;
        let status_str = status.as_str();
        let mut params: Vec<&(dyn ToSql + Sync)> = new_values(n, &status_str, &now).to_vec();
        params.push(&published);
        params.push(&key);
        let row = match c.query_opt(&st, &params).await {
            Ok(row) => row,
            Err(e) if e.code() == Some(&SqlState::UNIQUE_VIOLATION) && key.is_some() => None,
            Err(e) => return Err(e.into()),
        };
        drop(c);
        let Some(row) = row else {
            return Ok(None);
        };
        let id: i64 = row.try_get(0)?;
        self.committed(published);
        Ok(Some(Created {
            id,
            status,
            created_us: now,
            replayed: false,
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_time_moderation_needs_a_read_and_the_others_do_not() {
        let mut n = NewComment {
            page: "/p/".into(),
            parent: None,
            author: "A".into(),
            email: None,
            website: None,
            body_md: "b".into(),
            body_html: "<p>b</p>".into(),
            is_owner: false,
            commenter_key: "k".into(),
            client_addr: None,
            hold: false,
            moderation: Moderation::FirstTime,
            notices: Default::default(),
            verified: false,
            signed_in_as: None,
        };
        assert_eq!(status_without_reads(&n), None);
        n.moderation = Moderation::None;
        assert_eq!(status_without_reads(&n), Some(Status::Approved));
        n.moderation = Moderation::All;
        assert_eq!(status_without_reads(&n), Some(Status::Pending));
        n.hold = true;
        n.moderation = Moderation::None;
        assert_eq!(status_without_reads(&n), Some(Status::Pending));
        n.is_owner = true;
        assert_eq!(status_without_reads(&n), Some(Status::Approved));
    }
}
