//! Comments: create, read, edit, delete, moderation, counts, admin items,
//! idempotency keys, concurrency.

use std::collections::HashSet;

use causerie_comments::config::Moderation;
use causerie_comments::error::{Error, Refusal};
use causerie_comments::model::Status;
use causerie_comments::store::{Action, now_us};

use crate::both;
use crate::fixture::{Backend, comment};

both!(
    create_read_edit_delete,
    first_time_moderation_and_admin_rows,
    refusals_name_their_field,
    idempotency_keys_answer_the_first_try,
    one_key_sent_at_once_makes_one_comment,
    concurrent_writers_store_each_comment_once,
);

async fn create_read_edit_delete(b: Backend) {
    let s = &b.store;
    let before = s.generation();
    let c = s
        .create_comment(comment("/p/", "Ann", "hello", Moderation::None))
        .await
        .unwrap();
    assert_eq!(c.status, Status::Approved);
    assert!(!c.replayed);
    assert!(
        s.generation() > before,
        "a write moves the generation at once"
    );
    let reply = {
        let mut n = comment("/p/", "Bob", "hi Ann", Moderation::None);
        n.parent = Some(c.id);
        s.create_comment(n).await.unwrap()
    };
    let items = s.page_items("/p/".into()).await.unwrap();
    assert_eq!(items.len(), 2);
    assert_eq!(items[0].author, "Ann");
    assert_eq!(items[1].parent, Some(c.id));
    let counts = s.counts(vec!["/p/".into(), "/none/".into()]).await.unwrap();
    assert_eq!(
        counts,
        vec![("/p/".to_string(), 2), ("/none/".to_string(), 0)]
    );
    let owned = s.owned(c.id).await.unwrap().unwrap();
    assert_eq!(
        (owned.page.as_str(), owned.status),
        ("/p/", Status::Approved)
    );
    let edited = s
        .edit_comment(c.id, "changed".into(), "<p>changed</p>".into(), 0)
        .await
        .unwrap();
    assert_eq!(edited.body_html, "<p>changed</p>");
    assert_eq!(
        s.page_items("/p/".into()).await.unwrap()[0].body_html,
        "<p>changed</p>"
    );
    s.delete_comment(reply.id, 0).await.unwrap();
    assert!(s.owned(reply.id).await.unwrap().is_none());
    assert_eq!(s.counts(vec!["/p/".into()]).await.unwrap()[0].1, 1);
    // the edit window: created before `window_start` is refused
    let late = s
        .edit_comment(c.id, "x".into(), "x".into(), now_us() + 1_000_000)
        .await
        .unwrap_err();
    assert!(
        matches!(
            late,
            Error::Refused {
                why: Refusal::Closed,
                field: "token",
                ..
            }
        ),
        "{late}"
    );
    assert_eq!(s.forget_addresses(now_us() + 1).await.unwrap(), 2);
}

async fn first_time_moderation_and_admin_rows(b: Backend) {
    let s = &b.store;
    let first = s
        .create_comment(comment("/p/", "Cy", "first", Moderation::FirstTime))
        .await
        .unwrap();
    assert_eq!(first.status, Status::Pending);
    assert_eq!(s.counts(vec!["/p/".into()]).await.unwrap()[0].1, 0);
    let held = admin(s, Some(Status::Pending), 10).await;
    assert_eq!(held.len(), 1);
    assert_eq!(held[0].email.as_deref(), Some("cy@example.org"));
    assert_eq!(held[0].body_md, "first");
    assert_eq!(
        s.moderate(vec![first.id, 9999], Action::Approve)
            .await
            .unwrap(),
        1
    );
    assert_eq!(
        s.moderate(vec![first.id], Action::Approve).await.unwrap(),
        0
    );
    let second = s
        .create_comment(comment("/p/", "Cy", "again", Moderation::FirstTime))
        .await
        .unwrap();
    assert_eq!(second.status, Status::Approved, "a trusted commenter");
    let mut held = comment("/p/", "Cy", "spammy", Moderation::FirstTime);
    held.hold = true;
    assert_eq!(
        s.create_comment(held).await.unwrap().status,
        Status::Pending
    );
    let all = s
        .create_comment(comment("/p/", "Cy", "all", Moderation::All))
        .await
        .unwrap();
    assert_eq!(all.status, Status::Pending);
    assert_eq!(s.moderate(vec![second.id], Action::Spam).await.unwrap(), 1);
    assert_eq!(admin(s, None, 10).await.len(), 4);
    assert_eq!(
        admin(s, Some(Status::Spam), 10).await[0].comment.id,
        second.id
    );
    assert_eq!(s.moderate(vec![all.id], Action::Delete).await.unwrap(), 1);
    assert_eq!(admin(s, None, 10).await.len(), 3, "deleted left out");
    assert_eq!(admin(s, None, 2).await.len(), 2, "limit");
}

async fn refusals_name_their_field(b: Backend) {
    let s = &b.store;
    let c = s
        .create_comment(comment("/a/", "Ann", "x", Moderation::None))
        .await
        .unwrap();
    let mut n = comment("/b/", "Bob", "y", Moderation::None);
    n.parent = Some(c.id);
    let e = s.create_comment(n).await.unwrap_err();
    assert!(
        matches!(
            e,
            Error::Refused {
                why: Refusal::Inconsistent,
                field: "parent",
                ..
            }
        ),
        "{e}"
    );
    let e = s.delete_comment(424242, 0).await.unwrap_err();
    assert!(
        matches!(
            e,
            Error::Refused {
                why: Refusal::Missing,
                field: "id",
                ..
            }
        ),
        "{e}"
    );
    assert_eq!(
        s.page_items("/b/".into()).await.unwrap().len(),
        0,
        "nothing half-written"
    );
}

/// A client that retries before its first try answered: every try races
/// for the key, one comment is made, and every try answers it.
async fn one_key_sent_at_once_makes_one_comment(b: Backend) {
    let s = &b.store;
    for round in 0..5 {
        let key = format!("race-{round}");
        let n = comment("/race/", "Ann", "twice at once", Moderation::None);
        let tries = (0..8).map(|_| s.create_comment_once(n.clone(), Some(key.clone())));
        let answers = futures_util::future::join_all(tries).await;
        let ids: HashSet<i64> = answers.iter().map(|a| a.as_ref().unwrap().id).collect();
        assert_eq!(ids.len(), 1, "round {round}: {answers:?}");
        assert_eq!(
            answers
                .iter()
                .filter(|a| !a.as_ref().unwrap().replayed)
                .count(),
            1
        );
    }
    assert_eq!(s.page_items("/race/".into()).await.unwrap().len(), 5);
}

async fn idempotency_keys_answer_the_first_try(b: Backend) {
    let s = &b.store;
    let n = comment("/p/", "Ann", "once", Moderation::None);
    let a = s
        .create_comment_once(n.clone(), Some("k-1".into()))
        .await
        .unwrap();
    let again = s
        .create_comment_once(n.clone(), Some("k-1".into()))
        .await
        .unwrap();
    assert_eq!(again.id, a.id);
    assert_eq!(again.created_us, a.created_us);
    assert!(again.replayed && !a.replayed);
    assert_eq!(s.page_items("/p/".into()).await.unwrap().len(), 1);
    let other = s
        .create_comment_once(n.clone(), Some("k-2".into()))
        .await
        .unwrap();
    assert_ne!(other.id, a.id);
    // somebody else's post with that key gets no one else's comment
    let mallory = comment("/p/", "Mallory", "once", Moderation::None);
    let e = s
        .create_comment_once(mallory, Some("k-1".into()))
        .await
        .unwrap_err();
    assert!(
        matches!(
            e,
            Error::Refused {
                field: "idempotency-key",
                ..
            }
        ),
        "{e}"
    );
    // keys expire
    assert_eq!(s.forget_idempotency_keys(now_us() + 1).await.unwrap(), 2);
    let after = s.create_comment_once(n, Some("k-1".into())).await.unwrap();
    assert!(!after.replayed);
    assert_eq!(s.page_items("/p/".into()).await.unwrap().len(), 3);
}

async fn concurrent_writers_store_each_comment_once(b: Backend) {
    let mut tasks = Vec::new();
    for t in 0..8 {
        let s = b.store.clone();
        tasks.push(tokio::spawn(async move {
            let mut ids = Vec::new();
            for i in 0..50 {
                let n = comment(
                    "/busy/",
                    &format!("W{t}"),
                    &format!("{t}-{i}"),
                    Moderation::None,
                );
                ids.push(s.create_comment(n).await.unwrap().id);
            }
            ids
        }));
    }
    let mut ids = HashSet::new();
    for t in tasks {
        for id in t.await.unwrap() {
            assert!(ids.insert(id), "id {id} given twice");
        }
    }
    assert_eq!(ids.len(), 400);
    let items = b.store.page_items("/busy/".into()).await.unwrap();
    assert_eq!(items.len(), 400);
    let bodies: HashSet<_> = items.iter().map(|c| c.body_html.clone()).collect();
    assert_eq!(bodies.len(), 400, "each comment once");
    assert_eq!(
        b.store.counts(vec!["/busy/".into()]).await.unwrap()[0].1,
        400
    );
}

/// The admin list's items with only a status filter.
async fn admin(
    s: &causerie_comments::store::Store,
    status: Option<Status>,
    limit: u32,
) -> Vec<causerie_comments::store::AdminItem> {
    let q = causerie_comments::store::admin::AdminQuery {
        status,
        limit,
        ..Default::default()
    };
    s.admin_rows(q)
        .await
        .unwrap()
        .into_iter()
        .map(|r| r.item)
        .collect()
}
