//! `causerie webmentions …`: the command-line face of [`crate::webmention`].

use std::time::Duration;

use crate::cli::WebmentionsAction;
use crate::config;
use crate::error::{Error, Result};
use crate::webmention::{SendOptions, Summary, send};

/// `causerie webmentions send`: reads `causerie.toml` for `base_url`, sends,
/// and fails (exit 1) when some notification failed, after saving the state
/// so the next run retries only those. Targets without an endpoint are fine.
pub fn run(action: WebmentionsAction) -> Result<Summary> {
    let WebmentionsAction::Send {
        root,
        output,
        dry_run,
        base_url,
        allow_private_addresses,
        host_interval_ms,
    } = action;
    let base_url = match base_url {
        Some(b) => b,
        None => {
            let file = root.join(config::FILE);
            let text = std::fs::read_to_string(&file).map_err(|e| Error::io(&file, e))?;
            config::Config::parse(config::FILE, &text)
                .map_err(Error::Content)?
                .base_url
        }
    };
    let output = output.unwrap_or_else(|| root.join("public"));
    let options = SendOptions {
        dry_run,
        allow_private_addresses,
        per_host_interval: Duration::from_millis(host_interval_ms),
        ..SendOptions::default()
    };
    let summary = send(&root, &output, &base_url, &options)?;
    if summary.failed > 0 {
        return Err(Error::Other(format!(
            "{} webmention(s) failed; the next run retries them",
            summary.failed
        )));
    }
    Ok(summary)
}
