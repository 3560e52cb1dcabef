//! What every handler can reach: the shared state and its substates.

use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::Arc;

use axum::extract::FromRef;
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};

use crate::config::Config;
use crate::error::{Error, Result};
use crate::manifest::{Manifest, SharedManifest};
use crate::markdown::Renderer;
use crate::store::Store;
use crate::tokens::Keys;
use crate::webmention::Webmention;

/// The window of the shared new-comment rate limit.
const RATE_WINDOW_US: i64 = 60 * 1_000_000;

/// What every handler can reach. Parts with their own concern are
/// substates (`FromRef`), so their handlers take only what they use.
#[derive(Clone)]
pub struct AppState {
    pub cfg: Arc<Config>,
    pub store: Store,
    pub keys: Keys,
    pub renderer: Arc<Renderer>,
    limiter: Option<Arc<DefaultKeyedRateLimiter<IpAddr>>>,
    manifest: SharedManifest,
    /// The Webmention and Pingback receiver (its handlers' substate).
    pub webmention: Arc<Webmention>,
    /// Rendered read answers, valid while the store's generation holds.
    thread_cache: Arc<crate::cache::ReadCache>,
    /// The guarded client for the site's own URLs (manifest, webhook): the
    /// operator chose them, so private addresses are allowed for it.
    pub site_client: Option<crate::fetch::Fetcher>,
    /// Limits answers whose cost grows with the store (see `heavy`).
    pub heavy: crate::heavy::Heavy,
    /// Wakes the outbox worker after a write that queued a notification.
    pub outbox_wake: Arc<tokio::sync::Notify>,
    /// The inbox's fetcher, key cache and limits (its replay memory is in the store).
    pub fedi: Arc<crate::activitypub::Fedi>,
}

impl AppState {
    /// Opens the SQLite store and builds the shared parts.
    pub fn new(cfg: Config) -> Result<AppState> {
        let store = Store::open(&cfg.db, cfg.debounce_ms)?;
        AppState::with_store(cfg, store)
    }

    /// Opens the configured store (PostgreSQL with `database_url`, else the
    /// SQLite file) and builds the shared parts.
    pub async fn connect(cfg: Config) -> Result<AppState> {
        let store = match &cfg.database_url {
            Some(url) => Store::connect(url.expose(), cfg.debounce_ms).await?,
            None => Store::open(&cfg.db, cfg.debounce_ms)?,
        };
        AppState::with_store(cfg, store)
    }

    /// Builds the shared parts around an open store.
    pub fn with_store(cfg: Config, store: Store) -> Result<AppState> {
        let keys = match &cfg.secret {
            Some(s) => Keys::new(s.as_bytes()),
            None => Keys::new(store.stored_secret()),
        };
        let limiter = NonZeroU32::new(cfg.comments_per_minute)
            .map(|n| Arc::new(RateLimiter::keyed(Quota::per_minute(n))));
        let site_client = crate::fetch::Fetcher::new(&crate::fetch::FetchConfig {
            allow_private_addresses: true,
            ..crate::fetch::default_config()
        })
        .map_err(|e| tracing::warn!(error = %e, "no HTTP client: manifest and webhook disabled"))
        .ok();
        let cfg = Arc::new(cfg);
        let manifest = SharedManifest::default();
        let webmention = Arc::new(Webmention::new(
            cfg.clone(),
            store.clone(),
            manifest.clone(),
        )?);
        let fedi = Arc::new(crate::activitypub::Fedi::new(
            cfg.clone(),
            store.clone(),
            manifest.clone(),
            webmention.clone(),
            site_client.clone(),
        ));
        Ok(AppState {
            fedi,
            renderer: Arc::new(Renderer::new(cfg.allow_images)),
            cfg,
            store,
            keys,
            limiter,
            manifest,
            webmention,
            thread_cache: Arc::default(),
            site_client,
            heavy: crate::heavy::Heavy::default(),
            outbox_wake: Arc::default(),
        })
    }

    /// Counts one new comment from `ip`; over the limit gives 429 with the wait.
    pub fn rate_limit(&self, ip: IpAddr) -> Result<()> {
        let Some(l) = &self.limiter else {
            return Ok(());
        };
        match l.check_key(&ip) {
            Ok(()) => Ok(()),
            Err(not_until) => {
                use governor::clock::Clock;
                let wait = not_until.wait_time_from(l.clock().now());
                Err(Error::RateLimited {
                    retry_after: wait.as_secs() + 1,
                })
            }
        }
    }

    /// [`AppState::rate_limit`], counted across every instance when the
    /// store is shared (PostgreSQL): a fixed one-minute window per address.
    pub async fn check_rate(&self, ip: IpAddr) -> Result<()> {
        if self.limiter.is_none() {
            return Ok(());
        }
        let now = crate::store::now_us();
        let window = now - now.rem_euclid(RATE_WINDOW_US);
        let key = self.keys.address_key(&ip.to_string());
        match self.store.count_hit(&key, window).await? {
            None => self.rate_limit(ip),
            Some(hits) if hits <= self.cfg.comments_per_minute => Ok(()),
            Some(_) => Err(Error::RateLimited {
                retry_after: ((window + RATE_WINDOW_US - now) / 1_000_000 + 1) as u64,
            }),
        }
    }

    /// The current pages manifest, if the site has one.
    pub fn manifest(&self) -> Option<Arc<Manifest>> {
        self.manifest.get()
    }

    /// Fetches the manifest again (at start and after each rebuild).
    pub async fn refresh_manifest(&self) {
        let Some(client) = &self.site_client else {
            return;
        };
        self.manifest
            .set(crate::manifest::fetch(client, &self.cfg.site_url).await);
    }

    /// A cached answer for `key`, if it was made at `generation`.
    pub fn cached(&self, key: &str, generation: u64) -> Option<axum::body::Bytes> {
        self.thread_cache.get(key, generation)
    }

    /// Keeps an answer made at `generation` (bounded by bytes; see `cache`).
    pub fn cache(&self, key: String, generation: u64, bytes: axum::body::Bytes) {
        self.thread_cache.put(key, generation, bytes);
    }

    /// Sheds rate-limit state of addresses that have been quiet.
    pub fn tidy(&self) {
        if let Some(l) = &self.limiter {
            l.retain_recent();
            l.shrink_to_fit();
        }
    }
}

impl FromRef<AppState> for Arc<Webmention> {
    fn from_ref(state: &AppState) -> Self {
        state.webmention.clone()
    }
}
