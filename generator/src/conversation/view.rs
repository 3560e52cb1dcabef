//! One page's items → what the theme shows: the numbered thread (comments
//! and Webmention replies, nested by parent, in time order), the facepiles
//! of likes and reposts, and the list of bookmarks and mentions.
//!
//! The thread is handed to templates flat, in reading order, with each
//! item's depth and how many reply lists close after it, so a template
//! needs no recursion and a hostile reply chain cannot nest without end.
//!
//! Each view also carries its microformats2 role, so that readers of the
//! post's h-entry (mf2util, Bridgy, microformats-parser) find its responses:
//! thread items are `p-comment` (a reply is a `p-comment` of the item it
//! answers, because its element sits inside that item's), bookmarks and
//! mentions `p-mention`, faces `p-like` / `p-repost`, each an `h-cite` (or
//! an `h-entry` for a comment written here) with an author `h-card`.

use serde::Serialize;
use std::collections::{HashMap, HashSet};

use super::{Item, ItemKind};
use crate::i18n::Strings;

/// Deepest nesting shown; deeper replies sit beside their parent's level.
pub const MAX_DEPTH: usize = 5;

/// Colours of the avatar placeholders (`avatar-0` … `avatar-7` in the CSS).
const AVATAR_COLOURS: u32 = 8;

#[derive(Debug, Clone, Serialize)]
pub struct WhenView {
    /// RFC 3339, for `<time datetime>`.
    pub iso: String,
    /// Absolute, in the page's language ("November 23, 2026 at 10:00 UTC").
    pub human: String,
}

/// A comment, Webmention reply, bookmark or mention.
#[derive(Debug, Clone, Serialize)]
pub struct CommentView {
    pub id: i64,
    /// `comment-<id>`: the element id and permalink fragment.
    pub anchor: String,
    /// Place in the thread in time order (1-based); 0 outside the thread.
    pub number: usize,
    pub kind: &'static str,
    /// `h-entry` for comments made here, `h-cite` for Webmentions (they cite
    /// a post published elsewhere).
    pub mf: &'static str,
    /// The property it is of its parent item (the post or the comment it
    /// answers): `p-comment` in the thread, `p-mention` for bookmarks and
    /// mentions, which answer nothing in particular.
    pub prop: &'static str,
    pub author: String,
    pub website: Option<String>,
    /// The author's photo (`u-photo`), present only when the service
    /// exposes photos; kept as data, never loaded by the page.
    pub photo: Option<String>,
    pub initial: String,
    pub avatar: u32,
    pub date: WhenView,
    pub edited: Option<WhenView>,
    pub is_owner: bool,
    /// Posted while signed in (the page marks it).
    pub verified: bool,
    /// Cleaned HTML (the only field a template may print unescaped).
    pub body_html: String,
    /// The item's own URL (`u-url`): its anchor here, or the source's URL.
    pub url: String,
    pub source: Option<String>,
    pub source_host: Option<String>,
    /// What it answers (`u-in-reply-to`): the parent comment or the post.
    pub in_reply_to: String,
    /// "bookmarked this", "mentioned this" (bookmarks and mentions only).
    pub action: String,
    pub depth: usize,
    /// The next item is its first reply (open a reply list, keep the item open).
    pub has_replies: bool,
    /// Reply lists (with their parent items) to close after this item.
    pub close: usize,
}

/// One face of a facepile: a `p-like` or `p-repost` `h-cite`.
#[derive(Debug, Clone, Serialize)]
pub struct FaceView {
    pub id: i64,
    pub anchor: String,
    /// `p-like` or `p-repost`.
    pub prop: &'static str,
    pub author: String,
    /// Where the face links and the h-cite's `u-url`: the like's own URL,
    /// else its source, else the author's site.
    pub url: Option<String>,
    /// The liker's home page: their h-card's `u-url`, which is not the like
    /// post (a reader's tool would otherwise take the post for the person).
    pub website: Option<String>,
    /// The liker's photo (`u-photo`) when the service exposes photos.
    pub photo: Option<String>,
    pub initial: String,
    pub avatar: u32,
}

/// An option of the form's "in reply to" list.
#[derive(Debug, Clone, Serialize)]
pub struct ReplyOption {
    pub id: i64,
    pub label: String,
}

/// Everything the conversation section shows for one page.
#[derive(Debug, Clone, Default, Serialize)]
pub struct ThreadView {
    /// Responses (thread, bookmarks, mentions): the number in the heading.
    pub count: usize,
    pub comments: Vec<CommentView>,
    pub likes: Vec<FaceView>,
    pub likes_text: String,
    pub reposts: Vec<FaceView>,
    pub reposts_text: String,
    pub mentions: Vec<CommentView>,
    pub reply_options: Vec<ReplyOption>,
    /// Newest change among the page's items (RFC 3339), none when empty.
    pub baked: Option<String>,
}

/// A name safe to show: the author, or the theme's word for "anonymous".
pub fn display_name(author: &str, strings: &Strings) -> String {
    if author.trim().is_empty() {
        strings.get("comment_anonymous", None)
    } else {
        author.to_string()
    }
}

fn initial(name: &str) -> String {
    name.chars()
        .find(|c| c.is_alphanumeric())
        .map(|c| c.to_uppercase().collect())
        .unwrap_or_else(|| "?".into())
}

fn avatar(name: &str) -> u32 {
    name.bytes().fold(2166136261u32, |h, b| {
        (h ^ u32::from(b)).wrapping_mul(16777619)
    }) % AVATAR_COLOURS
}

/// "November 23, 2026 at 10:00 UTC" in the strings' language.
pub fn when(iso: &str, strings: &Strings) -> WhenView {
    let ts = super::parse_time(iso).unwrap_or(jiff::Timestamp::UNIX_EPOCH);
    let dt = ts.to_zoned(jiff::tz::TimeZone::UTC);
    let fmt = if strings.has("datetime_format") {
        strings.get("datetime_format", None)
    } else {
        "{date}, {time} UTC".into()
    };
    let time = strings.digits(&dt.strftime("%H:%M").to_string());
    WhenView {
        iso: super::format_time(ts),
        human: fmt
            .replace("{date}", &strings.date(dt.date()))
            .replace("{time}", &time),
    }
}

fn host(url: &str) -> Option<String> {
    url::Url::parse(url).ok().and_then(|u| {
        u.host_str()
            .map(|h| h.trim_start_matches("www.").to_string())
    })
}

fn comment_view(it: &Item, permalink: &str, strings: &Strings) -> CommentView {
    let author = display_name(&it.author, strings);
    let own = format!("{permalink}#comment-{}", it.id);
    let webmention = it.kind != ItemKind::Comment;
    CommentView {
        id: it.id,
        anchor: format!("comment-{}", it.id),
        number: 0,
        kind: it.kind.as_str(),
        mf: if webmention { "h-cite" } else { "h-entry" },
        prop: if it.kind.in_thread() {
            "p-comment"
        } else {
            "p-mention"
        },
        initial: initial(&author),
        avatar: avatar(&author),
        website: it.website.clone(),
        photo: it.author_photo.clone(),
        author,
        date: when(&it.created, strings),
        // A Webmention's `updated` is when it was last received, not an edit.
        edited: it
            .updated
            .as_deref()
            .filter(|_| !webmention)
            .map(|u| when(u, strings)),
        is_owner: it.is_owner,
        verified: it.verified,
        body_html: it.body_html.clone(),
        url: if webmention {
            it.url.clone().or_else(|| it.source.clone()).unwrap_or(own)
        } else {
            own
        },
        source_host: it.source.as_deref().and_then(host),
        source: it.source.clone(),
        in_reply_to: permalink.to_string(),
        action: match it.kind {
            ItemKind::Bookmark => strings.get("comment_bookmarked", None),
            ItemKind::Mention => strings.get("comment_mentioned", None),
            _ => String::new(),
        },
        depth: 0,
        has_replies: false,
        close: 0,
    }
}

fn face(it: &Item, strings: &Strings) -> FaceView {
    let author = display_name(&it.author, strings);
    FaceView {
        id: it.id,
        anchor: format!("comment-{}", it.id),
        prop: if it.kind == ItemKind::Repost {
            "p-repost"
        } else {
            "p-like"
        },
        initial: initial(&author),
        avatar: avatar(&author),
        url: it
            .url
            .clone()
            .or_else(|| it.source.clone())
            .or_else(|| it.website.clone()),
        website: it.website.clone(),
        photo: it.author_photo.clone(),
        author,
    }
}

/// Appends the threads under `roots` to `order` depth-first, with depths
/// capped at [`MAX_DEPTH`]; `seen` makes every item appear once.
fn walk<'a>(
    roots: &[&'a Item],
    children: &HashMap<i64, Vec<&'a Item>>,
    seen: &mut HashSet<i64>,
    order: &mut Vec<(&'a Item, usize)>,
) {
    let mut stack: Vec<(&Item, usize)> = roots.iter().rev().map(|it| (*it, 0)).collect();
    while let Some((it, depth)) = stack.pop() {
        if !seen.insert(it.id) {
            continue;
        }
        order.push((it, depth));
        if let Some(kids) = children.get(&it.id) {
            let d = (depth + 1).min(MAX_DEPTH);
            stack.extend(kids.iter().rev().map(|k| (*k, d)));
        }
    }
}

/// Builds the view of one page from its items (oldest first, as
/// [`super::Conversations::page`] gives them). `permalink` is the page's
/// absolute URL.
pub fn thread(items: &[&Item], permalink: &str, strings: &Strings) -> ThreadView {
    let mut view = ThreadView {
        baked: items
            .iter()
            .map(|it| it.changed())
            .max()
            .map(str::to_string),
        ..ThreadView::default()
    };
    let in_thread: Vec<&Item> = items
        .iter()
        .copied()
        .filter(|it| it.kind.in_thread())
        .collect();
    let ids: HashSet<i64> = in_thread.iter().map(|it| it.id).collect();
    let number: HashMap<i64, usize> = in_thread
        .iter()
        .enumerate()
        .map(|(n, it)| (it.id, n + 1))
        .collect();
    // Children in time order; an item whose parent is not in the thread
    // (deleted, or a like) starts a thread of its own.
    let mut children: HashMap<i64, Vec<&Item>> = HashMap::new();
    let mut roots = Vec::new();
    for it in &in_thread {
        match it.parent {
            Some(p) if ids.contains(&p) => children.entry(p).or_default().push(it),
            _ => roots.push(*it),
        }
    }
    // Depth-first, iteratively (no recursion on data), each item visited once.
    let mut order: Vec<(&Item, usize)> = Vec::with_capacity(in_thread.len());
    let mut seen = HashSet::new();
    walk(&roots, &children, &mut seen, &mut order);
    // Items in a parent cycle are reached from no root: show them anyway.
    let rest: Vec<&Item> = in_thread
        .iter()
        .copied()
        .filter(|it| !seen.contains(&it.id))
        .collect();
    walk(&rest, &children, &mut seen, &mut order);
    for (i, (it, depth)) in order.iter().enumerate() {
        let next = order.get(i + 1).map(|(_, d)| *d).unwrap_or(0);
        let mut v = comment_view(it, permalink, strings);
        v.number = number[&it.id];
        v.depth = *depth;
        v.has_replies = next > *depth;
        v.close = depth.saturating_sub(next);
        if let Some(p) = it.parent.filter(|p| ids.contains(p)) {
            v.in_reply_to = format!("{permalink}#comment-{p}");
        }
        view.reply_options.push(ReplyOption {
            id: it.id,
            label: strings
                .get("comment_reply_to", Some(v.number as i64))
                .replace("{author}", &v.author),
        });
        view.comments.push(v);
    }
    view.reply_options.sort_by_key(|o| number[&o.id]);
    for it in items {
        match it.kind {
            ItemKind::Like => view.likes.push(face(it, strings)),
            ItemKind::Repost => view.reposts.push(face(it, strings)),
            ItemKind::Bookmark | ItemKind::Mention => {
                view.mentions.push(comment_view(it, permalink, strings))
            }
            ItemKind::Comment | ItemKind::Reply => {}
        }
    }
    view.count = view.comments.len() + view.mentions.len();
    view.likes_text = strings.get("likes_count", Some(view.likes.len() as i64));
    view.reposts_text = strings.get("reposts_count", Some(view.reposts.len() as i64));
    view
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::conversation::tests::item;

    fn en() -> Strings {
        Strings::load("en", |n| {
            (n == "en").then(|| include_str!("../../../themes/default/i18n/en.toml").to_string())
        })
        .unwrap()
    }

    #[test]
    fn replies_nest_in_time_order_and_lists_close() {
        let t = |h: u32| format!("2026-01-01T{h:02}:00:00Z");
        let items = [
            item(1, "/p/", None, ItemKind::Comment, &t(1)),
            item(2, "/p/", Some(1), ItemKind::Comment, &t(2)),
            item(3, "/p/", None, ItemKind::Reply, &t(3)),
            item(4, "/p/", Some(2), ItemKind::Comment, &t(4)),
            item(5, "/p/", Some(1), ItemKind::Comment, &t(5)),
            item(6, "/p/", None, ItemKind::Like, &t(6)),
            item(7, "/p/", Some(6), ItemKind::Comment, &t(7)),
            item(8, "/p/", None, ItemKind::Mention, &t(8)),
        ];
        let refs: Vec<&Item> = items.iter().collect();
        let v = thread(&refs, "https://x.org/p/", &en());
        let shape: Vec<(i64, usize, usize, bool, usize)> = v
            .comments
            .iter()
            .map(|c| (c.id, c.number, c.depth, c.has_replies, c.close))
            .collect();
        assert_eq!(
            shape,
            [
                (1, 1, 0, true, 0),
                (2, 2, 1, true, 0),
                (4, 4, 2, false, 1),
                (5, 5, 1, false, 1),
                (3, 3, 0, false, 0),
                (7, 6, 0, false, 0),
            ]
        );
        assert_eq!(v.comments[1].in_reply_to, "https://x.org/p/#comment-1");
        assert_eq!(v.comments[4].mf, "h-cite");
        assert_eq!(v.count, 7);
        assert_eq!(v.likes_text, "One person likes this");
        assert_eq!(v.mentions[0].action, "mentioned this");
        assert_eq!(v.reply_options[2].label, "Reply to #3 (Author 3)");
    }

    fn theme(lang: &str) -> Strings {
        Strings::load(lang, |n| match n {
            "en" => Some(include_str!("../../../themes/default/i18n/en.toml").to_string()),
            "fa" => Some(include_str!("../../../themes/default/i18n/fa.toml").to_string()),
            "de" => Some(include_str!("../../../themes/default/i18n/de.toml").to_string()),
            "ar" => Some(include_str!("../../../themes/default/i18n/ar.toml").to_string()),
            _ => None,
        })
        .unwrap()
    }

    #[test]
    fn headings_take_each_language_plural_forms() {
        let heading = |lang: &str, n: i64| {
            theme(lang)
                .get("comments_title", Some(n))
                .replace("{title}", "T")
        };
        let want: [(&str, [&str; 4]); 4] = [
            (
                "en",
                [
                    "No comments yet",
                    "One response to “T”",
                    "2 thoughts on “T”",
                    "5 thoughts on “T”",
                ],
            ),
            (
                "fa",
                [
                    "هنوز دیدگاهی نیست",
                    "یک دیدگاه برای «T»",
                    "۲ دیدگاه برای «T»",
                    "۵ دیدگاه برای «T»",
                ],
            ),
            (
                "de",
                [
                    "Noch keine Kommentare",
                    "Eine Antwort auf „T“",
                    "2 Gedanken zu „T“",
                    "5 Gedanken zu „T“",
                ],
            ),
            (
                "ar",
                [
                    "لا تعليقات بعد",
                    "ردّ واحد على «T»",
                    "ردّان على «T»",
                    "٥ ردود على «T»",
                ],
            ),
        ];
        for (lang, forms) in want {
            for (n, form) in [0, 1, 2, 5].into_iter().zip(forms) {
                assert_eq!(heading(lang, n), form, "{lang} {n}");
            }
        }
        assert_eq!(heading("ar", 11), "١١ ردًّا على «T»");
        assert_eq!(heading("ar", 100), "١٠٠ ردّ على «T»");
        assert_eq!(
            theme("de").get("likes_count", Some(12)),
            "12 Personen gefällt das"
        );
    }

    #[test]
    fn deep_chains_and_cycles_stay_bounded_and_complete() {
        let mut items: Vec<Item> = (1..=40)
            .map(|i| {
                item(
                    i,
                    "/p/",
                    (i > 1).then_some(i - 1),
                    ItemKind::Comment,
                    &format!("2026-01-01T00:00:{:02}Z", i),
                )
            })
            .collect();
        items.push(item(
            41,
            "/p/",
            Some(42),
            ItemKind::Comment,
            "2026-01-02T00:00:00Z",
        ));
        items.push(item(
            42,
            "/p/",
            Some(41),
            ItemKind::Comment,
            "2026-01-02T00:00:01Z",
        ));
        let refs: Vec<&Item> = items.iter().collect();
        let v = thread(&refs, "https://x.org/p/", &en());
        assert_eq!(v.comments.len(), 42);
        assert!(v.comments.iter().all(|c| c.depth <= MAX_DEPTH));
        let opened: usize = v.comments.iter().filter(|c| c.has_replies).count();
        let closed: usize = v.comments.iter().map(|c| c.close).sum();
        assert_eq!(opened, closed, "every reply list is closed");
    }
}
