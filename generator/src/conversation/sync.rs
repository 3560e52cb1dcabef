//! Bringing the cache up to date with the comment service.
//!
//! The first build asks `/api/export` for everything; later builds pass the
//! stored cursor as `since` and merge what changed (by id) and what was
//! removed, so a site with 100 000 comments downloads only the news. When
//! the service cannot be reached the build goes on with the cache and a
//! warning: it never fails for that, and never drops baked comments. A
//! busy service is waited for a little first (see [`super::retry`]).

use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::Path;
use std::time::{Duration, Instant};

use super::cache::{self, SyncState};
use super::retry;
use super::sign_in::{self, SignIn};
use super::{Conversations, Item};
use crate::config::Config;
use crate::fetch::{FetchConfig, Fetcher};

/// Set (to anything) to build from the cache without asking the service.
pub const OFFLINE_ENV: &str = "CAUSERIE_OFFLINE";

/// The export as the service sends it; items are parsed one by one so a
/// single bad item is skipped, not fatal.
#[derive(Deserialize)]
struct Export {
    cursor: String,
    #[serde(default)]
    comments: Vec<serde_json::Value>,
    #[serde(default)]
    removed: Vec<i64>,
    /// Absent from services that predate sign-in: anonymous commenting.
    #[serde(default)]
    sign_in: Option<SignIn>,
    /// The fediverse actor's key, when the service has `[activitypub]`.
    #[serde(default)]
    activitypub: Option<super::actor_key::ActorKey>,
}

/// What one sync did (for messages and tests).
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Applied {
    pub changed: usize,
    pub removed: usize,
    pub skipped: usize,
}

/// The conversation of the site at `root`: synced with the service named by
/// `[comments] url` when it answers, else the cached copy (with
/// [`Conversations::warning`] set). Empty for a site without `[comments]`.
pub fn sync(root: &Path, config: &Config) -> Conversations {
    sync_from(root, config, None)
}

/// [`sync`] starting from `previous` (the last sync of this process) when
/// it is synced with the same service, instead of the cache on disk.
pub fn sync_from(root: &Path, config: &Config, previous: Option<Conversations>) -> Conversations {
    let Some(comments) = &config.comments else {
        return Conversations::default();
    };
    let service = comments.url.as_str();
    let mut warnings = Vec::new();
    let t = Instant::now();
    let mut actor_key = None;
    let kept = previous.and_then(|p| match &p.synced {
        Some((s, cursor)) if s == service => {
            let state = SyncState::new(service, cursor);
            let sign_in = p.sign_in.clone();
            actor_key = p.actor_key.clone();
            Some((p.into_items(), Some(state), sign_in))
        }
        _ => None,
    });
    if kept.is_none() {
        actor_key = super::actor_key::load(root, service);
    }
    let (mut items, state, mut sign_in) = match kept {
        Some(k) => k,
        None => match cache::load_items(root, service) {
            Ok(items) => (
                items,
                cache::load_sync(root, service),
                sign_in::load(root, service),
            ),
            Err(e) => {
                warnings.push(format!("ignoring the comment cache: {e}"));
                (BTreeMap::new(), None, sign_in::load(root, service))
            }
        },
    };
    if std::env::var_os(OFFLINE_ENV).is_some() {
        let mut c = Conversations::new(items);
        c.sign_in = sign_in;
        c.actor_key = actor_key;
        c.warning = Some(format!(
            "{OFFLINE_ENV} is set: baked {} cached comments without asking {service}",
            c.len()
        ));
        return c;
    }
    phase("cache load", t);
    let since = state.as_ref().map(|s| s.cursor.as_str());
    let t = Instant::now();
    let fetched = fetch_export(service, since);
    phase("export fetch", t);
    let mut synced = None;
    match fetched {
        Ok(mut export) => {
            let t = Instant::now();
            let cursor = export.cursor.clone();
            let fresh = export.sign_in.clone().unwrap_or_default();
            if fresh != sign_in {
                if let Err(e) = sign_in::save(root, service, &fresh) {
                    warnings.push(format!("cannot update the comment cache: {e}"));
                }
                sign_in = fresh;
            }
            let key = export.activitypub.take().and_then(|k| k.checked());
            if key != actor_key {
                if let Err(e) = super::actor_key::save(root, service, key.as_ref()) {
                    warnings.push(format!("cannot update the comment cache: {e}"));
                }
                actor_key = key;
            }
            let applied = apply(&mut items, export, since.is_none());
            let saved = if applied.changed + applied.removed > 0 || since.is_none() {
                cache::save_items(root, service, &items)
            } else {
                Ok(())
            };
            match saved.and_then(|()| cache::save_sync(root, &SyncState::new(service, &cursor))) {
                Ok(()) => synced = Some((service.to_string(), cursor)),
                Err(e) => warnings.push(format!("cannot update the comment cache: {e}")),
            }
            phase("merge+save", t);
            if applied.skipped > 0 {
                warnings.push(format!(
                    "skipped {} unusable items in the export of {service}",
                    applied.skipped
                ));
            }
        }
        Err(e) if state.is_none() && items.is_empty() => {
            if let Some(w) = never_reached(root, service, &e.to_string()) {
                warnings.push(w);
            }
        }
        Err(e) => warnings.push(format!(
            "the comment service did not answer ({e}); baked the {} comments cached in .causerie/conversation/{}",
            items.len(),
            state
                .as_ref()
                .map(|s| format!(" (synced up to {})", s.cursor))
                .unwrap_or_default()
        )),
    }
    if config.activitypub.is_some() && actor_key.is_none() {
        warnings.push(format!(
            "activitypub: {service} gave no actor key (set [activitypub] username in the service's \
             config too); the actor document has no publicKey, so nobody can verify the blog"
        ));
    }
    let mut c = Conversations::new(items);
    c.synced = synced;
    c.sign_in = sign_in;
    c.actor_key = actor_key;
    if !warnings.is_empty() {
        c.warning = Some(warnings.join("; "));
    }
    c
}

/// A service this site has never synced with does not answer: a new
/// scaffold, written before any comment service runs. That is worth one
/// explanation, not a warning on every build, so a marker in the cache
/// directory remembers it was said. `None` once it has been said.
fn never_reached(root: &Path, service: &str, error: &str) -> Option<String> {
    let dir = cache::dir(root, service);
    let marker = dir.join("unreachable-said");
    if marker.exists() {
        return None;
    }
    // When the marker cannot be written, saying it again next time is fine.
    let _ = std::fs::create_dir_all(&dir).and_then(|()| std::fs::write(&marker, error));
    Some(format!(
        "no comment service answers at {service} (the [comments] url in causerie.toml: {error}), \
         so the pages carry the comment form but no comments yet. To write with live comments, \
         run `causerie serve --comments`; to publish them, run causerie-comments at that URL \
         (docs/deploy.md). This is said once; later builds stay quiet until the service answers."
    ))
}

/// With `CAUSERIE_PROFILE` set, how long a step of the sync took (stderr).
fn phase(name: &str, since: Instant) {
    if std::env::var_os("CAUSERIE_PROFILE").is_some() {
        eprintln!(
            "{:>14}: {:7.1} ms",
            format!("comments {name}"),
            since.elapsed().as_secs_f64() * 1000.0
        );
    }
}

/// Merges an export into `items`: a full export replaces them, an
/// incremental one updates by id and drops the removed ids.
fn apply(items: &mut BTreeMap<i64, Item>, export: Export, full: bool) -> Applied {
    let mut applied = Applied::default();
    let mut fresh = BTreeMap::new();
    for v in export.comments {
        match serde_json::from_value::<Item>(v)
            .ok()
            .and_then(Item::cleaned)
        {
            Some(it) => {
                fresh.insert(it.id, it);
            }
            None => applied.skipped += 1,
        }
    }
    if full {
        applied.changed = fresh.len();
        applied.removed = items.keys().filter(|k| !fresh.contains_key(k)).count();
        *items = fresh;
        return applied;
    }
    for id in export.removed {
        if items.remove(&id).is_some() {
            applied.removed += 1;
        }
    }
    for (id, it) in fresh {
        if items.get(&id) != Some(&it) {
            applied.changed += 1;
            items.insert(id, it);
        }
    }
    applied
}

/// `GET <service>/api/export[?since=…]` through the guarded client. A busy
/// answer (503 or 429) is tried again after the wait it asks for, within
/// the bounds of [`retry`]; a note on stderr says why the build pauses.
fn fetch_export(service: &str, since: Option<&str>) -> Result<Export, String> {
    let mut url = format!("{service}/api/export");
    if let Some(s) = since {
        url.push_str("?since=");
        url.extend(url::form_urlencoded::byte_serialize(s.as_bytes()));
    }
    let fetcher = Fetcher::new(&FetchConfig {
        // The service is the site's own (often on 127.0.0.1 beside the site).
        allow_private_addresses: true,
        user_agent: format!("causerie/{} (build)", env!("CARGO_PKG_VERSION")),
        connect_timeout: Duration::from_secs(3),
        read_timeout: Duration::from_secs(30),
        total_timeout: Duration::from_secs(120),
        max_body_bytes: 512 * 1024 * 1024,
        max_redirects: 3,
    })
    .map_err(|e| e.to_string())?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start the async runtime: {e}"))?;
    let mut tries = 0;
    let got = loop {
        tries += 1;
        let got = runtime
            .block_on(fetcher.get(&url))
            .map_err(|e| e.to_string())?;
        if !retry::is_busy(got.status) {
            break got;
        }
        if tries >= retry::MAX_TRIES {
            let why = retry::message(&got.body)
                .map(|m| format!(": {m}"))
                .unwrap_or_default();
            return Err(format!(
                "{url}: HTTP {}{why} (still busy after {tries} tries)",
                got.status
            ));
        }
        let wait = retry::wait_for(
            got.headers
                .get(crate::fetch::header::RETRY_AFTER)
                .and_then(|v| v.to_str().ok()),
            jiff::Timestamp::now(),
        );
        eprintln!("comment service busy, retrying in {} s", wait.as_secs());
        std::thread::sleep(wait);
    };
    if got.status != 200 {
        return Err(format!("{url}: HTTP {}", got.status));
    }
    let export: Export =
        serde_json::from_slice(&got.body).map_err(|e| format!("{url}: not an export ({e})"))?;
    if super::parse_time(&export.cursor).is_none() {
        return Err(format!("{url}: the export's cursor is not a time"));
    }
    Ok(export)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn export(comments: serde_json::Value, removed: &[i64]) -> Export {
        serde_json::from_value(json!({
            "cursor": "2026-01-05T00:00:00Z",
            "comments": comments,
            "removed": removed,
        }))
        .unwrap()
    }

    fn c(id: i64, body: &str) -> serde_json::Value {
        json!({"id": id, "page": "/p/", "parent": null, "author": "A", "website": null,
               "body_html": body, "created": "2026-01-01T00:00:00Z", "kind": "comment", "replies": []})
    }

    #[test]
    fn incremental_merge_updates_removes_and_keeps_the_rest() {
        let mut items = BTreeMap::new();
        let a = apply(
            &mut items,
            export(
                json!([c(1, "<p>a</p>"), c(2, "<p>b</p>"), {"id": "x"}]),
                &[],
            ),
            true,
        );
        assert_eq!((a.changed, a.skipped), (2, 1));
        let a = apply(
            &mut items,
            export(
                json!([c(2, "<p>b2</p>"), c(3, "<p>c</p>"), c(1, "<p>a</p>")]),
                &[9],
            ),
            false,
        );
        assert_eq!(
            (a.changed, a.removed),
            (2, 0),
            "an unchanged overlap is not a change"
        );
        assert_eq!(items[&2].body_html, "<p>b2</p>");
        let a = apply(&mut items, export(json!([]), &[1]), false);
        assert_eq!(a.removed, 1);
        assert_eq!(items.keys().copied().collect::<Vec<_>>(), [2, 3]);
    }
}
