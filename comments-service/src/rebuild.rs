//! The rebuild trigger: after approved changes, run the configured command
//! and/or POST the webhook, once per burst.
//!
//! The request lives in the database (written in the same transaction as the
//! change), so a crash before it ran still triggers after restart. A failed
//! run is retried with exponential backoff (1 s, 2 s, 4 s … capped at 10 min).
//!
//! On PostgreSQL several instances share the one request: the run is
//! claimed (`Store::claim_rebuild`), so one instance runs each burst; a
//! killed instance's claim ends with its connection and the request stays.
//!
//! `causerie-comments import` runs as another process and writes its request
//! into the same table; the loop polls for commits of other processes every
//! [`OUTSIDE_POLL`], forgets cached reads and picks the request up.

use std::time::Duration;

use tokio::io::{AsyncBufReadExt, BufReader};

use crate::state::AppState;
use crate::store::now_us;

/// Longest a rebuild command may run.
const COMMAND_TIMEOUT: Duration = Duration::from_secs(15 * 60);
/// How often the loop looks for commits of other processes (an import).
pub const OUTSIDE_POLL: Duration = Duration::from_secs(1);
/// How soon an instance looks again when another one runs the rebuild.
const CLAIM_RETRY: Duration = Duration::from_millis(500);

/// The trigger loop; runs for the life of the service.
pub async fn run(state: AppState) {
    let signal = state.store.rebuild_signal();
    let mut outside = state
        .store
        .watch_outside_writes()
        .map_err(|e| tracing::warn!(error = %e, "rebuild: cannot watch for imports"))
        .ok();
    loop {
        if outside.as_mut().is_some_and(|w| w.changed()) {
            state.store.forget_cached_reads();
        }
        let due = match state.store.rebuild_due().await {
            Ok(d) => d,
            Err(e) => {
                tracing::warn!(error = %e, "rebuild: cannot read the pending request");
                tokio::time::sleep(Duration::from_secs(5)).await;
                continue;
            }
        };
        let Some(due) = due else {
            tokio::select! {
                _ = signal.notified() => {}
                _ = tokio::time::sleep(OUTSIDE_POLL) => {}
            }
            continue;
        };
        let wait_us = due.due_us - now_us();
        if wait_us > 0 {
            // A new change may push the due time back: wake on it too.
            tokio::select! {
                _ = tokio::time::sleep(Duration::from_micros(wait_us as u64)) => {}
                _ = signal.notified() => {}
            }
            continue;
        }
        // Several instances share one request: only the claim holder runs
        // it, and only what is still due once it holds the claim.
        let claim = match state.store.claim_rebuild().await {
            Ok(Some(c)) => c,
            Ok(None) => {
                tokio::time::sleep(CLAIM_RETRY).await;
                continue;
            }
            Err(e) => {
                tracing::warn!(error = %e, "rebuild: cannot claim the run");
                tokio::time::sleep(Duration::from_secs(5)).await;
                continue;
            }
        };
        let due = match state.store.rebuild_due().await {
            Ok(Some(d)) if d.due_us <= now_us() => d,
            _ => {
                claim.release().await;
                continue;
            }
        };
        let ok = trigger(&state).await;
        let r = if ok {
            state.store.rebuild_finished(due.generation).await
        } else {
            let backoff = Duration::from_secs(1u64 << due.attempts.clamp(0, 10))
                .min(Duration::from_secs(600));
            tracing::warn!(
                attempt = due.attempts + 1,
                retry_in_s = backoff.as_secs(),
                "rebuild failed; will retry"
            );
            state
                .store
                .rebuild_failed(now_us() + backoff.as_micros() as i64)
                .await
        };
        claim.release().await;
        if let Err(e) = r {
            tracing::warn!(error = %e, "rebuild: cannot record the outcome");
            tokio::time::sleep(Duration::from_secs(1)).await;
        }
        if ok {
            state.refresh_manifest().await;
        }
    }
}

/// Runs the command and calls the webhook; true when every configured step succeeded.
async fn trigger(state: &AppState) -> bool {
    let mut ok = true;
    if let Some(cmd) = &state.cfg.rebuild_command {
        ok &= run_command(cmd).await;
    }
    if let Some(hook) = &state.cfg.rebuild_webhook {
        ok &= match &state.site_client {
            Some(c) => match c.post_empty(hook.as_str()).await {
                Ok(f) if (200..300).contains(&f.status) => {
                    tracing::info!(status = f.status, "rebuild webhook called");
                    true
                }
                Ok(f) => {
                    tracing::warn!(status = f.status, "rebuild webhook refused");
                    false
                }
                Err(e) => {
                    tracing::warn!(error = %e, "rebuild webhook failed");
                    false
                }
            },
            None => false,
        };
    }
    ok
}

/// `sh -c COMMAND`, its output line by line into the log.
async fn run_command(cmd: &str) -> bool {
    tracing::info!("rebuild: running the rebuild command");
    let child = tokio::process::Command::new("sh")
        .arg("-c")
        .arg(cmd)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .kill_on_drop(true)
        .spawn();
    let mut child = match child {
        Ok(c) => c,
        Err(e) => {
            tracing::warn!(error = %e, "rebuild: cannot start sh");
            return false;
        }
    };
    let out = child.stdout.take().map(|o| {
        tokio::spawn(async move {
            let mut lines = BufReader::new(o).lines();
            while let Ok(Some(l)) = lines.next_line().await {
                tracing::info!(target: "rebuild", "{l}");
            }
        })
    });
    let err = child.stderr.take().map(|o| {
        tokio::spawn(async move {
            let mut lines = BufReader::new(o).lines();
            while let Ok(Some(l)) = lines.next_line().await {
                tracing::warn!(target: "rebuild", "{l}");
            }
        })
    });
    let status = tokio::time::timeout(COMMAND_TIMEOUT, child.wait()).await;
    if status.is_err() {
        let _ = child.kill().await;
    }
    for h in [out, err].into_iter().flatten() {
        let _ = h.await;
    }
    match status {
        Ok(Ok(s)) if s.success() => {
            tracing::info!("rebuild command finished");
            true
        }
        Ok(Ok(s)) => {
            tracing::warn!(status = %s, "rebuild command failed");
            false
        }
        Ok(Err(e)) => {
            tracing::warn!(error = %e, "rebuild command could not be waited for");
            false
        }
        Err(_) => {
            tracing::warn!("rebuild command timed out");
            false
        }
    }
}
