//! The signed-in reader's session: `GET /api/me` (who, and the CSRF token
//! embed.js sends back with its writes) and `POST /auth/sign-out`, which
//! deletes the session, so the cookie stops working everywhere at once.

use axum::Router;
use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde_json::json;

use crate::auth::{check_return, session};
use crate::error::{Error, Result};
use crate::routes::request::read_body;
use crate::state::AppState;

/// The session's routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/me", get(me))
        .route("/auth/sign-out", post(sign_out))
        .route(
            "/auth/comment",
            get(crate::routes::signed_form::comment_form),
        )
}

/// 401 naming `session`: nobody is signed in on this request.
pub fn not_signed_in() -> Error {
    Error::field(StatusCode::UNAUTHORIZED, "session", "not signed in")
}

fn no_store(mut r: Response) -> Response {
    r.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    r
}

/// `GET /api/me`
async fn me(State(st): State<AppState>, headers: HeaderMap) -> Response {
    let answer = async {
        let s = session::current(&st, &headers)
            .await?
            .ok_or_else(not_signed_in)?;
        let i = &s.identity;
        Ok::<_, Error>(axum::Json(json!({
            "name": i.name,
            "url": i.url,
            "verified_by": i.verified_by,
            "owner": i.is_owner(&st.cfg),
            "csrf": s.csrf,
        })))
    }
    .await;
    no_store(match answer {
        Ok(j) => j.into_response(),
        Err(e) => e.into_response(),
    })
}

/// `POST /auth/sign-out` (optional form field `return`; the session's
/// `csrf` as form field or `X-CSRF-Token`, or, from a page without
/// JavaScript, an `Origin` that is the site or the service): 303 back to
/// `return` for a form, 204 otherwise; the cookie is cleared either way.
async fn sign_out(State(st): State<AppState>, headers: HeaderMap, body: Body) -> Response {
    let done = async {
        let bytes = read_body(body, &headers, st.cfg.max_body_bytes).await?;
        let mut csrf = session::csrf_header(&headers).map(str::to_string);
        let mut back = None;
        for (k, v) in url::form_urlencoded::parse(&bytes) {
            match k.as_ref() {
                "csrf" => csrf = Some(v.into_owned()),
                "return" => back = Some(v.into_owned()),
                _ => {}
            }
        }
        let back = back
            .filter(|b| !b.trim().is_empty())
            .map(|b| check_return(&st.cfg, &b))
            .transpose()?;
        if let Some(s) = session::current(&st, &headers).await? {
            // a no-JS page cannot know the token: its form's Origin must be ours
            let from_us = headers.contains_key(header::ORIGIN)
                && crate::routes::request::same_site(&st, &headers).is_ok();
            if !from_us {
                session::check_csrf(&st, &s, csrf.as_deref())?;
            }
            st.store.delete_session(&s.id_hash).await?;
            tracing::info!("reader signed out");
        }
        Ok::<_, Error>(back)
    }
    .await;
    let mut r = match done {
        Ok(Some(to)) => {
            let mut r = StatusCode::SEE_OTHER.into_response();
            if let Ok(v) = HeaderValue::from_str(to.as_str()) {
                r.headers_mut().insert(header::LOCATION, v);
            }
            r
        }
        Ok(None) => StatusCode::NO_CONTENT.into_response(),
        Err(e) => return e.into_response(),
    };
    if let Ok(c) = session::cookie_header(&st, "", 0) {
        r.headers_mut().append(header::SET_COOKIE, c);
    }
    no_store(r)
}

/// The session of a write, checked against forgery: `None` without a live
/// session; 403 (field `csrf`) when a live session's token is missing or
/// wrong. `form_csrf` is the form's `csrf` field, if any.
pub async fn writing_session(
    st: &AppState,
    headers: &HeaderMap,
    form_csrf: Option<&str>,
) -> Result<Option<session::Session>> {
    if !session::has_cookie(headers) {
        return Ok(None);
    }
    let Some(s) = session::current(st, headers).await? else {
        return Ok(None);
    };
    let given = session::csrf_header(headers).or(form_csrf);
    session::check_csrf(st, &s, given)?;
    Ok(Some(s))
}
