//! `[activitypub]` in the service config: the blog as a fediverse actor.
//! The service holds the actor's key pair, its inbox and its followers; the
//! generator publishes the actor document (docs/activitypub.md).

use serde::Deserialize;

/// `[activitypub]` as written.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ActivityPubFileConfig {
    /// The account name, as `[activitypub] username` in `causerie.toml`.
    pub username: Option<String>,
    /// This service's public base URL (`[comments] url` in `causerie.toml`),
    /// naming its collections. Default: from each request's `Host`.
    pub service_url: Option<String>,
    /// Inbox deliveries per minute from one instance; 0 = no limit. Default 300.
    pub per_instance_per_minute: Option<u32>,
    /// Inbox deliveries per minute from one actor; 0 = no limit. Default 60.
    pub per_actor_per_minute: Option<u32>,
    /// List who follows in `/activitypub/followers` (default false: the
    /// count only).
    #[serde(default)]
    pub show_followers: bool,
}

/// The actor the service signs for and receives as.
#[derive(Debug, Clone)]
pub struct ActivityPubSettings {
    pub username: String,
    /// `<site_url>activitypub/actor`, the id the generator publishes.
    pub actor_id: String,
    /// `<actor>#main-key`, the `keyId` of the service's signatures.
    pub key_id: String,
    /// Without a final `/`; `None`: from the request.
    pub service_url: Option<String>,
    pub per_instance_per_minute: u32,
    pub per_actor_per_minute: u32,
    pub show_followers: bool,
}

/// Validates the table against `site_url`; `None` when it is absent.
pub fn settings(
    f: ActivityPubFileConfig,
    site_url: &url::Url,
) -> Result<Option<ActivityPubSettings>, String> {
    let Some(username) = f.username else {
        return Ok(None);
    };
    let ok = |c: char| c.is_ascii_lowercase() || c.is_ascii_digit() || "_-.".contains(c);
    if username.is_empty() || !username.chars().all(ok) {
        return Err(format!(
            "activitypub.username: expected lowercase letters, digits, `_`, `-` or `.`, found {username:?}"
        ));
    }
    let actor_id = site_url
        .join("activitypub/actor")
        .map_err(|e| format!("activitypub: no actor URL under site_url: {e}"))?
        .to_string();
    let service_url = match f.service_url {
        Some(s) => {
            let u = url::Url::parse(&s)
                .ok()
                .filter(|u| matches!(u.scheme(), "http" | "https") && u.host_str().is_some())
                .ok_or_else(|| {
                    format!("activitypub.service_url: expected an http(s) URL, found {s:?}")
                })?;
            Some(u.as_str().trim_end_matches('/').to_string())
        }
        None => None,
    };
    Ok(Some(ActivityPubSettings {
        per_instance_per_minute: f.per_instance_per_minute.unwrap_or(300),
        per_actor_per_minute: f.per_actor_per_minute.unwrap_or(60),
        show_followers: f.show_followers,
        service_url,
        username,
        key_id: format!("{actor_id}#main-key"),
        actor_id,
    }))
}
