//! Isso's SQLite database (`threads`: `id`, `uri`; `comments`: `tid`, `id`,
//! `parent`, `created` (Unix seconds, fractional), `mode` (1 published,
//! 2 waiting for moderation, 4 deleted but kept for its replies), `text`
//! (markdown), `author`, `email`, `website`).
//!
//! This is the one place outside `store/` that speaks SQL: it reads someone
//! else's file, read-only, and never our own store. Isso has no notion of
//! the blog's author, so only `--owner NAME` marks the owner's comments.

use std::path::Path;

use rusqlite::{Connection, OpenFlags};

use super::{Body, Conversation, Item, State, Thread};
use crate::error::{Error, Result};

/// Reads every thread and comment of the Isso database at `path`.
pub fn read(path: &Path) -> Result<Conversation> {
    let err = |message: String| Error::Import {
        at: path.display().to_string(),
        message,
    };
    if !path.is_file() {
        return Err(err("no such Isso database file".into()));
    }
    let conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .map_err(|e| err(format!("cannot open the Isso database: {e}")))?;
    conn.busy_timeout(std::time::Duration::from_secs(10))
        .map_err(|e| err(e.to_string()))?;
    let mut st = conn
        .prepare(
            "SELECT t.id, t.uri, c.id, c.parent, c.created, c.mode, c.text, c.author, c.email, c.website
             FROM comments c JOIN threads t ON t.id = c.tid ORDER BY t.id, c.id",
        )
        .map_err(|e| err(format!("not an Isso database: {e}")))?;
    let rows = st
        .query_map([], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, Option<String>>(1)?,
                r.get::<_, i64>(2)?,
                r.get::<_, Option<i64>>(3)?,
                r.get::<_, f64>(4)?,
                r.get::<_, Option<i64>>(5)?,
                r.get::<_, Option<String>>(6)?,
                r.get::<_, Option<String>>(7)?,
                r.get::<_, Option<String>>(8)?,
                r.get::<_, Option<String>>(9)?,
            ))
        })
        .map_err(|e| err(format!("cannot read the comments: {e}")))?;
    let mut conv = Conversation::default();
    let mut current: Option<i64> = None;
    for row in rows {
        let (tid, uri, id, parent, created, mode, text, author, email, website) =
            row.map_err(|e| err(format!("comment row: {e}")))?;
        if current != Some(tid) {
            current = Some(tid);
            conv.threads.push(Thread {
                urls: uri.into_iter().collect(),
                items: Vec::new(),
            });
        }
        let state = match mode {
            Some(1) => State::Published,
            Some(2) => State::Held,
            _ => State::Left,
        };
        let Some(thread) = conv.threads.last_mut() else {
            continue;
        };
        thread.items.push(Item {
            id: id.to_string(),
            parent: parent.map(|p| p.to_string()),
            mention: false,
            state,
            author: author.unwrap_or_default(),
            username: None,
            email,
            website,
            body: Body::Markdown(text.unwrap_or_default()),
            created_us: (created * 1_000_000.0) as i64,
            owner: false,
        });
    }
    Ok(conv)
}
