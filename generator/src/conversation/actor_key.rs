//! The actor's public key and follower count, as the comment service's
//! export gives them (`"activitypub"` at its top level), kept beside the
//! conversation cache so a build without the service still has them.

use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// What the service says about the actor it signs for.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct ActorKey {
    /// PEM of the RSA public key (`-----BEGIN PUBLIC KEY-----`).
    pub public_key_pem: String,
    /// How many follow the blog (not published in the actor document: it
    /// would change the file on every follow).
    #[serde(default)]
    pub followers: u64,
}

impl ActorKey {
    /// The key when it looks like a PEM public key, else `None` (the export
    /// is treated as hostile like the rest of it).
    pub fn checked(self) -> Option<ActorKey> {
        let pem = self.public_key_pem.trim();
        (pem.starts_with("-----BEGIN PUBLIC KEY-----")
            && pem.ends_with("-----END PUBLIC KEY-----")
            && pem.len() < 4096
            && pem
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "+/=- \n\r".contains(c)))
        .then(|| ActorKey {
            public_key_pem: format!("{pem}\n"),
            followers: self.followers,
        })
    }
}

fn path(root: &Path, service: &str) -> PathBuf {
    super::cache::dir(root, service).join("activitypub.json")
}

/// The key cached by the last sync with `service`.
pub fn load(root: &Path, service: &str) -> Option<ActorKey> {
    let bytes = std::fs::read(path(root, service)).ok()?;
    serde_json::from_slice::<ActorKey>(&bytes).ok()?.checked()
}

/// Keeps `key` (or forgets the cached one when the service has none).
pub fn save(root: &Path, service: &str, key: Option<&ActorKey>) -> Result<(), String> {
    let p = path(root, service);
    match key {
        Some(k) => {
            let bytes = serde_json::to_vec_pretty(k).map_err(|e| e.to_string())?;
            super::cache::write_atomic(&p, &bytes)
        }
        None => match std::fs::remove_file(&p) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                Err(format!("{}: {e}", p.display()))
            }
            _ => Ok(()),
        },
    }
}
