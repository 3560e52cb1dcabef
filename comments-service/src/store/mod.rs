//! The store: the conversation's durable state behind a small surface.
//!
//! One method per use case, plain Rust types in and out, no driver types.
//! [`Store`] is the one type the service uses; it dispatches to one of two
//! backends (see `dispatch`): SQLite embedded (the default: one writer doing
//! group commit, reader connections) or PostgreSQL (a pool shared by several
//! service instances). A returned `Ok` from a write means the transaction is
//! committed durably (`synchronous=FULL` / `synchronous_commit = on`).

pub mod admin;
mod dispatch;
pub mod mail;
pub mod policy;
pub mod postgres;
pub mod rows;
pub mod sign_in;
pub mod sqlite;

pub use dispatch::{OutsideWrites, RebuildClaim, Store};
pub use sqlite::{ImportCounts, ImportRow, backup, import_preview};

/// How long an idempotency key is remembered.
pub const IDEMPOTENCY_TTL_US: Micros = 24 * 3600 * 1_000_000;

use crate::config::Moderation;
use crate::model::{Comment, Kind, Status};

/// Microseconds since the Unix epoch, the store's clock unit.
pub type Micros = i64;

/// The current time in microseconds.
pub fn now_us() -> Micros {
    jiff::Timestamp::now().as_microsecond()
}

/// `us` as RFC 3339 in UTC with second precision, e.g. `2026-11-23T10:00:00Z`.
pub fn rfc3339(us: Micros) -> String {
    jiff::Timestamp::from_microsecond(us)
        .map(|t| t.strftime("%Y-%m-%dT%H:%M:%SZ").to_string())
        .unwrap_or_default()
}

/// A new reader comment, already parsed and rendered.
#[derive(Debug, Clone)]
pub struct NewComment {
    pub page: String,
    pub parent: Option<i64>,
    pub author: String,
    pub email: Option<String>,
    pub website: Option<String>,
    pub body_md: String,
    pub body_html: String,
    /// Made with the admin token: always published, marked as the author's.
    pub is_owner: bool,
    /// Keyed hash identifying the commenter for first-time moderation.
    pub commenter_key: String,
    /// Anonymised client address.
    pub client_addr: Option<String>,
    /// A spam check asks to hold it whatever the mode.
    pub hold: bool,
    pub moderation: Moderation,
    /// Mails and webhook posts the comment makes due (see `mail::Notices`).
    pub notices: mail::Notices,
    /// Posted by a signed-in reader (answered as `verified`).
    pub verified: bool,
    /// The keyed hash of the signed-in identity (see `auth::Identity::subject`):
    /// it may edit the comment from any device.
    pub signed_in_as: Option<String>,
}

/// What the store did with a new comment.
#[derive(Debug, Clone, Copy)]
pub struct Created {
    pub id: i64,
    pub status: Status,
    pub created_us: Micros,
    /// True when an earlier try with the same idempotency key made it.
    pub replayed: bool,
}

/// What edit and delete need to know about one comment.
#[derive(Debug, Clone)]
pub struct Owned {
    pub id: i64,
    pub page: String,
    pub status: Status,
    pub created_us: Micros,
}

/// A moderation action from `/admin`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Approve,
    Reject,
    Spam,
    Delete,
}

/// One row as the admin page shows it.
#[derive(Debug, Clone)]
pub struct AdminItem {
    pub comment: Comment,
    pub status: Status,
    pub email: Option<String>,
    pub client_addr: Option<String>,
    pub body_md: String,
}

/// A verified Webmention or pingback, ready to store (content already sanitized).
#[derive(Debug, Clone)]
pub struct Mention {
    /// The mentioning page's URL.
    pub source: String,
    /// The page path on this site it mentions.
    pub page: String,
    pub kind: Kind,
    pub author: String,
    /// The author's home page.
    pub website: Option<String>,
    /// The h-entry's own URL.
    pub url: Option<String>,
    pub author_photo: Option<String>,
    /// Sanitized HTML (see `Renderer::clean_html`).
    pub content_html: String,
    pub published_us: Option<Micros>,
    /// The item a new one answers (a fediverse reply), written with its
    /// insert so it is never stored unthreaded; an update keeps its parent.
    pub parent: Option<i64>,
    pub moderation: Moderation,
    /// Who to tell about a new mention (the owner's mail, the webhook).
    pub notices: mail::Notices,
}

/// A stored item the fediverse refers to (a reply's parent, a note to edit).
#[derive(Debug, Clone)]
pub struct ApItem {
    pub id: i64,
    pub page: String,
    pub website: Option<String>,
}

/// A post object as the site's outbox lists it, with the two activities
/// that announce it: (activity id, JSON) of its `Create` and its `Update`.
#[derive(Debug, Clone)]
pub struct ApPost {
    pub object_id: String,
    pub version: String,
    pub create: (String, String),
    pub update: (String, String),
}

/// What [`Store::ap_publish`] queued.
#[derive(Debug, Clone, Copy, Default, serde::Serialize)]
pub struct ApQueued {
    /// The first publish: posts recorded, nothing sent.
    pub baseline: bool,
    pub created: usize,
    pub updated: usize,
    pub deliveries: usize,
}

/// One claimed delivery.
#[derive(Debug, Clone)]
pub struct ApDelivery {
    pub id: i64,
    pub activity: String,
    pub inbox: String,
    /// Counting this one.
    pub attempts: i64,
}

/// What the store did with a mention.
#[derive(Debug, Clone, Copy)]
pub struct MentionStored {
    pub id: i64,
    pub status: Status,
    /// False when an existing (source, page) row was updated.
    pub created: bool,
}

/// A Webmention or pingback waiting to be verified.
#[derive(Debug, Clone)]
pub struct PendingVerification {
    pub id: i64,
    pub source: String,
    pub target: String,
    pub attempts: i64,
}

/// The stored rebuild request.
#[derive(Debug, Clone, Copy)]
pub struct RebuildDue {
    /// Bumped by every change; finishing a run only clears the generation it saw.
    pub generation: i64,
    pub due_us: Micros,
    pub attempts: i64,
}
