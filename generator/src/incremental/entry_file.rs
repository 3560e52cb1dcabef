//! The parsed entries on disk (`.causerie/build-entries.bin`) as a base
//! and deltas ([`frames`]): after a one-post edit `causerie build` appends
//! the one entry it read again instead of encoding 100 000 (54 MB).
//! Entries only save reading files again, so a lost delta costs no more
//! than that: an entry left from an older stamp is never reused.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use super::codec::{Reader, put_u64};
use super::entries::{self, Entries, Item, source_id};
use super::frames;
use crate::hash::FpMap;
use rayon::prelude::*;

/// What the entries file holds, to write only what changed.
#[derive(Debug)]
pub struct Saved {
    path: PathBuf,
    /// Stamp of each entry in the file, by [`source_id`].
    stamps: FpMap<u64, u64>,
    links_ok: Option<u64>,
    /// Length of the base, and of the base and its good frames.
    len: (u64, u64),
}

/// Entries per chunk of the base: chunks are encoded and decoded in
/// parallel (decoding 100 000 entries was the largest part of loading).
const CHUNK: usize = 4096;

/// The entries in the file at `path` and what it holds; `None` if it is
/// missing, another's or damaged.
pub fn load(path: &Path, head: &[u8]) -> Option<(Option<u64>, Entries, Saved)> {
    let bytes = std::fs::read(path).ok()?;
    let o = frames::open(&bytes, head)?;
    let mut r = Reader::new(o.base);
    let links = r.u64()?;
    let mut links_ok = (r.u64()? != 0).then_some(links);
    let mut chunks = Vec::new();
    for _ in 0..r.len()? {
        let n = r.len()?;
        chunks.push(r.take(n)?);
    }
    r.done().then_some(())?;
    let lists: Vec<_> = chunks
        .par_iter()
        .map(|c| {
            let (_, slots) = entries::decode_list(c)?;
            let ids: Vec<(u64, u64)> = (slots.iter().flatten())
                .map(|(k, (s, _))| (source_id(k), *s))
                .collect();
            Some((slots, ids))
        })
        .collect::<Option<_>>()?;
    let n = lists.iter().map(|(l, _)| l.len()).sum();
    let mut stamps = FpMap::with_capacity_and_hasher(n, Default::default());
    let mut chunks = Vec::with_capacity(lists.len());
    for (slots, ids) in lists {
        stamps.extend(ids.iter().copied());
        chunks.push((slots, ids.into_iter().map(|(id, _)| id).collect()));
    }
    let mut parsed = Entries::from_chunks(chunks);
    for f in &o.frames {
        links_ok = entries::apply_delta(f, &mut parsed)?;
    }
    if !o.frames.is_empty() {
        stamps = parsed
            .iter()
            .map(|(k, (s, _))| (source_id(k), *s))
            .collect();
    }
    let saved = Saved {
        path: path.to_path_buf(),
        stamps,
        links_ok,
        len: (o.base_end, o.valid),
    };
    Some((links_ok, parsed, saved))
}

/// Writes these entries whole; what the file then holds.
pub fn save_whole<'a>(
    path: &Path,
    head: &[u8],
    links_ok: Option<u64>,
    items: impl Iterator<Item = Item<'a>>,
) -> std::io::Result<Saved> {
    let mut items: Vec<Item<'a>> = items.collect();
    // In the walk's order (names sorted by their bytes): a build takes
    // the entries in that order, so it reads the pool front to back.
    items.par_sort_unstable_by(|a, b| a.0.cmp(b.0));
    let stamps = items.iter().map(|(k, s, _)| (source_id(k), *s)).collect();
    let chunks: Vec<Vec<u8>> = items
        .par_chunks(CHUNK)
        .map(|c| entries::encode_items(None, c.iter().copied()))
        .collect();
    let mut top = Vec::with_capacity(24);
    put_u64(&mut top, links_ok.unwrap_or(0));
    put_u64(&mut top, u64::from(links_ok.is_some()));
    put_u64(&mut top, chunks.len() as u64);
    let n = frames::write_chunked_base(path, head, &top, &chunks)?;
    Ok(Saved {
        path: path.to_path_buf(),
        stamps,
        links_ok,
        len: (n, n),
    })
}

/// What differs between the file and the entries to keep.
pub struct Delta<'a> {
    /// Entries new or read again (their stamp is not the file's).
    pub changed: Vec<Item<'a>>,
    /// Sources in the file no longer kept, by [`source_id`].
    removed: Vec<u64>,
}

impl Saved {
    /// What differs between the file and `items` (the entries to keep);
    /// `None` when the deltas have grown past a share of the base and the
    /// file should be written whole instead.
    pub fn delta<'a>(&self, items: &[Item<'a>]) -> Option<Delta<'a>> {
        let (base, all) = self.len;
        if all - base > base / 4 + 4096 {
            return None;
        }
        // One pass: whether each entry is in the file, and with its stamp.
        let looked: Vec<(bool, bool)> = (items.par_iter())
            .map(|(k, s, _)| match self.stamps.get(&source_id(k)) {
                Some(was) => (true, was != s),
                None => (false, true),
            })
            .collect();
        let present = looked.iter().filter(|(p, _)| *p).count();
        let changed: Vec<Item<'a>> = (items.iter().zip(&looked))
            .filter(|(_, (_, c))| *c)
            .map(|(i, _)| *i)
            .collect();
        let removed: Vec<u64> = if present == self.stamps.len() {
            Vec::new()
        } else {
            let kept: HashSet<u64> = items.iter().map(|(k, _, _)| source_id(k)).collect();
            (self.stamps.keys())
                .filter(|h| !kept.contains(h))
                .copied()
                .collect()
        };
        Some(Delta { changed, removed })
    }

    /// Appends `d` (nothing when it and the link check's memory are unchanged).
    pub fn write(&mut self, links_ok: Option<u64>, d: Delta<'_>) -> std::io::Result<()> {
        if d.changed.is_empty() && d.removed.is_empty() && links_ok == self.links_ok {
            return Ok(());
        }
        for (k, s, _) in &d.changed {
            self.stamps.insert(source_id(k), *s);
        }
        for h in &d.removed {
            self.stamps.remove(h);
        }
        self.links_ok = links_ok;
        let data = entries::encode_delta(links_ok, d.changed.into_iter(), d.removed);
        self.len.1 = frames::append(&self.path, self.len.1, &data)?;
        Ok(())
    }

    /// [`Saved::delta`] and [`Saved::write`]; false when the file should
    /// be written whole.
    #[cfg(test)]
    pub fn save_delta(
        &mut self,
        links_ok: Option<u64>,
        items: &[Item<'_>],
    ) -> std::io::Result<bool> {
        match self.delta(items) {
            Some(d) => self.write(links_ok, d).map(|_| true),
            None => Ok(false),
        }
    }
}

#[cfg(test)]
#[path = "entry_file_tests.rs"]
mod tests;
