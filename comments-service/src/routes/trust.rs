//! Who first-time moderation trusts. A name is public, so it proves nothing:
//! a commenter is known by a verified identity (an e-mail address confirmed
//! through a subscription mail) or by a signed commenter token handed out
//! with their earlier comment (a cookie for forms, the `commenter` field for
//! the snippet, which keeps it like its edit tokens).

use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::Response;

use crate::error::Result;
use crate::state::AppState;

/// The cookie that carries the commenter token.
pub const COOKIE: &str = "causerie_commenter";

/// The key a new comment is trusted by, and the token to give back (none when
/// a verified address is trusted).
pub struct Commenter {
    pub key: String,
    pub token: Option<String>,
}

fn token_of(st: &AppState, nonce: &str) -> String {
    format!("{nonce}.{}", st.keys.sign("commenter", nonce))
}

/// The nonce a presented token names, if its signature holds.
fn valid(st: &AppState, token: &str) -> Option<String> {
    let (nonce, sig) = token.trim().split_once('.')?;
    (nonce.len() == 32 && st.keys.signed_ok("commenter", nonce, sig)).then(|| nonce.to_string())
}

fn cookie(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == COOKIE)
        .map(|(_, v)| v.to_string())
}

/// Decides the commenter key of a new comment. Without a valid token the
/// key is new, random, or derived from `retry_seed` (the post's
/// idempotency key with its name and address), so that a retry of the same
/// post, which cannot have the lost answer's cookie, gets the same key and
/// token back.
pub async fn commenter(
    st: &AppState,
    headers: &HeaderMap,
    presented: Option<&str>,
    email: Option<&str>,
    retry_seed: Option<&str>,
) -> Result<Commenter> {
    if let Some(e) = email
        && let Some(key) = st.store.verified_trusted_key(e.to_string()).await?
    {
        return Ok(Commenter { key, token: None });
    }
    let nonce = presented
        .map(str::to_string)
        .or_else(|| cookie(headers))
        .and_then(|t| valid(st, &t));
    let nonce = match (nonce, retry_seed) {
        (Some(n), _) => n,
        (None, Some(seed)) => st.keys.sign("commenter-retry", seed)[..32].to_string(),
        (None, None) => {
            let mut b = [0u8; 16];
            getrandom::fill(&mut b)
                .map_err(|e| crate::error::Error::Config(format!("no random source: {e}")))?;
            b.iter().map(|x| format!("{x:02x}")).collect()
        }
    };
    Ok(Commenter {
        key: format!("t:{nonce}"),
        token: Some(token_of(st, &nonce)),
    })
}

/// `r` with the cookie keeping the commenter token, if there is one.
pub fn keep(st: &AppState, token: Option<&str>, mut r: Response) -> Response {
    if let Some(v) = token.and_then(|t| set_cookie(st, t)) {
        r.headers_mut().append(header::SET_COOKIE, v);
    }
    r
}

/// The `Set-Cookie` value keeping `token` for a year.
fn set_cookie(st: &AppState, token: &str) -> Option<HeaderValue> {
    let secure = if st.cfg.site_url.scheme() == "https" {
        "; Secure"
    } else {
        ""
    };
    HeaderValue::from_str(&format!(
        "{COOKIE}={token}; Max-Age=31536000; Path=/api/comments; HttpOnly; SameSite=Lax{secure}"
    ))
    .ok()
}
