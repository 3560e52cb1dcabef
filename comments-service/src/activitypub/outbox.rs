//! Telling followers about posts: [`sync`] reads the site's published
//! outbox (`<site_url>activitypub/outbox`, written by `causerie build`),
//! and queues, in one transaction with the record of what was told, a
//! `Create` of each new post and an `Update` of each changed one (its
//! `updated`, else `published`, moved) for every follower inbox (shared
//! inboxes once). [`start_worker`] sends the queue, signed, with retries
//! and backoff; a row is claimed with a lease, so a `kill -9` mid-send
//! sends it again after the restart, with the same activity id, which
//! receivers (Mastodon, Fedify) take once.

use std::sync::Arc;
use std::time::Duration;

use serde_json::{Value, json};

use super::Fedi;
use super::remote::{ACCEPT, url_of};
use crate::error::{Error, Result};
use crate::store::{ApPost, ApQueued, now_us};

/// How long a claimed delivery is this worker's.
const LEASE_US: i64 = 60 * 1_000_000;
/// Tries before a delivery is given up.
const MAX_ATTEMPTS: i64 = 10;
/// Outbox pages read at most (20 posts a page).
const MAX_PAGES: usize = 500;

async fn get(st: &Fedi, url: &str) -> Result<Value> {
    let f = st
        .site_client
        .as_ref()
        .ok_or_else(|| Error::Config("no HTTP client".into()))?;
    let got = f
        .get_with(url, &[("Accept".into(), ACCEPT.into())])
        .await
        .map_err(|e| Error::bad("outbox", format!("cannot read the site's outbox: {e}")))?;
    if got.status != 200 {
        return Err(Error::bad(
            "outbox",
            format!("the site's outbox {url} answered {}", got.status),
        ));
    }
    serde_json::from_slice(&got.body)
        .map_err(|e| Error::bad("outbox", format!("{url} is not JSON: {e}")))
}

/// Every `Create` of the site's outbox, following its pages.
async fn read_outbox(st: &Fedi) -> Result<Vec<Value>> {
    let url = st
        .cfg
        .site_url
        .join("activitypub/outbox")
        .map_err(|e| Error::Config(e.to_string()))?;
    let top = get(st, url.as_str()).await?;
    let mut items = Vec::new();
    let mut page = match top.get("orderedItems") {
        Some(Value::Array(a)) => {
            items.extend(a.iter().cloned());
            None
        }
        _ => top.get("first").and_then(url_of),
    };
    let mut pages = 0;
    while let Some(p) = page.take() {
        pages += 1;
        if pages > MAX_PAGES {
            break;
        }
        let v = get(st, &p).await?;
        if let Some(Value::Array(a)) = v.get("orderedItems") {
            items.extend(a.iter().cloned());
        }
        page = v.get("next").and_then(url_of);
    }
    Ok(items)
}

/// The post of one outbox `Create`, with its two announcements.
fn post_of(create: &Value, actor: &str) -> Option<ApPost> {
    if create.get("type")?.as_str()? != "Create" {
        return None;
    }
    let object = create.get("object")?;
    let object_id = object.get("id").and_then(url_of)?;
    let version = object
        .get("updated")
        .or_else(|| object.get("published"))
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_string();
    let mut object = object.clone();
    if let Some(o) = object.as_object_mut() {
        o.remove("@context");
    }
    let announce = |kind: &str, id: String| {
        let v = json!({
            "@context": super::CONTEXT,
            "id": id,
            "type": kind,
            "actor": actor,
            "published": version,
            "to": create.get("to").cloned().unwrap_or(Value::Null),
            "cc": create.get("cc").cloned().unwrap_or(Value::Null),
            "object": object,
        });
        (id, v.to_string())
    };
    Some(ApPost {
        create: announce("Create", format!("{object_id}#create")),
        update: announce("Update", format!("{object_id}#update-{version}")),
        version: version.clone(),
        object_id,
    })
}

/// Reads the site's outbox and queues what is new or changed.
pub async fn sync(st: &Fedi) -> Result<ApQueued> {
    let Some(ap) = &st.cfg.activitypub else {
        return Err(Error::bad("activitypub", "no [activitypub] in the config"));
    };
    let items = read_outbox(st).await?;
    let posts: Vec<ApPost> = items
        .iter()
        .filter_map(|c| post_of(c, &ap.actor_id))
        .collect();
    let inboxes = st.store.ap_inboxes().await?;
    let q = st.store.ap_publish(posts, inboxes).await?;
    st.delivery_wake.notify_one();
    Ok(q)
}

/// The wait before try `attempts + 1`: 30 s, ×4 each time, at most 6 h.
fn backoff_us(attempts: i64) -> i64 {
    let secs = 30i64.saturating_mul(4i64.saturating_pow(attempts.clamp(1, 10) as u32 - 1));
    secs.min(6 * 3600) * 1_000_000
}

/// Starts the delivery worker (at start-up, with `[activitypub]`).
pub fn start_worker(st: &Arc<Fedi>) {
    let Some(ap) = st.cfg.activitypub.clone() else {
        return;
    };
    let st = st.clone();
    tokio::spawn(async move {
        if let Err(e) = st.store.ap_delivery_release().await {
            tracing::warn!(error = %e, "could not free old delivery claims");
        }
        loop {
            match st.store.ap_delivery_claim(LEASE_US).await {
                Ok(Some(d)) => {
                    let keys = match st.actor_keys.get(&st.store).await {
                        Ok(k) => k,
                        Err(e) => {
                            tracing::warn!(error = %e, "no actor key; deliveries wait");
                            tokio::time::sleep(Duration::from_secs(30)).await;
                            continue;
                        }
                    };
                    let activity: Value = serde_json::from_str(&d.activity).unwrap_or(Value::Null);
                    let sent =
                        super::deliver::deliver(&st.remote, &keys, &ap.key_id, &d.inbox, &activity)
                            .await;
                    let retry_at = match sent {
                        Ok(()) => None,
                        Err(f) if f.retry && d.attempts < MAX_ATTEMPTS => {
                            tracing::info!(inbox = %d.inbox, error = %f.message, attempts = d.attempts, "delivery failed; will retry");
                            Some(now_us() + backoff_us(d.attempts))
                        }
                        Err(f) => {
                            tracing::warn!(inbox = %d.inbox, error = %f.message, "delivery given up");
                            None
                        }
                    };
                    if let Err(e) = st.store.ap_delivery_end(d.id, retry_at).await {
                        tracing::warn!(error = %e, "could not record a delivery");
                    }
                }
                Ok(None) => {
                    let wake: Arc<tokio::sync::Notify> = st.delivery_wake.clone();
                    let _ = tokio::time::timeout(Duration::from_secs(5), wake.notified()).await;
                }
                Err(e) => {
                    tracing::warn!(error = %e, "delivery queue unreadable");
                    tokio::time::sleep(Duration::from_secs(5)).await;
                }
            }
        }
    });
}

#[cfg(test)]
mod tests {
    #[test]
    fn backoff_grows_and_is_capped() {
        assert_eq!(super::backoff_us(1), 30_000_000);
        assert_eq!(super::backoff_us(2), 120_000_000);
        assert_eq!(super::backoff_us(9), 6 * 3600 * 1_000_000);
    }
}
