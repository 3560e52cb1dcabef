//! The mail surface of [`Store`]: the outbox the worker drains, the links
//! mails carry, readers' subscriptions and the admin list.

use super::{Backend, Store};
use crate::error::Result;
use crate::store::Action;
use crate::store::Micros;
use crate::store::admin::{AdminQuery, AdminRow};
use crate::store::mail::{LinkOutcome, MailComment, OutboxItem, SubscriptionView};

impl Store {
    /// Frees claims this instance cannot be holding any more (start-up).
    pub async fn outbox_release(&self) -> Result<()> {
        on!(self, b => b.outbox_release().await)
    }

    /// Claims the next due outbox row for this worker alone.
    pub async fn outbox_claim(&self) -> Result<Option<OutboxItem>> {
        on!(self, b => b.outbox_claim().await)
    }

    /// Marks a claimed row done: it is never sent again.
    pub async fn outbox_done(&self, id: i64) -> Result<()> {
        on!(self, b => b.outbox_done(id).await)
    }

    /// Gives a claimed row back, due again at `not_before`.
    pub async fn outbox_retry(&self, id: i64, not_before: Micros) -> Result<()> {
        on!(self, b => b.outbox_retry(id, not_before).await)
    }

    /// Deletes rows done before `before`.
    pub async fn outbox_prune(&self, before: Micros) -> Result<usize> {
        on!(self, b => b.outbox_prune(before).await)
    }

    /// When the next unsent row is due, if any.
    pub async fn outbox_next_due(&self) -> Result<Option<Micros>> {
        on!(self, b => b.outbox_next_due().await)
    }

    /// The comment mail `mail_id` is about, if it is about `comment_id`.
    pub async fn mail_subject(&self, mail_id: i64, comment_id: i64) -> Result<Option<MailComment>> {
        on!(self, b => b.mail_subject(mail_id, comment_id).await)
    }

    /// A moderation action from a mail's link; each mail acts once.
    pub async fn moderate_from_mail(
        &self,
        mail_id: i64,
        comment_id: i64,
        action: Action,
    ) -> Result<LinkOutcome> {
        on!(self, b => b.moderate_from_mail(mail_id, comment_id, action).await)
    }

    /// Confirms subscription `id` (double opt-in).
    pub async fn confirm_subscription(&self, id: i64) -> Result<LinkOutcome> {
        on!(self, b => b.confirm_subscription(id).await)
    }

    /// Deletes subscription `target` (or all) of the address of `via`.
    pub async fn unsubscribe(&self, via: i64, target: Option<i64>) -> Result<LinkOutcome> {
        on!(self, b => b.unsubscribe(via, target).await)
    }

    /// The subscriptions with the address of subscription `via`, newest first.
    pub async fn subscriptions_beside(&self, via: i64) -> Result<Vec<SubscriptionView>> {
        on!(self, b => b.subscriptions_beside(via).await)
    }

    /// The trusted key of an approved comment by a verified `email`.
    pub async fn verified_trusted_key(&self, email: String) -> Result<Option<String>> {
        on!(self, b => b.verified_trusted_key(email).await)
    }

    /// Rows for `/admin`, newest first.
    pub async fn admin_rows(&self, q: AdminQuery) -> Result<Vec<AdminRow>> {
        on!(self, b => b.admin_rows(q).await)
    }
}
