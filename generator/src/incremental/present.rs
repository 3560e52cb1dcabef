//! Whether the files a build recorded are still in the output, asked of
//! an open handle on the output directory: `causerie build` checks every
//! recorded file (235 000 at 100 000 posts) before trusting the records,
//! and resolving each absolute path from `/` again was most of that check.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

/// What identifies the state of a directory's entries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Stamp {
    pub(super) ino: u64,
    pub(super) mtime_s: i64,
    pub(super) mtime_ns: u32,
}

/// Names of jobs, for the missing set.
pub(super) type Names = HashSet<u64>;

/// Paths up to this long are looked up from a buffer on the stack.
#[cfg(target_os = "linux")]
const PATH_BUF: usize = 512;

/// Top-level directories of the output kept open, at most.
#[cfg(target_os = "linux")]
const OPEN_PARENTS: usize = 32;

/// The output directory, opened once for many lookups.
pub(super) struct OutputDir {
    root: PathBuf,
    #[cfg(target_os = "linux")]
    dir: Option<std::fs::File>,
    /// Top-level directories (`posts`, `tags`) opened on first use: most
    /// lookups are one level under them, and then resolve one name, not
    /// two (the check of 135 000 directories at 100 000 posts: 348 ms,
    /// then 320–338 ms with `CAUSERIE_PROFILE=1`).
    #[cfg(target_os = "linux")]
    parents: std::sync::Mutex<Vec<(Box<str>, Option<std::fs::File>)>>,
}

impl OutputDir {
    pub(super) fn open(root: &Path) -> OutputDir {
        OutputDir {
            root: root.to_path_buf(),
            #[cfg(target_os = "linux")]
            dir: std::fs::File::open(root).ok(),
            #[cfg(target_os = "linux")]
            parents: Default::default(),
        }
    }

    /// The stamp of directory `rel` of the output (`""`: the root), if it
    /// is a directory.
    pub(super) fn dir_stamp(&self, rel: &str) -> Option<Stamp> {
        #[cfg(target_os = "linux")]
        if let Some(st) = self.stat_at(if rel.is_empty() { "." } else { rel }) {
            let st = st?;
            return ((st.st_mode & libc::S_IFMT) == libc::S_IFDIR).then_some(Stamp {
                ino: st.st_ino,
                mtime_s: st.st_mtime,
                mtime_ns: u32::try_from(st.st_mtime_nsec).ok()?,
            });
        }
        #[cfg(unix)]
        {
            use std::os::unix::fs::MetadataExt;
            let m = std::fs::metadata(self.root.join(rel)).ok()?;
            m.is_dir().then_some(Stamp {
                ino: m.ino(),
                mtime_s: m.mtime(),
                mtime_ns: u32::try_from(m.mtime_nsec()).ok()?,
            })
        }
        #[cfg(not(unix))]
        None
    }

    /// Whether `rel` (a path the records hold, relative to the output)
    /// exists in it, following symlinks as [`Path::exists`] does.
    pub(super) fn has(&self, rel: &str) -> bool {
        #[cfg(target_os = "linux")]
        if let Some(st) = self.stat_at(rel) {
            return st.is_some();
        }
        self.root.join(rel).exists()
    }

    /// `fstatat` of `rel` relative to the open output directory, following
    /// symlinks: `Some(None)` when it is not there, `None` when this path
    /// cannot be asked so (no handle, absolute, too long, or with a NUL).
    #[cfg(target_os = "linux")]
    fn stat_at(&self, rel: &str) -> Option<Option<libc::stat>> {
        use std::os::fd::AsRawFd;
        let dir = self.dir.as_ref()?;
        if rel.starts_with('/') || rel.len() >= PATH_BUF || rel.contains('\0') {
            return None;
        }
        // `top/name`: asked of `top`, kept open, when it can be.
        if let Some((top, name)) = rel.split_once('/')
            && !name.contains('/')
            && !name.is_empty()
            && top != ".."
            && let Ok(mut parents) = self.parents.lock()
        {
            let at = match parents.iter().position(|(t, _)| **t == *top) {
                Some(i) => Some(i),
                None if parents.len() < OPEN_PARENTS => {
                    let f = stat_open(dir.as_raw_fd(), top);
                    parents.push((top.into(), f));
                    Some(parents.len() - 1)
                }
                None => None,
            };
            if let Some(i) = at {
                return match &parents[i].1 {
                    Some(f) => Some(stat_fd(f.as_raw_fd(), name)),
                    // Not a directory there (or gone): nothing under it.
                    None => Some(None),
                };
            }
        }
        Some(stat_fd(dir.as_raw_fd(), rel))
    }
}

/// `fstatat` of `rel` (shorter than [`PATH_BUF`], without NUL) relative to
/// the directory `fd`, following symlinks.
#[cfg(target_os = "linux")]
fn stat_fd(fd: std::os::fd::RawFd, rel: &str) -> Option<libc::stat> {
    // On the stack: a heap string per lookup was a tenth of the check.
    let mut name = [0u8; PATH_BUF];
    name[..rel.len()].copy_from_slice(rel.as_bytes());
    let mut st = std::mem::MaybeUninit::<libc::stat>::uninit();
    // SAFETY: a valid open descriptor, a NUL-terminated path (the buffer
    // is zeroed past `rel`, which has no NUL) and a buffer of the size
    // fstatat writes.
    let r = unsafe { libc::fstatat(fd, name.as_ptr().cast(), st.as_mut_ptr(), 0) };
    // SAFETY: read only when fstatat returned 0, so it filled `st`.
    (r == 0).then(|| unsafe { st.assume_init() })
}

/// The directory `rel` under the directory `fd`, opened (following
/// symlinks, as the lookups through it do), if it is one.
#[cfg(target_os = "linux")]
fn stat_open(fd: std::os::fd::RawFd, rel: &str) -> Option<std::fs::File> {
    use std::os::fd::FromRawFd;
    let mut name = [0u8; PATH_BUF];
    name[..rel.len()].copy_from_slice(rel.as_bytes());
    let flags = libc::O_PATH | libc::O_DIRECTORY | libc::O_CLOEXEC;
    // SAFETY: a valid open descriptor and a NUL-terminated path, as above.
    let r = unsafe { libc::openat(fd, name.as_ptr().cast(), flags) };
    // SAFETY: a descriptor openat just returned, owned by nothing else.
    (r >= 0).then(|| unsafe { std::fs::File::from_raw_fd(r) })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_what_is_there_and_only_that() {
        let t = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(t.path().join("posts/a")).unwrap();
        std::fs::write(t.path().join("posts/a/index.html"), "x").unwrap();
        std::fs::write(t.path().join("index.html"), "x").unwrap();
        let out = OutputDir::open(t.path());
        assert!(out.has("index.html"));
        assert!(out.has("posts/a/index.html"));
        assert!(!out.has("posts/b/index.html"));
        assert!(!out.has("posts/a/index.htm"));
        std::fs::remove_file(t.path().join("posts/a/index.html")).unwrap();
        assert!(
            !out.has("posts/a/index.html"),
            "a deleted file is seen gone"
        );
        // Past the stack buffer, the slow way gives the same answers.
        let deep = format!(
            "{}/f",
            "d".repeat(200) + "/" + &"e".repeat(200) + "/" + &"g".repeat(200)
        );
        std::fs::create_dir_all(t.path().join(&deep).parent().unwrap()).unwrap();
        std::fs::write(t.path().join(&deep), "x").unwrap();
        assert!(deep.len() > 512);
        assert!(out.has(&deep));
        assert!(!out.has(&format!("{deep}x")));
        assert!(!out.has("index.html\0"), "no file has a NUL in its name");
        // One level under a top directory is asked of it, kept open.
        assert!(out.has("posts/a"));
        assert!(out.dir_stamp("posts/a").is_some());
        assert!(out.dir_stamp("posts/a/index.html").is_none(), "a file");
        assert!(!out.has("posts/b"));
        assert!(!out.has("nope/a"), "under a missing directory");
        assert!(!out.has("index.html/a"), "under a file");
        std::fs::create_dir_all(t.path().join("posts/b")).unwrap();
        assert!(out.has("posts/b"), "made after its top was opened");
        // A missing output directory has nothing in it.
        assert!(!OutputDir::open(&t.path().join("nope")).has("index.html"));
    }
}
