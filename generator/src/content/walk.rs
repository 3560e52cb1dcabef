//! The walk of `content/` and `static/`: every file, in name order, with
//! its size and mtime. At 100 000 posts the walk was a third of a one-post
//! rebuild: a general walker allocated a path per file and compared file
//! names through path parsing while sorting, and each file was then stat-ed
//! again by its absolute path. Here a directory is read once, sorted by
//! the bytes of its names, and its files are stat-ed relative to it, in
//! parallel when there are many.

use rayon::prelude::*;
use std::ffi::OsString;
use std::fs::DirEntry;
use std::path::{Path, PathBuf};
use std::time::UNIX_EPOCH;

use std::collections::BTreeMap;

use super::{Found, Kind, StaticFile, parent_of};
use crate::error::Diagnostic;

/// Size and mtime (nanoseconds since the epoch) of a file, as stat-ed when
/// it was found: what decides whether an earlier parse of it still holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FileMeta {
    pub len: u64,
    pub mtime_ns: u64,
}

impl FileMeta {
    /// The size and mtime of `m`, if the platform gives an mtime.
    pub fn of(m: &std::fs::Metadata) -> Option<FileMeta> {
        let mtime = m.modified().ok()?.duration_since(UNIX_EPOCH).ok()?;
        Some(FileMeta {
            len: m.len(),
            mtime_ns: mtime.as_nanos() as u64,
        })
    }
}

/// What the walk of a site found: the markdown files, the files copied as
/// they are, the assets of bundles, and the directories it could not read.
#[derive(Default)]
pub struct Walk {
    pub(super) found: Vec<Found>,
    pub(super) files: Vec<StaticFile>,
    pub(super) bundle_assets: BTreeMap<String, Vec<(PathBuf, String)>>,
    pub(super) errors: Vec<Diagnostic>,
}

/// Walks `content/` and `static/` of the site at `root`. It needs nothing
/// of the config, so `causerie build` walks while its cache loads.
pub fn walk(root: &Path) -> Walk {
    let t = std::time::Instant::now();
    let content_dir = root.join("content");
    let mut found = Vec::new();
    let mut files = Vec::new();
    let mut errors = Vec::new();
    let mut bundle_assets: BTreeMap<String, Vec<(PathBuf, String)>> = BTreeMap::new();

    if content_dir.is_dir() {
        let all = regular_files(root, &content_dir, &mut errors);
        // Directories that hold an index.md are bundles: their other files are assets.
        let bundles: std::collections::HashSet<&str> = all
            .iter()
            .filter(|w| w.rel == "index.md" || w.rel.ends_with("/index.md"))
            .map(|w| parent_of(&w.rel))
            .filter(|d| !d.is_empty())
            .collect();
        for w in &all {
            let rel = w.rel.as_str();
            let is_md = rel.ends_with(".md");
            let kind = if rel.starts_with("posts/") {
                Kind::Post
            } else {
                Kind::Page
            };
            let make = |stem: &str, bundle: bool| Found {
                kind,
                src: w.path.clone(),
                source: format!("content/{rel}"),
                stem: stem.to_string(),
                bundle,
                meta: w.meta,
            };
            let is_index = rel == "index.md" || rel.ends_with("/index.md");
            if is_md && is_index && bundles.contains(parent_of(rel)) {
                found.push(make(parent_of(rel), true));
                continue;
            }
            // Innermost bundle that contains this file, if any.
            let mut dir = parent_of(rel);
            let mut owner = None;
            while !dir.is_empty() {
                if bundles.contains(dir) {
                    owner = Some(dir);
                    break;
                }
                dir = parent_of(dir);
            }
            if let Some(b) = owner {
                let inner = rel[b.len() + 1..].to_string();
                bundle_assets
                    .entry(b.to_string())
                    .or_default()
                    .push((w.path.clone(), inner));
            } else if is_md {
                found.push(make(rel.trim_end_matches(".md"), false));
            } else {
                files.push(StaticFile {
                    src: w.path.clone(),
                    out: rel.to_string(),
                });
            }
        }
    }

    let static_dir = root.join("static");
    if static_dir.is_dir() {
        for w in regular_files(root, &static_dir, &mut errors) {
            files.push(StaticFile {
                src: w.path,
                out: w.rel,
            });
        }
    }

    crate::profile::phase("  walk", t);
    Walk {
        found,
        files,
        bundle_assets,
        errors,
    }
}

/// A regular file the walk found.
pub(super) struct Walked {
    pub(super) path: PathBuf,
    /// Relative to the walked directory, with `/` separators.
    pub(super) rel: String,
    /// `None` when it could not be stat-ed (it is then read and parsed).
    pub(super) meta: Option<FileMeta>,
}

/// Names the walk skips: hidden files and editors' backups and locks.
pub(super) fn hidden(name: &str) -> bool {
    name.starts_with('.') || name.ends_with('~') || name.starts_with('#')
}

/// Above this many files in one directory, they are stat-ed in parallel.
const PARALLEL_FROM: usize = 256;

/// Every regular file under `dir` (not following symlinks, skipping
/// [`hidden`] names below `dir`), in the order of a depth-first walk by
/// name. A directory that cannot be read is reported (relative to `root`)
/// and left out; the rest is walked.
pub(super) fn regular_files(root: &Path, dir: &Path, errors: &mut Vec<Diagnostic>) -> Vec<Walked> {
    let mut out = Vec::new();
    walk_dir(root, dir, String::new(), &mut out, errors);
    out
}

fn walk_dir(
    root: &Path,
    dir: &Path,
    prefix: String,
    out: &mut Vec<Walked>,
    errors: &mut Vec<Diagnostic>,
) {
    let unreadable = |e: std::io::Error| {
        Diagnostic::new(
            crate::content::rel_path(root, dir),
            0,
            format!("cannot read the directory: {e}"),
        )
    };
    let read = match std::fs::read_dir(dir) {
        Ok(r) => r,
        Err(e) => return errors.push(unreadable(e)),
    };
    let mut entries: Vec<(OsString, DirEntry)> = Vec::new();
    for e in read {
        match e {
            Ok(e) => {
                let name = e.file_name();
                if !hidden(&name.to_string_lossy()) {
                    entries.push((name, e));
                }
            }
            Err(e) => errors.push(unreadable(e)),
        }
    }
    // Byte order of the names, as a sorted walk gives on Unix.
    entries.sort_unstable_by(|a, b| a.0.cmp(&b.0));
    // File type comes with the directory listing on common file systems;
    // only files are stat-ed (size and mtime).
    let kinds: Vec<Option<std::fs::FileType>> =
        entries.iter().map(|(_, e)| e.file_type().ok()).collect();
    let stat = |(_, e): &(OsString, DirEntry)| e.metadata().ok().as_ref().and_then(FileMeta::of);
    let files = kinds
        .iter()
        .filter(|k| k.is_some_and(|k| k.is_file()))
        .count();
    let metas: Vec<Option<FileMeta>> = if files >= PARALLEL_FROM {
        entries
            .par_iter()
            .zip(kinds.par_iter())
            .map(|(e, k)| k.is_some_and(|k| k.is_file()).then(|| stat(e)).flatten())
            .collect()
    } else {
        entries
            .iter()
            .zip(&kinds)
            .map(|(e, k)| k.is_some_and(|k| k.is_file()).then(|| stat(e)).flatten())
            .collect()
    };
    let mut subdirs = Vec::new();
    for (((name, e), kind), meta) in entries.into_iter().zip(kinds).zip(metas) {
        let Some(kind) = kind else { continue };
        let name = name.to_string_lossy();
        let rel = if prefix.is_empty() {
            name.into_owned()
        } else {
            format!("{prefix}/{name}")
        };
        if kind.is_file() {
            out.push(Walked {
                path: e.path(),
                rel,
                meta,
            });
        } else if kind.is_dir() {
            subdirs.push((out.len(), e.path(), rel));
        }
    }
    // Directories are walked where their name sorts among the files.
    if subdirs.is_empty() {
        return;
    }
    let tail = out.split_off(subdirs[0].0);
    let mut tail = tail.into_iter().peekable();
    let mut at = subdirs[0].0;
    for (pos, path, rel) in subdirs {
        while at < pos {
            if let Some(w) = tail.next() {
                out.push(w);
            }
            at += 1;
        }
        walk_dir(root, &path, rel, out, errors);
    }
    out.extend(tail);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rels(w: &[Walked]) -> Vec<&str> {
        w.iter().map(|w| w.rel.as_str()).collect()
    }

    #[test]
    fn walks_in_name_order_depth_first_skipping_hidden_names() {
        let t = tempfile::tempdir().unwrap();
        let d = t.path();
        for f in [
            "b.md",
            "a/z.md",
            "a/b/c.md",
            "c.txt",
            "a.md",
            ".git/x",
            "a/.hidden.md",
            "d~",
            "#e#",
        ] {
            let p = d.join(f);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, f).unwrap();
        }
        let mut errors = Vec::new();
        let w = regular_files(d, d, &mut errors);
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(rels(&w), ["a/b/c.md", "a/z.md", "a.md", "b.md", "c.txt"]);
        let m = std::fs::metadata(d.join("a/z.md")).unwrap();
        assert_eq!(w[1].meta, FileMeta::of(&m));
        assert_eq!(w[1].meta.unwrap().len, 6);
        assert_eq!(w[1].path, d.join("a/z.md"));
    }

    #[test]
    fn stats_many_files_the_same_as_few() {
        let t = tempfile::tempdir().unwrap();
        for i in 0..(PARALLEL_FROM + 10) {
            std::fs::write(t.path().join(format!("{i:04}.md")), "x".repeat(i)).unwrap();
        }
        let w = regular_files(t.path(), t.path(), &mut Vec::new());
        assert_eq!(w.len(), PARALLEL_FROM + 10);
        for (i, f) in w.iter().enumerate() {
            assert_eq!(f.rel, format!("{i:04}.md"));
            assert_eq!(f.meta.map(|m| m.len), Some(i as u64));
        }
    }

    #[cfg(unix)]
    #[test]
    fn symlinks_are_not_followed() {
        let t = tempfile::tempdir().unwrap();
        std::fs::write(t.path().join("real.md"), "x").unwrap();
        std::os::unix::fs::symlink(t.path().join("real.md"), t.path().join("link.md")).unwrap();
        let w = regular_files(t.path(), t.path(), &mut Vec::new());
        assert_eq!(rels(&w), ["real.md"]);
    }
}
