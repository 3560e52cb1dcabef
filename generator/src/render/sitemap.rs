//! `sitemap.xml`, `robots.txt` and the comment service's pages manifest.

use serde_json::json;

use crate::config::Config;
use crate::content::Content;
use crate::escape::escape;
use crate::render::views::comments_state;

/// One `<url>` of the sitemap.
pub struct SitemapUrl {
    pub path: String,
    pub lastmod: Option<String>,
}

pub fn sitemap(config: &Config, urls: &[SitemapUrl]) -> String {
    let mut s = String::with_capacity(128 + urls.len() * 120);
    s.push_str("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n");
    s.push_str("<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n");
    for u in urls {
        s.push_str("<url><loc>");
        s.push_str(&escape(&config.abs_url(&u.path)));
        s.push_str("</loc>");
        if let Some(m) = &u.lastmod {
            s.push_str("<lastmod>");
            s.push_str(m);
            s.push_str("</lastmod>");
        }
        s.push_str("</url>\n");
    }
    s.push_str("</urlset>\n");
    s
}

pub fn robots(config: &Config) -> String {
    format!(
        "User-agent: *\nAllow: /\n\nSitemap: {}\n",
        config.abs_url("/sitemap.xml")
    )
}

/// `/causerie-pages.json`: which pages exist and whether they take comments
/// (format in docs/conversation.md).
pub fn pages_manifest(config: &Config, content: &Content, now: jiff::Timestamp) -> String {
    let mut pages = serde_json::Map::new();
    for e in content.posts.iter().chain(content.pages.iter()) {
        let (state, closes) = comments_state(e, config, now);
        pages.insert(
            config.url_for(&e.path),
            json!({"comments": state.as_str(), "closes": closes.map(|d| d.rfc3339())}),
        );
    }
    let mut out =
        serde_json::to_string_pretty(&json!({"version": 1, "pages": pages})).unwrap_or_default();
    out.push('\n');
    out
}
