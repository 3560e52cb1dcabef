//! Re-keying only what an edit touched (a resident engine). Keying all
//! 235 000 jobs of a 100 000-post site took ~100 ms of a one-post edit.
//! After a patch that kept the order of the posts and the terms (patch.rs's
//! `reorder`), the jobs are the same and a job's key can change only if
//! the global key or an entry its [`Inputs`] reads changed; so the engine
//! keeps the last keys, each entry's fingerprint, and which jobs read which
//! entry ([`Inputs::entries`]), and re-keys the jobs of the entries whose
//! fingerprint changed plus those that read more than entries. In verify
//! mode every such build is checked against keying everything.

use super::*;
use crate::render::inputs::Inputs;
use crate::render::listing_fp;
use std::sync::Arc;

/// An edit touching more entries than this keys everything (a sync of the
/// conversation may change every post's fingerprint).
const MOST_CHANGED: usize = 2_000;

/// The keys of the last plan, and which jobs read each entry.
pub(super) struct LastKeys {
    global: u64,
    /// Shared with the plan (copying 235 000 jobs and keys into each plan
    /// cost a few ms); changed in place once the plan is gone.
    jobs: Arc<Vec<Job>>,
    keyed: Arc<Vec<(u64, Option<u64>)>>,
    skeys: Arc<Vec<u64>>,
    posts: Vec<u64>,
    pages: Vec<u64>,
    /// Each post's and page's [`listing_fp`].
    listing: [Vec<u64>; 2],
    readers: Readers,
}

/// Which jobs read each entry, as offsets into one list per kind, and the
/// jobs re-keyed every time.
struct Readers {
    post_at: Vec<u32>,
    post_jobs: Vec<u32>,
    page_at: Vec<u32>,
    page_jobs: Vec<u32>,
    always: Vec<u32>,
    /// Jobs that read only entries and their listings
    /// ([`Inputs::listing`]), and whether they read the clock.
    listing: Vec<(u32, bool)>,
}

impl Readers {
    fn of(site: &Site, jobs: &[Job]) -> Readers {
        let (np, ng) = (site.content.posts.len(), site.content.pages.len());
        let read: Vec<Option<Vec<(Kind, u32)>>> = jobs
            .par_iter()
            .map(|j| {
                let mut v = Vec::new();
                let only = Inputs::of(site, j).entries(&mut |k, i| v.push((k, i as u32)));
                only.then_some(v)
            })
            .collect();
        let mut always = Vec::new();
        let mut listing = Vec::new();
        let (mut post_at, mut page_at) = (vec![0u32; np + 1], vec![0u32; ng + 1]);
        let in_range = |k: Kind, i: u32| (i as usize) < if k == Kind::Post { np } else { ng };
        for (j, r) in read.iter().enumerate() {
            match r {
                None => match Inputs::of(site, &jobs[j]).listing() {
                    Some(clock) => listing.push((j as u32, clock)),
                    None => always.push(j as u32),
                },
                Some(v) => {
                    for &(k, i) in v.iter().filter(|(k, i)| in_range(*k, *i)) {
                        let at = if k == Kind::Post {
                            &mut post_at
                        } else {
                            &mut page_at
                        };
                        at[i as usize + 1] += 1;
                    }
                }
            }
        }
        for at in [&mut post_at, &mut page_at] {
            for n in 1..at.len() {
                at[n] += at[n - 1];
            }
        }
        let mut post_jobs = vec![0u32; post_at[np] as usize];
        let mut page_jobs = vec![0u32; page_at[ng] as usize];
        let (mut post_fill, mut page_fill) = (post_at.clone(), page_at.clone());
        for (j, v) in read.iter().enumerate() {
            for &(k, i) in v.iter().flatten().filter(|(k, i)| in_range(*k, *i)) {
                let (fill, list) = match k {
                    Kind::Post => (&mut post_fill, &mut post_jobs),
                    Kind::Page => (&mut page_fill, &mut page_jobs),
                };
                list[fill[i as usize] as usize] = j as u32;
                fill[i as usize] += 1;
            }
        }
        Readers {
            post_at,
            post_jobs,
            page_at,
            page_jobs,
            always,
            listing,
        }
    }

    fn of_entry(&self, kind: Kind, i: usize) -> &[u32] {
        let (at, list) = match kind {
            Kind::Post => (&self.post_at, &self.post_jobs),
            Kind::Page => (&self.page_at, &self.page_jobs),
        };
        &list[at[i] as usize..at[i + 1] as usize]
    }
}

/// What planning needs: the jobs, their names and keys, each post's
/// summary key.
pub(super) type Keyed = (Arc<Vec<Job>>, Arc<Vec<(u64, Option<u64>)>>, Arc<Vec<u64>>);

/// A re-keyed plan and the jobs it re-keyed: only these can have a key
/// other than the last plan's.
pub(super) type Rekeyed = (Keyed, Vec<u32>);

impl LastKeys {
    /// The entry fingerprints of the last plan: posts, pages.
    pub(super) fn fps(&self) -> (&[u64], &[u64]) {
        (&self.posts, &self.pages)
    }

    /// Remembers the keys of a plan that keyed everything.
    pub(super) fn new(site: &Site, cx: &keys::Ctx<'_>, global: u64, keyed: &Keyed) -> LastKeys {
        LastKeys {
            global,
            jobs: Arc::clone(&keyed.0),
            keyed: Arc::clone(&keyed.1),
            skeys: Arc::clone(&keyed.2),
            posts: cx.posts().to_vec(),
            pages: cx.pages().to_vec(),
            listing: [
                site.content.posts.par_iter().map(listing_fp).collect(),
                site.content.pages.par_iter().map(listing_fp).collect(),
            ],
            readers: Readers::of(site, &keyed.0),
        }
    }

    /// Whether an edited entry's [`listing_fp`] changed (and notes the new
    /// ones).
    fn listing_changed(&mut self, site: &Site, posts: &[usize], pages: &[usize]) -> bool {
        let mut changed = false;
        let c = &site.content;
        for (list, kind) in [(posts, 0), (pages, 1)] {
            for &i in list {
                let e = if kind == 0 { &c.posts[i] } else { &c.pages[i] };
                let now = listing_fp(e);
                changed |= std::mem::replace(&mut self.listing[kind][i], now) != now;
            }
        }
        changed
    }

    /// The keys of `site` after a patch that kept the order, re-keying
    /// only the jobs that read a changed entry; `None` when too much
    /// changed. Updates what it keeps.
    pub(super) fn rekey(&mut self, cx: &keys::Ctx<'_>, global: u64) -> Option<Rekeyed> {
        if global != self.global
            || cx.posts().len() != self.posts.len()
            || cx.pages().len() != self.pages.len()
        {
            return None;
        }
        let changed = |old: &[u64], new: &[u64]| -> Vec<usize> {
            (0..new.len()).filter(|&i| old[i] != new[i]).collect()
        };
        let posts = changed(&self.posts, cx.posts());
        let pages = changed(&self.pages, cx.pages());
        if posts.len() + pages.len() > MOST_CHANGED {
            return None;
        }
        let mut dirty: Vec<u32> = self.readers.always.clone();
        let listed = self.listing_changed(cx.site(), &posts, &pages);
        let clock = cx.site().config.comments.is_some();
        let listing = self.readers.listing.iter();
        dirty.extend(
            listing
                .filter(|(_, c)| listed || (*c && clock))
                .map(|(j, _)| *j),
        );
        for (kind, list) in [(Kind::Post, &posts), (Kind::Page, &pages)] {
            for &i in list {
                dirty.extend_from_slice(self.readers.of_entry(kind, i));
            }
        }
        dirty.sort_unstable();
        dirty.dedup();
        let jobs = &self.jobs;
        let fresh: Vec<Option<u64>> = dirty
            .par_iter()
            .map(|&j| keys::key(cx, &jobs[j as usize]))
            .collect();
        let keyed = Arc::make_mut(&mut self.keyed);
        for (&j, k) in dirty.iter().zip(fresh) {
            keyed[j as usize].1 = k;
        }
        let skeys = Arc::make_mut(&mut self.skeys);
        for &i in &posts {
            skeys[i] = summary_key(global, cx, i);
        }
        for &i in &posts {
            self.posts[i] = cx.posts()[i];
        }
        for &i in &pages {
            self.pages[i] = cx.pages()[i];
        }
        let shared = (self.jobs.clone(), self.keyed.clone(), self.skeys.clone());
        Some((shared, dirty))
    }
}

/// In verify mode: the re-keyed plan must equal keying everything.
pub(super) fn check(got: &Keyed, all: &Keyed) -> Result<()> {
    if got.0 != all.0 {
        return Err(Error::Other("re-keying: the jobs changed".into()));
    }
    if let Some(j) = (0..all.1.len()).find(|&j| got.1[j] != all.1[j]) {
        return Err(Error::Other(format!(
            "re-keying missed the key of {:?}",
            all.0[j]
        )));
    }
    if got.2 != all.2 {
        return Err(Error::Other("re-keying missed a summary key".into()));
    }
    Ok(())
}
