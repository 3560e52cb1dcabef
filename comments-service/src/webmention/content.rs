//! From a verified source page to the fields of a stored mention: the kind
//! (from the h-entry's `in-reply-to`/`like-of`/`repost-of`/`bookmark-of`),
//! the author, a sanitized body cut to a readable excerpt, the date.
//!
//! Everything here comes from a stranger's page, so text is made plain,
//! HTML goes through one ammonia allow-list, URLs must be http(s), and an
//! author photo is kept only when the operator chose to expose photos.

use std::collections::HashSet;

use ammonia::{Builder, UrlRelative};
use url::Url;

use super::mf2::{self, Item, Value};
use crate::model::{Kind, plain_text, safe_url};

/// Content longer than this (in characters of text) becomes an excerpt.
pub const MAX_CONTENT_CHARS: usize = 600;
/// Length of an excerpt.
pub const EXCERPT_CHARS: usize = 280;

/// The display fields of a mention.
#[derive(Debug, Clone, PartialEq)]
pub struct MentionContent {
    pub kind: Kind,
    pub author: String,
    pub website: Option<String>,
    pub author_photo: Option<String>,
    pub url: Option<String>,
    pub content_html: String,
    pub published_us: Option<i64>,
}

/// The HTML policy for mention bodies. The ammonia builder is made per
/// call because relative links resolve against each source's own URL.
#[derive(Debug, Default)]
pub struct Sanitizer;

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
];

impl Sanitizer {
    pub fn new() -> Self {
        Sanitizer
    }

    /// Cleans `html` from the page at `base` (relative links made absolute).
    pub fn clean(&self, html: &str, base: &Url) -> String {
        let mut attrs = std::collections::HashMap::new();
        attrs.insert("a", ["href"].into_iter().collect::<HashSet<_>>());
        Builder::empty()
            .tags(TAGS.iter().copied().collect())
            .tag_attributes(attrs)
            .url_schemes(["http", "https"].into_iter().collect())
            .url_relative(UrlRelative::RewriteWithBase(base.clone()))
            .link_rel(Some("nofollow ugc noopener"))
            .strip_comments(true)
            .clean(html)
            .to_string()
    }
}

/// What the receiver knows besides the page.
pub struct Context<'a> {
    /// The page's URL after redirects.
    pub page_url: &'a Url,
    /// The Webmention target (a page of our site).
    pub target: &'a Url,
    /// Text around the link to the target, for pages without content.
    pub link_excerpt: Option<String>,
    /// Keep the author's photo URL (privacy: off unless configured).
    pub expose_photos: bool,
    /// A pingback: always a `mention` with the excerpt around the link.
    pub pingback: bool,
}

/// Reads the source's first h-entry (if any) into display fields.
pub fn extract(html: &str, ctx: &Context<'_>, sanitizer: &Sanitizer) -> MentionContent {
    let items = mf2::parse(html, ctx.page_url);
    let entry = mf2::first_entry(&items);
    let kind = if ctx.pingback {
        Kind::Mention
    } else {
        entry.map_or(Kind::Mention, |e| kind_of(e, ctx.target))
    };
    let (author, website, photo) = entry.and_then(|e| author_of(e, &items)).unwrap_or_default();
    let author = match plain_text(&author, 80) {
        a if !a.is_empty() => a,
        _ => ctx.page_url.host_str().unwrap_or("someone").to_string(),
    };
    let content_html = if ctx.pingback {
        excerpt_html(ctx.link_excerpt.as_deref().unwrap_or(""))
    } else {
        body_of(entry, kind, ctx, sanitizer)
    };
    MentionContent {
        kind,
        author,
        website: website.as_deref().and_then(safe_url),
        author_photo: photo
            .as_deref()
            .filter(|_| ctx.expose_photos)
            .and_then(safe_url),
        url: entry.and_then(|e| e.text("url")).and_then(safe_url),
        content_html,
        published_us: entry.and_then(|e| e.text("published")).and_then(parse_date),
    }
}

fn same_url(a: &str, b: &Url) -> bool {
    match Url::parse(a.trim()) {
        Ok(mut a) => {
            a.set_fragment(None);
            let mut b = b.clone();
            b.set_fragment(None);
            a == b
        }
        Err(_) => false,
    }
}

/// The kind, from which property of the entry names the target.
pub fn kind_of(entry: &Item, target: &Url) -> Kind {
    for (prop, kind) in [
        ("in-reply-to", Kind::Reply),
        ("like-of", Kind::Like),
        ("repost-of", Kind::Repost),
        ("bookmark-of", Kind::Bookmark),
    ] {
        if entry.urls(prop).iter().any(|u| same_url(u, target)) {
            return kind;
        }
    }
    Kind::Mention
}

/// (name, url, photo) of the entry's author, falling back to the page's
/// first top-level h-card.
fn author_of(entry: &Item, items: &[Item]) -> Option<(String, Option<String>, Option<String>)> {
    let card_fields = |card: &Item| {
        (
            card.text("name").unwrap_or_default().to_string(),
            card.text("url").map(str::to_string),
            card.text("photo").map(str::to_string),
        )
    };
    match entry.first("author") {
        Some(Value::Item(card, _)) => Some(card_fields(card)),
        Some(v) => {
            let s = v.as_str().trim();
            if s.starts_with("http://") || s.starts_with("https://") {
                Some((String::new(), Some(s.to_string()), None))
            } else {
                Some((s.to_string(), None, None))
            }
        }
        None => items.iter().find(|i| i.is("h-card")).map(card_fields),
    }
}

fn body_of(entry: Option<&Item>, kind: Kind, ctx: &Context<'_>, sanitizer: &Sanitizer) -> String {
    if matches!(kind, Kind::Like | Kind::Repost | Kind::Bookmark)
        && entry.and_then(|e| e.first("content")).is_none()
    {
        return String::new();
    }
    let Some(entry) = entry else {
        return excerpt_html(ctx.link_excerpt.as_deref().unwrap_or(""));
    };
    match entry.first("content") {
        Some(Value::Html { html, text }) => {
            if text.chars().count() > MAX_CONTENT_CHARS {
                excerpt_html(text)
            } else {
                let clean = sanitizer.clean(html, ctx.page_url);
                if clean.trim().is_empty() {
                    excerpt_html(text)
                } else {
                    clean
                }
            }
        }
        Some(v) => excerpt_html(v.as_str()),
        None => {
            let fallback = entry
                .text("summary")
                .or(ctx.link_excerpt.as_deref())
                .or(entry.text("name"))
                .unwrap_or("");
            excerpt_html(fallback)
        }
    }
}

/// `text` cut at a word boundary to [`EXCERPT_CHARS`], escaped, in a `<p>`.
pub fn excerpt_html(text: &str) -> String {
    let text = excerpt(text, EXCERPT_CHARS);
    if text.is_empty() {
        return String::new();
    }
    format!("<p>{}</p>", crate::escape::escape(&text))
}

/// `text` with whitespace squeezed, cut at a word boundary with "…".
pub fn excerpt(text: &str, max_chars: usize) -> String {
    let squeezed: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if squeezed.chars().count() <= max_chars {
        return squeezed;
    }
    let cut: String = squeezed.chars().take(max_chars).collect();
    let cut = match cut.rfind(' ') {
        Some(i) if i > max_chars / 2 => &cut[..i],
        _ => &cut[..],
    };
    format!("{}…", cut.trim_end_matches([',', '.', ';', ':', ' ']))
}

/// RFC 3339 (or a bare date) to microseconds.
fn parse_date(s: &str) -> Option<i64> {
    let s = s.trim();
    if let Ok(t) = s.parse::<jiff::Timestamp>() {
        return Some(t.as_microsecond());
    }
    s.get(..10)
        .and_then(|d| d.parse::<jiff::civil::Date>().ok())
        .and_then(|d| d.to_zoned(jiff::tz::TimeZone::UTC).ok())
        .map(|z| z.timestamp().as_microsecond())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ctx<'a>(page: &'a Url, target: &'a Url) -> Context<'a> {
        Context {
            page_url: page,
            target,
            link_excerpt: Some("see this post for details".into()),
            expose_photos: false,
            pingback: false,
        }
    }

    fn urls() -> (Url, Url) {
        (
            Url::parse("https://alice.example/n/1").unwrap(),
            Url::parse("https://blog.example/posts/hello/").unwrap(),
        )
    }

    fn entry(props: &str) -> String {
        format!(
            r#"<article class="h-entry"><a class="p-author h-card" href="https://alice.example/"><img src="/a.jpg" alt="">Alice</a>{props}</article>"#
        )
    }

    #[test]
    fn kinds_follow_the_property_naming_the_target() {
        let (page, target) = urls();
        let s = Sanitizer::new();
        for (prop, kind) in [
            ("u-in-reply-to", Kind::Reply),
            ("u-like-of", Kind::Like),
            ("u-repost-of", Kind::Repost),
            ("u-bookmark-of", Kind::Bookmark),
        ] {
            let html = entry(&format!(r#"<a class="{prop}" href="{target}#frag">t</a>"#));
            assert_eq!(
                extract(&html, &ctx(&page, &target), &s).kind,
                kind,
                "{prop}"
            );
        }
        let other = entry(r#"<a class="u-in-reply-to" href="https://else.example/">t</a>"#);
        assert_eq!(
            extract(&other, &ctx(&page, &target), &s).kind,
            Kind::Mention
        );
        assert_eq!(
            extract("<p>plain page</p>", &ctx(&page, &target), &s).kind,
            Kind::Mention
        );
    }

    #[test]
    fn hostile_content_is_sanitized_and_names_are_plain() {
        let (page, target) = urls();
        let html = r#"<article class="h-entry"><span class="p-author h-card"><span class="p-name">&lt;b&gt;Eve&lt;/b&gt; "x"</span></span>
            <div class="e-content"><p onclick="x()">Hi <script>alert(1)</script><a href="javascript:alert(1)">j</a>
            <a href="/rel">r</a><img src=x onerror=alert(1)><iframe src="https://evil/"></iframe><style>*{}</style></p></div></article>"#;
        let got = extract(html, &ctx(&page, &target), &Sanitizer::new());
        assert!(
            !got.author.contains('<') && !got.author.contains('"'),
            "{}",
            got.author
        );
        let c = &got.content_html;
        for bad in [
            "script",
            "onclick",
            "javascript:",
            "<img",
            "iframe",
            "style",
            "onerror",
        ] {
            assert!(!c.contains(bad), "{bad} in {c}");
        }
        assert!(c.contains(r#"href="https://alice.example/rel""#), "{c}");
        assert!(c.contains("nofollow"), "{c}");
    }

    #[test]
    fn long_content_becomes_an_excerpt_and_photos_stay_private() {
        let (page, target) = urls();
        let long = "word ".repeat(400);
        let html = entry(&format!(r#"<div class="e-content"><p>{long}</p></div>"#));
        let got = extract(&html, &ctx(&page, &target), &Sanitizer::new());
        assert!(
            got.content_html.chars().count() < EXCERPT_CHARS + 20,
            "{}",
            got.content_html
        );
        assert!(got.content_html.ends_with("…</p>"));
        assert_eq!(got.author, "Alice");
        assert_eq!(got.website.as_deref(), Some("https://alice.example/"));
        assert_eq!(got.author_photo, None);
        let mut c = ctx(&page, &target);
        c.expose_photos = true;
        let got = extract(&html, &c, &Sanitizer::new());
        assert_eq!(
            got.author_photo.as_deref(),
            Some("https://alice.example/a.jpg")
        );
    }

    #[test]
    fn pages_without_microformats_show_the_text_around_the_link() {
        let (page, target) = urls();
        let got = extract("<p>hello</p>", &ctx(&page, &target), &Sanitizer::new());
        assert_eq!(got.content_html, "<p>see this post for details</p>");
        assert_eq!(got.author, "alice.example");
    }

    #[test]
    fn dates_parse() {
        assert_eq!(
            parse_date("2026-11-20T10:00:00Z"),
            Some(1_795_168_800_000_000)
        );
        assert_eq!(
            parse_date("2026-11-20T11:00:00+01:00"),
            Some(1_795_168_800_000_000)
        );
        assert_eq!(parse_date("2026-11-20"), Some(1_795_132_800_000_000));
        assert_eq!(parse_date("soon"), None);
    }
}
