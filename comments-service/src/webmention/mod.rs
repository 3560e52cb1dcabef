//! Webmentions in (W3C Recommendation), and the shared machinery Pingback
//! uses too.
//!
//! `POST /webmention` validates the request before any fetch ([`receive`]),
//! queues it in the database and answers 202; workers ([`worker`]) take the
//! durable queue, verify through the guarded client ([`verify`]), read the
//! source's microformats2 ([`mf2`], [`content`]) and store, update or remove
//! the mention through the store. `POST /xmlrpc` ([`crate::pingback`]) runs
//! the same checks synchronously, as XML-RPC expects an answer.
//!
//! Settings live in the config's `[webmention]` table ([`WebmentionConfig`]).

pub mod content;
pub mod mf2;
pub mod receive;
pub mod verify;
pub mod worker;

use std::num::NonZeroU32;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::Extension;
use axum::routing::post;
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use serde::Deserialize;
use tokio::sync::Notify;

use crate::app::AppState;
use crate::config::Moderation;
use crate::fetch::{FetchConfig, Fetcher};
use content::Sanitizer;

/// The `[webmention]` table of the config file.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WebmentionConfig {
    /// Source domains (with their subdomains) whose mentions skip moderation.
    #[serde(default)]
    pub allow: Vec<String>,
    /// Source domains (with their subdomains) refused with 403.
    #[serde(default)]
    pub block: Vec<String>,
    /// Webmentions and pingbacks accepted per source host per minute; 0 turns
    /// the limit off. Default 10.
    #[serde(default = "default_per_source")]
    pub per_source_per_minute: u32,
    /// Deadline for fetching one source, in seconds. Default 15.
    #[serde(default = "default_timeout")]
    pub fetch_timeout_secs: u64,
    /// Largest source read, in bytes (a larger one is not verified). Default 1 MiB.
    #[serde(default = "default_max_source")]
    pub max_source_bytes: usize,
}

fn default_per_source() -> u32 {
    10
}
fn default_timeout() -> u64 {
    15
}
fn default_max_source() -> usize {
    1024 * 1024
}

impl Default for WebmentionConfig {
    fn default() -> Self {
        WebmentionConfig {
            allow: Vec::new(),
            block: Vec::new(),
            per_source_per_minute: default_per_source(),
            fetch_timeout_secs: default_timeout(),
            max_source_bytes: default_max_source(),
        }
    }
}

/// Whether `host` is `domain` or one of its subdomains, for each listed domain.
pub fn host_listed(host: &str, list: &[String]) -> bool {
    let host = host.trim_end_matches('.').to_ascii_lowercase();
    list.iter().any(|d| {
        let d = d
            .trim()
            .trim_start_matches("*.")
            .trim_end_matches('.')
            .to_ascii_lowercase();
        !d.is_empty() && (host == d || host.ends_with(&format!(".{d}")))
    })
}

/// What the Webmention and Pingback handlers and workers share.
pub struct Webmention {
    pub app: AppState,
    pub settings: WebmentionConfig,
    pub fetcher: Fetcher,
    pub sanitizer: Sanitizer,
    limiter: Option<DefaultKeyedRateLimiter<String>>,
    /// Wakes a worker when a request is queued.
    pub wake: Notify,
}

impl Webmention {
    /// Builds the shared part; `None` if the HTTP client cannot start.
    pub fn new(app: AppState, settings: WebmentionConfig) -> Option<Webmention> {
        let fetcher = Fetcher::new(&FetchConfig {
            allow_private_addresses: app.cfg.allow_private_addresses,
            total_timeout: Duration::from_secs(settings.fetch_timeout_secs.max(1)),
            max_body_bytes: settings.max_source_bytes,
            ..crate::fetch::default_config()
        })
        .map_err(|e| tracing::error!(error = %e, "Webmention receiver disabled"))
        .ok()?;
        let limiter = NonZeroU32::new(settings.per_source_per_minute)
            .map(|n| RateLimiter::keyed(Quota::per_minute(n)));
        Some(Webmention {
            app,
            settings,
            fetcher,
            sanitizer: Sanitizer::new(),
            limiter,
            wake: Notify::new(),
        })
    }

    /// Counts one request from `host`; `Err(seconds)` when over the limit.
    pub fn rate_limit(&self, host: &str) -> Result<(), u64> {
        let Some(l) = &self.limiter else {
            return Ok(());
        };
        l.check_key(&host.to_ascii_lowercase())
            .map_err(|not_until| {
                use governor::clock::Clock;
                not_until.wait_time_from(l.clock().now()).as_secs() + 1
            })
    }

    /// The moderation for a mention from `host`: allow-listed domains skip it.
    pub fn moderation_for(&self, host: &str) -> Moderation {
        if host_listed(host, &self.settings.allow) {
            Moderation::None
        } else {
            self.app.cfg.moderation
        }
    }
}

/// Verification workers running at once (each takes from the durable queue).
const WORKERS: usize = 2;

/// `POST /webmention` and `POST /xmlrpc`, with the verification workers.
/// The workers start here, where the shared state is made, when a runtime
/// is running (always, when the service serves).
pub fn routes(app: &AppState, settings: WebmentionConfig) -> Router<AppState> {
    let Some(wm) = Webmention::new(app.clone(), settings) else {
        return Router::new();
    };
    let wm = Arc::new(wm);
    if let Ok(handle) = tokio::runtime::Handle::try_current() {
        for _ in 0..WORKERS {
            handle.spawn(worker::run(wm.clone()));
        }
    }
    Router::new()
        .route("/webmention", post(receive::webmention_receive))
        .route("/xmlrpc", post(crate::pingback::xmlrpc))
        .layer(Extension(wm))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn domains_match_themselves_and_subdomains_only() {
        let list = vec!["example.com".to_string(), "*.spam.test".to_string()];
        assert!(host_listed("example.com", &list));
        assert!(host_listed("Blog.Example.com", &list));
        assert!(host_listed("a.spam.test", &list));
        assert!(!host_listed("notexample.com", &list));
        assert!(!host_listed("example.com.evil.net", &list));
        assert!(!host_listed("x.org", &[String::new()]));
    }
}
