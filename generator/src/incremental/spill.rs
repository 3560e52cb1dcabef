//! A cold `causerie build` writes the markdown log while the site loads:
//! each entry's frame goes to disk right after its markdown is rendered,
//! and the entry keeps everything but the HTML, which the post page reads
//! back when it is rendered. The HTML of every post was the biggest part
//! of a clean build's memory (1.2 GB at 100 000 posts), and the log had to
//! be written at the end anyway.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use super::blob::{Blob, Lazy};
use super::disk::{self, LogState};
use super::log_index::{self, Head};
use crate::markdown::RenderedBody;

/// Each body written, by markdown key: where it is in the log.
pub type Frames = Vec<(u64, Lazy)>;

/// The log being written (a temporary file until the cache is saved).
pub struct Spill {
    path: PathBuf,
    /// The index to write for this log, and the log's header and id.
    index: PathBuf,
    head: Vec<u8>,
    id: [u8; log_index::ID_LEN],
    out: Mutex<Out>,
}

struct Out {
    file: std::io::BufWriter<std::fs::File>,
    len: usize,
    heads: Vec<Head>,
    /// A write failed: nothing of this spill may be trusted.
    failed: bool,
}

impl Spill {
    /// Starts a log for the site at `root`; `None` if it cannot be created
    /// (the build then keeps the HTML in memory, as before).
    pub fn create(root: &Path) -> Option<Spill> {
        let dir = disk::dir(root);
        std::fs::create_dir_all(&dir).ok()?;
        let log = disk::markdown_path(&dir);
        let path = log.with_extension(format!("spill-{}", std::process::id()));
        if let Some(stem) = log.file_stem() {
            let prefix = format!("{}.spill-", stem.to_string_lossy());
            crate::leftovers::remove_dead(&dir, &prefix);
        }
        let file = std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(true)
            .open(&path)
            .ok()?;
        let head = disk::header();
        let mut file = std::io::BufWriter::with_capacity(1 << 20, file);
        let id = log_index::new_id();
        file.write_all(&head).ok()?;
        file.write_all(&id).ok()?;
        Some(Spill {
            path,
            index: log_index::path_of(&log),
            out: Mutex::new(Out {
                file,
                len: head.len() + id.len(),
                heads: Vec::new(),
                failed: false,
            }),
            head,
            id,
        })
    }

    /// Writes the frame of `body` under `key`, then frees its HTML (which
    /// stays in memory if the write failed).
    pub fn put(&self, key: u64, body: &mut RenderedBody) {
        let mut w = Vec::with_capacity(body.html.len() + body.brief().summary_html.len() + 128);
        super::codec::put_frame(&mut w, key, body);
        let Some(at) = super::log_scan::head_of(&w) else {
            return;
        };
        let Ok(mut out) = self.out.lock() else {
            return;
        };
        if out.failed {
            return;
        }
        if out.file.write_all(&w).is_err() {
            out.failed = true;
            return;
        }
        let start = out.len;
        out.len += w.len();
        out.heads.push(log_index::shifted(at, start));
        drop(out);
        body.html = String::new();
    }

    /// The written log to read the HTML back from, where each body's HTML
    /// is, and the state [`disk::save`] needs (it moves the file in place).
    /// `None` when a write failed: the HTML freed after it is lost, and the
    /// build must start again without a spill.
    pub fn finish(self) -> Option<(Blob, Frames, LogState)> {
        let out = self.out.into_inner().ok()?;
        if out.failed {
            let _ = std::fs::remove_file(&self.path);
            return None;
        }
        let file = match out.file.into_inner() {
            Ok(f) => f,
            Err(_) => {
                let _ = std::fs::remove_file(&self.path);
                return None;
            }
        };
        // For the log once moved in place (an index of another log's id
        // is never used, so the old log is safe if that never happens).
        let _ = log_index::write(&self.index, &self.head, &self.id, &out.heads);
        let frames: Frames = out.heads.iter().map(|(k, _, l)| (*k, *l)).collect();
        let keys = frames.iter().map(|(k, _)| *k).collect();
        let log = LogState::pending(keys, frames.len(), out.len as u64, self.path);
        Some((Blob::File(file), frames, log))
    }
}
