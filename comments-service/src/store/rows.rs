//! Reads whose size grows with the store, handed out in bounded batches:
//! the parts every backend sends, and their bounds.
//!
//! The export used to collect every approved row into one `Vec` before the
//! answer was built: on a store of 195 000 comments that took the process
//! from 15 MB to 614 MB, and six concurrent exports to 2 GB. Each backend
//! walks its rows inside one read snapshot (the rows and the removal log
//! agree) and sends batches of at most [`BATCH_ROWS`] rows or about
//! [`BATCH_BYTES`] bytes through a channel that holds [`DEPTH`] batches.
//! Memory is bounded by the batch, not by the store; the caller serializes
//! each batch as it arrives. When the caller drops the receiver (the client
//! went away), or takes nothing for [`STALL`], the reader stops at its next
//! send and gives its connection back.

use std::time::Duration;

use tokio::sync::mpsc;

use crate::error::Result;
use crate::model::Comment;

/// Most rows in one batch.
pub const BATCH_ROWS: usize = 256;
/// A batch is sent once its text fields pass this many bytes.
pub const BATCH_BYTES: usize = 256 * 1024;
/// Batches waiting in the channel: the reader runs at most this far ahead of
/// the client.
pub const DEPTH: usize = 2;
/// A reader whose client took no batch for this long gives up.
pub const STALL: Duration = Duration::from_secs(30);

/// One step of an export, in order: `Comments`* `Removed`* `End`.
#[derive(Debug)]
pub enum ExportPart {
    /// Approved items, oldest first.
    Comments(Vec<Comment>),
    /// Ids removed since the export's `since`, ascending.
    Removed(Vec<i64>),
    /// Everything was sent: a channel that closes without it was cut short.
    End,
}

/// The receiving end of a streamed export.
pub type ExportRx = mpsc::Receiver<Result<ExportPart>>;

/// One step of a page's rows, in order: `Plan` `Rows`* `End`.
#[derive(Debug)]
pub enum PagePart {
    /// What the caller's `plan` made of the page's `(id, parent)` pairs: the
    /// ids in the order their rows follow, each with the caller's own number;
    /// `items` is how many approved items the page has (`order` may leave
    /// some out).
    Plan {
        items: usize,
        order: Vec<(i64, u32)>,
    },
    /// The next rows, in the plan's order.
    Rows(Vec<Comment>),
    /// Everything was sent.
    End,
}

/// The receiving end of a page's rows.
pub type PageRx = mpsc::Receiver<Result<PagePart>>;

/// The heap a row holds, near enough to size a batch.
pub(crate) fn approx_bytes(c: &Comment) -> usize {
    let opt = |s: &Option<String>| s.as_ref().map_or(0, String::len);
    c.page.len()
        + c.author.len()
        + c.body_html.len()
        + c.created.len()
        + c.updated.len()
        + opt(&c.website)
        + opt(&c.author_photo)
        + opt(&c.source)
        + opt(&c.url)
        + std::mem::size_of::<Comment>()
}
