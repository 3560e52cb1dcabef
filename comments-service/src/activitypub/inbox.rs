//! `POST /activitypub/inbox` (shared and personal: the blog has one actor):
//! a delivery is accepted only with a valid HTTP signature by the actor it
//! claims to come from, within the time window, once, and within the
//! per-instance and per-actor limits. Then `Follow` adds a follower and is
//! answered with a signed `Accept`; `Undo` of a `Follow` removes it.

use std::sync::Arc;

use axum::http::{HeaderMap, StatusCode};
use serde_json::{Value, json};

use super::Fedi;
use super::conversation;
use super::rejected::Rejected;
use super::remote::{RemoteActor, url_of};
use super::signature::{self, Request};
use crate::model::Kind;

/// The signer of a request, checked: (actor, claim) or why not.
async fn signer(st: &Fedi, req: &Request<'_>) -> Result<Arc<RemoteActor>, Rejected> {
    let claim = signature::claim(req)?;
    st.rate_limit(&claim.key_id).map_err(Rejected::Limited)?;
    let fedi = st;
    let actor = match fedi.remote.cached(&claim.key_id) {
        Some(a) if signature::verifies(&claim, &a.key_der) => a,
        // Not cached, or failing with the cached key (rotated?): fetch once.
        _ => {
            let a = fedi.remote.fetch(&claim.key_id).await?;
            if !signature::verifies(&claim, &a.key_der) {
                return Err(Rejected::Unsigned("the signature does not verify".into()));
            }
            a
        }
    };
    if !first_time(st, &claim, req.now).await? {
        return Err(Rejected::Unsigned(
            "this signed request was already received".into(),
        ));
    }
    Ok(actor)
}

/// Records the accepted signature in the store (shared by every instance on
/// one database) for twice the window, after which its date is refused
/// anyway; false when it was already there.
async fn first_time(st: &Fedi, claim: &signature::Claim, now: i64) -> Result<bool, Rejected> {
    let mut hashed = claim.key_id.as_bytes().to_vec();
    hashed.push(0);
    hashed.extend_from_slice(&claim.signature);
    let until = (now + 2 * signature::WINDOW_SECS) * 1_000_000;
    Ok(st
        .store
        .ap_signature_first(signature::sha256(&hashed), now * 1_000_000, until)
        .await?)
}

/// Takes one delivery: the status to answer.
pub async fn receive(
    st: &Fedi,
    target: &str,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<StatusCode, Rejected> {
    let Some(ap) = &st.cfg.activitypub else {
        return Err(Rejected::Bad("no actor here".into()));
    };
    let base = super::service_url::service_url(&st.cfg, headers);
    let req = Request {
        method: "POST",
        target,
        headers,
        body,
        base_url: &base,
        now: jiff::Timestamp::now().as_second(),
    };
    let actor = signer(st, &req).await?;
    let activity: Value =
        serde_json::from_slice(body).map_err(|e| Rejected::Bad(format!("not JSON: {e}")))?;
    if activity.get("actor").and_then(url_of).as_deref() != Some(actor.id.as_str()) {
        return Err(Rejected::Unsigned(
            "the activity's actor is not the signer".into(),
        ));
    }
    let kind = activity.get("type").and_then(Value::as_str).unwrap_or("");
    let object = activity.get("object").cloned().unwrap_or(Value::Null);
    match kind {
        "Follow" => {
            if url_of(&object).as_deref() != Some(ap.actor_id.as_str()) {
                return Ok(StatusCode::ACCEPTED);
            }
            st.store
                .follower_add(
                    actor.id.clone(),
                    actor.inbox.clone(),
                    actor.shared_inbox.clone(),
                )
                .await?;
            let accept_id = format!(
                "{}#accept/{}",
                ap.actor_id,
                signature::b64(&signature::sha256(
                    activity
                        .get("id")
                        .and_then(Value::as_str)
                        .unwrap_or(&actor.id)
                        .as_bytes()
                ))
                .replace(['+', '/', '='], "")
            );
            let accept = json!({
                "@context": super::CONTEXT,
                "id": accept_id,
                "type": "Accept",
                "actor": ap.actor_id,
                "object": activity,
            });
            // Sent by the delivery worker, from the durable queue.
            st.store
                .ap_queue(accept_id, accept.to_string(), actor.inbox.clone())
                .await?;
            st.delivery_wake.notify_one();
        }
        "Undo" => {
            let inner = object.get("type").and_then(Value::as_str).unwrap_or("");
            if inner == "Follow" {
                st.store.follower_remove(actor.id.clone()).await?;
            } else {
                conversation::remove(st, &actor, &object).await?;
            }
        }
        "Create" | "Update" => conversation::note(st, &actor, &object).await?,
        "Like" => conversation::reaction(st, &actor, &activity, Kind::Like).await?,
        "Announce" => conversation::reaction(st, &actor, &activity, Kind::Repost).await?,
        "Delete" => conversation::remove(st, &actor, &object).await?,
        _ => {}
    }
    Ok(StatusCode::ACCEPTED)
}
