//! Loading the site through the caches: parsed entries and rendered markdown.

use super::*;

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
            let stamps: Mutex<HashMap<String, u64>> = Mutex::new(HashMap::new());
            let note = |f: &Found| -> Option<Entry> {
                let stamp = found_stamp(f, slugs)?;
                stamps.lock().ok()?.insert(rel_path(root, &f.src), stamp);
                None
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
                let loaded = Site::load_reusing_rendered(root, opts, &note, then);
                if let Some((s, _, _)) = spill {
                    self.markdown.finish_spill(s)?;
                }
                loaded
            } else {
                Site::load_reusing(root, opts, &note)
            }
            .map_err(Error::Content);
            self.entries.stamps = stamps.into_inner().unwrap_or_default();
            return loaded;
        }
        let n = self.entries.parsed.len();
        let pool = Mutex::new(std::mem::take(&mut self.entries.parsed));
        let stamps: Mutex<HashMap<String, u64>> = Mutex::new(HashMap::with_capacity(n));
        let reused = Mutex::new(HashSet::with_capacity(n));
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
        self.entries.stamps = stamps.into_inner().unwrap_or_default();
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
            .all(|e| self.markdown.has(e, &base, hl));
        if complete {
            self.entries.reused = reused;
            Ok((site, errors))
        } else {
            self.entries.stamps.clear();
            Site::load(root, opts).map_err(Error::Content)
        }
    }
}
