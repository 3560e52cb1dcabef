//! The one writer: group commit of every waiting job in one transaction.

use super::*;

/// What a write job can touch: the connection inside the batch transaction.
pub(super) struct WriteCtx<'c> {
    pub(super) conn: &'c Connection,
    pub(super) now_us: Micros,
    /// Set by a job whose change readers of the site can see.
    pub(super) rebuild: bool,
}

pub(super) type Done = Box<dyn FnOnce(bool) + Send>;
pub(super) type Job = Box<dyn FnOnce(&mut WriteCtx) -> (Done, bool) + Send>;

/// The writer: takes every waiting job, runs each in a savepoint inside one
/// transaction, commits once (one fsync), then answers them all.
pub(super) fn writer_loop(
    conn: Connection,
    mut rx: mpsc::Receiver<Job>,
    generation: Arc<AtomicU64>,
    rebuild: Arc<Notify>,
    debounce_us: Micros,
) {
    let mut batch: Vec<Job> = Vec::with_capacity(MAX_BATCH);
    while let Some(first) = rx.blocking_recv() {
        batch.push(first);
        while batch.len() < MAX_BATCH {
            match rx.try_recv() {
                Ok(j) => batch.push(j),
                Err(_) => break,
            }
        }
        let mut dones: Vec<Done> = Vec::with_capacity(batch.len());
        let now = now_us();
        let mut wants_rebuild = false;
        let began = conn.execute_batch("BEGIN IMMEDIATE");
        if let Err(e) = began {
            tracing::error!(error = %e, "store: cannot begin a transaction");
            // Dropping a job drops its answer channel: its caller gets an error.
            batch.clear();
            std::thread::sleep(std::time::Duration::from_millis(50));
            continue;
        }
        for job in batch.drain(..) {
            if conn.execute_batch("SAVEPOINT job").is_err() {
                drop(job);
                continue;
            }
            let mut ctx = WriteCtx {
                conn: &conn,
                now_us: now,
                rebuild: false,
            };
            // A bug in one job must not take the writer (and every later
            // write) down: its savepoint is rolled back and its caller gets
            // an error when the job's answer channel drops.
            let run = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| job(&mut ctx)));
            let Ok((done, ok)) = run else {
                tracing::error!("store: a write job panicked; rolled back");
                let _ = conn.execute_batch("ROLLBACK TO job; RELEASE job");
                continue;
            };
            if ok {
                wants_rebuild |= ctx.rebuild;
                let _ = conn.execute_batch("RELEASE job");
            } else {
                let _ = conn.execute_batch("ROLLBACK TO job; RELEASE job");
            }
            dones.push(done);
        }
        if wants_rebuild && let Err(e) = request_rebuild(&conn, now, debounce_us) {
            tracing::error!(error = %e, "store: cannot record the rebuild request");
        }
        let committed = match conn.execute_batch("COMMIT") {
            Ok(()) => true,
            Err(e) => {
                tracing::error!(error = %e, "store: commit failed");
                let _ = conn.execute_batch("ROLLBACK");
                false
            }
        };
        if committed {
            generation.fetch_add(1, Ordering::AcqRel);
            if wants_rebuild {
                rebuild.notify_one();
            }
        }
        for d in dones {
            d(committed);
        }
    }
}
