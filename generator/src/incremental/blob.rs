//! Where the HTML and briefs of cached bodies are read from: the markdown
//! log mapped into memory (loaded from `.causerie/`), or the log a cold
//! build is writing, read back a body at a time. Bodies in memory carry
//! empty HTML and a [`Lazy`] saying where theirs is; bodies loaded from
//! `.causerie/` read their brief through [`LogBriefs`] on first use.

use std::borrow::Cow;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use super::codec::{Reader, decode_rest};
use crate::content::content_hash;
use crate::markdown::{Brief, BriefAt, BriefSource};

/// The markdown log the engine's lazy bodies point into.
#[derive(Default)]
pub enum Blob {
    #[default]
    Empty,
    /// Loaded from disk: a build after one edit needs the HTML of a
    /// handful of posts, so mapping beats reading 120 MB at 10 000 posts.
    Mapped(memmap2::Mmap),
    /// Written by this (cold) build, read back with `pread`: mapped pages
    /// that are read stay resident, and a 100 000-post site has 1.2 GB of
    /// HTML, which would all count again in the process's memory.
    File(std::fs::File),
}

impl std::fmt::Debug for Blob {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Blob::Empty => write!(f, "Blob::Empty"),
            Blob::Mapped(m) => write!(f, "Blob::Mapped({} bytes)", m.len()),
            Blob::File(_) => write!(f, "Blob::File"),
        }
    }
}

impl Blob {
    /// The mapped bytes (empty unless mapped).
    pub fn mapped(&self) -> &[u8] {
        match self {
            Blob::Mapped(m) => m,
            _ => &[],
        }
    }

    /// Drops the mapped pages in `from..upto` from the process's memory
    /// (they are read from the file again if touched): walking the frame
    /// heads of a 1.2 GB log otherwise left all of it resident.
    pub fn release(&self, from: usize, upto: usize) {
        const PAGE: usize = 4096;
        let (from, upto) = (from.div_ceil(PAGE) * PAGE, upto / PAGE * PAGE);
        if let Blob::Mapped(m) = self
            && from < upto
            && upto <= m.len()
        {
            // SAFETY: a read-only shared mapping of a file: dropped pages
            // come back from the file unchanged when read again.
            let _ = unsafe {
                m.unchecked_advise_range(memmap2::UncheckedAdvice::DontNeed, from, upto - from)
            };
        }
    }

    /// Sets how the mapping is read ahead (a walk of every frame, or a
    /// build's reads of a few bodies).
    pub fn advise(&self, a: memmap2::Advice) {
        if let Blob::Mapped(m) = self {
            let _ = m.advise(a);
        }
    }

    /// `len` bytes at `at`, or `None` past the end.
    fn bytes(&self, at: usize, len: usize) -> Option<Cow<'_, [u8]>> {
        match self {
            Blob::Empty => None,
            Blob::Mapped(m) => m.get(at..at.checked_add(len)?).map(Cow::Borrowed),
            Blob::File(f) => {
                let mut buf = vec![0; len];
                std::os::unix::fs::FileExt::read_exact_at(f, &mut buf, at as u64).ok()?;
                Some(Cow::Owned(buf))
            }
        }
    }

    /// The bytes of a whole frame, to copy into a rewritten log.
    pub fn frame(&self, l: &Lazy) -> Option<Cow<'_, [u8]>> {
        self.bytes(l.frame.0, l.frame.1.checked_sub(l.frame.0)?)
    }
}

/// Maps the log at `path`.
pub fn map(path: &Path) -> Option<Blob> {
    let file = std::fs::File::open(path).ok()?;
    // SAFETY: the log is only written by Causerie builds of this site, which
    // append to it, replace it by a rename (the mapping keeps the old file),
    // or cut it past the last frame they read; none changes bytes a mapping
    // can see. A build and `serve` running at once on one site's
    // `.causerie/` are not supported anyway: they would race on the output.
    let m = unsafe { memmap2::Mmap::map(&file) }.ok()?;
    // A load reads each frame's small head and a build a few bodies: with
    // the default read-around, walking the heads brought the whole log of
    // a 100 000-post site (1.2 GB) into memory.
    let _ = m.advise(memmap2::Advice::Random);
    Some(Blob::Mapped(m))
}

/// Where a cached body's HTML and whole frame are in the log.
#[derive(Debug, Clone, Copy)]
pub struct Lazy {
    /// Offset and length of the HTML in the log.
    pub html: (usize, usize),
    /// Checksum of the HTML, checked when it is read.
    pub sum: u64,
    /// Byte range of the frame, copied as it is when the log is rewritten.
    pub frame: (usize, usize),
}

/// The HTML of a lazily loaded body, or `None` if the log is damaged there.
pub fn html(blob: &Blob, l: &Lazy) -> Option<String> {
    let b = blob.bytes(l.html.0, l.html.1)?;
    if content_hash(&b) != l.sum {
        return None;
    }
    let html = String::from_utf8(b.into_owned()).ok();
    // A full build reads every body once: what it read need not stay
    // resident (a warm cache into a new output held all 1.2 GB at 100 000 posts).
    blob.release(l.html.0, l.html.0 + l.html.1);
    html
}

/// The briefs of the bodies loaded from a mapped log, read on first use.
pub struct LogBriefs {
    pub blob: Arc<Blob>,
    /// A brief failed its checksum: the build must start over without the log.
    damaged: AtomicBool,
    /// Briefs read so far.
    reads: AtomicUsize,
}

/// Briefs read between two releases of the log's pages.
const RELEASE_EVERY: usize = 256;

impl LogBriefs {
    pub fn new(blob: Arc<Blob>) -> LogBriefs {
        LogBriefs {
            blob,
            damaged: AtomicBool::new(false),
            reads: AtomicUsize::new(0),
        }
    }

    /// Whether a brief read so far was damaged.
    pub fn damaged(&self) -> bool {
        self.damaged.load(Ordering::Relaxed)
    }
}

impl BriefSource for LogBriefs {
    fn brief(&self, at: BriefAt) -> Option<Brief> {
        let b = (self.blob.bytes(at.at, at.len))
            .filter(|b| content_hash(b) == at.sum)
            .and_then(|b| decode_rest(&mut Reader::new(&b)));
        // Read once: the log's pages need not stay resident (a build that
        // reads every brief kept a page or two of it per body). Released in
        // bulk: one `madvise` per brief made a 10 000-post rebuild 10 % slower.
        if self.reads.fetch_add(1, Ordering::Relaxed) % RELEASE_EVERY == RELEASE_EVERY - 1 {
            self.blob.release(0, self.blob.mapped().len());
        }
        if b.is_none() {
            self.damaged.store(true, Ordering::Relaxed);
        }
        b
    }
}
