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
            let found = |list: &[Entry]| list.iter().position(|e| e.source == source);
            let (kind, i) = match (found(&site.content.posts), found(&site.content.pages)) {
                (Some(i), _) => (Kind::Post, i),
                (None, Some(i)) => (Kind::Page, i),
                _ => return Patch::No,
            };
            let old = match kind {
                Kind::Post => &site.content.posts[i],
                Kind::Page => &site.content.pages[i],
            };
            let f = Found {
                kind,
                src: p.clone(),
                stem: stem_of(&old.source),
                bundle: old.source.ends_with("/index.md"),
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
        // Sorted, not a hash set: the predicates below are asked for every
        // entry, and hashing 100 000 sources twice was most of a patch.
        let mut sources: Vec<String> = Vec::with_capacity(edits.len());
        let touched = edits.iter().map(|(k, i, ..)| (*k, *i)).collect();
        for (kind, i, e, stamp) in edits {
            self.entries.stamps.insert(e.source.clone(), stamp);
            sources.push(e.source.clone());
            match kind {
                Kind::Post => site.content.posts[i] = e,
                Kind::Page => site.content.pages[i] = e,
            }
        }
        sources.sort_unstable();
        let edited = |e: &Entry| sources.binary_search(&e.source).is_ok();
        site.render_markdown_where(edited);
        if reorder {
            // The order of a fresh load.
            crate::content::sort_posts(&mut site.content.posts);
            site.reindex_terms();
        }
        // Paths did not change, so only the edited entries' links can break.
        if !site.check_links_where(known, edited).is_empty() {
            return Patch::Spoilt;
        }
        self.kept.order_kept = !reorder;
        self.kept.touched = (!reorder).then_some(touched);
        Patch::Done
    }
}
