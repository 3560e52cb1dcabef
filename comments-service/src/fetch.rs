//! The service's guarded HTTP client: every outbound request (Webmention and
//! Pingback verification, the pages manifest, the rebuild webhook) goes
//! through [`Fetcher`] from the shared `causerie-fetch` crate, which holds
//! the guards and says why. This module only names the service in the
//! `User-Agent`.

pub use causerie_fetch::*;

/// The default guards, with the service's `User-Agent`.
pub fn default_config() -> FetchConfig {
    FetchConfig::new(format!(
        "causerie-comments/{} (Webmention; +https://www.w3.org/TR/webmention/)",
        env!("CARGO_PKG_VERSION")
    ))
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_user_agent_names_the_service() {
        assert!(
            super::default_config()
                .user_agent
                .starts_with("causerie-comments/")
        );
    }
}
