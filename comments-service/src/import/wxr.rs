//! WordPress WXR 1.0–1.2 (`wp:comment` inside each `item`), as written by
//! WordPress.org and WordPress.com.
//!
//! - Status: `wp:comment_approved` `1` is published, `0` held; `spam`,
//!   `trash` and `post-trashed` are left out.
//! - Kind: `pingback`, `trackback` (and `webmention`) become mentions whose
//!   source is `wp:comment_author_url`; plain comments (`""`, `comment`,
//!   `review`) stay comments; other types are WordPress-internal notes (such
//!   as WooCommerce's `order_note`) and are left out.
//! - Owner: a comment by a logged-in user (`wp:comment_user_id` ≠ 0) who is
//!   one of the export's `wp:author`s is the blog author's. An export without
//!   `wp:author` entries (WXR 1.0) counts every logged-in commenter, which on
//!   such blogs is the author. `--owner NAME` adds more.
//! - Thread URLs: the post's `<link>` and `?p=<wp:post_id>`.

use std::collections::HashSet;
use std::io::BufRead;

use super::xml::{Ev, XmlReader};
use super::{Body, Conversation, Item, State, Thread, wp_date};
use crate::error::Result;

#[derive(Default)]
struct RawComment {
    id: String,
    author: String,
    email: String,
    url: String,
    date: String,
    date_gmt: String,
    content: String,
    approved: String,
    kind: String,
    parent: String,
    user_id: String,
}

#[derive(Default)]
struct RawPost {
    link: String,
    post_id: String,
    items: Vec<(RawComment, u64)>,
}

/// Reads the whole export; `progress` gets the bytes read now and then.
pub fn read<R: BufRead>(
    mut x: XmlReader<R>,
    progress: &mut dyn FnMut(u64),
) -> Result<Conversation> {
    let mut conv = Conversation::default();
    let mut authors: HashSet<String> = HashSet::new();
    let mut author_id = String::new();
    let mut post: Option<RawPost> = None;
    let mut comment: Option<RawComment> = None;
    let mut in_meta = false;
    let mut seen_rss = false;
    let mut n = 0u64;
    loop {
        n += 1;
        if n.is_multiple_of(4096) {
            progress(x.position());
        }
        match x.next_event()? {
            Ev::Open(e) => match e.name.as_str() {
                "rss" => seen_rss = true,
                "item" if post.is_none() => post = Some(RawPost::default()),
                "comment" if post.is_some() => comment = Some(RawComment::default()),
                "commentmeta" => in_meta = true,
                _ if !seen_rss && x.depth() == 1 => {
                    return Err(x.error_here(format!(
                        "<{}> is not a WordPress export (WXR starts with <rss>)",
                        e.name
                    )));
                }
                _ => {}
            },
            Ev::Close { name, text } => {
                if in_meta {
                    in_meta = name != "commentmeta";
                    continue;
                }
                if let Some(c) = comment.as_mut() {
                    let slot = match name.as_str() {
                        "comment_id" => &mut c.id,
                        "comment_author" => &mut c.author,
                        "comment_author_email" => &mut c.email,
                        "comment_author_url" => &mut c.url,
                        "comment_date" => &mut c.date,
                        "comment_date_gmt" => &mut c.date_gmt,
                        "comment_content" => &mut c.content,
                        "comment_approved" => &mut c.approved,
                        "comment_type" => &mut c.kind,
                        "comment_parent" => &mut c.parent,
                        "comment_user_id" => &mut c.user_id,
                        "comment" => {
                            if let (Some(p), Some(c)) = (post.as_mut(), comment.take()) {
                                p.items.push((c, x.position()));
                            }
                            continue;
                        }
                        _ => continue,
                    };
                    *slot = text;
                    continue;
                }
                match name.as_str() {
                    "author_id" => author_id = text.trim().to_string(),
                    "author" if !author_id.is_empty() => {
                        authors.insert(std::mem::take(&mut author_id));
                    }
                    "link" => {
                        if let Some(p) = post.as_mut() {
                            p.link = text.trim().to_string();
                        }
                    }
                    "post_id" => {
                        if let Some(p) = post.as_mut() {
                            p.post_id = text.trim().to_string();
                        }
                    }
                    "item" => {
                        if let Some(p) = post.take() {
                            conv.threads.push(thread(&x, p, &authors)?);
                        }
                    }
                    _ => {}
                }
            }
            Ev::Eof => break,
        }
    }
    if !seen_rss {
        return Err(x.error_here("not a WordPress export: no <rss> element"));
    }
    Ok(conv)
}

fn thread<R: BufRead>(x: &XmlReader<R>, p: RawPost, authors: &HashSet<String>) -> Result<Thread> {
    let mut urls = Vec::new();
    if !p.link.is_empty() {
        urls.push(p.link.clone());
    }
    if !p.post_id.is_empty() {
        urls.push(format!("/?p={}", p.post_id));
    }
    let mut items = Vec::with_capacity(p.items.len());
    for (c, at) in p.items {
        items.push(item(x, c, at, authors)?);
    }
    Ok(Thread { urls, items })
}

fn item<R: BufRead>(
    x: &XmlReader<R>,
    c: RawComment,
    at: u64,
    authors: &HashSet<String>,
) -> Result<Item> {
    let id = c.id.trim().to_string();
    if id.is_empty() {
        return Err(x.error_at(at, "wp:comment without wp:comment_id"));
    }
    let created_us = wp_date(&c.date_gmt)
        .or_else(|| wp_date(&c.date))
        .ok_or_else(|| {
            x.error_at(
                at,
                format!(
                    "wp:comment_date_gmt of comment {id}: not a date: {:?}",
                    c.date_gmt.trim()
                ),
            )
        })?;
    let kind = c.kind.trim();
    let (mention, known) = match kind {
        "" | "comment" | "review" => (false, true),
        "pingback" | "trackback" | "webmention" => (true, true),
        _ => (false, false),
    };
    let state = match c.approved.trim() {
        _ if !known => State::Left,
        "1" | "approve" | "approved" => State::Published,
        "spam" | "trash" | "post-trashed" => State::Left,
        _ => State::Held,
    };
    let user = c.user_id.trim();
    let logged_in = !user.is_empty() && user != "0";
    let owner = !mention && logged_in && (authors.is_empty() || authors.contains(user));
    let parent = c.parent.trim();
    Ok(Item {
        parent: (!parent.is_empty() && parent != "0").then(|| parent.to_string()),
        id,
        mention,
        state,
        author: c.author,
        username: None,
        email: Some(c.email).filter(|e| !e.trim().is_empty()),
        website: Some(c.url.trim().to_string()).filter(|u| !u.is_empty()),
        body: Body::WordpressText(c.content),
        created_us,
        owner,
    })
}
