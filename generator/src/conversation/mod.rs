//! The conversation baked into the pages: approved comments and Webmentions
//! from the comment service's `/api/export` (docs/conversation.md).
//!
//! [`sync`] brings the local cache under `.causerie/` up to date with an
//! incremental export (or builds from the cache alone, with a warning, when
//! the service cannot be reached); [`Conversations`] indexes the items by
//! page for the renderer; [`view`] turns one page's items into the thread,
//! facepile and mentions the theme shows; [`feed`] writes the comment feeds.
//!
//! Everything that comes from the service is treated as hostile: text is
//! kept as text (templates escape it), URLs must be http(s), and `body_html`
//! is cleaned again here with a strict allow-list.

pub mod actor_key;
pub mod cache;
pub mod clean;
pub mod feed;
pub mod retry;
pub mod sign_in;
pub mod sync;
pub mod view;

use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};

pub use sync::{sync, sync_from};

/// What a conversation item is (`kind` in the export).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ItemKind {
    Comment,
    Reply,
    Like,
    Repost,
    Bookmark,
    /// Plain mentions and pingbacks; also any kind this version does not know.
    #[serde(other)]
    Mention,
}

impl ItemKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ItemKind::Comment => "comment",
            ItemKind::Reply => "reply",
            ItemKind::Like => "like",
            ItemKind::Repost => "repost",
            ItemKind::Bookmark => "bookmark",
            ItemKind::Mention => "mention",
        }
    }

    /// Comments and Webmention replies: the numbered thread.
    pub fn in_thread(self) -> bool {
        matches!(self, ItemKind::Comment | ItemKind::Reply)
    }

    /// Likes and reposts: faces, no text.
    pub fn is_reaction(self) -> bool {
        matches!(self, ItemKind::Like | ItemKind::Repost)
    }
}

fn comment_kind() -> ItemKind {
    ItemKind::Comment
}

/// One approved comment or Webmention, as the export gives it (after
/// [`Item::cleaned`]). Unknown export fields (`replies`) are ignored.
#[derive(Debug, Clone, PartialEq, Hash, Serialize, Deserialize)]
pub struct Item {
    pub id: i64,
    /// The page path as the service knows it (`/posts/x/`, base path included).
    pub page: String,
    #[serde(default)]
    pub parent: Option<i64>,
    #[serde(default)]
    pub author: String,
    #[serde(default)]
    pub website: Option<String>,
    #[serde(default)]
    pub author_photo: Option<String>,
    #[serde(default)]
    pub body_html: String,
    /// RFC 3339.
    pub created: String,
    #[serde(default)]
    pub updated: Option<String>,
    #[serde(default = "comment_kind")]
    pub kind: ItemKind,
    /// The mentioning page of a Webmention.
    #[serde(default)]
    pub source: Option<String>,
    /// The h-entry's own URL of a Webmention.
    #[serde(default)]
    pub url: Option<String>,
    #[serde(default)]
    pub is_owner: bool,
    /// Posted by a signed-in reader (absent from older services: false).
    #[serde(default)]
    pub verified: bool,
}

/// Longest author name kept (characters).
const MAX_AUTHOR: usize = 100;

/// `u` when it is an absolute http(s) URL, else `None`.
pub fn safe_url(u: Option<&str>) -> Option<String> {
    let u = u?.trim();
    let parsed = url::Url::parse(u).ok()?;
    (matches!(parsed.scheme(), "http" | "https") && parsed.host().is_some())
        .then(|| parsed.to_string())
}

/// A timestamp of the export, or `None` when it does not parse.
pub fn parse_time(s: &str) -> Option<jiff::Timestamp> {
    s.trim().parse::<jiff::Timestamp>().ok()
}

/// RFC 3339 at second precision, UTC.
pub fn format_time(t: jiff::Timestamp) -> String {
    t.strftime("%Y-%m-%dT%H:%M:%SZ").to_string()
}

impl Item {
    /// The item made safe to bake: URLs http(s) only, the author plain text
    /// of bounded length, times normalised, `body_html` cleaned again.
    /// `None` when the item is unusable (no valid id, page or date).
    pub fn cleaned(mut self) -> Option<Item> {
        if self.id <= 0 || !self.page.starts_with('/') {
            return None;
        }
        let created = parse_time(&self.created)?;
        self.created = format_time(created);
        self.updated = self
            .updated
            .as_deref()
            .and_then(parse_time)
            .filter(|u| *u > created)
            .map(format_time);
        self.author = self
            .author
            .chars()
            .filter(|c| !c.is_control())
            .take(MAX_AUTHOR)
            .collect::<String>()
            .trim()
            .to_string();
        self.website = safe_url(self.website.as_deref());
        self.author_photo = safe_url(self.author_photo.as_deref());
        self.source = safe_url(self.source.as_deref());
        self.url = safe_url(self.url.as_deref());
        self.parent = self.parent.filter(|p| *p > 0 && *p != self.id);
        self.body_html = clean::body(&self.body_html);
        Some(self)
    }

    pub fn created_ts(&self) -> jiff::Timestamp {
        parse_time(&self.created).unwrap_or(jiff::Timestamp::UNIX_EPOCH)
    }

    /// Last change: `updated`, else `created`.
    pub fn changed(&self) -> &str {
        self.updated.as_deref().unwrap_or(&self.created)
    }
}

/// Every baked item, indexed by page.
#[derive(Debug, Clone, Default)]
pub struct Conversations {
    items: BTreeMap<i64, Item>,
    /// Page path → ids in time order (created, then id).
    by_page: HashMap<String, Vec<i64>>,
    /// Set when the build used the cache because the service could not be
    /// reached (printed after the build).
    pub warning: Option<String>,
    /// The service and export cursor these items are synced to, so a
    /// resident engine syncs from memory instead of the cache on disk.
    pub(crate) synced: Option<(String, String)>,
    /// How readers sign in (anonymous when the service does not say).
    pub sign_in: sign_in::SignIn,
    /// The fediverse actor's key from the export (`"activitypub"`), when
    /// the service has one.
    pub actor_key: Option<actor_key::ActorKey>,
}

impl Conversations {
    /// Indexes `items` (already cleaned).
    pub fn new(items: BTreeMap<i64, Item>) -> Conversations {
        let mut by_page: HashMap<String, Vec<i64>> = HashMap::new();
        for it in items.values() {
            by_page.entry(it.page.clone()).or_default().push(it.id);
        }
        for ids in by_page.values_mut() {
            ids.sort_by_cached_key(|id| (items[id].created_ts(), *id));
        }
        Conversations {
            items,
            by_page,
            warning: None,
            synced: None,
            sign_in: sign_in::SignIn::default(),
            actor_key: None,
        }
    }

    /// Number of items baked in total.
    pub fn len(&self) -> usize {
        self.items.len()
    }

    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// The items of one page, oldest first.
    pub fn page(&self, page: &str) -> Vec<&Item> {
        self.by_page
            .get(page)
            .map(|ids| ids.iter().map(|id| &self.items[id]).collect())
            .unwrap_or_default()
    }

    /// Responses on a page (comments, replies, mentions, bookmarks; likes
    /// and reposts are counted apart): the number in headings and lists.
    pub fn count(&self, page: &str) -> usize {
        self.by_page
            .get(page)
            .map(|ids| {
                ids.iter()
                    .filter(|id| !self.items[id].kind.is_reaction())
                    .count()
            })
            .unwrap_or(0)
    }

    /// A fingerprint of everything baked into one page's conversation: it
    /// changes exactly when the page's thread, its comments feed or its
    /// count changes (for the incremental rebuild).
    /// Every field goes straight into the build's fast key hasher: SHA-256
    /// over JSON copies of the items cost 10 ms a build at 10 000 comments.
    pub fn page_digest(&self, page: &str) -> u64 {
        let mut fp = crate::hash::Fp::new();
        for it in self.page(page) {
            std::hash::Hash::hash(it, &mut fp);
        }
        fp.finish()
    }

    /// Every item, newest first (for the site-wide comments feed).
    pub fn newest(&self) -> Vec<&Item> {
        let mut all: Vec<&Item> = self.items.values().collect();
        all.sort_by_cached_key(|it| std::cmp::Reverse((it.created_ts(), it.id)));
        all
    }

    pub fn items(&self) -> &BTreeMap<i64, Item> {
        &self.items
    }

    /// The items, giving up the index.
    pub(crate) fn into_items(self) -> BTreeMap<i64, Item> {
        self.items
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    pub fn item(id: i64, page: &str, parent: Option<i64>, kind: ItemKind, at: &str) -> Item {
        Item {
            id,
            page: page.into(),
            parent,
            author: format!("Author {id}"),
            website: None,
            author_photo: None,
            body_html: format!("<p>Body {id}</p>"),
            created: at.into(),
            updated: None,
            kind,
            source: None,
            url: None,
            is_owner: false,
            verified: false,
        }
    }

    #[test]
    fn cleaning_keeps_text_and_drops_bad_urls() {
        let mut it = item(
            1,
            "/p/",
            Some(1),
            ItemKind::Comment,
            "2026-01-01T10:00:00.5Z",
        );
        it.author = "<script>alert(1)</script>\u{7}".into();
        it.website = Some("javascript:alert(1)".into());
        it.source = Some("https://ok.example/x".into());
        it.body_html = "<p onclick=\"x()\">hi<script>alert(1)</script></p>".into();
        let c = it.cleaned().unwrap();
        assert_eq!(c.author, "<script>alert(1)</script>");
        assert_eq!(c.website, None);
        assert_eq!(c.source.as_deref(), Some("https://ok.example/x"));
        assert_eq!(c.parent, None, "an item is not its own parent");
        assert_eq!(c.created, "2026-01-01T10:00:00Z");
        assert!(!c.body_html.contains("script") && !c.body_html.contains("onclick"));
        assert!(c.body_html.contains("hi"));
        assert!(
            item(2, "/p/", None, ItemKind::Comment, "yesterday")
                .cleaned()
                .is_none()
        );
    }

    #[test]
    fn index_orders_by_time_and_counts_responses() {
        let mut m = BTreeMap::new();
        for it in [
            item(3, "/a/", None, ItemKind::Comment, "2026-01-01T10:00:00Z"),
            item(1, "/a/", None, ItemKind::Like, "2026-01-02T10:00:00Z"),
            item(2, "/a/", None, ItemKind::Mention, "2026-01-01T09:00:00Z"),
            item(4, "/b/", None, ItemKind::Comment, "2026-01-01T09:00:00Z"),
        ] {
            m.insert(it.id, it);
        }
        let c = Conversations::new(m);
        let ids: Vec<i64> = c.page("/a/").iter().map(|i| i.id).collect();
        assert_eq!(ids, [2, 3, 1]);
        assert_eq!(c.count("/a/"), 2);
        assert_eq!(c.count("/nothing/"), 0);
        assert_ne!(c.page_digest("/a/"), c.page_digest("/b/"));
        assert_eq!(c.page_digest("/x/"), c.page_digest("/y/"));
    }
}
