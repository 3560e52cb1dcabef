//! How readers sign in to comment, as the service's export says
//! (`"sign_in"`: `required`, `email`, `indieauth`, `oidc: [{"name"}]`).
//!
//! A service that predates sign-in sends no `sign_in`: that is anonymous
//! commenting with no sign-in choice, so old services keep working. The
//! settings are cached beside the items (`sign_in.json`), so a build that
//! cannot reach the service still bakes the login-only page it had.

use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// The sign-in settings baked into post pages.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct SignIn {
    /// Only signed-in readers may comment (no anonymous form).
    #[serde(default)]
    pub required: bool,
    /// A one-time link by e-mail (`POST /auth/email`).
    #[serde(default)]
    pub email: bool,
    /// IndieAuth (`GET /auth/indieauth?me=…`).
    #[serde(default)]
    pub indieauth: bool,
    /// OpenID Connect providers by name (`GET /auth/oidc/{name}`).
    #[serde(default, deserialize_with = "provider_names")]
    pub oidc: Vec<String>,
}

/// `[{"name": "x"}, …]` (the export) or `["x", …]` (the cache) → names.
/// Names that could not be a path segment are dropped, not baked.
fn provider_names<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum P {
        Named { name: String },
        Plain(String),
    }
    let list: Vec<P> = Vec::deserialize(d)?;
    Ok(list
        .into_iter()
        .map(|p| match p {
            P::Named { name } | P::Plain(name) => name,
        })
        .filter(|n| valid_name(n))
        .collect())
}

/// A provider name as config keys allow: short, letters, digits, `-`, `_`.
fn valid_name(n: &str) -> bool {
    !n.is_empty()
        && n.len() <= 64
        && n.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}

impl SignIn {
    /// Whether any sign-in method is on (a choice worth offering).
    pub fn offered(&self) -> bool {
        self.email || self.indieauth || !self.oidc.is_empty()
    }

    /// A fingerprint for the incremental build: every post page shows it.
    pub fn digest(&self) -> u64 {
        let mut fp = crate::hash::Fp::new();
        std::hash::Hash::hash(self, &mut fp);
        fp.finish()
    }
}

fn path(root: &Path, service: &str) -> PathBuf {
    super::cache::dir(root, service).join("sign_in.json")
}

/// The cached settings; anonymous when none (or an unreadable file) is there.
pub fn load(root: &Path, service: &str) -> SignIn {
    std::fs::read(path(root, service))
        .ok()
        .and_then(|b| serde_json::from_slice(&b).ok())
        .unwrap_or_default()
}

/// Caches the settings of the last export (atomically).
pub fn save(root: &Path, service: &str, s: &SignIn) -> Result<(), String> {
    let bytes = serde_json::to_vec_pretty(s).map_err(|e| e.to_string())?;
    super::cache::write_atomic(&path(root, service), &bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn export_shape_parses_and_bad_names_are_dropped() {
        let s: SignIn = serde_json::from_str(
            r#"{"required": true, "email": true, "oidc": [{"name": "forge"}, {"name": "a/b"}, {"name": ""}]}"#,
        )
        .unwrap();
        assert!(s.required && s.email && !s.indieauth);
        assert_eq!(s.oidc, ["forge"]);
        assert!(s.offered());
        assert!(!SignIn::default().offered());
        assert_ne!(s.digest(), SignIn::default().digest());
    }

    #[test]
    fn cache_round_trips_and_missing_means_anonymous() {
        let dir = tempfile::tempdir().unwrap();
        let svc = "http://s";
        assert_eq!(load(dir.path(), svc), SignIn::default());
        let s = SignIn {
            required: true,
            email: false,
            indieauth: true,
            oidc: vec!["one".into(), "two".into()],
        };
        save(dir.path(), svc, &s).unwrap();
        assert_eq!(load(dir.path(), svc), s);
        assert_eq!(load(dir.path(), "http://other"), SignIn::default());
    }
}
