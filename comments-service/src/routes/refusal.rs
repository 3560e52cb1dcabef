//! The answer to a refused comment, in the site's language: the JSON error
//! embed.js shows, or the no-JS page giving the text back.

use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use serde_json::json;

use crate::error::Error;
use crate::model::PagePath;
use crate::routes::html;
use crate::routes::submission::Submission;
use crate::state::AppState;

/// The answer to a refused post: JSON error, or the HTML page for forms.
pub fn refused(st: &AppState, e: Error, wants_json: bool, sub: Option<&Submission>) -> Response {
    let lang = st.cfg.language.as_str();
    let Some((status, field, message)) = e.public() else {
        return e.into_response();
    };
    // in the site's language (English keeps the detailed message)
    let message = crate::words::form::refusal(lang, status.as_u16(), field)
        .map(str::to_string)
        .unwrap_or(message);
    if wants_json {
        let body = json!({"error": {"field": field, "message": message}});
        let mut r = (status, axum::Json(body)).into_response();
        if let Error::RateLimited { retry_after } = e {
            r.headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(retry_after));
        }
        return r;
    }
    let back = sub
        .and_then(|s| s.page.as_deref())
        .and_then(|p| PagePath::parse(p, &st.cfg.site_url).ok())
        .and_then(|p| st.cfg.site_url.join(p.as_str()).ok())
        .map(|u| u.to_string());
    let mut r = html::form_error(
        lang,
        status,
        field,
        &message,
        sub,
        back.as_deref(),
        Some(&st.cfg.site_origin),
    );
    if let Error::RateLimited { retry_after } = e {
        r.headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from(retry_after));
    }
    r
}
