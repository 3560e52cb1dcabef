//! A reader's own comment, shown to them before it is on the page: the page
//! a no-JS form post lands on (`/posted/{id}`, the edit token kept in an
//! HttpOnly cookie scoped to that path, so it still shows after a reload),
//! and `GET /api/comments/{id}` with the edit token for embed.js (a held
//! comment stays in place, marked, after a reload).

use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use maud::{PreEscaped, html};
use serde_json::json;

use crate::client::cookies;
use crate::error::{Error, Result};
use crate::model::Status;
use crate::routes::html::{page_in, respond};
use crate::state::AppState;

const COOKIE: &str = "causerie_posted";

/// The answer to a form post: 303 to `/posted/{id}`, keeping the edit token.
pub fn landing(st: &AppState, id: i64, token: &str) -> Response {
    let mut r = StatusCode::SEE_OTHER.into_response();
    let h = r.headers_mut();
    if let Ok(v) = HeaderValue::from_str(&format!("/posted/{id}")) {
        h.insert(header::LOCATION, v);
    }
    let secure = if st.cfg.site_url.scheme() == "https" {
        "; Secure"
    } else {
        ""
    };
    if let Ok(v) = HeaderValue::from_str(&format!(
        "{COOKIE}={token}; Path=/posted/{id}; HttpOnly; SameSite=Lax; Max-Age=2592000{secure}"
    )) {
        h.append(header::SET_COOKIE, v);
    }
    r
}

fn parse_id(raw: &str) -> Option<i64> {
    raw.parse::<i64>().ok().filter(|n| *n > 0)
}

/// `GET /posted/{id}`: the comment, marked as awaiting moderation when held.
pub async fn posted_page(
    State(st): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Response {
    let lang = st.cfg.language.as_str();
    let w = crate::words::reader(lang);
    let id = parse_id(&id);
    let mine = id.filter(|id| cookies(&headers, COOKIE).any(|t| st.keys.edit_token_ok(*id, t)));
    let found = match mine {
        Some(id) => st.store.own_comment(id).await.ok().flatten(),
        None => None,
    };
    let Some((c, status)) = found else {
        let body = html! { main { h1 { (w.your_comment) } p #nothing { (w.nothing) }
        p { a href=(st.cfg.site_url.as_str()) { (st.cfg.site_url.as_str()) } } } };
        return respond(
            StatusCode::NOT_FOUND,
            page_in(lang, w.your_comment, &body.into_string()),
            None,
        );
    };
    let held = status == Status::Pending;
    let mut back = st
        .cfg
        .site_url
        .join(&c.page)
        .unwrap_or_else(|_| st.cfg.site_url.clone());
    back.set_fragment(Some("comments"));
    let body = html! {
        main {
            h1 { (w.your_comment) }
            p.notice #posted-notice role="status" { (if held { w.held } else { w.published }) }
            article.comment #{ "comment-" (c.id) } data-status=(status.as_str()) {
                header.comment-meta {
                    strong.comment-author dir="auto" { (c.author) }
                    @if c.is_owner { " (" (w.owner) ")" }
                    " " time datetime=(c.created) { (c.created) }
                    @if held { " " em.comment-pending { (w.pending) } }
                }
                div.comment-body dir="auto" { (PreEscaped(&c.body_html)) }
            }
            p { a #back href=(back.as_str()) { (w.back) } }
        }
    };
    let mut r = respond(
        StatusCode::OK,
        page_in(lang, w.your_comment, &body.into_string()),
        None,
    );
    r.headers_mut().insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("no-store, private"),
    );
    r
}

/// `GET /api/comments/{id}` with the edit token as Bearer: the comment and
/// `status` (`published`/`held`); 404 once it was rejected or deleted.
pub async fn own_json(
    State(st): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Result<Response> {
    let not_found = || Error::field(StatusCode::NOT_FOUND, "id", "no such comment");
    let id = parse_id(&id).ok_or_else(not_found)?;
    let token = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim)
        .ok_or_else(|| {
            Error::field(
                StatusCode::UNAUTHORIZED,
                "token",
                "send the edit token as Authorization: Bearer <token>",
            )
        })?;
    if !st.keys.edit_token_ok(id, token) {
        return Err(Error::field(
            StatusCode::FORBIDDEN,
            "token",
            "this token does not allow reading this comment",
        ));
    }
    let (c, status) = st.store.own_comment(id).await?.ok_or_else(not_found)?;
    let status = if status == Status::Approved {
        "published"
    } else {
        "held"
    };
    let mut r = axum::Json(json!({"comment": c, "status": status})).into_response();
    r.headers_mut().insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("no-store, private"),
    );
    Ok(r)
}
