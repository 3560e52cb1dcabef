//! No Webmention storm after a move: the old blog already notified the
//! sites its posts linked to, so every outbound link of an imported,
//! published post is recorded in `webmentions.json` as sent (result
//! `imported`, empty hash). `causerie webmentions send` then counts those
//! pairs as sent, takes the post's hash at its first run, and notifies only
//! what changes after the move.
//!
//! The links are found the way the sender finds them: the markdown is
//! rendered by the generator's own [`crate::markdown::render`] and read by
//! [`crate::webmention::links::extract`], so the URLs match byte for byte.

use crate::config::Config;
use crate::error::Result;
use crate::markdown;
use crate::webmention::links;
use crate::webmention::state::{IMPORTED, State, TargetState};

use super::plan::Published;

/// Adds the links of `posts` to the site's sent-state. Returns the new
/// state when it changed, and the number of links added. Pairs already in
/// the state (sent, failed or imported before) are left as they are.
pub fn record(
    root: &std::path::Path,
    config: &Config,
    posts: &[Published],
) -> Result<(Option<State>, usize)> {
    let site = crate::webmention::site_base(&config.base_url)?;
    let mut state = State::load(root)?;
    let mut added = 0;
    for p in posts {
        let html = markdown::render(
            &p.markdown,
            &markdown::Options {
                highlight: false,
                page_path: &p.path,
                base_path: config.base_path(),
                first_line: 1,
            },
        )
        .html;
        let Ok(source) = site.join(p.path.trim_start_matches('/')) else {
            continue;
        };
        let page =
            format!("<article class=\"h-entry\"><div class=\"e-content\">{html}</div></article>");
        let Some((_, targets)) = links::extract(&page, &source, &site) else {
            continue;
        };
        if targets.is_empty() {
            continue;
        }
        let entry = state.sources.entry(source.to_string()).or_default();
        for t in targets {
            entry.targets.entry(t).or_insert_with(|| {
                added += 1;
                TargetState {
                    hash: String::new(),
                    result: IMPORTED.into(),
                    endpoint: None,
                    at: p.date.clone(),
                }
            });
        }
    }
    Ok(((added > 0).then_some(state), added))
}
