//! One comment as its author sees it: published or still held, so the page a
//! reader lands on (and embed.js after a reload) can show it before the owner
//! approved it. The caller checks the edit token first.

use super::*;

impl Sqlite {
    /// Comment `id` and its status, if it is published or held (not when it
    /// was rejected, marked as spam or deleted).
    pub async fn own_comment(&self, id: i64) -> Result<Option<(Comment, Status)>> {
        self.read(move |c| {
            let found = c
                .prepare_cached(&format!(
                    "SELECT {COLS}, status FROM comments WHERE id = ?1 AND status IN ('approved', 'pending')"
                ))?
                .query_row([id], |r| {
                    let status: String = r.get(14)?;
                    Ok((row_to_comment(r)?, status))
                })
                .optional()?;
            Ok(found.and_then(|(c, s): (Comment, String)| Status::parse(&s).map(|s| (c, s))))
        })
        .await
    }
}
