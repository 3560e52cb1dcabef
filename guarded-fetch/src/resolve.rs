//! The resolver that drops non-public answers, and how its refusal is found
//! again in reqwest's error chain.

use std::error::Error as StdError;
use std::net::SocketAddr;

use crate::{FetchError, is_public};

/// Maps a reqwest error to ours, finding a refusal from the resolver.
pub(crate) fn classify(url: &str, error: &reqwest::Error) -> FetchError {
    let mut source: Option<&(dyn StdError + 'static)> = Some(error);
    while let Some(e) = source {
        if let Some(refused) = e.downcast_ref::<RefusedName>() {
            return FetchError::Refused {
                url: url.to_string(),
                reason: refused.0.clone(),
            };
        }
        source = e.source();
    }
    if error.is_timeout() {
        return FetchError::Timeout(url.to_string());
    }
    FetchError::Transport {
        url: url.to_string(),
        message: if error.is_connect() {
            "cannot connect".into()
        } else {
            "transfer failed".into()
        },
    }
}

/// The resolver's refusal, carried through reqwest's error chain.
#[derive(Debug)]
struct RefusedName(String);

impl std::fmt::Display for RefusedName {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl StdError for RefusedName {}

/// Resolves with the system resolver, then keeps only public addresses.
/// The connector dials exactly what this returns.
pub(crate) struct GuardedResolver {
    pub(crate) allow_private: bool,
}

impl reqwest::dns::Resolve for GuardedResolver {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let host = name.as_str().to_string();
        let allow_private = self.allow_private;
        Box::pin(async move {
            let answers: Vec<SocketAddr> = tokio::net::lookup_host((host.as_str(), 0))
                .await
                .map_err(|e| Box::new(e) as Box<dyn StdError + Send + Sync>)?
                .collect();
            let kept: Vec<SocketAddr> = answers
                .iter()
                .copied()
                .filter(|a| allow_private || is_public(a.ip()))
                .collect();
            if kept.is_empty() {
                let reason = match answers.first() {
                    Some(a) => format!("{host} resolves to {}, not a public address", a.ip()),
                    None => format!("{host} has no address"),
                };
                return Err(Box::new(RefusedName(reason)) as Box<dyn StdError + Send + Sync>);
            }
            Ok(Box::new(kept.into_iter()) as reqwest::dns::Addrs)
        })
    }
}
