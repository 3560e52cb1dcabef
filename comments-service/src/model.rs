//! The conversation's types: parsed inputs (each `parse` names its field when
//! it refuses) and the comment as answered in JSON (docs/conversation.md).

use serde::Serialize;

use crate::error::{Error, Result};

/// What kind of item a row of the conversation is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    Comment,
    Reply,
    Like,
    Repost,
    Bookmark,
    Mention,
}

impl Kind {
    /// The name stored and answered.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Comment => "comment",
            Kind::Reply => "reply",
            Kind::Like => "like",
            Kind::Repost => "repost",
            Kind::Bookmark => "bookmark",
            Kind::Mention => "mention",
        }
    }

    /// The kind named `s`, if any.
    pub fn parse(s: &str) -> Option<Kind> {
        Some(match s {
            "comment" => Kind::Comment,
            "reply" => Kind::Reply,
            "like" => Kind::Like,
            "repost" => Kind::Repost,
            "bookmark" => Kind::Bookmark,
            "mention" => Kind::Mention,
            _ => return None,
        })
    }
}

/// Where an item stands in moderation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Approved,
    Pending,
    Spam,
    Rejected,
    Deleted,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Approved => "approved",
            Status::Pending => "pending",
            Status::Spam => "spam",
            Status::Rejected => "rejected",
            Status::Deleted => "deleted",
        }
    }

    pub fn parse(s: &str) -> Option<Status> {
        Some(match s {
            "approved" => Status::Approved,
            "pending" => Status::Pending,
            "spam" => Status::Spam,
            "rejected" => Status::Rejected,
            "deleted" => Status::Deleted,
            _ => return None,
        })
    }
}

/// One item as readers see it (`/api/comments`, `/api/export`).
#[derive(Debug, Clone, Serialize)]
pub struct Comment {
    pub id: i64,
    pub page: String,
    pub parent: Option<i64>,
    pub author: String,
    pub website: Option<String>,
    pub author_photo: Option<String>,
    pub body_html: String,
    pub created: String,
    pub updated: String,
    pub kind: Kind,
    pub source: Option<String>,
    pub url: Option<String>,
    pub is_owner: bool,
    /// Posted by a signed-in reader (issue 15).
    pub verified: bool,
    pub replies: Vec<Comment>,
}

/// Nests `flat` (ordered oldest first) by `parent`; an item whose parent is
/// not visible goes to the top level so nothing approved disappears.
pub fn thread(flat: Vec<Comment>) -> Vec<Comment> {
    use std::collections::HashMap;
    let ids: std::collections::HashSet<i64> = flat.iter().map(|c| c.id).collect();
    let mut children: HashMap<i64, Vec<Comment>> = HashMap::new();
    let mut roots = Vec::new();
    for c in flat {
        match c.parent {
            Some(p) if ids.contains(&p) && p != c.id => children.entry(p).or_default().push(c),
            _ => roots.push(c),
        }
    }
    fn attach(c: &mut Comment, children: &mut HashMap<i64, Vec<Comment>>, depth: usize) {
        if let Some(mut kids) = children.remove(&c.id) {
            for k in &mut kids {
                // depth guard: parents are always older, so a cycle cannot form,
                // but a guard keeps a corrupted file from overflowing the stack.
                if depth < 10_000 {
                    attach(k, children, depth + 1);
                }
            }
            c.replies = kids;
        }
    }
    for r in &mut roots {
        attach(r, &mut children, 0);
    }
    roots
}

/// A page path on the site, such as `/posts/hello/`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PagePath(String);

impl PagePath {
    /// Accepts a path or a full URL on `site`; refuses anything else naming `page`.
    pub fn parse(raw: &str, site: &url::Url) -> Result<PagePath> {
        let raw = raw.trim();
        if raw.is_empty() {
            return Err(Error::bad("page", "the page is missing"));
        }
        let path = if raw.starts_with('/') && !raw.starts_with("//") {
            let u = site
                .join(raw)
                .map_err(|_| Error::bad("page", "not a page path"))?;
            u.path().to_string()
        } else {
            let u = url::Url::parse(raw).map_err(|_| Error::bad("page", "not a page path"))?;
            if u.origin() != site.origin() {
                return Err(Error::bad("page", "the page is not on this site"));
            }
            u.path().to_string()
        };
        if path.len() > 512 {
            return Err(Error::bad("page", "the page path is too long"));
        }
        Ok(PagePath(path))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Replaces characters that mean something in HTML with look-alikes, drops
/// control characters and squeezes whitespace, so a name is safe anywhere.
pub fn plain_text(raw: &str, max_chars: usize) -> String {
    let mut out = String::with_capacity(raw.len().min(max_chars * 4));
    let mut space = false;
    for ch in raw.trim().chars() {
        if ch.is_whitespace() {
            space = true;
            continue;
        }
        // Zero-width joiners are spelling in Persian (می‌خواهم) and in emoji
        // sequences, so they stay after a non-ASCII letter; between ASCII
        // letters they only hide a look-alike name.
        let joiner = matches!(ch, '\u{200c}' | '\u{200d}')
            && !space
            && out.chars().last().is_some_and(|c| !c.is_ascii());
        if ch.is_control()
            || (!joiner
                && matches!(ch, '\u{200b}'..='\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}'))
        {
            continue;
        }
        if space && !out.is_empty() {
            out.push(' ');
        }
        space = false;
        out.push(match ch {
            '<' => '‹',
            '>' => '›',
            '"' => '”',
            '\'' => '’',
            '`' => 'ˋ',
            '&' => '＆',
            c => c,
        });
        if out.chars().count() >= max_chars {
            break;
        }
    }
    out
}

/// The commenter's display name.
pub fn parse_author(raw: Option<&str>) -> Result<String> {
    let name = plain_text(raw.unwrap_or(""), 80);
    if name.is_empty() {
        return Err(Error::bad("author", "please give a name"));
    }
    Ok(name)
}

/// A normalised http(s) URL, or none for an empty field.
pub fn parse_website(raw: Option<&str>) -> Result<Option<String>> {
    let raw = raw.unwrap_or("").trim();
    if raw.is_empty() {
        return Ok(None);
    }
    if raw.len() > 300 {
        return Err(Error::bad("website", "the address is too long"));
    }
    let with_scheme = if raw.contains("://") {
        raw.to_string()
    } else {
        format!("https://{raw}")
    };
    safe_url(&with_scheme)
        .map(Some)
        .ok_or_else(|| Error::bad("website", "give an http or https address"))
}

/// `raw` normalised if it is an http(s) URL with a host and no credentials.
pub fn safe_url(raw: &str) -> Option<String> {
    let u = url::Url::parse(raw.trim()).ok()?;
    if !matches!(u.scheme(), "http" | "https") || u.host_str().is_none_or(str::is_empty) {
        return None;
    }
    if !u.username().is_empty() || u.password().is_some() {
        return None;
    }
    Some(u.to_string())
}

/// An optional e-mail address (kept, never shown).
pub fn parse_email(raw: Option<&str>) -> Result<Option<String>> {
    let raw = raw.unwrap_or("").trim();
    if raw.is_empty() {
        return Ok(None);
    }
    let ok = raw.len() <= 254
        && raw
            .split_once('@')
            .is_some_and(|(l, d)| !l.is_empty() && d.contains('.'))
        && !raw
            .chars()
            .any(|c| c.is_whitespace() || c.is_control() || "<>\"'".contains(c));
    if !ok {
        return Err(Error::bad(
            "email",
            "that does not look like an e-mail address",
        ));
    }
    Ok(Some(raw.to_string()))
}

/// The markdown source of a comment.
pub fn parse_body(raw: Option<&str>) -> Result<String> {
    let body = raw.unwrap_or("").trim();
    if body.is_empty() {
        return Err(Error::bad("body", "the comment is empty"));
    }
    if body.chars().count() > 10_000 {
        return Err(Error::bad(
            "body",
            "the comment is longer than 10000 characters",
        ));
    }
    Ok(body.replace("\r\n", "\n"))
}

/// An optional parent id.
pub fn parse_parent(raw: Option<&str>) -> Result<Option<i64>> {
    match raw.map(str::trim) {
        None | Some("") | Some("null") => Ok(None),
        Some(s) => s
            .parse::<i64>()
            .ok()
            .filter(|n| *n > 0)
            .map(Some)
            .ok_or_else(|| Error::bad("parent", "not a comment id")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_lose_their_markup() {
        let n = parse_author(Some("  <script>alert('x')</script>\n  Bob ")).unwrap();
        assert!(!n.contains('<') && !n.contains('\'') && !n.contains('>'));
        assert!(n.ends_with(" Bob"), "{n}");
    }

    #[test]
    fn joiners_stay_in_persian_and_emoji_but_not_between_ascii_letters() {
        let persian = "سارا\u{200c}ی محمدی";
        assert_eq!(plain_text(persian, 80), persian);
        let emoji = "Ada \u{1f469}\u{200d}\u{1f4bb}";
        assert_eq!(plain_text(emoji, 80), emoji);
        assert_eq!(plain_text("Ma\u{200c}rie\u{200b}", 80), "Marie");
        assert_eq!(plain_text("\u{202e}evil\u{200f}", 80), "evil");
    }

    #[test]
    fn websites_are_http_only() {
        assert_eq!(
            parse_website(Some("ada.example")).unwrap().unwrap(),
            "https://ada.example/"
        );
        assert!(parse_website(Some("javascript:alert(1)")).is_err());
        assert!(parse_website(Some("http://u:p@x.example/")).is_err());
        assert!(parse_website(Some("data:text/html,<b>")).is_err());
        let quoted = parse_website(Some("https://x.example/\"><script>"))
            .unwrap()
            .unwrap();
        assert!(!quoted.contains('"') && !quoted.contains('<'), "{quoted}");
    }

    #[test]
    fn pages_must_be_on_the_site() {
        let site = url::Url::parse("https://blog.example/").unwrap();
        assert_eq!(
            PagePath::parse("/posts/a/", &site).unwrap().as_str(),
            "/posts/a/"
        );
        assert_eq!(
            PagePath::parse("https://blog.example/posts/a/?x=1", &site)
                .unwrap()
                .as_str(),
            "/posts/a/"
        );
        assert!(PagePath::parse("https://evil.example/posts/a/", &site).is_err());
        assert!(PagePath::parse("//evil.example/", &site).is_err());
        assert_eq!(PagePath::parse("/a/../b/", &site).unwrap().as_str(), "/b/");
    }

    #[test]
    fn orphans_rise_to_the_top() {
        let mk = |id, parent| Comment {
            id,
            page: "/p/".into(),
            parent,
            author: "a".into(),
            website: None,
            author_photo: None,
            body_html: String::new(),
            created: String::new(),
            updated: String::new(),
            kind: Kind::Comment,
            source: None,
            url: None,
            is_owner: false,
            verified: false,
            replies: vec![],
        };
        let t = thread(vec![
            mk(1, None),
            mk(2, Some(1)),
            mk(3, Some(2)),
            mk(4, Some(99)),
        ]);
        assert_eq!(t.len(), 2);
        assert_eq!(t[0].replies[0].replies[0].id, 3);
        assert_eq!(t[1].id, 4);
    }
}
