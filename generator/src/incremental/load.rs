//! Loading the site through the caches: parsed entries and rendered markdown.

use super::entries::source_id;
use super::entry_pool::Place;
use super::*;
use crate::hash::{FpMap, FpSet};
use rayon::prelude::*;

impl Engine {
    /// Loads the site, taking unchanged entries from the last build.
    pub(super) fn load(
        &mut self,
        root: &Path,
        opts: &BuildOptions,
    ) -> Result<(Site, Vec<Diagnostic>)> {
        self.entries.reused.clear();
        // Read before the site loads: the stamps that decide reuse need it.
        let slugs = std::fs::read_to_string(root.join(crate::config::FILE))
            .ok()
            .and_then(|t| crate::config::Config::parse(crate::config::FILE, &t).ok())
            .map(|c| c.slug_mode())
            .unwrap_or_default();
        if self.entries.parsed.is_empty() {
            // Nothing to reuse; still note the stamps for the next build.
            let stamps: Mutex<FpMap<u64, u64>> = Mutex::default();
            let note = |found: &[Found]| -> Vec<Option<Entry>> {
                let noted = (found.par_iter())
                    .filter_map(|f| Some((source_id(&f.source), found_stamp(f, slugs)?)));
                if let Ok(mut s) = stamps.lock() {
                    s.par_extend(noted);
                }
                Vec::new()
            };
            // With no markdown cached either (a cold build), render while
            // reading: peak memory then holds the HTML, never all sources;
            // `causerie build` also moves each HTML to the log at once.
            let loaded = if self.markdown.bodies.is_empty() {
                let spill = self.markdown.spill_for(self.one_shot, root, opts);
                let then = spill.as_ref().map(|(s, base, hl)| {
                    move |e: &mut Entry| s.put(markdown_key(e, base, *hl), &mut e.rendered)
                });
                let then = then.as_ref().map(|f| f as &(dyn Fn(&mut Entry) + Sync));
                let loaded =
                    Site::load_reusing_rendered(root, opts, &note, then, self.walked.take());
                if let Some((s, _, _)) = spill {
                    self.markdown.finish_spill(s)?;
                }
                loaded
            } else {
                Site::load_reusing(root, opts, &note, self.walked.take())
            }
            .map_err(Error::Content);
            self.entries.stamps = stamps.into_inner().unwrap_or_default();
            return loaded;
        }
        let n = self.entries.parsed.len();
        // One lock, taken once: the walk's files come all at once.
        let shared = Mutex::new(Shared {
            pool: std::mem::take(&mut self.entries.parsed),
            stamps: FpMap::with_capacity_and_hasher(n, Default::default()),
            reused: FpSet::with_capacity_and_hasher(n, Default::default()),
        });
        // Keyed by source id: no copy of 100 000 paths, twice.
        let reuse = |found: &[Found]| -> Vec<Option<Entry>> {
            let t0 = Instant::now();
            let Ok(mut s) = shared.lock() else {
                return Vec::new();
            };
            // Which entry each file may take, asked of the pool in parallel
            // (a read); then taken in one pass, each moved once.
            let pool = &s.pool;
            let asked: Vec<Option<(u64, u64, Option<Place>)>> = (found.par_iter())
                .map(|f| {
                    let stamp = found_stamp(f, slugs)?;
                    Some((source_id(&f.source), stamp, pool.claim(&f.source, stamp)))
                })
                .collect();
            crate::profile::phase("  asked", t0);
            let s = &mut *s;
            (asked.into_iter())
                .map(|a| {
                    let (id, stamp, place) = a?;
                    s.stamps.insert(id, stamp);
                    let e = s.pool.take(place?)?;
                    s.reused.insert(id);
                    Some(e)
                })
                .collect()
        };
        let loaded =
            Site::load_reusing(root, opts, &reuse, self.walked.take()).map_err(Error::Content);
        let Shared { stamps, reused, .. } = shared.into_inner().unwrap_or_default();
        self.entries.stamps = stamps;
        let (site, errors) = loaded?;
        let t = Instant::now();
        // A reused entry has no body: if its markdown is not cached (the
        // config changed how markdown renders), read everything again.
        let base = site.config.base_path().to_string();
        let hl = site.config.highlight;
        let cached =
            |e: &Entry| !reused.contains(&source_id(&e.source)) || self.markdown.has(e, &base, hl);
        let complete =
            site.content.posts.par_iter().all(cached) && site.content.pages.par_iter().all(cached);
        phase("  complete", t);
        if complete {
            self.entries.reused = reused;
            Ok((site, errors))
        } else {
            self.entries.stamps.clear();
            Site::load(root, opts).map_err(Error::Content)
        }
    }
}

/// What the walk's threads share while reusing entries.
#[derive(Default)]
struct Shared {
    /// Entries of the last build not claimed yet.
    pool: super::entries::Entries,
    stamps: FpMap<u64, u64>,
    reused: FpSet<u64>,
}
