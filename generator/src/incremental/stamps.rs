//! The cache keys of loading: of a found file, of its rendered markdown, of a cached list summary.

use super::*;
use crate::render::inputs::SummaryInputs;

/// Key of post `i`'s summary (list view): everything global and the
/// [`SummaryInputs`] its render takes.
pub(super) fn summary_key(global: u64, cx: &keys::Ctx<'_>, i: usize) -> u64 {
    let mut fp = Fp::new();
    fp.num(global);
    SummaryInputs::of(cx.site(), i).fingerprint(&mut fp, cx);
    fp.finish()
}

/// What decides whether a file found by the walk parses to the same entry
/// as last time: its place in the tree, its size and mtime, and how slugs
/// are made (the entry's path comes from its slug).
pub(super) fn found_stamp(f: &Found, slugs: Slugify) -> Option<u64> {
    let m = match f.meta {
        Some(m) => m,
        None => crate::content::FileMeta::of(&std::fs::metadata(&f.src).ok()?)?,
    };
    let mut fp = Fp::new();
    fp.str(&f.stem)
        .num(u64::from(f.bundle))
        .num(u64::from(f.kind == crate::content::Kind::Post))
        .num(m.len)
        .num(m.mtime_ns);
    // Only `safe` adds to the stamp, so caches made before it existed stay valid.
    if slugs == Slugify::Safe {
        fp.num(1);
    }
    Some(fp.finish())
}

/// Key of an entry's rendered markdown: its source and everything
/// [`crate::markdown::Options`] takes.
pub(super) fn markdown_key(e: &Entry, base_path: &str, highlight: bool) -> u64 {
    Fp::new()
        .num(e.hash)
        .str(&e.source)
        .str(&e.path)
        .str(base_path)
        .num(u64::from(highlight))
        .finish()
}
