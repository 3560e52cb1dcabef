//! Model → outputs. Rendering is pure: [`Renderer::jobs`] lists every output
//! of the site as a [`Job`], and [`Renderer::render`] turns one job into
//! `(output path, bytes)` without touching the disk. What a job reads is
//! its [`inputs::Inputs`], gathered before it renders and handed to its
//! render function; an incremental rebuild keys the job by hashing the
//! same value, to redo only the jobs an edit affects.

pub mod feeds;
mod input_entries;
pub use input_entries::listing_fp;
pub mod inputs;
mod jobs;
pub mod sign_in_view;
mod site_view;
pub mod sitemap;
mod summaries;
pub mod templates;
pub use site_view::{Templates, templates_of};
pub mod views;

use std::path::PathBuf;
use tera::{Context, Value};

use crate::content::Kind;
use crate::error::{Diagnostic, tera_message};
use crate::site::{Site, Taxonomy, pager_path};
use crate::theme::FileSource;
use views::*;

/// One unit of output work. What each one reads is the variant of the
/// same name of [`inputs::Inputs`] (plus the global config and theme).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Job {
    /// A post page.
    Post(usize),
    /// A standalone page.
    Page(usize),
    /// Index pager page N (1-based).
    Index(usize),
    /// `/tags/` or `/categories/`.
    Terms(Taxonomy),
    /// Term page: (taxonomy, term, pager page).
    Term(Taxonomy, usize, usize),
    /// `/feed.xml`, `/rss.xml`, `/feed.json`.
    SiteFeeds,
    /// A term's three feeds.
    TermFeeds(Taxonomy, usize),
    /// `/posts/<slug>/comments.xml`.
    CommentsFeed(usize),
    /// `/comments.xml`, the site's newest comments (only with `[comments]`).
    SiteCommentsFeed,
    /// Redirect pages for an entry's `aliases`.
    Aliases(Kind, usize),
    /// `/_causerie/redirects.map`: every alias → its entry, for the web
    /// server (aliases with a query, `/?p=101`, have no redirect page).
    RedirectMap,
    /// `/sitemap.xml`.
    Sitemap,
    /// `/robots.txt`.
    Robots,
    /// `/404.html`.
    NotFound,
    /// `/causerie-pages.json`.
    Manifest,
    /// Copy of the theme's static files not overridden by the site.
    ThemeStatic,
    /// Copy of the site's static and loose content files.
    Files,
    /// Copy of a bundle's assets.
    Assets(Kind, usize),
    /// `/.well-known/webfinger` and the actor document.
    ApActor,
    /// A post's ActivityStreams object.
    ApObject(usize),
    /// The outbox (and its pages).
    ApOutbox,
}

/// What an output holds.
#[derive(Debug, Clone)]
pub enum Body {
    Bytes(Vec<u8>),
    Copy(PathBuf),
    Static(&'static [u8]),
}

/// One output file, path relative to the output root (`posts/x/index.html`).
#[derive(Debug, Clone)]
pub struct Output {
    pub path: String,
    pub body: Body,
}

/// The output file of a site path: `/a/` → `a/index.html`.
pub fn file_of(path: &str) -> String {
    let p = path.trim_start_matches('/');
    if p.is_empty() || p.ends_with('/') {
        format!("{p}index.html")
    } else {
        p.to_string()
    }
}

fn html(path: &str, bytes: Vec<u8>) -> Output {
    Output {
        path: file_of(path),
        body: Body::Bytes(bytes),
    }
}

/// Everything needed to render jobs: the site, the template engine and the
/// list views of posts (built once, on first use, shared by every list page).
pub struct Renderer<'s> {
    pub site: &'s Site,
    /// Shared: a resident engine keeps it between builds ([`Templates`]).
    tera: Templates,
    /// List view of each post (also the `post` of its own page) as a tera
    /// value, and its meta description. Made when a job first needs it: a
    /// rebuild after one edit shows a few dozen posts of thousands.
    summaries: summaries::Summaries<'s>,
    /// Each post's feed items, shared by every feed it is in.
    feed_items: feeds::ItemCache,
    /// Where a page finds its entry's HTML when the entry holds none (the
    /// engine keeps it on disk); `None` means damaged there.
    html_source: Option<HtmlSource<'s>>,
}

/// See [`Renderer::with_html_source`].
pub type HtmlSource<'s> = &'s (dyn Fn(&crate::content::Entry) -> Option<String> + Sync);

/// A post's list view (a tera value) and meta description.
pub type Summary = (Value, String);

/// Where a renderer finds the list views an earlier renderer made (post
/// index → view, for the same post, config and conversation).
pub type CachedSummaries<'s> = &'s (dyn Fn(usize) -> Option<std::sync::Arc<Summary>> + Sync);

/// No cached list views.
fn none(_: usize) -> Option<std::sync::Arc<Summary>> {
    None
}

impl<'s> Renderer<'s> {
    pub fn new(site: &'s Site) -> Result<Renderer<'s>, Vec<Diagnostic>> {
        Renderer::with_summaries(site, &none)
    }

    /// The list views this renderer made itself (not taken from its
    /// cache), by post index: what a resident engine adds to its cache.
    pub fn summaries_made(&self) -> Vec<(usize, std::sync::Arc<Summary>)> {
        self.summaries.made()
    }

    /// [`Renderer::new`] that takes the summaries of unchanged posts from
    /// `cached` (post index → summary made by an earlier renderer for the
    /// same post, config and conversation) instead of making them again.
    pub fn with_summaries(
        site: &'s Site,
        cached: CachedSummaries<'s>,
    ) -> Result<Renderer<'s>, Vec<Diagnostic>> {
        Ok(Renderer::with_templates(site, templates_of(site)?, cached))
    }

    /// [`Renderer::with_summaries`] with a template engine made earlier by
    /// [`templates_of`] for a site of the same global key. Nothing here is
    /// per post up front: `cached` is asked when a job first shows a post.
    pub fn with_templates(
        site: &'s Site,
        tera: Templates,
        cached: CachedSummaries<'s>,
    ) -> Renderer<'s> {
        Renderer {
            site,
            tera,
            summaries: summaries::Summaries::new(site.content.posts.len(), cached),
            feed_items: feeds::ItemCache::new(site.content.posts.len()),
            html_source: None,
        }
    }

    /// Pages read the HTML of an entry that holds none from `source`
    /// (feeds still need theirs in the entry).
    pub fn with_html_source(mut self, source: HtmlSource<'s>) -> Self {
        self.html_source = Some(source);
        self
    }

    /// The HTML of entry `e`, from the entry or the HTML source.
    fn html_of<'e>(
        &self,
        e: &'e crate::content::Entry,
    ) -> Result<std::borrow::Cow<'e, str>, Diagnostic> {
        match self.html_source {
            Some(source) if e.rendered.html.is_empty() => {
                source(e).map(std::borrow::Cow::Owned).ok_or_else(|| {
                    Diagnostic::new(&e.source, 0, "its HTML in the build cache is damaged")
                })
            }
            _ => Ok(std::borrow::Cow::Borrowed(&e.rendered.html)),
        }
    }

    /// For a build that renders every job once and keeps nothing: each
    /// post's list view is freed after its last use (its page, its index
    /// page and one page per term it has).
    pub fn free_summaries_after_use(&mut self) {
        let site = self.site;
        let mut uses = vec![2; site.content.posts.len()];
        for tax in Taxonomy::ALL {
            for t in site.terms(tax) {
                for &i in &t.posts {
                    uses[i] += 1;
                }
            }
        }
        self.summaries.free_after(&uses);
    }

    /// The list view and description of post `i`, made on first use.
    fn summary_of(&self, i: usize) -> std::sync::Arc<Summary> {
        self.summaries.use_or_make(i, || {
            let site = self.site;
            let strings = &site.theme.strings;
            let inputs::SummaryInputs { post } = inputs::SummaryInputs::of(site, i);
            let mut v = EntryView::new(post.entry, &site.config, strings);
            if site.config.comments.is_some() {
                // List pages show the count: they read the conversation too.
                v.set_comment_count(site.conversation.count(&v.url), strings);
            }
            let d = v.description.clone();
            (Value::from_serializable(&v), d)
        })
    }

    /// The summary of post `i`, made now if no job made it yet (verify
    /// mode compares it with the one a cache offered).
    pub fn summary_made(&self, i: usize) -> std::sync::Arc<Summary> {
        self.summary_of(i)
    }

    /// Every job of the site, in a stable order.
    pub fn jobs(&self) -> Vec<Job> {
        jobs_of(self.site)
    }

    fn tpl(&self, name: &str, ctx: &Context, source: &str) -> Result<Vec<u8>, Diagnostic> {
        self.tpl_sized(name, ctx, source, 16 * 1024)
    }

    fn tpl_sized(
        &self,
        name: &str,
        ctx: &Context,
        source: &str,
        size: usize,
    ) -> Result<Vec<u8>, Diagnostic> {
        let mut buf = Vec::with_capacity(size);
        self.tera
            .render_to(name, ctx, &mut buf)
            .map(|()| buf)
            .map_err(|e| {
                let what = if source.is_empty() {
                    format!(" (in {name})")
                } else {
                    format!(" (in {name}, rendering {source})")
                };
                templates::locate(&self.site.theme, &tera_message(&e), &what)
            })
    }

    fn meta(&self, kind: &'static str, title: String, description: String, path: &str) -> PageMeta {
        let config = &self.site.config;
        let mut feeds = Vec::new();
        if config.comments.is_some() {
            feeds.push(FeedLink {
                r#type: "application/atom+xml".into(),
                href: config.url_for(crate::conversation::feed::SITE_FEED),
                title: self
                    .t("site_comments_feed_title", None)
                    .replace("{title}", &config.title),
            });
        }
        PageMeta {
            kind,
            title,
            description,
            url: config.url_for(path),
            permalink: config.abs_url(path),
            feeds,
            noindex: false,
        }
    }

    fn t(&self, key: &str, n: Option<i64>) -> String {
        self.site.theme.strings.get(key, n)
    }

    /// A pager page of a list: its own slice of posts and the pager.
    /// Only the page's own slice is touched: the index of a 100 000-post
    /// site has 10 000 pages, and a list of every post built for each one
    /// was quadratic.
    fn list_page(&self, ctx: &mut Context, base: &str, slice: &inputs::Slice<'_>) {
        let posts: Vec<Value> = (slice.ids.iter())
            .map(|i| self.summary_of(i).0.clone())
            .collect();
        ctx.insert_value("posts", Value::from(posts));
        let pager = PagerView::new(base, slice.n, slice.pages, &self.site.config);
        ctx.insert("pager", &pager);
    }

    /// Renders one job into its outputs: gathers its inputs and hands
    /// them to the render function of its family.
    pub fn render(&self, job: &Job) -> Result<Vec<Output>, Diagnostic> {
        use inputs::Inputs as I;
        let inputs = I::of(self.site, job);
        match inputs {
            I::Post { .. } | I::Page(_) | I::Aliases(_) | I::NotFound => self.render_page(inputs),
            I::Index(_) | I::Terms(..) | I::Term(..) => self.render_list(inputs),
            I::SiteFeeds(..) | I::TermFeeds(..) | I::CommentsFeed(..) | I::SiteCommentsFeed(..) => {
                self.render_feed(inputs)
            }
            I::Sitemap(_)
            | I::RedirectMap(_)
            | I::Robots
            | I::Manifest(_)
            | I::ThemeStatic(_)
            | I::Files(_)
            | I::Assets(_) => self.render_meta(inputs),
            I::ApActor(_) | I::ApObject(..) | I::ApOutbox(..) => self.render_activitypub(inputs),
        }
    }
}

/// Inputs sent to a family that does not render them: a bug in
/// [`Renderer::render`]'s dispatch, reported rather than a panic.
fn misrouted(family: &str) -> Diagnostic {
    Diagnostic::new(
        "",
        0,
        format!("internal: a job sent to the {family} renderer, which does not render it"),
    )
}

/// Every job of `site`, in a stable order (what [`Renderer::jobs`] returns;
/// usable before a renderer exists).
pub fn jobs_of(s: &Site) -> Vec<Job> {
    let c = &s.content;
    let mut jobs = Vec::with_capacity(c.posts.len() * 2 + 64);
    for i in 0..c.posts.len() {
        jobs.push(Job::Post(i));
        jobs.push(Job::CommentsFeed(i));
        if !c.posts[i].aliases.is_empty() {
            jobs.push(Job::Aliases(Kind::Post, i));
        }
        if !c.posts[i].assets.is_empty() {
            jobs.push(Job::Assets(Kind::Post, i));
        }
    }
    for i in 0..c.pages.len() {
        jobs.push(Job::Page(i));
        if !c.pages[i].aliases.is_empty() {
            jobs.push(Job::Aliases(Kind::Page, i));
        }
        if !c.pages[i].assets.is_empty() {
            jobs.push(Job::Assets(Kind::Page, i));
        }
    }
    for n in 1..=s.pages_for(c.posts.len()) {
        jobs.push(Job::Index(n));
    }
    for tax in Taxonomy::ALL {
        jobs.push(Job::Terms(tax));
        for (t, term) in s.terms(tax).iter().enumerate() {
            for n in 1..=s.pages_for(term.posts.len()) {
                jobs.push(Job::Term(tax, t, n));
            }
            jobs.push(Job::TermFeeds(tax, t));
        }
    }
    if s.config.comments.is_some() {
        jobs.push(Job::SiteCommentsFeed);
    }
    if c.posts
        .iter()
        .chain(c.pages.iter())
        .any(|e| !e.aliases.is_empty())
    {
        jobs.push(Job::RedirectMap);
    }
    jobs.extend([
        Job::SiteFeeds,
        Job::Sitemap,
        Job::Robots,
        Job::NotFound,
        Job::Manifest,
        Job::ThemeStatic,
        Job::Files,
    ]);
    if crate::activitypub::Urls::of(&s.config).is_some() {
        jobs.push(Job::ApActor);
        jobs.push(Job::ApOutbox);
        jobs.extend((0..c.posts.len()).map(Job::ApObject));
    }
    jobs
}
