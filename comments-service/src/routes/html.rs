//! The few HTML pages the service renders itself (form errors, admin), built
//! from escaped strings: every value that reaches HTML passes [`esc`].

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};

use super::submission::Submission;

pub use crate::escape::escape as esc;

/// An HTML answer with the service's headers: a CSP with no scripts at all,
/// forms posting back here only (and redirecting to `site_origin` if given),
/// no framing, no sniffing.
pub fn respond(status: StatusCode, html: String, site_origin: Option<&str>) -> Response {
    let csp = format!(
        "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'{}; frame-ancestors 'none'; base-uri 'none'",
        site_origin.map(|o| format!(" {o}")).unwrap_or_default()
    );
    let mut r = (status, Html(html)).into_response();
    let h = r.headers_mut();
    if let Ok(v) = HeaderValue::from_str(&csp) {
        h.insert(header::CONTENT_SECURITY_POLICY, v);
    }
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
    r
}

/// A complete small page in `lang`, written in its direction.
pub fn page_in(lang: &str, title: &str, body: &str) -> String {
    format!(
        "<!doctype html>\n<html lang=\"{}\" dir=\"{}\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <meta name=\"robots\" content=\"noindex\">\
         <title>{}</title><style>{STYLE}</style></head><body>\n{body}\n</body></html>\n",
        esc(lang),
        crate::words::dir(lang),
        esc(title)
    )
}

const STYLE: &str = "body{font:16px/1.5 system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#222}\
label{display:block;margin-top:.8rem;font-weight:600}input[type=text],input[type=email],input[type=url],input[type=password],textarea{width:100%;box-sizing:border-box;padding:.4rem;font:inherit}\
textarea{min-height:8rem}.error{border-left:4px solid #b00020;padding:.5rem 1rem;background:#fff4f4}\
.hp{position:absolute;left:-9999px}table{border-collapse:collapse;width:100%}td,th{border-bottom:1px solid #ddd;padding:.4rem;vertical-align:top;text-align:left}\
.body{max-width:32rem;overflow-wrap:anywhere}.muted{color:#666;font-size:.9em}nav a{margin-right:1rem}button{font:inherit;padding:.3rem .8rem;margin:.2rem}";

/// The answer to a refused form post: says what is wrong in plain words and
/// gives the reader's text back in a form to send again.
pub fn form_error(
    lang: &str,
    status: StatusCode,
    field: &str,
    message: &str,
    sub: Option<&Submission>,
    back: Option<&str>,
    site_origin: Option<&str>,
) -> Response {
    let w = crate::words::form::words(lang);
    let empty = Submission::default();
    let s = sub.unwrap_or(&empty);
    let v = |o: &Option<String>| esc(o.as_deref().unwrap_or(""));
    let back_link = back
        .map(|b| format!("<p><a href=\"{}\">{}</a></p>", esc(b), esc(w.back)))
        .unwrap_or_default();
    let body = format!(
        "<main><h1>{title}</h1>\
         <p class=\"error\" role=\"alert\" id=\"error\" data-field=\"{f}\"><strong>{problem} {words}:</strong> {msg}</p>\
         <p>{kept}</p>\
         <form method=\"post\" action=\"/api/comments\">\
         <input type=\"hidden\" name=\"page\" value=\"{page}\"><input type=\"hidden\" name=\"parent\" value=\"{parent}\">{landing}\
         <label for=\"author\">{l_name}</label><input type=\"text\" id=\"author\" name=\"author\" value=\"{author}\" required>\
         <label for=\"email\">{l_email}</label><input type=\"email\" id=\"email\" name=\"email\" value=\"{email}\">\
         <label for=\"website\">{l_website}</label><input type=\"url\" id=\"website\" name=\"website\" value=\"{website}\">\
         <div class=\"hp\" aria-hidden=\"true\"><label for=\"homepage\">{l_hp}</label><input type=\"text\" id=\"homepage\" name=\"homepage\" tabindex=\"-1\" autocomplete=\"off\"></div>\
         <label for=\"body\">{l_body}</label><textarea id=\"body\" name=\"body\" required>{text}</textarea>\
         <p><button type=\"submit\">{send}</button></p></form>{back_link}</main>",
        title = esc(w.title),
        // the form sent again lands where the first one asked to
        landing = if s.landing.as_deref() == Some("posted") {
            "<input type=\"hidden\" name=\"landing\" value=\"posted\">"
        } else {
            ""
        },
        problem = esc(w.problem_with),
        kept = esc(w.kept),
        l_name = esc(w.name),
        l_email = esc(w.email),
        l_website = esc(w.website),
        l_hp = esc(w.honeypot),
        l_body = esc(w.comment),
        send = esc(w.send_again),
        f = esc(field),
        words = esc(crate::words::form::field(lang, field)),
        msg = esc(message),
        page = v(&s.page),
        parent = v(&s.parent),
        author = v(&s.author),
        email = v(&s.email),
        website = v(&s.website),
        text = v(&s.body),
    );
    respond(status, page_in(lang, w.title, &body), site_origin)
}
