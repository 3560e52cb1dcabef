//! Parsed entries on disk (`.causerie/build-entries.bin`), so that
//! `causerie build` after one edit reads and parses only the files whose
//! size or mtime changed, as `serve` does from memory. Reading and parsing
//! the front matter of 10 000 posts was most of such a build.
//!
//! An entry is stored without its body, markdown or assets (the same as
//! `serve` keeps it), as `postcard` (serde) of the wire types below, which
//! borrow from the entries when saving. The file's header and checksum
//! ([`super::disk`]) keep out another build's or a damaged cache; what
//! still does not decode (a wrong length, an unknown front-matter key) is
//! ignored as a whole, never half read.

use std::borrow::Cow;

use serde::{Deserialize, Serialize};

use crate::config::CommentsState;
use crate::content::date::PostDate;
use crate::content::front_matter::{FrontMatter, KEYS};
use crate::content::{Entry, Kind};

pub use super::entry_pool::{Entries, Slot};

/// The whole file's data: the link check's memory and the entries.
#[derive(Serialize, Deserialize)]
struct Wire<'a> {
    links_ok: Option<u64>,
    #[serde(borrow)]
    entries: Vec<WireEntry<'a>>,
}

#[derive(Serialize, Deserialize)]
struct WireEntry<'a> {
    #[serde(borrow)]
    key: Cow<'a, str>,
    stamp: u64,
    post: bool,
    #[serde(borrow)]
    source: Cow<'a, str>,
    #[serde(borrow)]
    title: Cow<'a, str>,
    date: Option<WireDate>,
    updated: Option<WireDate>,
    draft: bool,
    #[serde(borrow)]
    slug: Cow<'a, str>,
    #[serde(borrow)]
    path: Cow<'a, str>,
    #[serde(borrow)]
    summary: Option<Cow<'a, str>>,
    tags: Cow<'a, [String]>,
    categories: Cow<'a, [String]>,
    aliases: Cow<'a, [String]>,
    comments: Option<WireComments>,
    #[serde(borrow)]
    language: Option<Cow<'a, str>>,
    #[serde(borrow)]
    front: WireFront<'a>,
    body_line: u64,
    hash: u64,
}

#[derive(Serialize, Deserialize)]
struct WireFront<'a> {
    #[serde(borrow)]
    title: Option<Cow<'a, str>>,
    date: Option<WireDate>,
    updated: Option<WireDate>,
    draft: bool,
    #[serde(borrow)]
    slug: Option<Cow<'a, str>>,
    #[serde(borrow)]
    summary: Option<Cow<'a, str>>,
    tags: Cow<'a, [String]>,
    categories: Cow<'a, [String]>,
    aliases: Cow<'a, [String]>,
    comments: Option<WireComments>,
    #[serde(borrow)]
    language: Option<Cow<'a, str>>,
    #[serde(borrow)]
    lines: Vec<(Cow<'a, str>, u64)>,
    start_line: u64,
}

/// A date as its instant and the UTC offset it was written with.
#[derive(Serialize, Deserialize, Clone, Copy)]
struct WireDate {
    secs: i64,
    nanos: i32,
    offset: i32,
}

#[derive(Serialize, Deserialize, Clone, Copy)]
enum WireComments {
    Open,
    Closed,
}

/// A delta frame's data: entries read again this build, and the sources
/// (by [`source_id`]) no longer kept.
#[derive(Serialize, Deserialize)]
struct WireDelta<'a> {
    links_ok: Option<u64>,
    #[serde(borrow)]
    upserts: Vec<WireEntry<'a>>,
    removed: Vec<u64>,
}

/// One entry to store: its source path, the stamp of its file, the entry.
pub type Item<'a> = (&'a str, u64, &'a Entry);

/// What names a source in a delta's removals.
pub fn source_id(source: &str) -> u64 {
    crate::content::content_hash(source.as_bytes())
}

/// The file's data for these entries and the link check's memory.
#[cfg(test)]
pub fn encode(links_ok: Option<u64>, entries: &Entries) -> Vec<u8> {
    encode_items(
        links_ok,
        entries.iter().map(|(k, (s, e))| (k.as_str(), *s, e)),
    )
}

/// [`encode`] of entries taken from anywhere (a site that was not put
/// back into an [`Entries`] map).
pub fn encode_items<'a>(links_ok: Option<u64>, items: impl Iterator<Item = Item<'a>>) -> Vec<u8> {
    let wire = Wire {
        links_ok,
        entries: items
            .map(|(key, stamp, e)| to_wire(key, stamp, e))
            .collect(),
    };
    // Serialising plain structs into a Vec has no failure mode; an empty
    // result would only be ignored by the next load.
    postcard::to_allocvec(&wire).unwrap_or_default()
}

/// A delta frame's data.
pub fn encode_delta<'a>(
    links_ok: Option<u64>,
    upserts: impl Iterator<Item = Item<'a>>,
    removed: Vec<u64>,
) -> Vec<u8> {
    let wire = WireDelta {
        links_ok,
        upserts: upserts
            .map(|(key, stamp, e)| to_wire(key, stamp, e))
            .collect(),
        removed,
    };
    postcard::to_allocvec(&wire).unwrap_or_default()
}

/// Applies a delta frame to `entries`; the link check's memory it holds,
/// or `None` if it does not decode whole.
pub fn apply_delta(bytes: &[u8], entries: &mut Entries) -> Option<Option<u64>> {
    let (wire, rest): (WireDelta<'_>, _) = postcard::take_from_bytes(bytes).ok()?;
    if !rest.is_empty() {
        return None;
    }
    entries.remove_ids(wire.removed.into_iter());
    for w in wire.upserts {
        let key = w.key.clone().into_owned();
        let stamp = w.stamp;
        entries.insert(key, (stamp, from_wire(w)?));
    }
    Some(wire.links_ok)
}

/// The entries and link-check memory in `bytes`, or `None` if they do not
/// decode whole (another format, or damage the checksum missed).
#[cfg(test)]
pub fn decode(bytes: &[u8]) -> Option<(Option<u64>, Entries)> {
    let (links_ok, slots) = decode_list(bytes)?;
    let ids = slots.iter().flatten().map(|(k, _)| source_id(k)).collect();
    Some((links_ok, Entries::from_chunks(vec![(slots, ids)])))
}

/// [`decode`] into slots, for a caller that merges several.
pub fn decode_list(bytes: &[u8]) -> Option<(Option<u64>, Vec<Slot>)> {
    let (wire, rest): (Wire<'_>, _) = postcard::take_from_bytes(bytes).ok()?;
    if !rest.is_empty() {
        return None; // what follows would be read by no one: not this format
    }
    let mut out = Vec::with_capacity(wire.entries.len());
    for w in wire.entries {
        let key = w.key.clone().into_owned();
        let stamp = w.stamp;
        out.push(Some((key, (stamp, from_wire(w)?))));
    }
    Some((wire.links_ok, out))
}

fn to_wire<'a>(key: &'a str, stamp: u64, e: &'a Entry) -> WireEntry<'a> {
    let f = &e.front;
    WireEntry {
        key: Cow::Borrowed(key),
        stamp,
        post: e.kind == Kind::Post,
        source: Cow::Borrowed(&e.source),
        title: Cow::Borrowed(&e.title),
        date: e.date.map(date_to),
        updated: e.updated.map(date_to),
        draft: e.draft,
        slug: Cow::Borrowed(&e.slug),
        path: Cow::Borrowed(&e.path),
        summary: e.summary.as_deref().map(Cow::Borrowed),
        tags: Cow::Borrowed(&e.tags),
        categories: Cow::Borrowed(&e.categories),
        aliases: Cow::Borrowed(&e.aliases),
        comments: e.comments.map(comments_to),
        language: e.language.as_deref().map(Cow::Borrowed),
        front: WireFront {
            title: f.title.as_deref().map(Cow::Borrowed),
            date: f.date.map(date_to),
            updated: f.updated.map(date_to),
            draft: f.draft,
            slug: f.slug.as_deref().map(Cow::Borrowed),
            summary: f.summary.as_deref().map(Cow::Borrowed),
            tags: Cow::Borrowed(&f.tags),
            categories: Cow::Borrowed(&f.categories),
            aliases: Cow::Borrowed(&f.aliases),
            comments: f.comments.map(comments_to),
            language: f.language.as_deref().map(Cow::Borrowed),
            lines: f
                .lines
                .iter()
                .map(|(k, l)| (Cow::Borrowed(*k), *l as u64))
                .collect(),
            start_line: f.start_line as u64,
        },
        body_line: e.body_line as u64,
        hash: e.hash,
    }
}

fn from_wire(w: WireEntry<'_>) -> Option<Entry> {
    let f = w.front;
    let mut lines = Vec::with_capacity(f.lines.len());
    for (k, l) in f.lines {
        // Keys are the known ones; anything else means another format.
        let k: &'static str = KEYS.iter().find(|x| **x == k)?;
        lines.push((k, usize::try_from(l).ok()?));
    }
    let front = FrontMatter {
        title: f.title.map(Cow::into_owned),
        date: date_from(f.date)?,
        updated: date_from(f.updated)?,
        draft: f.draft,
        slug: f.slug.map(Cow::into_owned),
        summary: f.summary.map(Cow::into_owned),
        tags: f.tags.into_owned(),
        categories: f.categories.into_owned(),
        aliases: f.aliases.into_owned(),
        comments: f.comments.map(comments_from),
        language: f.language.map(Cow::into_owned),
        lines,
        start_line: usize::try_from(f.start_line).ok()?,
    };
    Some(Entry {
        kind: if w.post { Kind::Post } else { Kind::Page },
        source: w.source.into_owned(),
        title: w.title.into_owned(),
        date: date_from(w.date)?,
        updated: date_from(w.updated)?,
        draft: w.draft,
        slug: w.slug.into_owned(),
        path: w.path.into_owned(),
        summary: w.summary.map(Cow::into_owned),
        tags: w.tags.into_owned(),
        categories: w.categories.into_owned(),
        aliases: w.aliases.into_owned(),
        comments: w.comments.map(comments_from),
        language: w.language.map(Cow::into_owned),
        front,
        body: String::new(),
        body_line: usize::try_from(w.body_line).ok()?,
        hash: w.hash,
        assets: Vec::new(),
        rendered: Default::default(),
    })
}

fn date_to(d: PostDate) -> WireDate {
    WireDate {
        secs: d.ts.as_second(),
        nanos: d.ts.subsec_nanosecond(),
        offset: d.offset_seconds,
    }
}

/// `Some(None)` for no date, `None` for a date that is out of range.
fn date_from(d: Option<WireDate>) -> Option<Option<PostDate>> {
    match d {
        None => Some(None),
        Some(d) => Some(Some(PostDate {
            ts: jiff::Timestamp::new(d.secs, d.nanos).ok()?,
            offset_seconds: d.offset,
        })),
    }
}

fn comments_to(c: CommentsState) -> WireComments {
    match c {
        CommentsState::Open => WireComments::Open,
        CommentsState::Closed => WireComments::Closed,
    }
}

fn comments_from(c: WireComments) -> CommentsState {
    match c {
        WireComments::Open => CommentsState::Open,
        WireComments::Closed => CommentsState::Closed,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip() {
        let text = "+++\ntitle = \"Hi\"\ndate = 2024-05-06T07:08:09+03:30\ntags = [\"a\", \"b\"]\ncomments = \"closed\"\n+++\nBody\n";
        let e = crate::content::parse_entry(
            "content/posts/hi.md".into(),
            Kind::Post,
            "posts/hi",
            false,
            text,
            crate::config::Slugify::On,
        )
        .unwrap();
        let mut entries = Entries::default();
        let mut kept = e.clone();
        kept.body = String::new();
        entries.insert(e.source.clone(), (42, kept.clone()));
        let w = encode(Some(7), &entries);
        let (links_ok, back) = decode(&w).unwrap();
        assert_eq!(links_ok, Some(7));
        let (stamp, b) = back.get("content/posts/hi.md").unwrap();
        assert_eq!(*stamp, 42);
        assert_eq!(format!("{b:?}"), format!("{kept:?}"));
        // A cut buffer is refused, not half read.
        assert!(decode(&w[..w.len() - 3]).is_none());
        // Damage that gets past the checksum never panics: every cut and
        // every flipped byte either decodes whole or is refused.
        for n in 0..w.len() {
            assert!(decode(&w[..n]).is_none(), "cut at {n}");
            let mut bad = w.clone();
            bad[n] ^= 0xa5;
            let _ = decode(&bad);
        }
        // The codec of an older build (hand-written, u64 fields) is refused.
        let mut old = Vec::new();
        old.extend_from_slice(&1_u64.to_le_bytes());
        old.extend_from_slice(&19_u64.to_le_bytes());
        old.extend_from_slice(b"content/posts/hi.md");
        old.extend_from_slice(&42_u64.to_le_bytes());
        assert!(decode(&old).is_none());
    }
}
