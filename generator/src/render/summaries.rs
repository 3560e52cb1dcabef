//! The list views of posts, made on first use and shared by every job that
//! shows them. A one-shot full build also frees each one after its last
//! use (its post page, its index page, its term pages): kept to the end,
//! the list views of 100 000 posts were half a gigabyte.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use super::{CachedSummaries, Summary};

/// One post's list view, and how many uses are left before it is freed.
struct Slot {
    made: Mutex<Option<Arc<Summary>>>,
    /// `usize::MAX`: never freed.
    uses: AtomicUsize,
}

pub(super) struct Summaries<'c> {
    slots: Vec<Slot>,
    /// Views an earlier renderer made, asked on a slot's first use: asking
    /// for all 100 000 up front cost more than a one-post edit renders.
    cached: CachedSummaries<'c>,
    /// The posts whose view this renderer made (not found in `cached`).
    fresh: Mutex<Vec<usize>>,
}

impl<'c> Summaries<'c> {
    /// Empty slots for `n` posts; a slot is filled from `cached` if it has one.
    pub(super) fn new(n: usize, cached: CachedSummaries<'c>) -> Summaries<'c> {
        Summaries {
            slots: (0..n)
                .map(|_| Slot {
                    made: Mutex::new(None),
                    uses: AtomicUsize::new(usize::MAX),
                })
                .collect(),
            cached,
            fresh: Mutex::new(Vec::new()),
        }
    }

    /// Frees post `i`'s view after `uses[i]` more uses (made again if a
    /// use was miscounted: slower, never wrong).
    pub(super) fn free_after(&mut self, uses: &[usize]) {
        for (slot, n) in self.slots.iter_mut().zip(uses) {
            *slot.uses.get_mut() = *n;
        }
    }

    /// Post `i`'s view, from the cache or made by `make` if there is none.
    pub(super) fn use_or_make(&self, i: usize, make: impl FnOnce() -> Summary) -> Arc<Summary> {
        let slot = &self.slots[i];
        let mut made = slot.made.lock().unwrap_or_else(|e| e.into_inner());
        if made.is_none() {
            *made = Some((self.cached)(i).unwrap_or_else(|| {
                let lock = self.fresh.lock();
                lock.unwrap_or_else(|e| e.into_inner()).push(i);
                Arc::new(make())
            }));
        }
        let s = made.clone().unwrap_or_else(|| unreachable!("filled above"));
        let left = slot.uses.load(Ordering::Relaxed);
        if left != usize::MAX {
            slot.uses.store(left.saturating_sub(1), Ordering::Relaxed);
            if left <= 1 {
                *made = None;
            }
        }
        s
    }

    /// The views this renderer made (and still holds), by post index.
    pub(super) fn made(&self) -> Vec<(usize, Arc<Summary>)> {
        let mut fresh = self.fresh.lock().unwrap_or_else(|e| e.into_inner()).clone();
        fresh.sort_unstable();
        fresh.dedup();
        (fresh.into_iter())
            .filter_map(|i| Some((i, self.get(i)?)))
            .collect()
    }

    /// Post `i`'s view if a job made or used it.
    fn get(&self, i: usize) -> Option<Arc<Summary>> {
        let made = self.slots[i].made.lock().unwrap_or_else(|e| e.into_inner());
        made.clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn none(_: usize) -> Option<Arc<Summary>> {
        None
    }

    #[test]
    fn a_view_is_freed_after_its_last_counted_use_and_made_again_if_needed() {
        let made = AtomicUsize::new(0);
        let make = || {
            made.fetch_add(1, Ordering::Relaxed);
            (tera::Value::from("view"), "description".to_string())
        };
        let mut s = Summaries::new(2, &none);
        s.free_after(&[2, usize::MAX]);
        assert_eq!(s.use_or_make(0, make).1, "description");
        assert!(s.get(0).is_some(), "one use left");
        s.use_or_make(0, make);
        assert!(s.get(0).is_none(), "freed after the second use");
        assert_eq!(made.load(Ordering::Relaxed), 1, "made once for both uses");
        // A miscounted extra use makes it again: the same view, not a panic.
        assert_eq!(s.use_or_make(0, make).0, tera::Value::from("view"));
        assert_eq!(made.load(Ordering::Relaxed), 2);
        // Never freed when not counted.
        for _ in 0..5 {
            s.use_or_make(1, make);
        }
        assert!(s.get(1).is_some());
        assert_eq!(made.load(Ordering::Relaxed), 3);
    }

    #[test]
    fn cached_views_are_taken_when_first_used_and_only_made_ones_are_handed_back() {
        let old: Arc<Summary> = Arc::new((tera::Value::from("old"), "kept".into()));
        let asked = AtomicUsize::new(0);
        let cached = |i: usize| {
            asked.fetch_add(1, Ordering::Relaxed);
            (i == 0).then(|| old.clone())
        };
        let s = Summaries::new(3, &cached);
        assert_eq!(asked.load(Ordering::Relaxed), 0, "nothing asked up front");
        let make = || (tera::Value::from("new"), "made".to_string());
        assert_eq!(s.use_or_make(0, make).1, "kept");
        assert_eq!(s.use_or_make(1, make).1, "made");
        s.use_or_make(1, make);
        assert_eq!(asked.load(Ordering::Relaxed), 2, "each slot asked once");
        let made = s.made();
        assert_eq!(made.len(), 1, "only post 1 was made here");
        assert_eq!(made[0].0, 1);
    }
}
