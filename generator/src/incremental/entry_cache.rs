//! The parsed-entry cache: the entries of the last build by source path,
//! each with the stamp of the file it came from, so that an unchanged file
//! is not read and parsed again; and what the link check knows of them.

use super::*;

/// Parsed entries of the last build, and the stamps of this one.
#[derive(Default)]
pub(super) struct EntryCache {
    /// Parsed entries of the last build by source path, with the stamp
    /// (size, mtime, place in the tree) of the file they came from; an
    /// unchanged file is not read again. Bodies and markdown are not kept
    /// here (the markdown cache has the rendering).
    pub(super) parsed: entries::Entries,
    /// Stamps of the files the current build read, by
    /// [`entries::source_id`] of their source path.
    pub(super) stamps: crate::hash::FpMap<u64, u64>,
    /// Hash of the site paths of the last build that passed the link check
    /// (see [`Site::known_paths_hash`]): while they stay the same, only entries not
    /// reused unchanged from that build can have broken links.
    pub(super) links_ok: Option<u64>,
    /// Sources (by [`entries::source_id`]) of the entries this build took
    /// from the last one unchanged.
    pub(super) reused: crate::hash::FpSet<u64>,
    /// What `.causerie/build-entries.bin` holds (`causerie build` only).
    pub(super) file: Option<entry_file::Saved>,
}

impl EntryCache {
    /// Forgets the entries of these files, whatever their stamps say.
    pub(super) fn forget(&mut self, root: &Path, paths: &[PathBuf]) {
        for p in paths {
            self.parsed.remove(&rel_path(root, p));
        }
    }

    /// Forgets every parsed entry.
    pub(super) fn clear_parsed(&mut self) {
        self.parsed.clear();
    }

    /// Keeps this build's entries (without body, markdown or assets) for
    /// the next build.
    pub(super) fn keep(&mut self, site: &mut Site) {
        // Sized once: growing moved every (large) entry again and again.
        let n = site.content.posts.len() + site.content.pages.len();
        self.parsed = entries::Entries::with_capacity(n);
        let posts = std::mem::take(&mut site.content.posts);
        let pages = std::mem::take(&mut site.content.pages);
        let stamps = std::mem::take(&mut self.stamps);
        for mut e in posts.into_iter().chain(pages) {
            // The stamp taken just before the file was read.
            if let Some(&stamp) = stamps.get(&entries::source_id(&e.source)) {
                e.body = String::new();
                e.assets.clear();
                self.parsed.insert(e.source.clone(), (stamp, e));
            }
        }
    }

    /// Checks the links of `site` into `errors`, skipping the entries that
    /// the last clean check already passed. `known`: the site's
    /// [`Site::known_paths`] when the caller keeps them anyway (a resident
    /// engine); else the few entries to check look their targets up alone.
    pub(super) fn check_links(
        &mut self,
        site: &Site,
        known: Option<&HashSet<String>>,
        errors: &mut Vec<Diagnostic>,
    ) {
        // A reused entry is the file that build read, and checked.
        let fresh = |e: &Entry| !self.reused.contains(&entries::source_id(&e.source));
        let entries = site.content.posts.len() + site.content.pages.len();
        // Looking links up one by one pays while they are few (drafts are
        // reused too, so this count is a lower bound).
        let few = self.links_ok.is_some()
            && entries.saturating_sub(self.reused.len()) <= 1 + entries / 16;
        let (kh, checked) = if few {
            site.check_few_links(fresh)
        } else {
            (site.known_paths_hash(), Vec::new())
        };
        let found = match (self.links_ok == Some(kh), known) {
            (true, _) if few => checked,
            (true, Some(known)) => site.check_links_where(known, fresh),
            (false, Some(known)) => site.check_links_where(known, |_| true),
            (true, None) => site.check_links_where(&site.known_paths(), fresh),
            (false, None) => site.check_links(),
        };
        errors.extend(found);
        self.links_ok = errors.is_empty().then_some(kh);
    }
}
