//! The service's own public base URL, for the callback (`redirect_uri`) and
//! IndieAuth `client_id` a provider sees: `public_url` (or `[mail] public_url`) when set (the
//! one place the operator names it, behind a path-prefixing proxy too),
//! else the `Host` the reader's browser used, with the site's scheme, under
//! the `X-Forwarded-Prefix` of a trusted proxy (`trusted_proxies`) if any.
//!
//! The URL chosen at the start of a flow is kept in its flow record and
//! reused at the callback, so a forged `Host` can only make a provider see
//! an unregistered redirect URI, which it refuses.

use std::net::IpAddr;

use axum::http::HeaderMap;
use axum::http::header::HOST;
use url::Url;

use crate::config::Config;
use crate::error::{Error, Result};

/// The base URL, ending in `/`.
pub fn service_base(cfg: &Config, headers: &HeaderMap, peer: IpAddr) -> Result<Url> {
    if let Some(u) = cfg.public_url.clone() {
        return Ok(with_slash(u));
    }
    let host = headers
        .get(HOST)
        .and_then(|h| h.to_str().ok())
        .filter(|h| !h.is_empty() && !h.contains(['/', '?', '#', '@', '\\']))
        .ok_or_else(|| Error::bad("host", "the request names no Host"))?;
    let mut url = Url::parse(&format!("{}://{host}/", cfg.site_url.scheme()))
        .map_err(|_| Error::bad("host", "the request's Host is not a host name"))?;
    if cfg.trusted_proxies.contains(&peer)
        && let Some(prefix) = headers
            .get("x-forwarded-prefix")
            .and_then(|h| h.to_str().ok())
            .map(|p| p.trim().trim_matches('/'))
            .filter(|p| !p.is_empty())
    {
        if !prefix
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '/' | '-' | '_' | '.'))
            || prefix
                .split('/')
                .any(|seg| seg.is_empty() || seg == "." || seg == "..")
        {
            return Err(Error::bad(
                "host",
                "the proxy's X-Forwarded-Prefix is not a path",
            ));
        }
        url.set_path(&format!("/{prefix}/"));
    }
    Ok(url)
}

/// `base` joined with `path` (relative, without a leading `/`), so a base
/// under a path prefix keeps it.
pub fn under(base: &Url, path: &str) -> Result<Url> {
    base.join(path)
        .map_err(|e| Error::Config(format!("service URL {base}: {e}")))
}

fn with_slash(mut u: Url) -> Url {
    if !u.path().ends_with('/') {
        let p = format!("{}/", u.path());
        u.set_path(&p);
    }
    u.set_query(None);
    u.set_fragment(None);
    u
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_base_under_a_path_keeps_it() {
        let b = super::with_slash(url::Url::parse("https://example.com/comments").unwrap());
        assert_eq!(
            super::under(&b, "auth/indieauth/callback")
                .unwrap()
                .as_str(),
            "https://example.com/comments/auth/indieauth/callback"
        );
    }
}
