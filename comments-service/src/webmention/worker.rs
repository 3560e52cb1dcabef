//! The verification workers: take a request from the durable queue in the
//! database (so a restart loses none), verify it, store, update or remove
//! the mention, and mark the request done, or put it back for a later try
//! after a passing failure. A request is leased when taken, so a worker that
//! dies mid-way leaves it to be taken again.

use std::sync::Arc;
use std::time::Duration;

use url::Url;

use super::Webmention;
use super::verify::{self, Check, Verdict};
use crate::error::Error;
use crate::model::PagePath;
use crate::store::{Mention, PendingVerification};

/// Tries before a request is given up.
const MAX_ATTEMPTS: i64 = 5;
/// How long an idle worker sleeps before looking for due retries.
const IDLE_POLL: Duration = Duration::from_secs(5);

/// One worker's loop; ends when the store shuts down.
pub async fn run(wm: Arc<Webmention>) {
    loop {
        match wm.store.take_verification().await {
            Ok(Some(pending)) => process(&wm, pending).await,
            Ok(None) => {
                tokio::select! {
                    _ = wm.wake.notified() => {}
                    _ = tokio::time::sleep(IDLE_POLL) => {}
                }
            }
            Err(Error::Closed) => return,
            Err(e) => {
                tracing::warn!(error = %e, "cannot read the verification queue");
                tokio::time::sleep(IDLE_POLL).await;
            }
        }
    }
}

/// Verifies one request and records the outcome.
pub async fn process(wm: &Webmention, pending: PendingVerification) {
    let outcome = apply(wm, &pending.source, &pending.target, false).await;
    let store = &wm.store;
    let result = match outcome {
        Applied::Retry(reason) if pending.attempts < MAX_ATTEMPTS => {
            let delay_ms = 30_000u64 << (pending.attempts.clamp(1, 6) - 1);
            tracing::info!(source = %pending.source, %reason, delay_ms, "verification will be retried");
            store.verification_retry(pending.id, delay_ms).await
        }
        other => {
            tracing::info!(source = %pending.source, target = %pending.target, outcome = ?other, "verification done");
            store.verification_done(pending.id).await
        }
    };
    if let Err(e) = result {
        tracing::warn!(error = %e, "cannot update the verification queue");
    }
}

/// What verification did to the store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Applied {
    /// Stored a new mention (id).
    Created(i64),
    /// Updated the existing mention (id).
    Updated(i64),
    /// Removed the mention, or there was none to remove.
    Removed(&'static str),
    /// Nothing changed, for this reason.
    Dropped(String),
    /// Try again later.
    Retry(String),
}

/// Verifies `source` → `target` and applies the verdict to the store.
/// Pingback calls this directly (`pingback = true`).
pub async fn apply(wm: &Webmention, source: &str, target: &str, pingback: bool) -> Applied {
    let Ok(target_url) = Url::parse(target) else {
        return Applied::Dropped("the target is not a URL".into());
    };
    let Ok(page) = PagePath::parse(target, &wm.cfg.site_url) else {
        return Applied::Dropped("the target is not on this site".into());
    };
    let check = Check {
        fetcher: &wm.fetcher,
        sanitizer: &wm.sanitizer,
        expose_photos: wm.cfg.expose_photos,
        pingback,
    };
    let store = &wm.store;
    match verify::verify(&check, source, &target_url).await {
        Verdict::Store(c) => {
            let host = Url::parse(source)
                .ok()
                .and_then(|u| u.host_str().map(str::to_string))
                .unwrap_or_default();
            let mention = Mention {
                source: source.to_string(),
                page: page.as_str().to_string(),
                kind: c.kind,
                author: c.author,
                website: c.website,
                url: c.url,
                author_photo: c.author_photo,
                content_html: c.content_html,
                published_us: c.published_us,
                parent: None,
                moderation: wm.moderation_for(&host),
                notices: crate::store::mail::Notices {
                    owner: wm.cfg.mail.as_ref().and_then(|m| m.owner.clone()),
                    webhook: wm.cfg.notify_webhook.is_some(),
                    mail: wm.cfg.mail.is_some(),
                    ..Default::default()
                },
            };
            match store.upsert_mention(mention).await {
                Ok(s) if s.created => Applied::Created(s.id),
                Ok(s) => Applied::Updated(s.id),
                Err(e) => Applied::Retry(format!("store: {e}")),
            }
        }
        Verdict::Remove(why) => match store
            .remove_mention(source.to_string(), page.as_str().to_string())
            .await
        {
            Ok(_) => Applied::Removed(why),
            Err(e) => Applied::Retry(format!("store: {e}")),
        },
        Verdict::Drop(why) => Applied::Dropped(why),
        Verdict::Retry(why) => Applied::Retry(why),
    }
}
