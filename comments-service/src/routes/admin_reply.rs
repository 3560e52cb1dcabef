//! `POST /admin/reply`: the owner answers a comment from the moderation list.
//! Same walls as the other admin forms (session, anti-forgery value, own
//! origin); the reply is stored as the owner's, published at once.

use std::net::SocketAddr;

use axum::body::Body;
use axum::extract::{ConnectInfo, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

use crate::routes::admin::{form_pairs, login_page, refused, same_origin, see_other, session};
use crate::routes::admin_view::admin_url;
use crate::routes::comments::{create_as_owner, is_owner};
use crate::routes::request::read_body;
use crate::routes::submission::Submission;
use crate::state::AppState;
use crate::words::admin::words;

/// `POST /admin/reply` with `csrf`, `parent`, `page`, `author`, `body` (and the
/// list's `status`, `page_filter`, `q` to go back to).
pub async fn admin_reply(
    State(st): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    if st.cfg.admin_token.is_none() {
        return crate::routes::assets::not_found().await;
    }
    let lang = st.cfg.language.as_str();
    let w = words(lang);
    let bearer = is_owner(&st, &headers);
    let Some(session) = session(&st, &headers).or(bearer.then(|| "bearer".to_string())) else {
        return login_page(lang, StatusCode::UNAUTHORIZED, Some(w.sign_in_again));
    };
    if !same_origin(&headers) {
        return refused(lang, w.other_site);
    }
    let bytes = match read_body(body, &headers, st.cfg.max_body_bytes).await {
        Ok(b) => b,
        Err(e) => return e.into_response(),
    };
    let pairs = form_pairs(&bytes);
    let get = |k: &str| {
        pairs
            .iter()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.as_str())
            .filter(|v| !v.trim().is_empty())
    };
    if !bearer && get("csrf") != Some(st.keys.csrf(&session).as_str()) {
        return refused(lang, w.expired);
    }
    let sub = Submission {
        page: get("page").map(str::to_string),
        parent: get("parent").map(str::to_string),
        author: get("author").map(str::to_string),
        body: get("body").map(str::to_string),
        ..Submission::default()
    };
    let (id, _) = match create_as_owner(&st, peer, &headers, &sub).await {
        Ok(done) => done,
        Err(e) => return e.into_response(),
    };
    tracing::info!(id, "owner replied from /admin");
    let back = get("status")
        .filter(|s| s.chars().all(|c| c.is_ascii_lowercase()))
        .unwrap_or("pending");
    let to = admin_url(back, get("page_filter"), get("q"));
    let mut r = see_other(&format!("{to}&replied={id}"));
    // the name is offered again in the next reply form
    let name: String =
        url::form_urlencoded::byte_serialize(sub.author.as_deref().unwrap_or("").trim().as_bytes())
            .collect();
    if let Ok(v) = HeaderValue::from_str(&format!(
        "{}={name}; Path=/admin; HttpOnly; SameSite=Strict; Max-Age=31536000",
        crate::routes::owner::NAME_COOKIE
    )) {
        r.headers_mut().append(header::SET_COOKIE, v);
    }
    r
}
