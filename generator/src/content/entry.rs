//! One content file, read and parsed: front matter validated, the entry's
//! path, slug and dates decided. Loading ([`super::load`]) runs this per
//! file; the incremental engine runs [`parse_entry`] on cached text.

use super::*;
use crate::slug;

pub(super) fn read_entry(f: Found, slugs: Slugify) -> Result<Entry, Vec<Diagnostic>> {
    let source = f.source;
    let text = match std::fs::read_to_string(&f.src) {
        Ok(t) => t,
        Err(e) => {
            return Err(vec![Diagnostic::new(
                source,
                0,
                format!("cannot read: {e}"),
            )]);
        }
    };
    parse_entry(source, f.kind, &f.stem, f.bundle, &text, slugs)
}

/// Parses one content file: `source` is its path for messages, `stem` its
/// path under `content/` without extension.
pub fn parse_entry(
    source: String,
    kind: Kind,
    stem: &str,
    _bundle: bool,
    text: &str,
    slugs: Slugify,
) -> Result<Entry, Vec<Diagnostic>> {
    let split = front_matter::split(text)
        .map_err(|(line, msg)| vec![Diagnostic::new(&source, line, msg)])?;
    if split.format == front_matter::Format::None {
        // "missing required key `title`" would send a new author looking for
        // a key when what is missing is the whole block.
        return Err(vec![Diagnostic::new(
            &source,
            1,
            front_matter::missing_message(kind == Kind::Post),
        )]);
    }
    let (fm, mut errors) = front_matter::parse(&source, &split);
    let first = fm.start_line.max(1);
    if fm.title.as_deref().is_none_or(|t| t.trim().is_empty())
        && !errors.iter().any(|e| e.message.starts_with("title:"))
    {
        errors.push(Diagnostic::new(
            &source,
            first,
            "missing required key `title`",
        ));
    }
    if kind == Kind::Post
        && fm.date.is_none()
        && !errors.iter().any(|e| e.message.starts_with("date:"))
    {
        errors.push(Diagnostic::new(
            &source,
            first,
            "missing required key `date`",
        ));
    }
    if let Some(l) = &fm.language
        && !crate::config::valid_language(l)
    {
        errors.push(Diagnostic::new(
            &source,
            fm.line_of("language"),
            format!("language: expected a BCP 47 tag such as \"fa\", found {l:?}"),
        ));
    }
    let last = stem.rsplit('/').next().unwrap_or(stem);
    let slug = match &fm.slug {
        Some(s) => {
            let sl = slug::make(s, slugs);
            if sl.is_empty() {
                errors.push(Diagnostic::new(
                    &source,
                    fm.line_of("slug"),
                    format!("slug: {s:?} has no letters or digits"),
                ));
            }
            sl
        }
        None => {
            let sl = slug::make(last, slugs);
            if sl.is_empty() {
                errors.push(Diagnostic::new(
                    &source,
                    first,
                    "file name has no letters or digits: set `slug`",
                ));
            }
            sl
        }
    };
    for a in &fm.aliases {
        if !a.starts_with('/') || a.contains("..") || a.contains("://") {
            errors.push(Diagnostic::new(
                &source,
                fm.line_of("aliases"),
                format!("aliases: {a:?} must be a site path starting with `/`"),
            ));
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    let path = match kind {
        Kind::Post => format!("/posts/{slug}/"),
        Kind::Page => {
            let dir = parent_of(stem);
            let segs: Vec<String> = dir
                .split('/')
                .filter(|s| !s.is_empty())
                .map(|s| slug::make(s, slugs))
                .collect();
            if segs.is_empty() {
                format!("/{slug}/")
            } else {
                format!("/{}/{slug}/", segs.join("/"))
            }
        }
    };
    Ok(Entry {
        kind,
        title: fm.title.clone().unwrap_or_default(),
        date: fm.date,
        updated: fm.updated,
        draft: fm.draft,
        slug,
        path,
        summary: fm.summary.clone(),
        tags: fm.tags.clone(),
        categories: fm.categories.clone(),
        aliases: fm.aliases.clone(),
        comments: fm.comments,
        language: fm.language.clone(),
        body: split.body.to_string(),
        body_line: split.body_line,
        hash: content_hash(text.as_bytes()),
        assets: Vec::new(),
        rendered: RenderedBody::default(),
        front: fm,
        source,
    })
}
