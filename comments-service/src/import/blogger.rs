//! Blogger's Atom export, both forms:
//!
//! - classic (Settings → Back up content): the kind is a `<category
//!   scheme="…#kind" term="…/kind#comment">`, the post a comment belongs to is
//!   `<thr:in-reply-to ref="…post-ID">`, the comment it answers a
//!   `<link rel="related" href="…/comments/default/ID">`;
//! - Takeout: `<blogger:type>COMMENT</blogger:type>`, `<blogger:parent>` (the
//!   post), `<blogger:inReplyTo>` (the comment answered), `<blogger:status>`
//!   (`LIVE`, `PENDING`, `SPAM`, `EMPTIED`) and `<blogger:trashed>`.
//!
//! A comment is the owner's when its author's profile `<uri>` is the post's
//! author's (or the blog's). Thread URLs: the post's `alternate` link and
//! `<blogger:filename>` (`/YYYY/MM/name.html`). Bodies are HTML and keep
//! every byte of their text (right-to-left scripts included).

use std::collections::{HashMap, HashSet};
use std::io::BufRead;

use super::xml::{Ev, XmlReader};
use super::{Body, Conversation, Item, State, Thread, rfc3339_date};
use crate::error::Result;

#[derive(Default)]
struct Entry {
    id: String,
    kind: String,
    status: String,
    trashed: String,
    post: String,
    in_reply_to: String,
    author: String,
    author_uri: String,
    author_email: String,
    content: String,
    published: String,
    alternate: String,
    filename: String,
}

/// The number after the last `post-` of a Blogger id or feed URL (posts and
/// comments share one id space), else the trimmed text.
fn tail(id: &str) -> String {
    let id = id.trim().trim_end_matches('/');
    if let Some(i) = id.rfind("post-") {
        return id[i + 5..].to_string();
    }
    id.rsplit('/').next().unwrap_or(id).to_string()
}

/// Reads the whole export; `progress` gets the bytes read now and then.
pub fn read<R: BufRead>(
    mut x: XmlReader<R>,
    progress: &mut dyn FnMut(u64),
) -> Result<Conversation> {
    let mut entry: Option<Entry> = None;
    let mut in_author = false;
    let mut in_location = false;
    let mut feed_author_uri = String::new();
    let mut in_feed_author = false;
    let mut seen_feed = false;
    let mut posts: Vec<Entry> = Vec::new();
    let mut comments: Vec<(Entry, u64)> = Vec::new();
    let mut n = 0u64;
    loop {
        n += 1;
        if n.is_multiple_of(4096) {
            progress(x.position());
        }
        match x.next_event()? {
            Ev::Open(e) => match (e.name.as_str(), entry.as_mut()) {
                ("feed", None) => seen_feed = true,
                ("entry", None) => entry = Some(Entry::default()),
                ("author", Some(_)) => in_author = true,
                ("author", None) => in_feed_author = true,
                ("location", Some(_)) => in_location = true,
                ("category", Some(en)) => {
                    if e.attr("scheme").is_some_and(|s| s.ends_with("#kind"))
                        && let Some(t) = e.attr("term")
                    {
                        en.kind = t.rsplit('#').next().unwrap_or("").to_ascii_uppercase();
                    }
                }
                ("in-reply-to", Some(en)) => {
                    if let Some(r) = e.attr("ref") {
                        en.post = tail(r);
                    }
                }
                ("link", Some(en)) => match (e.attr("rel"), e.attr("href")) {
                    (Some("alternate"), Some(h)) => en.alternate = h.to_string(),
                    (Some("related"), Some(h)) => en.in_reply_to = tail(h),
                    _ => {}
                },
                (name, None) if !seen_feed && x.depth() == 1 => {
                    return Err(x.error_here(format!(
                        "<{name}> is not a Blogger export (it starts with <feed>)"
                    )));
                }
                _ => {}
            },
            Ev::Close { name, text } => {
                if in_location {
                    in_location = name != "location";
                    continue;
                }
                let Some(en) = entry.as_mut() else {
                    match name.as_str() {
                        "uri" if in_feed_author => feed_author_uri = text.trim().to_string(),
                        "author" => in_feed_author = false,
                        _ => {}
                    }
                    continue;
                };
                if in_author {
                    match name.as_str() {
                        "name" => en.author = text,
                        "uri" => en.author_uri = text.trim().to_string(),
                        "email" => en.author_email = text.trim().to_string(),
                        "author" => in_author = false,
                        _ => {}
                    }
                    continue;
                }
                match name.as_str() {
                    "id" => en.id = text.trim().to_string(),
                    "type" => en.kind = text.trim().to_ascii_uppercase(),
                    "status" => en.status = text.trim().to_ascii_uppercase(),
                    "trashed" => en.trashed = text.trim().to_string(),
                    "parent" => en.post = tail(&text),
                    "inReplyTo" if !text.trim().is_empty() => en.in_reply_to = tail(&text),
                    "content" => en.content = text,
                    "published" => en.published = text.trim().to_string(),
                    "filename" => en.filename = text.trim().to_string(),
                    "entry" => {
                        if let Some(en) = entry.take() {
                            match en.kind.as_str() {
                                "POST" | "PAGE" => posts.push(en),
                                "COMMENT" => comments.push((en, x.position())),
                                _ => {}
                            }
                        }
                    }
                    _ => {}
                }
            }
            Ev::Eof => break,
        }
    }
    if !seen_feed {
        return Err(x.error_here("not a Blogger export: no <feed> element"));
    }
    assemble(&x, posts, comments, &feed_author_uri)
}

fn assemble<R: BufRead>(
    x: &XmlReader<R>,
    posts: Vec<Entry>,
    comments: Vec<(Entry, u64)>,
    blog_author_uri: &str,
) -> Result<Conversation> {
    let mut index: HashMap<String, usize> = HashMap::new();
    let mut threads: Vec<Thread> = Vec::new();
    let mut post_authors: Vec<String> = Vec::new();
    for p in posts {
        let urls: Vec<String> = [p.alternate, p.filename]
            .into_iter()
            .filter(|u| !u.is_empty())
            .collect();
        index.insert(tail(&p.id), threads.len());
        threads.push(Thread {
            urls,
            items: Vec::new(),
        });
        post_authors.push(p.author_uri);
    }
    let known: HashSet<String> = comments.iter().map(|(c, _)| tail(&c.id)).collect();
    for (c, at) in comments {
        let id = tail(&c.id);
        if id.is_empty() {
            return Err(x.error_at(at, "a comment entry without <id>"));
        }
        let Some(&t) = index.get(&c.post) else {
            // A comment on a post the export does not hold: its thread is
            // reported as unmatched under the link it names.
            threads.push(Thread {
                urls: vec![c.alternate.clone()],
                items: Vec::new(),
            });
            post_authors.push(String::new());
            index.insert(c.post.clone(), threads.len() - 1);
            let t = threads.len() - 1;
            let item = item(x, c, id, at, &known, "", blog_author_uri)?;
            threads[t].items.push(item);
            continue;
        };
        let item = item(x, c, id, at, &known, &post_authors[t], blog_author_uri)?;
        threads[t].items.push(item);
    }
    Ok(Conversation { threads })
}

fn item<R: BufRead>(
    x: &XmlReader<R>,
    c: Entry,
    id: String,
    at: u64,
    known: &HashSet<String>,
    post_author: &str,
    blog_author: &str,
) -> Result<Item> {
    let created_us = rfc3339_date(&c.published).ok_or_else(|| {
        x.error_at(
            at,
            format!("<published> of comment {id}: not a date: {:?}", c.published),
        )
    })?;
    let state = if !c.trashed.is_empty() {
        State::Left
    } else {
        match c.status.as_str() {
            "" | "LIVE" => State::Published,
            "SPAM" | "EMPTIED" | "DELETED" | "TRASHED" | "SOFT_TRASHED" => State::Left,
            _ => State::Held,
        }
    };
    let uri = c.author_uri.trim();
    let owner = !uri.is_empty() && (uri == post_author || uri == blog_author);
    let parent = Some(c.in_reply_to).filter(|p| !p.is_empty() && known.contains(p) && *p != id);
    Ok(Item {
        id,
        parent,
        mention: false,
        state,
        author: c.author,
        username: None,
        // Blogger writes a placeholder, never a reader's address.
        email: Some(c.author_email).filter(|e| !e.is_empty() && e != "noreply@blogger.com"),
        website: Some(c.author_uri).filter(|u| !u.is_empty()),
        body: Body::Html(c.content),
        created_us,
        owner,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn takeout_form_threads_statuses_and_owner() {
        let xml = r#"<?xml version="1.0" encoding="UTF-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xmlns:blogger="http://schemas.google.com/blogger/2018">
<id>tag:blogger.com,1999:blog-1</id>
<entry><id>tag:blogger.com,1999:blog-1.post-10</id><blogger:type>POST</blogger:type>
 <blogger:status>LIVE</blogger:status>
 <author><name>Maryam</name><uri>https://www.blogger.com/profile/7</uri><blogger:type>BLOGGER</blogger:type></author>
 <title>Salam</title><content type="html">x</content><published>2023-01-01T00:00:00Z</published>
 <blogger:filename>/2023/01/salam.html</blogger:filename></entry>
<entry><id>tag:blogger.com,1999:blog-1.post-20</id><blogger:parent>tag:blogger.com,1999:blog-1.post-10</blogger:parent>
 <blogger:inReplyTo/><blogger:type>COMMENT</blogger:type><blogger:status>LIVE</blogger:status>
 <author><name>Ali</name><uri></uri><blogger:type>ANONYMOUS</blogger:type></author>
 <content type="html">first</content><published>2023-01-02T00:00:00Z</published></entry>
<entry><id>tag:blogger.com,1999:blog-1.post-21</id><blogger:parent>tag:blogger.com,1999:blog-1.post-10</blogger:parent>
 <blogger:inReplyTo>tag:blogger.com,1999:blog-1.post-20</blogger:inReplyTo><blogger:type>COMMENT</blogger:type><blogger:status>LIVE</blogger:status>
 <author><name>Maryam</name><uri>https://www.blogger.com/profile/7</uri><blogger:type>BLOGGER</blogger:type></author>
 <content type="html">answer</content><published>2023-01-03T00:00:00Z</published></entry>
<entry><id>tag:blogger.com,1999:blog-1.post-22</id><blogger:parent>tag:blogger.com,1999:blog-1.post-10</blogger:parent>
 <blogger:type>COMMENT</blogger:type><blogger:status>PENDING</blogger:status>
 <author><name>Reza</name></author><content type="html">held</content><published>2023-01-04T00:00:00Z</published></entry>
<entry><id>tag:blogger.com,1999:blog-1.post-23</id><blogger:parent>tag:blogger.com,1999:blog-1.post-10</blogger:parent>
 <blogger:type>COMMENT</blogger:type><blogger:status>LIVE</blogger:status><blogger:trashed>2023-02-01T00:00:00Z</blogger:trashed>
 <author><name>Trash</name></author><content type="html">gone</content><published>2023-01-05T00:00:00Z</published></entry>
</feed>"#;
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("takeout.atom");
        std::fs::write(&p, xml).unwrap();
        let conv = read(XmlReader::open(&p).unwrap(), &mut |_| {}).unwrap();
        assert_eq!(conv.threads.len(), 1);
        let t = &conv.threads[0];
        assert_eq!(t.urls, ["/2023/01/salam.html"]);
        let by = |n: &str| t.items.iter().find(|i| i.author == n).unwrap();
        assert_eq!(by("Ali").parent, None);
        assert_eq!(by("Maryam").parent.as_deref(), Some("20"));
        assert!(by("Maryam").owner && !by("Ali").owner);
        assert_eq!(by("Reza").state, State::Held);
        assert_eq!(by("Trash").state, State::Left);
    }
}
