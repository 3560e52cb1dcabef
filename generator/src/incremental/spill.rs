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
use crate::markdown::RenderedBody;

/// Each body written, by markdown key: where it is in the log.
pub type Frames = Vec<(u64, Lazy)>;

/// The log being written (a temporary file until the cache is saved).
pub struct Spill {
    path: PathBuf,
    out: Mutex<Out>,
}

struct Out {
    file: std::io::BufWriter<std::fs::File>,
    len: usize,
    frames: Frames,
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
        file.write_all(&head).ok()?;
        file.write_all(&super::log_index::new_id()).ok()?;
        Some(Spill {
            path,
            out: Mutex::new(Out {
                file,
                len: head.len() + super::log_index::ID_LEN,
                frames: Vec::new(),
                failed: false,
            }),
        })
    }

    /// Writes the frame of `body` under `key`, then frees its HTML (which
    /// stays in memory if the write failed).
    pub fn put(&self, key: u64, body: &mut RenderedBody) {
        let mut w = Vec::with_capacity(body.html.len() + body.brief().summary_html.len() + 128);
        let html_at = super::codec::put_frame(&mut w, key, body);
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
        let lazy = Lazy {
            html: (start + html_at, body.html.len()),
            sum: crate::content::content_hash(body.html.as_bytes()),
            frame: (start, out.len),
        };
        out.frames.push((key, lazy));
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
        let keys = out.frames.iter().map(|(k, _)| *k).collect();
        let log = LogState::pending(keys, out.frames.len(), out.len as u64, self.path);
        Some((Blob::File(file), out.frames, log))
    }
}
