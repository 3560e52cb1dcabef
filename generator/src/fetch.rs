//! The generator's guarded HTTP client: every request the Webmention sender
//! makes (endpoint discovery, Webmention and Pingback posts) and the export
//! fetch go through [`Fetcher`] from the shared `causerie-fetch` crate,
//! which holds the guards and says why. This module only names the
//! generator in the `User-Agent`.

pub use causerie_fetch::*;

/// The default guards, with the Webmention sender's `User-Agent`.
pub fn default_config() -> FetchConfig {
    FetchConfig::new(format!(
        "causerie/{} (Webmention sender; +https://www.w3.org/TR/webmention/)",
        env!("CARGO_PKG_VERSION")
    ))
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_user_agent_names_the_generator() {
        assert!(super::default_config().user_agent.starts_with("causerie/"));
    }
}
