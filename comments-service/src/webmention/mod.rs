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
//! Settings live in the config's `[webmention]` table
//! ([`crate::config::WebmentionConfig`]). The shared part ([`Webmention`]) is
//! a substate of the app's state; its workers start with the other
//! background tasks.

pub mod content;
pub mod mf2;
pub mod receive;
pub mod verify;
pub mod worker;

use std::num::NonZeroU32;
use std::sync::Arc;
use std::time::Duration;

use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use tokio::sync::Notify;

use crate::config::{Config, Moderation};
use crate::error::{Error, Result};
use crate::fetch::{FetchConfig, Fetcher};
use crate::manifest::SharedManifest;
use crate::store::Store;
use content::Sanitizer;

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
    pub cfg: Arc<Config>,
    pub store: Store,
    pub manifest: SharedManifest,
    pub fetcher: Fetcher,
    pub sanitizer: Sanitizer,
    limiter: Option<DefaultKeyedRateLimiter<String>>,
    /// Wakes a worker when a request is queued.
    pub wake: Notify,
}

impl Webmention {
    /// Builds the shared part; fails if the HTTP client cannot start.
    pub fn new(cfg: Arc<Config>, store: Store, manifest: SharedManifest) -> Result<Webmention> {
        let settings = &cfg.webmention;
        let fetcher = Fetcher::new(&FetchConfig {
            allow_private_addresses: cfg.allow_private_addresses,
            total_timeout: Duration::from_secs(settings.fetch_timeout_secs.max(1)),
            max_body_bytes: settings.max_source_bytes,
            ..crate::fetch::default_config()
        })
        .map_err(|e| Error::Config(format!("Webmention receiver: no HTTP client: {e}")))?;
        let limiter = NonZeroU32::new(settings.per_source_per_minute)
            .map(|n| RateLimiter::keyed(Quota::per_minute(n)));
        Ok(Webmention {
            cfg,
            store,
            manifest,
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
        if host_listed(host, &self.cfg.webmention.allow) {
            Moderation::None
        } else {
            self.cfg.moderation
        }
    }
}

/// Verification workers running at once (each takes from the durable queue).
const WORKERS: usize = 2;

/// Starts the verification workers (at start-up, with the other background
/// tasks).
pub fn start_workers(wm: &Arc<Webmention>) {
    for _ in 0..WORKERS {
        tokio::spawn(worker::run(wm.clone()));
    }
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
