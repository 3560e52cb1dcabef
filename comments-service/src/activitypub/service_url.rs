//! The service's own base URL as the fediverse sees it (the inbox, the
//! followers collection): what signatures name as their target.

use axum::http::HeaderMap;
use axum::http::header::HOST;

use crate::config::Config;

/// This service's public base URL: `[activitypub] service_url`, else the
/// request's `Host` (http on loopback, https elsewhere).
pub fn service_url(cfg: &Config, headers: &HeaderMap) -> String {
    if let Some(u) = cfg.activitypub.as_ref().and_then(|a| a.service_url.clone()) {
        return u;
    }
    let host = headers
        .get(HOST)
        .and_then(|h| h.to_str().ok())
        .filter(|h| {
            h.chars()
                .all(|c| c.is_ascii_alphanumeric() || ".-:[]".contains(c))
        })
        .unwrap_or("localhost");
    let local =
        host.starts_with("127.") || host.starts_with("localhost") || host.starts_with("[::1]");
    format!("{}://{host}", if local { "http" } else { "https" })
}
