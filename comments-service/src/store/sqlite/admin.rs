//! The admin list: filtered by status, page and a search text.

use super::*;
use crate::store::admin::{AdminQuery, AdminRow};

/// `s` as a LIKE pattern matching it anywhere, its wildcards escaped with `\`.
fn contains_pattern(s: &str) -> String {
    let mut p = String::from("%");
    for ch in s.chars() {
        if matches!(ch, '%' | '_' | '\\') {
            p.push('\\');
        }
        p.push(ch);
    }
    p.push('%');
    p
}

impl Sqlite {
    /// Rows for `/admin`, newest first.
    pub async fn admin_rows(&self, q: AdminQuery) -> Result<Vec<AdminRow>> {
        self.read(move |c| {
            let sql = format!(
                "SELECT {COLS}, status, email, client_addr, body_md, held_reason,
                        (SELECT p.author FROM comments p WHERE p.id = comments.parent)
                 FROM comments
                 WHERE ((?1 IS NULL AND status != 'deleted') OR status = ?1)
                   AND (?2 IS NULL OR page = ?2)
                   AND (?3 IS NULL OR body_md LIKE ?3 ESCAPE '\\' OR author LIKE ?3 ESCAPE '\\'
                        OR email LIKE ?3 ESCAPE '\\' OR website LIKE ?3 ESCAPE '\\')
                 ORDER BY id DESC LIMIT ?4"
            );
            let pattern = q.search.as_deref().map(contains_pattern);
            let mut st = c.prepare_cached(&sql)?;
            let rows = st.query_map(
                params![q.status.map(Status::as_str), q.page, pattern, q.limit],
                |r| {
                    Ok(AdminRow {
                        item: AdminItem {
                            comment: row_to_comment(r)?,
                            status: Status::parse(&r.get::<_, String>(14)?)
                                .unwrap_or(Status::Pending),
                            email: r.get(15)?,
                            client_addr: r.get(16)?,
                            body_md: r.get(17)?,
                        },
                        held_reason: r.get(18)?,
                        parent_author: r.get(19)?,
                    })
                },
            )?;
            Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
        })
        .await
    }
}
