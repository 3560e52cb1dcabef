//! The list views of posts, made on first use and shared by every job that
//! shows them. A one-shot full build also frees each one after its last
//! use (its post page, its index page, its term pages): kept to the end,
//! the list views of 100 000 posts were half a gigabyte.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use super::Summary;

/// One post's list view, and how many uses are left before it is freed.
struct Slot {
    made: Mutex<Option<Arc<Summary>>>,
    /// `usize::MAX`: never freed.
    uses: AtomicUsize,
}

pub(super) struct Summaries {
    slots: Vec<Slot>,
}

impl Summaries {
    /// Slots for `n` posts, filled from `cached` where it has one.
    pub(super) fn new(
        n: usize,
        cached: &(dyn Fn(usize) -> Option<Arc<Summary>> + Sync),
    ) -> Summaries {
        Summaries {
            slots: (0..n)
                .map(|i| Slot {
                    made: Mutex::new(cached(i)),
                    uses: AtomicUsize::new(usize::MAX),
                })
                .collect(),
        }
    }

    /// Frees post `i`'s view after `uses[i]` more uses (made again if a
    /// use was miscounted: slower, never wrong).
    pub(super) fn free_after(&mut self, uses: &[usize]) {
        for (slot, n) in self.slots.iter_mut().zip(uses) {
            *slot.uses.get_mut() = *n;
        }
    }

    /// Post `i`'s view, made by `make` if there is none.
    pub(super) fn use_or_make(&self, i: usize, make: impl FnOnce() -> Summary) -> Arc<Summary> {
        let slot = &self.slots[i];
        let mut made = slot.made.lock().unwrap_or_else(|e| e.into_inner());
        let s = made.get_or_insert_with(|| Arc::new(make())).clone();
        let left = slot.uses.load(Ordering::Relaxed);
        if left != usize::MAX {
            slot.uses.store(left.saturating_sub(1), Ordering::Relaxed);
            if left <= 1 {
                *made = None;
            }
        }
        s
    }

    /// Post `i`'s view if a job made it (to keep for the next build).
    pub(super) fn get(&self, i: usize) -> Option<Arc<Summary>> {
        let made = self.slots[i].made.lock().unwrap_or_else(|e| e.into_inner());
        made.clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_view_is_freed_after_its_last_counted_use_and_made_again_if_needed() {
        let made = AtomicUsize::new(0);
        let make = || {
            made.fetch_add(1, Ordering::Relaxed);
            (tera::Value::from("view"), "description".to_string())
        };
        let mut s = Summaries::new(2, &|_| None);
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
}
