//! The plain structs templates see. Built from the model once per build
//! (list views) or per page (the full post), then handed to tera.

use serde::Serialize;

use crate::config::{CommentsState, Config};
use crate::content::date::PostDate;
use crate::content::{Entry, Kind};
use crate::escape::strip_tags;
use crate::i18n::Strings;

#[derive(Debug, Clone, Serialize)]
pub struct LinkView {
    pub name: String,
    pub url: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct DateView {
    /// RFC 3339, for `<time datetime>`.
    pub iso: String,
    /// Localised, e.g. "November 23, 2026".
    pub human: String,
}

impl DateView {
    pub fn new(d: &PostDate, strings: &Strings) -> DateView {
        DateView {
            iso: d.rfc3339(),
            human: strings.date(d.civil()),
        }
    }
}

/// A post or page as lists and the page itself show it.
#[derive(Debug, Clone, Serialize)]
pub struct EntryView {
    pub kind: &'static str,
    pub title: String,
    /// Language and direction when the entry sets its own `language`.
    pub language: Option<String>,
    pub dir: &'static str,
    pub url: String,
    pub permalink: String,
    pub date: Option<DateView>,
    pub updated: Option<DateView>,
    /// Summary HTML (front matter `summary` escaped, else the markdown summary).
    pub summary: String,
    /// Plain-text description for meta tags.
    pub description: String,
    pub has_more: bool,
    pub words: usize,
    pub minutes: usize,
    pub reading_time: String,
    pub tags: Vec<LinkView>,
    pub categories: Vec<LinkView>,
}

pub fn term_path(taxonomy: &str, name: &str) -> String {
    format!("/{taxonomy}/{}/", crate::content::slug::slugify(name))
}

impl EntryView {
    pub fn new(e: &Entry, config: &Config, strings: &Strings) -> EntryView {
        let words = e.rendered.words;
        let minutes = words.div_ceil(200).max(1);
        let summary = match &e.summary {
            Some(s) => format!("<p>{}</p>", crate::escape::escape(s)),
            None => e.rendered.summary_html.clone(),
        };
        let mut description = match &e.summary {
            Some(s) => s.clone(),
            None => strip_tags(&e.rendered.summary_html),
        };
        if description.chars().count() > 240 {
            description = description.chars().take(237).collect::<String>() + "…";
        }
        let links = |tax: &str, names: &[String]| {
            names
                .iter()
                .map(|n| LinkView {
                    name: n.clone(),
                    url: config.url_for(&term_path(tax, n)),
                })
                .collect()
        };
        EntryView {
            kind: match e.kind {
                Kind::Post => "post",
                Kind::Page => "page",
            },
            title: e.title.clone(),
            language: e.language.clone(),
            dir: crate::config::dir_of(e.language.as_deref().unwrap_or(&config.language)),
            url: config.url_for(&e.path),
            permalink: config.abs_url(&e.path),
            date: e.date.as_ref().map(|d| DateView::new(d, strings)),
            updated: e.updated.as_ref().map(|d| DateView::new(d, strings)),
            summary,
            description,
            has_more: e.rendered.has_more,
            words,
            minutes,
            reading_time: strings.get("reading_time", Some(minutes as i64)),
            tags: links("tags", &e.tags),
            categories: links("categories", &e.categories),
        }
    }
}

/// The conversation slot of a post page: everything the theme needs for the
/// `<section id="comments">` hooks and the no-JS form (docs/conversation.md).
/// Issue 6 fills `comments`/`count`/`baked` from the service's export.
#[derive(Debug, Clone, Serialize)]
pub struct ConversationView {
    /// Page path as the service knows it (`/posts/x/`, with the base path).
    pub page: String,
    pub service: String,
    pub form_action: String,
    pub embed_js: String,
    pub webmention: String,
    pub pingback: String,
    /// Href of this post's comments feed.
    pub feed: String,
    pub open: bool,
    /// When comments close (RFC 3339), if the config closes them.
    pub closes: Option<String>,
    /// Export cursor of the baked comments; none until issue 6 bakes them.
    pub baked: Option<String>,
    pub count: usize,
    pub comments: Vec<serde_json::Value>,
    /// Heading such as "No comments yet", in the page's language.
    pub title: String,
    /// `#causerie-strings` JSON for embed.js.
    pub strings_json: String,
}

/// Open/closed and closing date of an entry's comments.
pub fn comments_state(
    e: &Entry,
    config: &Config,
    now: jiff::Timestamp,
) -> (CommentsState, Option<PostDate>) {
    let Some(c) = &config.comments else {
        return (CommentsState::Closed, None);
    };
    let default = if e.kind == Kind::Page {
        CommentsState::Closed
    } else {
        c.default
    };
    let state = e.comments.unwrap_or(default);
    if state == CommentsState::Closed {
        return (state, None);
    }
    match (c.close_after_days, e.date) {
        (0, _) | (_, None) => (state, None),
        (days, Some(d)) => {
            let closes = d.plus_days(days);
            if closes.ts <= now {
                (CommentsState::Closed, Some(closes))
            } else {
                (state, Some(closes))
            }
        }
    }
}

impl ConversationView {
    pub fn new(
        e: &Entry,
        config: &Config,
        strings: &Strings,
        now: jiff::Timestamp,
    ) -> Option<ConversationView> {
        let c = config.comments.as_ref()?;
        let (state, closes) = comments_state(e, config, now);
        let keys = [
            "comment_reply",
            "comment_send",
            "comment_sending",
            "comment_edit",
            "comment_delete",
            "comment_published",
            "comment_held",
            "comment_error",
            "comment_cancel",
        ];
        let mut js = serde_json::Map::new();
        for k in keys {
            js.insert(
                k.trim_start_matches("comment_").to_string(),
                strings.get(k, None).into(),
            );
        }
        let strings_json = serde_json::to_string(&js)
            .unwrap_or_else(|_| "{}".into())
            .replace("</", "<\\/");
        Some(ConversationView {
            page: config.url_for(&e.path),
            service: c.url.clone(),
            form_action: format!("{}/api/comments", c.url),
            embed_js: format!("{}/embed.js", c.url),
            webmention: format!("{}/webmention", c.url),
            pingback: format!("{}/xmlrpc", c.url),
            feed: config.url_for(&format!("{}comments.xml", e.path)),
            open: state == CommentsState::Open,
            closes: closes.map(|d| d.rfc3339()),
            baked: None,
            count: 0,
            comments: Vec::new(),
            title: strings
                .get("comments_title", Some(0))
                .replace("{title}", &e.title),
            strings_json,
        })
    }
}

/// Links between pager pages.
#[derive(Debug, Clone, Serialize)]
pub struct PagerView {
    pub current: usize,
    pub total: usize,
    pub prev: Option<String>,
    pub next: Option<String>,
    pub first: String,
    pub last: String,
}

/// Site path of pager page `n` (1-based) of a list whose first page is `base`.
pub fn pager_path(base: &str, n: usize) -> String {
    if n <= 1 {
        base.to_string()
    } else {
        format!("{base}page/{n}/")
    }
}

impl PagerView {
    pub fn new(base: &str, current: usize, total: usize, config: &Config) -> PagerView {
        PagerView {
            current,
            total,
            prev: (current > 1).then(|| config.url_for(&pager_path(base, current - 1))),
            next: (current < total).then(|| config.url_for(&pager_path(base, current + 1))),
            first: config.url_for(base),
            last: config.url_for(&pager_path(base, total)),
        }
    }
}

/// Head metadata of any page.
#[derive(Debug, Clone, Serialize)]
pub struct PageMeta {
    pub kind: &'static str,
    pub title: String,
    pub description: String,
    pub url: String,
    pub permalink: String,
    /// Extra `<link rel="alternate">` feeds for this page.
    pub feeds: Vec<FeedLink>,
    pub noindex: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct FeedLink {
    pub r#type: String,
    pub href: String,
    pub title: String,
}

/// A taxonomy term in lists.
#[derive(Debug, Clone, Serialize)]
pub struct TermView {
    pub name: String,
    pub url: String,
    pub count: usize,
    pub count_text: String,
}
