//! Replayed requests: a signature is accepted once. Each accepted (key id,
//! signature) is remembered for twice the time window, after which its
//! date is refused anyway. Per process: instances behind one balancer
//! each remember what they accepted (see docs/activitypub.md).

use std::collections::HashMap;
use std::sync::Mutex;

use super::WINDOW_SECS;

/// Most signatures remembered; past it the oldest half is dropped (their
/// dates run out first).
const MAX: usize = 100_000;

#[derive(Default)]
pub struct Replays(Mutex<HashMap<(String, Vec<u8>), i64>>);

impl Replays {
    /// Records the signature; false when it was seen within the window.
    pub fn first_time(&self, key_id: &str, signature: &[u8], now: i64) -> bool {
        let mut m = self.0.lock().unwrap_or_else(|e| e.into_inner());
        if m.len() >= MAX {
            m.retain(|_, until| *until > now);
        }
        if m.len() >= MAX {
            let mut times: Vec<i64> = m.values().copied().collect();
            times.sort_unstable();
            let cut = times[times.len() / 2];
            m.retain(|_, until| *until > cut);
        }
        let k = (key_id.to_string(), signature.to_vec());
        match m.get(&k) {
            Some(until) if *until > now => false,
            _ => {
                m.insert(k, now + 2 * WINDOW_SECS);
                true
            }
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_signature_is_accepted_once_within_the_window() {
        let r = super::Replays::default();
        assert!(r.first_time("k", b"s", 1000));
        assert!(!r.first_time("k", b"s", 1001));
        assert!(r.first_time("k", b"t", 1001));
        assert!(r.first_time("k", b"s", 1000 + 601));
    }
}
