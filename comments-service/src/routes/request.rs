//! What every write route checks of a request before reading it: its size,
//! and that a form post comes from the site.

use axum::body::{Body, Bytes};
use axum::http::{HeaderMap, StatusCode, header};

use crate::error::{Error, Result};
use crate::state::AppState;

/// Reads a body of at most `limit` bytes (413 naming `body` beyond).
pub async fn read_body(body: Body, headers: &HeaderMap, limit: usize) -> Result<Bytes> {
    let too_big = || {
        Error::field(
            StatusCode::PAYLOAD_TOO_LARGE,
            "body",
            format!("the request is larger than {limit} bytes"),
        )
    };
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    if declared.is_some_and(|n| n > limit) {
        return Err(too_big());
    }
    axum::body::to_bytes(body, limit)
        .await
        .map_err(|_| too_big())
}

/// Refuses a form post whose `Origin` (or `Referer`) names another site.
/// The service's own pages (the form-error page) count as the site.
pub fn same_site(state: &AppState, headers: &HeaderMap) -> Result<()> {
    let named = match headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()) {
        Some(o) => Some(o.to_string()),
        None => headers
            .get(header::REFERER)
            .and_then(|v| v.to_str().ok())
            .map(|r| {
                url::Url::parse(r)
                    .map(|u| u.origin().ascii_serialization())
                    .unwrap_or_else(|_| "null".into())
            }),
    };
    let Some(origin) = named else { return Ok(()) };
    if origin.eq_ignore_ascii_case(&state.cfg.site_origin) {
        return Ok(());
    }
    let host = headers.get(header::HOST).and_then(|v| v.to_str().ok());
    if let (Ok(u), Some(host)) = (url::Url::parse(&origin), host) {
        let authority = match (u.host_str(), u.port()) {
            (Some(h), Some(p)) => format!("{h}:{p}"),
            (Some(h), None) => h.to_string(),
            _ => String::new(),
        };
        if !authority.is_empty() && authority.eq_ignore_ascii_case(host) {
            return Ok(());
        }
    }
    Err(Error::field(
        StatusCode::FORBIDDEN,
        "origin",
        "this form was sent from another site",
    ))
}
