//! The engine's memory on disk, for `causerie build`: under `.causerie/`
//! of the site, two files:
//!
//! - `build-records.bin`: the output directory and, per job, its key and
//!   the files it wrote (rewritten after each build; small);
//! - `build-markdown.bin`: rendered markdown by cache key, an append-only
//!   log of frames (a build appends only what it rendered; the log is
//!   rewritten when more than half of it is dead). It is mapped, not read:
//!   a build after one edit needs the HTML of a handful of posts, and
//!   reading the 120 MB log of a 10 000-post site cost more than the rest
//!   of such a build. Each frame has two checksums, one over the small part
//!   read at load (summary, links) and one over the HTML, checked when the
//!   HTML is used.
//!
//! Both start with a header naming the format, the Causerie version and
//! the executable (size and mtime), so a cache written by another build of
//! Causerie is ignored; every record carries a checksum, so a truncated or
//! corrupt cache is ignored (the records) or cut at the first bad frame
//! (the markdown). Nothing read here is trusted beyond "render less".

use std::collections::{HashMap, HashSet};
use std::io::Write;
use std::path::{Path, PathBuf};

pub use super::blob::{Blob, Lazy, html};
use super::{Engine, FileRec, Record};
use crate::content::content_hash;
use crate::markdown::RenderedBody;

const RECORDS: &str = "build-records.bin";
const ENTRIES: &str = "build-entries.bin";
const MARKDOWN: &str = "build-markdown.bin";
const FORMAT: u32 = 4;

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
    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
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
    fn done(&self) -> bool {
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
fn decode_rest(r: &mut Reader<'_>) -> Option<RenderedBody> {
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
    keys: HashSet<u64>,
    /// Frames in the log (live or dead).
    frames: usize,
    /// Byte length of the valid part of the log.
    valid_len: u64,
    /// A log written during the build ([`super::spill`]), moved in place
    /// of the old one when the cache is saved.
    pending: Option<PathBuf>,
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
    // The three files are independent: read them side by side.
    let ((records, entries), markdown) = rayon::join(
        || rayon::join(|| load_records(&dir, &head), || load_entries(&dir, &head)),
        || load_markdown(&dir, &head),
    );
    if let Some((output, records)) = records {
        engine.records.output = Some(output);
        engine.records.jobs = records;
    }
    if let Some((links_ok, entries)) = entries {
        engine.entries.parsed = entries;
        engine.entries.links_ok = links_ok;
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

fn load_records(dir: &Path, head: &[u8]) -> Option<(PathBuf, HashMap<u64, Record>)> {
    parse_records(&std::fs::read(dir.join(RECORDS)).ok()?, head)
}

fn load_entries(dir: &Path, head: &[u8]) -> Option<(Option<u64>, super::entries::Entries)> {
    let bytes = std::fs::read(dir.join(ENTRIES)).ok()?;
    super::entries::decode(checked(&bytes, head)?)
}

type Frames = Vec<(u64, RenderedBody, Lazy)>;

fn load_markdown(dir: &Path, head: &[u8]) -> Option<(Blob, Frames, LogState)> {
    let blob = super::blob::map(&dir.join(MARKDOWN)).filter(|b| b.mapped().starts_with(head))?;
    let mut log = LogState::default();
    let mut frames = Vec::new();
    // Frame: key, small part and its checksum, HTML and its checksum.
    let mut r = Reader {
        b: blob.mapped(),
        at: head.len(),
    };
    let mut valid = r.at;
    let mut released = 0;
    while !r.done() {
        let start = r.at;
        if start - released > 64 << 20 {
            blob.release(released, start);
            released = start;
        }
        let Some(frame) = (|| {
            let key = r.u64()?;
            let n = r.len()?;
            let rest = r.take(n)?;
            if content_hash(rest) != r.u64()? {
                return None;
            }
            let body = decode_rest(&mut Reader { b: rest, at: 0 })?;
            let html_len = r.len()?;
            let html_at = r.at;
            r.take(html_len)?;
            let sum = r.u64()?;
            let lazy = Lazy {
                html: (html_at, html_len),
                sum,
                frame: (start, r.at),
            };
            Some((key, body, lazy))
        })() else {
            break; // up to the first bad frame: appends go after the last good one
        };
        valid = r.at;
        log.keys.insert(frame.0);
        log.frames += 1;
        frames.push(frame);
    }
    log.valid_len = valid as u64;
    Some((blob, frames, log))
}

/// The data of a file written by [`seal`], if its header and checksum hold.
fn checked<'a>(bytes: &'a [u8], head: &[u8]) -> Option<&'a [u8]> {
    let body = bytes.strip_prefix(head)?;
    let (data, sum) = body.split_at(body.len().checked_sub(8)?);
    (content_hash(data) == u64::from_le_bytes(sum.try_into().ok()?)).then_some(data)
}

/// Writes `data` (which follows `head` in `w`) with its checksum.
fn seal(w: &mut Vec<u8>, start: usize) {
    let sum = content_hash(&w[start..]);
    put_u64(w, sum);
}

fn parse_records(bytes: &[u8], head: &[u8]) -> Option<(PathBuf, HashMap<u64, Record>)> {
    let data = checked(bytes, head)?;
    let mut r = Reader { b: data, at: 0 };
    let output = PathBuf::from(r.str()?);
    let n = r.len()?;
    let mut records = HashMap::with_capacity(n.min(1 << 20));
    for _ in 0..n {
        let name = r.u64()?;
        let has_key = r.u64()?;
        let key = r.u64()?;
        let files_n = r.len()?;
        let mut files = Vec::with_capacity(files_n.min(4096));
        for _ in 0..files_n {
            let path = r.str()?;
            let hash = r.u64()?;
            let page = r.u64()? != 0;
            files.push(FileRec { path, hash, page });
        }
        records.insert(
            name,
            Record {
                key: (has_key != 0).then_some(key),
                files,
            },
        );
    }
    r.done().then_some((output, records))
}

/// Writes `bytes` to `path` through a temporary file and a rename.
fn replace(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let tmp = path.with_extension(format!("tmp-{}", std::process::id()));
    std::fs::write(&tmp, bytes)?;
    std::fs::rename(&tmp, path)
}

/// Saves the engine for the site at `root`. Failing to save only costs
/// speed next time, so errors are reported to the caller to print, not to fail on.
pub fn save(root: &Path, engine: &Engine, log: &mut LogState) -> std::io::Result<()> {
    let dir = dir(root);
    std::fs::create_dir_all(&dir)?;
    let head = header();
    // Records: always rewritten (or removed when there is no output to describe).
    let save_records = || -> std::io::Result<()> {
        let records_path = dir.join(RECORDS);
        match &engine.records.output {
            Some(out) => {
                let mut w = head.clone();
                let start = w.len();
                put_str(&mut w, &out.to_string_lossy());
                put_u64(&mut w, engine.records.jobs.len() as u64);
                for (name, rec) in &engine.records.jobs {
                    put_u64(&mut w, *name);
                    put_u64(&mut w, u64::from(rec.key.is_some()));
                    put_u64(&mut w, rec.key.unwrap_or(0));
                    put_u64(&mut w, rec.files.len() as u64);
                    for f in &rec.files {
                        put_str(&mut w, &f.path);
                        put_u64(&mut w, f.hash);
                        put_u64(&mut w, u64::from(f.page));
                    }
                }
                seal(&mut w, start);
                replace(&records_path, &w)?;
            }
            None => {
                let _ = std::fs::remove_file(&records_path);
            }
        }
        Ok(())
    };
    // Entries: always rewritten; a few MB at 10 000 posts.
    let save_entries = || -> std::io::Result<()> {
        let mut w = head.clone();
        let start = w.len();
        w.extend_from_slice(&super::entries::encode(
            engine.entries.links_ok,
            &engine.entries.parsed,
        ));
        seal(&mut w, start);
        replace(&dir.join(ENTRIES), &w)
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
    let frame = |w: &mut Vec<u8>, key: u64, body: &RenderedBody| {
        put_frame(w, key, body);
    };
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
                _ => frame(&mut w, *k, b),
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
        let mut w = Vec::new();
        for k in &fresh {
            frame(&mut w, *k, &markdown.bodies[k]);
        }
        let f = std::fs::OpenOptions::new().write(true).open(&md_path)?;
        // Cut a damaged tail first so the new frames follow valid ones.
        f.set_len(log.valid_len)?;
        let mut f = std::io::BufWriter::new(f);
        std::io::Seek::seek(&mut f, std::io::SeekFrom::Start(log.valid_len))?;
        f.write_all(&w)?;
        f.flush()?;
        log.valid_len += w.len() as u64;
        log.frames += fresh.len();
        log.keys.extend(fresh);
    }
    Ok(())
}

#[cfg(test)]
#[path = "disk_tests.rs"]
mod tests;
