//! Loading the site through the caches: parsed entries, rendered markdown, and the HTML a render needs.

use super::*;

impl Engine {
    /// Loads the site, taking unchanged entries from the last build.
    pub(super) fn load(
        &mut self,
        root: &Path,
        opts: &BuildOptions,
    ) -> Result<(Site, Vec<Diagnostic>)> {
        self.reused.clear();
        // Read before the site loads: the stamps that decide reuse need it.
        let slugs = std::fs::read_to_string(root.join(crate::config::FILE))
            .ok()
            .and_then(|t| crate::config::Config::parse(crate::config::FILE, &t).ok())
            .map(|c| c.slug_mode())
            .unwrap_or_default();
        if self.entries.is_empty() {
            // Nothing to reuse; still note the stamps for the next build.
            let stamps: Mutex<HashMap<String, u64>> = Mutex::new(HashMap::new());
            let note = |f: &Found| -> Option<Entry> {
                let stamp = found_stamp(f, slugs)?;
                stamps.lock().ok()?.insert(rel_path(root, &f.src), stamp);
                None
            };
            // With no markdown cached either (a cold build), render while
            // reading: peak memory then holds the HTML, never all sources;
            // `causerie build` also moves each HTML to the log at once.
            let loaded = if self.markdown.is_empty() {
                let spill = self.spill_for(root, opts);
                let then = spill.as_ref().map(|(s, base, hl)| {
                    move |e: &mut Entry| s.put(markdown_key(e, base, *hl), &mut e.rendered)
                });
                let then = then.as_ref().map(|f| f as &(dyn Fn(&mut Entry) + Sync));
                let loaded = Site::load_reusing_rendered(root, opts, &note, then);
                if let Some((s, _, _)) = spill {
                    match s.finish() {
                        Some((blob, frames, log)) => {
                            self.blob = blob;
                            self.lazy = frames.into_iter().collect();
                            self.spilled = Some(log);
                        }
                        None => {
                            self.damaged = true;
                            return Err(Error::Other(
                                "the build cache in .causerie/ could not be written".into(),
                            ));
                        }
                    }
                }
                loaded
            } else {
                Site::load_reusing(root, opts, &note)
            }
            .map_err(Error::Content);
            self.stamps = stamps.into_inner().unwrap_or_default();
            return loaded;
        }
        let pool = Mutex::new(std::mem::take(&mut self.entries));
        let stamps: Mutex<HashMap<String, u64>> = Mutex::new(HashMap::new());
        let reused = Mutex::new(HashSet::new());
        let reuse = |f: &Found| -> Option<Entry> {
            let stamp = found_stamp(f, slugs)?;
            let source = rel_path(root, &f.src);
            stamps.lock().ok()?.insert(source.clone(), stamp);
            let hit = match pool.lock().ok()?.remove(&source) {
                Some((s, e)) if s == stamp => Some(e),
                _ => None,
            };
            if hit.is_some() {
                reused.lock().ok()?.insert(source);
            }
            hit
        };
        let loaded = Site::load_reusing(root, opts, &reuse).map_err(Error::Content);
        self.stamps = stamps.into_inner().unwrap_or_default();
        let (site, errors) = loaded?;
        // A reused entry has no body: if its markdown is not cached (the
        // config changed how markdown renders), read everything again.
        let reused = reused.into_inner().unwrap_or_default();
        let base = site.config.base_path().to_string();
        let hl = site.config.highlight;
        let complete = site
            .content
            .posts
            .iter()
            .chain(site.content.pages.iter())
            .filter(|e| reused.contains(&e.source))
            .all(|e| self.markdown.contains_key(&markdown_key(e, &base, hl)));
        if complete {
            self.reused = reused;
            Ok((site, errors))
        } else {
            self.stamps.clear();
            Site::load(root, opts).map_err(Error::Content)
        }
    }

    /// A spill for a cold `causerie build`, with the base path and
    /// highlighting its markdown keys take (as the site will have them).
    fn spill_for(&self, root: &Path, opts: &BuildOptions) -> Option<(spill::Spill, String, bool)> {
        if !self.one_shot || self.no_spill {
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

    /// Keeps this build's entries (without body, markdown or assets) for
    /// the next build.
    pub(super) fn keep_entries(&mut self, site: &mut Site) {
        self.entries.clear();
        let posts = std::mem::take(&mut site.content.posts);
        let pages = std::mem::take(&mut site.content.pages);
        let stamps = std::mem::take(&mut self.stamps);
        for mut e in posts.into_iter().chain(pages) {
            // The stamp taken just before the file was read.
            if let Some(&stamp) = stamps.get(&e.source) {
                e.body = String::new();
                e.assets.clear();
                self.entries.insert(e.source.clone(), (stamp, e));
            }
        }
    }

    /// Fills every entry's rendered markdown from the cache, rendering the misses.
    pub(super) fn markdown_in(&mut self, site: &mut Site) {
        let base = site.config.base_path().to_string();
        let hl = site.config.highlight;
        let mut hits = HashSet::new();
        for e in site
            .content
            .posts
            .iter_mut()
            .chain(site.content.pages.iter_mut())
        {
            let k = markdown_key(e, &base, hl);
            if let Some(r) = self.markdown.remove(&k) {
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
    pub(super) fn markdown_out(&mut self, site: &mut Site) {
        let base = site.config.base_path().to_string();
        let hl = site.config.highlight;
        self.markdown.clear();
        for e in site
            .content
            .posts
            .iter_mut()
            .chain(site.content.pages.iter_mut())
        {
            self.markdown
                .insert(markdown_key(e, &base, hl), std::mem::take(&mut e.rendered));
        }
    }

    /// Loads from the disk log the HTML of the entries the given jobs show
    /// (every entry when `all`): pages show their entry, feeds the entries
    /// they list; list pages and the rest use summaries only. A job this
    /// engine does not know gets every entry. False when a body's HTML in
    /// the log is damaged.
    pub(super) fn fill_html(&self, site: &mut Site, all: bool, jobs: &[&Job]) -> bool {
        let c = &site.content;
        let limit = site.config.feed_limit;
        let mut posts: HashSet<usize> = HashSet::new();
        let mut pages: HashSet<usize> = HashSet::new();
        let mut everything = all;
        for job in jobs {
            match job {
                Job::Post(i) => {
                    posts.insert(*i);
                }
                Job::Page(i) => {
                    pages.insert(*i);
                }
                Job::SiteFeeds => posts.extend(0..c.posts.len().min(limit)),
                Job::ApObject(i) => {
                    posts.insert(*i);
                }
                Job::ApOutbox => posts.extend(0..c.posts.len()),
                Job::TermFeeds(tax, t) => {
                    posts.extend(site.terms(*tax)[*t].posts.iter().take(limit).copied())
                }
                Job::Index(_)
                | Job::Terms(_)
                | Job::Term(..)
                | Job::CommentsFeed(_)
                | Job::SiteCommentsFeed
                | Job::Aliases(..)
                | Job::Assets(..)
                | Job::Sitemap
                | Job::Robots
                | Job::NotFound
                | Job::Manifest
                | Job::RedirectMap
                | Job::ThemeStatic
                | Job::Files
                | Job::ApActor => {}
                #[allow(unreachable_patterns)]
                _ => everything = true,
            }
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
            if everything || posts.contains(&i) {
                ok &= fill(e);
            }
        }
        for (i, e) in site.content.pages.iter_mut().enumerate() {
            if everything || pages.contains(&i) {
                ok &= fill(e);
            }
        }
        ok
    }
}
