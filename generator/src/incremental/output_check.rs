//! The check that the files a build recorded are still in the output,
//! run beside the load ([`super::present`] asks the file system).

use std::path::Path;
use std::thread::JoinHandle;

use super::Records;
use super::present::OutputDir;

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
                let t = std::time::Instant::now();
                let (missing, verified) = records.missing_from(&OutputDir::open(&out));
                crate::profile::phase("  output check (beside the load)", t);
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

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

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
