//! The PostgreSQL side of streamed reads (see `store::rows`): a task walks
//! a server-side cursor (a bound portal, [`BATCH_ROWS`] rows per fetch)
//! inside one read-only repeatable-read transaction, so only one batch is
//! ever in this process, however large the store.

use std::collections::HashMap;

use deadpool_postgres::Transaction;
use tokio::sync::mpsc;

use super::{COLS, Postgres, row_to_comment};
use crate::error::Result;
use crate::store::Micros;
use crate::store::rows::*;

impl Postgres {
    /// Everything approved (changed at or after `since`) and the ids removed
    /// since, as bounded batches. `guard` is dropped when the reader stops.
    pub async fn export_batches(
        &self,
        since: Option<Micros>,
        guard: impl Send + 'static,
    ) -> ExportRx {
        let (tx, rx) = mpsc::channel(DEPTH);
        let me = self.clone();
        tokio::spawn(async move {
            let _guard = guard;
            let out = Out(tx);
            if let Err(e) = me.export_into(since, &out).await {
                out.fail(e).await;
            }
        });
        rx
    }

    /// The approved items of `page` as bounded batches in `plan`'s order,
    /// from one snapshot. `guard` is dropped when the reader stops.
    pub async fn page_batches(
        &self,
        page: String,
        plan: impl FnOnce(Vec<(i64, Option<i64>)>) -> Vec<(i64, u32)> + Send + 'static,
        guard: impl Send + 'static,
    ) -> PageRx {
        let (tx, rx) = mpsc::channel(DEPTH);
        let me = self.clone();
        tokio::spawn(async move {
            let _guard = guard;
            let out = Out(tx);
            if let Err(e) = me.page_into(&page, plan, &out).await {
                out.fail(e).await;
            }
        });
        rx
    }

    async fn export_into(&self, since: Option<Micros>, out: &Out<ExportPart>) -> Result<bool> {
        let mut c = self.conn().await?;
        let tx = snapshot(&mut c).await?;
        let sql = format!(
            "SELECT {COLS} FROM comments WHERE status = 'approved' AND updated_us >= $1 ORDER BY id"
        );
        let st = tx.prepare(&sql).await?;
        let from = since.unwrap_or(i64::MIN);
        let portal = tx.bind(&st, &[&from]).await?;
        loop {
            let rows = tx.query_portal(&portal, BATCH_ROWS as i32).await?;
            if rows.is_empty() {
                break;
            }
            let batch = rows
                .iter()
                .map(row_to_comment)
                .collect::<Result<Vec<_>>>()?;
            drop(rows);
            if !out.send(ExportPart::Comments(batch)).await {
                return Ok(false);
            }
        }
        if let Some(s) = since {
            let st = tx
                .prepare(
                    "SELECT DISTINCT r.comment_id FROM removals r
                     WHERE r.at_us >= $1 AND NOT EXISTS
                       (SELECT 1 FROM comments c WHERE c.id = r.comment_id AND c.status = 'approved')
                     ORDER BY r.comment_id",
                )
                .await?;
            let portal = tx.bind(&st, &[&s]).await?;
            loop {
                let rows = tx.query_portal(&portal, (BATCH_ROWS * 16) as i32).await?;
                if rows.is_empty() {
                    break;
                }
                let ids = rows
                    .iter()
                    .map(|r| r.try_get(0))
                    .collect::<Result<Vec<i64>, _>>()?;
                if !out.send(ExportPart::Removed(ids)).await {
                    return Ok(false);
                }
            }
        }
        tx.commit().await?;
        Ok(out.send(ExportPart::End).await)
    }

    async fn page_into(
        &self,
        page: &str,
        plan: impl FnOnce(Vec<(i64, Option<i64>)>) -> Vec<(i64, u32)>,
        out: &Out<PagePart>,
    ) -> Result<bool> {
        let mut c = self.conn().await?;
        let tx = snapshot(&mut c).await?;
        let shape_st = tx
            .prepare_cached(
                "SELECT id, parent FROM comments WHERE page = $1 AND status = 'approved' ORDER BY id",
            )
            .await?;
        let shape = tx
            .query(&shape_st, &[&page])
            .await?
            .iter()
            .map(|r| Ok((r.try_get(0)?, r.try_get(1)?)))
            .collect::<Result<Vec<(i64, Option<i64>)>>>()?;
        let items = shape.len();
        let order = plan(shape);
        let ids: Vec<i64> = order.iter().map(|(id, _)| *id).collect();
        if !out.send(PagePart::Plan { items, order }).await {
            return Ok(false);
        }
        let st = tx
            .prepare_cached(&format!("SELECT {COLS} FROM comments WHERE id = ANY($1)"))
            .await?;
        for chunk in ids.chunks(BATCH_ROWS) {
            let mut by_id: HashMap<i64, _> = HashMap::with_capacity(chunk.len());
            for r in tx.query(&st, &[&chunk]).await? {
                let c = row_to_comment(&r)?;
                by_id.insert(c.id, c);
            }
            let batch = chunk.iter().filter_map(|id| by_id.remove(id)).collect();
            if !out.send(PagePart::Rows(batch)).await {
                return Ok(false);
            }
        }
        tx.commit().await?;
        Ok(out.send(PagePart::End).await)
    }
}

/// A read-only transaction that sees one snapshot for all its queries.
async fn snapshot(c: &mut deadpool_postgres::Object) -> Result<Transaction<'_>> {
    Ok(c.build_transaction()
        .isolation_level(tokio_postgres::IsolationLevel::RepeatableRead)
        .read_only(true)
        .start()
        .await?)
}

/// The reader's end of the channel.
struct Out<T>(mpsc::Sender<Result<T>>);

impl<T> Out<T> {
    /// Sends `part`; false when the receiver is gone or took nothing for
    /// [`STALL`] (the snapshot and the connection are then given back).
    async fn send(&self, part: T) -> bool {
        self.0.send_timeout(Ok(part), STALL).await.is_ok()
    }

    async fn fail(&self, e: crate::error::Error) {
        let _ = self.0.send_timeout(Err(e), STALL).await;
    }
}
