//! The content model: the site's posts, pages and files, loaded once into
//! plain data. Only this module reads the content tree; everything after it
//! works on [`Content`].

pub mod date;
mod entry;
pub mod front_matter;
mod walk;

pub use entry::parse_entry;
use entry::read_entry;
pub use walk::{FileMeta, Walk, walk};

use rayon::prelude::*;
use std::path::{Path, PathBuf};

use crate::config::{CommentsState, Config, Slugify};
use crate::error::Diagnostic;
use crate::markdown::RenderedBody;
use date::PostDate;
use front_matter::FrontMatter;

/// A dated blog post or a standalone page.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    Post,
    Page,
}

/// One markdown file of the site, after its front matter was validated.
#[derive(Debug, Clone)]
pub struct Entry {
    pub kind: Kind,
    /// Source path relative to the site root (`content/posts/hello.md`).
    pub source: String,
    pub title: String,
    pub date: Option<PostDate>,
    pub updated: Option<PostDate>,
    pub draft: bool,
    pub slug: String,
    /// Site path of the entry, `/posts/<slug>/` or `/about/`.
    pub path: String,
    /// Summary from front matter (plain text).
    pub summary: Option<String>,
    pub tags: Vec<String>,
    pub categories: Vec<String>,
    pub aliases: Vec<String>,
    /// Explicit `comments` key, if any.
    pub comments: Option<CommentsState>,
    /// Language of the entry when set in front matter.
    pub language: Option<String>,
    pub front: FrontMatter,
    /// The markdown body, and the file line it starts on.
    pub body: String,
    pub body_line: usize,
    /// Hash of the whole source file, the key for caching per-post work.
    pub hash: u64,
    /// Files beside `index.md` in a bundle: (source, output path under the entry).
    pub assets: Vec<(PathBuf, String)>,
    /// Markdown output, filled by the render stage.
    pub rendered: RenderedBody,
}

impl Entry {
    /// The date shown as "last changed": `updated`, else `date`.
    pub fn last_modified(&self) -> Option<PostDate> {
        self.updated.or(self.date)
    }
}

/// A file copied as it is: `static/` files, loose files in `content/`.
#[derive(Debug, Clone)]
pub struct StaticFile {
    pub src: PathBuf,
    /// Output path relative to the output root (`css/site.css`).
    pub out: String,
}

/// Everything in `content/` (and `static/`), ready to render.
#[derive(Debug, Default)]
pub struct Content {
    /// Published posts, newest first.
    pub posts: Vec<Entry>,
    /// Published standalone pages, by path.
    pub pages: Vec<Entry>,
    pub files: Vec<StaticFile>,
    /// Posts with a future date: (source, line of `date`, date).
    pub scheduled: Vec<(String, usize, PostDate)>,
    /// Drafts left out of the build.
    pub drafts: usize,
}

/// What to include.
#[derive(Clone, Copy)]
pub struct LoadOptions<'a> {
    /// Include drafts and scheduled posts.
    pub drafts: bool,
    /// "Now", for scheduled posts.
    pub now: jiff::Timestamp,
    /// Work to do on each published entry right after it is parsed, on the
    /// same thread (the build renders markdown here, so the sources of
    /// all posts are never in memory at once).
    pub each: Option<&'a (dyn Fn(&mut Entry) + Sync)>,
    /// Entries parsed by an earlier load, taken where the file did not
    /// change since (the build cache); the files left are read.
    pub reuse: Option<&'a Reuse<'a>>,
}

/// See [`LoadOptions::reuse`]: given every file the walk found, for each
/// the entry an earlier load parsed from the very same bytes (`assets`
/// empty), or `None`; the files past a shorter answer are read. All at
/// once, so that the cache can be asked in parallel and taken from in one
/// pass.
pub type Reuse<'a> = dyn Fn(&[Found]) -> Vec<Option<Entry>> + Sync + 'a;

impl LoadOptions<'_> {
    fn published(&self, e: &Entry) -> bool {
        published(e, self.drafts, self.now)
    }
}

/// The publish rule: an entry is built unless it is a draft or a post
/// dated after `now` (both are built with `drafts`). The dev server's
/// patch of an edited file asks the same.
pub fn published(e: &Entry, drafts: bool, now: jiff::Timestamp) -> bool {
    drafts || !(e.draft || (e.kind == Kind::Post && e.date.is_some_and(|d| d.ts > now)))
}

/// The order of `content.posts`: newest first, ties broken by source path
/// so the order is stable (neighbours, index pages and feeds follow it).
pub fn sort_posts(posts: &mut [Entry]) {
    // Entries are large (hundreds of bytes): sorting them directly moved
    // each one some 17 times at 100 000 posts. Sort their places, then
    // move each entry once, following the cycles of the permutation.
    let mut order: Vec<usize> = (0..posts.len()).collect();
    order.sort_unstable_by(|&a, &b| {
        let (a, b) = (&posts[a], &posts[b]);
        b.date.cmp(&a.date).then_with(|| a.source.cmp(&b.source))
    });
    permute(posts, &order);
}

/// Rearranges `items` so that the item at `i` is the one that was at
/// `order[i]` (`order` is a permutation of the indices).
fn permute<T>(items: &mut [T], order: &[usize]) {
    let mut placed = vec![false; items.len()];
    for start in 0..items.len() {
        let mut at = start;
        while !placed[at] {
            placed[at] = true;
            let from = order[at];
            if from == start {
                break;
            }
            // `at` takes its item; the one displaced moves on to `from`.
            items.swap(at, from);
            at = from;
        }
    }
}

/// Stable 64-bit hash of a source text, the key of per-entry caches. Not
/// cryptographic: a multiply-rotate over 8-byte words, fast enough to hash
/// every file of a 10 000-post site in a few milliseconds, and the same
/// across runs and machines.
pub fn content_hash(bytes: &[u8]) -> u64 {
    const K: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut h: u64 = bytes.len() as u64 ^ 0xCBF2_9CE4_8422_2325;
    let mut chunks = bytes.chunks_exact(8);
    for c in &mut chunks {
        let w = u64::from_le_bytes([c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7]]);
        h = (h.rotate_left(5) ^ w).wrapping_mul(K);
    }
    for &b in chunks.remainder() {
        h = (h.rotate_left(5) ^ u64::from(b)).wrapping_mul(K);
    }
    h ^ (h >> 29)
}

/// `path` relative to `root`, with `/` separators, for messages and URLs.
pub fn rel_path(root: &Path, path: &Path) -> String {
    let rel = path.strip_prefix(root).unwrap_or(path);
    let mut s = String::new();
    for (i, c) in rel.components().enumerate() {
        if i > 0 {
            s.push('/');
        }
        s.push_str(&c.as_os_str().to_string_lossy());
    }
    s
}

/// A markdown file found by the walk, before parsing.
#[derive(Debug)]
pub struct Found {
    pub kind: Kind,
    pub src: PathBuf,
    /// Path relative to the site root (`content/posts/hello.md`).
    pub source: String,
    /// Path under `content/` without the `.md` / `/index.md`.
    pub stem: String,
    pub bundle: bool,
    /// Size and mtime when the walk found it (`None`: not known).
    pub meta: Option<FileMeta>,
}

/// Loads `content/` and `static/` of the site at `root`, walking them
/// first unless `walked` holds the walk (made beside other work).
/// Entries that fail to parse are left out and reported; the rest load, so
/// one run can report the problems of every file (links included).
pub fn load(
    root: &Path,
    config: &Config,
    opts: LoadOptions<'_>,
    walked: Option<Walk>,
) -> (Content, Vec<Diagnostic>) {
    let slugs = config.slug_mode();
    let Walk {
        found,
        files,
        mut bundle_assets,
        mut errors,
    } = walked.unwrap_or_else(|| walk(root));
    let t = std::time::Instant::now();
    // Entries an earlier load parsed from the same bytes are taken first,
    // then the other files are read and parsed in parallel.
    let mut parsed: Vec<Option<Result<Entry, Vec<Diagnostic>>>> = match opts.reuse {
        Some(reuse) => reuse(&found).into_iter().map(|e| e.map(Ok)).collect(),
        None => Vec::new(),
    };
    crate::profile::phase("  reuse", t);
    parsed.resize_with(found.len(), || None);
    let misses: Vec<(usize, Found)> = (found.into_iter().enumerate())
        .filter(|(i, _)| parsed[*i].is_none())
        .collect();
    let read: Vec<(usize, Result<Entry, Vec<Diagnostic>>)> = misses
        .into_par_iter()
        .map(|(i, f)| {
            let read = read_entry(f, slugs).map(|mut e| {
                if let Some(each) = opts.each
                    && opts.published(&e)
                {
                    each(&mut e);
                }
                e
            });
            (i, read)
        })
        .collect();
    for (i, r) in read {
        parsed[i] = Some(r);
    }
    crate::profile::phase("  read", t);
    let t = std::time::Instant::now();
    let mut pages = Vec::new();
    let mut scheduled = Vec::new();
    let mut drafts = 0;
    // Posts keep the allocation of `parsed` (collected in place): at
    // 100 000 posts a fresh vector was 70 MB more to fault in and copy.
    let mut posts: Vec<Entry> = parsed
        .into_iter()
        .filter_map(|r| {
            let mut entry = match r? {
                Err(mut e) => {
                    errors.append(&mut e);
                    return None;
                }
                Ok(entry) => entry,
            };
            if !bundle_assets.is_empty()
                && let Some(a) = bundle_assets.remove(&entry_stem(&entry))
            {
                entry.assets = a;
            }
            if entry.draft && !opts.drafts {
                drafts += 1;
                return None;
            }
            if let Some(d) = entry.date
                && d.ts > opts.now
                && entry.kind == Kind::Post
            {
                scheduled.push((entry.source.clone(), entry.front.line_of("date"), d));
                if !opts.drafts {
                    return None;
                }
            }
            match entry.kind {
                Kind::Post => Some(entry),
                Kind::Page => {
                    pages.push(entry);
                    None
                }
            }
        })
        .collect();

    // Two entries may not claim the same URL. The paths are the author's
    // own, so the fast hash (not SipHash, a few % of a one-post rebuild at
    // 100 000 posts) is safe here.
    let mut seen: crate::hash::FpMap<&str, &str> =
        crate::hash::FpMap::with_capacity_and_hasher(posts.len() + pages.len(), Default::default());
    for e in posts.iter().chain(pages.iter()) {
        if let Some(other) = seen.get(e.path.as_str()) {
            errors.push(Diagnostic::new(
                &e.source,
                e.front.line_of("slug"),
                format!(
                    "duplicate slug `{}`: {} is also used by {}",
                    e.slug, e.path, other
                ),
            ));
        } else {
            seen.insert(&e.path, &e.source);
        }
    }

    // An alias may not shadow an entry: its redirect page would replace it.
    for e in posts.iter().chain(pages.iter()) {
        for a in &e.aliases {
            if let Some(other) = seen.get(a.as_str()) {
                errors.push(Diagnostic::new(
                    &e.source,
                    e.front.line_of("aliases"),
                    format!("aliases: {a:?} is the address of {other}"),
                ));
            }
        }
    }

    errors.sort();
    errors.dedup();
    sort_posts(&mut posts);
    pages.sort_by(|a, b| a.path.cmp(&b.path));
    scheduled.sort_by_key(|s| s.2);
    crate::profile::phase("  assemble", t);
    (
        Content {
            posts,
            pages,
            files,
            scheduled,
            drafts,
        },
        errors,
    )
}

fn parent_of(rel: &str) -> &str {
    rel.rfind('/').map(|i| &rel[..i]).unwrap_or("")
}

fn entry_stem(e: &Entry) -> String {
    e.source
        .trim_start_matches("content/")
        .trim_end_matches(".md")
        .trim_end_matches("/index")
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::permute;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn permute_moves_each_item_to_its_place(items in proptest::collection::vec(any::<u32>(), 0..200)) {
            let mut order: Vec<usize> = (0..items.len()).collect();
            order.sort_by_key(|&i| (items[i], i));
            let mut got = items.clone();
            permute(&mut got, &order);
            let mut want = items;
            want.sort();
            prop_assert_eq!(got, want);
        }
    }
}
