//! The small pages of the sign-in routes (a message, a refused form): in the
//! site's language, never cached, never leaking a token through `Referer`.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

use crate::error::Error;
use crate::escape::escape as esc;
use crate::routes::html::{page_in, respond};
use crate::state::AppState;

/// No caching, and no `Referer` carrying the token anywhere.
pub(crate) fn private(mut r: Response) -> Response {
    let h = r.headers_mut();
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert(
        header::REFERRER_POLICY,
        // Not `no-referrer`: under it a browser sends `Origin: null` with the
        // button's POST, which the same-site check refuses. `strict-origin`
        // keeps the link (the token) out of every Referer all the same.
        HeaderValue::from_static("strict-origin"),
    );
    r
}

/// A small page saying `text`, with a link back to `back` if given.
pub fn message_page(
    st: &AppState,
    status: StatusCode,
    title: &str,
    text: &str,
    back: Option<&str>,
) -> Response {
    let w = crate::words::sign_in::words(&st.cfg.language);
    let back = back
        .map(|b| format!("<p><a href=\"{}\">{}</a></p>", esc(b), esc(w.back)))
        .unwrap_or_default();
    let body = format!(
        "<main><h1>{}</h1><p>{}</p>{back}</main>",
        esc(title),
        esc(text)
    );
    private(respond(
        status,
        page_in(&st.cfg.language, title, &body),
        None,
    ))
}

/// A refused request from a form, as a page (the JSON error otherwise).
pub fn error_page(st: &AppState, e: Error) -> Response {
    let Some((status, field, message)) = e.public() else {
        return e.into_response();
    };
    let f = crate::words::form::words(&st.cfg.language);
    let message = crate::words::form::refusal(&st.cfg.language, status.as_u16(), field)
        .map(str::to_string)
        .unwrap_or(message);
    let title = format!(
        "{}: {}",
        f.problem_with,
        crate::words::form::field(&st.cfg.language, field)
    );
    let mut r = message_page(st, status, &title, &message, None);
    if let Error::RateLimited { retry_after } = e {
        r.headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from(retry_after));
    }
    r
}
