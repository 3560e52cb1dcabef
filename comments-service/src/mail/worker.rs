//! The outbox worker: claims a due row, sends it, marks it; on failure gives
//! it back with exponential backoff (1 s, 2 s, 4 s … capped at 10 min), so
//! mails wait out an SMTP outage while comments are still accepted.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::Notify;

use crate::fetch::Fetcher;
use crate::mail::letters::Context;
use crate::mail::transport::{Mailer, message_id};
use crate::state::AppState;
use crate::store::mail::{OutboxItem, OutboxKind};
use crate::store::now_us;

/// Attempts after which a row is given up (about three hours of retries).
const MAX_ATTEMPTS: i64 = 25;
/// Attempts after which a row the server refused for good (5xx) is given up.
const MAX_PERMANENT: i64 = 3;
/// Longest sleep while nothing is due (also picks up rows of other writers).
const IDLE: Duration = Duration::from_secs(1);

/// Delay before attempt `attempts + 1`.
pub fn backoff(attempts: i64) -> Duration {
    let secs = 1u64 << attempts.clamp(1, 20).saturating_sub(1);
    Duration::from_secs(secs.min(600))
}

/// What the worker sends with.
pub struct Senders {
    pub mailer: Option<Mailer>,
    pub webhook: Option<(Fetcher, url::Url)>,
}

/// Starts the worker if mail or the webhook is configured.
pub fn start(state: &AppState) {
    let cfg = &state.cfg;
    let mailer = cfg.mail.as_ref().and_then(|m| {
        Mailer::new(m)
            .map_err(|e| tracing::error!(error = %e, "mail is off"))
            .ok()
    });
    let webhook = cfg.notify_webhook.as_ref().and_then(|to| {
        let fc = crate::fetch::FetchConfig {
            allow_private_addresses: cfg.allow_private_addresses,
            ..crate::fetch::default_config()
        };
        Fetcher::new(&fc)
            .map_err(|_| tracing::error!("the notification webhook is off: no HTTP client"))
            .ok()
            .map(|c| (c, to.clone()))
    });
    if mailer.is_none() && webhook.is_none() {
        return;
    }
    let senders = Senders { mailer, webhook };
    tokio::spawn(run(state.clone(), senders, state.outbox_wake.clone()));
}

/// Runs for the life of the service.
pub async fn run(state: AppState, senders: Senders, wake: Arc<Notify>) {
    if let Err(e) = state.store.outbox_release().await {
        tracing::warn!(error = %e, "outbox: cannot free earlier claims");
    }
    loop {
        match state.store.outbox_claim().await {
            Ok(Some(item)) => {
                deliver(&state, &senders, item).await;
                continue;
            }
            Ok(None) => {}
            Err(e) => {
                tracing::warn!(error = %e, "outbox: cannot claim");
                tokio::time::sleep(Duration::from_secs(5)).await;
                continue;
            }
        }
        let wait = match state.store.outbox_next_due().await {
            Ok(Some(due)) => Duration::from_micros((due - now_us()).max(10_000) as u64).min(IDLE),
            _ => IDLE,
        };
        tokio::select! {
            _ = tokio::time::sleep(wait) => {}
            _ = wake.notified() => {}
        }
    }
}

async fn deliver(state: &AppState, senders: &Senders, item: OutboxItem) {
    let (id, kind, attempts) = (item.id, item.kind.as_str(), item.attempts);
    let result = send(state, senders, &item).await;
    let next = match result {
        Ok(()) => {
            tracing::info!(outbox = id, kind, attempts, "notification sent");
            None
        }
        Err((permanent, what)) => {
            let give_up = attempts >= MAX_ATTEMPTS || (permanent && attempts >= MAX_PERMANENT);
            if give_up {
                tracing::warn!(outbox = id, kind, attempts, error = %what, "notification given up");
                None
            } else {
                let wait = backoff(attempts);
                tracing::warn!(outbox = id, kind, attempts, error = %what, retry_in_s = wait.as_secs(), "notification failed; will retry");
                Some(now_us() + wait.as_micros() as i64)
            }
        }
    };
    let marked = match next {
        None => state.store.outbox_done(id).await,
        Some(at) => state.store.outbox_retry(id, at).await,
    };
    if let Err(e) = marked {
        tracing::error!(outbox = id, error = %e, "outbox: cannot record the attempt");
    }
}

/// One attempt: `Err((permanent, what))`, never naming an address or link.
async fn send(state: &AppState, s: &Senders, item: &OutboxItem) -> Result<(), (bool, String)> {
    let cfg = &state.cfg;
    let base = cfg
        .mail
        .as_ref()
        .and_then(|m| m.public_url.clone())
        .unwrap_or_else(|| cfg.site_url.clone());
    if item.kind == OutboxKind::Webhook {
        let Some((client, to)) = &s.webhook else {
            return Err((true, "no webhook is configured any more".into()));
        };
        let body = crate::mail::webhook::body(item, &state.keys, &cfg.site_url, &base);
        return crate::mail::webhook::post(client, to, &body)
            .await
            .map_err(|e| (false, e));
    }
    let Some(mailer) = &s.mailer else {
        return Err((true, "mail is not configured any more".into()));
    };
    let ctx = Context {
        keys: &state.keys,
        language: &cfg.language,
        site: &cfg.site_url,
        base: &base,
    };
    let Some(letter) = ctx.letter(item) else {
        return Err((true, "nothing to send".into()));
    };
    mailer
        .send(
            &letter,
            &message_id(item.id, item.created_us, &cfg.site_url),
        )
        .await
        .map_err(|e| (e.permanent, e.what))
}

#[cfg(test)]
mod tests {
    #[test]
    fn backoff_doubles_and_is_capped() {
        use super::backoff;
        assert_eq!(backoff(1).as_secs(), 1);
        assert_eq!(backoff(2).as_secs(), 2);
        assert_eq!(backoff(4).as_secs(), 8);
        assert_eq!(backoff(30).as_secs(), 600);
    }
}
