//! Outbound links of the built posts.
//!
//! The sender reads `public/posts/<slug>/index.html`, not the generator's
//! model: what was published is what gets announced, and the sender does not
//! depend on how the pages were made. Links are the `<a href>` inside the
//! h-entry's `e-content`, read with an HTML parser.

use std::path::{Path, PathBuf};

use scraper::{ElementRef, Html};
use sha2::{Digest, Sha256};
use url::Url;

use crate::error::{Error, Result};

/// One built post and the external URLs its content links to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BuiltPost {
    /// The post's public URL, `<base_url>/posts/<slug>/`.
    pub source: String,
    /// Hash of the post's content and title: a change means "send again".
    pub hash: String,
    /// Targets in document order, each once, as linked (made absolute).
    pub targets: Vec<String>,
    /// The file read.
    pub file: PathBuf,
}

/// Reads every `posts/*/index.html` under `output`. A missing `posts/`
/// directory is an error: sending on an unbuilt site would announce every
/// post as deleted.
pub fn read_posts(output: &Path, base_url: &Url) -> Result<Vec<BuiltPost>> {
    let dir = output.join("posts");
    let entries = std::fs::read_dir(&dir).map_err(|e| {
        Error::Other(format!(
            "{}: {e} (build the site before sending Webmentions)",
            dir.display()
        ))
    })?;
    let mut posts = Vec::new();
    for entry in entries {
        let entry = entry.map_err(|e| Error::io(&dir, e))?;
        let file = entry.path().join("index.html");
        if !file.is_file() {
            continue;
        }
        let slug = entry.file_name().to_string_lossy().into_owned();
        let source = base_url
            .join(&format!("posts/{slug}/"))
            .map_err(|e| Error::Other(format!("{}: {e}", file.display())))?;
        let html = std::fs::read_to_string(&file).map_err(|e| Error::io(&file, e))?;
        if let Some((hash, targets)) = extract(&html, &source, base_url) {
            posts.push(BuiltPost {
                source: source.to_string(),
                hash,
                targets,
                file,
            });
        }
    }
    posts.sort_by(|a, b| a.source.cmp(&b.source));
    Ok(posts)
}

/// The content hash and the external link targets of one post page, or
/// `None` when the page has no `e-content` (not a post).
pub fn extract(html: &str, source: &Url, site: &Url) -> Option<(String, Vec<String>)> {
    let doc = Html::parse_document(html);
    let entry = doc
        .root_element()
        .descendent_elements()
        .find(|el| has_class(el, "h-entry"))
        .unwrap_or_else(|| doc.root_element());
    let content = entry
        .descendent_elements()
        .find(|el| has_class(el, "e-content"))?;
    let name: String = entry
        .descendent_elements()
        .find(|el| has_class(el, "p-name"))
        .map(|el| el.text().collect())
        .unwrap_or_default();

    let mut hasher = Sha256::new();
    hasher.update(name.trim().as_bytes());
    hasher.update([0]);
    hasher.update(content.inner_html().as_bytes());
    let hash = hasher
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect::<String>();

    let mut targets: Vec<String> = Vec::new();
    for a in content
        .descendent_elements()
        .filter(|el| el.value().name() == "a")
    {
        let Some(href) = a.value().attr("href").map(str::trim) else {
            continue;
        };
        let Ok(resolved) = source.join(href) else {
            continue;
        };
        if !matches!(resolved.scheme(), "http" | "https") || resolved.origin() == site.origin() {
            continue;
        }
        // Keep the link as written when it already was absolute.
        let target = match Url::parse(href) {
            Ok(_) => href.to_string(),
            Err(_) => resolved.to_string(),
        };
        if !targets.contains(&target) {
            targets.push(target);
        }
    }
    Some((hash, targets))
}

fn has_class(el: &ElementRef<'_>, class: &str) -> bool {
    el.value().classes().any(|c| c == class)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn site() -> Url {
        Url::parse("https://blog.example/").unwrap()
    }

    #[test]
    fn takes_external_links_of_the_content_only() {
        let html = r##"<html><body><nav><a href="https://nav.example/">nav</a></nav>
            <article class="h-entry"><h1 class="p-name">T</h1>
            <div class="e-content"><p><a href="https://a.example/x?q=1#f">a</a>
            <a href="/posts/other/">internal</a> <a href="mailto:x@y">m</a>
            <a href="https://a.example/x?q=1#f">again</a> <a href="//b.example/y">b</a>
            <a href="#top">frag</a><!-- <a href="https://c.example/">c</a> --></p></div>
            <footer><a href="https://foot.example/">f</a></footer></article></body></html>"##;
        let source = site().join("posts/t/").unwrap();
        let (_, targets) = extract(html, &source, &site()).unwrap();
        assert_eq!(
            targets,
            ["https://a.example/x?q=1#f", "https://b.example/y"]
        );
    }

    #[test]
    fn hash_changes_with_content_and_title_only() {
        let page = |title: &str, body: &str, footer: &str| {
            format!(
                r#"<article class="h-entry"><h1 class="p-name">{title}</h1><div class="e-content">{body}</div><footer>{footer}</footer></article>"#
            )
        };
        let source = site().join("posts/t/").unwrap();
        let h = |html: String| extract(&html, &source, &site()).unwrap().0;
        let base = h(page("T", "<p>x</p>", "1"));
        assert_eq!(base, h(page("T", "<p>x</p>", "2 comments")));
        assert_ne!(base, h(page("T2", "<p>x</p>", "1")));
        assert_ne!(base, h(page("T", "<p>y</p>", "1")));
    }

    #[test]
    fn page_without_content_is_not_a_post() {
        let source = site().join("posts/t/").unwrap();
        assert!(extract("<p>hi</p>", &source, &site()).is_none());
    }
}
