//! Atom feeds of the conversation: one per post (`/posts/<slug>/comments.xml`)
//! and one for the whole site (`/comments.xml`). Written directly, escaped
//! field by field, and dated from the items (never the clock), so the same
//! conversation always gives the same bytes.

use super::view::display_name;
use super::{Item, ItemKind};
use crate::config::Config;
use crate::escape::{escape, escape_into};
use crate::i18n::Strings;

/// Site path of the site-wide comments feed.
pub const SITE_FEED: &str = "/comments.xml";

const EPOCH: &str = "1970-01-01T00:00:00Z";

/// A post an item belongs to: its title and site path.
pub struct PostRef<'a> {
    pub title: &'a str,
    pub path: &'a str,
}

/// What a comments feed is about.
pub struct FeedHead<'a> {
    pub title: &'a str,
    /// Site path of the feed (`/posts/x/comments.xml`).
    pub self_path: &'a str,
    /// Site path of the HTML page it mirrors.
    pub page: &'a str,
    /// `updated` when there are no items (the post's own date).
    pub fallback_updated: Option<String>,
}

fn tag(out: &mut String, name: &str, text: &str) {
    out.push('<');
    out.push_str(name);
    out.push('>');
    escape_into(out, text);
    out.push_str("</");
    out.push_str(name);
    out.push_str(">\n");
}

/// An Atom feed of `items` (newest first), each paired with its post.
/// Likes and reposts are left out: they have no text to read.
pub fn atom(
    config: &Config,
    strings: &Strings,
    head: &FeedHead<'_>,
    items: &[(&Item, PostRef<'_>)],
) -> String {
    let items: Vec<&(&Item, PostRef<'_>)> = items
        .iter()
        .filter(|(it, _)| !it.kind.is_reaction())
        .collect();
    let mut s = String::with_capacity(
        1024 + items
            .iter()
            .map(|(it, _)| it.body_html.len() + 700)
            .sum::<usize>(),
    );
    s.push_str("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n");
    s.push_str(&format!(
        "<feed xmlns=\"http://www.w3.org/2005/Atom\" xmlns:thr=\"http://purl.org/syndication/thread/1.0\" xml:lang=\"{}\">\n",
        escape(&config.language)
    ));
    tag(&mut s, "title", head.title);
    let self_url = config.abs_url(head.self_path);
    s.push_str(&format!(
        "<link href=\"{}\" rel=\"self\" type=\"application/atom+xml\"/>\n",
        escape(&self_url)
    ));
    s.push_str(&format!(
        "<link href=\"{}\" rel=\"alternate\" type=\"text/html\"/>\n",
        escape(&config.abs_url(head.page))
    ));
    tag(&mut s, "id", &self_url);
    let updated = items
        .iter()
        .map(|(it, _)| it.changed().to_string())
        .max()
        .or_else(|| head.fallback_updated.clone())
        .unwrap_or_else(|| EPOCH.into());
    tag(&mut s, "updated", &updated);
    s.push_str("<author>\n");
    tag(&mut s, "name", &config.author.name);
    tag(&mut s, "uri", &config.author.url);
    s.push_str("</author>\n");
    s.push_str("<generator uri=\"https://github.com/causerie\">Causerie</generator>\n");
    for (it, post) in items {
        entry(&mut s, config, strings, it, post);
    }
    s.push_str("</feed>\n");
    s
}

fn entry(s: &mut String, config: &Config, strings: &Strings, it: &Item, post: &PostRef<'_>) {
    let page_url = config.abs_url(post.path);
    let url = format!("{page_url}#comment-{}", it.id);
    let author = display_name(&it.author, strings);
    let key = match it.kind {
        ItemKind::Mention => "comment_feed_mention",
        ItemKind::Bookmark => "comment_feed_bookmark",
        _ => "comment_feed_entry",
    };
    let title = strings
        .get(key, None)
        .replace("{title}", post.title)
        .replace("{author}", &author);
    s.push_str("<entry>\n");
    tag(s, "title", &title);
    s.push_str(&format!(
        "<link href=\"{}\" rel=\"alternate\" type=\"text/html\"/>\n",
        escape(&url)
    ));
    if let Some(src) = &it.source {
        s.push_str(&format!(
            "<link href=\"{}\" rel=\"related\" type=\"text/html\"/>\n",
            escape(src)
        ));
    }
    tag(s, "id", &url);
    tag(s, "published", &it.created);
    tag(s, "updated", it.changed());
    s.push_str("<author>\n");
    tag(s, "name", &author);
    if let Some(w) = &it.website {
        tag(s, "uri", w);
    }
    s.push_str("</author>\n");
    let parent = match it.parent {
        Some(p) => format!("{page_url}#comment-{p}"),
        None => page_url.clone(),
    };
    s.push_str(&format!(
        "<thr:in-reply-to ref=\"{}\" href=\"{}\" type=\"text/html\"/>\n",
        escape(&parent),
        escape(&parent)
    ));
    s.push_str("<content type=\"html\">");
    escape_into(s, &it.body_html);
    s.push_str("</content>\n</entry>\n");
}
