//! The markdown cache: every entry's rendered markdown by
//! [`markdown_key`], and the markdown log on disk that bodies loaded from
//! `.causerie/` read their HTML from when a job needs it.

use super::*;
use crate::render::inputs::Inputs;

/// Rendered markdown of the last build, and the log it came from.
#[derive(Default)]
pub(super) struct MarkdownCache {
    /// Markdown cache key → rendered body.
    pub(super) bodies: crate::hash::FpMap<u64, RenderedBody>,
    /// The markdown log as loaded from disk, and where each body's HTML is
    /// in it: bodies from disk carry empty HTML until a job needs it.
    pub(super) blob: std::sync::Arc<disk::Blob>,
    /// Where bodies loaded from disk read their briefs (its damage counts).
    pub(super) briefs: Option<std::sync::Arc<disk::LogBriefs>>,
    pub(super) lazy: crate::hash::FpMap<u64, disk::Lazy>,
    /// A body's HTML in the log failed its checksum during this build.
    pub(super) damaged: bool,
    /// The markdown log a cold one-shot build wrote while loading
    /// ([`spill`]), to be moved in place by [`disk::save`].
    pub(super) spilled: Option<disk::LogState>,
    /// Keep the HTML in memory (a spill failed; this build starts over).
    pub(super) no_spill: bool,
}

impl MarkdownCache {
    /// Whether the rendered markdown of `e` is cached.
    pub(super) fn has(&self, e: &Entry, base: &str, highlight: bool) -> bool {
        self.bodies.contains_key(&markdown_key(e, base, highlight))
    }

    /// Whether a body's HTML or brief read from the log was damaged.
    pub(super) fn is_damaged(&self) -> bool {
        self.damaged || self.briefs.as_ref().is_some_and(|b| b.damaged())
    }

    /// Drops every body (they cannot be trusted any more).
    pub(super) fn clear_bodies(&mut self) {
        self.bodies.clear();
    }

    /// A spill for a cold `causerie build` (`one_shot`), with the base path
    /// and highlighting its markdown keys take (as the site will have them).
    pub(super) fn spill_for(
        &self,
        one_shot: bool,
        root: &Path,
        opts: &BuildOptions,
    ) -> Option<(spill::Spill, String, bool)> {
        if !one_shot || self.no_spill {
            return None;
        }
        let text = std::fs::read_to_string(root.join(crate::config::FILE)).ok()?;
        let mut config = crate::config::Config::parse(crate::config::FILE, &text).ok()?;
        if let Some(url) = &opts.base_url {
            config.set_base_url(url).ok()?;
        }
        let spill = spill::Spill::create(root)?;
        Some((spill, config.base_path().to_string(), config.highlight))
    }

    /// Reads the HTML back from a finished spill.
    pub(super) fn finish_spill(&mut self, s: spill::Spill) -> Result<()> {
        match s.finish() {
            Some((blob, frames, log)) => {
                self.blob = std::sync::Arc::new(blob);
                self.lazy = frames.into_iter().collect();
                self.spilled = Some(log);
                Ok(())
            }
            None => {
                self.damaged = true;
                Err(Error::Other(
                    "the build cache in .causerie/ could not be written".into(),
                ))
            }
        }
    }

    /// Fills every entry's rendered markdown from the cache, rendering the misses.
    pub(super) fn fill(&mut self, site: &mut Site) {
        let base = site.config.base_path().to_string();
        let hl = site.config.highlight;
        let mut hits = crate::hash::FpSet::default();
        for e in site
            .content
            .posts
            .iter_mut()
            .chain(site.content.pages.iter_mut())
        {
            let k = markdown_key(e, &base, hl);
            if let Some(r) = self.bodies.remove(&k) {
                e.rendered = r;
                e.body = String::new();
                hits.insert(k);
            }
        }
        // Entries rendered while loading have no body left: skip them.
        site.render_markdown_where(|e| {
            !e.body.is_empty() && !hits.contains(&markdown_key(e, &base, hl))
        });
    }

    /// Moves the rendered markdown of this build's entries into the cache
    /// (and drops entries that are gone).
    pub(super) fn take_from(&mut self, site: &mut Site, one_shot: bool) {
        let base = site.config.base_path().to_string();
        let hl = site.config.highlight;
        let n = site.content.posts.len() + site.content.pages.len();
        let old = std::mem::replace(
            &mut self.bodies,
            crate::hash::FpMap::with_capacity_and_hasher(n, Default::default()),
        );
        if one_shot {
            // The process ends soon: freeing 100 000 bodies one by one is
            // wasted work the exit does for free.
            std::mem::forget(old);
        }
        for e in site
            .content
            .posts
            .iter_mut()
            .chain(site.content.pages.iter_mut())
        {
            self.bodies
                .insert(markdown_key(e, &base, hl), std::mem::take(&mut e.rendered));
        }
    }

    /// Loads from the log the HTML that `plan`'s jobs show before they
    /// render.
    pub(super) fn fill_for(&mut self, site: &mut Site, plan: &Plan) -> Result<()> {
        if self.lazy.is_empty() {
            return Ok(());
        }
        // A full build's pages read their HTML from the log one by one
        // (all of it at once was most of a 100 000-post build's
        // memory); feeds and a partial build's jobs get it here.
        let mut needed: Vec<&Job> = Vec::new();
        if !plan.full {
            needed.extend(plan.dirty.iter().map(|&k| &plan.jobs[k]));
        }
        if plan.full || verify::enabled() {
            needed.extend((plan.jobs.iter()).filter(|j| !matches!(j, Job::Post(_) | Job::Page(_))));
        }
        if !self.fill_html(site, false, &needed) {
            self.damaged = true;
            return Err(Error::Other(
                "the build cache in .causerie/ is damaged".into(),
            ));
        }
        Ok(())
    }

    /// Where the render of `site` reads each entry's HTML from: the log
    /// for the bodies loaded lazily (`damaged` is set if one fails its
    /// checksum), nothing (empty) for those whose HTML is in memory.
    pub(super) fn source<'a>(
        &'a self,
        site: &'a Site,
        damaged: &'a AtomicBool,
    ) -> impl Fn(&Entry) -> Option<String> + Sync + 'a {
        let (base, hl) = (site.config.base_path(), site.config.highlight);
        move |e: &Entry| match self.lazy.get(&markdown_key(e, base, hl)) {
            Some(l) => {
                let h = disk::html(&self.blob, l);
                if h.is_none() {
                    damaged.store(true, Ordering::Relaxed);
                }
                h
            }
            None => Some(String::new()),
        }
    }

    /// Loads from the disk log the HTML of the entries the given jobs show
    /// (every entry when `all`): which ones is what each job's
    /// [`Inputs::bodies`] says, the inputs its render takes. False when a
    /// body's HTML in the log is damaged.
    fn fill_html(&self, site: &mut Site, all: bool, jobs: &[&Job]) -> bool {
        let mut posts: HashSet<usize> = HashSet::new();
        let mut pages: HashSet<usize> = HashSet::new();
        for job in jobs {
            Inputs::of(site, job).bodies(&mut |kind, i| {
                match kind {
                    Kind::Post => posts.insert(i),
                    Kind::Page => pages.insert(i),
                };
            });
        }
        let base = site.config.base_path().to_string();
        let hl = site.config.highlight;
        let fill = |e: &mut Entry| -> bool {
            if e.rendered.html.is_empty()
                && let Some(l) = self.lazy.get(&markdown_key(e, &base, hl))
            {
                match disk::html(&self.blob, l) {
                    Some(h) => e.rendered.html = h,
                    None => return false,
                }
            }
            true
        };
        let mut ok = true;
        for (i, e) in site.content.posts.iter_mut().enumerate() {
            if all || posts.contains(&i) {
                ok &= fill(e);
            }
        }
        for (i, e) in site.content.pages.iter_mut().enumerate() {
            if all || pages.contains(&i) {
                ok &= fill(e);
            }
        }
        ok
    }
}
