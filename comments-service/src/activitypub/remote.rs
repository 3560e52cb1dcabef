//! Remote actors and their keys, fetched through the service's SSRF guard
//! (`fetch`: private addresses refused unless `allow_private_addresses`)
//! and cached by key id. A signature that fails with a cached key gets one
//! fresh fetch (the actor may have rotated its key) before it is refused.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::Value;

use super::signature::{Refused, pem_der};
use crate::fetch::Fetcher;

/// How long a fetched key is trusted without asking again.
const KEY_TTL: Duration = Duration::from_secs(24 * 3600);
/// Most actors kept.
const MAX_CACHED: usize = 10_000;

/// The `Accept` of every ActivityPub fetch.
pub const ACCEPT: &str = "application/activity+json, application/ld+json; profile=\"https://www.w3.org/ns/activitystreams\"";

/// What the service needs of a remote actor.
#[derive(Debug, Clone)]
pub struct RemoteActor {
    pub id: String,
    pub inbox: String,
    pub shared_inbox: Option<String>,
    /// Display name (else the username), plain text.
    pub name: String,
    /// The profile page (`url`), else the id.
    pub url: String,
    pub icon: Option<String>,
    /// The key the fetch found, SubjectPublicKeyInfo DER.
    pub key_id: String,
    pub key_der: Vec<u8>,
}

/// The fetcher and the cache.
pub struct Remote {
    fetcher: Option<Fetcher>,
    cache: Mutex<HashMap<String, (Arc<RemoteActor>, Instant)>>,
}

/// An http(s) URL string of a JSON value (`"…"` or `{"href": "…"}`/`{"url": …}`).
pub fn url_of(v: &Value) -> Option<String> {
    let s = match v {
        Value::String(s) => s.clone(),
        Value::Object(o) => o.get("href").or_else(|| o.get("url")).and_then(url_of)?,
        Value::Array(a) => a.iter().find_map(url_of)?,
        _ => return None,
    };
    let u = url::Url::parse(&s).ok()?;
    matches!(u.scheme(), "http" | "https").then_some(s)
}

impl Remote {
    pub fn new(allow_private_addresses: bool) -> Remote {
        let fetcher = Fetcher::new(&crate::fetch::FetchConfig {
            allow_private_addresses,
            ..crate::fetch::default_config()
        })
        .map_err(
            |e| tracing::warn!(error = %e, "no HTTP client: the inbox cannot check signatures"),
        )
        .ok();
        Remote {
            fetcher,
            cache: Mutex::default(),
        }
    }

    pub fn fetcher(&self) -> Option<&Fetcher> {
        self.fetcher.as_ref()
    }

    /// The cached actor of `key_id`, if fresh.
    pub fn cached(&self, key_id: &str) -> Option<Arc<RemoteActor>> {
        let m = self.cache.lock().unwrap_or_else(|e| e.into_inner());
        m.get(key_id)
            .filter(|(_, at)| at.elapsed() < KEY_TTL)
            .map(|(a, _)| a.clone())
    }

    /// Fetches the actor owning `key_id` (the key URL without its fragment
    /// is the actor, or a key document naming its `owner`) and caches it.
    pub async fn fetch(&self, key_id: &str) -> Result<Arc<RemoteActor>, Refused> {
        let mut doc_url =
            url::Url::parse(key_id).map_err(|_| Refused::new("the keyId is not a URL"))?;
        doc_url.set_fragment(None);
        let mut doc = self.get_json(doc_url.as_str()).await?;
        if doc.get("inbox").is_none()
            && let Some(owner) = doc.get("owner").and_then(url_of)
        {
            doc = self.get_json(&owner).await?;
        }
        let actor = Arc::new(parse_actor(&doc, key_id)?);
        let mut m = self.cache.lock().unwrap_or_else(|e| e.into_inner());
        if m.len() >= MAX_CACHED {
            m.clear();
        }
        m.insert(key_id.to_string(), (actor.clone(), Instant::now()));
        Ok(actor)
    }

    /// `GET` of an ActivityPub document; the answer's `id` must be on the
    /// host it came from (nobody speaks for another server's actors).
    pub async fn get_json(&self, url: &str) -> Result<Value, Refused> {
        let f = self
            .fetcher
            .as_ref()
            .ok_or_else(|| Refused::new("no HTTP client"))?;
        let got = f
            .get_with(url, &[("Accept".into(), ACCEPT.into())])
            .await
            .map_err(|e| Refused::new(format!("cannot fetch the actor: {e}")))?;
        if got.status != 200 {
            return Err(Refused::new(format!(
                "cannot fetch the actor: {url} answered {}",
                got.status
            )));
        }
        let v: Value = serde_json::from_slice(&got.body)
            .map_err(|_| Refused::new(format!("{url} is not JSON")))?;
        let id_host = v
            .get("id")
            .and_then(url_of)
            .and_then(|i| url::Url::parse(&i).ok()?.host_str().map(str::to_string));
        if id_host.as_deref() != got.final_url.host_str() {
            return Err(Refused::new(format!(
                "{url} names an actor of another host"
            )));
        }
        Ok(v)
    }
}

/// The actor of `doc`, with the key `key_id` among its `publicKey`s.
fn parse_actor(doc: &Value, key_id: &str) -> Result<RemoteActor, Refused> {
    let id = doc
        .get("id")
        .and_then(url_of)
        .ok_or_else(|| Refused::new("the actor has no id"))?;
    let inbox = doc
        .get("inbox")
        .and_then(url_of)
        .ok_or_else(|| Refused::new("the actor has no inbox"))?;
    let keys: Vec<&Value> = match doc.get("publicKey") {
        Some(Value::Array(a)) => a.iter().collect(),
        Some(k) => vec![k],
        None => vec![],
    };
    let key = keys
        .iter()
        .find(|k| k.get("id").and_then(Value::as_str) == Some(key_id))
        .ok_or_else(|| Refused::new("the actor does not publish that key"))?;
    if let Some(owner) = key.get("owner").and_then(Value::as_str)
        && owner != id
    {
        return Err(Refused::new("the key belongs to another actor"));
    }
    let key_der = key
        .get("publicKeyPem")
        .and_then(Value::as_str)
        .and_then(pem_der)
        .ok_or_else(|| Refused::new("the actor's key is not PEM"))?;
    let text = |k: &str| {
        doc.get(k)
            .and_then(Value::as_str)
            .map(|s| crate::model::plain_text(s, 100))
            .filter(|s| !s.trim().is_empty())
    };
    Ok(RemoteActor {
        shared_inbox: doc
            .get("endpoints")
            .and_then(|e| e.get("sharedInbox"))
            .and_then(url_of),
        name: text("name")
            .or_else(|| text("preferredUsername"))
            .unwrap_or_else(|| id.clone()),
        url: doc
            .get("url")
            .and_then(url_of)
            .unwrap_or_else(|| id.clone()),
        icon: doc.get("icon").and_then(url_of),
        key_id: key_id.to_string(),
        key_der,
        id,
        inbox,
    })
}
