//! Mentions, the verification queue and its leases, the rebuild request,
//! imports.

use std::time::Duration;

use causerie_comments::config::Moderation;
use causerie_comments::model::{Kind as ItemKind, Status};
use causerie_comments::store::{ImportRow, Mention, now_us};

use crate::both;
use crate::fixture::{Backend, comment};

both!(
    mentions_upsert_and_remove,
    a_reply_is_written_with_its_parent,
    the_verification_queue_leases_its_jobs,
    the_rebuild_request_is_due_finished_and_failed,
    imports_are_idempotent_by_their_keys,
);

pub fn mention(source: &str, page: &str, author: &str) -> Mention {
    Mention {
        source: source.into(),
        page: page.into(),
        kind: ItemKind::Mention,
        author: author.into(),
        website: Some("https://m.example/".into()),
        url: Some(source.into()),
        author_photo: None,
        content_html: format!("<p>{author} wrote</p>"),
        published_us: Some(1_700_000_000_000_000),
        parent: None,
        moderation: Moderation::None,
        notices: Default::default(),
    }
}

async fn mentions_upsert_and_remove(b: Backend) {
    let s = &b.store;
    let a = s
        .upsert_mention(mention("https://m.example/a", "/p/", "Mo"))
        .await
        .unwrap();
    assert!(a.created);
    assert_eq!(a.status, Status::Approved);
    let again = s
        .upsert_mention(mention("https://m.example/a", "/p/", "Mo B."))
        .await
        .unwrap();
    assert_eq!((again.id, again.created), (a.id, false));
    let items = s.page_items("/p/".into()).await.unwrap();
    assert_eq!(items.len(), 1);
    assert_eq!(items[0].author, "Mo B.");
    assert_eq!(items[0].kind, ItemKind::Mention);
    assert_eq!(
        items[0].created, "2023-11-14T22:13:20Z",
        "the published time"
    );
    assert!(
        s.remove_mention("https://m.example/a".into(), "/p/".into())
            .await
            .unwrap()
    );
    assert!(
        !s.remove_mention("https://m.example/a".into(), "/p/".into())
            .await
            .unwrap()
    );
    assert!(s.page_items("/p/".into()).await.unwrap().is_empty());
}

/// A fediverse reply is threaded by the insert itself (one transaction:
/// no crash can leave it unthreaded); an update keeps where it is.
async fn a_reply_is_written_with_its_parent(b: Backend) {
    let s = &b.store;
    let c = s
        .create_comment(comment("/p/", "Ann", "first", Moderation::None))
        .await
        .unwrap();
    let mut m = mention("https://m.example/r", "/p/", "Mo");
    m.kind = ItemKind::Reply;
    m.parent = Some(c.id);
    let r = s.upsert_mention(m.clone()).await.unwrap();
    assert!(r.created);
    // seen from another handle (a second instance on PostgreSQL)
    let items = b.open().await.page_items("/p/".into()).await.unwrap();
    let stored = items.iter().find(|i| i.id == r.id).expect("the reply");
    assert_eq!(stored.parent, Some(c.id));
    m.parent = None;
    m.content_html = "<p>edited</p>".into();
    assert!(!s.upsert_mention(m).await.unwrap().created);
    let items = s.page_items("/p/".into()).await.unwrap();
    let stored = items.iter().find(|i| i.id == r.id).expect("the reply");
    assert_eq!(stored.parent, Some(c.id), "an edit keeps the thread");
}

async fn the_verification_queue_leases_its_jobs(b: Backend) {
    let s = &b.store;
    let id = s
        .enqueue_verification(
            "https://src.example/".into(),
            "https://site.example/p/".into(),
        )
        .await
        .unwrap();
    let same = s
        .enqueue_verification(
            "https://src.example/".into(),
            "https://site.example/p/".into(),
        )
        .await
        .unwrap();
    assert_eq!(id, same, "one job per pair");
    let job = s.take_verification().await.unwrap().unwrap();
    assert_eq!((job.id, job.attempts), (id, 1));
    assert!(s.take_verification().await.unwrap().is_none(), "leased");
    s.verification_retry(id, 0).await.unwrap();
    let job = s.take_verification().await.unwrap().unwrap();
    assert_eq!(job.attempts, 2);
    // a taker that died: the job comes back after the lease
    s.set_verification_lease(Duration::from_millis(1500));
    assert!(s.take_verification().await.unwrap().is_none());
    tokio::time::sleep(Duration::from_millis(1600)).await;
    let back = s.take_verification().await.unwrap().unwrap();
    assert_eq!((back.id, back.attempts), (id, 3));
    s.verification_done(id).await.unwrap();
    tokio::time::sleep(Duration::from_millis(1600)).await;
    assert!(
        s.take_verification().await.unwrap().is_none(),
        "done is gone"
    );
    // a retry waits for its delay
    let id2 = s
        .enqueue_verification(
            "https://b.example/".into(),
            "https://site.example/q/".into(),
        )
        .await
        .unwrap();
    s.take_verification().await.unwrap().unwrap();
    s.verification_retry(id2, 60_000).await.unwrap();
    assert!(
        s.take_verification().await.unwrap().is_none(),
        "not before its time"
    );
}

async fn the_rebuild_request_is_due_finished_and_failed(b: Backend) {
    let s = &b.store;
    assert!(s.rebuild_due().await.unwrap().is_none());
    s.create_comment(comment("/p/", "Held", "x", Moderation::All))
        .await
        .unwrap();
    assert!(
        s.rebuild_due().await.unwrap().is_none(),
        "a held comment changes no page"
    );
    s.create_comment(comment("/p/", "Ann", "x", Moderation::None))
        .await
        .unwrap();
    let due = s.rebuild_due().await.unwrap().expect("requested");
    assert_eq!(due.attempts, 0);
    assert!(due.due_us <= now_us());
    let claim = s
        .claim_rebuild()
        .await
        .unwrap()
        .expect("nobody else runs it");
    let retry_at = now_us() + 60_000_000;
    s.rebuild_failed(retry_at).await.unwrap();
    let failed = s.rebuild_due().await.unwrap().unwrap();
    assert_eq!((failed.attempts, failed.due_us), (1, retry_at));
    // a change during the run keeps its own request
    s.create_comment(comment("/p/", "Bob", "y", Moderation::None))
        .await
        .unwrap();
    let newer = s.rebuild_due().await.unwrap().unwrap();
    assert!(newer.generation > due.generation);
    s.rebuild_finished(due.generation).await.unwrap();
    assert!(
        s.rebuild_due().await.unwrap().is_some(),
        "the newer change stays"
    );
    s.rebuild_finished(newer.generation).await.unwrap();
    assert!(s.rebuild_due().await.unwrap().is_none());
    claim.release().await;
}

fn row(key: &str, parent: Option<&str>, status: Status) -> ImportRow {
    ImportRow {
        key: key.into(),
        parent_key: parent.map(Into::into),
        page: "/old/".into(),
        kind: ItemKind::Comment,
        status,
        author: format!("A{key}"),
        email: None,
        website: None,
        source: None,
        body_md: "imported".into(),
        body_html: "<p>imported</p>".into(),
        is_owner: false,
        commenter_key: format!("ck{key}"),
        created_us: 1_600_000_000_000_000,
    }
}

async fn imports_are_idempotent_by_their_keys(b: Backend) {
    let s = &b.store;
    let rows = vec![
        row("1", None, Status::Approved),
        row("2", Some("1"), Status::Approved),
        row("3", None, Status::Pending),
    ];
    let preview = s.import_preview("wxr", &rows).await.unwrap();
    assert_eq!((preview.comments, preview.held, preview.already), (3, 1, 0));
    assert!(
        s.page_items("/old/".into()).await.unwrap().is_empty(),
        "a preview writes nothing"
    );
    let first = s.import("wxr", rows.clone()).await.unwrap();
    assert_eq!(first, preview);
    let items = s.page_items("/old/".into()).await.unwrap();
    assert_eq!(items.len(), 2);
    assert_eq!(
        items[1].parent,
        Some(items[0].id),
        "replies keep their parent"
    );
    assert!(
        s.rebuild_due().await.unwrap().is_some(),
        "an import asks for a rebuild"
    );
    let second = s.import("wxr", rows).await.unwrap();
    assert_eq!((second.comments, second.already), (0, 3));
    assert_eq!(s.page_items("/old/".into()).await.unwrap().len(), 2);
}
