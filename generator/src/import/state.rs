//! `import-state.json` at the site root: the hash of what the import last
//! wrote to each path, read by the plan and rewritten by the write.

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// The file name at the site root.
pub const STATE_FILE: &str = "import-state.json";

/// What the import wrote: path (relative to the site root) → SHA-256.
#[derive(Debug, Default, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct State {
    pub version: u32,
    pub files: BTreeMap<String, String>,
}

impl State {
    /// Reads the state, or an empty one on a site never imported into.
    pub fn load(root: &Path) -> Result<State> {
        let path = root.join(STATE_FILE);
        match std::fs::read_to_string(&path) {
            Ok(text) => serde_json::from_str(&text).map_err(|e| {
                Error::one(STATE_FILE, e.line(), format!("invalid import state: {e}"))
            }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(State {
                version: 1,
                files: BTreeMap::new(),
            }),
            Err(e) => Err(Error::io(path, e)),
        }
    }

    /// The file's bytes: pretty JSON, as diffs in git read best.
    pub fn text(&self) -> Result<String> {
        let mut t = serde_json::to_string_pretty(self)
            .map_err(|e| Error::Other(format!("{STATE_FILE}: {e}")))?;
        t.push('\n');
        Ok(t)
    }
}
