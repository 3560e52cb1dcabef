//! Reading the markdown log's frame heads at load: the key of every
//! body, and where its brief and HTML are. Frames are taken from the
//! log's index, then found one after the other (each says how long it
//! is). Nothing in them is decoded or checked here: a body's brief and
//! HTML are, by [`LogBriefs`] and [`blob::html`], when a build first reads
//! them. Pages walked are released a window at a time, so the walk does
//! not leave the log resident.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::blob::{self, Lazy, LogBriefs};
use super::codec::Reader;
use super::log_index;
use crate::markdown::{BriefAt, BriefSource, RenderedBody};

pub type Frames = Vec<(u64, RenderedBody, Lazy)>;

/// The next frame at `r`: its key, where its brief is, and where its HTML
/// and whole frame are; `None` where the log is cut.
fn next(r: &mut Reader<'_>) -> Option<log_index::Head> {
    let start = r.at();
    let key = r.u64()?;
    let len = r.len()?;
    let at = r.at();
    r.take(len)?;
    let brief = BriefAt {
        at,
        len,
        sum: r.u64()?,
    };
    let html_len = r.len()?;
    let html_at = r.at();
    r.take(html_len)?;
    let sum = r.u64()?;
    let lazy = Lazy {
        html: (html_at, html_len),
        sum,
        frame: (start, r.at()),
    };
    Some((key, brief, lazy))
}

/// The head of the frame `bytes` start with, placed at offset 0.
pub(super) fn head_of(bytes: &[u8]) -> Option<log_index::Head> {
    next(&mut Reader::new(bytes))
}

/// The log at `path` mapped (with the source its bodies read their briefs
/// from), its whole frames, and its state for appends. The frames of its
/// index ([`log_index`]) are taken as listed; those after are walked.
pub fn load(path: &Path, head: &[u8]) -> Option<(Arc<LogBriefs>, Frames, LogState)> {
    const WINDOW: usize = 64 << 20;
    let blob = Arc::new(blob::map(path).filter(|b| b.mapped().starts_with(head))?);
    let briefs = Arc::new(LogBriefs::new(blob.clone()));
    let source: Arc<dyn BriefSource> = briefs.clone();
    let bytes = blob.mapped();
    let mut r = Reader::new(bytes);
    r.take(head.len())?;
    let id = r.take(log_index::ID_LEN)?;
    let index = log_index::path_of(path);
    let mut heads = log_index::read(&index, head, id, r.at(), bytes.len()).unwrap_or_default();
    let indexed = heads.len();
    if let Some((_, _, last)) = heads.last() {
        r.take(last.frame.1 - r.at())?;
    }
    let mut released = r.at();
    blob.advise(memmap2::Advice::Normal);
    while let Some(h) = next(&mut r) {
        heads.push(h);
        if r.at() - released >= WINDOW {
            blob.release(released, r.at());
            released = r.at();
        }
    }
    // Appends go after the last whole frame.
    let valid = heads
        .last()
        .map_or(head.len() + log_index::ID_LEN, |h| h.2.frame.1);
    blob.release(released, valid);
    blob.advise(memmap2::Advice::Random);
    if heads.len() - indexed >= log_index::STALE {
        // Only a shortcut: a failed write costs the next load a walk.
        let _ = log_index::write(&index, head, id, &heads);
    }
    let frames: Frames = (heads.iter())
        .map(|&(key, brief, lazy)| {
            let body = RenderedBody::later(String::new(), source.clone(), brief);
            (key, body, lazy)
        })
        .collect();
    let log = LogState {
        keys: frames.iter().map(|(k, _, _)| *k).collect(),
        frames: frames.len(),
        valid_len: valid as u64,
        pending: None,
    };
    Some((briefs, frames, log))
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
