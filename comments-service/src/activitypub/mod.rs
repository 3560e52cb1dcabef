//! The blog as a fediverse actor, the service's half (docs/activitypub.md):
//! the actor's key pair, kept once in the store; the inbox, which checks
//! HTTP signatures against keys fetched through the SSRF guard; the
//! followers. Plain JSON with the ActivityStreams context: typed structs
//! and `serde_json::Value`, no JSON-LD processing.

pub mod conversation;
pub mod deliver;
pub mod inbox;
pub mod keys;
pub mod outbox;
pub mod rejected;
pub mod remote;
pub mod service_url;
pub mod signature;
pub mod target;

pub use keys::ActorKeys;

use std::num::NonZeroU32;

use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};

/// The ActivityStreams context.
pub const CONTEXT: &str = "https://www.w3.org/ns/activitystreams";
/// File name of a post's object beside its page (as the generator writes it).
pub const OBJECT_FILE: &str = "activity.json";

/// What the fediverse half works with: its own parts (the remote-actor
/// cache, the limits, the delivery wake-up, the key pair) and the shared
/// ones it reads (config, store, manifest, the Webmention sanitizer and
/// moderation, the site client). A substate of the app's state, so this
/// module depends on nothing above it.
pub struct Fedi {
    pub cfg: std::sync::Arc<crate::config::Config>,
    pub store: crate::store::Store,
    manifest: crate::manifest::SharedManifest,
    pub webmention: std::sync::Arc<crate::webmention::Webmention>,
    /// The guarded client for the site's own URLs (its outbox).
    pub site_client: Option<crate::fetch::Fetcher>,
    /// The actor's key pair, made or loaded on first use.
    pub actor_keys: keys::LazyKeys,
    pub remote: remote::Remote,
    /// Deliveries per minute from one instance (host of the key id).
    pub per_instance: Option<DefaultKeyedRateLimiter<String>>,
    /// Deliveries per minute from one actor (its key id).
    pub per_actor: Option<DefaultKeyedRateLimiter<String>>,
    /// Wakes the delivery worker after a publish queued work.
    pub delivery_wake: std::sync::Arc<tokio::sync::Notify>,
}

impl Fedi {
    pub fn new(
        cfg: std::sync::Arc<crate::config::Config>,
        store: crate::store::Store,
        manifest: crate::manifest::SharedManifest,
        webmention: std::sync::Arc<crate::webmention::Webmention>,
        site_client: Option<crate::fetch::Fetcher>,
    ) -> Fedi {
        let (inst, actor) = cfg
            .activitypub
            .as_ref()
            .map(|a| (a.per_instance_per_minute, a.per_actor_per_minute))
            .unwrap_or((0, 0));
        let limiter = |n: u32| NonZeroU32::new(n).map(|n| RateLimiter::keyed(Quota::per_minute(n)));
        Fedi {
            remote: remote::Remote::new(cfg.allow_private_addresses),
            cfg,
            store,
            manifest,
            webmention,
            site_client,
            actor_keys: Default::default(),
            per_instance: limiter(inst),
            per_actor: limiter(actor),
            delivery_wake: Default::default(),
        }
    }

    /// The site's pages manifest, once loaded.
    pub fn manifest(&self) -> Option<std::sync::Arc<crate::manifest::Manifest>> {
        self.manifest.get()
    }

    /// Counts one delivery signed with `key_id`; `Err(seconds)` over a limit.
    pub fn rate_limit(&self, key_id: &str) -> Result<(), u64> {
        use governor::clock::Clock;
        let host = url::Url::parse(key_id)
            .ok()
            .and_then(|u| u.host_str().map(str::to_string))
            .unwrap_or_default();
        for (l, k) in [
            (&self.per_instance, host),
            (&self.per_actor, key_id.to_string()),
        ] {
            if let Some(l) = l
                && let Err(not_until) = l.check_key(&k)
            {
                return Err(not_until.wait_time_from(l.clock().now()).as_secs() + 1);
            }
        }
        Ok(())
    }
}
