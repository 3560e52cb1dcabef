//! The read cache: rendered thread and count answers, valid while the
//! store's generation (its commit counter) holds.
//!
//! Bounded by bytes, not by entries: 4 096 entries of a page with thousands
//! of comments each would be gigabytes. Only answers of the current
//! generation are kept (an older one can never be served again), an answer
//! over [`MAX_ENTRY`] is not kept at all, and when the next one would pass
//! [`BUDGET`] the cache starts over, as a commit does.

use std::collections::HashMap;
use std::sync::RwLock;

use axum::body::Bytes;

/// Most bytes (keys and answers) the cache holds.
pub const BUDGET: usize = 8 * 1024 * 1024;
/// Answers bigger than this are made again on each read.
pub const MAX_ENTRY: usize = 1024 * 1024;

/// Rendered answers by key (cheap to share behind an `Arc`).
#[derive(Default)]
pub struct ReadCache {
    inner: RwLock<Inner>,
}

#[derive(Default)]
struct Inner {
    generation: u64,
    bytes: usize,
    map: HashMap<String, Bytes>,
}

impl ReadCache {
    /// The answer for `key`, if it was made at `generation`.
    pub fn get(&self, key: &str, generation: u64) -> Option<Bytes> {
        let c = self.inner.read().ok()?;
        if c.generation != generation {
            return None;
        }
        c.map.get(key).cloned()
    }

    /// Keeps an answer made at `generation`, within the budget.
    pub fn put(&self, key: String, generation: u64, answer: Bytes) {
        let size = key.len() + answer.len();
        if size > MAX_ENTRY {
            return;
        }
        let Ok(mut c) = self.inner.write() else {
            return;
        };
        if generation < c.generation {
            return;
        }
        if generation > c.generation || c.bytes + size > BUDGET {
            c.map = HashMap::new();
            c.bytes = 0;
            c.generation = generation;
        }
        let key_len = key.len();
        if let Some(old) = c.map.insert(key, answer) {
            c.bytes -= key_len + old.len();
        }
        c.bytes += size;
    }

    /// Bytes held now (keys and answers).
    pub fn bytes(&self) -> usize {
        self.inner.read().map(|c| c.bytes).unwrap_or(0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn holds_only_the_current_generation_within_the_budget() {
        let c = ReadCache::default();
        c.put("a".into(), 1, Bytes::from_static(b"one"));
        assert_eq!(c.get("a", 1).as_deref(), Some(&b"one"[..]));
        assert_eq!(c.get("a", 2), None, "another generation misses");
        c.put("b".into(), 2, Bytes::from_static(b"two"));
        assert_eq!(c.bytes(), 4, "generation 1 was dropped");
        c.put("a".into(), 1, Bytes::from_static(b"old"));
        assert_eq!(c.get("a", 1), None, "an older generation is not kept");
        c.put("b".into(), 2, Bytes::from_static(b"2"));
        assert_eq!(c.bytes(), 2, "a replaced answer is counted once");
        c.put("big".into(), 2, Bytes::from(vec![b'x'; MAX_ENTRY]));
        assert_eq!(c.get("big", 2), None, "too big to keep");
        let chunk = Bytes::from(vec![b'y'; MAX_ENTRY / 2]);
        for i in 0..(2 * BUDGET / chunk.len()) {
            c.put(format!("k{i}"), 2, chunk.clone());
            assert!(c.bytes() <= BUDGET);
        }
    }
}
