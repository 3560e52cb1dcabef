//! `causerie activitypub send`: after a build is published, asks the comment
//! service to read the site's outbox and tell the followers about new and
//! changed posts (`POST <[comments] url>/activitypub/publish`). The service
//! queues and signs the deliveries; this command only triggers them. The
//! admin token comes from `CAUSERIE_ADMIN_TOKEN`, never from the command
//! line (where `ps` would show it).

use std::path::PathBuf;

use crate::config;
use crate::error::{Error, Result};

/// The environment variable holding the service's `admin_token`.
pub const TOKEN_ENV: &str = "CAUSERIE_ADMIN_TOKEN";

/// What the service queued.
#[derive(Debug, serde::Deserialize)]
pub struct Queued {
    pub baseline: bool,
    pub created: usize,
    pub updated: usize,
    pub deliveries: usize,
}

/// Runs the command for the site at `root`; the summary line to print.
pub fn run(root: PathBuf) -> Result<String> {
    let file = root.join(config::FILE);
    let text = std::fs::read_to_string(&file).map_err(|e| Error::io(&file, e))?;
    let cfg = config::Config::parse(config::FILE, &text).map_err(Error::Content)?;
    let (Some(comments), Some(_)) = (&cfg.comments, &cfg.activitypub) else {
        return Err(Error::Other(
            "activitypub send: causerie.toml needs [comments] and [activitypub]".into(),
        ));
    };
    let token = std::env::var(TOKEN_ENV)
        .ok()
        .filter(|t| !t.is_empty())
        .ok_or_else(|| {
            Error::Other(format!(
                "activitypub send: set {TOKEN_ENV} to the service's admin_token"
            ))
        })?;
    let url = format!("{}/activitypub/publish", comments.url);
    // The service is the site owner's own: private addresses are fine.
    let fetcher = crate::fetch::Fetcher::new(&crate::fetch::FetchConfig {
        allow_private_addresses: true,
        ..crate::fetch::default_config()
    })
    .map_err(|e| Error::Other(format!("activitypub send: {e}")))?;
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| Error::Other(format!("activitypub send: {e}")))?;
    let got = rt
        .block_on(fetcher.post_with(
            &url,
            "application/json",
            Vec::new(),
            &[("Authorization".into(), format!("Bearer {token}"))],
        ))
        .map_err(|e| Error::Other(format!("activitypub send: {e}")))?;
    if got.status != 200 {
        return Err(Error::Other(format!(
            "activitypub send: {url} answered {}: {}",
            got.status,
            got.text().chars().take(300).collect::<String>()
        )));
    }
    let q: Queued = serde_json::from_slice(&got.body)
        .map_err(|e| Error::Other(format!("activitypub send: {url}: {e}")))?;
    Ok(if q.baseline {
        "activitypub: first publish: the posts so far are recorded, followers hear of posts from now on".into()
    } else {
        format!(
            "activitypub: {} new and {} changed posts, {} deliveries queued",
            q.created, q.updated, q.deliveries
        )
    })
}
