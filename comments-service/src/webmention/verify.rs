//! Verification (W3C Webmention §3.2.2): fetch the source through the
//! guarded client, and keep the mention only if the source links to the
//! target. A source that answers 410 or 404, or no longer links, removes the
//! mention it made before.

use scraper::{ElementRef, Html};
use url::Url;

use super::content::{self, Context, MentionContent, Sanitizer};
use crate::fetch::{FetchError, Fetched, Fetcher};

/// The reason given when the source does not link to the target.
pub const NO_LINK: &str = "the source does not link to the target";

/// What to do with a (source, target) after fetching the source.
#[derive(Debug)]
pub enum Verdict {
    /// The source links to the target: store (or update) this.
    Store(Box<MentionContent>),
    /// The source is gone or no longer links: remove any stored mention.
    Remove(&'static str),
    /// Refused or unreadable for good: drop the request, keep what is stored.
    Drop(String),
    /// A passing failure (timeout, 5xx): try again later.
    Retry(String),
}

/// Settings of one verification.
pub struct Check<'a> {
    pub fetcher: &'a Fetcher,
    pub sanitizer: &'a Sanitizer,
    pub expose_photos: bool,
    pub pingback: bool,
}

/// Fetches `source` and decides.
pub async fn verify(check: &Check<'_>, source: &str, target: &Url) -> Verdict {
    let fetched = match check.fetcher.get(source).await {
        Ok(f) => f,
        Err(e @ (FetchError::Timeout(_) | FetchError::Transport { .. })) => {
            return Verdict::Retry(e.to_string());
        }
        Err(e) => return Verdict::Drop(e.to_string()),
    };
    match fetched.status {
        410 => return Verdict::Remove("the source is gone (410)"),
        404 => return Verdict::Remove("the source is not found (404)"),
        200..=299 => {}
        s if s >= 500 => return Verdict::Retry(format!("the source answered {s}")),
        s => return Verdict::Drop(format!("the source answered {s}")),
    }
    let found = find_link(&fetched, target);
    if !found.linked {
        return Verdict::Remove(NO_LINK);
    }
    let html = if found.is_html {
        fetched.text()
    } else {
        String::new()
    };
    let ctx = Context {
        page_url: &fetched.final_url,
        target,
        link_excerpt: found.excerpt,
        expose_photos: check.expose_photos,
        pingback: check.pingback,
    };
    Verdict::Store(Box::new(content::extract(&html, &ctx, check.sanitizer)))
}

/// Whether the source links to the target, and the text around the link.
#[derive(Debug, Default)]
pub struct Found {
    pub linked: bool,
    pub is_html: bool,
    pub excerpt: Option<String>,
}

/// HTML: an `href` or `src` that resolves to the target (fragment aside).
/// Plain text, JSON and anything else: the target's text appears.
pub fn find_link(fetched: &Fetched, target: &Url) -> Found {
    let ct = fetched
        .content_type
        .as_deref()
        .unwrap_or("text/html")
        .to_ascii_lowercase();
    let text = fetched.text();
    if !ct.contains("html") {
        let at = text.find(target.as_str());
        return Found {
            linked: at.is_some(),
            is_html: false,
            excerpt: at.map(|i| around(&text, i, target.as_str().len())),
        };
    }
    let doc = Html::parse_document(&text);
    let mut wanted = target.clone();
    wanted.set_fragment(None);
    let hit = doc.root_element().descendent_elements().find(|el| {
        ["href", "src"].iter().any(|a| {
            el.value()
                .attr(a)
                .and_then(|v| fetched.final_url.join(v.trim()).ok())
                .is_some_and(|mut u| {
                    u.set_fragment(None);
                    u == wanted
                })
        })
    });
    Found {
        linked: hit.is_some(),
        is_html: true,
        excerpt: hit.map(block_excerpt),
    }
}

/// The text of the nearest block around the link, cut around the link.
fn block_excerpt(link: ElementRef<'_>) -> String {
    let link_text: String = link.text().collect::<String>();
    let mut block = link;
    for ancestor in link.ancestors().filter_map(ElementRef::wrap) {
        block = ancestor;
        if matches!(
            ancestor.value().name(),
            "p" | "li" | "blockquote" | "td" | "dd" | "article" | "section" | "div" | "body"
        ) {
            break;
        }
    }
    let text: String = block
        .text()
        .collect::<String>()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    let link_text = link_text.split_whitespace().collect::<Vec<_>>().join(" ");
    match text.find(&link_text).filter(|_| !link_text.is_empty()) {
        Some(i) => around(&text, i, link_text.len()),
        None => content::excerpt(&text, content::EXCERPT_CHARS),
    }
}

/// About 120 characters either side of `text[at..at+len]`, at word bounds.
fn around(text: &str, at: usize, len: usize) -> String {
    const SIDE: usize = 120;
    let start = text[..at]
        .char_indices()
        .rev()
        .nth(SIDE)
        .map(|(i, _)| i)
        .unwrap_or(0);
    let end_from = (at + len).min(text.len());
    let end = text[end_from..]
        .char_indices()
        .nth(SIDE)
        .map(|(i, _)| end_from + i)
        .unwrap_or(text.len());
    let mut s = text[start..end].trim().to_string();
    if start > 0 {
        s = format!("…{}", s.split_once(' ').map_or(s.as_str(), |(_, r)| r));
    }
    if end < text.len() {
        s = format!("{}…", s.rsplit_once(' ').map_or(s.as_str(), |(l, _)| l));
    }
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fetch::header::HeaderMap;

    fn fetched(ct: &str, body: &str) -> Fetched {
        Fetched {
            final_url: Url::parse("https://alice.example/notes/1").unwrap(),
            status: 200,
            content_type: Some(ct.into()),
            headers: HeaderMap::new(),
            body: body.as_bytes().to_vec(),
        }
    }

    fn target() -> Url {
        Url::parse("https://blog.example/posts/hello/").unwrap()
    }

    #[test]
    fn html_links_count_by_href_or_src_only() {
        let yes = [
            r#"<p>I liked <a href="https://blog.example/posts/hello/">this</a>.</p>"#,
            r#"<a href="https://blog.example/posts/hello/#comments">x</a>"#,
            r#"<img src="https://blog.example/posts/hello/">"#,
        ];
        for body in yes {
            assert!(
                find_link(&fetched("text/html", body), &target()).linked,
                "{body}"
            );
        }
        let no = [
            r#"<p>https://blog.example/posts/hello/ as text</p>"#,
            r#"<!-- <a href="https://blog.example/posts/hello/">x</a> -->"#,
            r#"<a href="https://blog.example/posts/hello/x">x</a>"#,
            r#"<a data-href="https://blog.example/posts/hello/">x</a>"#,
        ];
        for body in no {
            assert!(
                !find_link(&fetched("text/html", body), &target()).linked,
                "{body}"
            );
        }
    }

    #[test]
    fn text_and_json_sources_match_the_text() {
        let f = fetched(
            "application/json",
            r#"{"link": "https://blog.example/posts/hello/"}"#,
        );
        assert!(find_link(&f, &target()).linked);
        let f = fetched("text/plain", "see https://blog.example/posts/other/");
        assert!(!find_link(&f, &target()).linked);
    }

    #[test]
    fn excerpt_is_the_text_around_the_link() {
        let before = "lorem ".repeat(60);
        let body = format!(
            r#"<article><p>{before} I wrote about <a href="https://blog.example/posts/hello/">Bob's post</a> yesterday.</p></article>"#
        );
        let found = find_link(&fetched("text/html", &body), &target());
        let ex = found.excerpt.unwrap();
        assert!(
            ex.starts_with('…') && ex.contains("Bob's post yesterday."),
            "{ex}"
        );
        assert!(ex.chars().count() < 260, "{ex}");
    }
}
