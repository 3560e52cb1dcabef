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

/// Opaque near-black behind light text (contrast above 14:1). Every element
/// sets both its colour and its background: the page's own CSS (a theme's
/// `pre { background: … }`) must not make the text pale on light grey.
const BOX: &str = "position:fixed;inset:0;z-index:2147483647;overflow:auto;margin:0;padding:2rem;background:#161616;color:#fff0f0;font:14px/1.5 ui-monospace,monospace;text-align:left;direction:ltr";
const HEADING: &str =
    "margin:0 0 1rem;padding:0;background:#161616;color:#ffb4b4;font:700 1.4rem/1.3 sans-serif";
const TEXT: &str = "margin:0 0 1rem;padding:0;background:#161616;color:#fff0f0;font:inherit";
const LIST: &str = "margin:0;padding:1rem;border:0;border-radius:4px;background:#000000;color:#fff0f0;font:inherit;white-space:pre-wrap;overflow-wrap:anywhere";

/// The overlay markup for a list of problems.
pub fn markup(errors: &[String]) -> String {
    let mut s = format!(
        "<div id=\"causerie-error-overlay\" role=\"alert\" style=\"{BOX}\"><h2 style=\"{HEADING}\">Build failed</h2><p style=\"{TEXT}\">The site shows its last good build. Fix these and save; this page reloads by itself.</p><pre style=\"{LIST}\">",
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

#[cfg(test)]
mod tests {
    use super::*;

    /// WCAG relative luminance of `#rrggbb`.
    fn luminance(hex: &str) -> f64 {
        let c = |i: usize| {
            let v = f64::from(u8::from_str_radix(&hex[i..i + 2], 16).unwrap()) / 255.0;
            if v <= 0.03928 {
                v / 12.92
            } else {
                ((v + 0.055) / 1.055).powf(2.4)
            }
        };
        0.2126 * c(1) + 0.7152 * c(3) + 0.0722 * c(5)
    }

    fn value<'a>(style: &'a str, prop: &str) -> &'a str {
        style
            .split(';')
            .find_map(|d| d.strip_prefix(prop))
            .unwrap_or_else(|| panic!("{prop} missing in {style}"))
    }

    #[test]
    fn every_part_sets_its_own_colours_with_aaa_contrast() {
        for style in [BOX, HEADING, TEXT, LIST] {
            let (fg, bg) = (
                luminance(value(style, "color:")),
                luminance(value(style, "background:")),
            );
            let ratio = (fg.max(bg) + 0.05) / (fg.min(bg) + 0.05);
            assert!(ratio >= 7.0, "{style}: contrast {ratio:.1}");
        }
        let html = markup(&["a.md:1: <b>".into()]);
        assert!(html.contains("a.md:1: &lt;b&gt;"));
        assert_eq!(html.matches("style=").count(), 4);
    }
}
