//! `[activitypub]` in `causerie.toml`: who the blog is on the fediverse.

use serde::Deserialize;

use crate::error::Diagnostic;

/// `[activitypub]`: the blog as the actor `@<username>@<site host>`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ActivityPub {
    /// The account name: `a`–`z`, `0`–`9`, `_`, `-`, `.` (e.g. `blog`).
    pub username: String,
    /// Display name. Default: the site title.
    #[serde(default)]
    pub name: Option<String>,
    /// Profile text (plain). Default: the site description.
    #[serde(default)]
    pub summary: Option<String>,
    /// Avatar: a site path (`/avatar.png`) or a full URL. Default: none.
    #[serde(default)]
    pub icon: Option<String>,
    /// `Person` (default) or `Service` (shown as a bot by Mastodon).
    #[serde(default = "default_type")]
    pub actor_type: String,
}

fn default_type() -> String {
    "Person".into()
}

/// Checks `[activitypub]` of a parsed config; errors name the key's line.
pub fn validate(
    config: &crate::config::Config,
    path: &str,
    key_line: &dyn Fn(&str) -> usize,
    errors: &mut Vec<Diagnostic>,
) {
    let Some(ap) = &config.activitypub else {
        return;
    };
    let ok = |c: char| c.is_ascii_lowercase() || c.is_ascii_digit() || "_-.".contains(c);
    if ap.username.is_empty() || !ap.username.chars().all(ok) {
        errors.push(Diagnostic::new(
            path,
            key_line("username"),
            format!(
                "activitypub.username: expected lowercase letters, digits, `_`, `-` or `.`, found {:?}",
                ap.username
            ),
        ));
    }
    if !matches!(ap.actor_type.as_str(), "Person" | "Service") {
        errors.push(Diagnostic::new(
            path,
            key_line("actor_type"),
            format!(
                "activitypub.actor_type: expected \"Person\" or \"Service\", found {:?}",
                ap.actor_type
            ),
        ));
    }
    if config.comments.is_none() {
        errors.push(Diagnostic::new(
            path,
            key_line("username"),
            "activitypub: needs a [comments] table (the comment service holds the inbox and the key)",
        ));
    }
}
