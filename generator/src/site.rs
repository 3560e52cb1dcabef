//! The build as a recipe: [`Site::load`] reads config, theme and content
//! once into plain data; [`Site::render_markdown`] does the per-entry
//! expensive work; [`Site::check_links`] validates; then `render` turns the
//! model into outputs and `write` puts them on disk.

use rayon::prelude::*;
use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::config::{self, Config};
use crate::content::{self, Content, Entry, LoadOptions};
use crate::error::Diagnostic;
use crate::markdown;
use crate::theme::{self, Theme};

/// Settings of one build that do not come from `causerie.toml`.
#[derive(Debug, Clone, Default)]
pub struct BuildOptions {
    pub drafts: bool,
    pub base_url: Option<String>,
    /// "Now" for scheduled posts and closing comments; the clock by default.
    pub now: Option<jiff::Timestamp>,
}

/// What a build did, for the one-line summary.
#[derive(Debug, Clone)]
pub struct BuildReport {
    pub pages: usize,
    pub files: usize,
    pub posts: usize,
    pub drafts: usize,
    pub scheduled: usize,
    pub elapsed: Duration,
}

impl std::fmt::Display for BuildReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "built {} pages and {} other files ({} posts",
            self.pages, self.files, self.posts
        )?;
        if self.drafts > 0 {
            write!(f, ", {} drafts skipped", self.drafts)?;
        }
        if self.scheduled > 0 {
            write!(f, ", {} scheduled", self.scheduled)?;
        }
        write!(f, ") in {:.2} s", self.elapsed.as_secs_f64())
    }
}

/// Tags or categories.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Taxonomy {
    Tags,
    Categories,
}

impl Taxonomy {
    pub const ALL: [Taxonomy; 2] = [Taxonomy::Tags, Taxonomy::Categories];
    /// The URL segment, `tags` or `categories`.
    pub fn segment(self) -> &'static str {
        match self {
            Taxonomy::Tags => "tags",
            Taxonomy::Categories => "categories",
        }
    }
}

/// One tag or category with its posts (indices into `content.posts`, newest first).
#[derive(Debug, Clone)]
pub struct Term {
    pub name: String,
    pub slug: String,
    pub posts: Vec<usize>,
}

impl Term {
    pub fn path(&self, tax: Taxonomy) -> String {
        format!("/{}/{}/", tax.segment(), self.slug)
    }
}

/// The whole site in memory.
pub struct Site {
    pub root: PathBuf,
    pub config: Config,
    pub content: Content,
    pub theme: Theme,
    pub tags: Vec<Term>,
    pub categories: Vec<Term>,
    pub now: jiff::Timestamp,
    /// Approved comments and Webmentions to bake (empty until
    /// [`crate::conversation::sync`] fills it in a build).
    pub conversation: crate::conversation::Conversations,
}

impl Site {
    /// Reads config, theme and content of the site at `root`, without
    /// rendering markdown (for callers that bring their own cache and then
    /// call [`Site::render_markdown_where`]). Config and theme problems stop
    /// here (`Err`); content problems are returned beside the site so that
    /// later checks (links) still run over the good files.
    pub fn load(
        root: &Path,
        opts: &BuildOptions,
    ) -> Result<(Site, Vec<Diagnostic>), Vec<Diagnostic>> {
        Site::load_with(root, opts, Render::No, None, None)
    }

    /// [`Site::load`] that takes unchanged entries from an earlier load
    /// (see [`content::LoadOptions::reuse`]) instead of reading them.
    pub fn load_reusing(
        root: &Path,
        opts: &BuildOptions,
        reuse: &content::Reuse<'_>,
        walked: Option<content::Walk>,
    ) -> Result<(Site, Vec<Diagnostic>), Vec<Diagnostic>> {
        Site::load_with(root, opts, Render::No, Some(reuse), walked)
    }

    /// [`Site::load_reusing`] that renders the markdown of every entry it
    /// reads as soon as it is read (reused entries keep theirs): for a cold
    /// cache, so the sources are never all in memory together. `then`
    /// runs on each entry right after (the build moves its HTML to disk
    /// there, so not all of it is in memory together either).
    pub fn load_reusing_rendered(
        root: &Path,
        opts: &BuildOptions,
        reuse: &content::Reuse<'_>,
        then: Option<&(dyn Fn(&mut Entry) + Sync)>,
        walked: Option<content::Walk>,
    ) -> Result<(Site, Vec<Diagnostic>), Vec<Diagnostic>> {
        Site::load_with(root, opts, Render::Then(then), Some(reuse), walked)
    }

    /// [`Site::load`] that also renders each entry's markdown as soon as it
    /// is read, so the sources of all posts are never in memory together
    /// (a full build uses this: it keeps peak memory down).
    pub fn load_rendered(
        root: &Path,
        opts: &BuildOptions,
    ) -> Result<(Site, Vec<Diagnostic>), Vec<Diagnostic>> {
        Site::load_with(root, opts, Render::Then(None), None, None)
    }

    fn load_with(
        root: &Path,
        opts: &BuildOptions,
        render: Render<'_>,
        reuse: Option<&content::Reuse<'_>>,
        walked: Option<content::Walk>,
    ) -> Result<(Site, Vec<Diagnostic>), Vec<Diagnostic>> {
        let config_path = root.join(config::FILE);
        let text = std::fs::read_to_string(&config_path)
            .map_err(|e| vec![config::unreadable(root, &config_path, &e)])?;
        let mut config = Config::parse(config::FILE, &text)?;
        if let Some(url) = &opts.base_url {
            config
                .set_base_url(url)
                .map_err(|m| vec![Diagnostic::new("--base-url", 0, m)])?;
        }
        let now = opts.now.unwrap_or_else(jiff::Timestamp::now);
        let theme = theme::load(root, &config, &text);
        let highlight = config.highlight;
        let base_path = config.base_path().to_string();
        let markdown = |e: &mut Entry| {
            render_entry(e, highlight, &base_path);
            if let Render::Then(Some(then)) = render {
                then(e);
            }
        };
        let render = !matches!(render, Render::No);
        let (content, errors) = content::load(
            root,
            &config,
            LoadOptions {
                drafts: opts.drafts,
                now,
                each: if render { Some(&markdown) } else { None },
                reuse,
            },
            walked,
        );
        let theme = match theme {
            Ok(t) => t,
            Err(mut e) => {
                e.extend(errors);
                return Err(e);
            }
        };
        let slugs = config.slug_mode();
        let t = std::time::Instant::now();
        let (tags, categories) = rayon::join(
            || index_terms(&content, slugs, |e| &e.tags),
            || index_terms(&content, slugs, |e| &e.categories),
        );
        crate::profile::phase("  terms", t);
        Ok((
            Site {
                root: root.to_path_buf(),
                config,
                content,
                theme,
                tags,
                categories,
                now,
                conversation: Default::default(),
            },
            errors,
        ))
    }

    pub fn terms(&self, tax: Taxonomy) -> &[Term] {
        match tax {
            Taxonomy::Tags => &self.tags,
            Taxonomy::Categories => &self.categories,
        }
    }

    /// Markdown for every entry not rendered yet (the loader renders them as
    /// it reads them; this is for entries whose body was set afterwards).
    /// Each result depends only on the entry's body and
    /// [`markdown::Options`], so it can be cached by [`Entry::hash`].
    pub fn render_markdown(&mut self) {
        let highlight = self.config.highlight;
        let base_path = self.config.base_path().to_string();
        let work = |e: &mut Entry| {
            if !e.body.is_empty() {
                render_entry(e, highlight, &base_path);
            }
        };
        self.content.posts.par_iter_mut().for_each(work);
        self.content.pages.par_iter_mut().for_each(work);
    }

    /// Renders the markdown of the entries for which `pred` holds (cache
    /// misses), in parallel; the others are left as they are.
    pub fn render_markdown_where(&mut self, pred: impl Fn(&Entry) -> bool + Sync) {
        let highlight = self.config.highlight;
        let base_path = self.config.base_path().to_string();
        let work = |e: &mut Entry| {
            if pred(e) {
                render_entry(e, highlight, &base_path);
            }
        };
        self.content.posts.par_iter_mut().for_each(work);
        self.content.pages.par_iter_mut().for_each(work);
    }

    /// Number of pager pages for `n` items.
    pub fn pages_for(&self, n: usize) -> usize {
        n.div_ceil(self.config.per_page).max(1)
    }

    /// Recomputes the tag and category lists from the posts (after an
    /// incremental rebuild changed some of them in place).
    pub fn reindex_terms(&mut self) {
        let slugs = self.config.slug_mode();
        self.tags = index_terms(&self.content, slugs, |e| &e.tags);
        self.categories = index_terms(&self.content, slugs, |e| &e.categories);
    }
}

/// Whether a load renders markdown as it reads, and what runs after.
#[derive(Clone, Copy)]
enum Render<'a> {
    No,
    Then(Option<&'a (dyn Fn(&mut Entry) + Sync)>),
}

/// Renders one entry's markdown and frees its source.
fn render_entry(e: &mut Entry, highlight: bool, base_path: &str) {
    let opts = markdown::Options {
        highlight,
        page_path: &e.path,
        base_path,
        first_line: e.body_line,
    };
    e.rendered = markdown::render(&e.body, &opts);
    e.body = String::new();
}

fn index_terms(
    content: &Content,
    slugs: crate::config::Slugify,
    field: impl for<'e> Fn(&'e Entry) -> &'e Vec<String>,
) -> Vec<Term> {
    // A site has few distinct names, each on many posts (400 000 tag uses
    // at 100 000 posts): each name is slugified and found once.
    // The fast hash: names are the author's own, and SipHash over 400 000
    // uses was most of this.
    let mut terms: Vec<Term> = Vec::new();
    let mut by_slug: crate::hash::FpMap<String, usize> = Default::default();
    let mut by_name: crate::hash::FpMap<&str, Option<usize>> = Default::default();
    for (i, e) in content.posts.iter().enumerate() {
        for name in field(e) {
            let at = *by_name.entry(name.as_str()).or_insert_with(|| {
                let slug = crate::slug::make(name, slugs);
                if slug.is_empty() {
                    return None;
                }
                // Names that slugify alike are one term, named as first seen.
                Some(*by_slug.entry(slug.clone()).or_insert_with(|| {
                    terms.push(Term {
                        name: name.clone(),
                        slug,
                        posts: Vec::new(),
                    });
                    terms.len() - 1
                }))
            });
            let Some(at) = at else { continue };
            let t = &mut terms[at];
            if t.posts.last() != Some(&i) {
                t.posts.push(i);
            }
        }
    }
    terms.sort_by(|a, b| a.slug.cmp(&b.slug));
    terms
}

/// Site path of pager page `n` (1-based) of a list whose first page is `base`.
pub fn pager_path(base: &str, n: usize) -> String {
    if n <= 1 {
        base.to_string()
    } else {
        format!("{base}page/{n}/")
    }
}
