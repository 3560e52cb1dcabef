//! A post's stored HTML into the markdown of its content file.
//!
//! The steps, in order: Gutenberg's block comments go; shortcodes are
//! expanded ([`super::shortcodes`]); classic posts get their paragraphs
//! ([`super::autop`]); the HTML is sanitized with ammonia (the export is
//! hostile input: scripts, styles, iframes, event handlers and `javascript:`
//! URLs go); uploads are pointed at the bundle ([`super::media`]); htmd makes
//! the markdown. The generator passes raw HTML in markdown through, so a last
//! pass escapes any HTML the markdown would still carry (text that read
//! `&lt;script&gt;` in the export stays text).

use std::cell::RefCell;

use pulldown_cmark::{Event, Options as CmOptions, Parser};

use super::media::{self, Media, Rewritten};
use super::shortcodes::{self, Code, Context};
use super::{BodyFormat, Record};

/// One converted body.
#[derive(Debug, Default)]
pub struct Converted {
    pub markdown: String,
    /// Unknown shortcodes: (line in the export, name).
    pub unknown: Vec<(usize, String)>,
    pub media: Rewritten,
}

/// Stands for `<!--more-->` between sanitizing and the markdown.
const MORE: &str = "CAUSERIEMOREX";

thread_local! {
    static HTMD: RefCell<Option<htmd::HtmlToMarkdown>> = const { RefCell::new(None) };
}

/// Converts one record's body.
pub fn convert(rec: &Record, cx: &Context<'_>, media: &Media<'_>) -> Converted {
    let html = match rec.format {
        BodyFormat::Blocks => strip_block_comments(&rec.html),
        _ => rec.html.clone(),
    };

    let expanded = if rec.format == BodyFormat::Html {
        shortcodes::Expanded {
            html: html.clone(),
            ..Default::default()
        }
    } else {
        shortcodes::expand(&html, cx)
    };
    let unknown = expanded
        .unknown
        .iter()
        .map(|(off, name)| {
            let nl = html.as_bytes()[..(*off).min(html.len())]
                .iter()
                .filter(|&&b| b == b'\n')
                .count();
            (rec.body_line + nl, name.clone())
        })
        .collect();
    // WordPress's "read more" break is the generator's too; it would not
    // survive sanitizing as a comment, so it travels as a marker.
    let html = expanded
        .html
        .replacen("<!--more-->", &format!("\n\n<p>{MORE}</p>\n\n"), 1);
    let html = if rec.format == BodyFormat::Classic {
        super::autop::autop(&html)
    } else {
        html
    };
    let clean = sanitize(&html);
    let page = rec
        .aliases
        .iter()
        .find(|a| !a.contains('?'))
        .map(String::as_str)
        .unwrap_or("/");
    let rewritten = media::rewrite(&clean, media, page);
    let md = HTMD.with(|h| {
        let mut h = h.borrow_mut();
        let conv = h.get_or_insert_with(|| {
            htmd::HtmlToMarkdown::builder()
                .options(htmd::options::Options {
                    bullet_list_marker: htmd::options::BulletListMarker::Dash,
                    hr_style: htmd::options::HrStyle::Dashes,
                    ..Default::default()
                })
                .build()
        });
        conv.convert(&rewritten.html).unwrap_or_default()
    });
    let md = neutralize_html(&md);
    let md = insert_code(&md, &expanded.code).replacen(MORE, "<!-- more -->", 1);
    Converted {
        markdown: md.trim().to_string(),
        unknown,
        media: Rewritten {
            html: String::new(),
            ..rewritten
        },
    }
}

/// Removes `<!-- wp:… -->` and `<!-- /wp:… -->` (other comments go with
/// sanitizing anyway).
pub fn strip_block_comments(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(i) = rest.find("<!--") {
        let after = rest[i + 4..].trim_start();
        if after.starts_with("wp:") || after.starts_with("/wp:") {
            out.push_str(&rest[..i]);
            match rest[i..].find("-->") {
                Some(e) => rest = &rest[i + e + 3..],
                None => {
                    rest = "";
                }
            }
        } else {
            out.push_str(&rest[..i + 4]);
            rest = &rest[i + 4..];
        }
    }
    out.push_str(rest);
    out
}

/// ammonia's default allow-list: no scripts, styles, frames, forms, event
/// handlers or unsafe URL schemes; `rel` is left off (htmd drops it).
pub fn sanitize(html: &str) -> String {
    ammonia::Builder::default()
        .link_rel(None)
        .clean(html)
        .to_string()
}

/// Escapes every piece of raw HTML left in `md` so it renders as text.
fn neutralize_html(md: &str) -> String {
    let mut ranges = Vec::new();
    let opts = CmOptions::ENABLE_TABLES | CmOptions::ENABLE_STRIKETHROUGH;
    for (ev, range) in Parser::new_ext(md, opts).into_offset_iter() {
        if matches!(ev, Event::Html(_) | Event::InlineHtml(_)) {
            ranges.push(range);
        }
    }
    if ranges.is_empty() {
        return md.to_string();
    }
    let mut out = String::with_capacity(md.len() + 16);
    let mut last = 0;
    for r in ranges {
        if r.start < last {
            continue;
        }
        out.push_str(&md[last..r.start]);
        out.push_str(&md[r.clone()].replace('<', "&lt;"));
        last = r.end;
    }
    out.push_str(&md[last..]);
    out
}

/// Puts the code blocks back, fenced, where their placeholders stand.
fn insert_code(md: &str, code: &[Code]) -> String {
    if code.is_empty() {
        return md.to_string();
    }
    let mut out = md.to_string();
    for (i, c) in code.iter().enumerate() {
        let mut fence = "```".to_string();
        while c.text.contains(&fence) {
            fence.push('`');
        }
        let block = format!("{fence}{}\n{}\n{fence}", c.lang, c.text.trim_end());
        out = out.replacen(&shortcodes::placeholder(i), &block, 1);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn block_comments_go() {
        assert_eq!(
            strip_block_comments(
                "<!-- wp:paragraph -->\n<p>x</p>\n<!-- /wp:paragraph --><!-- keep -->"
            ),
            "\n<p>x</p>\n<!-- keep -->"
        );
    }

    #[test]
    fn nothing_dangerous_survives() {
        let s = sanitize(
            "<p onclick=\"x()\">a<script>alert(1)</script><iframe src=\"https://e.example\"></iframe>\
             <a href=\"javascript:alert(1)\">j</a><style>p{}</style></p>",
        );
        assert!(
            !s.contains("script") && !s.contains("iframe") && !s.contains("onclick"),
            "{s}"
        );
        assert!(!s.contains("javascript") && !s.contains("style"), "{s}");
        let md = neutralize_html("text <script>alert(1)</script>\n\n<div onmouseover=x>y</div>\n");
        assert!(!md.contains("<script") && !md.contains("<div"), "{md}");
    }
}
