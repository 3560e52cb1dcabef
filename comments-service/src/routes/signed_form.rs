//! `GET /auth/comment?page=PATH[&parent=ID]`: the comment form of a
//! signed-in reader without JavaScript. A static page cannot know the
//! session's CSRF token, so its "comment" link opens this page on the
//! service, whose form carries the token (and `landing=posted`, so the post
//! lands on `/posted/<id>`), with a sign-out button beside it. Its forms
//! name their targets relative to this page, so they work wherever the
//! reverse proxy mounts the service.

use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

use crate::auth::session;
use crate::escape::escape as esc;
use crate::model::PagePath;
use crate::routes::auth_pages::message_page;
use crate::routes::html::{page_in, respond};
use crate::state::AppState;

/// `GET /auth/comment?page=PATH[&parent=ID]`
pub async fn comment_form(
    State(st): State<AppState>,
    headers: HeaderMap,
    RawQuery(q): RawQuery,
) -> Response {
    let mut page = String::new();
    let mut parent = String::new();
    for (k, v) in url::form_urlencoded::parse(q.as_deref().unwrap_or("").as_bytes()) {
        match k.as_ref() {
            "page" => page = v.into_owned(),
            "parent" => parent = v.chars().filter(char::is_ascii_digit).collect(),
            _ => {}
        }
    }
    let page = match PagePath::parse(&page, &st.cfg.site_url) {
        Ok(p) => p,
        Err(e) => return crate::routes::auth_pages::error_page(&st, e),
    };
    let back = st
        .cfg
        .site_url
        .join(page.as_str())
        .map(|u| u.to_string())
        .unwrap_or_else(|_| st.cfg.site_url.to_string());
    let w = crate::words::sign_in::words(&st.cfg.language);
    let s = match session::current(&st, &headers).await {
        Ok(Some(s)) => s,
        Ok(None) => {
            return message_page(
                &st,
                StatusCode::UNAUTHORIZED,
                w.confirm_title,
                w.required,
                Some(&back),
            );
        }
        Err(e) => return e.into_response(),
    };
    let f = crate::words::form::words(&st.cfg.language);
    let name = if s.identity.name.trim().is_empty() {
        format!(
            "<label for=\"author\">{}</label><input type=\"text\" id=\"author\" name=\"author\" required maxlength=\"100\">",
            esc(f.name)
        )
    } else {
        format!("<p>{}</p>", esc(&s.identity.name))
    };
    let body = format!(
        "<main><h1>{title}</h1>\
         <form method=\"post\" action=\"../api/comments\">\
         <input type=\"hidden\" name=\"page\" value=\"{page}\">\
         <input type=\"hidden\" name=\"parent\" value=\"{parent}\">\
         <input type=\"hidden\" name=\"csrf\" value=\"{csrf}\">\
         <input type=\"hidden\" name=\"landing\" value=\"posted\">\
         {name}<label for=\"body\">{comment}</label><textarea id=\"body\" name=\"body\" required></textarea>\
         <button type=\"submit\">{send}</button></form>\
         <form method=\"post\" action=\"sign-out\">\
         <input type=\"hidden\" name=\"csrf\" value=\"{csrf}\">\
         <input type=\"hidden\" name=\"return\" value=\"{back}\">\
         <button type=\"submit\">{out}</button></form>\
         <p><a href=\"{back}\">{back_word}</a></p></main>",
        title = esc(f.comment),
        page = esc(page.as_str()),
        parent = esc(&parent),
        csrf = esc(&s.csrf),
        comment = esc(f.comment),
        send = esc(w.send),
        back = esc(&back),
        out = esc(w.sign_out),
        back_word = esc(w.back),
    );
    let mut r = respond(
        StatusCode::OK,
        page_in(&st.cfg.language, f.comment, &body),
        Some(&st.cfg.site_origin),
    );
    r.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    r
}
