//! Parsed entries on disk (`.causerie/build-entries.bin`), so that
//! `causerie build` after one edit reads and parses only the files whose
//! size or mtime changed, as `serve` does from memory. Reading and parsing
//! the front matter of 10 000 posts was most of such a build.
//!
//! An entry is stored without its body, markdown or assets (the same as
//! `serve` keeps it); the whole file carries one checksum and is ignored
//! when it does not match.

use std::collections::HashMap;

use super::disk::{Reader, put_str, put_u64};
use crate::config::CommentsState;
use crate::content::date::PostDate;
use crate::content::front_matter::{FrontMatter, KEYS};
use crate::content::{Entry, Kind};

/// Entries by source path, each with the stamp of the file it was read from.
pub type Entries = HashMap<String, (u64, Entry)>;

pub fn encode(w: &mut Vec<u8>, entries: &Entries) {
    put_u64(w, entries.len() as u64);
    for (source, (stamp, e)) in entries {
        put_str(w, source);
        put_u64(w, *stamp);
        put_entry(w, e);
    }
}

pub fn decode(r: &mut Reader<'_>) -> Option<Entries> {
    let n = r.len()?;
    let mut out = HashMap::with_capacity(n.min(1 << 20));
    for _ in 0..n {
        let source = r.str()?;
        let stamp = r.u64()?;
        let e = entry(r)?;
        out.insert(source, (stamp, e));
    }
    Some(out)
}

fn put_entry(w: &mut Vec<u8>, e: &Entry) {
    put_u64(w, u64::from(e.kind == Kind::Post));
    put_str(w, &e.source);
    put_str(w, &e.title);
    put_date(w, e.date);
    put_date(w, e.updated);
    put_u64(w, u64::from(e.draft));
    put_str(w, &e.slug);
    put_str(w, &e.path);
    put_opt(w, &e.summary);
    put_list(w, &e.tags);
    put_list(w, &e.categories);
    put_list(w, &e.aliases);
    put_comments(w, e.comments);
    put_opt(w, &e.language);
    let f = &e.front;
    put_opt(w, &f.title);
    put_date(w, f.date);
    put_date(w, f.updated);
    put_u64(w, u64::from(f.draft));
    put_opt(w, &f.slug);
    put_opt(w, &f.summary);
    put_list(w, &f.tags);
    put_list(w, &f.categories);
    put_list(w, &f.aliases);
    put_comments(w, f.comments);
    put_opt(w, &f.language);
    put_u64(w, f.lines.len() as u64);
    for (k, l) in &f.lines {
        put_str(w, k);
        put_u64(w, *l as u64);
    }
    put_u64(w, f.start_line as u64);
    put_u64(w, e.body_line as u64);
    put_u64(w, e.hash);
}

fn entry(r: &mut Reader<'_>) -> Option<Entry> {
    let kind = if r.u64()? == 1 {
        Kind::Post
    } else {
        Kind::Page
    };
    let source = r.str()?;
    let title = r.str()?;
    let date = get_date(r)?;
    let updated = get_date(r)?;
    let draft = r.u64()? != 0;
    let slug = r.str()?;
    let path = r.str()?;
    let summary = opt(r)?;
    let tags = list(r)?;
    let categories = list(r)?;
    let aliases = list(r)?;
    let comments = get_comments(r)?;
    let language = opt(r)?;
    let front = FrontMatter {
        title: opt(r)?,
        date: get_date(r)?,
        updated: get_date(r)?,
        draft: r.u64()? != 0,
        slug: opt(r)?,
        summary: opt(r)?,
        tags: list(r)?,
        categories: list(r)?,
        aliases: list(r)?,
        comments: get_comments(r)?,
        language: opt(r)?,
        lines: {
            let n = r.len()?;
            let mut v = Vec::with_capacity(n.min(64));
            for _ in 0..n {
                let k = r.str()?;
                // Keys are the known ones; anything else means another format.
                let k: &'static str = KEYS.iter().find(|x| **x == k)?;
                v.push((k, usize::try_from(r.u64()?).ok()?));
            }
            v
        },
        start_line: usize::try_from(r.u64()?).ok()?,
    };
    Some(Entry {
        kind,
        source,
        title,
        date,
        updated,
        draft,
        slug,
        path,
        summary,
        tags,
        categories,
        aliases,
        comments,
        language,
        front,
        body: String::new(),
        body_line: usize::try_from(r.u64()?).ok()?,
        hash: r.u64()?,
        assets: Vec::new(),
        rendered: Default::default(),
    })
}

fn put_opt(w: &mut Vec<u8>, s: &Option<String>) {
    match s {
        Some(s) => {
            put_u64(w, 1);
            put_str(w, s);
        }
        None => put_u64(w, 0),
    }
}

fn opt(r: &mut Reader<'_>) -> Option<Option<String>> {
    match r.u64()? {
        0 => Some(None),
        1 => Some(Some(r.str()?)),
        _ => None,
    }
}

fn put_list(w: &mut Vec<u8>, v: &[String]) {
    put_u64(w, v.len() as u64);
    for s in v {
        put_str(w, s);
    }
}

fn list(r: &mut Reader<'_>) -> Option<Vec<String>> {
    let n = r.len()?;
    let mut v = Vec::with_capacity(n.min(1024));
    for _ in 0..n {
        v.push(r.str()?);
    }
    Some(v)
}

fn put_date(w: &mut Vec<u8>, d: Option<PostDate>) {
    match d {
        Some(d) => {
            put_u64(w, 1);
            put_u64(w, d.ts.as_second() as u64);
            put_u64(w, d.ts.subsec_nanosecond() as u32 as u64);
            put_u64(w, d.offset_seconds as u32 as u64);
        }
        None => put_u64(w, 0),
    }
}

fn get_date(r: &mut Reader<'_>) -> Option<Option<PostDate>> {
    match r.u64()? {
        0 => Some(None),
        1 => {
            let secs = r.u64()? as i64;
            let nanos = r.u64()? as u32 as i32;
            let offset_seconds = r.u64()? as u32 as i32;
            let ts = jiff::Timestamp::new(secs, nanos).ok()?;
            Some(Some(PostDate { ts, offset_seconds }))
        }
        _ => None,
    }
}

fn put_comments(w: &mut Vec<u8>, c: Option<CommentsState>) {
    put_u64(
        w,
        match c {
            None => 0,
            Some(CommentsState::Open) => 1,
            Some(CommentsState::Closed) => 2,
        },
    );
}

fn get_comments(r: &mut Reader<'_>) -> Option<Option<CommentsState>> {
    match r.u64()? {
        0 => Some(None),
        1 => Some(Some(CommentsState::Open)),
        2 => Some(Some(CommentsState::Closed)),
        _ => None,
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
        let mut entries = Entries::new();
        let mut kept = e.clone();
        kept.body = String::new();
        entries.insert(e.source.clone(), (42, kept.clone()));
        let mut w = Vec::new();
        encode(&mut w, &entries);
        let back = decode(&mut Reader::new(&w)).unwrap();
        let (stamp, b) = &back["content/posts/hi.md"];
        assert_eq!(*stamp, 42);
        assert_eq!(format!("{b:?}"), format!("{kept:?}"));
        // A cut buffer is refused, not half read.
        assert!(decode(&mut Reader::new(&w[..w.len() - 3])).is_none());
    }
}
