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
//!   of such a build. The log starts with a random id naming it for its
//!   index, `build-markdown.idx` ([`super::log_index`]). Each frame has
//!   two checksums, one over its brief (summary, links) and one over the
//!   HTML, each checked when that part is first read.
//!
//! After a partial build only what changed is written
//! ([`super::save_delta`]); otherwise the site's caches are saved whole here.
//!
//! All start with a header naming the format, the Causerie version and
//! the executable (size and mtime), so a cache written by another build of
//! Causerie is ignored; every part carries a checksum, so a corrupt file
//! is ignored (records, entries; a torn last delta only loses that delta),
//! cut after its last whole frame (the markdown), or found damaged when a
//! body's part is read, and the build then starts over without the log.
//! Nothing read here is trusted beyond "render less".

use std::io::Write;
use std::path::{Path, PathBuf};

pub use super::blob::{Blob, Lazy, LogBriefs, html};
use super::codec::{put_frame, put_str, put_u64};
pub use super::log_scan::LogState;
use super::{Engine, entry_file, journal, log_index};
use crate::markdown::RenderedBody;

pub(super) const RECORDS: &str = "build-records.bin";
pub(super) const ENTRIES: &str = "build-entries.bin";
pub(super) const MARKDOWN: &str = "build-markdown.bin";
const FORMAT: u32 = 6;

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

/// Where the cache of the site at `root` lives.
pub fn dir(root: &Path) -> PathBuf {
    root.join(".causerie")
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
    let Some((briefs, frames, log)) = markdown else {
        return (engine, LogState::default());
    };
    // Sized once: growing moved every body again and again.
    engine.markdown.bodies.reserve(frames.len());
    engine.markdown.lazy.reserve(frames.len());
    for (key, body, lazy) in frames {
        engine.markdown.bodies.insert(key, body);
        engine.markdown.lazy.insert(key, lazy);
    }
    engine.markdown.blob = briefs.blob.clone();
    engine.markdown.briefs = Some(briefs);
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
        let id = log_index::new_id();
        f.write_all(&head)?;
        f.write_all(&id)?;
        let mut len = (head.len() + id.len()) as u64;
        let mut heads = Vec::with_capacity(live);
        let mut w = Vec::new();
        for (k, b) in &markdown.bodies {
            w.clear();
            match markdown.lazy.get(k) {
                // Never loaded whole: copy the frame as read (what was
                // not read keeps its checksum).
                Some(l) if b.html.is_empty() || !b.brief_is_loaded() => {
                    match markdown.blob.frame(l) {
                        Some(bytes) => w.extend_from_slice(&bytes),
                        None => continue, // unreadable: rendered again next time
                    }
                }
                _ => {
                    put_frame(&mut w, *k, b);
                }
            }
            f.write_all(&w)?;
            if let Some(h) = super::log_scan::head_of(&w) {
                heads.push(log_index::shifted(h, len as usize));
            }
            len += w.len() as u64;
        }
        f.flush()?;
        drop(f);
        std::fs::rename(&tmp, &md_path)?;
        // Only a shortcut: a failed write costs the next load a walk.
        let _ = log_index::write(&log_index::path_of(&md_path), &head, &id, &heads);
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
