//! Model → outputs. Rendering is pure: [`Renderer::jobs`] lists every output
//! of the site as a [`Job`], and [`Renderer::render`] turns one job into
//! `(output path, bytes)` without touching the disk. Each job's doc says
//! which inputs it reads, which is what an incremental rebuild needs to know
//! to redo only the jobs an edit affects.

pub mod feeds;
pub mod sitemap;
pub mod templates;
pub mod views;

use serde::Serialize;
use std::path::PathBuf;
use std::sync::OnceLock;
use tera::{Context, Tera, Value};

use crate::content::Kind;
use crate::error::{Diagnostic, tera_message};
use crate::site::{Site, Taxonomy, pager_path};
use crate::theme::FileSource;
use views::*;

/// One unit of output work.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Job {
    /// A post page. Reads: the post, its neighbours' titles/paths, templates, config.
    Post(usize),
    /// A standalone page. Reads: the page, templates, config.
    Page(usize),
    /// Index pager page N (1-based). Reads: the posts of that slice.
    Index(usize),
    /// `/tags/` or `/categories/`. Reads: term names and counts.
    Terms(Taxonomy),
    /// Term page: (taxonomy, term, pager page). Reads: the term's slice.
    Term(Taxonomy, usize, usize),
    /// `/feed.xml`, `/rss.xml`, `/feed.json`. Reads: the newest `feed_limit` posts.
    SiteFeeds,
    /// A term's three feeds. Reads: the term's newest posts.
    TermFeeds(Taxonomy, usize),
    /// `/posts/<slug>/comments.xml`. Reads: the post and its conversation
    /// (`site.conversation.page_digest(page)`).
    CommentsFeed(usize),
    /// `/comments.xml`, the site's newest comments. Reads: the conversation
    /// of every post and their titles (only with `[comments]`).
    SiteCommentsFeed,
    /// Redirect pages for an entry's `aliases`. Reads: the entry's path.
    Aliases(Kind, usize),
    /// `/_causerie/redirects.map`: every alias → its entry, for the web
    /// server (aliases with a query, `/?p=101`, have no redirect page).
    /// Reads: every entry's path and aliases.
    RedirectMap,
    /// `/sitemap.xml`. Reads: every path and date.
    Sitemap,
    /// `/robots.txt`. Reads: config.
    Robots,
    /// `/404.html`. Reads: templates, config.
    NotFound,
    /// `/causerie-pages.json`. Reads: every entry's path and comment state.
    Manifest,
    /// Copy of the theme's static files not overridden by the site.
    ThemeStatic,
    /// Copy of the site's static and loose content files.
    Files,
    /// Copy of a bundle's assets.
    Assets(Kind, usize),
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

#[derive(Serialize)]
struct SiteView<'a> {
    title: &'a str,
    description: &'a str,
    language: &'a str,
    dir: &'static str,
    base_url: &'a str,
    home: String,
    author: &'a crate::config::Author,
    menu: Vec<LinkView>,
    feeds: FeedHrefs,
    tags_url: String,
    categories_url: String,
    css: String,
    js: String,
    comments: bool,
    extra: &'a std::collections::BTreeMap<String, toml::Value>,
}

#[derive(Serialize)]
struct FeedHrefs {
    atom: String,
    rss: String,
    json: String,
}

/// Everything needed to render jobs: the site, the template engine and the
/// list views of posts (built once, on first use, shared by every list page).
pub struct Renderer<'s> {
    pub site: &'s Site,
    tera: Tera,
    /// List view of each post (also the `post` of its own page) as a tera
    /// value, and its meta description. Made when a job first needs it: a
    /// rebuild after one edit shows a few dozen posts of thousands.
    summaries: Vec<OnceLock<Summary>>,
    /// Each post's feed items, shared by every feed it is in.
    feed_items: feeds::ItemCache,
}

/// A post's list view (a tera value) and meta description.
pub type Summary = (Value, String);

impl<'s> Renderer<'s> {
    pub fn new(site: &'s Site) -> Result<Renderer<'s>, Vec<Diagnostic>> {
        Renderer::with_summaries(site, &|_| None)
    }

    /// [`Renderer::new`] that takes the summaries of unchanged posts from
    /// `cached` (post index → summary made by an earlier renderer for the
    /// same post, config and conversation) instead of making them again.
    pub fn with_summaries(
        site: &'s Site,
        cached: &(dyn Fn(usize) -> Option<Summary> + Sync),
    ) -> Result<Renderer<'s>, Vec<Diagnostic>> {
        let config = &site.config;
        let mut tera = templates::engine(&site.theme, config)?;
        let site_view = SiteView {
            title: &config.title,
            description: &config.description,
            language: &config.language,
            dir: config.dir(),
            base_url: &config.base_url,
            home: config.url_for("/"),
            author: &config.author,
            menu: config
                .menu
                .iter()
                .map(|m| LinkView {
                    name: m.name.clone(),
                    url: if m.url.starts_with('/') {
                        config.url_for(&m.url)
                    } else {
                        m.url.clone()
                    },
                })
                .collect(),
            feeds: FeedHrefs {
                atom: config.url_for("/feed.xml"),
                rss: config.url_for("/rss.xml"),
                json: config.url_for("/feed.json"),
            },
            tags_url: config.url_for("/tags/"),
            categories_url: config.url_for("/categories/"),
            css: config.url_for("/style.css"),
            js: config.url_for("/causerie.js"),
            comments: config.comments.is_some(),
            extra: &config.extra,
        };
        tera.global_context().insert("site", &site_view);
        let summaries = (0..site.content.posts.len())
            .map(|i| match cached(i) {
                Some(s) => OnceLock::from(s),
                None => OnceLock::new(),
            })
            .collect();
        Ok(Renderer {
            site,
            tera,
            summaries,
            feed_items: feeds::ItemCache::new(site.content.posts.len()),
        })
    }

    /// The list view and description of post `i`, made on first use.
    fn summary_of(&self, i: usize) -> &Summary {
        self.summaries[i].get_or_init(|| {
            let site = self.site;
            let strings = &site.theme.strings;
            let mut v = EntryView::new(&site.content.posts[i], &site.config, strings);
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
    pub fn summary_made(&self, i: usize) -> &Summary {
        self.summary_of(i)
    }

    /// The summary of post `i` if a job made or used it (to cache for the
    /// next renderer).
    pub fn summary(&self, i: usize) -> Option<Summary> {
        self.summaries[i].get().cloned()
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

    fn list_page(&self, ctx: &mut Context, base: &str, ids: &[usize], n: usize) {
        let per = self.site.config.per_page;
        let total = self.site.pages_for(ids.len());
        let slice: Vec<Value> = ids
            .iter()
            .skip((n - 1) * per)
            .take(per)
            .map(|&i| self.summary_of(i).0.clone())
            .collect();
        ctx.insert_value("posts", Value::from(slice));
        ctx.insert("pager", &PagerView::new(base, n, total, &self.site.config));
    }

    /// Renders one job into its outputs.
    pub fn render(&self, job: &Job) -> Result<Vec<Output>, Diagnostic> {
        let site = self.site;
        let config = &site.config;
        let strings = &site.theme.strings;
        let posts = &site.content.posts;
        Ok(match job {
            Job::Post(i) | Job::Page(i) => {
                let (e, kind) = match job {
                    Job::Post(_) => (&posts[*i], "post"),
                    _ => (&site.content.pages[*i], "page"),
                };
                let mut ctx = Context::new();
                if let Job::Post(i) = job {
                    let mut meta = self.meta(
                        "post",
                        e.title.clone(),
                        self.summary_of(*i).1.clone(),
                        &e.path,
                    );
                    let link = |j: usize| LinkView {
                        name: posts[j].title.clone(),
                        url: config.url_for(&posts[j].path),
                    };
                    // Posts are newest first: the previous (older) one is i+1.
                    ctx.insert("prev", &(i + 1 < posts.len()).then(|| link(i + 1)));
                    ctx.insert("next", &(*i > 0).then(|| link(i - 1)));
                    let conv =
                        ConversationView::new(e, config, strings, site.now, &site.conversation);
                    if let Some(c) = &conv {
                        meta.feeds.push(FeedLink {
                            r#type: "application/atom+xml".into(),
                            href: c.feed.clone(),
                            title: self
                                .t("comments_feed_title", None)
                                .replace("{title}", &e.title),
                        });
                    }
                    ctx.insert("conversation", &conv);
                    ctx.insert("page", &meta);
                    ctx.insert_value("post", self.summary_of(*i).0.clone());
                } else {
                    let view = EntryView::new(e, config, strings);
                    ctx.insert(
                        "page",
                        &self.meta(kind, e.title.clone(), view.description.clone(), &e.path),
                    );
                    ctx.insert("post", &view);
                }
                ctx.insert_value("content", Value::safe_string(&e.rendered.html));
                let name = if kind == "post" {
                    "post.html"
                } else {
                    "page.html"
                };
                vec![html(
                    &e.path,
                    self.tpl_sized(name, &ctx, &e.source, e.rendered.html.len() + 12 * 1024)?,
                )]
            }
            Job::Index(n) => {
                let mut ctx = Context::new();
                let title = if *n == 1 {
                    config.title.clone()
                } else {
                    format!("{} — {}", config.title, self.t("page_n", Some(*n as i64)))
                };
                let path = pager_path("/", *n);
                ctx.insert(
                    "page",
                    &self.meta("index", title, config.description.clone(), &path),
                );
                let ids: Vec<usize> = (0..posts.len()).collect();
                self.list_page(&mut ctx, "/", &ids, *n);
                vec![html(&path, self.tpl("index.html", &ctx, "")?)]
            }
            Job::Terms(tax) => {
                let terms: Vec<TermView> = site
                    .terms(*tax)
                    .iter()
                    .map(|t| TermView {
                        name: t.name.clone(),
                        url: config.url_for(&t.path(*tax)),
                        count: t.posts.len(),
                        count_text: self.t("post_count", Some(t.posts.len() as i64)),
                    })
                    .collect();
                let path = format!("/{}/", tax.segment());
                let mut ctx = Context::new();
                ctx.insert(
                    "page",
                    &self.meta("terms", self.t(tax.segment(), None), String::new(), &path),
                );
                ctx.insert("taxonomy", tax.segment());
                ctx.insert("terms", &terms);
                vec![html(&path, self.tpl("terms.html", &ctx, "")?)]
            }
            Job::Term(tax, t, n) => {
                let term = &site.terms(*tax)[*t];
                let base = term.path(*tax);
                let path = pager_path(&base, *n);
                let heading = self
                    .t(&format!("{}_heading", tax.segment()), None)
                    .replace("{name}", &term.name);
                let mut title = heading.clone();
                if *n > 1 {
                    title = format!("{title} — {}", self.t("page_n", Some(*n as i64)));
                }
                let mut meta = self.meta("term", title, String::new(), &path);
                meta.feeds.push(FeedLink {
                    r#type: "application/atom+xml".into(),
                    href: config.url_for(&format!("{base}feed.xml")),
                    title: format!("{} — {}", config.title, heading),
                });
                let mut ctx = Context::new();
                ctx.insert("page", &meta);
                ctx.insert("taxonomy", tax.segment());
                ctx.insert(
                    "term",
                    &TermView {
                        name: term.name.clone(),
                        url: config.url_for(&base),
                        count: term.posts.len(),
                        count_text: self.t("post_count", Some(term.posts.len() as i64)),
                    },
                );
                ctx.insert("heading", &heading);
                self.list_page(&mut ctx, &base, &term.posts, *n);
                vec![html(&path, self.tpl("term.html", &ctx, "")?)]
            }
            Job::SiteFeeds => {
                let ids: Vec<usize> = (0..posts.len().min(config.feed_limit)).collect();
                let f = |p: &'static str| feeds::FeedInfo {
                    title: &config.title,
                    description: &config.description,
                    page: "/",
                    self_path: p,
                };
                let c = &self.feed_items;
                vec![
                    Output {
                        path: "feed.xml".into(),
                        body: Body::Bytes(
                            feeds::atom(config, &f("/feed.xml"), posts, &ids, c).into_bytes(),
                        ),
                    },
                    Output {
                        path: "rss.xml".into(),
                        body: Body::Bytes(
                            feeds::rss(config, &f("/rss.xml"), posts, &ids, c).into_bytes(),
                        ),
                    },
                    Output {
                        path: "feed.json".into(),
                        body: Body::Bytes(
                            feeds::json(config, &f("/feed.json"), posts, &ids).into_bytes(),
                        ),
                    },
                ]
            }
            Job::TermFeeds(tax, t) => {
                let term = &site.terms(*tax)[*t];
                let base = term.path(*tax);
                let ids: Vec<usize> = term.posts.iter().take(config.feed_limit).copied().collect();
                let title = format!(
                    "{} — {}",
                    config.title,
                    self.t(&format!("{}_heading", tax.segment()), None)
                        .replace("{name}", &term.name)
                );
                let paths = [
                    format!("{base}feed.xml"),
                    format!("{base}rss.xml"),
                    format!("{base}feed.json"),
                ];
                let infos: Vec<feeds::FeedInfo<'_>> = paths
                    .iter()
                    .map(|p| feeds::FeedInfo {
                        title: &title,
                        description: "",
                        page: &base,
                        self_path: p,
                    })
                    .collect();
                let c = &self.feed_items;
                vec![
                    Output {
                        path: file_of(&paths[0]),
                        body: Body::Bytes(
                            feeds::atom(config, &infos[0], posts, &ids, c).into_bytes(),
                        ),
                    },
                    Output {
                        path: file_of(&paths[1]),
                        body: Body::Bytes(
                            feeds::rss(config, &infos[1], posts, &ids, c).into_bytes(),
                        ),
                    },
                    Output {
                        path: file_of(&paths[2]),
                        body: Body::Bytes(feeds::json(config, &infos[2], posts, &ids).into_bytes()),
                    },
                ]
            }
            Job::CommentsFeed(i) => {
                use crate::conversation::feed::{self as cfeed, FeedHead, PostRef};
                let e = &posts[*i];
                let title = self
                    .t("comments_feed_title", None)
                    .replace("{title}", &e.title);
                let self_path = format!("{}comments.xml", e.path);
                let mut items = site.conversation.page(&config.url_for(&e.path));
                items.reverse();
                let items: Vec<_> = items
                    .into_iter()
                    .map(|it| {
                        let post = PostRef {
                            title: &e.title,
                            path: &e.path,
                        };
                        (it, post)
                    })
                    .collect();
                let head = FeedHead {
                    title: &title,
                    self_path: &self_path,
                    page: &e.path,
                    fallback_updated: e.last_modified().map(|d| d.rfc3339()),
                };
                vec![Output {
                    path: file_of(&self_path),
                    body: Body::Bytes(cfeed::atom(config, strings, &head, &items).into_bytes()),
                }]
            }
            Job::SiteCommentsFeed => {
                use crate::conversation::feed::{self as cfeed, FeedHead, PostRef};
                let by_page: std::collections::HashMap<String, &crate::content::Entry> =
                    posts.iter().map(|e| (config.url_for(&e.path), e)).collect();
                let items: Vec<_> = site
                    .conversation
                    .newest()
                    .into_iter()
                    .filter(|it| !it.kind.is_reaction())
                    .filter_map(|it| {
                        let e = by_page.get(&it.page)?;
                        let post = PostRef {
                            title: &e.title,
                            path: &e.path,
                        };
                        Some((it, post))
                    })
                    .take(config.feed_limit)
                    .collect();
                let title = self
                    .t("site_comments_feed_title", None)
                    .replace("{title}", &config.title);
                let head = FeedHead {
                    title: &title,
                    self_path: cfeed::SITE_FEED,
                    page: "/",
                    fallback_updated: None,
                };
                vec![Output {
                    path: file_of(cfeed::SITE_FEED),
                    body: Body::Bytes(cfeed::atom(config, strings, &head, &items).into_bytes()),
                }]
            }
            Job::Aliases(kind, i) => {
                let e = if *kind == Kind::Post {
                    &posts[*i]
                } else {
                    &site.content.pages[*i]
                };
                let mut out = Vec::new();
                // A query (`/?p=101`) cannot be a file: the redirect map covers it.
                for a in e.aliases.iter().filter(|a| !a.contains('?')) {
                    let mut ctx = Context::new();
                    let mut meta = self.meta("alias", e.title.clone(), String::new(), &e.path);
                    meta.noindex = true;
                    ctx.insert("page", &meta);
                    ctx.insert("target", &config.abs_url(&e.path));
                    out.push(html(a, self.tpl("alias.html", &ctx, &e.source)?));
                }
                out
            }
            Job::Sitemap => {
                let mut urls = vec![sitemap::SitemapUrl {
                    path: "/".into(),
                    lastmod: posts
                        .first()
                        .and_then(|p| p.last_modified())
                        .map(|d| d.rfc3339()),
                }];
                for e in posts.iter().chain(site.content.pages.iter()) {
                    urls.push(sitemap::SitemapUrl {
                        path: e.path.clone(),
                        lastmod: e.last_modified().map(|d| d.rfc3339()),
                    });
                }
                for tax in Taxonomy::ALL {
                    for t in site.terms(tax) {
                        urls.push(sitemap::SitemapUrl {
                            path: t.path(tax),
                            lastmod: t
                                .posts
                                .first()
                                .and_then(|&i| posts[i].last_modified())
                                .map(|d| d.rfc3339()),
                        });
                    }
                }
                vec![Output {
                    path: "sitemap.xml".into(),
                    body: Body::Bytes(sitemap::sitemap(config, &urls).into_bytes()),
                }]
            }
            Job::RedirectMap => vec![Output {
                path: sitemap::REDIRECT_MAP.trim_start_matches('/').into(),
                body: Body::Bytes(sitemap::redirect_map(config, &site.content).into_bytes()),
            }],
            Job::Robots => vec![Output {
                path: "robots.txt".into(),
                body: Body::Bytes(sitemap::robots(config).into_bytes()),
            }],
            Job::Manifest => vec![Output {
                path: "causerie-pages.json".into(),
                body: Body::Bytes(
                    sitemap::pages_manifest(config, &site.content, site.now).into_bytes(),
                ),
            }],
            Job::NotFound => {
                let mut ctx = Context::new();
                let mut meta = self.meta(
                    "404",
                    self.t("not_found_title", None),
                    String::new(),
                    "/404.html",
                );
                meta.noindex = true;
                ctx.insert("page", &meta);
                vec![Output {
                    path: "404.html".into(),
                    body: Body::Bytes(self.tpl("404.html", &ctx, "")?),
                }]
            }
            Job::ThemeStatic => {
                let own: std::collections::HashSet<&str> =
                    site.content.files.iter().map(|f| f.out.as_str()).collect();
                site.theme
                    .static_files
                    .iter()
                    .filter(|(out, _)| !own.contains(out.as_str()))
                    .map(|(out, src)| Output {
                        path: out.clone(),
                        body: match src {
                            FileSource::Embedded(b) => Body::Static(b),
                            FileSource::Disk(p) => Body::Copy(p.clone()),
                        },
                    })
                    .collect()
            }
            Job::Files => site
                .content
                .files
                .iter()
                .map(|f| Output {
                    path: f.out.clone(),
                    body: Body::Copy(f.src.clone()),
                })
                .collect(),
            Job::Assets(kind, i) => {
                let e = if *kind == Kind::Post {
                    &posts[*i]
                } else {
                    &site.content.pages[*i]
                };
                e.assets
                    .iter()
                    .map(|(src, rel)| Output {
                        path: format!("{}{}", e.path.trim_start_matches('/'), rel),
                        body: Body::Copy(src.clone()),
                    })
                    .collect()
            }
        })
    }
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
    jobs
}
