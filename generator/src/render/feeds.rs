//! Atom, RSS 2.0 and JSON Feed, written directly (not through templates) so
//! they are always well-formed. `updated` comes from the content, never the
//! clock, so two builds of the same commit give the same bytes.
//!
//! A post is in the site feeds and in the feeds of each of its tags, so the
//! XML-escaped content of each post is made once ([`ItemCache`]) and shared
//! by its Atom entries and RSS items (caching whole items took 40 MB at
//! 10 000 posts for little gain).

use std::sync::OnceLock;

use crate::config::Config;
use crate::content::Entry;
use crate::content::date::PostDate;
use crate::escape::{escape, escape_into};

/// What a feed is about: its title and the pages it describes.
pub struct FeedInfo<'a> {
    pub title: &'a str,
    pub description: &'a str,
    /// Site path of the HTML page the feed mirrors (`/` or `/tags/x/`).
    pub page: &'a str,
    /// Site path of the feed itself.
    pub self_path: &'a str,
}

/// The XML-escaped content of every post, made on first use.
#[derive(Default)]
pub struct ItemCache {
    items: Vec<OnceLock<String>>,
}

impl ItemCache {
    pub fn new(posts: usize) -> ItemCache {
        ItemCache {
            items: (0..posts).map(|_| OnceLock::new()).collect(),
        }
    }
    fn escaped(&self, i: usize, e: &Entry) -> &str {
        self.items[i].get_or_init(|| {
            let mut s = String::with_capacity(e.rendered.html.len() * 9 / 8);
            escape_into(&mut s, &e.rendered.html);
            s
        })
    }
}

const EPOCH: &str = "1970-01-01T00:00:00Z";

fn newest<'a>(entries: impl Iterator<Item = &'a Entry>) -> Option<PostDate> {
    entries.filter_map(|e| e.last_modified()).max()
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

fn feed_head(
    s: &mut String,
    config: &Config,
    title: &str,
    self_path: &str,
    page: &str,
    updated: &str,
) {
    s.push_str("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n");
    s.push_str(&format!(
        "<feed xmlns=\"http://www.w3.org/2005/Atom\" xml:lang=\"{}\">\n",
        escape(&config.language)
    ));
    tag(s, "title", title);
    let self_url = config.abs_url(self_path);
    s.push_str(&format!(
        "<link href=\"{}\" rel=\"self\" type=\"application/atom+xml\"/>\n",
        escape(&self_url)
    ));
    s.push_str(&format!(
        "<link href=\"{}\" rel=\"alternate\" type=\"text/html\"/>\n",
        escape(&config.abs_url(page))
    ));
    tag(s, "id", &self_url);
    tag(s, "updated", updated);
    s.push_str("<author>\n");
    tag(s, "name", &config.author.name);
    tag(s, "uri", &config.author.url);
    s.push_str("</author>\n");
}

fn atom_entry(s: &mut String, config: &Config, e: &Entry, escaped: &str) {
    let url = config.abs_url(&e.path);
    s.push_str("<entry>\n");
    tag(s, "title", &e.title);
    s.push_str(&format!(
        "<link href=\"{}\" rel=\"alternate\" type=\"text/html\"/>\n",
        escape(&url)
    ));
    tag(s, "id", &url);
    if let Some(d) = e.date {
        tag(s, "published", &d.rfc3339());
    }
    let upd = e
        .last_modified()
        .map(|d| d.rfc3339())
        .unwrap_or_else(|| EPOCH.into());
    tag(s, "updated", &upd);
    for t in e.tags.iter().chain(e.categories.iter()) {
        s.push_str(&format!("<category term=\"{}\"/>\n", escape(t)));
    }
    if let Some(sum) = &e.summary {
        tag(s, "summary", sum);
    }
    s.push_str(&format!(
        "<content type=\"html\" xml:base=\"{}\">",
        escape(&url)
    ));
    s.push_str(escaped);
    s.push_str("</content>\n</entry>\n");
}

/// An Atom feed of the posts `ids` (indices into `posts`, newest first).
pub fn atom(
    config: &Config,
    info: &FeedInfo<'_>,
    posts: &[Entry],
    ids: &[usize],
    cache: &ItemCache,
) -> String {
    let updated = newest(ids.iter().map(|&i| &posts[i]))
        .map(|d| d.rfc3339())
        .unwrap_or_else(|| EPOCH.into());
    let mut s = String::with_capacity(4096);
    feed_head(
        &mut s,
        config,
        info.title,
        info.self_path,
        info.page,
        &updated,
    );
    if !info.description.is_empty() {
        tag(&mut s, "subtitle", info.description);
    }
    s.push_str("<generator>Causerie</generator>\n");
    for &i in ids {
        atom_entry(&mut s, config, &posts[i], cache.escaped(i, &posts[i]));
    }
    s.push_str("</feed>\n");
    s
}

fn rss_item(s: &mut String, config: &Config, e: &Entry, escaped: &str) {
    let url = config.abs_url(&e.path);
    s.push_str("<item>\n");
    tag(s, "title", &e.title);
    tag(s, "link", &url);
    s.push_str("<guid isPermaLink=\"true\">");
    escape_into(s, &url);
    s.push_str("</guid>\n");
    if let Some(d) = e.date {
        tag(s, "pubDate", &d.rfc2822());
    }
    for t in e.tags.iter().chain(e.categories.iter()) {
        tag(s, "category", t);
    }
    s.push_str("<description>");
    s.push_str(escaped);
    s.push_str("</description>\n");
    s.push_str("</item>\n");
}

/// An RSS 2.0 feed of the posts `ids`.
pub fn rss(
    config: &Config,
    info: &FeedInfo<'_>,
    posts: &[Entry],
    ids: &[usize],
    cache: &ItemCache,
) -> String {
    let mut s = String::with_capacity(4096);
    s.push_str("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n");
    s.push_str("<rss version=\"2.0\" xmlns:atom=\"http://www.w3.org/2005/Atom\">\n<channel>\n");
    tag(&mut s, "title", info.title);
    tag(&mut s, "link", &config.abs_url(info.page));
    tag(
        &mut s,
        "description",
        if info.description.is_empty() {
            info.title
        } else {
            info.description
        },
    );
    tag(&mut s, "language", &config.language);
    tag(&mut s, "generator", "Causerie");
    if let Some(d) = newest(ids.iter().map(|&i| &posts[i])) {
        tag(&mut s, "lastBuildDate", &d.rfc2822());
    }
    s.push_str(&format!(
        "<atom:link href=\"{}\" rel=\"self\" type=\"application/rss+xml\"/>\n",
        escape(&config.abs_url(info.self_path))
    ));
    for &i in ids {
        rss_item(&mut s, config, &posts[i], cache.escaped(i, &posts[i]));
    }
    s.push_str("</channel>\n</rss>\n");
    s
}

fn json_item(config: &Config, e: &Entry) -> String {
    use serde_json::json;
    let url = config.abs_url(&e.path);
    let mut item = json!({
        "id": url,
        "url": url,
        "title": e.title,
        "content_html": e.rendered.html,
    });
    if let Some(d) = e.date {
        item["date_published"] = d.rfc3339().into();
    }
    if let Some(d) = e.updated {
        item["date_modified"] = d.rfc3339().into();
    }
    if let Some(s) = &e.summary {
        item["summary"] = s.clone().into();
    }
    let tags: Vec<&String> = e.tags.iter().chain(e.categories.iter()).collect();
    if !tags.is_empty() {
        item["tags"] = json!(tags);
    }
    serde_json::to_string(&item).unwrap_or_default()
}

/// A JSON Feed 1.1 of the posts `ids`.
pub fn json(config: &Config, info: &FeedInfo<'_>, posts: &[Entry], ids: &[usize]) -> String {
    use serde_json::json;
    let mut feed = json!({
        "version": "https://jsonfeed.org/version/1.1",
        "title": info.title,
        "home_page_url": config.abs_url(info.page),
        "feed_url": config.abs_url(info.self_path),
        "language": config.language,
        "authors": [{"name": config.author.name, "url": config.author.url}],
    });
    if !info.description.is_empty() {
        feed["description"] = info.description.into();
    }
    // The head as JSON without its closing brace, then the cached items.
    let head = serde_json::to_string(&feed).unwrap_or_else(|_| "{}".into());
    let mut s = String::with_capacity(head.len() + 64);
    s.push_str(&head[..head.len() - 1]);
    s.push_str(",\"items\":[");
    for (n, &i) in ids.iter().enumerate() {
        if n > 0 {
            s.push(',');
        }
        s.push_str(&json_item(config, &posts[i]));
    }
    s.push_str("]}\n");
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_feed_is_valid_json_with_items() {
        let config = Config::parse("c", "base_url = \"https://x.org\"\ntitle = \"T\"\n").unwrap();
        let info = FeedInfo {
            title: "T",
            description: "",
            page: "/",
            self_path: "/feed.json",
        };
        let empty = json(&config, &info, &[], &[]);
        let v: serde_json::Value = serde_json::from_str(&empty).unwrap();
        assert_eq!(v["items"], serde_json::json!([]));
        assert_eq!(v["feed_url"], "https://x.org/feed.json");
    }
}
