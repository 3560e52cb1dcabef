//! `causerie import wordpress|blogger FILE`: an old blog's export into the
//! site's content.
//!
//! All or nothing: the export is read ([`wxr`], [`blogger`], both over the
//! streaming [`xml`] reader) and every file is planned in memory first
//! ([`plan`]); only when the whole plan stands is anything written
//! ([`write`]), each file through a temporary file and a rename. A broken
//! export is an error naming `FILE:line:column` and leaves the site as it was.
//!
//! Running it again is safe: `import-state.json` at the site root remembers
//! the hash of each file the import wrote, so an unchanged file is left
//! alone and a file the author edited since is kept and reported, never
//! overwritten. The links of the imported posts are recorded as already sent
//! in `webmentions.json` ([`mentions`]): the old blog pinged them years ago.

pub mod autop;
pub mod blogger;
pub mod body;
pub mod media;
pub mod mentions;
pub mod plan;
pub mod shortcodes;
pub mod state;
pub mod write;
pub mod wxr;
pub mod xml;

use std::path::PathBuf;

use crate::content::Kind;
use crate::error::{Error, Result};

/// Which export format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    WordPress,
    Blogger,
}

/// What `causerie import` was asked to do.
#[derive(Debug, Clone)]
pub struct Options {
    pub source: Source,
    pub file: PathBuf,
    pub root: PathBuf,
    /// A copy of `wp-content/uploads`.
    pub media: Option<PathBuf>,
    pub dry_run: bool,
    /// Leave `webmentions.json` alone, so the next send notifies every link.
    pub send_webmentions: bool,
    /// Draw a progress bar (only on a terminal).
    pub progress: bool,
}

/// How a record's HTML was written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BodyFormat {
    /// WordPress classic editor: no `<p>`, shortcodes, autop applies.
    Classic,
    /// WordPress block editor: HTML between `<!-- wp:… -->` comments.
    Blocks,
    /// Plain HTML (Blogger).
    Html,
}

/// One post or page of an export, format-independent.
#[derive(Debug, Clone)]
pub struct Record {
    pub kind: Kind,
    /// The old blog's id (`wp:post_id`), for `?p=ID` and messages.
    pub id: String,
    pub title: String,
    /// The slug the old blog used ("" when it had none, as drafts).
    pub slug: String,
    /// RFC 3339, UTC.
    pub date: Option<String>,
    pub updated: Option<String>,
    pub draft: bool,
    pub tags: Vec<String>,
    pub categories: Vec<String>,
    pub summary: Option<String>,
    pub comments_closed: bool,
    /// Old site paths (`/2019/05/x/`, `/?p=101`).
    pub aliases: Vec<String>,
    pub html: String,
    pub format: BodyFormat,
    /// Line of the record and of its body in the export.
    pub line: usize,
    pub body_line: usize,
}

/// A WordPress attachment (an uploaded file).
#[derive(Debug, Clone)]
pub struct Attachment {
    pub id: String,
    pub parent: String,
    pub url: String,
}

/// A whole export, read.
#[derive(Debug, Default)]
pub struct Export {
    pub records: Vec<Record>,
    pub attachments: Vec<Attachment>,
    /// Items that are neither posts nor pages (menus, revisions, trash…).
    pub skipped: usize,
    /// The old blog's URL.
    pub old_site: String,
}

/// Reads the export file at `file`; errors name `file:line:column`.
pub fn read(source: Source, file: &std::path::Path) -> Result<Export> {
    let bytes = std::fs::read(file).map_err(|e| Error::io(file, e))?;
    let shown = file.display().to_string();
    let text = match String::from_utf8(bytes) {
        Ok(t) => t,
        Err(e) => {
            let valid = e.utf8_error().valid_up_to();
            let text = String::from_utf8_lossy(&e.as_bytes()[..valid]).into_owned();
            let (l, c) = xml::position(&text, valid);
            return Err(Error::Other(format!(
                "{shown}:{l}:{c}: not UTF-8 (exports are UTF-8; was the file re-encoded?)"
            )));
        }
    };
    let r = match source {
        Source::WordPress => wxr::read(&text),
        Source::Blogger => blogger::read(&text),
    };
    r.map_err(|e| {
        let (l, c) = xml::position(&text, e.offset);
        Error::Other(format!("{shown}:{l}:{c}: {}", e.message))
    })
}

/// The path (and query) of a URL on the old site: `https://x/2019/a/?q` →
/// `/2019/a/?q`. `None` for anything that is not an absolute http(s) URL.
pub fn site_path(url: &str) -> Option<String> {
    let u = url::Url::parse(url.trim()).ok()?;
    if !matches!(u.scheme(), "http" | "https") {
        return None;
    }
    // A non-ASCII permalink (`/%d8%b3%d9%84/`) becomes its characters, the
    // file name a redirect page needs; the redirect map encodes it again.
    let decoded = percent_decode(u.path());
    let mut p = if decoded.contains(['?', '#', '\\', '%'])
        || decoded.chars().any(char::is_control)
        || decoded.contains('\u{fffd}')
        || decoded.matches('/').count() != u.path().matches('/').count()
    {
        u.path().to_string()
    } else {
        decoded
    };
    if let Some(q) = u.query() {
        p.push('?');
        p.push_str(q);
    }
    Some(p)
}

/// `%d8%b3` → `س` (WordPress stores non-ASCII slugs percent-encoded).
pub fn percent_decode(s: &str) -> String {
    if !s.contains('%') {
        return s.to_string();
    }
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        let hex = |c: u8| (c as char).to_digit(16);
        if b[i] == b'%'
            && i + 2 < b.len()
            && let (Some(h), Some(l)) = (hex(b[i + 1]), hex(b[i + 2]))
        {
            out.push((h * 16 + l) as u8);
            i += 3;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Plain text of an HTML fragment (excerpts).
pub fn plain_text(html: &str) -> String {
    crate::escape::decode_entities(&crate::escape::strip_tags(html))
}

/// An instant as `2019-05-04T09:12:00Z`.
pub fn utc(ts: jiff::Timestamp) -> String {
    ts.strftime("%Y-%m-%dT%H:%M:%SZ").to_string()
}

/// Counts and notes of one run, printed by the command.
#[derive(Debug, Default, Clone)]
pub struct Summary {
    pub posts: usize,
    pub pages: usize,
    pub drafts: usize,
    pub media_files: usize,
    /// Upload links left pointing at the old site.
    pub media_left: usize,
    pub written: usize,
    pub unchanged: usize,
    /// Files the author edited since the last import (kept as they are).
    pub kept: Vec<String>,
    /// `FILE:line: …` notes: slug collisions, unknown shortcodes.
    pub notes: Vec<String>,
    /// Links recorded as already sent in `webmentions.json`.
    pub mentions: usize,
    pub dry_run: bool,
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

impl std::fmt::Display for Summary {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "imported {}, {}, {}, {}",
            plural(self.posts, "post", "posts"),
            plural(self.pages, "page", "pages"),
            plural(self.drafts, "draft", "drafts"),
            plural(self.media_files, "media file", "media files"),
        )?;
        if self.dry_run {
            write!(f, " (dry run: nothing written)")?;
        }
        Ok(())
    }
}

/// Reads, plans and (unless a dry run) writes. The whole import.
pub fn run(opts: &Options) -> Result<Summary> {
    let export = read(opts.source, &opts.file)?;
    let planned = plan::plan(opts, export)?;
    write::apply(opts, planned)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn site_paths_of_old_urls() {
        assert_eq!(
            site_path("https://old.example/2019/05/%d8%b3%d9%84%d8%a7%d9%85/").as_deref(),
            Some("/2019/05/سلام/")
        );
        assert_eq!(
            site_path("https://old.example/?p=101").as_deref(),
            Some("/?p=101")
        );
        assert_eq!(
            site_path("https://old.example/a%2Fb/").as_deref(),
            Some("/a%2Fb/")
        );
        assert_eq!(site_path("mailto:x@y"), None);
    }
}
