//! Endpoint discovery, exactly as the W3C Webmention Recommendation (§3.1.2)
//! orders it: the first HTTP `Link` header with `rel~=webmention`, else the
//! first `<link>` or `<a>` element with `rel~=webmention` and an `href`, in
//! document order. A real HTML parser (html5ever through `scraper`) reads the
//! page, so commented-out markup, script text and escaped `&lt;a …&gt;` never
//! count. Relative URLs resolve against the URL after redirects; query strings
//! are kept; an empty `href` is the page itself.
//!
//! When no Webmention endpoint is advertised, the Pingback endpoint
//! (`X-Pingback` header, else `<link rel="pingback">`) is the fallback.

use crate::fetch::header::{HeaderMap, LINK};
use scraper::Html;
use url::Url;

/// Where to notify a target, if anywhere.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Endpoint {
    Webmention(Url),
    Pingback(Url),
    None,
}

/// Finds the endpoint of a fetched page (`base` is its URL after redirects).
pub fn discover(
    base: &Url,
    headers: &HeaderMap,
    content_type: Option<&str>,
    body: &[u8],
) -> Endpoint {
    if let Some(url) = link_header_endpoint(base, headers, "webmention") {
        return Endpoint::Webmention(url);
    }
    let html = is_html(content_type).then(|| Html::parse_document(&String::from_utf8_lossy(body)));
    if let Some(url) = html
        .as_ref()
        .and_then(|doc| html_endpoint(base, doc, &["link", "a"], "webmention"))
    {
        return Endpoint::Webmention(url);
    }
    if let Some(url) = headers
        .get("x-pingback")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| base.join(v.trim()).ok())
    {
        return Endpoint::Pingback(url);
    }
    if let Some(url) = html
        .as_ref()
        .and_then(|doc| html_endpoint(base, doc, &["link"], "pingback"))
    {
        return Endpoint::Pingback(url);
    }
    Endpoint::None
}

/// A missing content type is read as HTML (many small servers omit it).
fn is_html(content_type: Option<&str>) -> bool {
    match content_type {
        None => true,
        Some(ct) => ct.to_ascii_lowercase().contains("html"),
    }
}

/// The first `Link` header value whose `rel` list holds `rel`, across all
/// `Link` headers in order.
pub fn link_header_endpoint(base: &Url, headers: &HeaderMap, rel: &str) -> Option<Url> {
    headers
        .get_all(LINK)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(parse_link_header)
        .find(|link| link.rels.iter().any(|r| r.eq_ignore_ascii_case(rel)))
        .and_then(|link| base.join(&link.target).ok())
}

/// One link of an RFC 8288 `Link` header.
#[derive(Debug, PartialEq, Eq)]
pub struct HeaderLink {
    pub target: String,
    pub rels: Vec<String>,
}

/// Parses one `Link` header value: `<a>; rel="x y", <b>; rel=z; title="a, b"`.
/// Commas inside `<…>` or quotes do not split links.
pub fn parse_link_header(value: &str) -> Vec<HeaderLink> {
    let mut links = Vec::new();
    let mut rest = value;
    loop {
        rest = rest.trim_start_matches(|c: char| c == ',' || c.is_whitespace());
        let Some(after_lt) = rest.strip_prefix('<') else {
            break;
        };
        let Some(end) = after_lt.find('>') else {
            break;
        };
        let target = after_lt[..end].trim().to_string();
        rest = &after_lt[end + 1..];
        let mut rels = Vec::new();
        // Parameters until the next top-level comma.
        loop {
            rest = rest.trim_start();
            let Some(after_semi) = rest.strip_prefix(';') else {
                break;
            };
            let (name, after_name) = split_token(after_semi.trim_start());
            rest = after_name.trim_start();
            let mut param_value = String::new();
            if let Some(after_eq) = rest.strip_prefix('=') {
                let (v, after_value) = split_value(after_eq.trim_start());
                param_value = v;
                rest = after_value;
            }
            if name.eq_ignore_ascii_case("rel") && rels.is_empty() {
                rels = param_value
                    .split_ascii_whitespace()
                    .map(str::to_string)
                    .collect();
            }
        }
        links.push(HeaderLink { target, rels });
        // Skip anything unparseable up to the next link.
        match rest.find(',') {
            Some(i) if !rest.trim_start().starts_with('<') => rest = &rest[i..],
            _ => {}
        }
    }
    links
}

fn split_token(s: &str) -> (&str, &str) {
    let end = s
        .find(|c: char| c == '=' || c == ';' || c == ',' || c.is_whitespace())
        .unwrap_or(s.len());
    (&s[..end], &s[end..])
}

fn split_value(s: &str) -> (String, &str) {
    if let Some(quoted) = s.strip_prefix('"') {
        let mut value = String::new();
        let mut chars = quoted.char_indices();
        while let Some((i, c)) = chars.next() {
            match c {
                '\\' => {
                    if let Some((_, escaped)) = chars.next() {
                        value.push(escaped);
                    }
                }
                '"' => return (value, &quoted[i + 1..]),
                _ => value.push(c),
            }
        }
        (value, "")
    } else {
        let (token, rest) = split_token(s);
        (token.to_string(), rest)
    }
}

/// The first element among `names` with `rel~=rel` and an `href`, in
/// document order, resolved against `base`.
fn html_endpoint(base: &Url, doc: &Html, names: &[&str], rel: &str) -> Option<Url> {
    doc.root_element()
        .descendent_elements()
        .filter(|el| names.contains(&el.value().name()))
        .filter(|el| {
            el.value().attr("rel").is_some_and(|r| {
                r.split_ascii_whitespace()
                    .any(|t| t.eq_ignore_ascii_case(rel))
            })
        })
        .find_map(|el| el.value().attr("href"))
        .and_then(|href| base.join(href.trim()).ok())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fetch::header::HeaderValue;

    fn base() -> Url {
        Url::parse("https://example.com/test/1?x=1").unwrap()
    }

    fn headers(values: &[&str]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for v in values {
            h.append(LINK, HeaderValue::from_str(v).unwrap());
        }
        h
    }

    fn wm(u: &str) -> Endpoint {
        Endpoint::Webmention(Url::parse(u).unwrap())
    }

    #[test]
    fn link_header_shapes() {
        let cases: &[(&[&str], &str)] = &[
            (
                &["</a/endpoint>; rel=webmention"],
                "https://example.com/a/endpoint",
            ),
            (
                &["<https://w.example/e>; rel=\"webmention\""],
                "https://w.example/e",
            ),
            (&["<e>; REL=\"WebMention\""], "https://example.com/test/e"),
            (
                &["<x>; rel=\"other\", <y>; rel=\"webmention\""],
                "https://example.com/test/y",
            ),
            (
                &["<x>; rel=\"other webmention\""],
                "https://example.com/test/x",
            ),
            (
                &["<x>; rel=other", "<y>; rel=webmention"],
                "https://example.com/test/y",
            ),
            (
                &["<a,b>; title=\"a, <c>; rel=webmention\"; rel=webmention"],
                "https://example.com/test/a,b",
            ),
            (
                &["<e?q=1&r=2>; rel=webmention"],
                "https://example.com/test/e?q=1&r=2",
            ),
            (&["<>; rel=webmention"], "https://example.com/test/1?x=1"),
        ];
        for (values, expected) in cases {
            let got = discover(&base(), &headers(values), Some("text/html"), b"");
            assert_eq!(got, wm(expected), "{values:?}");
        }
    }

    #[test]
    fn not_webmention_rel_is_ignored() {
        let h = headers(&["<x>; rel=\"not-webmention\""]);
        assert_eq!(
            discover(&base(), &h, Some("text/html"), b""),
            Endpoint::None
        );
    }

    #[test]
    fn link_header_beats_html() {
        let h = headers(&["<header>; rel=webmention"]);
        let body = br#"<link rel="webmention" href="/html">"#;
        assert_eq!(
            discover(&base(), &h, Some("text/html"), body),
            wm("https://example.com/test/header")
        );
    }

    #[test]
    fn html_document_order_and_traps() {
        let cases: &[(&str, &str)] = &[
            (
                r#"<link rel="webmention" href="/e">"#,
                "https://example.com/e",
            ),
            (
                r#"<a rel="webmention" href="e">x</a>"#,
                "https://example.com/test/e",
            ),
            (
                r#"<a rel="webmention" href="/a">x</a><link rel="webmention" href="/l">"#,
                "https://example.com/a",
            ),
            (
                r#"<link rel="webmention" href="/l"><a rel="webmention" href="/a">x</a>"#,
                "https://example.com/l",
            ),
            (
                r#"<!-- <link rel="webmention" href="/c"> --><link rel="webmention" href="/real">"#,
                "https://example.com/real",
            ),
            (
                r#"<code>&lt;a rel="webmention" href="/esc"&gt;</code><a rel="webmention" href="/real">x</a>"#,
                "https://example.com/real",
            ),
            (
                r#"<script>'<link rel="webmention" href="/s">'</script><a rel="webmention" href="/real">x</a>"#,
                "https://example.com/real",
            ),
            (
                r#"<link rel="not-webmention" href="/no"><link rel="webmention" href="/yes">"#,
                "https://example.com/yes",
            ),
            (
                r#"<link rel="webmention"><a rel="webmention" href="/yes">x</a>"#,
                "https://example.com/yes",
            ),
            (
                r#"<link rel="webmention" href="">"#,
                "https://example.com/test/1?x=1",
            ),
            (
                r#"<link rel="me webmention" href="/e?a=1&amp;b=2">"#,
                "https://example.com/e?a=1&b=2",
            ),
        ];
        for (body, expected) in cases {
            let got = discover(
                &base(),
                &HeaderMap::new(),
                Some("text/html; charset=utf-8"),
                body.as_bytes(),
            );
            assert_eq!(got, wm(expected), "{body}");
        }
    }

    #[test]
    fn pingback_is_the_fallback() {
        let body = br#"<link rel="pingback" href="/xmlrpc.php">"#;
        assert_eq!(
            discover(&base(), &HeaderMap::new(), Some("text/html"), body),
            Endpoint::Pingback(Url::parse("https://example.com/xmlrpc.php").unwrap())
        );
        let mut h = HeaderMap::new();
        h.insert(
            "x-pingback",
            HeaderValue::from_static("https://p.example/rpc"),
        );
        assert_eq!(
            discover(&base(), &h, Some("text/html"), body),
            Endpoint::Pingback(Url::parse("https://p.example/rpc").unwrap())
        );
        let both = br#"<link rel="pingback" href="/p"><link rel="webmention" href="/w">"#;
        assert_eq!(
            discover(&base(), &HeaderMap::new(), Some("text/html"), both),
            wm("https://example.com/w")
        );
    }

    #[test]
    fn non_html_bodies_are_not_parsed() {
        let body = br#"<link rel="webmention" href="/e">"#;
        assert_eq!(
            discover(&base(), &HeaderMap::new(), Some("application/json"), body),
            Endpoint::None
        );
    }
}
