//! One reader-visible item as JSON, written in pieces for the streamed
//! answers (`export`, `thread`).
//!
//! The built answers were one `serde_json::Value`, whose map sorts its keys;
//! the streamed ones write the same bytes, so the key order is spelled out
//! here once: the fields before `replies`, then the replies (written by the
//! caller, nested or empty), then the fields after.

use serde::Serialize;

use crate::model::{Comment, Kind};

/// An item's fields before `replies`, in serde_json's sorted-map order.
#[derive(Serialize)]
struct Head<'a> {
    author: &'a str,
    author_photo: Option<&'a str>,
    body_html: &'a str,
    created: &'a str,
    id: i64,
    is_owner: bool,
    kind: Kind,
    page: &'a str,
    parent: Option<i64>,
}

/// An item's fields after `replies`.
#[derive(Serialize)]
struct Tail<'a> {
    source: Option<&'a str>,
    updated: &'a str,
    url: Option<&'a str>,
    verified: bool,
    website: Option<&'a str>,
}

/// `{…,"parent":…,"replies":[` and `,"source":…,"website":…}` for `c`.
pub fn split_item(c: &Comment, expose_photos: bool) -> (Vec<u8>, Vec<u8>) {
    let mut head = Vec::with_capacity(c.body_html.len() + 256);
    write_json(
        &mut head,
        &Head {
            author: &c.author,
            author_photo: c.author_photo.as_deref().filter(|_| expose_photos),
            body_html: &c.body_html,
            created: &c.created,
            id: c.id,
            is_owner: c.is_owner,
            kind: c.kind,
            page: &c.page,
            parent: c.parent,
        },
    );
    head.pop(); // the closing brace
    head.extend_from_slice(b",\"replies\":[");
    let mut tail = Vec::with_capacity(128);
    write_json(
        &mut tail,
        &Tail {
            source: c.source.as_deref(),
            updated: &c.updated,
            url: c.url.as_deref(),
            verified: c.verified,
            website: c.website.as_deref(),
        },
    );
    if let Some(open) = tail.first_mut() {
        *open = b','; // the opening brace
    }
    (head, tail)
}

/// Appends `v` as compact JSON (writing to a `Vec` cannot fail for these types).
pub fn write_json<T: Serialize + ?Sized>(out: &mut Vec<u8>, v: &T) {
    if let Err(e) = serde_json::to_writer(&mut *out, v) {
        tracing::error!(error = %e, "an answer's JSON did not serialize");
    }
}
