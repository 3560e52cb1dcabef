//! The only place that writes the output tree: a whole build into a
//! stage swapped in at the end ([`Stage`]), or an incremental build's
//! changed files one by one in place ([`in_place`], [`remove`]).
//!
//! Everything is written into a staging directory beside the output
//! (`.<name>.staging-<pid>`); only when every file is there does [`Stage::commit`]
//! swap it in (rename the old tree aside, rename the stage into place, delete
//! the old tree). A failed build drops the stage and leaves the previous
//! output as it was, and files of deleted posts never survive a build.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use crate::error::{Error, Result};
use crate::render::{Body, Output};

/// A staging directory being filled.
pub struct Stage {
    target: PathBuf,
    dir: PathBuf,
    made: Mutex<HashSet<PathBuf>>,
    committed: bool,
}

fn sibling(target: &Path, tag: &str) -> PathBuf {
    let name = target
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "public".into());
    let parent = target.parent().unwrap_or(Path::new("."));
    parent.join(format!(".{name}.{tag}-{}", std::process::id()))
}

impl Stage {
    /// Starts a stage for the output directory `target`.
    pub fn new(target: &Path) -> Result<Stage> {
        let target = if target.is_absolute() {
            target.to_path_buf()
        } else {
            std::env::current_dir()
                .map_err(|e| Error::io(".", e))?
                .join(target)
        };
        if let Some(parent) = target.parent() {
            std::fs::create_dir_all(parent).map_err(|e| Error::io(parent, e))?;
        }
        let dir = sibling(&target, "staging");
        if let (Some(parent), Some(name)) = (target.parent(), target.file_name()) {
            let name = name.to_string_lossy();
            crate::leftovers::remove_dead(parent, &format!(".{name}.staging-"));
        }
        if dir.exists() {
            std::fs::remove_dir_all(&dir).map_err(|e| Error::io(&dir, e))?;
        }
        std::fs::create_dir(&dir).map_err(|e| Error::io(&dir, e))?;
        let mut made = HashSet::new();
        made.insert(dir.clone());
        Ok(Stage {
            target,
            dir,
            made: Mutex::new(made),
            committed: false,
        })
    }

    fn ensure_parent(&self, file: &Path) -> Result<()> {
        let Some(parent) = file.parent() else {
            return Ok(());
        };
        if self
            .made
            .lock()
            .map(|m| m.contains(parent))
            .unwrap_or(false)
        {
            return Ok(());
        }
        std::fs::create_dir_all(parent).map_err(|e| Error::io(parent, e))?;
        if let Ok(mut m) = self.made.lock() {
            let mut p = Some(parent);
            while let Some(d) = p {
                if !m.insert(d.to_path_buf()) {
                    break;
                }
                p = d.parent();
            }
        }
        Ok(())
    }

    /// Writes one output into the stage. Safe to call from many threads.
    pub fn write(&self, out: &Output) -> Result<()> {
        if out.path.split('/').any(|s| s == "..") || out.path.starts_with('/') {
            return Err(Error::Other(format!(
                "refusing to write outside the output: {}",
                out.path
            )));
        }
        let file = self.dir.join(&out.path);
        self.ensure_parent(&file)?;
        match &out.body {
            Body::Bytes(b) => std::fs::write(&file, b).map_err(|e| Error::io(&file, e)),
            Body::Static(b) => std::fs::write(&file, b).map_err(|e| Error::io(&file, e)),
            Body::Copy(src) => std::fs::copy(src, &file)
                .map(|_| ())
                .map_err(|e| Error::io(src, e)),
        }
    }

    /// Swaps the stage in as the output directory.
    pub fn commit(mut self) -> Result<()> {
        let old = sibling(&self.target, "old");
        let had_old = self.target.exists();
        if had_old {
            if old.exists() {
                std::fs::remove_dir_all(&old).map_err(|e| Error::io(&old, e))?;
            }
            std::fs::rename(&self.target, &old).map_err(|e| Error::io(&self.target, e))?;
        }
        if let Err(e) = std::fs::rename(&self.dir, &self.target) {
            if had_old {
                let _ = std::fs::rename(&old, &self.target);
            }
            return Err(Error::io(&self.target, e));
        }
        self.committed = true;
        if had_old {
            remove_tree(&old).map_err(|e| Error::io(&old, e))?;
        }
        Ok(())
    }
}

/// Deletes a directory tree, its top-level entries in parallel.
fn remove_tree(dir: &Path) -> std::io::Result<()> {
    use rayon::prelude::*;
    let entries: Vec<_> = std::fs::read_dir(dir)?.collect::<std::io::Result<_>>()?;
    entries.par_iter().try_for_each(|e| {
        if e.file_type()?.is_dir() {
            std::fs::remove_dir_all(e.path())
        } else {
            std::fs::remove_file(e.path())
        }
    })?;
    std::fs::remove_dir(dir)
}

impl Drop for Stage {
    fn drop(&mut self) {
        if !self.committed {
            let _ = std::fs::remove_dir_all(&self.dir);
        }
    }
}

/// Writes one output straight into the live output tree (through a
/// temporary file and a rename, so a reader never sees half a page).
pub fn in_place(root: &Path, o: &Output) -> Result<()> {
    if o.path.split('/').any(|s| s == "..") || o.path.starts_with('/') {
        return Err(Error::Other(format!(
            "refusing to write outside the output: {}",
            o.path
        )));
    }
    let file = root.join(&o.path);
    if let Some(parent) = file.parent() {
        std::fs::create_dir_all(parent).map_err(|e| Error::io(parent, e))?;
    }
    let tmp = file.with_file_name(format!(
        ".{}.tmp-{}",
        file.file_name()
            .map(|n| n.to_string_lossy())
            .unwrap_or_default(),
        std::process::id()
    ));
    match &o.body {
        Body::Bytes(b) => std::fs::write(&tmp, b).map_err(|e| Error::io(&tmp, e))?,
        Body::Static(b) => std::fs::write(&tmp, b).map_err(|e| Error::io(&tmp, e))?,
        Body::Copy(src) => {
            std::fs::copy(src, &tmp).map_err(|e| Error::io(src, e))?;
        }
    }
    std::fs::rename(&tmp, &file).map_err(|e| Error::io(&file, e))
}

/// Removes the output file `path` (relative to `root`) and the directories
/// it leaves empty; false if there was nothing to remove.
pub fn remove(root: &Path, path: &str) -> bool {
    let file = root.join(path);
    if std::fs::remove_file(&file).is_err() {
        return false;
    }
    prune_dirs(root, &file);
    true
}

/// Removes the now-empty directories between a deleted file and the root.
fn prune_dirs(root: &Path, file: &Path) {
    let mut dir = file.parent();
    while let Some(d) = dir {
        if d == root || !d.starts_with(root) || std::fs::remove_dir(d).is_err() {
            break;
        }
        dir = d.parent();
    }
}
