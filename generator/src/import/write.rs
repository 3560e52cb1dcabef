//! Carrying out a [`Plan`]: each file is written through a temporary file
//! and a rename, only when it changes, and never over an edit of the
//! author's. `import-state.json` at the site root holds the hash of what the
//! import last wrote to each path: a file whose bytes still have that hash
//! is the import's to update; any other bytes are the author's to keep.

use std::path::Path;

use sha2::{Digest, Sha256};

use super::plan::{Body, Plan};
use super::state::{STATE_FILE, State};
use super::{Options, Summary, mentions};
use crate::error::{Error, Result};

fn sha256(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// SHA-256 of a file, streamed (uploads can be large).
fn sha256_file(path: &Path) -> std::io::Result<String> {
    let mut hasher = Sha256::new();
    let mut f = std::fs::File::open(path)?;
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        let n = std::io::Read::read(&mut f, &mut buf)?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
    }
    Ok(hasher
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect())
}

/// What to do with one planned file. Uploads are copied at write time,
/// never held in memory.
enum Action {
    Write(Body),
    Unchanged,
    Keep,
}

/// Decides, then (unless a dry run) writes. Every decision is made before
/// the first write, so a file that cannot be read stops the import before
/// it changed anything.
pub fn apply(opts: &Options, plan: Plan) -> Result<Summary> {
    let root = &opts.root;
    let mut summary = plan.summary;
    let old = State::load(root)?;
    let mut state = old.clone();
    let mut actions = Vec::with_capacity(plan.files.len());
    for f in &plan.files {
        let hash = match &f.body {
            Body::Text(t) => sha256(t.as_bytes()),
            Body::Copy(src) => sha256_file(src).map_err(|e| Error::io(src, e))?,
        };
        let target = root.join(&f.rel);
        let action = match sha256_file(&target) {
            Ok(now) if now == hash => Action::Unchanged,
            Ok(now) if old.files.get(&f.rel) == Some(&now) => Action::Write(f.body.clone()),
            Ok(_) => Action::Keep,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Action::Write(f.body.clone()),
            Err(e) => return Err(Error::io(target, e)),
        };
        match &action {
            Action::Keep => summary.kept.push(f.rel.clone()),
            Action::Unchanged => summary.unchanged += 1,
            Action::Write(_) => summary.written += 1,
        }
        if !matches!(action, Action::Keep) {
            state.files.insert(f.rel.clone(), hash);
        }
        actions.push((f.rel.clone(), action));
    }
    let mut removals = Vec::new();
    for rel in &plan.remove {
        let target = root.join(rel);
        let current = sha256_file(&target).map_err(|e| Error::io(&target, e))?;
        if old.files.get(rel) == Some(&current) {
            state.files.remove(rel);
            summary.written += 1;
            removals.push(target);
        } else {
            summary.kept.push(rel.clone());
        }
    }
    let sent = if opts.send_webmentions {
        None
    } else {
        Some(mentions::record(root, &plan.config, &plan.published)?)
    };
    if let Some((_, n)) = &sent {
        summary.mentions = *n;
    }
    if opts.dry_run {
        return Ok(summary);
    }
    for (rel, action) in actions {
        match action {
            Action::Write(Body::Text(t)) => write_atomic(&root.join(&rel), t.as_bytes())?,
            Action::Write(Body::Copy(src)) => copy_atomic(&src, &root.join(&rel))?,
            _ => {}
        }
    }
    for target in removals {
        std::fs::remove_file(&target).map_err(|e| Error::io(&target, e))?;
    }
    if state != old {
        write_atomic(&root.join(STATE_FILE), state.text()?.as_bytes())?;
    }
    if let Some((Some(wm), _)) = sent {
        wm.save(root)?;
    }
    Ok(summary)
}

/// A hidden temporary file beside `path` (the content walk skips it).
fn temp_for(path: &Path) -> Result<std::path::PathBuf> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    }
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    Ok(path.with_file_name(format!(".{name}.import-tmp")))
}

/// Writes `bytes` to `path` through a temporary file beside it.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    let tmp = temp_for(path)?;
    std::fs::write(&tmp, bytes).map_err(|e| Error::io(&tmp, e))?;
    std::fs::rename(&tmp, path).map_err(|e| Error::io(path, e))
}

/// Copies `src` to `path` through a temporary file beside it.
fn copy_atomic(src: &Path, path: &Path) -> Result<()> {
    let tmp = temp_for(path)?;
    std::fs::copy(src, &tmp).map_err(|e| Error::io(src, e))?;
    std::fs::rename(&tmp, path).map_err(|e| Error::io(path, e))
}
