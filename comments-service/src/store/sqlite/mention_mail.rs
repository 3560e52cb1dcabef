//! What a new Webmention or pingback makes due, in the transaction that
//! stores it: the owner's mail (new or held, with why it was held) and the
//! webhook post, as for a reader's comment.

use super::*;
use crate::store::mail::{Notices, OutboxKind};

/// Queues the owner's mail and the webhook for new mention `id`.
pub(super) fn after_new_mention(
    ctx: &mut WriteCtx,
    id: i64,
    status: Status,
    moderation: Moderation,
    n: &Notices,
) -> Result<()> {
    let kind = match status {
        Status::Pending => {
            let reason = match moderation {
                Moderation::All => "all",
                _ => "first-time",
            };
            ctx.conn
                .prepare_cached("UPDATE comments SET held_reason = ?2 WHERE id = ?1")?
                .execute(params![id, reason])?;
            OutboxKind::OwnerHeld
        }
        Status::Approved => OutboxKind::OwnerNew,
        _ => return Ok(()),
    };
    if let Some(owner) = &n.owner {
        super::outbox::enqueue(ctx, kind, id, None, Some(owner))?;
    }
    if n.webhook {
        super::outbox::enqueue(ctx, OutboxKind::Webhook, id, None, None)?;
    }
    Ok(())
}
