//! Single-use records of a sign-in under way (OpenID Connect, IndieAuth):
//! what the callback needs (PKCE verifier, nonce, where to return) kept in
//! the store under the flow's `state`, taken back exactly once.
//!
//! The store key is a hash of the state, never the state itself, so a copy
//! of the database gives nobody a state to finish someone else's sign-in.

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::error::{Error, Result};
use crate::state::AppState;
use crate::store::now_us;

/// How long a reader has between leaving for the provider and coming back.
pub const FLOW_TTL_US: i64 = 10 * 60 * 1_000_000;

/// The store id of the flow whose `state` the provider hands back.
fn flow_id(kind: &str, state: &str) -> String {
    let mut h = Sha256::new();
    h.update(kind.as_bytes());
    h.update([0]);
    h.update(state.as_bytes());
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

/// Keeps `record` for the callback that brings back `state`.
pub async fn put<T: Serialize>(app: &AppState, kind: &str, state: &str, record: &T) -> Result<()> {
    let payload = serde_json::to_string(record)
        .map_err(|e| Error::Config(format!("sign-in flow record: {e}")))?;
    app.store
        .put_flow(&flow_id(kind, state), &payload, now_us() + FLOW_TTL_US)
        .await
}

/// Takes (deletes and returns) the record of `state`; an unknown, expired,
/// tampered or already used state is refused naming the field `state`.
pub async fn take<T: DeserializeOwned>(app: &AppState, kind: &str, state: &str) -> Result<T> {
    let unknown = || {
        Error::bad(
            "state",
            "this sign-in is unknown, expired or already used; start again",
        )
    };
    if state.is_empty() {
        return Err(unknown());
    }
    let payload = app
        .store
        .take_flow(&flow_id(kind, state), now_us())
        .await?
        .ok_or_else(unknown)?;
    serde_json::from_str(&payload).map_err(|_| unknown())
}

/// What the provider or authorization server sends back to the callback
/// (OpenID Connect, IndieAuth §5.2: the same fields).
/// No `Debug`: the code must never reach a log line by accident.
#[derive(Default, Deserialize)]
pub struct Callback {
    #[serde(default)]
    pub code: String,
    #[serde(default)]
    pub state: String,
    /// The issuer (RFC 9207); the 2022 IndieAuth spec requires it when
    /// metadata was used.
    pub iss: Option<String>,
    /// Set when the reader refused or the server failed.
    pub error: Option<String>,
}

#[cfg(test)]
mod tests {
    #[test]
    fn flow_ids_hide_the_state_and_differ_by_kind() {
        let a = super::flow_id("oidc", "s3cr3t");
        assert_eq!(a.len(), 64);
        assert!(!a.contains("s3cr3t"));
        assert_ne!(a, super::flow_id("indieauth", "s3cr3t"));
        assert_eq!(a, super::flow_id("oidc", "s3cr3t"));
    }
}
