//! The build records on disk (`.causerie/build-records.bin`) as a base and
//! deltas ([`frames`]), kept in step with the output by `causerie build`.
//!
//! The records decide which jobs a build may skip, so they must never say
//! a file holds what it does not. A build that dies after writing outputs
//! and before saving would leave records of the files it overwrote; then
//! an edit back to the old text would match the old key and skip a job
//! whose file holds the newer page. So before a partial build writes, it
//! appends a frame forgetting the records of every job it is about to
//! write or remove, and after writing, one with their new records; before
//! a full build swaps its tree in, the file is removed. A failed append
//! removes the file too: no records only costs a full build.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use super::codec::{Reader, put_str, put_u64};
use super::frames;
use super::record::{FileRec, Jobs, Record};
use crate::render::Output;

/// Records per chunk of the base, encoded and decoded in parallel.
const CHUNK: usize = 16384;

/// Where the records file is and how far it agrees with the records in memory.
#[derive(Debug)]
pub struct Journal {
    path: PathBuf,
    /// Length of the file's base, and of the base and its good frames;
    /// `None` when the file is gone or must be written whole.
    len: Option<(u64, u64)>,
}

impl Journal {
    /// The journal of the records file `path`, with nothing usable in it yet.
    pub fn new(path: PathBuf) -> Journal {
        Journal { path, len: None }
    }

    /// Whether the file holds the records in memory and its deltas are
    /// small next to its base (else [`save`] rewrites it whole).
    pub fn in_step(&self) -> bool {
        self.len
            .is_some_and(|(base, all)| all - base <= base / 4 + 4096)
    }

    /// No records on disk: the next build is a full one.
    fn drop_file(&mut self) -> std::io::Result<()> {
        self.len = None;
        match std::fs::remove_file(&self.path) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(e),
            _ => Ok(()),
        }
    }

    fn append(&mut self, data: &[u8]) -> std::io::Result<()> {
        let Some((base, valid)) = self.len else {
            return self.drop_file();
        };
        match frames::append(&self.path, valid, data) {
            Ok(n) => {
                self.len = Some((base, n));
                Ok(())
            }
            Err(_) => self.drop_file(),
        }
    }

    /// Before a partial build writes: the file forgets the records of the
    /// dirty jobs (`old[..n_dirty]`) and of the vanished ones whose paths
    /// the dirty jobs' `outs` write. (The other vanished jobs keep theirs
    /// until [`Journal::after_partial`]: should the build die, the next one
    /// still knows to remove their files.)
    pub fn before_partial(
        &mut self,
        old: &[(u64, Record)],
        n_dirty: usize,
        outs: &[Vec<Output>],
    ) -> std::io::Result<()> {
        let made: HashSet<&str> = outs.iter().flatten().map(|o| o.path.as_str()).collect();
        let overwritten = |r: &Record| r.files.iter().any(|f| made.contains(f.path.as_str()));
        let names: Vec<u64> = (old.iter().enumerate())
            .filter(|(i, (_, r))| *i < n_dirty || overwritten(r))
            .map(|(_, (n, _))| *n)
            .collect();
        let mut w = Vec::with_capacity(16 + 8 * names.len());
        put_names(&mut w, &names);
        put_u64(&mut w, 0);
        self.append(&w)
    }

    /// After the files are written and removed: the vanished jobs' records
    /// go, the dirty jobs' new ones come.
    pub fn after_partial(&mut self, gone: &[u64], fresh: &[(u64, Record)]) {
        let mut w = Vec::new();
        put_names(&mut w, gone);
        put_u64(&mut w, fresh.len() as u64);
        for (name, rec) in fresh {
            put_record(&mut w, *name, rec);
        }
        // Failing leaves the dirty jobs' records forgotten, which is safe
        // (and the file is rewritten whole when the cache is saved).
        let _ = self.append(&w);
    }

    /// The records file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Before a full build swaps its tree in.
    pub fn forget_all(&mut self) -> std::io::Result<()> {
        self.drop_file()
    }
}

fn put_names(w: &mut Vec<u8>, names: &[u64]) {
    put_u64(w, names.len() as u64);
    names.iter().for_each(|n| put_u64(w, *n));
}

fn put_record(w: &mut Vec<u8>, name: u64, rec: &Record) {
    put_u64(w, name);
    put_u64(w, u64::from(rec.key.is_some()));
    put_u64(w, rec.key.unwrap_or(0));
    put_u64(w, rec.files.len() as u64);
    for f in &rec.files {
        put_str(w, &f.path);
        put_u64(w, f.hash);
        put_u64(w, u64::from(f.page));
    }
}

fn read_record(r: &mut Reader<'_>) -> Option<(u64, Record)> {
    let name = r.u64()?;
    let has_key = r.u64()?;
    let key = r.u64()?;
    let files_n = r.len()?;
    let mut files = Vec::with_capacity(files_n.min(4096));
    for _ in 0..files_n {
        let path = r.str()?;
        let hash = r.u64()?;
        let page = r.u64()? != 0;
        files.push(FileRec { path, hash, page });
    }
    let key = (has_key != 0).then_some(key);
    Some((name, Record { key, files }))
}

fn read_records(r: &mut Reader<'_>, jobs: &mut Jobs) -> Option<()> {
    let n = r.len()?;
    jobs.reserve(n.min(1 << 20));
    for _ in 0..n {
        let (name, rec) = read_record(r)?;
        jobs.insert(name, rec);
    }
    Some(())
}

/// The output directory and records in the file at `path`, and its
/// journal; `None` records if it is missing, another's or damaged.
pub fn load(path: &Path, head: &[u8]) -> (Option<(PathBuf, Jobs)>, Journal) {
    let mut journal = Journal::new(path.to_path_buf());
    let Ok(bytes) = std::fs::read(path) else {
        return (None, journal);
    };
    let Some(o) = frames::open(&bytes, head) else {
        return (None, journal);
    };
    let read = || -> Option<(PathBuf, Jobs)> {
        let mut r = Reader::new(o.base);
        let output = PathBuf::from(r.str()?);
        let mut chunks = Vec::new();
        for _ in 0..r.len()? {
            let n = r.len()?;
            chunks.push(r.take(n)?);
        }
        r.done().then_some(())?;
        let lists: Vec<Vec<(u64, Record)>> = (chunks.par_iter())
            .map(|c| {
                let mut r = Reader::new(c);
                let n = r.len()?;
                let list = (0..n)
                    .map(|_| read_record(&mut r))
                    .collect::<Option<Vec<_>>>()?;
                r.done().then_some(list)
            })
            .collect::<Option<_>>()?;
        let mut jobs =
            Jobs::with_capacity_and_hasher(lists.iter().map(Vec::len).sum(), Default::default());
        lists.into_iter().for_each(|l| jobs.extend(l));
        for f in &o.frames {
            let mut r = Reader::new(f);
            let gone = r.len()?;
            for _ in 0..gone {
                jobs.remove(&r.u64()?);
            }
            read_records(&mut r, &mut jobs)?;
            r.done().then_some(())?;
        }
        Some((output, jobs))
    };
    let got = read();
    if got.is_some() {
        journal.len = Some((o.base_end, o.valid));
    }
    (got, journal)
}

/// Writes the records whole (or removes the file when there is no output
/// to describe) unless the file is [`Journal::in_step`].
pub fn save(
    journal: &mut Journal,
    head: &[u8],
    output: Option<&Path>,
    jobs: &Jobs,
) -> std::io::Result<()> {
    let Some(out) = output else {
        return journal.drop_file();
    };
    if journal.in_step() {
        return Ok(());
    }
    let all: Vec<(&u64, &Record)> = jobs.iter().collect();
    let chunks: Vec<Vec<u8>> = (all.par_chunks(CHUNK))
        .map(|c| {
            let mut w = Vec::new();
            put_u64(&mut w, c.len() as u64);
            c.iter().for_each(|(n, r)| put_record(&mut w, **n, r));
            w
        })
        .collect();
    let mut top = Vec::new();
    put_str(&mut top, &out.to_string_lossy());
    put_u64(&mut top, chunks.len() as u64);
    journal.len = None;
    let n = frames::write_chunked_base(&journal.path, head, &top, &chunks)?;
    journal.len = Some((n, n));
    Ok(())
}
