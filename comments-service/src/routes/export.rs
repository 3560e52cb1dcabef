//! `GET /api/export[?since=RFC3339]`: approved items (flat, oldest first) and
//! the ids removed since, with the cursor to pass back next time.
//!
//! The answer grows with the store (85 MB of JSON for 195 000 comments), so
//! it is never built in memory: the store hands out bounded batches of rows
//! (`store::rows`) and [`ExportBody`] serializes each batch as the client
//! reads. The store's reader holds a place in the heavy gate (`heavy`) until
//! it has handed out the last batch, or gave up on a client that left or
//! stopped reading.
//! The bytes are the same as when the answer was one `serde_json::Value`:
//! keys in sorted order (serde_json's map without `preserve_order`), no
//! whitespace.

use std::pin::Pin;
use std::task::{Context, Poll};

use crate::error::{Error, Result};
use crate::model::Comment;
use crate::routes::item_json::{split_item, write_json};
use crate::state::AppState;
use crate::store::rows::{ExportPart, ExportRx};
use crate::store::{now_us, rfc3339};
use axum::body::{Body, Bytes};
use axum::extract::{RawQuery, State};
use axum::http::{HeaderValue, header};
use axum::response::Response;

/// Longer than any write takes from its time stamp to its commit (a
/// PostgreSQL write may wait up to 10 s for a pooled connection).
const CURSOR_OVERLAP_US: i64 = 60 * 1_000_000;

/// `GET /api/export[?since=RFC3339]`
pub async fn export_index(State(st): State<AppState>, RawQuery(q): RawQuery) -> Result<Response> {
    let since = url::form_urlencoded::parse(q.as_deref().unwrap_or("").as_bytes())
        .find(|(k, _)| k == "since")
        .map(|(_, v)| {
            v.trim()
                .parse::<jiff::Timestamp>()
                .map(|t| t.as_microsecond())
                .map_err(|_| {
                    Error::bad(
                        "since",
                        "expected an RFC 3339 time such as 2026-11-23T10:00:00Z",
                    )
                })
        })
        .transpose()?;
    let permit = st.heavy.enter().await?;
    // The cursor is taken before the query, rounded down to the second and
    // moved back by CURSOR_OVERLAP: a change is stamped when its write starts
    // and becomes visible when it commits, so one stamped just before the
    // cursor may commit after this read; the next export must still carry it.
    // Items of the overlap are sent twice; the generator merges them by id.
    let cursor = rfc3339(now_us() - CURSOR_OVERLAP_US);
    let mut rx = st.store.export_batches(since, permit).await;
    // The first batch is awaited here, so a store that cannot answer gives a
    // plain 500 rather than a 200 cut short.
    let first = match rx.recv().await {
        Some(Ok(part)) => part,
        Some(Err(e)) => return Err(e),
        None => return Err(Error::Closed),
    };
    let activitypub = match &st.cfg.activitypub {
        Some(_) => {
            let keys = st.fedi.actor_keys.get(&st.store).await?;
            let followers = st.store.follower_count().await?;
            Some(
                serde_json::json!({"public_key_pem": keys.public_pem, "followers": followers})
                    .to_string(),
            )
        }
        None => None,
    };
    let body = ExportBody {
        activitypub,
        rx,
        first: Some(first),
        cursor,
        expose_photos: st.cfg.expose_photos,
        sign_in: crate::auth::summary(&st.cfg.sign_in),
        phase: Phase::Start,
    };
    let mut res = Response::new(Body::from_stream(body));
    res.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    Ok(res)
}

/// Where the JSON text is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    /// Nothing written yet.
    Start,
    /// Inside `"comments":[`; true once an item was written.
    Comments(bool),
    /// Inside `"removed":[`; true once an id was written.
    Removed(bool),
    /// The closing `]}` was written.
    Done,
}

/// The export's body: one chunk per batch of rows.
pub struct ExportBody {
    /// `"activitypub"`'s value (the actor's public key, the follower
    /// count) when the service has `[activitypub]`; first in key order.
    activitypub: Option<String>,
    rx: ExportRx,
    /// The batch the handler awaited, written first.
    first: Option<ExportPart>,
    cursor: String,
    expose_photos: bool,
    /// The `sign_in` summary the generator builds its pages from.
    sign_in: serde_json::Value,
    phase: Phase,
}

impl ExportBody {
    /// The text for `part`, advancing the phase.
    fn chunk(&mut self, part: ExportPart) -> Bytes {
        let mut out = Vec::new();
        match part {
            ExportPart::Comments(items) => {
                let mut any = self.open_comments(&mut out);
                for c in &items {
                    if any {
                        out.push(b',');
                    }
                    any = true;
                    write_item(&mut out, c, self.expose_photos);
                }
                self.phase = Phase::Comments(any);
            }
            ExportPart::Removed(ids) => {
                let mut any = self.open_removed(&mut out);
                for id in ids {
                    if any {
                        out.push(b',');
                    }
                    any = true;
                    out.extend_from_slice(id.to_string().as_bytes());
                }
                self.phase = Phase::Removed(any);
            }
            ExportPart::End => {
                self.open_removed(&mut out);
                out.extend_from_slice(b"],\"sign_in\":");
                write_json(&mut out, &self.sign_in);
                out.push(b'}');
                self.phase = Phase::Done;
            }
        }
        Bytes::from(out)
    }

    /// Writes what comes before the first item; whether one was written.
    fn open_comments(&self, out: &mut Vec<u8>) -> bool {
        match self.phase {
            Phase::Start => {
                out.push(b'{');
                if let Some(ap) = &self.activitypub {
                    out.extend_from_slice(b"\"activitypub\":");
                    out.extend_from_slice(ap.as_bytes());
                    out.push(b',');
                }
                out.extend_from_slice(b"\"comments\":[");
                false
            }
            Phase::Comments(any) => any,
            // the store sends every comment before any removed id
            Phase::Removed(_) | Phase::Done => true,
        }
    }

    /// Closes the comments and opens `removed`; whether an id was written.
    fn open_removed(&self, out: &mut Vec<u8>) -> bool {
        if let Phase::Removed(any) = self.phase {
            return any;
        }
        self.open_comments(out);
        out.extend_from_slice(b"],\"cursor\":");
        write_json(out, &self.cursor);
        out.extend_from_slice(b",\"removed\":[");
        false
    }
}

impl futures_core::Stream for ExportBody {
    type Item = Result<Bytes>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        if self.phase == Phase::Done {
            return Poll::Ready(None);
        }
        if let Some(first) = self.first.take() {
            let bytes = self.chunk(first);
            return Poll::Ready(Some(Ok(bytes)));
        }
        match self.rx.poll_recv(cx) {
            Poll::Pending => Poll::Pending,
            Poll::Ready(Some(Ok(part))) => {
                let bytes = self.chunk(part);
                Poll::Ready(Some(Ok(bytes)))
            }
            Poll::Ready(Some(Err(e))) => {
                // The status line is gone already: cutting the body short is
                // how the client learns the answer is incomplete.
                tracing::error!(error = %e, "export failed while streaming");
                self.phase = Phase::Done;
                Poll::Ready(Some(Err(e)))
            }
            Poll::Ready(None) => {
                tracing::error!("export reader stopped before the end");
                self.phase = Phase::Done;
                Poll::Ready(Some(Err(Error::Closed)))
            }
        }
    }
}

/// One exported item: no replies (the export is flat).
fn write_item(out: &mut Vec<u8>, c: &Comment, expose_photos: bool) {
    let (head, tail) = split_item(c, expose_photos);
    out.extend_from_slice(&head);
    out.push(b']');
    out.extend_from_slice(&tail);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Kind;
    use serde_json::json;

    fn item(id: i64, photo: Option<&str>) -> Comment {
        Comment {
            id,
            page: "/p/\"quoted\"/".into(),
            parent: (id > 1).then_some(id - 1),
            author: "Zoë <b>".into(),
            website: Some("https://example.org/".into()),
            author_photo: photo.map(str::to_string),
            body_html: "<p>line\nbreak \u{2028} and \\ slash</p>".into(),
            created: "2026-11-23T10:00:00Z".into(),
            updated: "2026-11-23T10:00:01Z".into(),
            kind: if id % 2 == 0 {
                Kind::Like
            } else {
                Kind::Comment
            },
            source: None,
            url: Some("https://a.example/x".into()),
            is_owner: id == 3,
            verified: false,
            replies: Vec::new(),
        }
    }

    /// The answer as it was built before streaming: one `Value`.
    fn old_export(items: Vec<Comment>, removed: Vec<i64>, cursor: &str, photos: bool) -> Vec<u8> {
        let items: Vec<Comment> = items
            .into_iter()
            .map(|mut c| {
                if !photos {
                    c.author_photo = None;
                }
                c
            })
            .collect();
        serde_json::to_vec(
            &json!({"cursor": cursor, "comments": items, "removed": removed, "sign_in": {}}),
        )
        .unwrap()
    }

    /// Feeds `parts` through the body the way the stream does.
    async fn streamed(parts: Vec<ExportPart>, cursor: &str, photos: bool) -> Vec<u8> {
        let (_tx, rx) = tokio::sync::mpsc::channel(1);
        let mut body = ExportBody {
            activitypub: None,
            rx,
            first: None,
            cursor: cursor.into(),
            expose_photos: photos,
            sign_in: serde_json::json!({}),
            phase: Phase::Start,
        };
        let mut out = Vec::new();
        for p in parts {
            out.extend_from_slice(&body.chunk(p));
        }
        out
    }

    #[tokio::test]
    async fn streamed_bytes_equal_the_old_value_answer() {
        let cursor = "2026-11-23T10:00:05Z";
        let all: Vec<Comment> = (1..=5)
            .map(|i| item(i, (i == 2).then_some("https://a.example/p.png")))
            .collect();
        for photos in [false, true] {
            let parts = vec![
                ExportPart::Comments(all[..2].to_vec()),
                ExportPart::Comments(all[2..].to_vec()),
                ExportPart::Removed(vec![7, 9]),
                ExportPart::Removed(vec![11]),
                ExportPart::End,
            ];
            assert_eq!(
                String::from_utf8(streamed(parts, cursor, photos).await).unwrap(),
                String::from_utf8(old_export(all.clone(), vec![7, 9, 11], cursor, photos)).unwrap()
            );
        }
        // empty store, and comments without removals
        assert_eq!(
            streamed(vec![ExportPart::End], cursor, false).await,
            old_export(vec![], vec![], cursor, false)
        );
        assert_eq!(
            streamed(
                vec![ExportPart::Comments(all.clone()), ExportPart::End],
                cursor,
                false
            )
            .await,
            old_export(all, vec![], cursor, false)
        );
    }
}
