//! Uploaded files a post uses: found by their URL on the old site
//! (`…/wp-content/uploads/2019/05/x.jpg`, WordPress.com's
//! `…files.wordpress.com/2019/05/x.jpg`, and the resized `x-300x200.jpg`
//! variants), copied from `--media` (a copy of `wp-content/uploads`) into the
//! post's bundle, and the URL rewritten to the file beside the post.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Where uploads come from.
pub struct Media<'a> {
    /// The `--media` directory, if given.
    pub dir: Option<&'a Path>,
    /// Host of the old blog (`notes.example`).
    pub old_host: String,
    /// Its origin (`https://notes.example`), for root-relative links.
    pub old_origin: String,
    /// Old addresses of imported entries → their new site paths: links
    /// between the old posts are pointed at the new pages.
    pub moved: &'a std::collections::HashMap<String, String>,
}

/// One post's HTML after rewriting.
#[derive(Debug, Default)]
pub struct Rewritten {
    pub html: String,
    /// Files to copy into the bundle: name beside the post → source file.
    pub copies: BTreeMap<String, PathBuf>,
    /// Upload links left pointing at the old site.
    pub left: Vec<String>,
}

/// The path under `uploads/` of an upload URL on the old site, if it is one.
pub fn upload_path(url: &str, old_host: &str) -> Option<String> {
    let url = url.trim();
    if let Some(rest) = url.strip_prefix("/wp-content/uploads/") {
        return clean(rest);
    }
    let u = url::Url::parse(url).ok()?;
    let host = u.host_str()?;
    let path = u.path();
    if host.ends_with(".files.wordpress.com") {
        return clean(path.trim_start_matches('/'));
    }
    let wordpress_com = host.ends_with(".wordpress.com") || host.ends_with(".wp.com");
    if host != old_host && !wordpress_com {
        return None;
    }
    let i = path.find("/wp-content/uploads/")?;
    clean(&path[i + "/wp-content/uploads/".len()..])
}

fn clean(p: &str) -> Option<String> {
    let p = percent(p);
    (!p.is_empty() && !p.split('/').any(|s| s == ".." || s.is_empty())).then_some(p)
}

fn percent(p: &str) -> String {
    super::percent_decode(p)
}

/// The new path of a link to an imported entry's old address.
fn moved_to<'m>(url: &str, media: &'m Media<'_>) -> Option<&'m String> {
    let u = url::Url::parse(url).ok()?;
    if u.host_str()? != media.old_host {
        return None;
    }
    let path = super::site_path(url)?;
    media.moved.get(&path).or_else(|| {
        // The same address without its trailing slash, or with one.
        let alt = match path.strip_suffix('/') {
            Some(p) => p.to_string(),
            None => format!("{path}/"),
        };
        media.moved.get(&alt)
    })
}

/// `x-300x200.jpg` → `x.jpg` (WordPress's resized copies).
pub fn original(p: &str) -> Option<String> {
    let (stem, ext) = p.rsplit_once('.')?;
    let (base, size) = stem.rsplit_once('-')?;
    let (w, h) = size.split_once('x')?;
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    (digits(w) && digits(h)).then(|| format!("{base}.{ext}"))
}

/// Rewrites the `src` and `href` attributes of sanitized HTML (attributes
/// in double quotes, as ammonia writes them).
pub fn rewrite(html: &str, media: &Media<'_>, page: &str) -> Rewritten {
    // Relative links meant the post's old address.
    let base = url::Url::parse(&format!("{}{page}", media.old_origin)).ok();
    let mut out = Rewritten::default();
    let mut names: BTreeMap<String, String> = BTreeMap::new();
    let mut rest = html;
    loop {
        let next = ["src=\"", "href=\""]
            .iter()
            .filter_map(|a| rest.find(a).map(|i| (i, a.len())))
            .min();
        let Some((i, alen)) = next else { break };
        let start = i + alen;
        let Some(len) = rest[start..].find('"') else {
            break;
        };
        out.html.push_str(&rest[..start]);
        let raw = &rest[start..start + len];
        let mut value = raw.replace("&amp;", "&");
        // A root-relative link meant the old site: made absolute, it finds
        // its new page below, or keeps pointing at the old site (as a link
        // to a page of the new site that does not exist, it would fail the
        // build's link check).
        let rooted = value.starts_with('/') && !value.starts_with("//");
        let relative = !rooted
            && !value.starts_with('#')
            && !value.is_empty()
            && url::Url::parse(&value) == Err(url::ParseError::RelativeUrlWithoutBase);
        let rooted = rooted || relative;
        if rooted && !media.old_origin.is_empty() {
            value = match (&base, relative) {
                (Some(b), true) => b.join(&value).map(|u| u.to_string()).unwrap_or(value),
                _ => format!("{}{value}", media.old_origin),
            };
        }
        if let Some(to) = moved_to(&value, media) {
            out.html.push_str(&crate::escape::escape(to));
            rest = &rest[start + len..];
            continue;
        }
        let replaced = upload_path(&value, &media.old_host).and_then(|p| {
            let Some(dir) = media.dir else {
                out.left.push(value.clone());
                return None;
            };
            let file = [Some(p.clone()), original(&p)]
                .into_iter()
                .flatten()
                .map(|c| (dir.join(&c), c))
                .find(|(f, _)| f.is_file());
            let Some((file, rel)) = file else {
                out.left.push(value.clone());
                return None;
            };
            let name = match names.get(&rel) {
                Some(n) => n.clone(),
                None => {
                    let base = rel.rsplit('/').next().unwrap_or(&rel).to_string();
                    let mut name = base.clone();
                    if out.copies.contains_key(&name) {
                        name = rel.replace('/', "-");
                    }
                    names.insert(rel.clone(), name.clone());
                    out.copies.insert(name.clone(), file);
                    name
                }
            };
            Some(crate::escape::escape(&name))
        });
        match replaced {
            Some(r) => out.html.push_str(&r),
            None if rooted => out.html.push_str(&crate::escape::escape(&value)),
            None => out.html.push_str(raw),
        }
        rest = &rest[start + len..];
    }
    out.html.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn upload_urls() {
        let h = "old.example";
        assert_eq!(
            upload_path(
                "https://old.example/wp-content/uploads/2019/05/x-300x200.jpg",
                h
            )
            .as_deref(),
            Some("2019/05/x-300x200.jpg")
        );
        assert_eq!(
            upload_path("https://oldblog.files.wordpress.com/2019/05/y.png", h).as_deref(),
            Some("2019/05/y.png")
        );
        assert_eq!(
            upload_path("https://other.example/wp-content/uploads/a.jpg", h),
            None
        );
        assert_eq!(
            upload_path("https://old.example/wp-content/uploads/../x", h),
            None
        );
        assert_eq!(
            original("2019/05/x-300x200.jpg").as_deref(),
            Some("2019/05/x.jpg")
        );
        assert_eq!(original("2019/05/my-photo.jpg"), None);
    }

    #[test]
    fn rewrites_to_the_bundle_file() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("2019/05")).unwrap();
        std::fs::write(dir.path().join("2019/05/x.jpg"), b"jpg").unwrap();
        let moved = [("/2019/05/a/".to_string(), "/posts/a/".to_string())].into();
        let m = Media {
            dir: Some(dir.path()),
            old_host: "old.example".into(),
            old_origin: "https://old.example".into(),
            moved: &moved,
        };
        let r = rewrite(
            "<a href=\"https://old.example/wp-content/uploads/2019/05/x.jpg\"><img src=\"https://old.example/wp-content/uploads/2019/05/x-300x200.jpg\"></a><img src=\"https://old.example/wp-content/uploads/gone.png\"><a href=\"https://old.example/2019/05/a\">a</a><a href=\"/2019/05/a/\">b</a><a href=\"/category/x/\">c</a><img src=\"y.png\">",
            &m,
            "/2019/05/a/",
        );
        assert_eq!(
            r.html,
            "<a href=\"x.jpg\"><img src=\"x.jpg\"></a><img src=\"https://old.example/wp-content/uploads/gone.png\"><a href=\"/posts/a/\">a</a><a href=\"/posts/a/\">b</a><a href=\"https://old.example/category/x/\">c</a><img src=\"https://old.example/2019/05/a/y.png\">"
        );
        assert_eq!(r.copies.len(), 1);
        assert_eq!(r.left.len(), 1);
    }
}
