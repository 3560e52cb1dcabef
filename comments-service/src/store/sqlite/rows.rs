//! The SQLite side of streamed reads (see `store::rows`): a blocking task
//! walks one statement on a pooled reader inside one read transaction.

use std::sync::Arc;
use std::time::Duration;

use rusqlite::Connection;
use tokio::runtime::Handle;
use tokio::sync::mpsc;

use super::{COLS, Readers, Sqlite, row_to_comment};
use crate::error::{Error, Result};
use crate::store::Micros;
use crate::store::rows::*;

impl Sqlite {
    /// Everything approved (changed at or after `since`) and the ids removed
    /// since, as bounded batches; see the module docs. `guard` is dropped
    /// when the reader stops (done, or the client left or stalled).
    pub async fn export_batches(
        &self,
        since: Option<Micros>,
        guard: impl Send + 'static,
    ) -> ExportRx {
        spawn_reader(
            self.readers.clone(),
            guard,
            move |conn, out| export_into(conn, since, out),
            STALL,
        )
    }

    /// The approved items of `page`, as bounded batches in the order that
    /// `plan` gives from their `(id, parent)` pairs (oldest first), all from
    /// one snapshot. The store knows nothing of nesting: `plan` (the thread's
    /// shape) belongs to the caller, and costs 16 bytes a row, not a row.
    /// `guard` is dropped when the reader stops.
    pub async fn page_batches(
        &self,
        page: String,
        plan: impl FnOnce(Vec<(i64, Option<i64>)>) -> Vec<(i64, u32)> + Send + 'static,
        guard: impl Send + 'static,
    ) -> PageRx {
        spawn_reader(
            self.readers.clone(),
            guard,
            move |conn, out| page_into(conn, &page, plan, out),
            STALL,
        )
    }
}

/// The reader's end of the channel.
struct Out<T> {
    tx: mpsc::Sender<Result<T>>,
    handle: Handle,
    /// [`STALL`], shorter in tests.
    stall: Duration,
}

impl<T> Out<T> {
    /// Sends `part`; false when the receiver is gone or took nothing for
    /// [`STALL`] (a client that stopped reading must not keep the snapshot,
    /// which holds back the WAL checkpoint, nor the reader connection).
    fn send(&self, part: T) -> bool {
        self.handle
            .block_on(self.tx.send_timeout(Ok(part), self.stall))
            .is_ok()
    }

    /// Sends the error that stopped the read (the receiver logs it).
    fn fail(&self, e: Error) {
        let _ = self
            .handle
            .block_on(self.tx.send_timeout(Err(e), self.stall));
    }
}

/// Runs `work` on a pooled reader in a blocking thread, its batches going
/// through a channel of [`DEPTH`].
fn spawn_reader<T: Send + 'static>(
    readers: Arc<Readers>,
    guard: impl Send + 'static,
    work: impl FnOnce(&Connection, &Out<T>) -> Result<bool> + Send + 'static,
    stall: Duration,
) -> mpsc::Receiver<Result<T>> {
    let (tx, rx) = mpsc::channel(DEPTH);
    let Ok(handle) = Handle::try_current() else {
        let _ = tx.try_send(Err(Error::Closed));
        return rx;
    };
    let out = Out {
        tx,
        handle: handle.clone(),
        stall,
    };
    // Not awaited: the task lives as long as the receiver reads.
    drop(handle.spawn_blocking(move || {
        let _guard = guard;
        let conn = match readers.take() {
            Ok(c) => c,
            Err(e) => return out.fail(e),
        };
        if let Err(e) = work(&conn, &out) {
            out.fail(e);
        }
        readers.give(conn);
    }));
    rx
}

/// Walks one page on `conn`; `Ok(false)` when the receiver went away.
fn page_into(
    conn: &Connection,
    page: &str,
    plan: impl FnOnce(Vec<(i64, Option<i64>)>) -> Vec<(i64, u32)>,
    out: &Out<PagePart>,
) -> Result<bool> {
    let snapshot = conn.unchecked_transaction()?;
    let shape = snapshot
        .prepare_cached(
            "SELECT id, parent FROM comments WHERE page = ?1 AND status = 'approved' ORDER BY id",
        )?
        .query_map([page], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let items = shape.len();
    let order = plan(shape);
    let ids: Vec<i64> = order.iter().map(|(id, _)| *id).collect();
    if !out.send(PagePart::Plan { items, order }) {
        return Ok(false);
    }
    let mut st = snapshot.prepare_cached(&format!("SELECT {COLS} FROM comments WHERE id = ?1"))?;
    let mut batch = Vec::with_capacity(BATCH_ROWS);
    let mut bytes = 0;
    for id in ids {
        let c = st.query_row([id], row_to_comment)?;
        bytes += approx_bytes(&c);
        batch.push(c);
        if batch.len() >= BATCH_ROWS || bytes >= BATCH_BYTES {
            let full = std::mem::replace(&mut batch, Vec::with_capacity(BATCH_ROWS));
            bytes = 0;
            if !out.send(PagePart::Rows(full)) {
                return Ok(false);
            }
        }
    }
    if !batch.is_empty() && !out.send(PagePart::Rows(batch)) {
        return Ok(false);
    }
    Ok(out.send(PagePart::End))
}

/// Walks the export on `conn`; `Ok(false)` when the receiver went away.
fn export_into(conn: &Connection, since: Option<Micros>, out: &Out<ExportPart>) -> Result<bool> {
    // One snapshot for both queries; dropping it rolls back (nothing was written).
    let snapshot = conn.unchecked_transaction()?;
    let mut st = match since {
        None => snapshot.prepare_cached(&format!(
            "SELECT {COLS} FROM comments WHERE status = 'approved' ORDER BY id"
        ))?,
        Some(_) => snapshot.prepare_cached(&format!(
            "SELECT {COLS} FROM comments WHERE status = 'approved' AND updated_us >= ?1 ORDER BY id"
        ))?,
    };
    let mut rows = match since {
        None => st.query([])?,
        Some(s) => st.query([s])?,
    };
    let mut batch = Vec::with_capacity(BATCH_ROWS);
    let mut bytes = 0;
    while let Some(r) = rows.next()? {
        let c = row_to_comment(r)?;
        bytes += approx_bytes(&c);
        batch.push(c);
        if batch.len() >= BATCH_ROWS || bytes >= BATCH_BYTES {
            let full = std::mem::replace(&mut batch, Vec::with_capacity(BATCH_ROWS));
            bytes = 0;
            if !out.send(ExportPart::Comments(full)) {
                return Ok(false);
            }
        }
    }
    drop(rows);
    drop(st);
    if !batch.is_empty() && !out.send(ExportPart::Comments(batch)) {
        return Ok(false);
    }
    if let Some(s) = since {
        let mut st = snapshot.prepare_cached(
            "SELECT DISTINCT r.comment_id FROM removals r
             WHERE r.at_us >= ?1 AND NOT EXISTS
               (SELECT 1 FROM comments c WHERE c.id = r.comment_id AND c.status = 'approved')
             ORDER BY r.comment_id",
        )?;
        let mut rows = st.query([s])?;
        // ids are 8 bytes each: a bigger batch costs little
        let mut ids = Vec::with_capacity(BATCH_ROWS * 16);
        while let Some(r) = rows.next()? {
            ids.push(r.get::<_, i64>(0)?);
            if ids.len() >= BATCH_ROWS * 16 {
                let full = std::mem::replace(&mut ids, Vec::with_capacity(BATCH_ROWS * 16));
                if !out.send(ExportPart::Removed(full)) {
                    return Ok(false);
                }
            }
        }
        if !ids.is_empty() && !out.send(ExportPart::Removed(ids)) {
            return Ok(false);
        }
    }
    Ok(out.send(ExportPart::End))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_reader_whose_client_stopped_reading_gives_up_and_frees_its_place() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("c.db");
        let store = Sqlite::open(&db, 0).unwrap();
        {
            let mut c = Connection::open(&db).unwrap();
            let tx = c.transaction().unwrap();
            for i in 0..(BATCH_ROWS * (DEPTH + 2)) as i64 {
                tx.execute(
                    "INSERT INTO comments (page, kind, status, author, body_html, created_us,
                        updated_us) VALUES ('/p/', 'comment', 'approved', 'A', '<p>x</p>', ?1, ?1)",
                    [i],
                )
                .unwrap();
            }
            tx.commit().unwrap();
        }
        let (guard, released) = tokio::sync::oneshot::channel::<()>();
        let mut rx = spawn_reader(
            store.readers.clone(),
            guard,
            |conn, out| export_into(conn, None, out),
            Duration::from_millis(100),
        );
        assert!(matches!(rx.recv().await, Some(Ok(ExportPart::Comments(_)))));
        // nobody reads on: the reader gives up and drops its guard
        let gone = tokio::time::timeout(Duration::from_secs(5), released).await;
        assert!(gone.is_ok(), "the reader still holds its place");
        let idle = store.readers.idle.lock().map(|v| v.len()).unwrap_or(0);
        assert_eq!(idle, 1, "its connection is back in the pool");
        let mut got = 0;
        while let Some(part) = rx.recv().await {
            assert!(!matches!(part, Ok(ExportPart::End)), "cut short, not ended");
            got += 1;
        }
        assert!(got <= DEPTH + 1, "no more than the channel held");
    }
}
