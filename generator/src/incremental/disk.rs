//! The engine's memory on disk, for `causerie build`: under `.causerie/`
//! of the site, three files:
//!
//! - `build-records.bin`: the output directory and, per job, its key and
//!   the files it wrote, as a base and deltas kept in step with the output
//!   while it is written ([`super::journal`]);
//! - `build-entries.bin`: the parsed entries, as a base and deltas
//!   ([`super::entry_file`]);
//! - `build-markdown.bin`: rendered markdown by cache key, an append-only
//!   log of frames (a build appends only what it rendered; the log is
//!   rewritten when more than half of it is dead). It is mapped, not read:
//!   a build after one edit needs the HTML of a handful of posts, and
//!   reading the 120 MB log of a 10 000-post site cost more than the rest
//!   of such a build. Each frame has two checksums, one over the small part
//!   read at load (summary, links) and one over the HTML, checked when the
//!   HTML is used.
//!
//! After a partial build only what changed is written
//! ([`super::save_delta`]); otherwise the site's caches are saved whole here.
//!
//! All start with a header naming the format, the Causerie version and
//! the executable (size and mtime), so a cache written by another build of
//! Causerie is ignored; every part carries a checksum, so a corrupt file
//! is ignored (records, entries; a torn last delta only loses that delta)
//! or cut at the first bad frame (the markdown). Nothing read here is trusted beyond "render less".

use std::collections::HashSet;
use std::io::Write;
use std::path::{Path, PathBuf};

pub use super::blob::{Blob, Lazy, html};
use super::{Engine, entry_file, journal};
use crate::content::content_hash;
use crate::markdown::RenderedBody;

pub(super) const RECORDS: &str = "build-records.bin";
pub(super) const ENTRIES: &str = "build-entries.bin";
pub(super) const MARKDOWN: &str = "build-markdown.bin";
const FORMAT: u32 = 5;

/// Identity of this executable: version, size and mtime of the binary.
pub(super) fn header() -> Vec<u8> {
    let mut w = Vec::new();
    w.extend_from_slice(b"causerie-cache\n");
    put_u64(&mut w, u64::from(FORMAT));
    put_str(&mut w, env!("CARGO_PKG_VERSION"));
    let stamp = std::env::current_exe()
        .and_then(std::fs::metadata)
        .map(|m| {
            let t = m
                .modified()
                .ok()
                .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
                .map(|d| d.as_nanos() as u64)
                .unwrap_or(0);
            m.len() ^ t.rotate_left(17)
        })
        .unwrap_or(0);
    put_u64(&mut w, stamp);
    w
}

pub(super) fn put_u64(w: &mut Vec<u8>, n: u64) {
    w.extend_from_slice(&n.to_le_bytes());
}

pub(super) fn put_str(w: &mut Vec<u8>, s: &str) {
    put_u64(w, s.len() as u64);
    w.extend_from_slice(s.as_bytes());
}

/// A bounds-checked reader; every method returns `None` past the end.
pub(super) struct Reader<'a> {
    b: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    pub(super) fn new(b: &'a [u8]) -> Reader<'a> {
        Reader { b, at: 0 }
    }
    pub(super) fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        let end = self.at.checked_add(n)?;
        let s = self.b.get(self.at..end)?;
        self.at = end;
        Some(s)
    }
    pub(super) fn u64(&mut self) -> Option<u64> {
        let s = self.take(8)?;
        Some(u64::from_le_bytes(s.try_into().ok()?))
    }
    pub(super) fn len(&mut self) -> Option<usize> {
        let n = usize::try_from(self.u64()?).ok()?;
        (n <= self.b.len() - self.at).then_some(n)
    }
    pub(super) fn str(&mut self) -> Option<String> {
        let n = self.len()?;
        String::from_utf8(self.take(n)?.to_vec()).ok()
    }
    pub(super) fn at(&self) -> usize {
        self.at
    }
    pub(super) fn done(&self) -> bool {
        self.at == self.b.len()
    }
}

/// Everything of a body but its HTML.
fn encode_rest(w: &mut Vec<u8>, r: &RenderedBody) {
    put_str(w, &r.summary_html);
    put_u64(w, u64::from(r.has_more));
    put_u64(w, r.words as u64);
    put_u64(w, r.links.len() as u64);
    for (dest, line) in &r.links {
        put_str(w, dest);
        put_u64(w, *line as u64);
    }
}

/// A body without its HTML (which is left empty, see [`Lazy`]).
pub(super) fn decode_rest(r: &mut Reader<'_>) -> Option<RenderedBody> {
    let html = String::new();
    let summary_html = r.str()?;
    let has_more = r.u64()? != 0;
    let words = usize::try_from(r.u64()?).ok()?;
    let n = r.len()?;
    let mut links = Vec::with_capacity(n.min(4096));
    for _ in 0..n {
        let d = r.str()?;
        links.push((d, usize::try_from(r.u64()?).ok()?));
    }
    Some(RenderedBody {
        html,
        summary_html,
        has_more,
        words,
        links,
    })
}

/// Appends one log frame (key, small part and its checksum, HTML and its
/// checksum); returns where in `w` the HTML starts.
pub(super) fn put_frame(w: &mut Vec<u8>, key: u64, body: &RenderedBody) -> usize {
    let mut p = Vec::with_capacity(body.summary_html.len() + 64);
    encode_rest(&mut p, body);
    put_u64(w, key);
    put_u64(w, p.len() as u64);
    w.extend_from_slice(&p);
    put_u64(w, content_hash(&p));
    put_u64(w, body.html.len() as u64);
    let at = w.len();
    w.extend_from_slice(body.html.as_bytes());
    put_u64(w, content_hash(body.html.as_bytes()));
    at
}

/// Where the cache of the site at `root` lives.
pub fn dir(root: &Path) -> PathBuf {
    root.join(".causerie")
}

/// What was read from the markdown log, to append only what is new.
#[derive(Debug, Default)]
pub struct LogState {
    /// Keys present in the log.
    pub(super) keys: HashSet<u64>,
    /// Frames in the log (live or dead).
    pub(super) frames: usize,
    /// Byte length of the valid part of the log.
    pub(super) valid_len: u64,
    /// A log written during the build ([`super::spill`]), moved in place
    /// of the old one when the cache is saved.
    pub(super) pending: Option<PathBuf>,
}

impl LogState {
    /// The state of a log written whole at `path` by this build.
    pub(super) fn pending(keys: HashSet<u64>, frames: usize, len: u64, path: PathBuf) -> LogState {
        LogState {
            keys,
            frames,
            valid_len: len,
            pending: Some(path),
        }
    }
}

impl LogState {
    /// Removes a log this build wrote and will not save.
    pub(super) fn discard(self) {
        if let Some(p) = self.pending {
            let _ = std::fs::remove_file(p);
        }
    }
}

/// The markdown log's file in the cache directory `dir`.
pub(super) fn markdown_path(dir: &Path) -> PathBuf {
    dir.join(MARKDOWN)
}

/// Loads the engine saved for the site at `root`; an empty engine when
/// there is none, or it is from another Causerie, or it is damaged.
pub fn load(root: &Path) -> (Engine, LogState) {
    let mut engine = Engine::new();
    let dir = dir(root);
    let head = header();
    let records = || journal::load(&dir.join(RECORDS), &head);
    let entries = || entry_file::load(&dir.join(ENTRIES), &head);
    let markdown = || super::log_scan::load(&dir.join(MARKDOWN), &head);
    let ((records, entries), markdown) = if crate::profile::enabled() {
        // One at a time, to tell their costs apart.
        let timed = |name: &str, since: std::time::Instant| crate::profile::phase(name, since);
        let t = std::time::Instant::now();
        let r = records();
        timed("  records", t);
        let t = std::time::Instant::now();
        let e = entries();
        timed("  entries", t);
        let t = std::time::Instant::now();
        let m = markdown();
        timed("  markdown", t);
        ((r, e), m)
    } else {
        // The three files are independent: read them side by side.
        rayon::join(|| rayon::join(records, entries), markdown)
    };
    let (records, journal) = records;
    engine.records.journal = Some(journal);
    if let Some((output, records)) = records {
        engine.records.output = Some(output);
        engine.records.jobs = records;
    }
    if let Some((links_ok, entries, file)) = entries {
        engine.entries.parsed = entries;
        engine.entries.links_ok = links_ok;
        engine.entries.file = Some(file);
    }
    let Some((blob, frames, log)) = markdown else {
        return (engine, LogState::default());
    };
    // Sized once: growing moved every body again and again.
    engine.markdown.bodies.reserve(frames.len());
    engine.markdown.lazy.reserve(frames.len());
    for (key, body, lazy) in frames {
        engine.markdown.bodies.insert(key, body);
        engine.markdown.lazy.insert(key, lazy);
    }
    engine.markdown.blob = blob;
    (engine, log)
}

/// Saves the engine for the site at `root`. Failing to save only costs
/// speed next time, so errors are reported to the caller to print, not to fail on.
pub fn save(root: &Path, engine: &mut Engine, log: &mut LogState) -> std::io::Result<()> {
    let dir = dir(root);
    std::fs::create_dir_all(&dir)?;
    let head = header();
    // Records: rewritten unless the build kept the file in step.
    let records = &mut engine.records;
    let journal = (records.journal).get_or_insert_with(|| journal::Journal::new(dir.join(RECORDS)));
    let save_records = || journal::save(journal, &head, records.output.as_deref(), &records.jobs);
    // Entries: rewritten whole.
    let entries = &mut engine.entries;
    let save_entries = || -> std::io::Result<()> {
        let items = (entries.parsed.iter()).map(|(k, (s, e))| (k.as_str(), *s, e));
        entries.file = None;
        let saved = entry_file::save_whole(&dir.join(ENTRIES), &head, entries.links_ok, items)?;
        entries.file = Some(saved);
        Ok(())
    };
    let (records, entries) = rayon::join(save_records, save_entries);
    records?;
    entries?;
    // Markdown: append the new bodies, or rewrite when mostly dead.
    let md_path = dir.join(MARKDOWN);
    if let Some(written) = log.pending.take()
        && let Err(e) = std::fs::rename(&written, &md_path)
    {
        let _ = std::fs::remove_file(&written);
        *log = LogState::default();
        return Err(e);
    }
    let markdown = &engine.markdown;
    let live = markdown.bodies.len();
    let fresh: Vec<u64> = markdown
        .bodies
        .keys()
        .filter(|k| !log.keys.contains(k))
        .copied()
        .collect();
    let rewrite = log.valid_len == 0 || log.frames + fresh.len() > 2 * live + 64;
    if rewrite {
        // Streamed frame by frame: the cache of a 10 000-post site is as big
        // as all its HTML, and building it in one buffer doubled peak memory.
        let tmp = md_path.with_extension(format!("tmp-{}", std::process::id()));
        let mut f = std::io::BufWriter::new(std::fs::File::create(&tmp)?);
        f.write_all(&head)?;
        let mut len = head.len() as u64;
        let mut w = Vec::new();
        for (k, b) in &markdown.bodies {
            w.clear();
            match markdown.lazy.get(k) {
                // Never loaded: copy the frame as read (it was checked).
                Some(l) if b.html.is_empty() => match markdown.blob.frame(l) {
                    Some(bytes) => w.extend_from_slice(&bytes),
                    None => continue, // unreadable: rendered again next time
                },
                _ => {
                    put_frame(&mut w, *k, b);
                }
            }
            f.write_all(&w)?;
            len += w.len() as u64;
        }
        f.flush()?;
        drop(f);
        std::fs::rename(&tmp, &md_path)?;
        log.keys = markdown.bodies.keys().copied().collect();
        log.frames = live;
        log.valid_len = len;
    } else if !fresh.is_empty() {
        let bodies: Vec<(u64, &RenderedBody)> =
            fresh.iter().map(|k| (*k, &markdown.bodies[k])).collect();
        append_bodies(&md_path, log, &bodies)?;
    }
    Ok(())
}

/// Appends frames of these bodies (not in the log yet) to the log at `md_path`.
pub(super) fn append_bodies(
    md_path: &Path,
    log: &mut LogState,
    bodies: &[(u64, &RenderedBody)],
) -> std::io::Result<()> {
    let mut w = Vec::new();
    for (k, b) in bodies {
        put_frame(&mut w, *k, b);
    }
    let f = std::fs::OpenOptions::new().write(true).open(md_path)?;
    // Cut a damaged tail first so the new frames follow valid ones.
    f.set_len(log.valid_len)?;
    std::os::unix::fs::FileExt::write_all_at(&f, &w, log.valid_len)?;
    log.valid_len += w.len() as u64;
    log.frames += bodies.len();
    log.keys.extend(bodies.iter().map(|(k, _)| *k));
    Ok(())
}

#[cfg(test)]
#[path = "disk_tests.rs"]
mod tests;
