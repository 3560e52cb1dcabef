//! Thread → page: which page of the new site holds an old post's comments.
//!
//! The generator's import keeps every old URL of a post in its `aliases`,
//! and the pages manifest (`causerie-pages.json`) lists them beside each page.
//! An old URL matches by its path, ignoring the host, the scheme, a trailing
//! slash and percent-encoding differences; the query counts only for
//! WordPress's `?p=ID` / `?page_id=ID` links, the one place it names a post.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use crate::manifest::Manifest;

/// Old URLs (and the pages' own paths) → page path.
#[derive(Debug, Default)]
pub struct Matcher {
    by_key: HashMap<String, String>,
}

impl Matcher {
    /// Indexes the pages and aliases of `manifest`. A page's own path wins
    /// over another page's alias.
    pub fn new(manifest: &Manifest) -> Matcher {
        let mut by_key = HashMap::new();
        for (page, info) in manifest.pages() {
            for alias in &info.aliases {
                if let Some(k) = key(alias) {
                    by_key.entry(k).or_insert_with(|| page.to_string());
                }
            }
        }
        for (page, _) in manifest.pages() {
            if let Some(k) = key(page) {
                by_key.insert(k, page.to_string());
            }
        }
        Matcher { by_key }
    }

    /// The page of the first of `urls` that matches.
    pub fn find(&self, urls: &[String]) -> Option<String> {
        urls.iter()
            .filter_map(|u| key(u))
            .find_map(|k| self.by_key.get(&k).cloned())
    }
}

/// The comparable form of an URL or site path: decoded path without a
/// trailing slash, plus `?p=ID` when the query names a WordPress post.
pub fn key(raw: &str) -> Option<String> {
    let u = parse(raw)?;
    let decoded = percent_decode(u.path());
    let mut k = decoded.trim_end_matches('/').to_string();
    if k.is_empty() {
        k.push('/');
    }
    if let Some((name, id)) = u
        .query_pairs()
        .find(|(n, v)| matches!(n.as_ref(), "p" | "page_id") && v.parse::<u64>().is_ok())
    {
        k.push_str(&format!("?{name}={id}"));
    }
    Some(k)
}

/// The path an unmatched thread is stored under when there is no manifest.
pub fn old_path(raw: &str) -> Option<String> {
    let u = parse(raw)?;
    let mut p = u.path().to_string();
    if let Some(q) = u
        .query()
        .filter(|_| key(raw).is_some_and(|k| k.contains('?')))
    {
        p.push('?');
        p.push_str(q);
    }
    Some(p)
}

fn parse(raw: &str) -> Option<url::Url> {
    let raw = raw.trim();
    if raw.is_empty() {
        return None;
    }
    let base = url::Url::parse("http://old.invalid/").ok()?;
    match url::Url::parse(raw) {
        Ok(u) if matches!(u.scheme(), "http" | "https") => Some(u),
        Ok(_) => None,
        Err(_) => base.join(raw).ok(),
    }
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && i + 2 < bytes.len()
            && let (Some(h), Some(l)) = (hex(bytes[i + 1]), hex(bytes[i + 2]))
        {
            out.push(h * 16 + l);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn hex(b: u8) -> Option<u8> {
    (b as char).to_digit(16).map(|d| d as u8)
}

/// Where the pages manifest comes from.
#[derive(Debug, Clone)]
pub enum ManifestSource {
    /// `--pages FILE`.
    File(PathBuf),
    /// `--site DIR`: `DIR/public/causerie-pages.json`, or under the `output`
    /// set in `DIR/causerie.toml`.
    Site(PathBuf),
}

/// Reads the manifest named on the command line.
pub fn load(source: &ManifestSource) -> Result<Manifest> {
    let file = match source {
        ManifestSource::File(f) => f.clone(),
        ManifestSource::Site(dir) => site_manifest(dir),
    };
    let bytes = std::fs::read(&file).map_err(|e| Error::Import {
        at: file.display().to_string(),
        message: match source {
            ManifestSource::Site(_) => {
                format!("cannot read the pages manifest ({e}); build the site first")
            }
            ManifestSource::File(_) => format!("cannot read the pages manifest: {e}"),
        },
    })?;
    Manifest::parse(&bytes).map_err(|message| Error::Import {
        at: file.display().to_string(),
        message: format!("not a pages manifest: {message}"),
    })
}

fn site_manifest(dir: &Path) -> PathBuf {
    let output = std::fs::read_to_string(dir.join("causerie.toml"))
        .ok()
        .and_then(|t| toml::from_str::<toml::Table>(&t).ok())
        .and_then(|t| t.get("output").and_then(|v| v.as_str()).map(PathBuf::from));
    let out = match output {
        Some(o) if o.is_absolute() => o,
        Some(o) => dir.join(o),
        None => dir.join("public"),
    };
    out.join("causerie-pages.json")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_ignore_host_slash_and_encoding() {
        assert_eq!(
            key("https://old.example/2019/05/slug/"),
            key("/2019/05/slug")
        );
        assert_eq!(key("http://x.example/?p=101&foo=1").unwrap(), "/?p=101");
        assert_eq!(key("/a/?utm=1").unwrap(), "/a");
        assert_eq!(
            key("https://b.example/2019/05/%D8%B3%D9%84%D8%A7%D9%85.html"),
            key("/2019/05/سلام.html")
        );
        assert_eq!(key("javascript:alert(1)"), None);
    }

    #[test]
    fn pages_own_paths_win() {
        let m = Manifest::parse(
            br#"{"version":1,"pages":{"/posts/a/":{"comments":"open","closes":null,"aliases":["/2019/05/a/","/?p=7"]},
            "/posts/b/":{"comments":"open","closes":null}}}"#,
        )
        .unwrap();
        let m = Matcher::new(&m);
        let find = |u: &str| m.find(&[u.to_string()]);
        assert_eq!(
            find("https://old.example/?p=7").as_deref(),
            Some("/posts/a/")
        );
        assert_eq!(
            find("https://old.example/2019/05/a").as_deref(),
            Some("/posts/a/")
        );
        assert_eq!(find("/posts/b").as_deref(), Some("/posts/b/"));
        assert_eq!(find("https://old.example/?p=8"), None);
    }
}
