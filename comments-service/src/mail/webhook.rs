//! The `[notify] webhook` post: a JSON body for chat tools and ntfy (event,
//! page, author, an excerpt, the owner's signed moderation links), never an
//! e-mail address. Sent through the guarded client, from the outbox.

use serde_json::{Value, json};

use crate::fetch::{FetchError, Fetcher};
use crate::mail::links::{MODERATION_LINK_SECS, ModerationLink, url};
use crate::store::Action;
use crate::store::mail::OutboxItem;
use crate::tokens::Keys;

/// Longest excerpt of the comment, in characters.
const EXCERPT_CHARS: usize = 280;

/// The JSON body for `item`.
pub fn body(item: &OutboxItem, keys: &Keys, site: &url::Url, base: &url::Url) -> Value {
    let c = &item.comment;
    let held = c.status == crate::model::Status::Pending;
    let excerpt: String = c.body_md.chars().take(EXCERPT_CHARS).collect();
    let mut page_url = site.join(&c.page).unwrap_or_else(|_| site.clone());
    page_url.set_fragment(Some(&format!("comment-{}", c.id)));
    let expires = item.created_us / 1_000_000 + MODERATION_LINK_SECS;
    let link = |action| {
        let t = ModerationLink {
            mail: item.id,
            comment: c.id,
            action,
            expires,
        }
        .token(keys);
        url(base, "mail/moderate", &t)
    };
    let event = if held { "comment.held" } else { "comment.new" };
    let title = if held {
        format!("Held comment by {} on {}", c.author, c.page)
    } else {
        format!("New comment by {} on {}", c.author, c.page)
    };
    json!({
        "event": event,
        "page": c.page,
        "url": page_url.as_str(),
        "comment_id": c.id,
        "author": c.author,
        "excerpt": excerpt,
        "held_reason": c.held_reason,
        "title": title,
        // Slack, Mattermost and Discord-style tools show `text`; ntfy's JSON
        // publishing reads `message`.
        "text": format!("{title}: {excerpt}"),
        "message": excerpt,
        "links": {
            "approve": held.then(|| link(Action::Approve)),
            "reject": link(Action::Reject),
            "spam": link(Action::Spam),
        },
    })
}

/// Posts `body` to `to`; a 2xx answer is delivery. The error names no URL
/// (a webhook URL often holds a secret).
pub async fn post(client: &Fetcher, to: &url::Url, body: &Value) -> Result<(), String> {
    let bytes = serde_json::to_vec(body).unwrap_or_default();
    match client
        .post_raw(to.as_str(), "application/json", bytes)
        .await
    {
        Ok(f) if (200..300).contains(&f.status) => Ok(()),
        Ok(f) => Err(format!("the webhook answered {}", f.status)),
        Err(FetchError::Refused { .. }) => Err("refused: a private address".into()),
        Err(FetchError::Timeout(_)) => Err("timed out".into()),
        Err(_) => Err("no answer".into()),
    }
}
