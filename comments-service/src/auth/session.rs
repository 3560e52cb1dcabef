//! Sessions of signed-in readers. The cookie carries a random 256-bit id
//! signed with the service's key (`causerie_session=<id>.<hmac>`, HttpOnly,
//! SameSite=Lax, Path=/, Secure on an https site); the store keeps only a
//! hash of the id, with the identity and the session's CSRF token, so
//! sign-out (deleting the row) revokes the cookie everywhere at once.

use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

use super::{Identity, check_return, random_hex, token_hash};
use crate::error::{Error, Result};
use crate::state::AppState;
use crate::store::now_us;
use crate::store::sign_in::SessionRow;

/// The cookie's name.
pub const COOKIE: &str = "causerie_session";
/// The header a JSON write of a session carries its CSRF token in.
pub const CSRF_HEADER: &str = "x-csrf-token";
const PURPOSE: &str = "session";

/// A live session, as a request carrying its cookie finds it.
#[derive(Debug, Clone)]
pub struct Session {
    /// The stored hash of its id (the handle sign-out deletes).
    pub id_hash: String,
    pub identity: Identity,
    /// The anti-forgery token its writes must carry.
    pub csrf: String,
}

/// Starts a session for `identity` and sends the reader back: validates
/// `return_to` (field `return`), stores the session, sets the cookie and
/// answers 303 to `return_to`.
pub async fn establish(state: &AppState, identity: Identity, return_to: &str) -> Result<Response> {
    let to = check_return(&state.cfg, return_to)?;
    let id = random_hex(32)?;
    let now = now_us();
    let days = i64::from(state.cfg.sign_in.session_days);
    let identity_json =
        serde_json::to_string(&identity).map_err(|e| Error::Config(format!("identity: {e}")))?;
    state
        .store
        .put_session(SessionRow {
            id_hash: token_hash(&id),
            identity: identity_json,
            csrf: random_hex(16)?,
            created_us: now,
            expires_us: now + days * 86_400 * 1_000_000,
        })
        .await?;
    tracing::info!(method = %identity.verified_by, "reader signed in");
    let value = format!("{id}.{}", state.keys.sign(PURPOSE, &id));
    let cookie = cookie_header(state, &value, days * 86_400)?;
    let location =
        HeaderValue::from_str(to.as_str()).map_err(|_| Error::bad("return", "not a URL"))?;
    let mut res = StatusCode::SEE_OTHER.into_response();
    res.headers_mut().insert(header::LOCATION, location);
    res.headers_mut().append(header::SET_COOKIE, cookie);
    res.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(res)
}

/// The `Set-Cookie` value for the session cookie (`max_age` 0 clears it).
pub fn cookie_header(state: &AppState, value: &str, max_age: i64) -> Result<HeaderValue> {
    let secure = if state.cfg.site_url.scheme() == "https" {
        "; Secure"
    } else {
        ""
    };
    HeaderValue::from_str(&format!(
        "{COOKIE}={value}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age}{secure}"
    ))
    .map_err(|_| Error::Config("session cookie: not a header value".into()))
}

/// True if the request carries a session cookie at all (valid or not).
pub fn has_cookie(headers: &HeaderMap) -> bool {
    crate::client::cookies(headers, COOKIE).next().is_some()
}

/// The live session whose cookie the request carries, if any: a cookie
/// with a bad signature, or of a revoked or expired session, is none.
pub async fn current(state: &AppState, headers: &HeaderMap) -> Result<Option<Session>> {
    for value in crate::client::cookies(headers, COOKIE) {
        let Some((id, sig)) = value.split_once('.') else {
            continue;
        };
        if id.len() != 64 || !state.keys.signed_ok(PURPOSE, id, sig) {
            continue;
        }
        let Some(row) = state.store.session(&token_hash(id), now_us()).await? else {
            continue;
        };
        let Ok(identity) = serde_json::from_str::<Identity>(&row.identity) else {
            continue;
        };
        return Ok(Some(Session {
            id_hash: row.id_hash,
            identity,
            csrf: row.csrf,
        }));
    }
    Ok(None)
}

/// Refuses a write of `session` without its CSRF token (403, field `csrf`):
/// `given` is the form's `csrf` field or the `X-CSRF-Token` header. A
/// forged post is refused, never quietly taken as anonymous.
pub fn check_csrf(state: &AppState, session: &Session, given: Option<&str>) -> Result<()> {
    match given {
        Some(g) if state.keys.same_secret(g.trim(), &session.csrf) => Ok(()),
        _ => Err(Error::field(
            StatusCode::FORBIDDEN,
            "csrf",
            "the sign-in check failed; reload the page and try again",
        )),
    }
}

/// The `X-CSRF-Token` header's value, if any.
pub fn csrf_header(headers: &HeaderMap) -> Option<&str> {
    headers.get(CSRF_HEADER).and_then(|v| v.to_str().ok())
}
