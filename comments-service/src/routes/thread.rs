//! The thread of a very large page (`GET /api/comments?page=` past
//! [`LARGE_PAGE`] items), streamed.
//!
//! A page's thread is nested, so it was built whole: every row, then the
//! tree, then one `serde_json::Value`, then the bytes, about 70 MB for a page
//! of 20 000 comments, which is what the write benchmark leaves on each of
//! its pages. Here the nesting is planned from the `(id, parent)` pairs alone
//! (16 bytes a row), the store sends the rows in the plan's order in bounded
//! batches, and [`ThreadBody`] writes each item as it comes: its fields up to
//! `"replies":[`, its replies, then the rest. The bytes are those of the
//! built answer (keys sorted as serde_json's map writes them), and go to
//! the read cache when they fit its per-answer bound. Small pages, the usual
//! case, keep the built answer in `comments`.

use std::collections::{HashMap, HashSet};
use std::pin::Pin;
use std::task::{Context, Poll};

use crate::error::{Error, Result};
use crate::model::Comment;
use crate::routes::item_json::{split_item, write_json};
use crate::state::AppState;
use crate::store::rows::{PagePart, PageRx};
use axum::body::{Body, Bytes};
use axum::http::{HeaderValue, header};
use axum::response::Response;

/// Pages with more approved items than this are streamed (and cached only
/// when the answer fits `cache::MAX_ENTRY`).
pub const LARGE_PAGE: u64 = 1000;
/// Replies deeper than this are not nested further (as `model::thread`).
const MAX_DEPTH: usize = 10_000;

/// True when `page` has more than [`LARGE_PAGE`] approved items: streamed,
/// not built (one indexed count, asked only when the read cache missed).
pub async fn is_large(st: &AppState, page: &str) -> Result<bool> {
    let counted = st.store.counts(vec![page.to_string()]).await?;
    Ok(counted.first().is_some_and(|(_, n)| *n > LARGE_PAGE))
}

/// The streamed thread of `page`; the store's `generation` was read before.
pub async fn thread_stream(st: &AppState, page: &str, generation: u64) -> Result<Response> {
    let permit = st.heavy.enter().await?;
    let mut rx = st.store.page_batches(page.to_string(), plan, permit).await;
    let (count, plan) = match rx.recv().await {
        Some(Ok(PagePart::Plan { items, order })) => (items, order),
        Some(Err(e)) => return Err(e),
        Some(Ok(_)) | None => return Err(Error::Closed),
    };
    let mut head = Vec::from(&b"{\"comments\":["[..]);
    let mut tail = Vec::from(&b"],\"count\":"[..]);
    tail.extend_from_slice(count.to_string().as_bytes());
    tail.extend_from_slice(b",\"page\":");
    write_json(&mut tail, page);
    tail.push(b'}');
    if plan.is_empty() {
        head.extend_from_slice(&tail);
        tail.clear();
    }
    let body = ThreadBody {
        rx,
        kids: plan.into_iter().map(|(_, n)| n).collect(),
        next: 0,
        open: Vec::new(),
        roots: 0,
        head: Some(head),
        tail,
        expose_photos: st.cfg.expose_photos,
        done: false,
        keep: Some(Keep {
            st: st.clone(),
            key: page.to_string(),
            generation,
            bytes: Vec::new(),
        }),
    };
    let mut res = Response::new(Body::from_stream(body));
    res.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    res.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    Ok(res)
}

/// The thread's shape: ids in the order they are written (each root, then
/// its replies depth first, oldest first), each with how many replies it
/// nests. Same rules as `model::thread`: an item whose parent is not shown
/// is a root, and nothing nests past [`MAX_DEPTH`].
pub fn plan(shape: Vec<(i64, Option<i64>)>) -> Vec<(i64, u32)> {
    let ids: HashSet<i64> = shape.iter().map(|(id, _)| *id).collect();
    let mut kids: HashMap<i64, Vec<i64>> = HashMap::new();
    let mut roots = Vec::new();
    for (id, parent) in shape {
        match parent {
            Some(p) if ids.contains(&p) && p != id => kids.entry(p).or_default().push(id),
            _ => roots.push(id),
        }
    }
    drop(ids);
    let mut out = Vec::new();
    let mut stack: Vec<(i64, usize)> = roots.into_iter().rev().map(|id| (id, 0)).collect();
    while let Some((id, depth)) = stack.pop() {
        let mine = if depth <= MAX_DEPTH {
            kids.remove(&id).unwrap_or_default()
        } else {
            Vec::new()
        };
        out.push((id, u32::try_from(mine.len()).unwrap_or(u32::MAX)));
        stack.extend(mine.into_iter().rev().map(|k| (k, depth + 1)));
    }
    out
}

/// An item whose replies are being written.
struct Open {
    /// Replies still to come.
    left: u32,
    /// Replies written so far.
    written: u32,
    /// Its fields after `replies`, written once they are done.
    tail: Vec<u8>,
}

/// A copy of the answer for the read cache, while it is small enough.
struct Keep {
    st: AppState,
    key: String,
    generation: u64,
    bytes: Vec<u8>,
}

/// The large thread's body: one chunk per batch of rows.
pub struct ThreadBody {
    rx: PageRx,
    /// Replies of each item, in the order the rows come.
    kids: Vec<u32>,
    next: usize,
    open: Vec<Open>,
    roots: usize,
    /// `{"comments":[`, until written.
    head: Option<Vec<u8>>,
    /// `],"count":N,"page":"…"}`, written at the end.
    tail: Vec<u8>,
    expose_photos: bool,
    done: bool,
    keep: Option<Keep>,
}

impl ThreadBody {
    /// `chunk` as the next piece of the body, kept for the cache if it fits;
    /// the whole answer goes to the cache with the last piece.
    fn emit(&mut self, chunk: Vec<u8>) -> Bytes {
        if let Some(k) = &mut self.keep {
            if k.bytes.len() + chunk.len() + k.key.len() > crate::cache::MAX_ENTRY {
                self.keep = None;
            } else {
                k.bytes.extend_from_slice(&chunk);
            }
        }
        if self.done
            && let Some(k) = self.keep.take()
        {
            k.st.cache(k.key, k.generation, Bytes::from(k.bytes));
        }
        Bytes::from(chunk)
    }

    /// Writes one item (its replies follow in later calls).
    fn item(&mut self, out: &mut Vec<u8>, c: &Comment) {
        let kids = self.kids.get(self.next).copied().unwrap_or(0);
        self.next += 1;
        let first = match self.open.last_mut() {
            Some(parent) => {
                parent.written += 1;
                parent.left = parent.left.saturating_sub(1);
                parent.written == 1
            }
            None => {
                self.roots += 1;
                self.roots == 1
            }
        };
        if !first {
            out.push(b',');
        }
        let (head, tail) = split_item(c, self.expose_photos);
        out.extend_from_slice(&head);
        if kids > 0 {
            self.open.push(Open {
                left: kids,
                written: 0,
                tail,
            });
            return;
        }
        out.extend_from_slice(b"]");
        out.extend_from_slice(&tail);
        // close every parent whose last reply this was
        while self.open.last().is_some_and(|o| o.left == 0) {
            if let Some(done) = self.open.pop() {
                out.extend_from_slice(b"]");
                out.extend_from_slice(&done.tail);
            }
        }
    }
}

impl futures_core::Stream for ThreadBody {
    type Item = Result<Bytes>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        if self.done {
            return Poll::Ready(None);
        }
        if let Some(head) = self.head.take() {
            self.done = self.tail.is_empty();
            return Poll::Ready(Some(Ok(self.emit(head))));
        }
        match self.rx.poll_recv(cx) {
            Poll::Pending => Poll::Pending,
            Poll::Ready(Some(Ok(PagePart::Rows(rows)))) => {
                let mut out = Vec::new();
                for c in &rows {
                    self.item(&mut out, c);
                }
                Poll::Ready(Some(Ok(self.emit(out))))
            }
            Poll::Ready(Some(Ok(PagePart::End))) if self.open.is_empty() => {
                self.done = true;
                let tail = std::mem::take(&mut self.tail);
                Poll::Ready(Some(Ok(self.emit(tail))))
            }
            Poll::Ready(Some(Err(e))) => {
                tracing::error!(error = %e, "thread failed while streaming");
                self.done = true;
                Poll::Ready(Some(Err(e)))
            }
            Poll::Ready(_) => {
                tracing::error!("thread rows stopped before the end");
                self.done = true;
                Poll::Ready(Some(Err(Error::Closed)))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Kind;

    fn item(id: i64, parent: Option<i64>) -> Comment {
        Comment {
            id,
            page: "/p/".into(),
            parent,
            author: format!("A \"{id}\""),
            website: (id % 2 == 0).then(|| "https://example.org/".into()),
            author_photo: (id == 3).then(|| "https://example.org/p.png".into()),
            body_html: format!("<p>{id}\n</p>"),
            created: "2026-11-23T10:00:00Z".into(),
            updated: "2026-11-23T10:00:00Z".into(),
            kind: Kind::Comment,
            source: None,
            url: None,
            is_owner: id == 1,
            verified: false,
            replies: Vec::new(),
        }
    }

    /// The answer as `comments_index` builds it for small pages.
    fn built(flat: Vec<Comment>, photos: bool) -> String {
        let count = flat.len();
        let flat: Vec<Comment> = flat
            .into_iter()
            .map(|mut c| {
                if !photos {
                    c.author_photo = None;
                }
                c
            })
            .collect();
        let v = serde_json::json!({"page": "/p/", "count": count, "comments": crate::model::thread(flat)});
        serde_json::to_string(&v).unwrap()
    }

    /// The streamed answer, rows fed in batches of two.
    async fn streamed(flat: Vec<Comment>, photos: bool) -> String {
        let count = flat.len();
        let shape = flat.iter().map(|c| (c.id, c.parent)).collect();
        let planned = plan(shape);
        let by_id: HashMap<i64, Comment> = flat.into_iter().map(|c| (c.id, c)).collect();
        let rows: Vec<Comment> = planned.iter().map(|(id, _)| by_id[id].clone()).collect();
        let (_tx, rx) = tokio::sync::mpsc::channel(1);
        let mut body = ThreadBody {
            rx,
            kids: planned.iter().map(|(_, n)| *n).collect(),
            next: 0,
            open: Vec::new(),
            roots: 0,
            head: None,
            tail: Vec::new(),
            expose_photos: photos,
            done: false,
            keep: None,
        };
        let mut out = b"{\"comments\":[".to_vec();
        for chunk in rows.chunks(2) {
            for c in chunk {
                body.item(&mut out, c);
            }
        }
        assert!(body.open.is_empty(), "every item closed");
        out.extend_from_slice(format!("],\"count\":{count},\"page\":\"/p/\"}}").as_bytes());
        String::from_utf8(out).unwrap()
    }

    #[tokio::test]
    async fn streamed_thread_equals_the_built_answer() {
        let cases: Vec<Vec<(i64, Option<i64>)>> = vec![
            vec![],
            vec![(1, None)],
            vec![
                (1, None),
                (2, Some(1)),
                (3, Some(2)),
                (4, None),
                (5, Some(1)),
            ],
            // a parent not shown, a self-parent, a deep chain ending together
            vec![
                (1, None),
                (2, Some(99)),
                (3, Some(3)),
                (4, Some(1)),
                (5, Some(4)),
                (6, Some(5)),
                (7, Some(1)),
                (8, Some(7)),
                (9, None),
            ],
            // a cycle that no root reaches is not shown by either
            vec![(1, None), (2, Some(3)), (3, Some(2)), (4, Some(1))],
        ];
        for shape in cases {
            let flat: Vec<Comment> = shape.iter().map(|(i, p)| item(*i, *p)).collect();
            for photos in [false, true] {
                let got = streamed(flat.clone(), photos).await;
                assert_eq!(got, built(flat.clone(), photos), "shape {shape:?}");
            }
        }
    }
}
