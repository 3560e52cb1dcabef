//! Atom, RSS 2.0 and JSON Feed, written directly (not through templates) so
//! they are always well-formed. `updated` comes from the content, never the
//! clock, so two builds of the same commit give the same bytes.

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

const EPOCH: &str = "1970-01-01T00:00:00Z";

fn newest(entries: &[&Entry]) -> Option<PostDate> {
    entries.iter().filter_map(|e| e.last_modified()).max()
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

/// An Atom feed of `entries` (full content).
pub fn atom(config: &Config, info: &FeedInfo<'_>, entries: &[&Entry]) -> String {
    let mut s = String::with_capacity(4096 + entries.len() * 8192);
    s.push_str("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n");
    s.push_str(&format!(
        "<feed xmlns=\"http://www.w3.org/2005/Atom\" xml:lang=\"{}\">\n",
        escape(&config.language)
    ));
    tag(&mut s, "title", info.title);
    if !info.description.is_empty() {
        tag(&mut s, "subtitle", info.description);
    }
    let self_url = config.abs_url(info.self_path);
    s.push_str(&format!(
        "<link href=\"{}\" rel=\"self\" type=\"application/atom+xml\"/>\n",
        escape(&self_url)
    ));
    s.push_str(&format!(
        "<link href=\"{}\" rel=\"alternate\" type=\"text/html\"/>\n",
        escape(&config.abs_url(info.page))
    ));
    tag(&mut s, "id", &self_url);
    let updated = newest(entries)
        .map(|d| d.rfc3339())
        .unwrap_or_else(|| EPOCH.into());
    tag(&mut s, "updated", &updated);
    author(&mut s, config);
    s.push_str("<generator uri=\"https://github.com/causerie\">Causerie</generator>\n");
    for e in entries {
        let url = config.abs_url(&e.path);
        s.push_str("<entry>\n");
        tag(&mut s, "title", &e.title);
        s.push_str(&format!(
            "<link href=\"{}\" rel=\"alternate\" type=\"text/html\"/>\n",
            escape(&url)
        ));
        tag(&mut s, "id", &url);
        if let Some(d) = e.date {
            tag(&mut s, "published", &d.rfc3339());
        }
        let upd = e
            .last_modified()
            .map(|d| d.rfc3339())
            .unwrap_or_else(|| EPOCH.into());
        tag(&mut s, "updated", &upd);
        for t in e.tags.iter().chain(e.categories.iter()) {
            s.push_str(&format!("<category term=\"{}\"/>\n", escape(t)));
        }
        if let Some(sum) = &e.summary {
            s.push_str("<summary>");
            escape_into(&mut s, sum);
            s.push_str("</summary>\n");
        }
        s.push_str(&format!(
            "<content type=\"html\" xml:base=\"{}\">",
            escape(&url)
        ));
        escape_into(&mut s, &e.rendered.html);
        s.push_str("</content>\n</entry>\n");
    }
    s.push_str("</feed>\n");
    s
}

fn author(s: &mut String, config: &Config) {
    s.push_str("<author>\n");
    tag(s, "name", &config.author.name);
    tag(s, "uri", &config.author.url);
    s.push_str("</author>\n");
}

/// An empty Atom feed for one post's comments (issue 6 adds the entries);
/// its `updated` is the post's.
pub fn comments_atom(config: &Config, e: &Entry, title: &str) -> String {
    let self_path = format!("{}comments.xml", e.path);
    let mut s = String::with_capacity(1024);
    s.push_str("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n");
    s.push_str(&format!(
        "<feed xmlns=\"http://www.w3.org/2005/Atom\" xml:lang=\"{}\">\n",
        escape(&config.language)
    ));
    tag(&mut s, "title", title);
    let self_url = config.abs_url(&self_path);
    s.push_str(&format!(
        "<link href=\"{}\" rel=\"self\" type=\"application/atom+xml\"/>\n",
        escape(&self_url)
    ));
    s.push_str(&format!(
        "<link href=\"{}\" rel=\"alternate\" type=\"text/html\"/>\n",
        escape(&config.abs_url(&e.path))
    ));
    tag(&mut s, "id", &self_url);
    let updated = e
        .last_modified()
        .map(|d| d.rfc3339())
        .unwrap_or_else(|| EPOCH.into());
    tag(&mut s, "updated", &updated);
    author(&mut s, config);
    s.push_str("</feed>\n");
    s
}

/// An RSS 2.0 feed of `entries`.
pub fn rss(config: &Config, info: &FeedInfo<'_>, entries: &[&Entry]) -> String {
    let mut s = String::with_capacity(4096 + entries.len() * 8192);
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
    if let Some(d) = newest(entries) {
        tag(&mut s, "lastBuildDate", &d.rfc2822());
    }
    s.push_str(&format!(
        "<atom:link href=\"{}\" rel=\"self\" type=\"application/rss+xml\"/>\n",
        escape(&config.abs_url(info.self_path))
    ));
    for e in entries {
        let url = config.abs_url(&e.path);
        s.push_str("<item>\n");
        tag(&mut s, "title", &e.title);
        tag(&mut s, "link", &url);
        s.push_str("<guid isPermaLink=\"true\">");
        escape_into(&mut s, &url);
        s.push_str("</guid>\n");
        if let Some(d) = e.date {
            tag(&mut s, "pubDate", &d.rfc2822());
        }
        for t in e.tags.iter().chain(e.categories.iter()) {
            tag(&mut s, "category", t);
        }
        tag(&mut s, "description", &e.rendered.html);
        s.push_str("</item>\n");
    }
    s.push_str("</channel>\n</rss>\n");
    s
}

/// A JSON Feed 1.1 of `entries`.
pub fn json(config: &Config, info: &FeedInfo<'_>, entries: &[&Entry]) -> String {
    use serde_json::{Value, json};
    let items: Vec<Value> = entries
        .iter()
        .map(|e| {
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
            item
        })
        .collect();
    let mut feed = json!({
        "version": "https://jsonfeed.org/version/1.1",
        "title": info.title,
        "home_page_url": config.abs_url(info.page),
        "feed_url": config.abs_url(info.self_path),
        "language": config.language,
        "authors": [{"name": config.author.name, "url": config.author.url}],
        "items": items,
    });
    if !info.description.is_empty() {
        feed["description"] = info.description.into();
    }
    let mut out = serde_json::to_string_pretty(&feed).unwrap_or_default();
    out.push('\n');
    out
}
