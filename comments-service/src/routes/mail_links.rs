//! The pages the links in mails open. A GET only shows what the link would
//! do, with a button; only the POST from that page acts, so a mail scanner
//! that follows links changes nothing. The one exception is RFC 8058's
//! one-click unsubscribe: a POST to the `List-Unsubscribe` URL acts at once.

use axum::Router;
use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::Response;
use axum::routing::get;

use crate::escape::escape as esc;
use crate::mail::i18n::{Words, dir, words};
use crate::mail::links::{LinkError, ModerationLink, SubscriberLink};
use crate::routes::html;
use crate::state::AppState;
use crate::store::Action;
use crate::store::mail::{LinkOutcome, Notices};

/// The `/mail/*` routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/mail/moderate", get(moderate_page).post(moderate_act))
        .route("/mail/confirm", get(confirm_page).post(confirm_act))
        .route(
            "/mail/unsubscribe",
            get(unsubscribe_page).post(unsubscribe_act),
        )
        .route("/mail/manage", get(manage_page).post(manage_act))
}

/// True for a `notify` value that asks for reply mails.
pub fn wants_notify(raw: Option<&str>) -> bool {
    matches!(
        raw.map(|s| s.trim().to_ascii_lowercase()).as_deref(),
        Some("true" | "on" | "1" | "yes")
    )
}

/// What a new comment asks to be told (see `store::mail::Notices`): refuses
/// `notify` without an address when mail is on. `spam_reason` is the spam
/// check's words for a hold.
pub fn notices(
    st: &AppState,
    notify: Option<&str>,
    has_email: bool,
    spam_reason: Option<&str>,
) -> crate::error::Result<Notices> {
    let subscribe = wants_notify(notify);
    if subscribe && !has_email && st.cfg.mail.is_some() {
        return Err(crate::error::Error::bad(
            "email",
            "give your e-mail address to be told about replies",
        ));
    }
    Ok(Notices {
        owner: st.cfg.mail.as_ref().and_then(|m| m.owner.clone()),
        webhook: st.cfg.notify_webhook.is_some(),
        subscribe,
        mail: st.cfg.mail.is_some(),
        spam_reason: spam_reason.map(|why| {
            if why.contains("link") {
                "links"
            } else {
                "blocklist"
            }
        }),
    })
}

/// `name` from the query string or an url-encoded body.
fn param(query: Option<&str>, body: &[u8], name: &str) -> Option<String> {
    let q = url::form_urlencoded::parse(query.unwrap_or("").as_bytes());
    let b = url::form_urlencoded::parse(body);
    q.chain(b)
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.into_owned())
}

/// A small page in the site's language, never cached, never sending a referrer
/// (the URL holds the token).
fn page(st: &AppState, status: StatusCode, title: &str, body: &str) -> Response {
    let lang = &st.cfg.language;
    let doc = format!(
        "<!doctype html>\n<html lang=\"{}\" dir=\"{}\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <meta name=\"robots\" content=\"noindex\"><title>{}</title></head><body>\n<h1>{}</h1>\n{body}\n</body></html>\n",
        esc(lang),
        dir(lang),
        esc(title),
        esc(title)
    );
    let mut r = html::respond(status, doc, None);
    let h = r.headers_mut();
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    r
}

fn refused(st: &AppState, w: &Words, e: LinkError) -> Response {
    let status = match e {
        LinkError::Invalid => StatusCode::BAD_REQUEST,
        LinkError::Expired => StatusCode::GONE,
    };
    page(st, status, w.invalid, "")
}

fn outcome(st: &AppState, w: &Words, o: LinkOutcome, done: &str) -> Response {
    match o {
        LinkOutcome::Done => page(st, StatusCode::OK, w.done, &format!("<p>{}</p>", esc(done))),
        LinkOutcome::AlreadyUsed => page(st, StatusCode::CONFLICT, w.used, ""),
        LinkOutcome::Missing => page(st, StatusCode::NOT_FOUND, w.invalid, ""),
    }
}

/// A form posting `t` back to `action`, with one button.
fn button(action: &str, token: &str, label: &str, extra: &str) -> String {
    format!(
        "<form method=\"post\" action=\"{}\"><input type=\"hidden\" name=\"t\" value=\"{}\">{extra}<button type=\"submit\">{}</button></form>",
        esc(action),
        esc(token),
        esc(label)
    )
}

fn now_s() -> i64 {
    jiff::Timestamp::now().as_second()
}

fn action_label(w: &Words, a: Action) -> &'static str {
    match a {
        Action::Approve => w.approve,
        Action::Reject => w.reject,
        Action::Spam | Action::Delete => w.spam,
    }
}

async fn moderate_page(State(st): State<AppState>, RawQuery(q): RawQuery) -> Response {
    let w = words(&st.cfg.language);
    let t = param(q.as_deref(), b"", "t").unwrap_or_default();
    let link = match ModerationLink::parse(&st.keys, &t, now_s()) {
        Ok(l) => l,
        Err(e) => return refused(&st, w, e),
    };
    match st.store.mail_subject(link.mail, link.comment).await {
        Ok(Some(c)) => {
            let body = format!(
                "<p><strong>{}</strong> · {} · {}</p>\n<blockquote style=\"white-space:pre-wrap\" dir=\"auto\">{}</blockquote>\n{}",
                esc(&c.author),
                esc(&c.page),
                esc(c.status.as_str()),
                esc(&c.body_md),
                button("/mail/moderate", &t, action_label(w, link.action), "")
            );
            page(&st, StatusCode::OK, action_label(w, link.action), &body)
        }
        Ok(None) => page(&st, StatusCode::NOT_FOUND, w.invalid, ""),
        Err(e) => internal(&st, e),
    }
}

fn internal(st: &AppState, e: crate::error::Error) -> Response {
    tracing::error!(error = %e, "mail link");
    let failed = words(&st.cfg.language).failed;
    page(st, StatusCode::INTERNAL_SERVER_ERROR, failed, "")
}

async fn moderate_act(State(st): State<AppState>, RawQuery(q): RawQuery, body: Bytes) -> Response {
    let w = words(&st.cfg.language);
    let t = param(q.as_deref(), &body, "t").unwrap_or_default();
    let link = match ModerationLink::parse(&st.keys, &t, now_s()) {
        Ok(l) => l,
        Err(e) => return refused(&st, w, e),
    };
    match st
        .store
        .moderate_from_mail(link.mail, link.comment, link.action)
        .await
    {
        Ok(o) => {
            if o == LinkOutcome::Done {
                tracing::info!(id = link.comment, action = ?link.action, "moderated from a mail link");
                st.outbox_wake.notify_one();
            }
            outcome(&st, w, o, action_label(w, link.action))
        }
        Err(e) => internal(&st, e),
    }
}

async fn confirm_page(State(st): State<AppState>, RawQuery(q): RawQuery) -> Response {
    let w = words(&st.cfg.language);
    let t = param(q.as_deref(), b"", "t").unwrap_or_default();
    if SubscriberLink::Confirm.parse(&st.keys, &t).is_none() {
        return refused(&st, w, LinkError::Invalid);
    }
    page(
        &st,
        StatusCode::OK,
        w.confirm,
        &button("/mail/confirm", &t, w.confirm, ""),
    )
}

async fn confirm_act(State(st): State<AppState>, RawQuery(q): RawQuery, body: Bytes) -> Response {
    let w = words(&st.cfg.language);
    let t = param(q.as_deref(), &body, "t").unwrap_or_default();
    let Some(sub) = SubscriberLink::Confirm.parse(&st.keys, &t) else {
        return refused(&st, w, LinkError::Invalid);
    };
    match st.store.confirm_subscription(sub).await {
        Ok(o) => {
            if o == LinkOutcome::Done {
                tracing::info!(subscription = sub, "subscription confirmed");
            }
            outcome(&st, w, o, w.confirmed)
        }
        Err(e) => internal(&st, e),
    }
}

async fn unsubscribe_page(State(st): State<AppState>, RawQuery(q): RawQuery) -> Response {
    let w = words(&st.cfg.language);
    let t = param(q.as_deref(), b"", "t").unwrap_or_default();
    if SubscriberLink::Unsubscribe.parse(&st.keys, &t).is_none() {
        return refused(&st, w, LinkError::Invalid);
    }
    page(
        &st,
        StatusCode::OK,
        w.unsubscribe,
        &button("/mail/unsubscribe", &t, w.unsubscribe, ""),
    )
}

/// RFC 8058: the mail client POSTs `List-Unsubscribe=One-Click` to the URL.
async fn unsubscribe_act(
    State(st): State<AppState>,
    RawQuery(q): RawQuery,
    body: Bytes,
) -> Response {
    let w = words(&st.cfg.language);
    let t = param(q.as_deref(), &body, "t").unwrap_or_default();
    let Some(sub) = SubscriberLink::Unsubscribe.parse(&st.keys, &t) else {
        return refused(&st, w, LinkError::Invalid);
    };
    match st.store.unsubscribe(sub, Some(sub)).await {
        Ok(o) => {
            if o == LinkOutcome::Done {
                tracing::info!(subscription = sub, "unsubscribed");
            }
            outcome(&st, w, o, w.unsubscribed)
        }
        Err(e) => internal(&st, e),
    }
}

async fn manage_page(State(st): State<AppState>, RawQuery(q): RawQuery) -> Response {
    let w = words(&st.cfg.language);
    let t = param(q.as_deref(), b"", "t").unwrap_or_default();
    let Some(via) = SubscriberLink::Manage.parse(&st.keys, &t) else {
        return refused(&st, w, LinkError::Invalid);
    };
    let subs = match st.store.subscriptions_beside(via).await {
        Ok(s) => s,
        Err(e) => return internal(&st, e),
    };
    if subs.is_empty() {
        return page(
            &st,
            StatusCode::OK,
            w.your_subscriptions,
            &format!("<p>{}</p>", esc(w.none_left)),
        );
    }
    let mut body = String::from("<ul>\n");
    for s in &subs {
        let href = st
            .cfg
            .site_url
            .join(&s.page)
            .map(|mut u| {
                u.set_fragment(Some(&format!("comment-{}", s.comment_id)));
                u.to_string()
            })
            .unwrap_or_default();
        let state = if s.confirmed {
            String::new()
        } else {
            format!(" ({})", esc(w.pending_confirmation))
        };
        let extra = format!("<input type=\"hidden\" name=\"id\" value=\"{}\">", s.id);
        body.push_str(&format!(
            "<li><a href=\"{}\">{}</a>{state} {}</li>\n",
            esc(&href),
            esc(&s.page),
            button("/mail/manage", &t, w.unsubscribe, &extra)
        ));
    }
    body.push_str("</ul>\n");
    body.push_str(&button(
        "/mail/manage",
        &t,
        w.unsubscribe,
        "<input type=\"hidden\" name=\"id\" value=\"all\">",
    ));
    page(&st, StatusCode::OK, w.your_subscriptions, &body)
}

async fn manage_act(State(st): State<AppState>, RawQuery(q): RawQuery, body: Bytes) -> Response {
    let w = words(&st.cfg.language);
    let t = param(q.as_deref(), &body, "t").unwrap_or_default();
    let Some(via) = SubscriberLink::Manage.parse(&st.keys, &t) else {
        return refused(&st, w, LinkError::Invalid);
    };
    let target = match param(None, &body, "id").as_deref() {
        Some("all") => None,
        Some(n) => match n.parse::<i64>() {
            Ok(n) => Some(n),
            Err(_) => return page(&st, StatusCode::BAD_REQUEST, w.invalid, ""),
        },
        None => return page(&st, StatusCode::BAD_REQUEST, w.invalid, ""),
    };
    match st.store.unsubscribe(via, target).await {
        Ok(o) => outcome(&st, w, o, w.unsubscribed),
        Err(e) => internal(&st, e),
    }
}
