//! Work that runs beside the HTTP server, all started here at start-up: the
//! rebuild trigger, the Webmention verification workers, loading the pages
//! manifest, and housekeeping (rate-limit state, old client addresses).

use std::time::Duration;

use crate::state::AppState;
use crate::store::now_us;

/// Spawns the background tasks.
pub fn start(state: AppState) {
    crate::webmention::start_workers(&state.webmention);
    crate::mail::worker::start(&state);
    crate::activitypub::outbox::start_worker(&state.fedi);
    let s = state.clone();
    tokio::spawn(async move { s.refresh_manifest().await });
    tokio::spawn(crate::rebuild::run(state.clone()));
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_secs(600));
        loop {
            tick.tick().await;
            state.tidy();
            // pages may have been added or closed by a build we did not trigger
            state.refresh_manifest().await;
            let keep = state.cfg.address_retention_days as i64 * 86_400 * 1_000_000;
            if let Err(e) = state.store.forget_addresses(now_us() - keep).await {
                tracing::warn!(error = %e, "could not forget old client addresses");
            }
            let day = crate::store::IDEMPOTENCY_TTL_US;
            if let Err(e) = state.store.forget_idempotency_keys(now_us() - day).await {
                tracing::warn!(error = %e, "could not forget old idempotency keys");
            }
            if let Err(e) = state
                .store
                .forget_rate_windows(now_us() - 3_600_000_000)
                .await
            {
                tracing::warn!(error = %e, "could not forget old rate-limit windows");
            }
            if let Err(e) = state.store.ap_forget_signatures(now_us()).await {
                tracing::warn!(error = %e, "could not forget expired inbox signatures");
            }
            if let Err(e) = state.store.forget_expired_sign_ins(now_us()).await {
                tracing::warn!(error = %e, "could not forget expired sign-in sessions and links");
            }
            // a mail's links work 7 days; its row is kept 30 for single use
            if let Err(e) = state
                .store
                .outbox_prune(now_us() - 30 * 86_400_000_000)
                .await
            {
                tracing::warn!(error = %e, "could not prune the outbox");
            }
        }
    });
}
