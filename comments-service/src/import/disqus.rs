//! Disqus's XML export: `<thread dsq:id>` elements (the old page's `<link>`),
//! then `<post dsq:id>` elements naming their `<thread dsq:id>` and, for
//! replies, their `<parent dsq:id>`.
//!
//! `isDeleted` or `isSpam` true leaves a post out; `isApproved` false (some
//! exports carry it) holds it. Owner: a post marked `isAdmin`, or one whose
//! author `username` is the forum owner's, taken as the account that created
//! most threads (Disqus creates threads under the site owner's account).
//! Messages are HTML.

use std::collections::HashMap;
use std::io::BufRead;

use super::xml::{Ev, XmlReader};
use super::{Body, Conversation, Item, State, Thread, rfc3339_date};
use crate::error::Result;

#[derive(Default)]
struct RawThread {
    id: String,
    link: String,
    /// The thread's `<id>`: the identifier the site's embed gave it.
    ident: String,
    /// The account that created the thread.
    username: String,
}

#[derive(Default)]
struct Post {
    id: String,
    thread: String,
    parent: String,
    message: String,
    created: String,
    deleted: String,
    spam: String,
    approved: String,
    admin: String,
    name: String,
    email: String,
    username: String,
    link: String,
}

/// Reads the whole export; `progress` gets the bytes read now and then.
pub fn read<R: BufRead>(
    mut x: XmlReader<R>,
    progress: &mut dyn FnMut(u64),
) -> Result<Conversation> {
    let mut seen_root = false;
    let mut threads: Vec<RawThread> = Vec::new();
    let mut thread: Option<RawThread> = None;
    let mut post: Option<Post> = None;
    let mut posts: Vec<(Post, u64)> = Vec::new();
    let mut in_author = false;
    let mut n = 0u64;
    loop {
        n += 1;
        if n.is_multiple_of(4096) {
            progress(x.position());
        }
        match x.next_event()? {
            Ev::Open(e) => match e.name.as_str() {
                "disqus" if x.depth() == 1 => seen_root = true,
                name if !seen_root && x.depth() == 1 => {
                    return Err(x.error_here(format!(
                        "<{name}> is not a Disqus export (it starts with <disqus>)"
                    )));
                }
                "thread" if x.depth() == 2 => {
                    let id = e.attr("id").unwrap_or("").to_string();
                    thread = Some(RawThread {
                        id,
                        ..RawThread::default()
                    });
                }
                "thread" => {
                    if let Some(p) = post.as_mut() {
                        p.thread = e.attr("id").unwrap_or("").to_string();
                    }
                }
                "parent" => {
                    if let Some(p) = post.as_mut() {
                        p.parent = e.attr("id").unwrap_or("").to_string();
                    }
                }
                "post" if x.depth() == 2 => {
                    post = Some(Post {
                        id: e.attr("id").unwrap_or("").to_string(),
                        ..Post::default()
                    });
                }
                "author" => in_author = true,
                _ => {}
            },
            Ev::Close { name, text } => {
                if in_author {
                    let text = text.trim().to_string();
                    match (name.as_str(), post.as_mut(), thread.as_mut()) {
                        ("author", _, _) => in_author = false,
                        ("name", Some(p), _) => p.name = text,
                        ("email", Some(p), _) => p.email = text,
                        ("username", Some(p), _) => p.username = text,
                        ("isAdmin", Some(p), _) => p.admin = text,
                        ("username", None, Some(t)) => t.username = text,
                        _ => {}
                    }
                    continue;
                }
                if let Some(p) = post.as_mut() {
                    match name.as_str() {
                        "message" => p.message = text,
                        "createdAt" => p.created = text.trim().to_string(),
                        "isDeleted" => p.deleted = text.trim().to_string(),
                        "isSpam" => p.spam = text.trim().to_string(),
                        "isApproved" => p.approved = text.trim().to_string(),
                        "link" => p.link = text.trim().to_string(),
                        "post" if x.depth() == 1 => {
                            if let Some(p) = post.take() {
                                posts.push((p, x.position()));
                            }
                        }
                        _ => {}
                    }
                    continue;
                }
                if let Some(t) = thread.as_mut() {
                    match name.as_str() {
                        "link" => t.link = text.trim().to_string(),
                        "id" => t.ident = text.trim().to_string(),
                        "thread" if x.depth() == 1 => {
                            if let Some(t) = thread.take() {
                                threads.push(t);
                            }
                        }
                        _ => {}
                    }
                }
            }
            Ev::Eof => break,
        }
    }
    if !seen_root {
        return Err(x.error_here("not a Disqus export: no <disqus> element"));
    }
    assemble(&x, threads, posts)
}

fn assemble<R: BufRead>(
    x: &XmlReader<R>,
    threads: Vec<RawThread>,
    posts: Vec<(Post, u64)>,
) -> Result<Conversation> {
    let forum_owner = most_common(threads.iter().map(|t| t.username.as_str()));
    let mut index: HashMap<String, usize> = HashMap::new();
    let mut out: Vec<Thread> = Vec::with_capacity(threads.len());
    for t in threads {
        // The identifier a site gave the thread often holds its old URL too
        // (WordPress's Disqus plugin writes `101 https://old.example/?p=101`).
        let mut urls = vec![t.link];
        urls.extend(
            t.ident
                .split_whitespace()
                .filter(|w| w.starts_with("http") || w.starts_with('/'))
                .map(str::to_string),
        );
        index.insert(t.id, out.len());
        out.push(Thread {
            urls,
            items: Vec::new(),
        });
    }
    for (p, at) in posts {
        if p.id.is_empty() {
            return Err(x.error_at(at, "a <post> without dsq:id"));
        }
        let created_us = rfc3339_date(&p.created).ok_or_else(|| {
            x.error_at(
                at,
                format!("<createdAt> of post {}: not a date: {:?}", p.id, p.created),
            )
        })?;
        let t = match index.get(&p.thread) {
            Some(&t) => t,
            None => {
                // A post whose thread is missing: reported as unmatched.
                index.insert(p.thread.clone(), out.len());
                out.push(Thread {
                    urls: vec![p.link.clone()],
                    items: Vec::new(),
                });
                out.len() - 1
            }
        };
        let state = if p.deleted == "true" || p.spam == "true" {
            State::Left
        } else if p.approved == "false" {
            State::Held
        } else {
            State::Published
        };
        let owner = p.admin == "true"
            || forum_owner
                .as_deref()
                .is_some_and(|o| !p.username.is_empty() && p.username == o);
        out[t].items.push(Item {
            parent: Some(p.parent).filter(|s| !s.is_empty()),
            id: p.id,
            mention: false,
            state,
            author: if p.name.is_empty() {
                p.username.clone()
            } else {
                p.name
            },
            username: Some(p.username).filter(|u| !u.is_empty()),
            email: Some(p.email).filter(|e| !e.is_empty()),
            website: None,
            body: Body::Html(p.message),
            created_us,
            owner,
        });
    }
    Ok(Conversation { threads: out })
}

/// The most frequent non-empty value.
fn most_common<'a>(values: impl Iterator<Item = &'a str>) -> Option<String> {
    let mut counts: HashMap<&str, usize> = HashMap::new();
    for v in values.filter(|v| !v.is_empty()) {
        *counts.entry(v).or_default() += 1;
    }
    counts
        .into_iter()
        .max_by(|a, b| a.1.cmp(&b.1).then(b.0.cmp(a.0)))
        .map(|(v, _)| v.to_string())
}
