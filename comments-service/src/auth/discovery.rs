//! IndieAuth discovery (the 2022 spec, §3 and §4): the profile URL a reader
//! types is canonicalized, fetched through the guarded client, and its
//! authorization server found from `indieauth-metadata` (HTTP `Link` header
//! first, then `<link rel>` in the HTML), falling back to the legacy
//! `authorization_endpoint` rel. The page's h-card gives the name and photo.

use scraper::{Html, Selector};
use serde::Deserialize;
use url::Url;

use crate::error::{Error, Result};
use crate::fetch::Fetcher;
use crate::fetch::header::LINK;
use crate::webmention::mf2;

/// Where a profile's authorization happens, and who the profile says it is.
#[derive(Debug, Clone, PartialEq)]
pub struct Profile {
    /// The profile URL after permanent redirects.
    pub me: Url,
    /// The authorization server's `issuer` (absent with the legacy rel).
    pub issuer: Option<String>,
    pub authorization_endpoint: Url,
    /// The h-card's name, if the page has one.
    pub name: Option<String>,
    /// The h-card's photo, if the page has one.
    pub photo: Option<String>,
}

/// The profile URL as the spec wants it (§3.4): `https://` added when the
/// scheme is missing, host lowercase, an empty path made `/`, no fragment,
/// no user or password. `lenient` (tests, `allow_private_addresses`) also
/// lets an IP address and a port through, which the spec refuses.
pub fn canonical_me(raw: &str, lenient: bool) -> Result<Url> {
    let bad = |why: &str| Error::bad("me", format!("not a profile URL: {why}"));
    let raw = raw.trim();
    if raw.is_empty() {
        return Err(bad("it is empty"));
    }
    let with_scheme = if raw.contains("://") {
        raw.to_string()
    } else {
        format!("https://{raw}")
    };
    let mut url = Url::parse(&with_scheme).map_err(|_| bad("it does not parse"))?;
    if !matches!(url.scheme(), "https" | "http") {
        return Err(bad("only http and https"));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(bad("it must not carry a user name or password"));
    }
    if url.fragment().is_some() {
        return Err(bad("it must not have a fragment"));
    }
    match url.host() {
        Some(url::Host::Domain(_)) => {}
        Some(_) if lenient => {}
        Some(_) => return Err(bad("the host must be a domain name, not an IP address")),
        None => return Err(bad("it has no host")),
    }
    if url.port().is_some() && !lenient {
        return Err(bad("it must not have a port"));
    }
    if url.path().is_empty() {
        url.set_path("/");
    }
    Ok(url)
}

/// The server metadata document (§4.1.1); only what a sign-in uses.
#[derive(Deserialize)]
struct Metadata {
    issuer: String,
    authorization_endpoint: String,
    #[serde(default)]
    code_challenge_methods_supported: Vec<String>,
}

/// An answer the reader's site gave that we cannot use: 400 naming `me`.
fn unusable(me: &Url, why: impl std::fmt::Display) -> Error {
    tracing::info!(me = %me, why = %why, "IndieAuth discovery failed");
    Error::bad(
        "me",
        format!("{me}: no IndieAuth sign-in found there ({why})"),
    )
}

/// Fetches `me` and finds its authorization server and h-card.
pub async fn discover(fetcher: &Fetcher, me: &Url) -> Result<Profile> {
    let page = fetcher
        .get(me.as_str())
        .await
        .map_err(|e| unusable(me, e))?;
    if page.status != 200 {
        return Err(unusable(me, format!("HTTP {}", page.status)));
    }
    let base = page.final_url.clone();
    let html = page.text();
    let headers: Vec<&str> = page
        .headers
        .get_all(LINK)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .collect();
    // The parsed page is not `Send`: read all of it before the next await.
    let page = read_page(&html, &headers, &base);
    let (issuer, authorization_endpoint) = if let Some(meta_url) = page.metadata {
        let meta = fetcher
            .get(meta_url.as_str())
            .await
            .map_err(|e| unusable(me, e))?;
        if meta.status != 200 {
            return Err(unusable(me, format!("metadata: HTTP {}", meta.status)));
        }
        let m: Metadata = serde_json::from_slice(&meta.body)
            .map_err(|e| unusable(me, format!("metadata: {e}")))?;
        // §4.1.1: the issuer is a prefix of the metadata URL.
        if !meta_url.as_str().starts_with(&m.issuer) {
            return Err(unusable(me, "metadata issuer is not a prefix of its URL"));
        }
        if !m.code_challenge_methods_supported.is_empty()
            && !m
                .code_challenge_methods_supported
                .iter()
                .any(|x| x == "S256")
        {
            return Err(unusable(me, "the server does not offer PKCE S256"));
        }
        let endpoint = meta_url
            .join(&m.authorization_endpoint)
            .map_err(|e| unusable(me, format!("authorization_endpoint: {e}")))?;
        (Some(m.issuer), endpoint)
    } else if let Some(endpoint) = page.legacy {
        (None, endpoint)
    } else {
        return Err(unusable(
            me,
            "neither indieauth-metadata nor authorization_endpoint",
        ));
    };
    if !matches!(authorization_endpoint.scheme(), "https" | "http") {
        return Err(unusable(me, "the authorization endpoint is not http(s)"));
    }
    Ok(Profile {
        me: base,
        issuer,
        authorization_endpoint,
        name: page.name,
        photo: page.photo,
    })
}

/// What discovery reads from the profile page itself.
struct Page {
    metadata: Option<Url>,
    legacy: Option<Url>,
    name: Option<String>,
    photo: Option<String>,
}

fn read_page(html: &str, headers: &[&str], base: &Url) -> Page {
    let doc = Html::parse_document(html);
    let rel =
        |name: &str| link_header(headers, name, base).or_else(|| link_element(&doc, name, base));
    let (name, photo) = h_card(html, base);
    Page {
        metadata: rel("indieauth-metadata"),
        legacy: rel("authorization_endpoint"),
        name,
        photo,
    }
}

/// The first URL of rel `name` in `Link` headers (RFC 8288), resolved.
fn link_header(values: &[&str], name: &str, base: &Url) -> Option<Url> {
    for value in values {
        for link in value.split(',') {
            let mut parts = link.split(';');
            let target = parts.next()?.trim();
            let target = target.strip_prefix('<')?.strip_suffix('>')?;
            let has_rel = parts.any(|p| {
                let (k, v) = p.split_once('=').unwrap_or((p, ""));
                k.trim().eq_ignore_ascii_case("rel")
                    && v.trim()
                        .trim_matches('"')
                        .split_ascii_whitespace()
                        .any(|r| r.eq_ignore_ascii_case(name))
            });
            if has_rel {
                return base.join(target).ok();
            }
        }
    }
    None
}

/// The first `<link>` or `<a>` with rel `name` in the page, resolved.
fn link_element(doc: &Html, name: &str, base: &Url) -> Option<Url> {
    let selector = Selector::parse("link[rel][href], a[rel][href]").ok()?;
    doc.select(&selector)
        .find(|el| {
            el.value().attr("rel").is_some_and(|r| {
                r.split_ascii_whitespace()
                    .any(|x| x.eq_ignore_ascii_case(name))
            })
        })
        .and_then(|el| base.join(el.value().attr("href")?).ok())
}

/// Name and photo of the page's representative h-card: the one whose `url`
/// is the page itself, else the only top-level h-card.
fn h_card(html: &str, base: &Url) -> (Option<String>, Option<String>) {
    let items = mf2::parse(html, base);
    let cards: Vec<&mf2::Item> = items.iter().filter(|i| i.is("h-card")).collect();
    let me = base.as_str().trim_end_matches('/');
    let card = cards
        .iter()
        .find(|c| c.urls("url").iter().any(|u| u.trim_end_matches('/') == me))
        .or(if cards.len() == 1 {
            cards.first()
        } else {
            None
        });
    let Some(card) = card else {
        return (None, None);
    };
    let name = card
        .text("name")
        .map(|n| n.split_whitespace().collect::<Vec<_>>().join(" "))
        .map(|n| n.chars().take(80).collect::<String>())
        .filter(|n| !n.is_empty());
    let photo = card
        .text("photo")
        .filter(|p| p.starts_with("https://") || p.starts_with("http://"))
        .map(str::to_string);
    (name, photo)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn profile_urls_are_canonicalized_as_the_spec_shows() {
        // §3.4's examples
        let c = |s| canonical_me(s, false).map(|u| u.to_string());
        assert_eq!(c("example.com").unwrap(), "https://example.com/");
        assert_eq!(c("http://example.com").unwrap(), "http://example.com/");
        assert_eq!(
            c("https://EXAMPLE.com/Alice").unwrap(),
            "https://example.com/Alice"
        );
        assert_eq!(
            c("https://example.com/username?x=1").unwrap(),
            "https://example.com/username?x=1"
        );
        for bad in [
            "mailto:a@example.com",
            "https://example.com/#me",
            "https://user:pass@example.com/",
            "https://example.com:8443/",
            "https://172.28.92.51/",
            "",
        ] {
            let e = canonical_me(bad, false).unwrap_err();
            assert!(e.to_string().starts_with("me:"), "{bad}: {e}");
        }
        assert_eq!(
            canonical_me("http://127.0.0.1:8080", true)
                .unwrap()
                .as_str(),
            "http://127.0.0.1:8080/"
        );
    }

    #[test]
    fn link_headers_and_elements_are_found_by_rel() {
        let base = Url::parse("https://example.com/").unwrap();
        let h =
            [r#"<https://example.com/wm>; rel="webmention", </meta>; rel="indieauth-metadata""#];
        assert_eq!(
            link_header(&h, "indieauth-metadata", &base)
                .unwrap()
                .as_str(),
            "https://example.com/meta"
        );
        assert_eq!(link_header(&h, "authorization_endpoint", &base), None);
        let doc = Html::parse_document(
            r#"<link rel="me authorization_endpoint" href="https://auth.example/a">"#,
        );
        assert_eq!(
            link_element(&doc, "authorization_endpoint", &base)
                .unwrap()
                .as_str(),
            "https://auth.example/a"
        );
    }

    #[test]
    fn the_representative_h_card_gives_name_and_photo() {
        let base = Url::parse("https://example.com/").unwrap();
        let html = r#"<div class="h-card"><a class="u-url p-name" href="https://other.example/">Other</a></div>
            <div class="h-card"><a class="u-url" href="/"><img class="u-photo" src="/me.jpg" alt=""> <span class="p-name">Jane   Doe</span></a></div>"#;
        assert_eq!(
            h_card(html, &base),
            (
                Some("Jane Doe".into()),
                Some("https://example.com/me.jpg".into())
            )
        );
        assert_eq!(h_card("<p>no card</p>", &base), (None, None));
    }
}
