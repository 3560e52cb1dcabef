//! Watching the site's sources: config, content, templates, themes and
//! static files, through notify's debouncer (which folds editor save
//! patterns — write to a temp file then rename over, several events per
//! save — into one batch). Anything else under the root (the output,
//! `.causerie/`, `target/`, `.git/`) is not watched at all.

use notify::{RecommendedWatcher, RecursiveMode};
use notify_debouncer_full::{DebounceEventResult, Debouncer, RecommendedCache, new_debouncer};
use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::mpsc::Sender;
use std::time::Duration;

use super::Trigger;

/// Directories under the root whose changes rebuild the site.
pub const SOURCES: [&str; 5] = ["content", "templates", "themes", "static", "i18n"];

/// Editor droppings and hidden files that never change the site.
fn ignored(path: &Path) -> bool {
    let Some(name) = path.file_name().map(|n| n.to_string_lossy()) else {
        return true;
    };
    name.starts_with('.')
        || name.starts_with('#')
        || name.ends_with('~')
        || name.ends_with(".swp")
        || name.ends_with(".swx")
        || name.ends_with(".tmp")
        || name.ends_with(".crswap")
        || name == "4913"
}

/// Whether a changed path is a source of the site at `root`.
pub fn relevant(root: &Path, path: &Path) -> bool {
    let Ok(rel) = path.strip_prefix(root) else {
        return false;
    };
    let mut parts = rel.components();
    let Some(first) = parts.next() else {
        return false;
    };
    let first = first.as_os_str().to_string_lossy();
    if first == crate::config::FILE {
        return true;
    }
    SOURCES.contains(&first.as_ref()) && !ignored(path)
}

/// The running watcher; dropping it stops watching.
pub struct Watcher {
    debouncer: Debouncer<RecommendedWatcher, RecommendedCache>,
    root: PathBuf,
    watched: HashSet<&'static str>,
}

impl Watcher {
    /// Watches source directories created since the last call (a new
    /// `templates/`, say); the root's own watch reports their creation.
    pub fn refresh(&mut self) {
        for dir in SOURCES {
            let d = self.root.join(dir);
            if !self.watched.contains(dir)
                && d.is_dir()
                && self.debouncer.watch(&d, RecursiveMode::Recursive).is_ok()
            {
                self.watched.insert(dir);
            }
        }
    }
}

/// Starts watching `root`; relevant batches go to `tx` as [`Trigger::Files`].
pub fn start(root: &Path, tx: Sender<Trigger>) -> notify::Result<Watcher> {
    let root = root.to_path_buf();
    let filter_root = root.clone();
    let watch_tx = tx.clone();
    let mut debouncer = new_debouncer(
        Duration::from_millis(30),
        Some(Duration::from_millis(10)),
        move |res: DebounceEventResult| match res {
            Ok(events) => {
                // Reads (our own build opening the sources) are not changes.
                let paths: Vec<PathBuf> = events
                    .iter()
                    .filter(|e| !matches!(e.kind, notify::EventKind::Access(_)))
                    .flat_map(|e| e.paths.iter())
                    .filter(|p| relevant(&filter_root, p))
                    .cloned()
                    .collect();
                if !paths.is_empty() {
                    let _ = watch_tx.send(Trigger::Files(paths));
                }
            }
            Err(errs) => {
                for e in errs {
                    eprintln!("watch: {e}");
                }
                // Something was missed: rebuild to be safe.
                let _ = watch_tx.send(Trigger::Files(Vec::new()));
            }
        },
    )?;
    // The root itself, not recursively: the config file and source
    // directories created later.
    debouncer.watch(&root, RecursiveMode::NonRecursive)?;
    drop(tx);
    let mut w = Watcher {
        debouncer,
        root,
        watched: HashSet::new(),
    };
    w.refresh();
    Ok(w)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_sources_count() {
        let r = Path::new("/site");
        assert!(relevant(r, Path::new("/site/content/posts/a.md")));
        assert!(relevant(r, Path::new("/site/causerie.toml")));
        assert!(relevant(r, Path::new("/site/templates/post.html")));
        assert!(!relevant(r, Path::new("/site/content/posts/.a.md.swp")));
        assert!(!relevant(r, Path::new("/site/content/posts/a.md~")));
        assert!(!relevant(r, Path::new("/site/public/index.html")));
        assert!(!relevant(r, Path::new("/site/.causerie/cache")));
        assert!(!relevant(r, Path::new("/elsewhere/content/a.md")));
    }
}
