//! The plain structs templates see. Built from the model once per build
//! (list views) or per page (the full post), then handed to tera.

use serde::Serialize;

use crate::config::{CommentsState, Config};
use crate::content::date::PostDate;
use crate::content::{Entry, Kind};
use crate::conversation::Conversations;
use crate::conversation::view::{CommentView, FaceView, ReplyOption};
use crate::escape::strip_tags;
use crate::i18n::Strings;
use crate::site::pager_path;

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
    /// Responses baked into the post ("3 comments"); 0 and empty text when
    /// the site has no comments.
    pub comment_count: usize,
    pub comment_count_text: String,
}

pub fn term_path(taxonomy: &str, name: &str, slugs: crate::config::Slugify) -> String {
    format!("/{taxonomy}/{}/", crate::slug::make(name, slugs))
}

impl EntryView {
    pub fn new(e: &Entry, config: &Config, strings: &Strings) -> EntryView {
        let brief = e.rendered.brief();
        let words = brief.words;
        let minutes = words.div_ceil(200).max(1);
        let summary = match &e.summary {
            Some(s) => format!("<p>{}</p>", crate::escape::escape(s)),
            None => brief.summary_html.clone(),
        };
        let mut description = match &e.summary {
            Some(s) => s.clone(),
            None => strip_tags(&brief.summary_html),
        };
        if description.chars().count() > 240 {
            description = description.chars().take(237).collect::<String>() + "…";
        }
        let links = |tax: &str, names: &[String]| {
            names
                .iter()
                .map(|n| LinkView {
                    name: n.clone(),
                    url: config.url_for(&term_path(tax, n, config.slug_mode())),
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
            has_more: brief.has_more,
            words,
            minutes,
            reading_time: strings.get("reading_time", Some(minutes as i64)),
            tags: links("tags", &e.tags),
            categories: links("categories", &e.categories),
            comment_count: 0,
            comment_count_text: String::new(),
        }
    }

    /// Sets the comment count shown in lists ("No comments", "3 comments").
    pub fn set_comment_count(&mut self, n: usize, strings: &Strings) {
        self.comment_count = n;
        self.comment_count_text = strings.get("comment_count", Some(n as i64));
    }
}

/// The conversation slot of a post page: everything the theme needs for the
/// `<section id="comments">` hooks, the baked thread and the no-JS form
/// (docs/conversation.md).
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
    /// Href of the site-wide comments feed.
    pub site_feed: String,
    pub open: bool,
    /// When comments close (RFC 3339), if the config closes them.
    pub closes: Option<String>,
    /// Newest change among the baked items (`data-causerie-baked`); none
    /// when nothing is baked. Per page, so a new comment elsewhere leaves
    /// this page's bytes alone.
    pub baked: Option<String>,
    /// Responses: thread items, bookmarks and mentions.
    pub count: usize,
    /// The thread, flat in reading order (see `conversation::view`).
    pub comments: Vec<CommentView>,
    pub likes: Vec<FaceView>,
    pub likes_text: String,
    pub reposts: Vec<FaceView>,
    pub reposts_text: String,
    pub mentions: Vec<CommentView>,
    /// Choices of the form's "in reply to" list (works without JavaScript).
    pub reply_options: Vec<ReplyOption>,
    /// Heading such as "No comments yet", in the page's language.
    pub title: String,
    /// `#causerie-strings` JSON for embed.js.
    pub strings_json: String,
    /// The sign-in choices, when the service offers sign-in.
    pub sign_in: Option<super::sign_in_view::SignInView>,
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
        conversation: &Conversations,
    ) -> Option<ConversationView> {
        let c = config.comments.as_ref()?;
        let (state, closes) = comments_state(e, config, now);
        // embed.js key → theme string key.
        let keys = [
            ("reply", "comment_reply"),
            ("send", "comment_send"),
            ("sending", "comment_sending"),
            ("edit", "comment_edit"),
            ("delete", "comment_delete"),
            ("save", "comment_save"),
            ("cancel", "comment_cancel"),
            ("published", "comment_published"),
            ("held", "comment_held"),
            ("error", "comment_error"),
            ("load_error", "comment_load_error"),
            ("closed", "comments_closed"),
            ("confirm_delete", "comment_confirm_delete"),
            ("replying", "comment_replying"),
            ("pending", "comment_pending"),
            ("owner", "comment_owner"),
            ("like", "comment_liked"),
            ("repost", "comment_reposted"),
            ("bookmark", "comment_bookmarked"),
            ("mention", "comment_mentioned"),
            ("name", "comment_name"),
            ("email", "comment_email"),
            ("website", "comment_website"),
            ("comment", "comment_body"),
            ("honeypot", "comment_honeypot"),
            ("signed_in_as", "sign_in_as"),
            ("signed_in", "signed_in"),
            ("sign_out", "sign_out"),
            ("sign_in_title", "sign_in_title"),
            ("verified", "comment_verified"),
        ];
        let mut js = serde_json::Map::new();
        for (k, key) in keys {
            if strings.has(key) {
                js.insert(k.to_string(), strings.get(key, None).into());
            }
        }
        let sign_in = super::sign_in_view::SignInView::new(
            &conversation.sign_in,
            &c.url,
            &config.url_for(&e.path),
            &config.abs_url(&e.path),
            strings,
        );
        if let Some(v) = &sign_in {
            js.insert("sign_in".into(), v.for_script());
        }
        let page = config.url_for(&e.path);
        let items = conversation.page(&page);
        let thread = crate::conversation::view::thread(&items, &config.abs_url(&e.path), strings);
        // the heading for the counts embed.js reaches by adding comments live
        let heading = |n: usize| {
            strings
                .get("comments_title", Some(n as i64))
                .replace("{title}", &e.title)
        };
        // (a closed post with nothing to show has no heading at all)
        if state == CommentsState::Open || thread.count > 0 {
            js.insert("count".into(), thread.count.into());
            js.insert(
                "headings".into(),
                (thread.count..thread.count + 10).map(heading).collect(),
            );
        }
        let strings_json = serde_json::to_string(&js)
            .unwrap_or_else(|_| "{}".into())
            .replace("</", "<\\/");
        Some(ConversationView {
            page,
            service: c.url.clone(),
            form_action: format!("{}/api/comments", c.url),
            embed_js: format!("{}/embed.js", c.url),
            webmention: format!("{}/webmention", c.url),
            pingback: format!("{}/xmlrpc", c.url),
            feed: config.url_for(&format!("{}comments.xml", e.path)),
            site_feed: config.url_for(crate::conversation::feed::SITE_FEED),
            open: state == CommentsState::Open,
            closes: closes.map(|d| d.rfc3339()),
            baked: thread.baked,
            count: thread.count,
            title: strings
                .get("comments_title", Some(thread.count as i64))
                .replace("{title}", &e.title),
            comments: thread.comments,
            likes: thread.likes,
            likes_text: thread.likes_text,
            reposts: thread.reposts,
            reposts_text: thread.reposts_text,
            mentions: thread.mentions,
            reply_options: thread.reply_options,
            strings_json,
            sign_in,
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
