//! What a commenter sees of their own comment (the no-JS landing page and
//! embed.js after a reload), and the owner's mail for a new mention.

use causerie_comments::config::Moderation;
use causerie_comments::model::Status;
use causerie_comments::store::Action;
use causerie_comments::store::mail::{Notices, OutboxKind};

use crate::both;
use crate::fixture::{Backend, comment};
use crate::mentions::mention;

both!(
    an_author_sees_their_comment_held_or_published_not_rejected,
    a_new_mention_mails_the_owner_once,
);

async fn an_author_sees_their_comment_held_or_published_not_rejected(b: Backend) {
    let s = &b.store;
    let held = s
        .create_comment(comment("/o/", "Ada", "wait for me", Moderation::All))
        .await
        .unwrap();
    let (c, status) = s
        .own_comment(held.id)
        .await
        .unwrap()
        .expect("held is shown");
    assert_eq!((c.id, status), (held.id, Status::Pending));
    assert!(c.body_html.contains("wait for me"));
    s.moderate(vec![held.id], Action::Approve).await.unwrap();
    let (_, status) = s.own_comment(held.id).await.unwrap().unwrap();
    assert_eq!(status, Status::Approved);
    let other = s
        .create_comment(comment("/o/", "Bob", "no", Moderation::All))
        .await
        .unwrap();
    s.moderate(vec![other.id], Action::Reject).await.unwrap();
    assert!(s.own_comment(other.id).await.unwrap().is_none(), "rejected");
    assert!(
        s.own_comment(987_654).await.unwrap().is_none(),
        "unknown id"
    );
}

async fn a_new_mention_mails_the_owner_once(b: Backend) {
    let s = &b.store;
    let mut m = mention("https://m.example/a", "/p/", "Mo");
    m.moderation = Moderation::All;
    m.notices = Notices {
        owner: Some("owner@example.net".into()),
        mail: true,
        ..Notices::default()
    };
    let stored = s.upsert_mention(m.clone()).await.unwrap();
    assert_eq!(stored.status, Status::Pending);
    let item = s
        .outbox_claim()
        .await
        .unwrap()
        .expect("the owner's mail is due");
    assert_eq!(item.kind, OutboxKind::OwnerHeld);
    assert_eq!(item.comment.id, stored.id);
    assert_eq!(item.comment.held_reason.as_deref(), Some("all"));
    assert_eq!(
        item.comment.body_md, "https://m.example/a",
        "a mention's mail names its source"
    );
    s.outbox_done(item.id).await.unwrap();
    // the source sends it again (an update): nothing new to mail
    let again = s.upsert_mention(m).await.unwrap();
    assert!(!again.created);
    assert!(s.outbox_claim().await.unwrap().is_none());
}
