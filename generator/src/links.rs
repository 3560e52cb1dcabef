//! The link check: every internal link of an entry must point at a path
//! the build writes. The paths are listed by one visitor,
//! [`Site::visit_known_paths`], so that the set of them, their hash and a
//! lookup of a few of them all agree. At 100 000 posts the set holds some
//! 335 000 strings; a build that checks only the links of one edited post
//! looks its few targets up while visiting the paths instead of building it.

use rayon::prelude::*;
use std::collections::HashSet;

use crate::content::Entry;
use crate::error::Diagnostic;
use crate::hash::Fp;
use crate::markdown::resolve;
use crate::site::{Site, Taxonomy, pager_path};

impl Site {
    /// Calls `f` with every site path the build writes.
    pub fn visit_known_paths(&self, f: &mut dyn FnMut(&str)) {
        let mut buf = String::new();
        for e in self.content.posts.iter().chain(self.content.pages.iter()) {
            visit_entry_paths(e, f, &mut buf);
        }
        self.visit_other_paths(f);
    }

    /// [`Site::visit_known_paths`] but for those of the entries (see
    /// [`visit_entry_paths`]).
    fn visit_other_paths(&self, f: &mut dyn FnMut(&str)) {
        for p in [
            "/",
            "/feed.xml",
            "/rss.xml",
            "/feed.json",
            "/sitemap.xml",
            "/robots.txt",
            "/404.html",
        ] {
            f(p);
        }
        if self.config.comments.is_some() {
            f(crate::conversation::feed::SITE_FEED);
        }
        // One buffer for the paths made up of parts.
        let mut buf = String::new();
        let mut joined = |f: &mut dyn FnMut(&str), a: &str, b: &str| {
            buf.clear();
            buf.push_str(a);
            buf.push_str(b);
            f(&buf);
        };
        for n in 2..=self.pages_for(self.content.posts.len()) {
            f(&pager_path("/", n));
        }
        for tax in Taxonomy::ALL {
            f(&format!("/{}/", tax.segment()));
            for t in self.terms(tax) {
                let base = t.path(tax);
                for n in 1..=self.pages_for(t.posts.len()) {
                    f(&pager_path(&base, n));
                }
                for feed in ["feed.xml", "rss.xml", "feed.json"] {
                    joined(f, &base, feed);
                }
            }
        }
        for file in &self.content.files {
            joined(f, "/", &file.out);
        }
        for out in self.theme.static_files.keys() {
            joined(f, "/", out);
        }
    }

    /// Every site path the build writes (for the link checker).
    pub fn known_paths(&self) -> HashSet<String> {
        let mut set = HashSet::new();
        self.visit_known_paths(&mut |p| {
            if !set.contains(p) {
                set.insert(p.to_string());
            }
        });
        set
    }

    /// An order-free hash of the known paths, made without collecting
    /// them: while it stays the same, a link that was fine still is.
    pub fn known_paths_hash(&self) -> u64 {
        self.scan_known_paths(HashSet::new()).0
    }

    /// One visit of the known paths: their [`Site::known_paths_hash`], and
    /// which of `wanted` are among them.
    fn scan_known_paths(&self, wanted: HashSet<String>) -> (u64, HashSet<String>) {
        // The hash is a sum, so the entries' paths (most of them) are
        // visited in parallel and their parts added up.
        #[derive(Default)]
        struct Part {
            n: u64,
            sum: u64,
            found: HashSet<String>,
        }
        impl Part {
            fn add(&mut self, p: &str, wanted: &HashSet<String>) {
                self.n += 1;
                self.sum = self.sum.wrapping_add(Fp::new().str(p).finish());
                if !wanted.is_empty() && wanted.contains(p) {
                    self.found.insert(p.to_string());
                }
            }
            fn join(mut self, other: Part) -> Part {
                self.n += other.n;
                self.sum = self.sum.wrapping_add(other.sum);
                self.found.extend(other.found);
                self
            }
        }
        let c = &self.content;
        let entries = (c.posts.par_iter().chain(c.pages.par_iter()))
            .fold(
                || (Part::default(), String::new()),
                |(mut part, mut buf), e| {
                    visit_entry_paths(e, &mut |p| part.add(p, &wanted), &mut buf);
                    (part, buf)
                },
            )
            .map(|(part, _)| part)
            .reduce(Part::default, Part::join);
        let mut rest = Part::default();
        self.visit_other_paths(&mut |p| rest.add(p, &wanted));
        let all = entries.join(rest);
        (all.sum.wrapping_add(all.n), all.found)
    }

    /// Internal links (root-relative or relative) that point at nothing.
    pub fn check_links(&self) -> Vec<Diagnostic> {
        self.check_links_where(&self.known_paths(), |_| true)
    }

    /// [`Site::check_links`] for the entries `pred` selects, against a
    /// [`Site::known_paths`] computed earlier.
    pub fn check_links_where(
        &self,
        known: &HashSet<String>,
        pred: impl Fn(&Entry) -> bool + Sync,
    ) -> Vec<Diagnostic> {
        self.check_links_against(&|p| known.contains(p), pred)
    }

    /// [`Site::check_links`] for the few entries `pred` selects, and the
    /// [`Site::known_paths_hash`], in one visit of the known paths: the
    /// targets of those links are looked up as the paths go by, so no set
    /// of all of them is built.
    pub fn check_few_links(&self, pred: impl Fn(&Entry) -> bool + Sync) -> (u64, Vec<Diagnostic>) {
        let mut wanted: HashSet<String> = HashSet::new();
        let c = &self.content;
        // Asked in parallel: at 100 000 posts `pred` hashes each source.
        let asked: Vec<&Entry> = (c.posts.par_iter().chain(c.pages.par_iter()))
            .filter(|e| pred(e))
            .collect();
        for e in asked {
            for (dest, _) in &e.rendered.brief().links {
                if let Some(target) = internal_target(&e.path, dest) {
                    wanted.extend(candidates(&target));
                }
            }
        }
        let (hash, found) = self.scan_known_paths(wanted);
        (hash, self.check_links_against(&|p| found.contains(p), pred))
    }

    fn check_links_against(
        &self,
        known: &(dyn Fn(&str) -> bool + Sync),
        pred: impl Fn(&Entry) -> bool + Sync,
    ) -> Vec<Diagnostic> {
        // In parallel: at 100 000 posts this was a serial half second.
        let check = |e: &Entry| -> Vec<Diagnostic> {
            let mut errors = Vec::new();
            for (dest, line) in &e.rendered.brief().links {
                let Some(target) = internal_target(&e.path, dest) else {
                    continue;
                };
                if !reaches(&target, known) {
                    errors.push(Diagnostic::new(
                        &e.source,
                        *line,
                        format!("broken link: {dest} (no page or file at {target})"),
                    ));
                }
            }
            errors
        };
        let c = &self.content;
        (c.posts.par_iter().chain(c.pages.par_iter()))
            .filter(|e| pred(e))
            .flat_map_iter(check)
            .collect()
    }
}

/// Calls `f` with the site paths of entry `e` (its page, its comment
/// feed, its assets and aliases); `buf` is scratch space.
fn visit_entry_paths(e: &Entry, f: &mut dyn FnMut(&str), buf: &mut String) {
    f(&e.path);
    for rel in std::iter::once("comments.xml").chain(e.assets.iter().map(|(_, r)| r.as_str())) {
        buf.clear();
        buf.push_str(&e.path);
        buf.push_str(rel);
        f(buf);
    }
    for a in &e.aliases {
        f(a);
    }
}

/// Whether a link to `target` is good: the path itself is known, or the
/// directory it names, or the directory of the `index.html` it names.
fn reaches(target: &str, known: &dyn Fn(&str) -> bool) -> bool {
    known(target)
        || known(&format!("{target}/"))
        || target.strip_suffix("index.html").is_some_and(known)
}

/// The paths [`reaches`] asks about for `target`.
fn candidates(target: &str) -> Vec<String> {
    let mut c = vec![target.to_string(), format!("{target}/")];
    if let Some(dir) = target.strip_suffix("index.html") {
        c.push(dir.to_string());
    }
    c
}

/// The site path a link points at, or `None` for external links and
/// in-page anchors.
fn internal_target(page: &str, dest: &str) -> Option<String> {
    if dest.is_empty() || dest.starts_with('#') || dest.starts_with("//") || dest.contains("://") {
        return None;
    }
    if let Some(i) = dest.find(':')
        && !dest[..i].contains('/')
    {
        return None; // mailto:, tel:, …
    }
    let resolved = if dest.starts_with('/') {
        resolve("/", dest)
    } else {
        resolve(page, dest)
    };
    let path = resolved.split(['#', '?']).next().unwrap_or("").to_string();
    Some(path)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::site::BuildOptions;

    fn write(root: &std::path::Path, rel: &str, text: &str) {
        let p = root.join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }

    /// A site whose post `a` links to one path of every kind the build
    /// writes, and to paths it does not write.
    fn site() -> (tempfile::TempDir, Site) {
        let t = tempfile::tempdir().unwrap();
        let r = t.path();
        write(
            r,
            "causerie.toml",
            "title = \"T\"\nbase_url = \"https://e.example/\"\nper_page = 1\n",
        );
        let links = [
            "/posts/b/",
            "/posts/b/comments.xml",
            "/posts/b/index.html",
            "../b",
            "/tags/rust/",
            "/tags/rust/feed.json",
            "/page/2/",
            "/about/",
            "/old-b/",
            "/posts/c/pic.png",
            "/css/x.css",
            "/sitemap.xml",
            "/posts/nope/",
            "/tags/none/",
            "../missing/",
            "/posts/b/comments.json",
            "/page/9/",
        ];
        let body: String = links.iter().map(|l| format!("[x]({l})\n\n")).collect();
        write(
            r,
            "content/posts/a.md",
            &format!("+++\ntitle = \"A\"\ndate = 2024-01-02\n+++\n\n{body}"),
        );
        write(
            r,
            "content/posts/b.md",
            "+++\ntitle = \"B\"\ndate = 2024-01-01\ntags = [\"Rust\"]\naliases = [\"/old-b/\"]\n+++\n\nSee [c](/posts/c/).\n",
        );
        write(
            r,
            "content/posts/c/index.md",
            "+++\ntitle = \"C\"\ndate = 2023-01-01\n+++\n\nHi.\n",
        );
        write(r, "content/posts/c/pic.png", "png");
        write(
            r,
            "content/about.md",
            "+++\ntitle = \"About\"\n+++\n\nMe.\n",
        );
        write(r, "static/css/x.css", "body{}");
        let (mut site, errors) = Site::load(r, &BuildOptions::default()).unwrap();
        assert!(errors.is_empty(), "{errors:?}");
        site.render_markdown();
        (t, site)
    }

    fn messages(d: &[Diagnostic]) -> Vec<String> {
        let mut m: Vec<String> = d
            .iter()
            .map(|d| format!("{}:{}: {}", d.path, d.line, d.message))
            .collect();
        m.sort();
        m
    }

    #[test]
    fn looking_a_few_links_up_agrees_with_the_set_of_all_paths() {
        let (_t, site) = site();
        let all = messages(&site.check_links());
        let mut broken: Vec<&str> = all
            .iter()
            .map(|m| m.split("broken link: ").nth(1).unwrap())
            .collect();
        broken.sort();
        assert_eq!(
            broken,
            [
                "../missing/ (no page or file at /posts/missing/)",
                "/page/9/ (no page or file at /page/9/)",
                "/posts/b/comments.json (no page or file at /posts/b/comments.json)",
                "/posts/nope/ (no page or file at /posts/nope/)",
                "/tags/none/ (no page or file at /tags/none/)",
            ]
        );
        let (hash, few) = site.check_few_links(|_| true);
        assert_eq!(messages(&few), all);
        assert_eq!(hash, site.known_paths_hash());
        let a_only = |e: &Entry| e.source.ends_with("/a.md");
        assert_eq!(messages(&site.check_few_links(a_only).1), all);
        assert!(site.check_few_links(|e| !a_only(e)).1.is_empty());
    }

    #[test]
    fn the_hash_of_the_known_paths_follows_the_set() {
        let (t, site) = site();
        let before = site.known_paths_hash();
        assert_eq!(
            before,
            site.known_paths_hash(),
            "the same site, the same hash"
        );
        write(
            t.path(),
            "content/posts/d.md",
            "+++\ntitle = \"D\"\ndate = 2022-01-01\n+++\n\nD.\n",
        );
        let (grown, _) = Site::load(t.path(), &BuildOptions::default()).unwrap();
        assert_ne!(grown.known_paths_hash(), before, "a new post is a new path");
        assert!(grown.known_paths().contains("/posts/d/comments.xml"));
    }
}
