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
pub mod remote;
pub mod signature;
pub mod target;

pub use keys::ActorKeys;

use std::num::NonZeroU32;

use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};

/// The ActivityStreams context.
pub const CONTEXT: &str = "https://www.w3.org/ns/activitystreams";
/// File name of a post's object beside its page (as the generator writes it).
pub const OBJECT_FILE: &str = "activity.json";

/// The inbox's shared parts (one per process).
pub struct Fedi {
    pub remote: remote::Remote,
    /// Deliveries per minute from one instance (host of the key id).
    pub per_instance: Option<DefaultKeyedRateLimiter<String>>,
    /// Deliveries per minute from one actor (its key id).
    pub per_actor: Option<DefaultKeyedRateLimiter<String>>,
    /// Wakes the delivery worker after a publish queued work.
    pub delivery_wake: std::sync::Arc<tokio::sync::Notify>,
}

impl Fedi {
    pub fn new(cfg: &crate::config::Config) -> Fedi {
        let (inst, actor) = cfg
            .activitypub
            .as_ref()
            .map(|a| (a.per_instance_per_minute, a.per_actor_per_minute))
            .unwrap_or((0, 0));
        let limiter = |n: u32| NonZeroU32::new(n).map(|n| RateLimiter::keyed(Quota::per_minute(n)));
        Fedi {
            remote: remote::Remote::new(cfg.allow_private_addresses),
            per_instance: limiter(inst),
            per_actor: limiter(actor),
            delivery_wake: Default::default(),
        }
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
