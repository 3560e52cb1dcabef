//! The fediverse surface of [`Store`]: settings kept once (the actor's key
//! pair) and the followers.

use super::{Backend, Store};
use crate::error::Result;

impl Store {
    /// The stored value of setting `key`, or `make` stored now.
    pub async fn setting_or_insert(&self, key: &'static str, make: Vec<u8>) -> Result<Vec<u8>> {
        on!(self, b => b.setting_or_insert(key, make).await)
    }

    /// The stored value of setting `key`.
    pub async fn setting(&self, key: &'static str) -> Result<Option<Vec<u8>>> {
        on!(self, b => b.setting(key).await)
    }

    /// Adds (or refreshes the inboxes of) a follower.
    pub async fn follower_add(
        &self,
        actor: String,
        inbox: String,
        shared_inbox: Option<String>,
    ) -> Result<()> {
        on!(self, b => b.follower_add(actor, inbox, shared_inbox).await)
    }

    /// Removes a follower; true when it was one.
    pub async fn follower_remove(&self, actor: String) -> Result<bool> {
        on!(self, b => b.follower_remove(actor).await)
    }

    /// The live item with `id`, or with `source` when `id` is `None`.
    pub async fn ap_item(
        &self,
        id: Option<i64>,
        source: String,
    ) -> Result<Option<crate::store::ApItem>> {
        on!(self, b => b.ap_item(id, source).await)
    }

    /// Records posts as told and queues deliveries of new or changed ones.
    pub async fn ap_publish(
        &self,
        posts: Vec<crate::store::ApPost>,
        inboxes: Vec<String>,
    ) -> Result<crate::store::ApQueued> {
        on!(self, b => b.ap_publish(posts, inboxes).await)
    }

    /// Queues one activity for one inbox; false when queued before.
    pub async fn ap_queue(
        &self,
        activity_id: String,
        activity: String,
        inbox: String,
    ) -> Result<bool> {
        on!(self, b => b.ap_queue(activity_id, activity, inbox).await)
    }

    /// Frees claims this process cannot be holding (start-up).
    pub async fn ap_delivery_release(&self) -> Result<()> {
        on!(self, b => b.ap_delivery_release().await)
    }

    /// Claims the next due delivery for `lease_us`.
    pub async fn ap_delivery_claim(
        &self,
        lease_us: crate::store::Micros,
    ) -> Result<Option<crate::store::ApDelivery>> {
        on!(self, b => b.ap_delivery_claim(lease_us).await)
    }

    /// Ends a claimed delivery: done, or due again at `retry_at`.
    pub async fn ap_delivery_end(
        &self,
        id: i64,
        retry_at: Option<crate::store::Micros>,
    ) -> Result<()> {
        on!(self, b => b.ap_delivery_end(id, retry_at).await)
    }

    /// The followers' actor ids, oldest first.
    pub async fn ap_followers(&self) -> Result<Vec<String>> {
        on!(self, b => b.ap_followers().await)
    }

    /// Where followers take deliveries.
    pub async fn ap_inboxes(&self) -> Result<Vec<String>> {
        on!(self, b => b.ap_inboxes().await)
    }

    /// How many follow the blog.
    pub async fn follower_count(&self) -> Result<u64> {
        on!(self, b => b.follower_count().await)
    }
}
