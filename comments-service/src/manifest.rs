//! The pages manifest (`<site_url>/causerie-pages.json`, written by the
//! generator): which pages exist and whether they take comments. Without one
//! every path on the site is open (docs/conversation.md).

use std::collections::HashMap;
use std::sync::{Arc, RwLock};

use axum::http::StatusCode;
use serde::Deserialize;

use crate::error::{Error, Result};

#[derive(Debug, Deserialize)]
struct Raw {
    version: u32,
    pages: HashMap<String, RawPage>,
}

#[derive(Debug, Deserialize)]
struct RawPage {
    comments: String,
    closes: Option<jiff::Timestamp>,
    /// Old URLs of the page (site paths, maybe with a query), written by
    /// `causerie import`; optional so manifests from before it still read.
    #[serde(default)]
    aliases: Vec<String>,
}

/// One page's state.
#[derive(Debug, Clone)]
pub struct PageInfo {
    pub open: bool,
    pub closes: Option<jiff::Timestamp>,
    /// The page's old URLs (`causerie import` keeps them for redirects);
    /// `causerie-comments import` finds a thread's page through them.
    pub aliases: Vec<String>,
}

/// Which pages exist and take comments.
#[derive(Debug, Clone, Default)]
pub struct Manifest {
    pages: HashMap<String, PageInfo>,
}

impl Manifest {
    /// Parses the manifest JSON; `Err` says what is wrong.
    pub fn parse(json: &[u8]) -> std::result::Result<Manifest, String> {
        let raw: Raw = serde_json::from_slice(json).map_err(|e| e.to_string())?;
        if raw.version != 1 {
            return Err(format!("unsupported manifest version {}", raw.version));
        }
        Ok(Manifest {
            pages: raw
                .pages
                .into_iter()
                .map(|(k, v)| {
                    (
                        k,
                        PageInfo {
                            open: v.comments == "open",
                            closes: v.closes,
                            aliases: v.aliases,
                        },
                    )
                })
                .collect(),
        })
    }

    /// Every page with its state, in no particular order.
    pub fn pages(&self) -> impl Iterator<Item = (&str, &PageInfo)> {
        self.pages.iter().map(|(k, v)| (k.as_str(), v))
    }

    /// Is `page` a page of the site at all?
    pub fn exists(&self, page: &str) -> bool {
        self.pages.contains_key(page)
    }

    /// Refuses a comment on a page that does not exist or is closed (field `page`).
    pub fn check_open(&self, page: &str, now: jiff::Timestamp) -> Result<()> {
        let Some(p) = self.pages.get(page) else {
            return Err(Error::field(
                StatusCode::NOT_FOUND,
                "page",
                "there is no such page on this site",
            ));
        };
        if !p.open || p.closes.is_some_and(|c| c <= now) {
            return Err(Error::field(
                StatusCode::FORBIDDEN,
                "page",
                "comments are closed on this page",
            ));
        }
        Ok(())
    }
}

/// The current manifest, shared by everything that checks pages (the comment
/// routes, the Webmention receiver) and replaced after each rebuild.
#[derive(Clone, Default)]
pub struct SharedManifest(Arc<RwLock<Option<Arc<Manifest>>>>);

impl SharedManifest {
    /// The manifest now, if the site has one.
    pub fn get(&self) -> Option<Arc<Manifest>> {
        self.0.read().ok().and_then(|m| m.clone())
    }

    /// Replaces it (`None`: the site publishes none).
    pub fn set(&self, m: Option<Manifest>) {
        if let Ok(mut slot) = self.0.write() {
            *slot = m.map(Arc::new);
        }
    }
}

/// Fetches the manifest from the site (through the guarded client). `None`
/// when the site has none (404, not yet built, another generator).
pub async fn fetch(client: &crate::fetch::Fetcher, site: &url::Url) -> Option<Manifest> {
    let url = site.join("/causerie-pages.json").ok()?;
    match client.get(url.as_str()).await {
        Ok(f) if f.status == 200 => match Manifest::parse(&f.body) {
            Ok(m) => {
                tracing::info!(pages = m.pages.len(), "pages manifest loaded");
                Some(m)
            }
            Err(e) => {
                tracing::warn!(%url, error = %e, "pages manifest unreadable; every page stays open");
                None
            }
        },
        Ok(f) => {
            tracing::info!(%url, status = f.status, "no pages manifest; every page is open");
            None
        }
        Err(e) => {
            tracing::info!(error = %e, "no pages manifest; every page is open");
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn closed_and_expired_pages_are_refused() {
        let m = Manifest::parse(
            br#"{"version":1,"pages":{"/a/":{"comments":"open","closes":null},
            "/b/":{"comments":"closed","closes":null},
            "/c/":{"comments":"open","closes":"2020-01-01T00:00:00Z"}}}"#,
        )
        .unwrap();
        let now = jiff::Timestamp::now();
        assert!(m.check_open("/a/", now).is_ok());
        assert!(m.check_open("/b/", now).is_err());
        assert!(m.check_open("/c/", now).is_err());
        assert!(m.check_open("/nope/", now).is_err());
    }

    #[test]
    fn aliases_are_optional() {
        let m = Manifest::parse(
            br#"{"version":1,"pages":{"/a/":{"comments":"open","closes":null,"aliases":["/2019/05/a/","/?p=7"]},
            "/b/":{"comments":"open","closes":null}}}"#,
        )
        .unwrap();
        let mut all: Vec<_> = m.pages().map(|(p, i)| (p, i.aliases.len())).collect();
        all.sort();
        assert_eq!(all, [("/a/", 2), ("/b/", 0)]);
    }
}
