//! Imported conversation into PostgreSQL: one transaction for the whole
//! plan, skipping what `import_keys` says an earlier run brought in. The
//! other instances learn of it by the transaction's `NOTIFY`. A dry run is
//! the same transaction rolled back, so its counts are exactly the real ones.

use std::collections::{HashMap, HashSet};

use deadpool_postgres::Transaction;
use tokio_postgres::types::ToSql;

use super::Postgres;
use crate::error::Result;
use crate::model::{Kind, Status};
use crate::store::{ImportCounts, ImportRow, Micros, now_us};

impl Postgres {
    /// Writes `rows` (parents before replies) in one transaction.
    pub async fn import(&self, format: &'static str, rows: Vec<ImportRow>) -> Result<ImportCounts> {
        let now = now_us();
        let mut c = self.conn().await?;
        let tx = c.transaction().await?;
        let (counts, approved) = apply(&tx, format, &rows, now).await?;
        self.commit_announced(tx, approved, now).await?;
        Ok(counts)
    }

    /// What `import` would add; nothing is kept.
    pub async fn import_preview(&self, format: &str, rows: &[ImportRow]) -> Result<ImportCounts> {
        let mut c = self.conn().await?;
        let tx = c.transaction().await?;
        let (counts, _) = apply(&tx, format, rows, now_us()).await?;
        tx.rollback().await?;
        Ok(counts)
    }
}

async fn apply(
    tx: &Transaction<'_>,
    format: &str,
    rows: &[ImportRow],
    now: Micros,
) -> Result<(ImportCounts, bool)> {
    let mut counts = ImportCounts::default();
    let mut approved = false;
    let mut ids: HashMap<&str, i64> = HashMap::with_capacity(rows.len());
    let mut mentions_seen: HashSet<(&str, &str)> = HashSet::new();
    let known = tx
        .prepare("SELECT comment_id FROM import_keys WHERE format = $1 AND source_id = $2")
        .await?;
    let insert = tx
        .prepare(
            "INSERT INTO comments (page, parent, kind, status, author, email, website, url, source,
                body_md, body_html, is_owner, commenter_key, created_us, updated_us)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8, $9, $10, $11, $12, $13, $14) RETURNING id",
        )
        .await?;
    for r in rows {
        if let Some(row) = tx.query_opt(&known, &[&format, &r.key]).await? {
            ids.insert(&r.key, row.try_get(0)?);
            counts.already += 1;
            continue;
        }
        if let Some(src) = r.source.as_deref() {
            let existing: Option<i64> = tx
                .query_opt(
                    "SELECT id FROM comments WHERE source = $1 AND page = $2",
                    &[&src, &r.page],
                )
                .await?
                .map(|row| row.try_get(0))
                .transpose()?;
            if existing.is_some() || !mentions_seen.insert((src, &r.page)) {
                if let Some(id) = existing {
                    record_key(tx, format, &r.key, id).await?;
                }
                counts.already += 1;
                continue;
            }
        }
        let parent = r.parent_key.as_deref().and_then(|k| ids.get(k).copied());
        let params: [&(dyn ToSql + Sync); 14] = [
            &r.page,
            &parent,
            &r.kind.as_str(),
            &r.status.as_str(),
            &r.author,
            &r.email,
            &r.website,
            &r.source,
            &r.body_md,
            &r.body_html,
            &r.is_owner,
            &r.commenter_key,
            &r.created_us,
            // updated now: the generator's `?since=` export picks them up
            &now,
        ];
        let id: i64 = tx.query_one(&insert, &params).await?.try_get(0)?;
        record_key(tx, format, &r.key, id).await?;
        if r.status == Status::Approved {
            tx.execute(
                "INSERT INTO trusted_commenters (commenter_key) VALUES ($1) ON CONFLICT DO NOTHING",
                &[&r.commenter_key],
            )
            .await?;
        }
        ids.insert(&r.key, id);
        approved |= r.status == Status::Approved;
        match r.kind {
            Kind::Comment => {
                counts.comments += 1;
                if r.status != Status::Approved {
                    counts.held += 1;
                }
            }
            _ => counts.mentions += 1,
        }
    }
    Ok((counts, approved))
}

async fn record_key(tx: &Transaction<'_>, format: &str, key: &str, id: i64) -> Result<()> {
    tx.execute(
        "INSERT INTO import_keys (format, source_id, comment_id) VALUES ($1, $2, $3)
         ON CONFLICT DO NOTHING",
        &[&format, &key, &id],
    )
    .await?;
    Ok(())
}
