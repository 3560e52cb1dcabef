//! Where each entry of the kept site is, by source path. A patch looked
//! for each edited file among 100 000 entries, one string at a time.

use std::collections::HashMap;

use crate::content::Kind;
use crate::site::Site;

/// Hash of a source path → kind and index, as of the last time it was
/// made (hashes, not copies of 100 000 paths: made at the first edit).
#[derive(Default)]
pub(super) struct EntryIndex {
    at: HashMap<u64, (Kind, usize)>,
}

fn hash(source: &str) -> u64 {
    crate::hash::Fp::new().str(source).finish()
}

impl EntryIndex {
    /// Indexes every entry of `site`. A resident engine does it after a
    /// build that loaded the site, rather than at the first edit (where,
    /// with the allocator's first sweep after the build's frees, it was
    /// most of a 100 ms edit at 100 000 posts).
    pub(super) fn make(&mut self, site: &Site) {
        let c = &site.content;
        let posts = c.posts.iter().enumerate().map(|(i, e)| (Kind::Post, i, e));
        let pages = c.pages.iter().enumerate().map(|(i, e)| (Kind::Page, i, e));
        self.at = (posts.chain(pages))
            .map(|(k, i, e)| (hash(&e.source), (k, i)))
            .collect();
    }

    /// Where the entry of `source` is in `site`. The index is trusted only
    /// when the entry it names has that source; else (a reorder, another
    /// site, a new file) it is made again from `site`.
    pub(super) fn find(&mut self, site: &Site, source: &str) -> Option<(Kind, usize)> {
        let c = &site.content;
        let holds = |(k, i): (Kind, usize)| {
            let list = if k == Kind::Post { &c.posts } else { &c.pages };
            list.get(i).is_some_and(|e| e.source == source)
        };
        if let Some(&at) = self.at.get(&hash(source))
            && holds(at)
        {
            return Some(at);
        }
        self.make(site);
        // Two paths of one hash: the other one is not found (a full load).
        self.at.get(&hash(source)).copied().filter(|&at| holds(at))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::site::BuildOptions;

    #[test]
    fn a_stale_index_is_made_again_never_trusted() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::write(
            root.join("causerie.toml"),
            "title = \"T\"\nbase_url = \"https://e.example/\"\n",
        )
        .unwrap();
        std::fs::create_dir_all(root.join("content/posts")).unwrap();
        for (n, day) in [("a", 1), ("b", 2)] {
            std::fs::write(
                root.join(format!("content/posts/{n}.md")),
                format!("+++\ntitle = \"{n}\"\ndate = 2024-01-0{day}T00:00:00Z\n+++\nbody\n"),
            )
            .unwrap();
        }
        std::fs::write(
            root.join("content/about.md"),
            "+++\ntitle = \"About\"\n+++\nhi\n",
        )
        .unwrap();
        let (mut site, errors) = Site::load(root, &BuildOptions::default()).unwrap();
        assert!(errors.is_empty(), "{errors:?}");
        let mut index = EntryIndex::default();
        let at = |site: &Site, s: &str| {
            let c = &site.content;
            (c.posts.iter().position(|e| e.source == s)).map(|i| (Kind::Post, i))
        };
        let a = "content/posts/a.md";
        assert_eq!(index.find(&site, a), at(&site, a));
        assert_eq!(index.find(&site, "content/about.md"), Some((Kind::Page, 0)));
        // The posts change places: the index must follow, not point at b.
        site.content.posts.reverse();
        assert_eq!(index.find(&site, a), at(&site, a));
        assert_eq!(index.find(&site, "content/posts/new.md"), None);
    }
}
