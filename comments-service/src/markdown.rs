//! Comment markdown → sanitized HTML, once, at write time.
//!
//! pulldown-cmark renders a safe subset (raw HTML becomes text, images become
//! links unless allowed) and ammonia cleans the result with one allow-list
//! built at start, so a renderer bug cannot ship markup either.

use std::collections::HashSet;

use ammonia::{Builder, UrlRelative};
use pulldown_cmark::{CowStr, Event, Options, Parser, Tag, TagEnd};

/// Renders comment bodies; build once and share.
pub struct Renderer {
    cleaner: Builder<'static>,
    allow_images: bool,
}

/// A rendered body and how many links it holds (for the spam check).
pub struct Rendered {
    pub html: String,
    pub links: usize,
}

impl Renderer {
    pub fn new(allow_images: bool) -> Self {
        let mut tags: HashSet<&'static str> = [
            "p",
            "br",
            "em",
            "strong",
            "del",
            "code",
            "pre",
            "blockquote",
            "ul",
            "ol",
            "li",
            "a",
            "hr",
        ]
        .into_iter()
        .collect();
        let mut cleaner = Builder::empty();
        let mut attrs = std::collections::HashMap::new();
        attrs.insert("a", ["href", "title"].into_iter().collect::<HashSet<_>>());
        attrs.insert("ol", ["start"].into_iter().collect::<HashSet<_>>());
        if allow_images {
            tags.insert("img");
            attrs.insert("img", ["src", "alt", "title"].into_iter().collect());
        }
        cleaner
            .tags(tags)
            .tag_attributes(attrs)
            .url_schemes(["http", "https"].into_iter().collect())
            .url_relative(UrlRelative::Deny)
            .link_rel(Some("nofollow ugc noopener"))
            .strip_comments(true);
        Renderer {
            cleaner,
            allow_images,
        }
    }

    /// Cleans `html` written elsewhere (an imported comment) with the same
    /// allow-list as rendered comments, so one policy covers both.
    pub fn clean_html(&self, html: &str) -> String {
        self.cleaner.clean(html).to_string()
    }

    /// Renders `md` to clean HTML.
    pub fn render(&self, md: &str) -> Rendered {
        let opts = Options::ENABLE_STRIKETHROUGH;
        let mut links = 0usize;
        let mut in_link = 0usize;
        let allow_images = self.allow_images;
        let events = Parser::new_ext(md, opts).map(|ev| match ev {
            // Raw HTML is shown as the text it is, never interpreted.
            Event::Html(s) | Event::InlineHtml(s) => Event::Text(s),
            // ...and a raw HTML block reads as the paragraph the reader typed.
            Event::Start(Tag::HtmlBlock) => Event::Start(Tag::Paragraph),
            Event::End(TagEnd::HtmlBlock) => Event::End(TagEnd::Paragraph),
            Event::Start(Tag::Link { .. }) => {
                links += 1;
                in_link += 1;
                ev
            }
            Event::End(TagEnd::Link) => {
                in_link = in_link.saturating_sub(1);
                ev
            }
            Event::Start(Tag::Image {
                link_type,
                dest_url,
                title,
                id,
            }) if !allow_images => {
                links += 1;
                Event::Start(Tag::Link {
                    link_type,
                    dest_url,
                    title,
                    id,
                })
            }
            Event::End(TagEnd::Image) if !allow_images => Event::End(TagEnd::Link),
            Event::Start(Tag::Heading { .. }) => Event::Start(Tag::Paragraph),
            Event::End(TagEnd::Heading(_)) => Event::End(TagEnd::Paragraph),
            Event::Text(t) => {
                if in_link == 0 {
                    links += t.matches("://").count();
                }
                Event::Text(t)
            }
            Event::InlineMath(s) | Event::DisplayMath(s) => {
                Event::Text(CowStr::from(s.to_string()))
            }
            other => other,
        });
        let mut raw = String::with_capacity(md.len() * 2);
        pulldown_cmark::html::push_html(&mut raw, events);
        Rendered {
            html: self.cleaner.clean(&raw).to_string(),
            links,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn raw_html_is_text() {
        let r =
            Renderer::new(false).render("<script>alert(1)</script> <img src=x onerror=alert(1)>");
        assert!(
            !r.html.contains("<script") && !r.html.contains("<img"),
            "{}",
            r.html
        );
        assert!(r.html.contains("&lt;script&gt;"), "{}", r.html);
    }

    #[test]
    fn a_raw_html_block_stays_a_paragraph() {
        let r = Renderer::new(false).render("<div onclick=x>hi</div>\n\nthere");
        assert_eq!(
            r.html,
            "<p>&lt;div onclick=x&gt;hi&lt;/div&gt;\n</p>\n<p>there</p>\n"
        );
    }

    #[test]
    fn links_get_rel_and_only_http() {
        let r = Renderer::new(false)
            .render("[a](https://x.example/) [b](javascript:alert(1)) [c](/rel)");
        assert!(
            r.html.contains(r#"rel="nofollow ugc noopener""#),
            "{}",
            r.html
        );
        assert!(!r.html.contains("javascript:"), "{}", r.html);
        assert!(!r.html.contains("href=\"/rel\""), "{}", r.html);
        assert_eq!(r.links, 3);
    }

    #[test]
    fn images_become_links_unless_allowed() {
        let r = Renderer::new(false).render("![cat](https://x.example/c.png)");
        assert!(
            !r.html.contains("<img") && r.html.contains("<a "),
            "{}",
            r.html
        );
        let r = Renderer::new(true).render("![cat](https://x.example/c.png)");
        assert!(r.html.contains("<img"), "{}", r.html);
    }

    #[test]
    fn bare_urls_count_as_links() {
        assert_eq!(
            Renderer::new(false)
                .render("see http://a.example and https://b.example")
                .links,
            2
        );
    }
}
