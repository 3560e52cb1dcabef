//! The fediverse talking back: a `Create(Note)` replying to one of our
//! posts or comments becomes a comment of kind `reply`, threaded under what
//! it answers; `Like` and `Announce` of a post become `like` and `repost`;
//! `Update` edits a reply, `Delete` and `Undo` remove. Items are stored like
//! Webmentions (the same table, keyed by `source` = the activity's or
//! note's id), so moderation holds the first item of a new instance under
//! `first-time`, and they reach `/api/comments`, the export and the feeds.
//! Only the actor that made an item may change or remove it.

use serde_json::Value;

use super::Fedi;
use super::rejected::Rejected;
use super::remote::{RemoteActor, url_of};
use crate::model::Kind;
use crate::store::{Mention, mail::Notices};

/// The id of a JSON value that is an object with an `id`, or a URL.
pub fn id_of(v: &Value) -> Option<String> {
    match v {
        Value::Object(o) => o.get("id").and_then(url_of),
        other => url_of(other),
    }
}

fn host(u: &str) -> String {
    url::Url::parse(u)
        .ok()
        .and_then(|u| u.host_str().map(str::to_lowercase))
        .unwrap_or_default()
}

/// Where `target` (named by `field`) lands: (page path, parent item). A
/// page of our site (the post page, its `activity.json`, or
/// `…#comment-N`), or the id of a fediverse item we stored (a reply in a
/// thread); anything else is refused (see [`super::target`]).
async fn resolve(
    st: &Fedi,
    field: &'static str,
    target: &str,
) -> Result<(String, Option<i64>), Rejected> {
    let parsed = url::Url::parse(target).ok();
    if let Some(u) = &parsed
        && u.origin() == st.cfg.site_url.origin()
    {
        let path = super::target::page(st, field, u)?;
        let parent = match u
            .fragment()
            .and_then(|f| f.strip_prefix("comment-"))
            .and_then(|n| n.parse::<i64>().ok())
        {
            Some(id) => st
                .store
                .ap_item(Some(id), String::new())
                .await?
                .filter(|i| i.page == path)
                .map(|i| i.id),
            None => None,
        };
        return Ok((path, parent));
    }
    match st.store.ap_item(None, target.to_string()).await? {
        Some(i) => Ok((i.page, Some(i.id))),
        // Checked as a URL of ours, for the refusal to say why.
        None => match &parsed {
            Some(u) => super::target::page(st, field, u).map(|p| (p, None)),
            None => Err(Rejected::Field(field, "the target is not a URL".into())),
        },
    }
}

fn mention(st: &Fedi, actor: &RemoteActor, source: &str, page: String, kind: Kind) -> Mention {
    Mention {
        source: source.to_string(),
        page,
        kind,
        author: actor.name.clone(),
        website: Some(actor.url.clone()),
        url: None,
        author_photo: actor.icon.clone(),
        content_html: String::new(),
        published_us: None,
        parent: None,
        moderation: st.webmention.moderation_for(&host(source)),
        notices: Notices {
            owner: st.cfg.mail.as_ref().and_then(|m| m.owner.clone()),
            webhook: st.cfg.notify_webhook.is_some(),
            mail: st.cfg.mail.is_some(),
            ..Default::default()
        },
    }
}

/// An item `source` only `actor` may change: `Err` when another made it.
async fn owned(
    st: &Fedi,
    actor: &RemoteActor,
    source: &str,
) -> Result<Option<crate::store::ApItem>, Rejected> {
    match st.store.ap_item(None, source.to_string()).await? {
        Some(i) if i.website.as_deref() != Some(actor.url.as_str()) => Err(Rejected::Forbidden(
            "only the actor that made an item may change it".into(),
        )),
        other => Ok(other),
    }
}

/// `Create` or `Update` of a `Note`.
pub async fn note(st: &Fedi, actor: &RemoteActor, object: &Value) -> Result<(), Rejected> {
    if object.get("type").and_then(Value::as_str) != Some("Note") {
        return Ok(());
    }
    let id = object
        .get("id")
        .and_then(url_of)
        .ok_or_else(|| Rejected::Bad("the note has no id".into()))?;
    if host(&id) != host(&actor.id)
        || object.get("attributedTo").and_then(id_of).as_deref() != Some(actor.id.as_str())
    {
        return Err(Rejected::Forbidden("the note is not the actor's".into()));
    }
    let existing = owned(st, actor, &id).await?;
    let (page, parent) = match (&existing, object.get("inReplyTo").and_then(id_of)) {
        (Some(i), _) => (i.page.clone(), None),
        (None, Some(t)) => resolve(st, "object.inReplyTo", &t).await?,
        (None, None) => return Ok(()),
    };
    let base = url::Url::parse(&id).map_err(|_| Rejected::Bad("bad note id".into()))?;
    let html = object.get("content").and_then(Value::as_str).unwrap_or("");
    let mut body = st.webmention.sanitizer.clean(html, &base);
    // A content warning stays a warning: said before the text.
    if let Some(cw) = object
        .get("summary")
        .and_then(Value::as_str)
        .filter(|s| !s.trim().is_empty())
    {
        body = format!(
            "<p><strong>{}</strong></p>{body}",
            crate::escape::escape(&format!("CW: {}", crate::model::plain_text(cw, 200)))
        );
    }
    let mut m = mention(st, actor, &id, page, Kind::Reply);
    m.content_html = body;
    m.url = object.get("url").and_then(url_of).or(Some(id.clone()));
    m.published_us = object
        .get("published")
        .and_then(Value::as_str)
        .and_then(|p| p.parse::<jiff::Timestamp>().ok())
        .map(|t| t.as_microsecond());
    m.parent = parent;
    st.store.upsert_mention(m).await?;
    Ok(())
}

/// `Like` or `Announce` of one of our posts.
pub async fn reaction(
    st: &Fedi,
    actor: &RemoteActor,
    activity: &Value,
    kind: Kind,
) -> Result<(), Rejected> {
    let (Some(id), Some(target)) = (
        activity.get("id").and_then(url_of),
        activity.get("object").and_then(id_of),
    ) else {
        return Err(Rejected::Bad("the activity has no id or object".into()));
    };
    if host(&id) != host(&actor.id) {
        return Err(Rejected::Forbidden(
            "the activity is not the actor's".into(),
        ));
    }
    let (page, _) = resolve(st, "object", &target).await?;
    owned(st, actor, &id).await?;
    st.store
        .upsert_mention(mention(st, actor, &id, page, kind))
        .await?;
    Ok(())
}

/// `Delete` of a note, or `Undo` of a `Like`/`Announce`: `object` names the
/// item (an id or an object with one).
pub async fn remove(st: &Fedi, actor: &RemoteActor, object: &Value) -> Result<(), Rejected> {
    let Some(id) = id_of(object) else {
        return Ok(());
    };
    if let Some(item) = owned(st, actor, &id).await? {
        st.store.remove_mention(id, item.page).await?;
    }
    Ok(())
}
