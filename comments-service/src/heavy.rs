//! A gate for answers whose cost grows with the store (the export, the
//! thread of a very large page).
//!
//! Streaming bounds what one such answer holds; the gate bounds how many run
//! at once, so a handful of visitors asking for the export cannot take the
//! CPU, the reader pool and the blocking threads from the small answers the
//! site's pages need. A request waits up to [`WAIT`] for a place, then gets
//! 503 with `Retry-After` in the service's error shape.
//!
//! When the last heavy answer finishes, the allocator is asked to give free
//! memory back to the system (`malloc_trim`): glibc keeps freed blocks in the
//! arena of the thread that used them, and each blocking reader thread has
//! its own. Measured on 195 000 comments (bench/export_memory.sh, debug
//! build), streaming alone leaves 25–26 MB after six exports and a large
//! thread, and the trim 23–24 MB: a small gain now that no answer is built
//! whole, kept because it costs one call per burst.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use crate::error::{Error, Result};

/// Heavy answers in flight at once.
pub const MAX_HEAVY: usize = 2;
/// How long a heavy request waits for a place before the 503.
pub const WAIT: Duration = Duration::from_secs(5);
/// The `Retry-After` of that 503, in seconds.
pub const RETRY_AFTER_SECS: u64 = 5;

/// The gate (cheap to clone).
#[derive(Clone)]
pub struct Heavy {
    sem: Arc<Semaphore>,
}

impl Default for Heavy {
    fn default() -> Self {
        Heavy {
            sem: Arc::new(Semaphore::new(MAX_HEAVY)),
        }
    }
}

impl Heavy {
    /// A place for one heavy answer, held until the permit drops (the
    /// store's reader holds it until it handed out its last batch, or gave up
    /// on a client that left or stalled).
    pub async fn enter(&self) -> Result<HeavyPermit> {
        self.enter_within(WAIT).await
    }

    /// [`Heavy::enter`], waiting at most `wait`.
    pub async fn enter_within(&self, wait: Duration) -> Result<HeavyPermit> {
        match tokio::time::timeout(wait, self.sem.clone().acquire_owned()).await {
            Ok(Ok(p)) => Ok(HeavyPermit {
                permit: Some(p),
                sem: self.sem.clone(),
            }),
            // closed: never happens (we never close it), but answer rather than panic
            Ok(Err(_)) => Err(Error::Closed),
            Err(_) => Err(Error::Busy {
                retry_after: RETRY_AFTER_SECS,
            }),
        }
    }
}

/// One heavy answer's place in the gate.
pub struct HeavyPermit {
    permit: Option<OwnedSemaphorePermit>,
    sem: Arc<Semaphore>,
}

impl Drop for HeavyPermit {
    fn drop(&mut self) {
        drop(self.permit.take());
        if self.sem.available_permits() == MAX_HEAVY {
            give_back_memory();
        }
    }
}

/// Returns free heap pages to the system, off the async threads when it can
/// (a trim walks every arena: a few milliseconds after a big answer).
pub fn give_back_memory() {
    match tokio::runtime::Handle::try_current() {
        Ok(h) => drop(h.spawn_blocking(trim)),
        Err(_) => trim(),
    }
}

#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn trim() {
    // SAFETY: malloc_trim only releases free memory of the allocator's own
    // arenas; it takes no pointers and is thread-safe in glibc.
    unsafe {
        libc::malloc_trim(0);
    }
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
fn trim() {}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_third_heavy_request_waits_then_gets_busy() {
        let gate = Heavy::default();
        let wait = Duration::from_millis(50);
        let a = gate.enter_within(wait).await.ok();
        let b = gate.enter_within(wait).await.ok();
        assert!(a.is_some() && b.is_some());
        match gate.enter_within(wait).await {
            Err(Error::Busy { retry_after }) => assert_eq!(retry_after, RETRY_AFTER_SECS),
            other => panic!("expected Busy, got {:?}", other.err()),
        }
        drop(a);
        assert!(
            gate.enter_within(wait).await.is_ok(),
            "a freed place is taken at once"
        );
    }
}
