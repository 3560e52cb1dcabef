//! What each output depends on. Every [`Job`] gets a stable name (the same
//! job in the next build, even when indices shift) and a key: a hash of
//! everything [`crate::render::Renderer::render`] reads for that job. Equal
//! key, equal bytes; so a job whose key did not change is not rendered again.
//! `None` means "always render" (cheap jobs that read the whole site).
//!
//! What a job reads is not restated here: it is the job's
//! [`Inputs`], which its render function takes; a key is the global
//! fingerprint, the job, and those inputs hashed. This module only adds
//! the global inputs (config, theme, strings) and each entry's fingerprint.
//!
//! Why not salsa (rust-analyzer's incremental framework), which records
//! dependencies as the code reads them: measured on a model of these keys
//! (`generator/bench/salsa-eval/`, BENCHMARKS.md "Dependencies in one
//! place"), its first computation of every key took 13–22× as long as
//! hashing the inputs (355 ms against 27 ms at 100 000 posts), and
//! revalidating after one edit 7–10× as long, with three times the memory.
//! Its memos live in memory, while a `causerie build` is a new process
//! that finds its keys in `.causerie/`; and it would add 40 crates from a
//! project that still breaks its API every few months. The compiler and
//! verify mode (`super::verify`) keep the inputs complete instead.

use crate::content::{Entry, Kind};
use crate::render::Job;
use crate::render::inputs::{EntryFps, Inputs};
use crate::render::views::comments_state;
use crate::site::{BuildOptions, Site};
use crate::theme::FileSource;

use crate::hash::{Fp, file_stamp};

/// Hash of the inputs every page reads: config, build options, theme
/// (templates, strings, static files).
pub fn global(site: &Site, opts: &BuildOptions) -> u64 {
    let mut fp = Fp::new();
    fp.str(env!("CARGO_PKG_VERSION"));
    fp.str(&format!("{:?}", site.config));
    fp.num(u64::from(opts.drafts));
    for t in &site.theme.templates {
        fp.str(&t.name).str(&t.text).str(&t.origin);
    }
    // Strings come from the theme's i18n files: the built-in ones are part
    // of the binary (the version above), a site theme's are on disk, and so
    // are the site's own `i18n/` files, which add or override languages.
    for dir in [site.root.join("themes"), site.root.join("i18n")] {
        if !dir.is_dir() {
            continue;
        }
        for e in walkdir::WalkDir::new(&dir)
            .sort_by_file_name()
            .into_iter()
            .flatten()
            .filter(|e| e.file_type().is_file())
        {
            file_stamp(&mut fp, e.path());
        }
    }
    for (out, src) in &site.theme.static_files {
        fp.str(out);
        match src {
            FileSource::Embedded(b) => {
                fp.num(crate::content::content_hash(b));
            }
            FileSource::Disk(p) => file_stamp(&mut fp, p),
        }
    }
    fp.finish()
}

/// Per-entry fingerprints, computed once per build.
pub struct Ctx<'s> {
    site: &'s Site,
    global: u64,
    posts: Vec<u64>,
    pages: Vec<u64>,
}

impl<'s> Ctx<'s> {
    pub fn new(site: &'s Site, global: u64) -> Ctx<'s> {
        use rayon::prelude::*;
        let fp = |e: &Entry| entry_fp(site, e);
        Ctx {
            site,
            global,
            posts: site.content.posts.par_iter().map(fp).collect(),
            pages: site.content.pages.par_iter().map(fp).collect(),
        }
    }

    /// [`Ctx::new`] for a site that differs from the one of `last` (its
    /// posts' and pages' fingerprints, in the same order) only in the
    /// `touched` entries: the others are copied, not hashed again (100 000
    /// of them were 7 ms of a one-post edit). `None` with comments, where a
    /// post's fingerprint also reads the conversation and the clock.
    pub fn patched(
        site: &'s Site,
        global: u64,
        last: (&[u64], &[u64]),
        touched: &[(Kind, usize)],
    ) -> Option<Ctx<'s>> {
        let c = &site.content;
        if site.config.comments.is_some()
            || last.0.len() != c.posts.len()
            || last.1.len() != c.pages.len()
        {
            return None;
        }
        let (mut posts, mut pages) = (last.0.to_vec(), last.1.to_vec());
        for &(kind, i) in touched {
            match kind {
                Kind::Post => posts[i] = entry_fp(site, &c.posts[i]),
                Kind::Page => pages[i] = entry_fp(site, &c.pages[i]),
            }
        }
        Some(Ctx {
            site,
            global,
            posts,
            pages,
        })
    }

    /// The site the fingerprints are of.
    pub fn site(&self) -> &'s Site {
        self.site
    }

    /// Each post's fingerprint.
    pub fn posts(&self) -> &[u64] {
        &self.posts
    }

    /// Each page's fingerprint.
    pub fn pages(&self) -> &[u64] {
        &self.pages
    }
}

/// Everything about one entry that any output shows: its source text
/// (title, dates, tags, body…), file and URL, and its baked conversation
/// (thread, count, open or closed — which depends on the clock).
fn entry_fp(site: &Site, e: &Entry) -> u64 {
    let mut fp = Fp::new();
    fp.num(e.hash).str(&e.source).str(&e.path);
    if e.kind == Kind::Post && site.config.comments.is_some() {
        let (state, closes) = comments_state(e, &site.config, site.now);
        fp.str(state.as_str());
        fp.str(&closes.map(|d| d.rfc3339()).unwrap_or_default());
        fp.num(site.conversation.page_digest(&site.config.url_for(&e.path)));
        // the login-only page and its sign-in choices
        fp.num(site.conversation.sign_in.digest());
    }
    fp.finish()
}

fn kind_tag(k: Kind) -> &'static str {
    match k {
        Kind::Post => "post",
        Kind::Page => "page",
    }
}

/// Stable name of a job: the same output in the next build has the same
/// name. A hash of what identifies the job (its kind and the path or slug it
/// is about, never an index that shifts), not a string: names are computed
/// for every job on every build, and 23 606 `format!`s were a tenth of a
/// resident rebuild at 10 000 posts.
pub fn name(site: &Site, job: &Job) -> u64 {
    let c = &site.content;
    let of = |k: Kind, i: usize| match k {
        Kind::Post => &c.posts[i],
        Kind::Page => &c.pages[i],
    };
    let mut fp = Fp::new();
    match job {
        Job::Post(i) => fp.str("post").str(&c.posts[*i].path),
        Job::Page(i) => fp.str("page").str(&c.pages[*i].path),
        Job::Index(n) => fp.str("index").num(*n as u64),
        Job::Terms(t) => fp.str("terms").str(t.segment()),
        Job::Term(t, k, n) => fp
            .str("term")
            .str(t.segment())
            .str(&site.terms(*t)[*k].slug)
            .num(*n as u64),
        Job::TermFeeds(t, k) => fp
            .str("termfeeds")
            .str(t.segment())
            .str(&site.terms(*t)[*k].slug),
        Job::CommentsFeed(i) => fp.str("comments").str(&c.posts[*i].path),
        Job::ApObject(i) => fp.str("apobject").str(&c.posts[*i].path),
        Job::Aliases(k, i) => fp.str("aliases").str(kind_tag(*k)).str(&of(*k, *i).source),
        Job::Assets(k, i) => fp.str("assets").str(kind_tag(*k)).str(&of(*k, *i).source),
        other => fp.str("other").str(&format!("{other:?}")),
    };
    fp.finish()
}

/// The dependency key of a job, `None` when it is always rendered: the
/// global inputs, the job, and the job's own [`Inputs`] — the value its
/// render function takes.
pub fn key(cx: &Ctx<'_>, job: &Job) -> Option<u64> {
    let mut fp = Fp::new();
    fp.num(cx.global);
    std::hash::Hash::hash(job, &mut fp);
    Inputs::of(cx.site, job)
        .fingerprint(&mut fp, cx)
        .then(|| fp.finish())
}

impl EntryFps for Ctx<'_> {
    fn entry(&self, kind: Kind, i: usize) -> u64 {
        match kind {
            Kind::Post => self.posts[i],
            Kind::Page => self.pages[i],
        }
    }
}
