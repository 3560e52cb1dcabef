//! One comment as its author sees it, published or still held (see the
//! SQLite twin, `sqlite::own`). The caller checks the edit token first.

use super::{COLS, Postgres, row_to_comment};
use crate::error::Result;
use crate::model::{Comment, Status};

impl Postgres {
    /// Comment `id` and its status, if it is published or held.
    pub async fn own_comment(&self, id: i64) -> Result<Option<(Comment, Status)>> {
        let c = self.conn().await?;
        let Some(r) = c
            .query_opt(
                &format!(
                    "SELECT {COLS}, status FROM comments WHERE id = $1 AND status IN ('approved', 'pending')"
                ),
                &[&id],
            )
            .await?
        else {
            return Ok(None);
        };
        let Some(status) = Status::parse(r.try_get(14)?) else {
            return Ok(None);
        };
        Ok(Some((row_to_comment(&r)?, status)))
    }
}
