//! The local copy of the conversation under `.causerie/` (git-ignored).
//!
//! One directory per comment service (`.causerie/conversation/<hash of its
//! URL>/`), so the throwaway service of `causerie serve --comments` never
//! mixes its test comments into the production cache. Two files, written
//! atomically (temp file + rename) in this order: `items.json` holds every
//! approved item; `sync.json` holds the export cursor. The cursor is written
//! only after the items it covers, so a crash in between costs an
//! overlapping export next time, never a lost comment.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use super::Item;
use sha2::{Digest, Sha256};

/// Format version of both files; another version is ignored, not trusted.
const VERSION: u32 = 1;

/// The cache directory of a site's conversation with one service.
pub fn dir(root: &Path, service: &str) -> PathBuf {
    let digest = Sha256::digest(service.as_bytes());
    let name: String = digest[..8].iter().map(|b| format!("{b:02x}")).collect();
    root.join(".causerie").join("conversation").join(name)
}

fn items_path(root: &Path, service: &str) -> PathBuf {
    dir(root, service).join("items.json")
}

fn sync_path(root: &Path, service: &str) -> PathBuf {
    dir(root, service).join("sync.json")
}

#[derive(Serialize, Deserialize)]
struct ItemsFile {
    version: u32,
    items: Vec<Item>,
}

/// Where the last successful sync left off.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SyncState {
    version: u32,
    /// The comment service's URL (`[comments] url`) the cursor belongs to.
    pub service: String,
    /// The export's `cursor`, passed back as `since`.
    pub cursor: String,
}

impl SyncState {
    pub fn new(service: &str, cursor: &str) -> SyncState {
        SyncState {
            version: VERSION,
            service: service.to_string(),
            cursor: cursor.to_string(),
        }
    }
}

/// The cached items (empty when there is no cache). `Err` names the file
/// when it exists but cannot be used.
pub fn load_items(root: &Path, service: &str) -> Result<BTreeMap<i64, Item>, String> {
    let path = items_path(root, service);
    let bytes = match std::fs::read(&path) {
        Ok(b) => b,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(BTreeMap::new()),
        Err(e) => return Err(format!("{}: {e}", path.display())),
    };
    let file: ItemsFile = serde_json::from_slice(&bytes)
        .map_err(|e| format!("{}: unreadable cache ({e})", path.display()))?;
    if file.version != VERSION {
        return Err(format!(
            "{}: cache format {} is not {VERSION}",
            path.display(),
            file.version
        ));
    }
    // Items were cleaned when they came in; the cache sits in the site's own
    // tree (whoever can edit it can edit the templates), so loading only
    // drops items that could not have been written by `save_items`.
    Ok(file
        .items
        .into_iter()
        .filter(|it| {
            it.id > 0 && it.page.starts_with('/') && super::parse_time(&it.created).is_some()
        })
        .map(|it| (it.id, it))
        .collect())
}

/// The last sync state, if any usable one is stored.
pub fn load_sync(root: &Path, service: &str) -> Option<SyncState> {
    let bytes = std::fs::read(sync_path(root, service)).ok()?;
    let s: SyncState = serde_json::from_slice(&bytes).ok()?;
    (s.version == VERSION && s.service == service && super::parse_time(&s.cursor).is_some())
        .then_some(s)
}

pub fn save_items(root: &Path, service: &str, items: &BTreeMap<i64, Item>) -> Result<(), String> {
    let file = ItemsFile {
        version: VERSION,
        items: items.values().cloned().collect(),
    };
    let bytes = serde_json::to_vec(&file).map_err(|e| e.to_string())?;
    write_atomic(&items_path(root, service), &bytes)
}

pub fn save_sync(root: &Path, state: &SyncState) -> Result<(), String> {
    let bytes = serde_json::to_vec_pretty(state).map_err(|e| e.to_string())?;
    write_atomic(&sync_path(root, &state.service), &bytes)
}

pub(crate) fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), String> {
    let fail = |e: std::io::Error| format!("{}: {e}", path.display());
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).map_err(fail)?;
    }
    let tmp = path.with_extension(format!("tmp{}", std::process::id()));
    std::fs::write(&tmp, bytes).map_err(fail)?;
    std::fs::rename(&tmp, path).map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        fail(e)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::conversation::ItemKind;
    use crate::conversation::tests::item;

    #[test]
    fn items_and_cursor_round_trip_and_bad_files_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        let s = "http://s";
        assert!(load_items(root, s).unwrap().is_empty());
        assert_eq!(load_sync(root, s), None);
        let mut m = BTreeMap::new();
        m.insert(
            5,
            item(5, "/a/", None, ItemKind::Reply, "2026-01-01T10:00:00Z"),
        );
        save_items(root, s, &m).unwrap();
        save_sync(root, &SyncState::new(s, "2026-01-02T00:00:00Z")).unwrap();
        assert_eq!(load_items(root, s).unwrap(), m);
        assert_eq!(load_sync(root, s).unwrap().cursor, "2026-01-02T00:00:00Z");
        // another service (serve --comments) has a cache of its own
        assert!(
            load_items(root, "http://127.0.0.1:4000")
                .unwrap()
                .is_empty()
        );
        assert_eq!(load_sync(root, "http://127.0.0.1:4000"), None);
        std::fs::write(items_path(root, s), b"{not json").unwrap();
        assert!(load_items(root, s).unwrap_err().contains("items.json"));
        std::fs::write(items_path(root, s), br#"{"version": 99, "items": []}"#).unwrap();
        assert!(load_items(root, s).is_err());
    }
}
