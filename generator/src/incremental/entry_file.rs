//! The parsed entries on disk (`.causerie/build-entries.bin`) as a base
//! and deltas ([`frames`]): after a one-post edit `causerie build` appends
//! the one entry it read again instead of encoding 100 000 (54 MB).
//! Entries only save reading files again, so a lost delta costs no more
//! than that: an entry left from an older stamp is never reused.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

use super::entries::{self, Entries, Item, source_id};
use super::frames;

/// What the entries file holds, to write only what changed.
#[derive(Debug)]
pub struct Saved {
    path: PathBuf,
    /// Stamp of each entry in the file, by [`source_id`].
    stamps: HashMap<u64, u64>,
    links_ok: Option<u64>,
    /// Length of the base, and of the base and its good frames.
    len: (u64, u64),
}

/// The entries in the file at `path` and what it holds; `None` if it is
/// missing, another's or damaged.
pub fn load(path: &Path, head: &[u8]) -> Option<(Option<u64>, Entries, Saved)> {
    let bytes = std::fs::read(path).ok()?;
    let o = frames::open(&bytes, head)?;
    let (mut links_ok, mut parsed) = entries::decode(o.base)?;
    for f in &o.frames {
        links_ok = entries::apply_delta(f, &mut parsed)?;
    }
    let stamps = parsed
        .iter()
        .map(|(k, (s, _))| (source_id(k), *s))
        .collect();
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
    let mut stamps = HashMap::new();
    let items = items.inspect(|(k, s, _)| {
        stamps.insert(source_id(k), *s);
    });
    let data = entries::encode_items(links_ok, items);
    let n = frames::write_base(path, head, &data)?;
    Ok(Saved {
        path: path.to_path_buf(),
        stamps,
        links_ok,
        len: (n, n),
    })
}

impl Saved {
    /// Appends what differs between the file and `items` (the entries to
    /// keep, `n` of them); false when the deltas have grown past a share
    /// of the base and the file should be written whole instead.
    pub fn save_delta<'a>(
        &mut self,
        links_ok: Option<u64>,
        items: impl Iterator<Item = Item<'a>> + Clone,
    ) -> std::io::Result<bool> {
        let (base, all) = self.len;
        if all - base > base / 4 + 4096 {
            return Ok(false);
        }
        let mut present = 0;
        let changed = items
            .clone()
            .filter(|(k, s, _)| match self.stamps.get(&source_id(k)) {
                Some(was) => {
                    present += 1;
                    was != s
                }
                None => true,
            });
        let changed: Vec<Item<'a>> = changed.collect();
        let removed: Vec<u64> = if present == self.stamps.len() {
            Vec::new()
        } else {
            let kept: HashSet<u64> = items.map(|(k, _, _)| source_id(k)).collect();
            (self.stamps.keys())
                .filter(|h| !kept.contains(h))
                .copied()
                .collect()
        };
        if changed.is_empty() && removed.is_empty() && links_ok == self.links_ok {
            return Ok(true);
        }
        for (k, s, _) in &changed {
            self.stamps.insert(source_id(k), *s);
        }
        for h in &removed {
            self.stamps.remove(h);
        }
        self.links_ok = links_ok;
        let data = entries::encode_delta(links_ok, changed.into_iter(), removed);
        self.len.1 = frames::append(&self.path, all, &data)?;
        Ok(true)
    }
}
