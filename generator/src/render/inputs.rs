//! What each job reads, written down once. [`Inputs::of`] gathers a job's
//! inputs from the site; the job's render function (render/jobs/*.rs) takes
//! them and reads the site's content and conversation only through them;
//! the incremental engine hashes the very same value for the job's key
//! ([`Inputs::fingerprint`]) and asks it which bodies to load
//! ([`Inputs::bodies`]). So what `post.html` shows and what its key covers
//! cannot drift apart: a new input is a new field, and a field's hashing is
//! beside it (each fingerprint destructures its struct, so a field left out
//! is a compile error, not a stale page).
//!
//! The two jobs that read the whole site (sitemap, manifest) take it; their
//! fingerprints, beside them here, list what their render reads of it.
//!
//! Everything else a render reads is global (config, build options, theme,
//! strings, the clock through an entry's comment state): the engine's
//! global key covers it. An entry is hashed as a whole by [`EntryFps`]:
//! its source, path and baked conversation, computed once per build.

use std::ops::Range;

use crate::config::Slugify;
use crate::content::{Content, Entry, Kind, StaticFile};
use crate::conversation::Conversations;
use crate::hash::{Fp, file_stamp};
use crate::render::Job;
use crate::render::views::comments_state;
use crate::site::{Site, Taxonomy, Term};

/// Each entry's fingerprint (everything about it any output shows), made
/// once per build by whoever keys the jobs.
pub trait EntryFps {
    fn entry(&self, kind: Kind, i: usize) -> u64;
}

/// An entry with its place in the site (its fingerprint is looked up).
#[derive(Clone, Copy)]
pub struct EntryRef<'s> {
    pub kind: Kind,
    pub i: usize,
    pub entry: &'s Entry,
}

/// What a post page shows of a neighbour: a link.
#[derive(Clone, Copy)]
pub struct Neighbour<'s> {
    pub title: &'s str,
    pub path: &'s str,
}

/// Which posts a list shows, by index into `content.posts`.
#[derive(Clone)]
pub enum Ids<'s> {
    Range(Range<usize>),
    Of(&'s [usize]),
}

impl Ids<'_> {
    pub fn iter(&self) -> impl Iterator<Item = usize> + '_ {
        let (range, list) = match self {
            Ids::Range(r) => (r.clone(), &[][..]),
            Ids::Of(l) => (0..0, *l),
        };
        range.chain(list.iter().copied())
    }
}

/// Pager page `n` of a list: how many pages it has, and its own posts.
#[derive(Clone)]
pub struct Slice<'s> {
    pub n: usize,
    pub pages: usize,
    pub ids: Ids<'s>,
}

/// A term as its pages show it: name, slug (its path) and post count.
#[derive(Clone, Copy)]
pub struct TermRef<'s> {
    pub tax: Taxonomy,
    pub term: &'s Term,
}

/// One job's inputs. Each variant is a job of [`Job`] (same name).
pub enum Inputs<'s> {
    Post {
        post: EntryRef<'s>,
        /// Posts are newest first: the previous (older) one is i+1.
        prev: Option<Neighbour<'s>>,
        next: Option<Neighbour<'s>>,
        /// Read for this post's thread only (in its entry fingerprint).
        conversation: &'s Conversations,
    },
    Page(EntryRef<'s>),
    Aliases(EntryRef<'s>),
    Assets(EntryRef<'s>),
    NotFound,
    Robots,
    Index(Slice<'s>),
    Terms(Taxonomy, &'s [Term]),
    Term(TermRef<'s>, Slice<'s>),
    /// The newest `feed_limit` posts (of the posts).
    SiteFeeds(&'s [Entry], Range<usize>),
    /// A term and its newest `feed_limit` posts (of the posts).
    TermFeeds(TermRef<'s>, &'s [Entry], &'s [usize]),
    /// A post and its thread (the conversation is read for this post only).
    CommentsFeed(EntryRef<'s>, &'s Conversations),
    /// The conversation of every post: never keyed, rendered every time.
    SiteCommentsFeed(&'s [Entry], &'s Conversations),
    ApActor(&'s Option<crate::conversation::actor_key::ActorKey>),
    /// A post's object, with the terms its hashtags link.
    ApObject(EntryRef<'s>, Vec<Option<&'s Term>>),
    /// Every post, and the tags (whose names come from the posts).
    ApOutbox(&'s [Entry], &'s [Term], Slugify),
    /// Every path and date, and each term's newest date.
    Sitemap(&'s Site),
    /// Every entry's path, comment state and aliases.
    Manifest(&'s Site),
    RedirectMap(&'s Content),
    ThemeStatic(&'s [StaticFile]),
    Files(&'s [StaticFile]),
}

/// Pager page `n` (1-based) of a list of `count` posts; `ids` picks the
/// posts at the page's places in the list.
fn slice<'s>(
    site: &Site,
    count: usize,
    n: usize,
    ids: impl FnOnce(Range<usize>) -> Ids<'s>,
) -> Slice<'s> {
    let per = site.config.per_page;
    let from = ((n - 1) * per).min(count);
    Slice {
        n,
        pages: site.pages_for(count),
        ids: ids(from..(from + per).min(count)),
    }
}

impl<'s> Inputs<'s> {
    /// Gathers the inputs of `job` from `site`.
    pub fn of(site: &'s Site, job: &Job) -> Inputs<'s> {
        let c = &site.content;
        let at = |kind: Kind, i: usize| EntryRef {
            kind,
            i,
            entry: match kind {
                Kind::Post => &c.posts[i],
                Kind::Page => &c.pages[i],
            },
        };
        let link = |j: usize| {
            c.posts.get(j).map(|e| Neighbour {
                title: &e.title,
                path: &e.path,
            })
        };
        let term = |tax: Taxonomy, t: usize| TermRef {
            tax,
            term: &site.terms(tax)[t],
        };
        match *job {
            Job::Post(i) => Inputs::Post {
                post: at(Kind::Post, i),
                prev: link(i + 1),
                next: i.checked_sub(1).and_then(link),
                conversation: &site.conversation,
            },
            Job::Page(i) => Inputs::Page(at(Kind::Page, i)),
            Job::Aliases(k, i) => Inputs::Aliases(at(k, i)),
            Job::Assets(k, i) => Inputs::Assets(at(k, i)),
            Job::NotFound => Inputs::NotFound,
            Job::Robots => Inputs::Robots,
            Job::Index(n) => Inputs::Index(slice(site, c.posts.len(), n, Ids::Range)),
            Job::Terms(tax) => Inputs::Terms(tax, site.terms(tax)),
            Job::Term(tax, t, n) => {
                let tr = term(tax, t);
                let list = &tr.term.posts;
                Inputs::Term(tr, slice(site, list.len(), n, |r| Ids::Of(&list[r])))
            }
            Job::SiteFeeds => {
                Inputs::SiteFeeds(&c.posts, 0..c.posts.len().min(site.config.feed_limit))
            }
            Job::TermFeeds(tax, t) => {
                let tr = term(tax, t);
                let list = &tr.term.posts;
                Inputs::TermFeeds(
                    tr,
                    &c.posts,
                    &list[..list.len().min(site.config.feed_limit)],
                )
            }
            Job::CommentsFeed(i) => Inputs::CommentsFeed(at(Kind::Post, i), &site.conversation),
            Job::SiteCommentsFeed => Inputs::SiteCommentsFeed(&c.posts, &site.conversation),
            Job::ApActor => Inputs::ApActor(&site.conversation.actor_key),
            Job::ApObject(i) => {
                let post = at(Kind::Post, i);
                let tags = site.terms(Taxonomy::Tags);
                let terms = hashtag_terms(tags, site.config.slug_mode(), post.entry);
                Inputs::ApObject(post, terms)
            }
            Job::ApOutbox => {
                let tags = site.terms(Taxonomy::Tags);
                Inputs::ApOutbox(&c.posts, tags, site.config.slug_mode())
            }
            Job::Sitemap => Inputs::Sitemap(site),
            Job::Manifest => Inputs::Manifest(site),
            Job::RedirectMap => Inputs::RedirectMap(c),
            Job::ThemeStatic => Inputs::ThemeStatic(&c.files),
            Job::Files => Inputs::Files(&c.files),
        }
    }

    /// Whose HTML (the rendered markdown body) the job shows: pages show
    /// their entry's, feeds and fediverse objects the posts they list;
    /// list pages show summaries only. Calls `each(kind, index)`.
    pub fn bodies(&self, each: &mut dyn FnMut(Kind, usize)) {
        match self {
            Inputs::Post { post: e, .. } | Inputs::Page(e) | Inputs::ApObject(e, _) => {
                each(e.kind, e.i)
            }
            Inputs::SiteFeeds(_, r) => r.clone().for_each(|i| each(Kind::Post, i)),
            Inputs::TermFeeds(_, _, ids) => ids.iter().for_each(|&i| each(Kind::Post, i)),
            Inputs::ApOutbox(posts, ..) => (0..posts.len()).for_each(|i| each(Kind::Post, i)),
            Inputs::Aliases(_)
            | Inputs::Assets(_)
            | Inputs::NotFound
            | Inputs::Robots
            | Inputs::Index(_)
            | Inputs::Terms(..)
            | Inputs::Term(..)
            | Inputs::CommentsFeed(..)
            | Inputs::SiteCommentsFeed(..)
            | Inputs::ApActor(_)
            | Inputs::Sitemap(_)
            | Inputs::Manifest(..)
            | Inputs::RedirectMap(_)
            | Inputs::ThemeStatic(_)
            | Inputs::Files(_) => {}
        }
    }

    /// Adds everything the job reads to `fp`; false when the job is not
    /// keyed (rendered every time).
    pub fn fingerprint(&self, fp: &mut Fp, fps: &dyn EntryFps) -> bool {
        let entry = |fp: &mut Fp, e: &EntryRef<'_>| {
            fp.num(fps.entry(e.kind, e.i));
        };
        let posts = |fp: &mut Fp, ids: &mut dyn Iterator<Item = usize>| {
            for i in ids {
                fp.num(fps.entry(Kind::Post, i));
            }
        };
        match self {
            Inputs::Post {
                post,
                prev,
                next,
                conversation: _,
            } => {
                // The post's thread is in its entry fingerprint.
                entry(fp, post);
                for n in [prev, next] {
                    match n {
                        Some(Neighbour { title, path }) => fp.num(1).str(title).str(path),
                        None => fp.num(0),
                    };
                }
            }
            // A post's thread is in its entry fingerprint.
            Inputs::Page(e) | Inputs::Aliases(e) | Inputs::CommentsFeed(e, _) => entry(fp, e),
            Inputs::ApObject(e, terms) => {
                entry(fp, e);
                for t in terms {
                    match t {
                        Some(t) => fp.num(1).str(&t.slug),
                        None => fp.num(0),
                    };
                }
            }
            Inputs::Assets(e) => {
                entry(fp, e);
                for (src, rel) in &e.entry.assets {
                    fp.str(rel);
                    file_stamp(fp, src);
                }
            }
            Inputs::NotFound | Inputs::Robots => {}
            Inputs::Index(Slice { n: _, pages, ids }) => {
                fp.num(*pages as u64);
                posts(fp, &mut ids.iter());
            }
            Inputs::Terms(_, terms) => {
                for t in *terms {
                    term(fp, t);
                }
            }
            Inputs::Term(TermRef { tax: _, term: t }, Slice { n: _, pages, ids }) => {
                term(fp, t);
                fp.num(*pages as u64);
                posts(fp, &mut ids.iter());
            }
            Inputs::SiteFeeds(_, r) => posts(fp, &mut r.clone()),
            Inputs::TermFeeds(TermRef { tax: _, term: t }, _, ids) => {
                fp.str(&t.name).str(&t.slug);
                posts(fp, &mut ids.iter().copied());
            }
            Inputs::SiteCommentsFeed(..) => return false,
            Inputs::ApActor(key) => std::hash::Hash::hash(key, fp),
            // Term names are the posts' spellings: every post is hashed.
            Inputs::ApOutbox(all, _, _) => posts(fp, &mut (0..all.len())),
            Inputs::Sitemap(site) => sitemap(fp, site),
            Inputs::Manifest(site) => {
                // Every page with its comment state (which depends on the
                // clock) and its aliases.
                let c = &site.content;
                for e in c.posts.iter().chain(c.pages.iter()) {
                    let (state, closes) = comments_state(e, &site.config, site.now);
                    fp.str(&e.path).str(state.as_str());
                    fp.str(&closes.map(|d| d.rfc3339()).unwrap_or_default());
                    fp.num(e.aliases.len() as u64);
                    for a in &e.aliases {
                        fp.str(a);
                    }
                }
            }
            Inputs::RedirectMap(c) => {
                for e in c.posts.iter().chain(c.pages.iter()) {
                    fp.str(&e.path).num(e.aliases.len() as u64);
                    for a in &e.aliases {
                        fp.str(a);
                    }
                }
            }
            Inputs::ThemeStatic(files) => {
                for f in *files {
                    fp.str(&f.out);
                }
            }
            Inputs::Files(files) => {
                for f in *files {
                    fp.str(&f.out);
                    file_stamp(fp, &f.src);
                }
            }
        }
        true
    }
}

/// What a post's list view (its `post` on every page that lists it, and on
/// its own page) reads: the post, with its conversation's count.
pub struct SummaryInputs<'s> {
    pub post: EntryRef<'s>,
}

impl<'s> SummaryInputs<'s> {
    pub fn of(site: &'s Site, i: usize) -> SummaryInputs<'s> {
        SummaryInputs {
            post: EntryRef {
                kind: Kind::Post,
                i,
                entry: &site.content.posts[i],
            },
        }
    }

    pub fn fingerprint(&self, fp: &mut Fp, fps: &dyn EntryFps) {
        let SummaryInputs { post } = self;
        fp.num(fps.entry(post.kind, post.i));
    }
}

/// The terms a post's fediverse object links as hashtags: for each of its
/// tags, the term of that very name (a term is named by the newest post's
/// spelling: a tag spelt otherwise links none). Terms are sorted by slug.
pub fn hashtag_terms<'s>(tags: &'s [Term], mode: Slugify, e: &Entry) -> Vec<Option<&'s Term>> {
    (e.tags.iter())
        .map(|name| {
            let slug = crate::slug::make(name, mode);
            let k = tags.binary_search_by(|t| t.slug.as_str().cmp(&slug)).ok()?;
            Some(&tags[k]).filter(|t| &t.name == name)
        })
        .collect()
}

/// A term's name, slug and count (what its pages and the term index show).
fn term(fp: &mut Fp, t: &Term) {
    fp.str(&t.name).str(&t.slug).num(t.posts.len() as u64);
}

/// Hashes a date as its instant and offset, not its text: formatting
/// 100 000 dates was most of re-keying a one-post edit.
pub(crate) fn hash_date(fp: &mut Fp, d: Option<crate::content::date::PostDate>) {
    match d {
        Some(d) => fp
            .num(1)
            .num(d.ts.as_nanosecond() as u64)
            .num((d.ts.as_nanosecond() >> 64) as u64)
            .num(d.offset_seconds as u64),
        None => fp.num(0),
    };
}

/// Every path with its last change (a body edit changes nothing here).
fn sitemap(fp: &mut Fp, site: &Site) {
    let c = &site.content;
    let date = |fp: &mut Fp, e: Option<&Entry>| hash_date(fp, e.and_then(Entry::last_modified));
    for e in c.posts.iter().chain(c.pages.iter()) {
        fp.str(&e.path);
        date(fp, Some(e));
    }
    for tax in Taxonomy::ALL {
        for t in site.terms(tax) {
            fp.str(&t.slug);
            date(fp, t.posts.first().map(|&i| &c.posts[i]));
        }
    }
}

#[cfg(test)]
mod tests {
    /// The render functions of every job family, as source.
    const JOBS: [(&str, &str); 5] = [
        ("pages.rs", include_str!("jobs/pages.rs")),
        ("lists.rs", include_str!("jobs/lists.rs")),
        ("feeds.rs", include_str!("jobs/feeds.rs")),
        ("meta.rs", include_str!("jobs/meta.rs")),
        ("activitypub.rs", include_str!("jobs/activitypub.rs")),
    ];

    #[test]
    fn render_functions_read_the_site_only_through_their_inputs() {
        // The renderer holds the whole site (for config, theme and clock);
        // a job's render reading its content or conversation from there
        // would bypass the inputs its key hashes. Read the inputs instead
        // (and add what is missing to them and to their fingerprint).
        for (file, text) in JOBS {
            for around in [
                "let site = self.site",
                "self.site.content",
                "self.site.conversation",
                "self.site.terms",
                "self.site.tags",
                "self.site.categories",
            ] {
                let compact: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
                assert!(
                    !compact.contains(around),
                    "render/jobs/{file} reads `{around}`: take it from the job's Inputs"
                );
            }
        }
    }
}
