//! Reading the markdown log's frame heads at load: the key, summary and
//! links of every body, and where its HTML is. Frames are found one after
//! the other (each says how long it is), then checked and decoded in
//! parallel, a window of the log at a time so that the window's pages are
//! released once, after both passes touched them.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use super::blob::{self, Blob, Lazy};
use super::codec::{Reader, decode_rest};
use crate::content::content_hash;
use crate::markdown::RenderedBody;

pub type Frames = Vec<(u64, RenderedBody, Lazy)>;

/// A frame found but not yet checked: its key, small part and that part's
/// checksum, and where it is.
struct Head<'a> {
    key: u64,
    rest: &'a [u8],
    rest_sum: u64,
    lazy: Lazy,
}

/// The next frame's head at `r`, or `None` where the log is cut.
fn next<'a>(r: &mut Reader<'a>) -> Option<Head<'a>> {
    let start = r.at();
    let key = r.u64()?;
    let n = r.len()?;
    let rest = r.take(n)?;
    let rest_sum = r.u64()?;
    let html_len = r.len()?;
    let html_at = r.at();
    r.take(html_len)?;
    let sum = r.u64()?;
    let lazy = Lazy {
        html: (html_at, html_len),
        sum,
        frame: (start, r.at()),
    };
    Some(Head {
        key,
        rest,
        rest_sum,
        lazy,
    })
}

/// The log at `path` mapped, its good frames, and its state for appends.
pub fn load(path: &Path, head: &[u8]) -> Option<(Blob, Frames, LogState)> {
    const WINDOW: usize = 64 << 20;
    let blob = blob::map(path).filter(|b| b.mapped().starts_with(head))?;
    let bytes = blob.mapped();
    let mut r = Reader::new(bytes);
    r.take(head.len())?;
    let mut frames: Frames = Vec::new();
    let mut valid = r.at();
    let mut released = 0;
    loop {
        let window_end = r.at() + WINDOW;
        let mut heads = Vec::new();
        let mut cut = false;
        while !r.done() && r.at() < window_end {
            match next(&mut r) {
                Some(h) => heads.push(h),
                None => {
                    cut = true;
                    break;
                }
            }
        }
        let decoded: Vec<Option<RenderedBody>> = heads
            .par_iter()
            .map(|h| {
                let ok = content_hash(h.rest) == h.rest_sum;
                ok.then(|| decode_rest(&mut Reader::new(h.rest))).flatten()
            })
            .collect();
        for (h, body) in heads.iter().zip(decoded) {
            // Up to the first bad frame: appends go after the last good one.
            let Some(body) = body else {
                cut = true;
                break;
            };
            valid = h.lazy.frame.1;
            frames.push((h.key, body, h.lazy));
        }
        blob.release(released, valid);
        released = valid;
        if cut || r.done() {
            break;
        }
    }
    let log = LogState {
        keys: frames.iter().map(|(k, _, _)| *k).collect(),
        frames: frames.len(),
        valid_len: valid as u64,
        pending: None,
    };
    Some((blob, frames, log))
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
