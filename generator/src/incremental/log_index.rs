//! An index of the markdown log's frames, beside it in
//! `build-markdown.idx`: each frame's key and where its brief and HTML
//! are, for the frames of a prefix of one log. A load reads it instead of
//! walking 100 000 frame heads spread over a 1.2 GB log (8 % of the
//! CPU of a one-post rebuild); frames appended since are walked as before.
//!
//! Each log starts with a random id after the cache header, so an index
//! of another log (one rewritten since) is never used. The index is only
//! a shortcut: missing, foreign or damaged, it costs a walk of the log.

use std::collections::hash_map::RandomState;
use std::hash::{BuildHasher, Hasher};
use std::io::Write;
use std::path::Path;

use super::blob::Lazy;
use super::codec::{Reader, put_u64};
use crate::content::content_hash;
use crate::markdown::BriefAt;

/// Where a frame is: its key, brief and HTML (and so its whole range).
pub(super) type Head = (u64, BriefAt, Lazy);

/// Bytes of a log's id, after the cache header.
pub(super) const ID_LEN: usize = 16;

/// Frames walked past the index (or without one) that make a load write a
/// new index: a few appended frames are quicker walked than indexed again.
pub(super) const STALE: usize = 64;

/// A new log's id: random, so two logs never share one.
pub(super) fn new_id() -> [u8; ID_LEN] {
    let mut id = [0u8; ID_LEN];
    for (i, part) in id.chunks_mut(8).enumerate() {
        let mut h = RandomState::new().build_hasher();
        h.write_usize(i);
        h.write_u128(
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_nanos()),
        );
        h.write_u32(std::process::id());
        part.copy_from_slice(&h.finish().to_le_bytes());
    }
    id
}

/// A head read at offset 0 of a frame's bytes, placed at `by` in its log.
pub(super) fn shifted((key, brief, lazy): Head, by: usize) -> Head {
    let brief = BriefAt {
        at: brief.at + by,
        ..brief
    };
    let lazy = Lazy {
        html: (lazy.html.0 + by, lazy.html.1),
        frame: (lazy.frame.0 + by, lazy.frame.1 + by),
        ..lazy
    };
    (key, brief, lazy)
}

/// The index file of the log at `log`.
pub(super) fn path_of(log: &Path) -> std::path::PathBuf {
    log.with_extension("idx")
}

/// The frames the index at `path` lists for the log whose header is
/// `head` and id `id`, if it is that log's and whole: they follow each
/// other from `first` and end within `log_len`.
pub(super) fn read(
    path: &Path,
    head: &[u8],
    id: &[u8],
    first: usize,
    log_len: usize,
) -> Option<Vec<Head>> {
    let bytes = std::fs::read(path).ok()?;
    let body_len = bytes.len().checked_sub(8)?;
    let (body, sum) = bytes.split_at(body_len);
    if content_hash(body) != u64::from_le_bytes(sum.try_into().ok()?) {
        return None;
    }
    let mut r = Reader::new(body);
    (r.take(head.len())? == head && r.take(ID_LEN)? == id).then_some(())?;
    let n = r.len()?;
    let mut heads = Vec::with_capacity(n.min(body.len() / 48));
    let mut at = first;
    for _ in 0..n {
        let key = r.u64()?;
        let start = usize::try_from(r.u64()?).ok()?;
        let brief_len = usize::try_from(r.u64()?).ok()?;
        let brief_sum = r.u64()?;
        let html_len = usize::try_from(r.u64()?).ok()?;
        let html_sum = r.u64()?;
        // key, brief length, brief, its sum, HTML length, HTML, its sum.
        let html_at = start.checked_add(32)?.checked_add(brief_len)?;
        let end = html_at.checked_add(html_len)?.checked_add(8)?;
        (start == at && end <= log_len).then_some(())?;
        let brief = BriefAt {
            at: start + 16,
            len: brief_len,
            sum: brief_sum,
        };
        let lazy = Lazy {
            html: (html_at, html_len),
            sum: html_sum,
            frame: (start, end),
        };
        heads.push((key, brief, lazy));
        at = end;
    }
    r.done().then_some(heads)
}

/// Writes the index of `heads` (the log's frames from its first on) for
/// the log with header `head` and id `id`, in place of the one at `path`.
pub(super) fn write(path: &Path, head: &[u8], id: &[u8], heads: &[Head]) -> std::io::Result<()> {
    let mut w = Vec::with_capacity(head.len() + ID_LEN + 16 + heads.len() * 48);
    w.extend_from_slice(head);
    w.extend_from_slice(id);
    put_u64(&mut w, heads.len() as u64);
    for (key, brief, lazy) in heads {
        for n in [
            *key,
            lazy.frame.0 as u64,
            brief.len as u64,
            brief.sum,
            lazy.html.1 as u64,
            lazy.sum,
        ] {
            put_u64(&mut w, n);
        }
    }
    let sum = content_hash(&w);
    put_u64(&mut w, sum);
    // A build killed while writing one leaves its temporary file behind.
    if let (Some(dir), Some(name)) = (path.parent(), path.file_name()) {
        let prefix = format!("{}-", name.to_string_lossy());
        crate::leftovers::remove_dead(dir, &prefix);
    }
    let tmp = path.with_extension(format!("idx-{}", std::process::id()));
    let written = std::fs::File::create(&tmp)
        .and_then(|mut f| f.write_all(&w))
        .and_then(|()| std::fs::rename(&tmp, path));
    if written.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    written
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_dead_builds_temporary_index_is_removed_by_the_next_write() {
        let t = tempfile::tempdir().unwrap();
        let path = t.path().join("build-markdown.idx");
        // No process has an id this large (Linux caps them at 2^22).
        let dead = t.path().join("build-markdown.idx-99999999");
        std::fs::write(&dead, b"half").unwrap();
        let id = new_id();
        write(&path, b"head", &id, &[]).unwrap();
        assert!(!dead.exists());
        assert_eq!(read(&path, b"head", &id, 0, 0).map(|h| h.len()), Some(0));
        let other = read(&path, b"head", &new_id(), 0, 0);
        assert!(other.is_none(), "the index of another log");
    }
}
