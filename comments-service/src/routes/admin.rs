//! `/admin`: server-rendered moderation behind the admin token, no JS needed.
//!
//! Logging in with the token sets a signed, HttpOnly, SameSite=Strict session
//! cookie scoped to `/admin`; every action form also carries an anti-forgery
//! value tied to the session, and must come from the service's own origin.

use std::net::SocketAddr;

use axum::body::Body;
use axum::extract::{ConnectInfo, RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

use crate::client;
use crate::model::Status;
use crate::routes::admin_view;
use crate::routes::comments::is_owner;
use crate::routes::html::{esc, page_in, respond};
use crate::routes::request::read_body;
use crate::state::AppState;
use crate::store::Action;
use crate::store::admin::AdminQuery;
use crate::words::admin::words;

const COOKIE: &str = "causerie_admin";
const SESSION_SECS: i64 = 12 * 3600;

fn now_s() -> i64 {
    jiff::Timestamp::now().as_second()
}

pub(crate) fn session(st: &AppState, headers: &HeaderMap) -> Option<String> {
    for v in headers.get_all(header::COOKIE) {
        let Ok(s) = v.to_str() else { continue };
        for part in s.split(';') {
            if let Some((k, val)) = part.trim().split_once('=')
                && k == COOKIE
                && st.keys.admin_session_ok(val, now_s())
            {
                return Some(val.to_string());
            }
        }
    }
    None
}

fn disabled(lang: &str) -> Response {
    let w = words(lang);
    let body = format!(
        "<main><h1>{}</h1><p>{} <code>admin_token</code> {}</p></main>",
        esc(w.off_title),
        esc(w.off_set),
        esc(w.off_use)
    );
    respond(
        StatusCode::NOT_FOUND,
        page_in(lang, w.off_title, &body),
        None,
    )
}

/// A refused admin form (another site's, or an expired one), in `lang`.
pub(crate) fn refused(lang: &str, why: &str) -> Response {
    let title = words(lang).refused;
    let body = format!("<main><p>{}</p></main>", esc(why));
    respond(StatusCode::FORBIDDEN, page_in(lang, title, &body), None)
}

/// The sign-in form, with `problem` (already in `lang`) above it.
pub(crate) fn login_page(lang: &str, status: StatusCode, problem: Option<&str>) -> Response {
    let w = words(lang);
    let err = problem
        .map(|p| format!("<p class=\"error\" role=\"alert\">{}</p>", esc(p)))
        .unwrap_or_default();
    let body = format!(
        "<main><h1>{}</h1>{err}<form method=\"post\" action=\"/admin/login\">\
         <label for=\"token\">{}</label><input type=\"password\" id=\"token\" name=\"token\" autocomplete=\"current-password\" required>\
         <p><button type=\"submit\">{}</button></p></form></main>",
        esc(w.title),
        esc(w.token),
        esc(w.sign_in)
    );
    respond(status, page_in(lang, w.sign_in_title, &body), None)
}

pub(crate) fn form_pairs(bytes: &[u8]) -> Vec<(String, String)> {
    url::form_urlencoded::parse(bytes).into_owned().collect()
}

pub(crate) fn see_other(to: &str) -> Response {
    let mut r = StatusCode::SEE_OTHER.into_response();
    if let Ok(v) = HeaderValue::from_str(to) {
        r.headers_mut().insert(header::LOCATION, v);
    }
    r
}

/// Refuses cross-site posts to the admin (a second wall behind SameSite).
pub(crate) fn same_origin(headers: &HeaderMap) -> bool {
    let Some(origin) = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()) else {
        return true;
    };
    let host = headers
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    url::Url::parse(origin).ok().is_some_and(|u| {
        let a = match (u.host_str(), u.port()) {
            (Some(h), Some(p)) => format!("{h}:{p}"),
            (Some(h), None) => h.to_string(),
            _ => return false,
        };
        a.eq_ignore_ascii_case(host)
    })
}

/// `POST /admin/login` with `token`.
pub async fn admin_login(
    State(st): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let lang = st.cfg.language.as_str();
    let w = words(lang);
    let Some(expected) = st.cfg.admin_token.clone() else {
        return disabled(lang);
    };
    if !same_origin(&headers) {
        return login_page(lang, StatusCode::FORBIDDEN, Some(w.other_site));
    }
    let Ok(bytes) = read_body(body, &headers, 4096).await else {
        return login_page(lang, StatusCode::PAYLOAD_TOO_LARGE, Some(w.too_long));
    };
    let token = form_pairs(&bytes)
        .into_iter()
        .find(|(k, _)| k == "token")
        .map(|(_, v)| v)
        .unwrap_or_default();
    if !st.keys.same_secret(&expected, token.trim()) {
        let ip = client::client_ip(peer.ip(), &headers, &st.cfg.trusted_proxies);
        tracing::warn!(client = %client::anonymise(ip), "admin sign-in with a wrong token");
        if let Err(e) = st.check_rate(ip).await {
            return e.into_response();
        }
        return login_page(lang, StatusCode::FORBIDDEN, Some(w.wrong_token));
    }
    let value = st.keys.admin_session(now_s() + SESSION_SECS);
    // Secure when the reader reached us over TLS (the proxy says so).
    let tls = headers
        .get("x-forwarded-proto")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|p| p.eq_ignore_ascii_case("https"));
    let secure = if tls { "; Secure" } else { "" };
    let cookie = format!(
        "{COOKIE}={value}; Path=/admin; HttpOnly; SameSite=Strict; Max-Age={SESSION_SECS}{secure}"
    );
    let mut r = see_other("/admin");
    if let Ok(v) = HeaderValue::from_str(&cookie) {
        r.headers_mut().insert(header::SET_COOKIE, v);
    }
    if let Some(v) = crate::routes::owner::set_cookie(&value, SESSION_SECS, tls) {
        r.headers_mut().append(header::SET_COOKIE, v);
    }
    r
}

/// `POST /admin/logout`
pub async fn admin_logout() -> Response {
    let mut r = see_other("/admin");
    r.headers_mut().insert(
        header::SET_COOKIE,
        HeaderValue::from_static(
            "causerie_admin=; Path=/admin; HttpOnly; SameSite=Strict; Max-Age=0",
        ),
    );
    crate::routes::owner::forget(r)
}

fn status_filter(q: Option<&str>) -> (String, Option<Status>) {
    let s = url::form_urlencoded::parse(q.unwrap_or("").as_bytes())
        .find(|(k, _)| k == "status")
        .map(|(_, v)| v.into_owned())
        .unwrap_or_else(|| "pending".into());
    match Status::parse(&s) {
        Some(st) => (s, Some(st)),
        None => ("all".into(), None),
    }
}

/// `GET /admin[?status=pending|approved|spam|rejected|deleted|all]`
pub async fn admin_page(
    State(st): State<AppState>,
    headers: HeaderMap,
    RawQuery(q): RawQuery,
) -> Response {
    let lang = st.cfg.language.as_str();
    if st.cfg.admin_token.is_none() {
        return disabled(lang);
    }
    let session = match session(&st, &headers) {
        Some(s) => s,
        None if is_owner(&st, &headers) => String::from("bearer"),
        None => return login_page(lang, StatusCode::OK, None),
    };
    let (name, filter) = status_filter(q.as_deref());
    let param = |key: &str| {
        url::form_urlencoded::parse(q.as_deref().unwrap_or("").as_bytes())
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.trim().to_string())
            .filter(|v| !v.is_empty())
    };
    let (page_filter, search) = (param("page"), param("q"));
    let query = AdminQuery {
        status: filter,
        page: page_filter.clone(),
        search: search.clone(),
        limit: 500,
    };
    let rows = match st.store.admin_rows(query).await {
        Ok(i) => i,
        Err(e) => return e.into_response(),
    };
    let done = param("done").and_then(|v| v.parse::<usize>().ok());
    let replied = param("replied").and_then(|v| v.parse::<i64>().ok());
    let owner_name = crate::routes::owner::last_name(&headers).unwrap_or_default();
    let body = admin_view::render(&admin_view::View {
        rows: &rows,
        status: &name,
        page: page_filter.as_deref(),
        search: search.as_deref(),
        done,
        csrf: &st.keys.csrf(&session),
        site: &st.cfg.site_url,
        replied,
        owner_name: &owner_name,
        w: words(lang),
        verified: crate::words::sign_in::words(lang).verified,
    });
    let mut r = respond(
        StatusCode::OK,
        page_in(lang, words(lang).title, &body),
        None,
    );
    r.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    r.headers_mut()
        .insert("x-frame-options", HeaderValue::from_static("DENY"));
    r
}

/// `POST /admin`: a bulk action (`action`, one `id` per selected row, `csrf`).
pub async fn admin_moderate(
    State(st): State<AppState>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let lang = st.cfg.language.as_str();
    let w = words(lang);
    if st.cfg.admin_token.is_none() {
        return disabled(lang);
    }
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
    let get = |k: &str| pairs.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str());
    if !bearer && get("csrf") != Some(st.keys.csrf(&session).as_str()) {
        return refused(lang, w.expired);
    }
    let action = match get("action") {
        Some("approve") => Action::Approve,
        Some("reject") => Action::Reject,
        Some("spam") => Action::Spam,
        Some("delete") => Action::Delete,
        _ => {
            return crate::error::Error::bad("action", "choose approve, reject, spam or delete")
                .into_response();
        }
    };
    let ids: Vec<i64> = pairs
        .iter()
        .filter(|(k, _)| k == "id")
        .filter_map(|(_, v)| v.parse().ok())
        .take(1000)
        .collect();
    let n = match st.store.moderate(ids, action).await {
        Ok(n) => n,
        Err(e) => return e.into_response(),
    };
    tracing::info!(changed = n, action = ?action, "moderation");
    let back = get("status")
        .filter(|s| s.chars().all(|c| c.is_ascii_lowercase()))
        .unwrap_or("pending");
    let keep = |k: &str| get(k).filter(|v| !v.trim().is_empty());
    let to = admin_view::admin_url(back, keep("page"), keep("q"));
    see_other(&format!("{to}&done={n}"))
}
