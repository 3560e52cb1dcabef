//! The build records: what the last build wrote into which output
//! directory, per job its key and files. They describe what is on disk, so
//! they decide which jobs a build may skip.

use rayon::prelude::*;

use crate::hash::FpMap;
use std::path::{Path, PathBuf};

pub(super) use super::record::Jobs;

/// Memory of what the last build wrote into one output directory.
#[derive(Default)]
pub(super) struct Records {
    /// Absolute output directory the records describe.
    pub(super) output: Option<PathBuf>,
    /// Job name → record.
    pub(super) jobs: Jobs,
    /// This engine has seen every file of the output in place (it checked
    /// them, or wrote them). A resident engine (`serve`, `watch`) checks the
    /// output once, at its first build: stat-ing all 23 606 files of a
    /// 10 000-post site on every rebuild cost 35 ms of a comment's 130.
    pub(super) seen_output: bool,
    /// The records file of `causerie build`, kept in step with the output
    /// as it is written ([`super::journal`]); `None` for a resident engine.
    pub(super) journal: Option<super::journal::Journal>,
    /// Jobs with a recorded file missing from the output, when this build
    /// checked them already ([`super::output_check::Background`]).
    pub(super) missing: Option<super::present::Names>,
    /// Stamps of the output's directories (`causerie build` keeps them in
    /// `.causerie/`): a directory as stamped needs no lookup of its files.
    pub(super) dirs: super::dir_stamps::DirStamps,
    /// Directories whose recorded files this build looked up and found,
    /// to be stamped after it.
    pub(super) verified: Vec<String>,
}

impl Records {
    /// Forgets the output: the next build is a full one.
    pub(super) fn forget(&mut self) {
        self.output = None;
        self.seen_output = false;
        self.jobs.clear();
    }

    /// Notes that the records now describe `output`, every file of which
    /// this engine has seen in place (it wrote or checked them).
    pub(super) fn describe(&mut self, output: &Path) {
        self.seen_output = true;
        self.missing = None;
        self.output = Some(output.to_path_buf());
    }

    /// Whether the records describe `output` well enough to skip jobs.
    pub(super) fn usable(&self, output: &Path) -> bool {
        self.output.as_deref() == Some(output)
            && !self.jobs.is_empty()
            && output.join("index.html").is_file()
    }

    /// The jobs (by index into `keyed`, each job's name and key) that must
    /// be rendered into `output` (all of them unless [`Records::usable`]).
    pub(super) fn dirty(
        &self,
        keyed: &[(u64, Option<u64>)],
        usable: bool,
        output: &Path,
    ) -> Vec<usize> {
        // A job is dirty when its key changed, or when a file it wrote is no
        // longer in the output (deleted by hand or by another tool): the
        // output must always be the whole site, not only what changed.
        let out = (!self.seen_output && self.missing.is_none())
            .then(|| super::present::OutputDir::open(output));
        (0..keyed.len())
            .into_par_iter()
            .filter(|&k| {
                let (name, key) = &keyed[k];
                if !usable || key.is_none() {
                    return true;
                }
                match self.jobs.get(name) {
                    Some(r) if r.key == *key => match (&self.missing, &out) {
                        _ if self.seen_output => false,
                        (Some(missing), _) => missing.contains(name),
                        (None, Some(out)) => !r.files.iter().all(|f| out.has(&f.path)),
                        (None, None) => false,
                    },
                    _ => true,
                }
            })
            .collect()
    }

    /// Names of the jobs with a recorded file that is not in `out`, and
    /// the directories whose recorded files were all looked up and found.
    /// A directory as stamped ([`super::dir_stamps`]) is not looked into.
    pub(super) fn missing_from(
        &self,
        out: &super::present::OutputDir,
    ) -> (super::present::Names, Vec<String>) {
        use super::dir_stamps::parent;
        // Sized once: a post's directory per job, 100 000 of them.
        use super::dir_stamps::key;
        // By the directory's key, hashed once for both maps.
        let mut stamped: FpMap<u64, bool> =
            FpMap::with_capacity_and_hasher(self.jobs.len(), Default::default());
        let mut found_all: FpMap<&str, bool> = FpMap::default();
        let mut missing = super::present::Names::new();
        for (name, r) in &self.jobs {
            let mut ok = true;
            // A job's files mostly share a directory: asked once.
            let mut last: Option<(&str, bool)> = None;
            for f in &r.files {
                let dir = parent(&f.path);
                let as_stamped = match last {
                    Some((d, s)) if d == dir => s,
                    _ => {
                        let k = key(dir);
                        let s = *stamped
                            .entry(k)
                            .or_insert_with(|| self.dirs.holds_key(out, dir, k));
                        last = Some((dir, s));
                        s
                    }
                };
                if as_stamped {
                    continue;
                }
                let here = out.has(&f.path);
                *found_all.entry(dir).or_insert(true) &= here;
                ok &= here;
            }
            if !ok {
                missing.insert(*name);
            }
        }
        let verified = (found_all.into_iter())
            .filter(|&(_, all)| all)
            .map(|(d, _)| d.to_string())
            .collect();
        (missing, verified)
    }

    /// Stamps the directories of the output this build saw whole: every
    /// one after a full build, else those it looked into and found whole.
    pub(super) fn stamp_dirs(&mut self, full: bool) {
        let Some(output) = &self.output else { return };
        let out = super::present::OutputDir::open(output);
        if full {
            self.dirs.clear();
            let all: crate::hash::FpSet<&str> = (self.jobs.values())
                .flat_map(|r| r.files.iter().map(|f| super::dir_stamps::parent(&f.path)))
                .collect();
            self.dirs.stamp(&out, all.into_iter());
        } else {
            let verified = std::mem::take(&mut self.verified);
            self.dirs.stamp(&out, verified.iter().map(String::as_str));
        }
    }

    /// Pages and other files the records hold.
    pub(super) fn counts(&self) -> (usize, usize) {
        let (mut pages, mut files) = (0, 0);
        for r in self.jobs.values() {
            for f in &r.files {
                if f.page {
                    pages += 1;
                } else {
                    files += 1;
                }
            }
        }
        (pages, files)
    }
}
