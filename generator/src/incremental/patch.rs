//! Patching the kept site after a few files changed (serve and watch).

use super::*;

/// What [`Engine::patch`] made of the kept site.
pub(super) enum Patch {
    Done,
    No,
    Spoilt,
}

/// The walk's stem of a source (`content/posts/a.md` → `posts/a`).
fn stem_of(source: &str) -> String {
    source
        .trim_start_matches("content/")
        .trim_end_matches(".md")
        .trim_end_matches("/index")
        .to_string()
}

/// Where an entry is in memory: the predicates of a patch tell the edited
/// entries by address, without reading the entry. They are asked for
/// every entry, and hashing (then comparing) 100 000 sources was most of
/// a patch.
fn address(e: &Entry) -> usize {
    e as *const Entry as usize
}

/// The addresses of the `at` entries of `site`, sorted.
fn addresses(site: &Site, at: &[(Kind, usize)]) -> Vec<usize> {
    let c = &site.content;
    let mut v: Vec<usize> = (at.iter())
        .map(|&(k, i)| match k {
            Kind::Post => address(&c.posts[i]),
            Kind::Page => address(&c.pages[i]),
        })
        .collect();
    v.sort_unstable();
    v
}

impl Engine {
    /// Applies edits of existing entries to the kept site. `No` leaves the
    /// site as it was; `Spoilt` means it was changed but cannot be used.
    pub(super) fn patch(
        &mut self,
        site: &mut Site,
        root: &Path,
        opts: &BuildOptions,
        paths: &[PathBuf],
    ) -> Patch {
        let now = opts.now.unwrap_or_else(jiff::Timestamp::now);
        // A scheduled post came due: the set of posts changes, load it all.
        if !opts.drafts && site.content.scheduled.iter().any(|s| s.2.ts <= now) {
            return Patch::No;
        }
        let Some(known) = &self.kept.known else {
            return Patch::No;
        };
        // First parse every changed file; nothing is touched unless all fit.
        let mut edits: Vec<(Kind, usize, Entry, u64)> = Vec::new();
        // Whether an edit moves a post in the date order or its terms:
        // re-sorting and re-indexing 100 000 posts took most of a
        // body-only edit's patch.
        let mut reorder = false;
        let mut seen = HashSet::new();
        for p in paths {
            let source = rel_path(root, p);
            if !seen.insert(source.clone()) {
                continue;
            }
            if !source.starts_with("content/") || !source.ends_with(".md") {
                return Patch::No;
            }
            let Some((kind, i)) = self.kept.index.find(site, &source) else {
                return Patch::No;
            };
            let old = match kind {
                Kind::Post => &site.content.posts[i],
                Kind::Page => &site.content.pages[i],
            };
            let f = Found {
                kind,
                src: p.clone(),
                source: source.clone(),
                stem: stem_of(&old.source),
                bundle: old.source.ends_with("/index.md"),
                meta: None,
            };
            let Some(stamp) = found_stamp(&f, site.config.slug_mode()) else {
                return Patch::No;
            };
            let Ok(text) = std::fs::read_to_string(p) else {
                return Patch::No;
            };
            let Ok(mut e) = crate::content::parse_entry(
                source,
                kind,
                &f.stem,
                f.bundle,
                &text,
                site.config.slug_mode(),
            ) else {
                return Patch::No;
            };
            if !crate::content::published(&e, opts.drafts, now)
                || e.path != old.path
                || e.aliases != old.aliases
            {
                return Patch::No;
            }
            e.assets = old.assets.clone();
            reorder |= kind == Kind::Post
                && (e.date != old.date || e.tags != old.tags || e.categories != old.categories);
            edits.push((kind, i, e, stamp));
        }
        site.now = now;
        if edits.is_empty() {
            // Only the clock or the conversation moved (a comment arrived).
            self.kept.order_kept = true;
            self.kept.touched = Some(Vec::new());
            return Patch::Done;
        }
        let touched: Vec<(Kind, usize)> = edits.iter().map(|(k, i, ..)| (*k, *i)).collect();
        let sources: Vec<String> = edits.iter().map(|(.., e, _)| e.source.clone()).collect();
        for (kind, i, e, stamp) in edits {
            (self.entries.stamps).insert(entries::source_id(&e.source), stamp);
            match kind {
                Kind::Post => site.content.posts[i] = e,
                Kind::Page => site.content.pages[i] = e,
            }
        }
        let at = addresses(site, &touched);
        site.render_markdown_where(|e| at.binary_search(&address(e)).is_ok());
        let at = if reorder {
            // The order of a fresh load.
            crate::content::sort_posts(&mut site.content.posts);
            site.reindex_terms();
            let moved: Vec<(Kind, usize)> = (sources.iter())
                .filter_map(|s| self.kept.index.find(site, s))
                .collect();
            addresses(site, &moved)
        } else {
            at
        };
        // Paths did not change, so only the edited entries' links can break.
        let edited = |e: &Entry| at.binary_search(&address(e)).is_ok();
        if !site.check_links_where(known, edited).is_empty() {
            return Patch::Spoilt;
        }
        self.kept.order_kept = !reorder;
        self.kept.touched = (!reorder).then_some(touched);
        Patch::Done
    }
}
