//! The whole import, planned in memory: each record gets its slug (old slug,
//! else a slug of its title; `-2`, `-3` in document order when taken), its
//! aliases (minus any that would shadow a page), its markdown and its files.
//! Nothing here writes.

use std::collections::{BTreeSet, HashSet};
use std::path::{Path, PathBuf};

use rayon::prelude::*;
use serde::Serialize;

use super::body::{self, Converted};
use super::media::Media;
use super::shortcodes::Context;
use super::{Export, Options, Record, Summary, wxr};
use crate::config::{self, Config};
use crate::content::Kind;
use crate::error::{Error, Result};
use crate::slug::slugify;

/// What a file will hold.
#[derive(Debug, Clone)]
pub enum Body {
    Text(String),
    Copy(PathBuf),
}

/// One file to write, relative to the site root.
#[derive(Debug, Clone)]
pub struct File {
    pub rel: String,
    pub body: Body,
}

/// A post as it will be published, for `webmentions.json`.
#[derive(Debug, Clone)]
pub struct Published {
    /// Site path (`/posts/x/`).
    pub path: String,
    pub markdown: String,
    pub date: String,
}

/// Everything the import will do.
#[derive(Debug)]
pub struct Plan {
    pub files: Vec<File>,
    /// Files an earlier import wrote that this one replaces (a post that
    /// becomes a bundle): removed when the author did not edit them.
    pub remove: Vec<String>,
    pub published: Vec<Published>,
    pub config: Config,
    pub summary: Summary,
}

/// Page slugs that would shadow the generator's own pages.
const RESERVED: &[&str] = &["posts", "tags", "categories", "_causerie", "404"];

/// Plans the import of `export` into the site at `opts.root`.
pub fn plan(opts: &Options, export: Export) -> Result<Plan> {
    let config = load_config(&opts.root)?;
    let shown = opts.file.display().to_string();
    let mut summary = Summary {
        dry_run: opts.dry_run,
        ..Summary::default()
    };
    let mut records = export.records;
    records.retain(|r| {
        let keep = r.kind == Kind::Page || r.date.is_some();
        if !keep {
            summary.notes.push(format!(
                "{shown}:{}: post {:?} has no date: skipped",
                r.line, r.title
            ));
        }
        keep
    });

    // Slugs, in document order.
    let imported = super::state::State::load(&opts.root)?;
    let mut taken: HashSet<String> = RESERVED.iter().map(|s| s.to_string()).collect();
    let mut slugs = Vec::with_capacity(records.len());
    for r in &records {
        let mut base = slugify(&r.slug);
        if base.is_empty() {
            base = slugify(&crate::escape::decode_entities(&r.title));
        }
        if base.is_empty() {
            base = match r.kind {
                Kind::Post => format!("post-{}", slugify(&r.id)),
                Kind::Page => format!("page-{}", slugify(&r.id)),
            };
        }
        let key = |s: &str| match r.kind {
            Kind::Post => format!("posts/{s}"),
            Kind::Page => s.to_string(),
        };
        // A file the import did not write (the author's own) also takes a slug.
        let foreign = |s: &str| {
            let k = key(s);
            [format!("content/{k}.md"), format!("content/{k}/index.md")]
                .iter()
                .any(|f| opts.root.join(f).exists() && !imported.files.contains_key(f))
        };
        let mut slug = base.clone();
        let mut n = 1;
        while taken.contains(&key(&slug)) || foreign(&slug) {
            n += 1;
            slug = format!("{base}-{n}");
        }
        if n > 1 {
            summary.notes.push(format!(
                "{shown}:{}: slug `{base}` is taken: {} {:?} is imported as `{slug}`",
                r.line,
                kind_name(r.kind),
                crate::escape::decode_entities(&r.title)
            ));
        }
        taken.insert(key(&slug));
        slugs.push(slug);
    }
    let paths: Vec<String> = records
        .iter()
        .zip(&slugs)
        .map(|(r, s)| match r.kind {
            Kind::Post => format!("/posts/{s}/"),
            Kind::Page => format!("/{s}/"),
        })
        .collect();
    // An alias may not be a page's own path (imported, or already in the
    // site, like the `/about/` that `causerie init` writes), nor claimed twice.
    let own: BTreeSet<&str> = paths.iter().map(String::as_str).collect();
    let in_site = |a: &str| {
        let stem = a.trim_matches('/');
        !stem.is_empty()
            && !stem.contains('?')
            && [
                format!("content/{stem}.md"),
                format!("content/{stem}/index.md"),
            ]
            .iter()
            .any(|f| opts.root.join(f).is_file() && !imported.files.contains_key(f))
    };
    let mut claimed = BTreeSet::new();
    let aliases: Vec<Vec<String>> = records
        .iter()
        .map(|r| {
            r.aliases
                .iter()
                .filter(|a| a.starts_with('/') && !a.contains("..") && a.as_str() != "/")
                .filter(|a| !own.contains(a.as_str()) && !in_site(a))
                .filter(|a| claimed.insert(a.to_string()))
                .cloned()
                .collect()
        })
        .collect();

    // Bodies, in parallel.
    let (by_id, by_parent) = wxr::index(&export.attachments);
    let lookup = |id: &str| by_id.get(id).map(|u| u.to_string());
    let old = url::Url::parse(&export.old_site).ok();
    let old_host = old
        .as_ref()
        .and_then(|u| u.host_str().map(str::to_string))
        .unwrap_or_default();
    let old_origin = old
        .filter(|u| u.host().is_some())
        .map(|u| u.origin().ascii_serialization())
        .unwrap_or_default();
    let moved: std::collections::HashMap<String, String> = aliases
        .iter()
        .zip(&paths)
        .flat_map(|(a, p)| a.iter().map(move |a| (a.clone(), p.clone())))
        .collect();
    let media = Media {
        dir: opts.media.as_deref(),
        old_host,
        old_origin,
        moved: &moved,
    };
    let bar = progress(opts.progress, records.len());
    let converted: Vec<Converted> = records
        .par_iter()
        .map(|r| {
            let cx = Context {
                by_id: &lookup,
                attached: by_parent
                    .get(r.id.as_str())
                    .map(|v| v.iter().map(|s| s.to_string()).collect())
                    .unwrap_or_default(),
            };
            let c = body::convert(r, &cx, &media);
            bar.inc(1);
            c
        })
        .collect();
    bar.finish_and_clear();

    let now = jiff::Timestamp::now();
    let mut files = Vec::new();
    let mut remove = Vec::new();
    let mut published = Vec::new();
    for (((r, slug), (aliases, path)), c) in records
        .iter()
        .zip(&slugs)
        .zip(aliases.into_iter().zip(paths))
        .zip(converted)
    {
        for (line, name) in &c.unknown {
            summary.notes.push(format!(
                "{shown}:{line}: unknown shortcode [{name}] in {} \"{slug}\"",
                kind_name(r.kind)
            ));
        }
        summary.media_left += c.media.left.len();
        summary.media_files += c.media.copies.len();
        match (r.kind, r.draft) {
            (_, true) => summary.drafts += 1,
            (Kind::Post, false) => summary.posts += 1,
            (Kind::Page, false) => summary.pages += 1,
        }
        let stem = match r.kind {
            Kind::Post => format!("content/posts/{slug}"),
            Kind::Page => format!("content/{slug}"),
        };
        let (flat, bundle) = (format!("{stem}.md"), format!("{stem}/index.md"));
        let md_file = if c.media.copies.is_empty() {
            // Imported with --media before: the bundle stays, not a second copy.
            if opts.root.join(&bundle).exists() && imported.files.contains_key(&bundle) {
                summary.notes.push(format!(
                    "{shown}:{}: {bundle} was imported with its media: left as it is \
                     (give --media to update it)",
                    r.line
                ));
                continue;
            }
            flat
        } else {
            // Imported without --media before: the bundle replaces the file.
            if opts.root.join(&flat).exists() {
                remove.push(flat);
            }
            bundle
        };
        files.push(File {
            rel: md_file,
            body: Body::Text(content_file(r, &aliases, &c.markdown)?),
        });
        for (name, src) in &c.media.copies {
            files.push(File {
                rel: format!("{stem}/{name}"),
                body: Body::Copy(src.clone()),
            });
        }
        let date = r.date.clone().unwrap_or_default();
        let due = date.parse::<jiff::Timestamp>().is_ok_and(|d| d <= now);
        if r.kind == Kind::Post && !r.draft && due {
            published.push(Published {
                path,
                markdown: c.markdown,
                date,
            });
        }
    }
    // Warnings in file order.
    summary.notes.sort_by_key(|n| {
        n.get(shown.len() + 1..)
            .and_then(|r| r.split(':').next())
            .and_then(|l| l.parse::<usize>().ok())
            .unwrap_or(0)
    });
    Ok(Plan {
        files,
        remove,
        published,
        config,
        summary,
    })
}

fn kind_name(k: Kind) -> &'static str {
    match k {
        Kind::Post => "post",
        Kind::Page => "page",
    }
}

fn load_config(root: &Path) -> Result<Config> {
    let file = root.join(config::FILE);
    let text = std::fs::read_to_string(&file).map_err(|e| {
        Error::Other(format!(
            "{}: {e} (import into a site: run `causerie init` first)",
            file.display()
        ))
    })?;
    Config::parse(config::FILE, &text).map_err(Error::Content)
}

/// The front matter the generator reads (TOML), in a stable key order.
#[derive(Serialize)]
struct Front<'a> {
    title: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    date: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    updated: Option<&'a str>,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    draft: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    summary: Option<&'a str>,
    #[serde(skip_serializing_if = "<[String]>::is_empty")]
    tags: &'a [String],
    #[serde(skip_serializing_if = "<[String]>::is_empty")]
    categories: &'a [String],
    #[serde(skip_serializing_if = "<[String]>::is_empty")]
    aliases: &'a [String],
    #[serde(skip_serializing_if = "Option::is_none")]
    comments: Option<&'a str>,
}

fn content_file(r: &Record, aliases: &[String], markdown: &str) -> Result<String> {
    let title = one_line(&crate::escape::decode_entities(&r.title));
    let title = if title.is_empty() {
        "Untitled".to_string()
    } else {
        title
    };
    let summary = r.summary.as_deref().map(one_line);
    let front = Front {
        title: &title,
        date: r.date.as_deref(),
        updated: r.updated.as_deref(),
        draft: r.draft,
        summary: summary.as_deref(),
        tags: &r.tags,
        categories: &r.categories,
        aliases,
        comments: r.comments_closed.then_some("closed"),
    };
    let toml = toml::to_string(&front).map_err(|e| Error::Other(format!("front matter: {e}")))?;
    let mut out = format!("+++\n{toml}+++\n");
    if !markdown.is_empty() {
        out.push('\n');
        out.push_str(markdown);
        out.push('\n');
    }
    Ok(out)
}

fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn progress(on: bool, len: usize) -> indicatif::ProgressBar {
    if !on {
        return indicatif::ProgressBar::hidden();
    }
    let bar = indicatif::ProgressBar::new(len as u64);
    if let Ok(style) =
        indicatif::ProgressStyle::with_template("converting {bar:30} {pos}/{len} entries")
    {
        bar.set_style(style);
    }
    bar
}
