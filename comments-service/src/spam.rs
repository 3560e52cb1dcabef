//! Spam defences that need no third party: honeypot, minimum time from page
//! load to submit, too many links, a word blocklist. The per-address rate
//! limit lives in [`crate::state`] because it keys on the client address.

use axum::http::StatusCode;

use crate::config::Config;
use crate::error::{Error, Result};

/// What the checks decided about a submission.
#[derive(Debug, PartialEq, Eq)]
pub enum Verdict {
    /// Store it, moderation decides.
    Accept,
    /// Store it held for moderation, whatever the mode.
    Hold(&'static str),
    /// A bot filled the honeypot: answer as if held, store nothing.
    Drop,
}

/// Judges one submission. `started_ms` is when the page loaded (from `embed.js`).
pub fn judge(
    cfg: &Config,
    honeypot: Option<&str>,
    started_ms: Option<&str>,
    now_ms: i64,
    body_md: &str,
    links: usize,
) -> Result<Verdict> {
    if honeypot.is_some_and(|h| !h.trim().is_empty()) {
        return Ok(Verdict::Drop);
    }
    if let Some(s) = started_ms.map(str::trim).filter(|s| !s.is_empty()) {
        let started: i64 = s
            .parse()
            .map_err(|_| Error::bad("started", "not a time in milliseconds"))?;
        if now_ms - started < cfg.min_submit_ms {
            return Err(Error::field(
                StatusCode::UNPROCESSABLE_ENTITY,
                "started",
                "that was quicker than a person types; wait a moment and send again",
            ));
        }
    }
    if links > cfg.max_links {
        return Ok(Verdict::Hold("too many links"));
    }
    if !cfg.blocklist.is_empty() {
        let lower = body_md.to_lowercase();
        if cfg.blocklist.iter().any(|w| lower.contains(w.as_str())) {
            return Ok(Verdict::Hold("blocklisted word"));
        }
    }
    Ok(Verdict::Accept)
}
