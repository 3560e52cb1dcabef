//! `causerie-comments import`: the conversation of a WordPress, Blogger,
//! Disqus or Isso export into the store (DEPLOY.md, "Importing an old
//! blog's comments").
//!
//! Three stages, so a bad file changes nothing: each reader (`wxr`,
//! `blogger`, `disqus`, `isso`) parses the whole file into a [`Conversation`]
//! (format-neutral threads and items); [`plan`] matches each thread to a page
//! of the new site (`matching`), drops spam and trash, orders parents before
//! replies and sanitizes every body with the service's own comment policy;
//! then the store writes the plan in one transaction (`Store::import`).

pub mod blogger;
pub mod cli;
pub mod disqus;
pub mod isso;
pub mod matching;
pub mod wxr;
pub mod xml;

use std::collections::{HashMap, HashSet};

use crate::markdown::Renderer;
use crate::model::{Kind, Status, parse_email, parse_website, plain_text, safe_url};
use crate::store::ImportRow;
use crate::tokens::Keys;
use matching::Matcher;

/// The export formats `import` reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// WordPress WXR 1.0–1.2 (WordPress.org and WordPress.com).
    Wordpress,
    /// Blogger's Atom export (classic or Takeout).
    Blogger,
    /// Disqus XML export.
    Disqus,
    /// Isso's SQLite database file.
    Isso,
}

impl Format {
    /// The name in the store's import keys.
    pub fn as_str(self) -> &'static str {
        match self {
            Format::Wordpress => "wordpress",
            Format::Blogger => "blogger",
            Format::Disqus => "disqus",
            Format::Isso => "isso",
        }
    }
}

/// An export, read: its threads in file order.
#[derive(Debug, Default)]
pub struct Conversation {
    pub threads: Vec<Thread>,
}

/// The comments of one old post.
#[derive(Debug, Default)]
pub struct Thread {
    /// The post's old URLs (permalink first), full or as site paths.
    pub urls: Vec<String>,
    pub items: Vec<Item>,
}

/// One comment, pingback or trackback as the export has it.
#[derive(Debug, Clone)]
pub struct Item {
    /// Unique within the format (the import key).
    pub id: String,
    /// The id of the item it answers.
    pub parent: Option<String>,
    pub mention: bool,
    pub state: State,
    pub author: String,
    /// Another name the author goes by in the export (Disqus username).
    pub username: Option<String>,
    pub email: Option<String>,
    pub website: Option<String>,
    pub body: Body,
    pub created_us: i64,
    /// The export says the blog's author wrote it.
    pub owner: bool,
}

/// A body as the export stores it.
#[derive(Debug, Clone)]
pub enum Body {
    /// HTML (Disqus, Blogger) or WordPress comment text (HTML with
    /// significant newlines, shown through `wpautop`).
    Html(String),
    /// WordPress comment text: newlines make paragraphs and line breaks.
    WordpressText(String),
    /// Markdown, as readers typed it (Isso).
    Markdown(String),
}

/// Where the item stood on the old blog.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum State {
    Published,
    Held,
    /// Spam or trash: left out.
    Left,
}

/// What the import decided, ready to write or to report.
#[derive(Debug, Default)]
pub struct Plan {
    pub rows: Vec<ImportRow>,
    /// Items left out as spam or trash.
    pub left_out: usize,
    /// Old URLs of threads that match no page (with their item counts).
    pub unmatched: Vec<(String, usize)>,
}

/// The counts the summary line reports.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Summary {
    pub comments: usize,
    pub held: usize,
    pub mentions: usize,
    pub already: usize,
}

impl Summary {
    /// `imported 57 comments (3 held), 4 mentions; 2 already imported`.
    pub fn line(&self, plan: &Plan, dry_run: bool) -> String {
        let verb = if dry_run { "would import" } else { "imported" };
        let mut s = format!(
            "{verb} {} comment{} ({} held), {} mention{}",
            self.comments,
            plural(self.comments),
            self.held,
            self.mentions,
            plural(self.mentions)
        );
        if self.already > 0 {
            s.push_str(&format!("; {} already imported", self.already));
        }
        if plan.left_out > 0 {
            s.push_str(&format!("; {} spam or trash left out", plan.left_out));
        }
        if !plan.unmatched.is_empty() {
            let n: usize = plan.unmatched.iter().map(|(_, n)| n).sum();
            s.push_str(&format!(
                "; {} thread{} ({n} items) match no page",
                plan.unmatched.len(),
                plural(plan.unmatched.len())
            ));
        }
        s
    }
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

/// What `plan` needs besides the conversation.
pub struct Context<'a> {
    pub renderer: &'a Renderer,
    pub keys: &'a Keys,
    /// Without a manifest, unmatched threads land on their old path.
    pub matcher: Option<&'a Matcher>,
    /// `--owner NAME`: comments by this name (or username) are the owner's.
    pub owner: Option<&'a str>,
}

/// Turns a parsed export into rows for the store (see the module docs).
pub fn plan(conv: Conversation, cx: &Context) -> Plan {
    let mut plan = Plan::default();
    let mut pending: Vec<(String, Item)> = Vec::new();
    for thread in conv.threads {
        if thread.items.is_empty() {
            continue;
        }
        let page = match cx.matcher {
            Some(m) => m.find(&thread.urls),
            None => thread.urls.iter().find_map(|u| matching::old_path(u)),
        };
        let Some(page) = page else {
            let live = thread
                .items
                .iter()
                .filter(|i| i.state != State::Left)
                .count();
            if live > 0 {
                let url = thread.urls.first().cloned().unwrap_or_default();
                plan.unmatched.push((url, live));
            }
            continue;
        };
        let (kept, left) = ordered(thread.items);
        plan.left_out += left;
        pending.extend(kept.into_iter().map(|i| (page.clone(), i)));
    }
    plan.rows = sanitize_all(pending, cx);
    plan
}

/// Drops spam and trash, re-attaching their replies to the nearest kept
/// ancestor, and orders the rest so every parent comes before its replies
/// (oldest first among siblings). Returns the kept items and how many left.
fn ordered(items: Vec<Item>) -> (Vec<Item>, usize) {
    let parent_of: HashMap<String, Option<String>> = items
        .iter()
        .map(|i| (i.id.clone(), i.parent.clone()))
        .collect();
    let kept_ids: HashSet<String> = items
        .iter()
        .filter(|i| i.state != State::Left)
        .map(|i| i.id.clone())
        .collect();
    let left = items.len() - kept_ids.len();
    let mut kept: Vec<Item> = items
        .into_iter()
        .filter(|i| i.state != State::Left)
        .collect();
    for item in &mut kept {
        // Walk up past left-out parents; the step bound stops a cycle.
        let mut p = item.parent.take();
        let mut steps = 0;
        while let Some(id) = p.clone() {
            if kept_ids.contains(&id) || steps > parent_of.len() {
                break;
            }
            p = parent_of.get(&id).cloned().flatten();
            steps += 1;
        }
        item.parent = p.filter(|id| kept_ids.contains(id) && *id != item.id);
    }
    kept.sort_by(|a, b| a.created_us.cmp(&b.created_us).then(a.id.cmp(&b.id)));
    // Depth-first from the roots; anything in a cycle is never reached from a
    // root and is appended at the end as a top-level item.
    let mut children: HashMap<String, Vec<usize>> = HashMap::new();
    let mut roots = Vec::new();
    for (i, item) in kept.iter().enumerate() {
        match &item.parent {
            Some(p) => children.entry(p.clone()).or_default().push(i),
            None => roots.push(i),
        }
    }
    let mut order = Vec::with_capacity(kept.len());
    let mut seen = vec![false; kept.len()];
    let mut stack: Vec<usize> = roots.into_iter().rev().collect();
    while let Some(i) = stack.pop() {
        if std::mem::replace(&mut seen[i], true) {
            continue;
        }
        order.push(i);
        if let Some(kids) = children.get(&kept[i].id) {
            stack.extend(kids.iter().rev());
        }
    }
    for (i, s) in seen.iter().enumerate() {
        if !s {
            order.push(i);
        }
    }
    let mut slots: Vec<Option<Item>> = kept.into_iter().map(Some).collect();
    let mut placed: HashSet<String> = HashSet::with_capacity(order.len());
    let mut out = Vec::with_capacity(order.len());
    for i in order {
        if let Some(mut item) = slots[i].take() {
            // a parent not placed before (a cycle) cannot be referenced
            if item.parent.as_ref().is_some_and(|p| !placed.contains(p)) {
                item.parent = None;
            }
            placed.insert(item.id.clone());
            out.push(item);
        }
    }
    (out, left)
}

/// Sanitizes every body (on all cores: it is most of the work) into rows.
fn sanitize_all(items: Vec<(String, Item)>, cx: &Context) -> Vec<ImportRow> {
    let threads = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1)
        .clamp(1, 8);
    let chunk = items.len().div_ceil(threads).max(1);
    if threads == 1 || items.len() < 512 {
        return items.into_iter().map(|(p, i)| row(p, i, cx)).collect();
    }
    let mut parts: Vec<Vec<(String, Item)>> = Vec::new();
    let mut it = items.into_iter();
    loop {
        let part: Vec<_> = it.by_ref().take(chunk).collect();
        if part.is_empty() {
            break;
        }
        parts.push(part);
    }
    std::thread::scope(|s| {
        let handles: Vec<_> = parts
            .into_iter()
            .map(|part| s.spawn(move || part.into_iter().map(|(p, i)| row(p, i, cx)).collect()))
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap_or_else(|_| Vec::<ImportRow>::new()))
            .collect()
    })
}

/// One item as the store will hold it: plain-text name, checked e-mail and
/// website, the body through the comment sanitizer.
fn row(page: String, item: Item, cx: &Context) -> ImportRow {
    let mut author = plain_text(&item.author, 80);
    if author.is_empty() {
        author = "Anonymous".into();
    }
    let owner = item.owner
        || cx.owner.is_some_and(|o| {
            let o = o.trim();
            item.author.trim().eq_ignore_ascii_case(o)
                || item
                    .username
                    .as_deref()
                    .is_some_and(|u| u.trim().eq_ignore_ascii_case(o))
        });
    let email = parse_email(item.email.as_deref()).ok().flatten();
    let (body_md, body_html) = match item.body {
        Body::Markdown(md) => {
            let html = cx.renderer.render(&md).html;
            (md, html)
        }
        Body::Html(h) => {
            let html = cx.renderer.clean_html(&h);
            (h, html)
        }
        Body::WordpressText(t) => {
            let html = cx.renderer.clean_html(&autop(&t));
            (t, html)
        }
    };
    let (kind, source, website, key) = if item.mention {
        let source = item.website.as_deref().and_then(safe_url);
        let host = source
            .as_deref()
            .and_then(|s| url::Url::parse(s).ok())
            .and_then(|u| u.host_str().map(str::to_lowercase))
            .unwrap_or_default();
        let site = source
            .as_deref()
            .and_then(|s| url::Url::parse(s).ok())
            .map(|u| u.origin().ascii_serialization() + "/");
        (Kind::Mention, source, site, format!("domain:{host}"))
    } else {
        let website = parse_website(item.website.as_deref()).ok().flatten();
        let key = cx.keys.commenter_key(email.as_deref(), &author);
        (Kind::Comment, None, website, key)
    };
    ImportRow {
        key: item.id,
        parent_key: item.parent,
        page,
        kind,
        status: if owner || item.state == State::Published {
            Status::Approved
        } else {
            Status::Pending
        },
        author,
        email,
        website,
        source,
        body_md,
        body_html,
        is_owner: owner,
        commenter_key: key,
        created_us: item.created_us,
    }
}

/// WordPress's `wpautop` in short: blank lines separate paragraphs, a single
/// newline is a line break. Markup inside is left for the sanitizer.
pub fn autop(text: &str) -> String {
    let text = text.replace("\r\n", "\n").replace('\r', "\n");
    let mut out = String::with_capacity(text.len() + 32);
    for para in text.split("\n\n").map(str::trim).filter(|p| !p.is_empty()) {
        out.push_str("<p>");
        out.push_str(&para.replace('\n', "<br>\n"));
        out.push_str("</p>\n");
    }
    out
}

/// Microseconds from a WordPress `YYYY-MM-DD HH:MM:SS` (UTC) date.
pub fn wp_date(s: &str) -> Option<i64> {
    let s = s.trim();
    if s.is_empty() || s.starts_with("0000") {
        return None;
    }
    let dt = jiff::civil::DateTime::strptime("%Y-%m-%d %H:%M:%S", s).ok()?;
    dt.to_zoned(jiff::tz::TimeZone::UTC)
        .ok()
        .map(|z| z.timestamp().as_microsecond())
}

/// Microseconds from an RFC 3339 date (Blogger, Disqus).
pub fn rfc3339_date(s: &str) -> Option<i64> {
    s.trim()
        .parse::<jiff::Timestamp>()
        .ok()
        .map(|t| t.as_microsecond())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(id: &str, parent: Option<&str>, state: State, t: i64) -> Item {
        Item {
            id: id.into(),
            parent: parent.map(Into::into),
            mention: false,
            state,
            author: "A".into(),
            username: None,
            email: None,
            website: None,
            body: Body::Markdown("x".into()),
            created_us: t,
            owner: false,
        }
    }

    #[test]
    fn replies_to_spam_move_up_and_parents_come_first() {
        let (kept, left) = ordered(vec![
            item("3", Some("2"), State::Published, 1),
            item("2", Some("1"), State::Left, 2),
            item("1", None, State::Published, 3),
            item("4", Some("5"), State::Published, 4),
            item("5", Some("4"), State::Published, 5),
        ]);
        assert_eq!(left, 1);
        let ids: Vec<_> = kept
            .iter()
            .map(|i| (i.id.as_str(), i.parent.as_deref()))
            .collect();
        assert_eq!(ids[0], ("1", None));
        assert_eq!(ids[1], ("3", Some("1")));
        assert_eq!(ids.len(), 4, "a cycle is kept, top level: {ids:?}");
    }

    #[test]
    fn autop_makes_paragraphs_and_breaks() {
        assert_eq!(
            autop("one\ntwo\n\nthree"),
            "<p>one<br>\ntwo</p>\n<p>three</p>\n"
        );
    }

    #[test]
    fn dates() {
        assert_eq!(wp_date("0000-00-00 00:00:00"), None);
        assert_eq!(wp_date("1970-01-01 00:00:01"), Some(1_000_000));
        assert_eq!(rfc3339_date("1970-01-01T00:00:01Z"), Some(1_000_000));
        assert_eq!(
            rfc3339_date("2019-05-04T10:00:00.000+03:30"),
            rfc3339_date("2019-05-04T06:30:00Z")
        );
    }
}
