//! The blog's owner on the comment API without a Bearer token typed by hand.
//!
//! Signing in to `/admin` also sets `causerie_owner`: the same signed session
//! value, HttpOnly, SameSite=Lax, scoped to `/api/comments`. The post page's
//! `embed.js` posts with credentials, so the owner's replies are marked as the
//! author's; readers without the cookie see nothing different. The cookie only
//! counts on a request whose `Origin` is the site or the service itself, so
//! another site cannot post in the owner's name.

use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::Response;

use crate::client::cookies;
use crate::state::AppState;

/// The cookie's name.
pub const COOKIE: &str = "causerie_owner";

/// The `Set-Cookie` value carrying the owner's session `value`.
pub fn set_cookie(value: &str, max_age: i64, secure: bool) -> Option<HeaderValue> {
    let secure = if secure { "; Secure" } else { "" };
    HeaderValue::from_str(&format!(
        "{COOKIE}={value}; Path=/api/comments; HttpOnly; SameSite=Lax; Max-Age={max_age}{secure}"
    ))
    .ok()
}

/// `r` with the owner cookie removed (signing out).
pub fn forget(mut r: Response) -> Response {
    r.headers_mut().append(
        header::SET_COOKIE,
        HeaderValue::from_static(
            "causerie_owner=; Path=/api/comments; HttpOnly; SameSite=Lax; Max-Age=0",
        ),
    );
    r
}

/// True if the request carries an unexpired owner cookie and comes from the
/// site's pages or the service's own.
pub fn by_cookie(st: &AppState, headers: &HeaderMap) -> bool {
    let Some(origin) = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()) else {
        return false;
    };
    if !trusted_origin(st, headers, origin) {
        return false;
    }
    let now = jiff::Timestamp::now().as_second();
    cookies(headers, COOKIE).any(|v| st.keys.admin_session_ok(v, now))
}

fn trusted_origin(st: &AppState, headers: &HeaderMap, origin: &str) -> bool {
    if origin.eq_ignore_ascii_case(&st.cfg.site_origin) {
        return true;
    }
    let host = headers.get(header::HOST).and_then(|v| v.to_str().ok());
    match (url::Url::parse(origin), host) {
        (Ok(u), Some(host)) => {
            let authority = match (u.host_str(), u.port()) {
                (Some(h), Some(p)) => format!("{h}:{p}"),
                (Some(h), None) => h.to_string(),
                _ => return false,
            };
            authority.eq_ignore_ascii_case(host)
        }
        _ => false,
    }
}

/// The cookie keeping the name the owner signed their last reply with.
pub const NAME_COOKIE: &str = "causerie_owner_name";

/// The name the owner signed their last reply with (to fill the next form).
pub fn last_name(headers: &HeaderMap) -> Option<String> {
    let raw = cookies(headers, NAME_COOKIE).next()?;
    let name: String = url::form_urlencoded::parse(format!("n={raw}").as_bytes())
        .next()
        .map(|(_, v)| v.into_owned())?;
    Some(name).filter(|n| !n.is_empty())
}
