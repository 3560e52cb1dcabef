//! Each post as an ActivityStreams object, and the outbox of their
//! `Create` activities.
//!
//! A post is an `Article` (title, full text, link), except a short one —
//! at most [`NOTE_CHARS`] characters of text, no heading and no image —
//! which is a `Note`, shown whole in a timeline like any status. Either way
//! the object's id is `<post URL>activity.json` and its `url` the page.

use serde::Serialize;

use super::{CONTEXT, PUBLIC, Urls};
use crate::config::Config;
use crate::content::Entry;
use crate::site::{Taxonomy, Term};

/// Longest text (in characters) of a post published as a `Note` (Mastodon's
/// own limit for a status).
pub const NOTE_CHARS: usize = 500;

#[derive(Serialize, Clone)]
#[serde(rename_all = "camelCase")]
pub struct Object {
    #[serde(rename = "@context", skip_serializing_if = "Option::is_none")]
    context: Option<&'static str>,
    pub id: String,
    pub r#type: &'static str,
    attributed_to: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    name: Option<String>,
    content: String,
    media_type: &'static str,
    url: String,
    published: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub updated: Option<String>,
    to: [&'static str; 1],
    cc: [String; 1],
    tag: Vec<Hashtag>,
}

#[derive(Serialize, Clone)]
struct Hashtag {
    r#type: &'static str,
    href: String,
    name: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Create {
    id: String,
    r#type: &'static str,
    actor: String,
    published: String,
    to: [&'static str; 1],
    cc: [String; 1],
    object: Object,
}

/// `Note` or `Article` for a post's rendered HTML.
pub fn object_type(html: &str) -> &'static str {
    let text = crate::escape::strip_tags(html);
    let short = text.trim().chars().count() <= NOTE_CHARS;
    let plain = !["<h1", "<h2", "<h3", "<h4", "<h5", "<h6", "<img", "<pre"]
        .iter()
        .any(|t| html.contains(t));
    if short && plain { "Note" } else { "Article" }
}

/// Root-relative links and images made absolute: remote servers show the
/// content on another host.
fn absolute(config: &Config, html: &str) -> String {
    let origin = config.abs_url("/");
    let origin = origin.trim_end_matches(config.base_path()).to_string();
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(at) = rest.find("=\"/") {
        let (head, tail) = rest.split_at(at + 2);
        out.push_str(head);
        let attr_ok = head.ends_with("href=\"") || head.ends_with("src=\"");
        if attr_ok && !tail.starts_with("//") {
            out.push_str(&origin);
        }
        rest = tail;
    }
    out.push_str(rest);
    out
}

/// The object of post `e` (its HTML already rendered into `html`);
/// `terms` are the terms of its tags, in order (`None` for a tag spelt
/// otherwise than its term: it links none), which the job's inputs
/// gather, so that its key covers them.
pub fn object(
    config: &Config,
    urls: &Urls,
    e: &Entry,
    terms: &[Option<&Term>],
    html: &str,
    context: bool,
) -> Object {
    let kind = object_type(html);
    let published = e.date.map(|d| d.rfc3339()).unwrap_or_default();
    let tag = e
        .tags
        .iter()
        .zip(terms)
        .filter_map(|(name, t)| {
            let t = (*t)?;
            let word: String = name
                .chars()
                .filter(|c| c.is_alphanumeric() || *c == '_')
                .collect();
            (!word.is_empty()).then(|| Hashtag {
                r#type: "Hashtag",
                href: config.abs_url(&t.path(Taxonomy::Tags)),
                name: format!("#{word}"),
            })
        })
        .collect();
    Object {
        context: context.then_some(CONTEXT),
        id: config.abs_url(&super::object_path(&e.path)),
        r#type: kind,
        attributed_to: urls.actor.clone(),
        name: (kind == "Article").then(|| e.title.clone()),
        content: absolute(config, html),
        media_type: "text/html",
        url: config.abs_url(&e.path),
        published,
        updated: e.updated.map(|d| d.rfc3339()),
        to: [PUBLIC],
        cc: [urls.followers.clone()],
        tag,
    }
}

/// The `Create` of an object, as the outbox lists it and delivery sends it.
fn create(urls: &Urls, object: Object) -> Create {
    Create {
        id: format!("{}#create", object.id),
        r#type: "Create",
        actor: urls.actor.clone(),
        published: object.published.clone(),
        to: [PUBLIC],
        cc: [urls.followers.clone()],
        object,
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Outbox<'a> {
    #[serde(rename = "@context")]
    context: &'static str,
    id: &'a str,
    r#type: &'static str,
    total_items: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    ordered_items: Option<Vec<Create>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    first: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    last: Option<String>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct OutboxPage {
    #[serde(rename = "@context")]
    context: &'static str,
    id: String,
    r#type: &'static str,
    part_of: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    prev: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    next: Option<String>,
    ordered_items: Vec<Create>,
}

/// Site path of outbox page `n` (1-based).
pub fn page_path(n: usize) -> String {
    format!("{}-page-{n}", super::OUTBOX)
}

/// The outbox, newest first: `(site path, bytes)` of the collection and,
/// past [`super::OUTBOX_PAGE`] posts, of each of its pages. `objects`
/// gives each post's object, newest first.
pub fn outbox(config: &Config, urls: &Urls, objects: Vec<Object>) -> Vec<(String, Vec<u8>)> {
    let total = objects.len();
    let creates: Vec<Create> = objects.into_iter().map(|o| create(urls, o)).collect();
    if total <= super::OUTBOX_PAGE {
        let b = super::json_bytes(&Outbox {
            context: CONTEXT,
            id: &urls.outbox,
            r#type: "OrderedCollection",
            total_items: total,
            ordered_items: Some(creates),
            first: None,
            last: None,
        });
        return vec![(super::OUTBOX.to_string(), b)];
    }
    let pages = total.div_ceil(super::OUTBOX_PAGE);
    let mut out = vec![(
        super::OUTBOX.to_string(),
        super::json_bytes(&Outbox {
            context: CONTEXT,
            id: &urls.outbox,
            r#type: "OrderedCollection",
            total_items: total,
            ordered_items: None,
            first: Some(config.abs_url(&page_path(1))),
            last: Some(config.abs_url(&page_path(pages))),
        }),
    )];
    let mut it = creates.into_iter();
    for n in 1..=pages {
        let items: Vec<Create> = it.by_ref().take(super::OUTBOX_PAGE).collect();
        out.push((
            page_path(n),
            super::json_bytes(&OutboxPage {
                context: CONTEXT,
                id: config.abs_url(&page_path(n)),
                r#type: "OrderedCollectionPage",
                part_of: urls.outbox.clone(),
                prev: (n > 1).then(|| config.abs_url(&page_path(n - 1))),
                next: (n < pages).then(|| config.abs_url(&page_path(n + 1))),
                ordered_items: items,
            }),
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_plain_posts_are_notes_and_the_rest_articles() {
        assert_eq!(object_type("<p>Just a thought.</p>"), "Note");
        assert_eq!(object_type("<h2>A</h2><p>b</p>"), "Article");
        assert_eq!(object_type("<p><img src=\"/a.png\"></p>"), "Article");
        assert_eq!(
            object_type(&format!("<p>{}</p>", "a".repeat(501))),
            "Article"
        );
    }

    #[test]
    fn root_relative_links_become_absolute() {
        let c = crate::config::Config::parse(
            "causerie.toml",
            "base_url = \"https://ex.org/blog/\"\ntitle = \"T\"\n",
        )
        .unwrap();
        let h = absolute(
            &c,
            "<a href=\"/blog/posts/a/\">a</a> <img src=\"/blog/i.png\"> <a href=\"//cdn.ex/x\">x</a> <b title=\"/no\">",
        );
        assert_eq!(
            h,
            "<a href=\"https://ex.org/blog/posts/a/\">a</a> <img src=\"https://ex.org/blog/i.png\"> <a href=\"//cdn.ex/x\">x</a> <b title=\"/no\">"
        );
    }
}
