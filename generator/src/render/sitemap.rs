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
        s.push_str(&escape(&percent_encode_non_ascii(&config.abs_url(&u.path))));
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

/// The sitemap protocol wants URLs escaped, and nginx's `$request_uri`
/// holds paths as browsers send them: a `safe` slug (`/posts/سلام/`) and a
/// space are written as UTF-8 percent-escapes. Other ASCII is left as it
/// is, so sites with ASCII slugs get the same bytes as before.
fn percent_encode_non_ascii(url: &str) -> String {
    let mut out = String::with_capacity(url.len());
    for c in url.chars() {
        if c.is_ascii() && c != ' ' {
            out.push(c);
        } else {
            let mut buf = [0u8; 4];
            for b in c.encode_utf8(&mut buf).bytes() {
                out.push_str(&format!("%{b:02X}"));
            }
        }
    }
    out
}

pub fn robots(config: &Config) -> String {
    format!(
        "User-agent: *\nAllow: /\n\nSitemap: {}\n",
        config.abs_url("/sitemap.xml")
    )
}

/// `/causerie-pages.json`: which pages exist and whether they take comments,
/// and the old addresses (`aliases`, as written in front matter) that lead
/// to them, so an imported conversation keyed by an old URL finds its page
/// (format in docs/conversation.md).
pub fn pages_manifest(config: &Config, content: &Content, now: jiff::Timestamp) -> String {
    let mut pages = serde_json::Map::new();
    for e in content.posts.iter().chain(content.pages.iter()) {
        let (state, closes) = comments_state(e, config, now);
        let mut page = json!({"comments": state.as_str(), "closes": closes.map(|d| d.rfc3339())});
        if !e.aliases.is_empty() {
            page["aliases"] = json!(e.aliases);
        }
        pages.insert(config.url_for(&e.path), page);
    }
    let mut out =
        serde_json::to_string_pretty(&json!({"version": 1, "pages": pages})).unwrap_or_default();
    out.push('\n');
    out
}

/// Where the redirect map is written.
pub const REDIRECT_MAP: &str = "/_causerie/redirects.map";

/// Every alias of the site → its entry, as lines of an nginx `map` block
/// (`"/?p=101" /posts/walk/;`), sorted: aliases with a query string
/// (`/?p=101`, WordPress's default permalinks) cannot be static redirect
/// pages, so the web server redirects them (docs/import.md).
pub fn redirect_map(config: &Config, content: &Content) -> String {
    let mut lines: Vec<String> = content
        .posts
        .iter()
        .chain(content.pages.iter())
        .flat_map(|e| {
            let to = config.url_for(&e.path);
            e.aliases.iter().map(move |a| {
                let from = percent_encode_non_ascii(a)
                    .replace('\\', "\\\\")
                    .replace('"', "\\\"");
                format!("\"{from}\" {to};\n")
            })
        })
        .collect();
    lines.sort();
    lines.dedup();
    let mut out = String::from(
        "# Old addresses → new pages, written by causerie build. In nginx:\n\
         #   map $request_uri $causerie_redirect { include /path/to/public/_causerie/redirects.map; }\n\
         #   if ($causerie_redirect) { return 301 $causerie_redirect; }\n",
    );
    out.extend(lines);
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn map_keys_are_encoded_as_browsers_send_them() {
        assert_eq!(
            super::percent_encode_non_ascii("/2019/سل/?p=1"),
            "/2019/%D8%B3%D9%84/?p=1"
        );
    }

    #[test]
    fn unicode_paths_are_percent_encoded_and_ascii_is_untouched() {
        assert_eq!(
            super::percent_encode_non_ascii("https://x.org/posts/سلام-دنیا/"),
            "https://x.org/posts/%D8%B3%D9%84%D8%A7%D9%85-%D8%AF%D9%86%DB%8C%D8%A7/"
        );
        assert_eq!(
            super::percent_encode_non_ascii("https://x.org/a-b/?q=1"),
            "https://x.org/a-b/?q=1"
        );
    }
}
