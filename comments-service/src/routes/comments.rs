//! `/api/comments`: read a page's thread, post (JSON or HTML form); editing
//! and deleting one's own comment is `comments_edit`.

use std::net::SocketAddr;

use axum::body::{Body, Bytes};
use axum::extract::{ConnectInfo, RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::json;

use crate::auth::Identity;
use crate::client;
use crate::error::{Error, Result};
use crate::model::{self, Comment, Kind, PagePath, Status};
use crate::routes::refusal::refused;
use crate::routes::request::{read_body, same_site};
use crate::routes::submission::Submission;
use crate::routes::{signed_post, thread, trust};
use crate::spam::{self, Verdict};
use crate::state::AppState;
use crate::store::{NewComment, now_us, rfc3339};

#[derive(Clone, Copy, PartialEq, Eq)]
enum Format {
    Json,
    Form,
}

fn format_of(headers: &HeaderMap) -> Result<Format> {
    let ct = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_ascii_lowercase();
    if ct.starts_with("application/json") {
        Ok(Format::Json)
    } else if ct.starts_with("application/x-www-form-urlencoded") {
        Ok(Format::Form)
    } else {
        Err(Error::field(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "body",
            "send JSON or an url-encoded form",
        ))
    }
}

fn accepts_json(headers: &HeaderMap) -> bool {
    headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|a| a.contains("application/json"))
}

/// True if the request carries the admin token (the site's author).
pub fn is_owner(state: &AppState, headers: &HeaderMap) -> bool {
    match (&state.cfg.admin_token, bearer(headers)) {
        (Some(t), Some(b)) => state.keys.same_secret(t, b),
        _ => false,
    }
}

pub(crate) fn bearer(headers: &HeaderMap) -> Option<&str> {
    headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            v.strip_prefix("Bearer ")
                .or_else(|| v.strip_prefix("bearer "))
        })
        .map(str::trim)
}

/// `GET /api/comments?page=PATH`
pub async fn comments_index(State(st): State<AppState>, RawQuery(q): RawQuery) -> Result<Response> {
    let raw = url::form_urlencoded::parse(q.as_deref().unwrap_or("").as_bytes())
        .find(|(k, _)| k == "page")
        .map(|(_, v)| v.into_owned())
        .ok_or_else(|| Error::bad("page", "give the page as ?page=/path/"))?;
    let page = PagePath::parse(&raw, &st.cfg.site_url)?;
    let generation = st.store.generation();
    if let Some(bytes) = st.cached(page.as_str(), generation) {
        return Ok(json_bytes(bytes));
    }
    if thread::is_large(&st, page.as_str()).await? {
        return thread::thread_stream(&st, page.as_str(), generation).await;
    }
    let flat = st.store.page_items(page.as_str().to_string()).await?;
    let count = flat.len();
    let flat = hide_photos(&st, flat);
    let body = json!({"page": page.as_str(), "count": count, "comments": model::thread(flat)});
    let bytes = Bytes::from(serde_json::to_vec(&body).unwrap_or_default());
    st.cache(page.as_str().to_string(), generation, bytes.clone());
    Ok(json_bytes(bytes))
}

/// Drops Webmention photos unless the service is configured to show them.
pub fn hide_photos(st: &AppState, mut items: Vec<Comment>) -> Vec<Comment> {
    if !st.cfg.expose_photos {
        for c in &mut items {
            c.author_photo = None;
        }
    }
    items
}

/// A cached JSON answer.
pub fn json_bytes(bytes: Bytes) -> Response {
    let mut r = Response::new(Body::from(bytes));
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    r.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    r
}

/// What a successful post did.
struct Posted {
    id: i64,
    token: String,
    status: Status,
    page: String,
    comment: Option<Comment>,
    edit_until: i64,
    /// The commenter token to keep (see `trust`).
    commenter: Option<String>,
}

/// `POST /api/comments` (JSON for the snippet, an url-encoded form for pages without JS).
pub async fn comments_create(
    State(st): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let fmt = format_of(&headers);
    let wants_json = matches!(fmt, Ok(Format::Json)) || accepts_json(&headers);
    let parsed = async {
        let fmt = fmt?;
        if fmt == Format::Form {
            same_site(&st, &headers)?;
        }
        let bytes = read_body(body, &headers, st.cfg.max_body_bytes).await?;
        match fmt {
            Format::Json => Submission::from_json(&bytes),
            Format::Form => Ok(Submission::from_form(&bytes)),
        }
    }
    .await;
    let mut sub = match parsed {
        Ok(s) => s,
        Err(e) => return refused(&st, e, wants_json, None),
    };
    let owner = is_owner(&st, &headers) || crate::routes::owner::by_cookie(&st, &headers);
    let signed = match signed_post::sign(&st, &headers, &mut sub, owner).await {
        Ok(s) => s,
        Err(e) => return signed_post::refused(&st, e, wants_json, &sub),
    };
    match create(&st, peer, &headers, &sub, owner, signed.as_ref()).await {
        Ok(p) if wants_json => {
            let code = if p.status == Status::Approved {
                StatusCode::CREATED
            } else {
                StatusCode::ACCEPTED
            };
            let body = json!({
                "id": p.id,
                "token": p.token,
                "status": if p.status == Status::Approved { "published" } else { "held" },
                "edit_until": rfc3339(p.edit_until),
                "comment": p.comment,
                "commenter": p.commenter,
            });
            let r = (code, axum::Json(body)).into_response();
            trust::keep(&st, p.commenter.as_deref(), r)
        }
        Ok(p) if p.id > 0 && sub.landing.as_deref() == Some("posted") => {
            let r = crate::routes::own::landing(&st, p.id, &p.token);
            trust::keep(&st, p.commenter.as_deref(), r)
        }
        Ok(p) => {
            // back to the page; id 0 was dropped by the honeypot: as if held
            let marker = if p.id > 0 && p.status == Status::Approved {
                "comment-published"
            } else {
                "comment-held"
            };
            let mut loc = st
                .cfg
                .site_url
                .join(&p.page)
                .unwrap_or_else(|_| st.cfg.site_url.clone());
            if p.id > 0 {
                loc.set_query(Some(&format!("comment={}", p.id)));
            }
            loc.set_fragment(Some(marker));
            let mut r = StatusCode::SEE_OTHER.into_response();
            if let Ok(v) = HeaderValue::from_str(loc.as_str()) {
                r.headers_mut().insert(header::LOCATION, v);
            }
            trust::keep(&st, p.commenter.as_deref(), r)
        }
        Err(e) => refused(&st, e, wants_json, Some(&sub)),
    }
}

/// Parses, checks and stores one submission.
async fn create(
    st: &AppState,
    peer: SocketAddr,
    headers: &HeaderMap,
    sub: &Submission,
    owner: bool,
    signed: Option<&Identity>,
) -> Result<Posted> {
    let owner = owner || signed.is_some_and(|i| i.is_owner(&st.cfg));
    let ip = client::client_ip(peer.ip(), headers, &st.cfg.trusted_proxies);
    let page = PagePath::parse(sub.page.as_deref().unwrap_or(""), &st.cfg.site_url)?;
    let body_md = model::parse_body(sub.body.as_deref())?;
    let author = model::parse_author(sub.author.as_deref())?;
    let email = model::parse_email(sub.email.as_deref())?;
    let website = model::parse_website(sub.website.as_deref())?;
    let parent = model::parse_parent(sub.parent.as_deref())?;
    if !owner {
        if let Some(m) = st.manifest() {
            m.check_open(page.as_str(), jiff::Timestamp::now())?;
        }
        st.check_rate(ip).await?;
    }
    let rendered = st.renderer.render(&body_md);
    let now = now_us();
    let verdict = if owner {
        Verdict::Accept
    } else {
        spam::judge(
            &st.cfg,
            sub.homepage.as_deref(),
            sub.started.as_deref(),
            now / 1000,
            &body_md,
            rendered.links,
        )?
    };
    let mut spam_reason = None;
    let hold = match verdict {
        Verdict::Drop => {
            tracing::info!(page = page.as_str(), "honeypot filled: dropped");
            return Ok(Posted {
                id: 0,
                token: st.keys.edit_token(-now),
                status: Status::Pending,
                page: page.as_str().to_string(),
                comment: None,
                edit_until: now + st.cfg.edit_window_secs * 1_000_000,
                commenter: None,
            });
        }
        Verdict::Hold(why) => {
            tracing::info!(
                page = page.as_str(),
                reason = why,
                "comment held by a spam check"
            );
            spam_reason = Some(why);
            true
        }
        Verdict::Accept => false,
    };
    let key = crate::routes::submission::idempotency_key(headers)?;
    let retry_seed = key
        .as_ref()
        .map(|k| format!("{k}\0{author}\0{}", email.as_deref().unwrap_or("")));
    let who = crate::routes::trust::commenter(
        st,
        headers,
        sub.commenter.as_deref(),
        email.as_deref(),
        retry_seed.as_deref(),
    )
    .await?;
    let commenter_key = who.key;
    let notices = crate::routes::mail_links::notices(
        st,
        sub.notify.as_deref(),
        email.is_some(),
        spam_reason,
    )?;
    let created = st
        .store
        .create_comment_once(
            NewComment {
                page: page.as_str().to_string(),
                parent,
                author: author.clone(),
                email,
                website: website.clone(),
                body_md,
                body_html: rendered.html.clone(),
                is_owner: owner,
                commenter_key,
                client_addr: Some(client::anonymise(ip)),
                hold,
                moderation: st.cfg.moderation,
                notices,
                verified: signed.is_some(),
                signed_in_as: signed.map(|i| signed_post::signer_key(st, i)),
            },
            key,
        )
        .await?;
    st.outbox_wake.notify_one();
    tracing::info!(
        id = created.id,
        page = page.as_str(),
        status = created.status.as_str(),
        replayed = created.replayed,
        "comment stored"
    );
    let stamp = rfc3339(created.created_us);
    Ok(Posted {
        id: created.id,
        token: st.keys.edit_token(created.id),
        status: created.status,
        page: page.as_str().to_string(),
        comment: Some(Comment {
            id: created.id,
            page: page.as_str().to_string(),
            parent,
            author,
            website,
            author_photo: None,
            body_html: rendered.html,
            created: stamp.clone(),
            updated: stamp,
            kind: Kind::Comment,
            source: None,
            url: None,
            is_owner: owner,
            verified: signed.is_some(),
            replies: Vec::new(),
        }),
        edit_until: created.created_us + st.cfg.edit_window_secs * 1_000_000,
        commenter: who.token,
    })
}

/// Stores a reply the owner wrote in `/admin` (the caller checked the session):
/// its id and status.
pub(crate) async fn create_as_owner(
    st: &AppState,
    peer: SocketAddr,
    headers: &HeaderMap,
    sub: &Submission,
) -> Result<(i64, Status)> {
    create(st, peer, headers, sub, true, None)
        .await
        .map(|p| (p.id, p.status))
}
