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

/// The output directory, opened once for many lookups.
pub(super) struct OutputDir {
    root: PathBuf,
    #[cfg(target_os = "linux")]
    dir: Option<std::fs::File>,
}

impl OutputDir {
    pub(super) fn open(root: &Path) -> OutputDir {
        OutputDir {
            root: root.to_path_buf(),
            #[cfg(target_os = "linux")]
            dir: std::fs::File::open(root).ok(),
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
        // On the stack: a heap string per lookup was a tenth of the check.
        let mut name = [0u8; PATH_BUF];
        name[..rel.len()].copy_from_slice(rel.as_bytes());
        let mut st = std::mem::MaybeUninit::<libc::stat>::uninit();
        // SAFETY: a valid open descriptor, a NUL-terminated path (the
        // buffer is zeroed past `rel`, which has no NUL) and a buffer of
        // the size fstatat writes.
        let r = unsafe { libc::fstatat(dir.as_raw_fd(), name.as_ptr().cast(), st.as_mut_ptr(), 0) };
        // SAFETY: read only when fstatat returned 0, so it filled `st`.
        Some((r == 0).then(|| unsafe { st.assume_init() }))
    }
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
        // A missing output directory has nothing in it.
        assert!(!OutputDir::open(&t.path().join("nope")).has("index.html"));
    }
}
