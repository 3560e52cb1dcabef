//! The store's mail and webhook types: what a new comment asks to be told,
//! and an outbox item as the sending worker sees it. Plain Rust, so every
//! backend fills the same shapes.

use super::Micros;
use crate::model::Status;

/// Who a new comment should be told about, decided by the route from the
/// configuration; the store writes the outbox rows in the same transaction.
#[derive(Debug, Clone, Default)]
pub struct Notices {
    /// The owner's address: a mail per new or held comment.
    pub owner: Option<String>,
    /// Queue a webhook post per new or held comment.
    pub webhook: bool,
    /// The commenter asked (`notify`) to hear about replies: a confirmation
    /// mail goes to their address first.
    pub subscribe: bool,
    /// Mails are possible at all (replies to confirmed subscribers).
    pub mail: bool,
    /// Why a spam check held it, if one did (`links`, `blocklist`).
    pub spam_reason: Option<&'static str>,
}

/// What an outbox row is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutboxKind {
    /// To the owner: a new published comment.
    OwnerNew,
    /// To the owner: a comment waits for moderation.
    OwnerHeld,
    /// To a commenter: confirm the subscription (double opt-in).
    Confirm,
    /// To a confirmed subscriber: an approved reply.
    Reply,
    /// The `[notify] webhook` post.
    Webhook,
}

impl OutboxKind {
    pub fn as_str(self) -> &'static str {
        match self {
            OutboxKind::OwnerNew => "owner-new",
            OutboxKind::OwnerHeld => "owner-held",
            OutboxKind::Confirm => "confirm",
            OutboxKind::Reply => "reply",
            OutboxKind::Webhook => "webhook",
        }
    }

    pub fn parse(s: &str) -> Option<OutboxKind> {
        Some(match s {
            "owner-new" => OutboxKind::OwnerNew,
            "owner-held" => OutboxKind::OwnerHeld,
            "confirm" => OutboxKind::Confirm,
            "reply" => OutboxKind::Reply,
            "webhook" => OutboxKind::Webhook,
            _ => return None,
        })
    }
}

/// The comment a mail is about, as the mail shows it.
#[derive(Debug, Clone)]
pub struct MailComment {
    pub id: i64,
    pub page: String,
    pub author: String,
    pub body_md: String,
    pub status: Status,
    pub held_reason: Option<String>,
    /// The author of the comment it answers, if any.
    pub parent_author: Option<String>,
    pub parent: Option<i64>,
}

/// One claimed outbox row, ready to render and send.
#[derive(Debug, Clone)]
pub struct OutboxItem {
    pub id: i64,
    pub kind: OutboxKind,
    pub recipient: Option<String>,
    pub subscription_id: Option<i64>,
    pub created_us: Micros,
    /// Attempts including this one.
    pub attempts: i64,
    pub comment: MailComment,
}

/// One subscription as its owner's manage page lists it.
#[derive(Debug, Clone)]
pub struct SubscriptionView {
    pub id: i64,
    pub page: String,
    pub comment_id: i64,
    pub confirmed: bool,
}

/// What a mail link's action did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkOutcome {
    Done,
    /// Another link of the same mail acted already.
    AlreadyUsed,
    /// The comment (or subscription) is gone.
    Missing,
}
