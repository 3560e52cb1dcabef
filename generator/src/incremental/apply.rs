//! Applying a build to the output and its records: the full build's stage
//! swapped in, or the partial one's changed files written in place.

use super::*;

/// Each job's name and key, in the order of the jobs.
type Keyed = [(u64, Option<u64>)];

/// Files written, files removed, and the paths written.
pub(super) type Applied = (usize, usize, Vec<String>);

/// How many pages and other files the records hold (see [`Records::counts`]).
pub(super) type Counts = (usize, usize);

/// The pages and other files of some records.
fn count<'r>(records: impl Iterator<Item = &'r Record>) -> (isize, isize) {
    let (mut pages, mut files) = (0, 0);
    for f in records.flat_map(|r| &r.files) {
        match f.page {
            true => pages += 1,
            false => files += 1,
        }
    }
    (pages, files)
}

impl Records {
    /// Swaps in a stage holding every job's files (`files`, in the order
    /// of `keyed`) and records them.
    pub(super) fn apply_full(
        &mut self,
        stage: Stage,
        keyed: &Keyed,
        files: Vec<Vec<FileRec>>,
    ) -> Result<Applied> {
        if let Some(j) = &mut self.journal {
            j.forget_all().map_err(|e| Error::io(j.path(), e))?;
        }
        stage.commit()?;
        let mut jobs = records::Jobs::with_capacity_and_hasher(keyed.len(), Default::default());
        let mut written = 0;
        for (&(name, key), files) in keyed.iter().zip(files) {
            written += files.len();
            jobs.insert(name, Record { key, files });
        }
        self.jobs = jobs;
        Ok((written, 0, Vec::new()))
    }

    /// Writes the files of the `dirty` jobs (`outs`, in the same order)
    /// whose bytes changed, removes the files no job makes any more, and
    /// records them. With `counts` of the records before, also says their
    /// counts after (counting all 235 000 records after each one-post edit
    /// took longer than the edit's render).
    pub(super) fn apply_partial(
        &mut self,
        keyed: &Keyed,
        dirty: &[usize],
        outs: Vec<Vec<Output>>,
        output: &Path,
        counts: Option<Counts>,
    ) -> Result<(Applied, Option<Counts>)> {
        // The clean jobs' records stay where they are (rebuilding the map of
        // 235 000 records after a one-post edit was a tenth of `watch`'s
        // rebuild); the dirty jobs' and vanished jobs' records come out.
        let mut old: Vec<(u64, Record)> = Vec::new();
        for &k in dirty {
            let name = keyed[k].0;
            old.extend(self.jobs.remove(&name).map(|r| (name, r)));
        }
        let n_dirty = old.len();
        // A clean job has a record by definition (its key matched one), so
        // any record beyond the clean jobs' is of a job that is gone.
        if self.jobs.len() != keyed.len() - dirty.len() {
            let names: HashSet<u64> = keyed.iter().map(|(n, _)| *n).collect();
            let gone: Vec<u64> = (self.jobs.keys())
                .filter(|n| !names.contains(n))
                .copied()
                .collect();
            old.extend(
                gone.iter()
                    .filter_map(|&n| self.jobs.remove(&n).map(|r| (n, r))),
            );
        }
        if let Some(j) = &mut self.journal
            && let Err(e) = j.before_partial(&old, n_dirty, &outs)
        {
            self.jobs.clear();
            return Err(Error::io(j.path(), e));
        }
        let gone_names: Vec<u64> = old[n_dirty..].iter().map(|(n, _)| *n).collect();
        let out = count(old.iter().map(|(_, r)| r));
        // Files of the dirty and vanished jobs, as last written.
        let before: HashMap<String, u64> = old
            .into_iter()
            .flat_map(|(_, r)| r.files.into_iter().map(|f| (f.path, f.hash)))
            .collect();
        let mut now_made: HashSet<String> = HashSet::new();
        let mut to_write: Vec<(&Output, FileRec)> = Vec::new();
        let mut fresh: Vec<(u64, Record)> = Vec::with_capacity(dirty.len());
        for (&k, o) in dirty.iter().zip(&outs) {
            let (name, key) = &keyed[k];
            let files: Vec<FileRec> = o.iter().map(file_rec).collect();
            for (out, rec) in o.iter().zip(&files) {
                now_made.insert(rec.path.clone());
                if before.get(&rec.path) != Some(&rec.hash) || !output.join(&rec.path).exists() {
                    to_write.push((out, rec.clone()));
                }
            }
            fresh.push((*name, Record { key: *key, files }));
        }
        // A failed write leaves no records: the next build is a full one,
        // which also clears what the vanished jobs left.
        let wrote = (to_write.par_iter()).try_for_each(|(o, _)| crate::write::in_place(output, o));
        if let Err(e) = wrote {
            if let Some(j) = &mut self.journal {
                let _ = j.forget_all();
            }
            self.jobs.clear();
            return Err(e);
        }
        if let Some(j) = &mut self.journal {
            j.after_partial(&gone_names, &fresh);
        }
        let made = count(fresh.iter().map(|(_, r)| r));
        let counts = counts.and_then(|(p, f)| {
            let p = (p as isize).checked_sub(out.0)? + made.0;
            let f = (f as isize).checked_sub(out.1)? + made.1;
            Some((usize::try_from(p).ok()?, usize::try_from(f).ok()?))
        });
        self.jobs.extend(fresh);
        let mut removed = 0;
        let gone: Vec<&String> = before.keys().filter(|p| !now_made.contains(*p)).collect();
        // A kept job may own the same file (two jobs writing one path).
        let kept: HashSet<&str> = if gone.is_empty() {
            HashSet::new()
        } else {
            self.jobs
                .values()
                .flat_map(|r| r.files.iter().map(|f| f.path.as_str()))
                .collect()
        };
        for path in gone {
            if !kept.contains(path.as_str()) && crate::write::remove(output, path) {
                removed += 1;
            }
        }
        let changed = to_write
            .into_iter()
            .map(|(_, r)| r.path)
            .collect::<Vec<_>>();
        Ok(((changed.len(), removed, changed), counts))
    }
}

pub(super) fn file_rec(o: &Output) -> FileRec {
    let hash = match &o.body {
        Body::Bytes(b) => crate::content::content_hash(b),
        Body::Static(b) => crate::content::content_hash(b),
        Body::Copy(src) => {
            let mut fp = Fp::new();
            file_stamp(&mut fp, src);
            fp.finish()
        }
    };
    FileRec {
        path: o.path.clone(),
        hash,
        page: o.path.ends_with(".html") && matches!(o.body, Body::Bytes(_)),
    }
}
