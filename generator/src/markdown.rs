//! Markdown → HTML with pulldown-cmark: one entry function, [`render`].
//!
//! It is a pure function of the body text and [`Options`], so its result can
//! be cached by content hash (the incremental rebuild does that). Besides the
//! HTML it returns what later stages need: the summary, the word count and
//! every link with its line, for the link checker.

use pulldown_cmark::{
    CodeBlockKind, CowStr, Event, HeadingLevel, Options as CmOptions, Parser, Tag, TagEnd,
};
use std::collections::HashSet;

use crate::highlight;
use crate::slug::slugify;

pub mod body;
pub use body::{Brief, BriefAt, BriefSource, RenderedBody};

/// What rendering depends on besides the text.
#[derive(Debug, Clone)]
pub struct Options<'a> {
    pub highlight: bool,
    /// Site path of the entry (`/posts/x/`), for relative links in bundles.
    pub page_path: &'a str,
    /// Prefix for root-relative links (`/` unless the site lives in a subpath).
    pub base_path: &'a str,
    /// Line in the file where the body starts.
    pub first_line: usize,
}

const MORE: &str = "<!--causerie:more-->\n";
const FIRST: &str = "<!--causerie:first-->\n";

/// Renders one markdown body.
pub fn render(body: &str, opts: &Options<'_>) -> RenderedBody {
    let cm = CmOptions::ENABLE_TABLES
        | CmOptions::ENABLE_FOOTNOTES
        | CmOptions::ENABLE_STRIKETHROUGH
        | CmOptions::ENABLE_TASKLISTS
        | CmOptions::ENABLE_SMART_PUNCTUATION
        | CmOptions::ENABLE_HEADING_ATTRIBUTES;
    // Lines are counted only where a link needs one, walking forward.
    let bytes = body.as_bytes();
    let mut line_cursor = (0usize, opts.first_line);
    let mut line_at = |off: usize| {
        let (pos, line) = line_cursor;
        let (from, base) = if off >= pos {
            (pos, line)
        } else {
            (0, opts.first_line)
        };
        let end = off.min(bytes.len());
        let n = bytes[from..end].iter().filter(|&&b| b == b'\n').count();
        line_cursor = (end, base + n);
        base + n
    };

    let mut out: Vec<Event<'_>> = Vec::with_capacity(256);
    let mut links = Vec::new();
    let mut words = 0usize;
    let mut ids: HashSet<String> = HashSet::new();
    let mut depth = 0usize;
    let mut first_done = false;
    let mut has_more = false;
    // Open heading: level, explicit id, classes, collected events, text.
    let mut heading: Option<(HeadingLevel, Option<String>, Vec<Event<'_>>, String)> = None;
    // Open fenced code block: language, code.
    let mut code: Option<(String, String)> = None;

    for (ev, range) in Parser::new_ext(body, cm).into_offset_iter() {
        if let Some((lang, buf)) = &mut code {
            match ev {
                Event::Text(t) => buf.push_str(&t),
                Event::End(TagEnd::CodeBlock) => {
                    let html = code_block(lang, buf, opts.highlight);
                    out.push(Event::Html(html.into()));
                    code = None;
                    depth -= 1;
                }
                _ => {}
            }
            continue;
        }
        let ev = match ev {
            Event::Start(Tag::CodeBlock(kind)) => {
                depth += 1;
                let lang = match kind {
                    CodeBlockKind::Fenced(info) => {
                        info.split([' ', ',', '{']).next().unwrap_or("").to_string()
                    }
                    CodeBlockKind::Indented => String::new(),
                };
                code = Some((lang, String::new()));
                continue;
            }
            Event::Start(Tag::Link {
                link_type,
                dest_url,
                title,
                id,
            }) => {
                links.push((dest_url.to_string(), line_at(range.start)));
                let dest_url = rewrite_url(dest_url, opts);
                Event::Start(Tag::Link {
                    link_type,
                    dest_url,
                    title,
                    id,
                })
            }
            Event::Start(Tag::Image {
                link_type,
                dest_url,
                title,
                id,
            }) => {
                links.push((dest_url.to_string(), line_at(range.start)));
                let dest_url = rewrite_url(dest_url, opts);
                Event::Start(Tag::Image {
                    link_type,
                    dest_url,
                    title,
                    id,
                })
            }
            Event::Text(ref t) | Event::Code(ref t) => {
                words += t.split_whitespace().count();
                if let Some(h) = &mut heading {
                    h.3.push_str(t);
                }
                ev
            }
            Event::Html(ref h) | Event::InlineHtml(ref h) if h.trim() == "<!-- more -->" => {
                if !has_more {
                    has_more = true;
                    out.push(Event::Html(MORE.into()));
                }
                continue;
            }
            other => other,
        };
        match &ev {
            Event::Start(Tag::Heading { level, id, .. }) => {
                heading = Some((
                    *level,
                    id.as_ref().map(|s| s.to_string()),
                    Vec::new(),
                    String::new(),
                ));
                continue;
            }
            Event::End(TagEnd::Heading(_)) => {
                if let Some((level, id, inner, text)) = heading.take() {
                    let base = id.unwrap_or_else(|| {
                        let s = slugify(&text);
                        if s.is_empty() { "section".into() } else { s }
                    });
                    let mut anchor = base.clone();
                    let mut n = 1;
                    while !ids.insert(anchor.clone()) {
                        anchor = format!("{base}-{n}");
                        n += 1;
                    }
                    let lvl = level as usize;
                    out.push(Event::Html(format!("<h{lvl} id=\"{anchor}\">").into()));
                    out.extend(inner);
                    out.push(Event::Html(
                        format!(" <a class=\"anchor\" href=\"#{anchor}\" aria-hidden=\"true\" tabindex=\"-1\">#</a></h{lvl}>\n").into(),
                    ));
                }
                continue;
            }
            _ => {}
        }
        if let Some(h) = &mut heading {
            h.2.push(ev);
            continue;
        }
        match &ev {
            Event::Start(_) => depth += 1,
            Event::End(e) => {
                depth = depth.saturating_sub(1);
                if depth == 0 && *e == TagEnd::Paragraph && !first_done {
                    first_done = true;
                    out.push(ev);
                    out.push(Event::Html(FIRST.into()));
                    continue;
                }
            }
            _ => {}
        }
        out.push(ev);
    }

    let mut html = String::with_capacity(body.len() * 3 / 2);
    pulldown_cmark::html::push_html(&mut html, out.into_iter());
    let summary_html;
    if let Some(i) = has_more.then(|| html.find(MORE)).flatten() {
        summary_html = html[..i].replace(FIRST, "");
        html.replace_range(i..i + MORE.len(), "");
    } else if let Some(i) = html.find(FIRST) {
        summary_html = html[..i].to_string();
    } else {
        summary_html = String::new();
    }
    if let Some(i) = html.find(FIRST) {
        html.replace_range(i..i + FIRST.len(), "");
    }
    // Kept for the whole build (10 000 posts): no spare capacity.
    html.shrink_to_fit();
    RenderedBody::new(
        html,
        Brief {
            summary_html,
            has_more,
            words,
            links,
        },
    )
}

/// Relative links in a page resolve against its own URL (bundle assets sit
/// beside it); root-relative links get the site's base path.
fn rewrite_url<'a>(url: CowStr<'a>, opts: &Options<'_>) -> CowStr<'a> {
    let u: &str = &url;
    if u.is_empty()
        || u.starts_with('#')
        || u.contains("://")
        || u.starts_with("//")
        || u.starts_with("mailto:")
        || u.starts_with("tel:")
        || u.starts_with("data:")
    {
        return url;
    }
    if let Some(rest) = u.strip_prefix('/') {
        if opts.base_path == "/" {
            return url;
        }
        return format!("{}{rest}", opts.base_path).into();
    }
    if u.contains(':') && !u.contains('/') {
        return url; // some other scheme
    }
    let joined = resolve(opts.page_path, u);
    format!("{}{}", opts.base_path, joined.trim_start_matches('/')).into()
}

/// Resolves a relative reference against a site path (`/posts/a/` + `../b/`).
pub fn resolve(base: &str, rel: &str) -> String {
    let (rel_path, suffix) = match rel.find(['?', '#']) {
        Some(i) => (&rel[..i], &rel[i..]),
        None => (rel, ""),
    };
    let mut segs: Vec<&str> = base.split('/').filter(|s| !s.is_empty()).collect();
    if !base.ends_with('/') {
        segs.pop();
    }
    let trailing = rel_path.ends_with('/') || rel_path.is_empty();
    for s in rel_path.split('/') {
        match s {
            "" | "." => {}
            ".." => {
                segs.pop();
            }
            s => segs.push(s),
        }
    }
    let mut out = format!("/{}", segs.join("/"));
    if trailing && out != "/" {
        out.push('/');
    }
    out.push_str(suffix);
    out
}

fn code_block(lang: &str, code: &str, do_highlight: bool) -> String {
    let mut s = String::with_capacity(code.len() * 2 + 64);
    let lang_attr = escape_attr(lang);
    if lang.is_empty() {
        s.push_str("<pre class=\"code\"><code>");
    } else {
        s.push_str(&format!(
            "<pre class=\"code\" data-lang=\"{lang_attr}\"><code class=\"language-{lang_attr}\">"
        ));
    }
    match do_highlight
        .then(|| highlight::highlight(lang, code))
        .flatten()
    {
        Some(h) => s.push_str(&h),
        None => crate::escape::escape_into(&mut s, code),
    }
    s.push_str("</code></pre>\n");
    s
}

fn escape_attr(s: &str) -> String {
    s.chars()
        .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '+' | '.' | '#'))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn opts() -> Options<'static> {
        Options {
            highlight: true,
            page_path: "/posts/a/",
            base_path: "/",
            first_line: 5,
        }
    }

    #[test]
    fn headings_get_unique_ids_and_anchors() {
        let r = render("## Intro\n\ntext\n\n## Intro\n", &opts());
        assert!(
            r.html
                .contains("<h2 id=\"intro\">Intro <a class=\"anchor\" href=\"#intro\""),
            "{}",
            r.html
        );
        assert!(r.html.contains("id=\"intro-1\""), "{}", r.html);
    }

    #[test]
    fn more_break_and_first_paragraph() {
        let r = render("one\n\ntwo\n\n<!-- more -->\n\nthree\n", &opts());
        assert!(r.brief().has_more);
        assert_eq!(r.brief().summary_html, "<p>one</p>\n<p>two</p>\n");
        assert!(!r.html.contains("causerie:"));
        let r = render("one\n\ntwo\n", &opts());
        assert_eq!(r.brief().summary_html, "<p>one</p>\n");
        assert_eq!(r.html, "<p>one</p>\n<p>two</p>\n");
    }

    #[test]
    fn links_keep_file_lines_and_relative_urls_resolve() {
        let r = render("text\n\n[x](/posts/b/) ![i](photo.jpg)\n", &opts());
        assert_eq!(
            r.brief().links,
            vec![("/posts/b/".to_string(), 7), ("photo.jpg".to_string(), 7)]
        );
        assert!(r.html.contains("src=\"/posts/a/photo.jpg\""), "{}", r.html);
    }

    #[test]
    fn code_is_highlighted_with_classes() {
        let r = render("```rust\nfn main() {}\n```\n", &opts());
        assert!(
            r.html
                .contains("<pre class=\"code\" data-lang=\"rust\"><code class=\"language-rust\">"),
            "{}",
            r.html
        );
        assert!(r.html.contains("hl-keyword"), "{}", r.html);
    }

    #[test]
    fn gfm_features() {
        let r = render(
            "| a | b |\n|---|---|\n| 1 | 2 |\n\n~~x~~ - [x] y\n\nfoot[^1]\n\n[^1]: note\n",
            &opts(),
        );
        assert!(r.html.contains("<table>"));
        assert!(r.html.contains("<del>x</del>"));
        assert!(r.html.contains("footnote"));
    }

    #[test]
    fn resolve_paths() {
        assert_eq!(resolve("/posts/a/", "../b/"), "/posts/b/");
        assert_eq!(resolve("/posts/a/", "img/x.png#y"), "/posts/a/img/x.png#y");
        assert_eq!(resolve("/posts/a/", "../../"), "/");
    }
}
