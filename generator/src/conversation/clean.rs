//! A second, strict clean of `body_html`. The service sanitises bodies when
//! it stores them; cleaning again here means a service bug, an old database
//! or a tampered cache still cannot put script into a static page.

use ammonia::{Builder, UrlRelative};
use std::collections::{HashMap, HashSet};
use std::sync::LazyLock;

/// Tags a comment or mention body may keep: the union of what the service's
/// comment markdown and mention excerpts produce. No headings (they would
/// break the page's outline), no forms, no media besides images.
const TAGS: &[&str] = &[
    "p",
    "br",
    "em",
    "strong",
    "b",
    "i",
    "del",
    "code",
    "pre",
    "blockquote",
    "ul",
    "ol",
    "li",
    "a",
    "hr",
    "img",
];

static CLEANER: LazyLock<Builder<'static>> = LazyLock::new(|| {
    let mut attrs: HashMap<&'static str, HashSet<&'static str>> = HashMap::new();
    attrs.insert("a", ["href", "title"].into_iter().collect());
    attrs.insert("ol", ["start"].into_iter().collect());
    attrs.insert("img", ["src", "alt", "title"].into_iter().collect());
    let mut b = Builder::empty();
    b.tags(TAGS.iter().copied().collect())
        .tag_attributes(attrs)
        .url_schemes(["http", "https"].into_iter().collect())
        .url_relative(UrlRelative::Deny)
        .link_rel(Some("nofollow ugc noopener"))
        .strip_comments(true);
    b
});

/// `html` with everything outside the allow-list removed.
pub fn body(html: &str) -> String {
    CLEANER.clean(html).to_string()
}

#[cfg(test)]
mod tests {
    #[test]
    fn hostile_markup_is_removed() {
        let dirty = r#"<p>ok <a href="javascript:alert(1)">x</a><img src=x onerror=alert(1)><svg onload=alert(1)></svg><iframe src="https://e.example"></iframe><h1>big</h1><a href="https://e.example/">fine</a></p>"#;
        let clean = super::body(dirty);
        for bad in ["javascript", "onerror", "onload", "svg", "iframe", "<h1"] {
            assert!(!clean.contains(bad), "{bad} survived: {clean}");
        }
        assert!(
            clean.contains(r#"<a href="https://e.example/" rel="nofollow ugc noopener">fine</a>"#),
            "{clean}"
        );
    }
}
