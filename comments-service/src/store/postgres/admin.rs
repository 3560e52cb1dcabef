//! The admin list on PostgreSQL: filtered by status, page and a search text
//! (case-insensitive, `ILIKE`, its wildcards escaped).

use super::{COLS, Postgres, row_to_comment};
use crate::error::Result;
use crate::model::Status;
use crate::store::AdminItem;
use crate::store::admin::{AdminQuery, AdminRow};

/// `s` as an ILIKE pattern matching it anywhere: `%`, `_` and the escape
/// character `\` itself match only themselves.
fn contains_pattern(s: &str) -> String {
    let mut p = String::with_capacity(s.len() + 2);
    p.push('%');
    for ch in s.chars() {
        if matches!(ch, '%' | '_' | '\\') {
            p.push('\\');
        }
        p.push(ch);
    }
    p.push('%');
    p
}

impl Postgres {
    /// Rows for `/admin`, newest first.
    pub async fn admin_rows(&self, q: AdminQuery) -> Result<Vec<AdminRow>> {
        let c = self.conn().await?;
        let sql = format!(
            "SELECT {COLS}, status, email, client_addr, body_md, held_reason,
                    (SELECT p.author FROM comments p WHERE p.id = comments.parent)
             FROM comments
             WHERE (($1::text IS NULL AND status != 'deleted') OR status = $1)
               AND ($2::text IS NULL OR page = $2)
               AND ($3::text IS NULL OR body_md ILIKE $3 ESCAPE '\\' OR author ILIKE $3 ESCAPE '\\'
                    OR email ILIKE $3 ESCAPE '\\' OR website ILIKE $3 ESCAPE '\\')
             ORDER BY id DESC LIMIT $4"
        );
        let status = q.status.map(Status::as_str);
        let pattern = q.search.as_deref().map(contains_pattern);
        let st = c.prepare_cached(&sql).await?;
        c.query(&st, &[&status, &q.page, &pattern, &i64::from(q.limit)])
            .await?
            .iter()
            .map(|r| {
                Ok(AdminRow {
                    item: AdminItem {
                        comment: row_to_comment(r)?,
                        status: Status::parse(r.try_get(14)?).unwrap_or(Status::Pending),
                        email: r.try_get(15)?,
                        client_addr: r.try_get(16)?,
                        body_md: r.try_get(17)?,
                    },
                    held_reason: r.try_get(18)?,
                    parent_author: r.try_get(19)?,
                })
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn wildcards_match_only_themselves() {
        assert_eq!(super::contains_pattern("50%_a\\b"), "%50\\%\\_a\\\\b%");
    }
}
