//! `POST /api/comments` and the edits of a signed-in reader: the session
//! (checked against forgery) supplies the author's name and site and marks
//! the comment `verified`; on a login-only blog (`[sign_in] required`) an
//! anonymous post is refused with 401 (field `session`), or, for a form,
//! sent back to the page's sign-in notice with a 303.

use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::json;

use crate::auth::Identity;
use crate::error::{Error, Result};
use crate::model::PagePath;
use crate::routes::auth_session::writing_session;
use crate::routes::submission::Submission;
use crate::state::AppState;

/// The fragment of the page a refused anonymous form post lands on.
pub const REQUIRED_FRAGMENT: &str = "sign-in-required";

/// The identity a new comment is posted under, if the reader is signed in;
/// fills `sub`'s author, site and address from it. Refuses a forged post
/// (403 `csrf`) and, on a login-only blog, an anonymous one (401 `session`);
/// the owner (admin token or cookie) may always post.
pub async fn sign(
    st: &AppState,
    headers: &HeaderMap,
    sub: &mut Submission,
    owner: bool,
) -> Result<Option<Identity>> {
    let Some(s) = writing_session(st, headers, sub.csrf.as_deref()).await? else {
        if st.cfg.sign_in.required && !owner {
            let w = crate::words::sign_in::words(&st.cfg.language);
            return Err(Error::field(
                StatusCode::UNAUTHORIZED,
                "session",
                w.required,
            ));
        }
        return Ok(None);
    };
    let i = s.identity;
    if !i.name.trim().is_empty() {
        sub.author = Some(i.name.clone());
    }
    if let Some(u) = &i.url {
        sub.website = Some(u.clone());
    }
    if let Some(e) = &i.email {
        sub.email = Some(e.clone());
    }
    Ok(Some(i))
}

/// The keyed, non-reversible key of `identity` stored with its comments.
pub fn signer_key(st: &AppState, identity: &Identity) -> String {
    st.keys.sign("signed-in", &identity.subject())
}

/// True when the request's session (with its CSRF header) is the signed-in
/// reader who posted comment `id`.
pub async fn by_session(st: &AppState, headers: &HeaderMap, id: i64) -> Result<bool> {
    let Some(s) = writing_session(st, headers, None).await? else {
        return Ok(false);
    };
    let mine = signer_key(st, &s.identity);
    let posted = st.store.signed_in_as(id).await?;
    if posted.is_some_and(|p| st.keys.same_secret(&p, &mine)) {
        return Ok(true);
    }
    Err(Error::field(
        StatusCode::FORBIDDEN,
        "token",
        "this comment was not posted by who is signed in",
    ))
}

/// The answer to a refused post: the sign-in refusals in the site's
/// language (a form's `session` refusal as a 303 to the page's sign-in
/// notice); anything else as every refused comment (`refusal`).
pub fn refused(st: &AppState, e: Error, wants_json: bool, sub: &Submission) -> Response {
    let field = e.public().map(|(_, f, _)| f);
    if !matches!(field, Some("session" | "csrf")) {
        return crate::routes::refusal::refused(st, e, wants_json, Some(sub));
    }
    let w = crate::words::sign_in::words(&st.cfg.language);
    let (status, message) = match field {
        Some("session") => (StatusCode::UNAUTHORIZED, w.required),
        _ => (StatusCode::FORBIDDEN, w.csrf),
    };
    if wants_json {
        let body = json!({"error": {"field": field, "message": message}});
        return (status, axum::Json(body)).into_response();
    }
    if field == Some("csrf") {
        return crate::routes::refusal::refused(st, e, false, Some(sub));
    }
    let mut to = sub
        .page
        .as_deref()
        .and_then(|p| PagePath::parse(p, &st.cfg.site_url).ok())
        .and_then(|p| st.cfg.site_url.join(p.as_str()).ok())
        .unwrap_or_else(|| st.cfg.site_url.clone());
    to.set_fragment(Some(REQUIRED_FRAGMENT));
    let mut r = StatusCode::SEE_OTHER.into_response();
    if let Ok(v) = HeaderValue::from_str(to.as_str()) {
        r.headers_mut().insert(header::LOCATION, v);
    }
    r
}
