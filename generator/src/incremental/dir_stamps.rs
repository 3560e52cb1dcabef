//! Stamps of the output's directories, so that `causerie build` need not
//! look up every file it recorded to know that none was deleted by hand.
//!
//! Creating, deleting or renaming a file changes the mtime of the
//! directory holding it. A directory whose inode and mtime are what they
//! were when all its recorded files were last seen in place still holds
//! them, so its files are not looked up one by one: at 100 000 posts that
//! is one lookup per page directory instead of one per file (235 000).
//!
//! A stamp is only taken of a directory whose mtime has settled: file
//! systems keep mtimes in ticks, and a deletion in the same tick as the
//! stamped mtime would leave it as it was. A mtime with a sub-second part
//! comes from a file system with fine ticks (the kernel's clock tick, at
//! most 10 ms), so [`SETTLED_FINE`] is ample; a whole-second mtime may come
//! from one with ticks of 1 or 2 s, which waits [`SETTLED_COARSE`]. The
//! short wait is what lets a clean build stamp the directories it wrote
//! last, so that the first edit after it is as quick as the next ones. A directory that changed since its stamp is checked file by file,
//! as it is when it has no stamp, so a lost or stale stamp file (kept in
//! `.causerie/build-dirs.bin`, with the cache's header and a checksum)
//! only costs lookups.

use std::path::Path;
use std::time::{Duration, SystemTime};

use super::codec::{Reader, put_u64};
use super::present::{OutputDir, Stamp};
use crate::content::content_hash;
use crate::hash::{Fp, FpMap};

const FILE: &str = "build-dirs.bin";

/// How old a fine-grained directory mtime must be for its stamp to be
/// trusted: ten times the coarsest kernel clock tick.
const SETTLED_FINE: Duration = Duration::from_millis(100);

/// The same for a whole-second mtime (FAT keeps 2 s ticks).
const SETTLED_COARSE: Duration = Duration::from_secs(3);

impl Stamp {
    /// Whether this stamp is old enough at `now` to be trusted.
    fn settled(&self, now: SystemTime) -> bool {
        let Ok(since) = now.duration_since(SystemTime::UNIX_EPOCH) else {
            return false;
        };
        let wait = if self.mtime_ns == 0 {
            SETTLED_COARSE
        } else {
            SETTLED_FINE
        };
        let mtime = Duration::new(self.mtime_s.max(0) as u64, self.mtime_ns);
        self.mtime_s >= 0 && mtime + wait < since
    }
}

/// Stamps of output directories, by the hash of their path relative to the
/// output root (`""` is the root).
#[derive(Debug, Default, Clone)]
pub(super) struct DirStamps {
    map: FpMap<u64, Stamp>,
    /// Changed since loaded: to be saved.
    pub(super) changed: bool,
}

/// The key of a directory path.
pub(super) fn key(dir: &str) -> u64 {
    Fp::new().str(dir).finish()
}

/// The directory part of a recorded file's path (`""` for the root).
pub(super) fn parent(path: &str) -> &str {
    // Bytewise: 235 000 paths at each check.
    (path.bytes().rposition(|b| b == b'/')).map_or("", |i| &path[..i])
}

impl DirStamps {
    /// Whether `dir` in `out` is as stamped: its recorded files are there.
    #[cfg(test)]
    pub(super) fn holds(&self, out: &OutputDir, dir: &str) -> bool {
        self.holds_key(out, dir, key(dir))
    }

    /// [`DirStamps::holds`] for a `dir` whose [`key`] is known.
    pub(super) fn holds_key(&self, out: &OutputDir, dir: &str, k: u64) -> bool {
        self.map
            .get(&k)
            .is_some_and(|s| out.dir_stamp(dir).as_ref() == Some(s))
    }

    /// Stamps these directories of `out` (their recorded files were all
    /// just seen in place), where their mtimes have settled; the stamps of
    /// the others are dropped.
    pub(super) fn stamp<'a>(&mut self, out: &OutputDir, dirs: impl Iterator<Item = &'a str>) {
        let now = SystemTime::now();
        for dir in dirs {
            match out.dir_stamp(dir).filter(|s| s.settled(now)) {
                Some(s) => self.map.insert(key(dir), s),
                None => self.map.remove(&key(dir)),
            };
            self.changed = true;
        }
    }

    /// Drops every stamp (the output was written anew).
    pub(super) fn clear(&mut self) {
        self.changed |= !self.map.is_empty();
        self.map.clear();
    }

    /// The stamps saved for the site at `root` by this build of Causerie;
    /// none when missing, from another build, or damaged.
    pub(super) fn load(cache_dir: &Path, head: &[u8]) -> DirStamps {
        let map = std::fs::read(cache_dir.join(FILE))
            .ok()
            .and_then(|b| decode(&b, head))
            .unwrap_or_default();
        DirStamps {
            map,
            changed: false,
        }
    }

    /// Saves the stamps (through a temporary file and a rename) if they
    /// changed since loaded.
    pub(super) fn save(&mut self, cache_dir: &Path, head: &[u8]) -> std::io::Result<()> {
        if !self.changed {
            return Ok(());
        }
        let mut w = head.to_vec();
        let start = w.len();
        put_u64(&mut w, self.map.len() as u64);
        for (k, s) in &self.map {
            put_u64(&mut w, *k);
            put_u64(&mut w, s.ino);
            put_u64(&mut w, s.mtime_s as u64);
            put_u64(&mut w, u64::from(s.mtime_ns));
        }
        let sum = content_hash(&w[start..]);
        put_u64(&mut w, sum);
        let path = cache_dir.join(FILE);
        let tmp = path.with_extension(format!("tmp-{}", std::process::id()));
        std::fs::create_dir_all(cache_dir)?;
        std::fs::write(&tmp, &w)?;
        std::fs::rename(&tmp, &path)?;
        self.changed = false;
        Ok(())
    }
}

fn decode(bytes: &[u8], head: &[u8]) -> Option<FpMap<u64, Stamp>> {
    let body = bytes.strip_prefix(head)?;
    let (data, sum) = body.split_at(body.len().checked_sub(8)?);
    if content_hash(data) != u64::from_le_bytes(sum.try_into().ok()?) {
        return None;
    }
    let mut r = Reader::new(data);
    let n = usize::try_from(r.u64()?).ok()?;
    // Each stamp is 32 bytes: a count past the data is damage.
    if n.checked_mul(32)? != data.len() - 8 {
        return None;
    }
    let mut map = FpMap::with_capacity_and_hasher(n, Default::default());
    for _ in 0..n {
        let k = r.u64()?;
        let stamp = Stamp {
            ino: r.u64()?,
            mtime_s: r.u64()? as i64,
            mtime_ns: u32::try_from(r.u64()?).ok()?,
        };
        map.insert(k, stamp);
    }
    r.done().then_some(map)
}

#[cfg(test)]
#[path = "dir_stamps_tests.rs"]
mod tests;
