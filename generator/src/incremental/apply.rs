//! Applying a build: the full write, and the partial one that touches only what changed.

use super::*;

impl Engine {
    /// Renders every job into a fresh stage and swaps it in.
    pub(super) fn full(
        &mut self,
        renderer: &Renderer<'_>,
        jobs: &[Job],
        keyed: Vec<(u64, Option<u64>)>,
        output: &Path,
    ) -> Result<(usize, usize, Vec<String>)> {
        let stage = Stage::new(output)?;
        let done: Vec<Result<Vec<FileRec>>> = jobs
            .par_iter()
            .map(|job| {
                let outs = renderer.render(job).map_err(|d| Error::Content(vec![d]))?;
                outs.iter()
                    .map(|o| {
                        stage.write(o)?;
                        Ok(file_rec(o))
                    })
                    .collect()
            })
            .collect();
        let mut records = HashMap::with_capacity(jobs.len());
        let mut errors: Vec<Diagnostic> = Vec::new();
        let mut written = 0;
        for ((name, key), r) in keyed.into_iter().zip(done) {
            match r {
                Ok(files) => {
                    written += files.len();
                    records.insert(name, Record { key, files });
                }
                Err(Error::Content(mut d)) => errors.append(&mut d),
                Err(e) => return Err(e),
            }
        }
        if !errors.is_empty() {
            errors.sort();
            errors.dedup();
            return Err(Error::Content(errors));
        }
        stage.commit()?;
        self.records = records;
        Ok((written, 0, Vec::new()))
    }

    /// Renders the dirty jobs in memory, then (only if all succeeded)
    /// writes the files whose bytes changed and removes orphans.
    pub(super) fn partial(
        &mut self,
        renderer: &Renderer<'_>,
        jobs: &[Job],
        keyed: Vec<(u64, Option<u64>)>,
        dirty: &[usize],
        output: &Path,
    ) -> Result<(usize, usize, Vec<String>)> {
        let rendered: Vec<std::result::Result<Vec<Output>, Diagnostic>> = dirty
            .par_iter()
            .map(|&k| renderer.render(&jobs[k]))
            .collect();
        let mut errors = Vec::new();
        let mut outs = Vec::with_capacity(dirty.len());
        for r in rendered {
            match r {
                Ok(o) => outs.push(o),
                Err(d) => errors.push(d),
            }
        }
        if !errors.is_empty() {
            errors.sort();
            errors.dedup();
            return Err(Error::Content(errors));
        }
        let mut old = std::mem::take(&mut self.records);
        let mut records = HashMap::with_capacity(jobs.len());
        let is_dirty: HashSet<usize> = dirty.iter().copied().collect();
        for (k, (name, _)) in keyed.iter().enumerate() {
            // A clean job has a record by definition (its key matched one).
            if !is_dirty.contains(&k)
                && let Some(r) = old.remove(name)
            {
                records.insert(*name, r);
            }
        }
        // Files of the dirty and vanished jobs, as last written.
        let before: HashMap<String, u64> = old
            .into_values()
            .flat_map(|r| r.files.into_iter().map(|f| (f.path, f.hash)))
            .collect();
        let mut now_made: HashSet<String> = HashSet::new();
        let mut to_write: Vec<(&Output, FileRec)> = Vec::new();
        for (&k, o) in dirty.iter().zip(&outs) {
            let (name, key) = &keyed[k];
            let files: Vec<FileRec> = o.iter().map(file_rec).collect();
            for (out, rec) in o.iter().zip(&files) {
                now_made.insert(rec.path.clone());
                if before.get(&rec.path) != Some(&rec.hash) || !output.join(&rec.path).exists() {
                    to_write.push((out, rec.clone()));
                }
            }
            records.insert(*name, Record { key: *key, files });
        }
        to_write
            .par_iter()
            .try_for_each(|(o, _)| crate::write::in_place(output, o))?;
        let mut removed = 0;
        let gone: Vec<&String> = before.keys().filter(|p| !now_made.contains(*p)).collect();
        // A kept job may own the same file (two jobs writing one path).
        let kept: HashSet<&str> = if gone.is_empty() {
            HashSet::new()
        } else {
            records
                .values()
                .flat_map(|r| r.files.iter().map(|f| f.path.as_str()))
                .collect()
        };
        for path in gone {
            if !kept.contains(path.as_str()) && crate::write::remove(output, path) {
                removed += 1;
            }
        }
        self.records = records;
        let changed = to_write
            .into_iter()
            .map(|(_, r)| r.path)
            .collect::<Vec<_>>();
        Ok((changed.len(), removed, changed))
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
