//! The build-error overlay: while the last build failed, every HTML page the
//! dev server sends carries a fixed box listing `path:line: message`; the
//! next good build clears it (and the live reload shows the clean page).

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{StatusCode, header};
use axum::middleware::Next;
use axum::response::Response;
use serde::Serialize;
use std::sync::{Arc, Mutex};

use crate::escape::escape;

/// What the browser (and `/_causerie/status`) needs to know about builds.
#[derive(Debug, Default, Clone, Serialize)]
pub struct Status {
    /// Builds finished (good or bad) since the server started.
    pub builds: u64,
    /// Problems of the last build, each `path:line: message`; empty when it succeeded.
    pub errors: Vec<String>,
    /// Output files the last build wrote (relative paths).
    pub changed: Vec<String>,
}

pub type Shared = Arc<Mutex<Status>>;

/// The overlay markup for a list of problems.
pub fn markup(errors: &[String]) -> String {
    let mut s = String::from(
        "<div id=\"causerie-error-overlay\" role=\"alert\" style=\"position:fixed;inset:0;z-index:2147483647;overflow:auto;background:rgba(20,20,20,.94);color:#fdd;font:14px/1.5 ui-monospace,monospace;padding:2rem\"><h2 style=\"color:#f88;margin-top:0\">Build failed</h2><p>The site shows its last good build. Fix these and save; this page reloads by itself.</p><pre style=\"white-space:pre-wrap\">",
    );
    for e in errors {
        s.push_str(&escape(e));
        s.push('\n');
    }
    s.push_str("</pre></div>");
    s
}

/// Middleware: adds the overlay to HTML answers (and answers a missing page
/// with it) while the last build failed.
pub async fn inject(State(status): State<Shared>, req: Request, next: Next) -> Response {
    let res = next.run(req).await;
    let errors = match status.lock() {
        Ok(s) if !s.errors.is_empty() => s.errors.clone(),
        _ => return res,
    };
    let is_html = res
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html"));
    if res.status() == StatusCode::NOT_FOUND && !is_html {
        let page = format!(
            "<!doctype html><html><head><meta charset=\"utf-8\"><title>Build failed</title></head><body>{}</body></html>",
            markup(&errors)
        );
        let mut r = Response::new(Body::from(page));
        *r.status_mut() = StatusCode::NOT_FOUND;
        r.headers_mut().insert(
            header::CONTENT_TYPE,
            header::HeaderValue::from_static("text/html; charset=utf-8"),
        );
        return r;
    }
    if !is_html {
        return res;
    }
    let (mut parts, body) = res.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, 64 * 1024 * 1024).await else {
        return Response::from_parts(parts, Body::empty());
    };
    let mut html = String::from_utf8_lossy(&bytes).into_owned();
    let overlay = markup(&errors);
    match html.rfind("</body>") {
        Some(i) => html.insert_str(i, &overlay),
        None => html.push_str(&overlay),
    }
    parts.headers.remove(header::CONTENT_LENGTH);
    Response::from_parts(parts, Body::from(html))
}
