//! Whether the files a build recorded are still in the output, asked of
//! an open handle on the output directory: `causerie build` checks every
//! recorded file (235 000 at 100 000 posts) before trusting the records,
//! and resolving each absolute path from `/` again was most of that check.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::thread::JoinHandle;

use super::Records;

/// The check of the recorded files, run on a thread of its own while the
/// site loads: it needs only the records, and loading leaves one of two
/// cores idle for much of its time. At 100 000 posts the check (235 000
/// lookups) was a quarter of a one-post rebuild when run after the load.
pub(super) struct Background(Option<JoinHandle<Records>>, Option<Records>);

impl Background {
    /// Starts checking the files of `records` in `output`, when a build
    /// will ask (see [`Records::dirty`]); the records come back from
    /// [`Background::join`].
    pub(super) fn start(mut records: Records, output: &Path) -> Background {
        if records.seen_output || !records.usable(output) {
            return Background(None, Some(records));
        }
        let out = output.to_path_buf();
        match std::thread::Builder::new()
            .name("output-check".into())
            .spawn(move || {
                let (missing, verified) = records.missing_from(&OutputDir::open(&out));
                records.missing = Some(missing);
                records.verified = verified;
                records
            }) {
            Ok(h) => Background(Some(h), None),
            // No thread (the records went with it): a full build, correct if slower.
            Err(_) => Background(None, None),
        }
    }

    /// The records, with the names of the jobs whose files are missing.
    /// A check that died leaves empty records: the build is then a full one.
    pub(super) fn join(self) -> Records {
        match self {
            Background(Some(h), _) => h.join().unwrap_or_default(),
            Background(None, r) => r.unwrap_or_default(),
        }
    }
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
    pub(super) fn dir_stamp(&self, rel: &str) -> Option<super::dir_stamps::Stamp> {
        #[cfg(target_os = "linux")]
        if let Some(st) = self.stat_at(if rel.is_empty() { "." } else { rel }) {
            let st = st?;
            return ((st.st_mode & libc::S_IFMT) == libc::S_IFDIR).then_some(
                super::dir_stamps::Stamp {
                    ino: st.st_ino,
                    mtime_s: st.st_mtime,
                    mtime_ns: u32::try_from(st.st_mtime_nsec).ok()?,
                },
            );
        }
        #[cfg(unix)]
        {
            use std::os::unix::fs::MetadataExt;
            let m = std::fs::metadata(self.root.join(rel)).ok()?;
            m.is_dir().then_some(super::dir_stamps::Stamp {
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

    #[test]
    fn the_background_check_names_the_jobs_missing_a_file() {
        use super::super::{FileRec, Record};
        let t = tempfile::tempdir().unwrap();
        for f in ["index.html", "a/index.html", "b/index.html"] {
            std::fs::create_dir_all(t.path().join(f).parent().unwrap()).unwrap();
            std::fs::write(t.path().join(f), "x").unwrap();
        }
        let rec = |files: &[&str]| Record {
            key: Some(1),
            files: files
                .iter()
                .map(|p| FileRec {
                    path: p.to_string(),
                    hash: 0,
                    page: true,
                })
                .collect(),
        };
        let mut records = Records {
            output: Some(t.path().to_path_buf()),
            ..Records::default()
        };
        records.jobs.insert(1, rec(&["index.html"]));
        records
            .jobs
            .insert(2, rec(&["a/index.html", "b/index.html"]));
        records
            .jobs
            .insert(3, rec(&["a/index.html", "c/index.html"]));
        let back = Background::start(records, t.path()).join();
        assert_eq!(back.missing, Some(HashSet::from([3])));
        assert_eq!(back.jobs.len(), 3, "the records come back whole");
        // Records that already saw the output are not checked again.
        let mut seen = back;
        seen.missing = None;
        seen.seen_output = true;
        assert_eq!(Background::start(seen, t.path()).join().missing, None);
    }
}
