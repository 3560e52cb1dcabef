//! The mail surface of the store on both backends: the outbox (written in
//! the comment's transaction, claimed, done, retried), the links' single
//! use, readers' subscriptions, the admin list's filters; then several
//! instances claiming one PostgreSQL outbox.

use std::collections::HashMap;

use causerie_comments::config::Moderation;
use causerie_comments::model::Status;
use causerie_comments::store::admin::AdminQuery;
use causerie_comments::store::mail::{LinkOutcome, Notices, OutboxKind};
use causerie_comments::store::{Action, NewComment, Store};

use crate::both;
use crate::fixture::{Backend, Kind, comment};

both!(
    a_claim_is_exclusive_until_done_and_done_is_final,
    a_retry_waits_until_due,
    a_mail_link_acts_once,
    a_subscription_is_confirmed_once_and_mails_replies_until_unsubscribed,
    trust_needs_a_verified_address,
    admin_rows_filter_and_escape_wildcards,
);

fn to_owner(mut n: NewComment) -> NewComment {
    n.notices = Notices {
        owner: Some("owner@example.net".into()),
        mail: true,
        ..Notices::default()
    };
    n
}

async fn a_claim_is_exclusive_until_done_and_done_is_final(b: Backend) {
    let s = &b.store;
    let c = s
        .create_comment(to_owner(comment("/o/", "Ada", "hi", Moderation::All)))
        .await
        .unwrap();
    assert!(s.outbox_next_due().await.unwrap().is_some());
    let item = s.outbox_claim().await.unwrap().expect("due");
    assert_eq!(item.kind, OutboxKind::OwnerHeld);
    assert_eq!(item.recipient.as_deref(), Some("owner@example.net"));
    assert_eq!(item.comment.id, c.id);
    assert_eq!(item.comment.held_reason.as_deref(), Some("all"));
    assert_eq!(item.attempts, 1);
    assert!(s.outbox_claim().await.unwrap().is_none(), "claimed");
    s.outbox_release().await.unwrap();
    let item = if b.kind == Kind::Sqlite {
        // one process: a restart frees the claim (same row, same Message-ID)
        let again = s.outbox_claim().await.unwrap().expect("freed");
        assert_eq!((again.id, again.attempts), (item.id, 2));
        again
    } else {
        // another instance may be sending it: only the lease frees it
        assert!(s.outbox_claim().await.unwrap().is_none(), "still leased");
        item
    };
    s.outbox_done(item.id).await.unwrap();
    s.outbox_release().await.unwrap();
    assert!(s.outbox_claim().await.unwrap().is_none(), "done is final");
    assert_eq!(s.outbox_next_due().await.unwrap(), None);
    assert_eq!(s.outbox_prune(i64::MAX).await.unwrap(), 1);
    // an owner's own comment mails nobody
    let mut own = to_owner(comment("/o/", "Me", "mine", Moderation::All));
    own.is_owner = true;
    s.create_comment(own).await.unwrap();
    assert!(s.outbox_claim().await.unwrap().is_none());
}

async fn a_retry_waits_until_due(b: Backend) {
    let s = &b.store;
    s.create_comment(to_owner(comment("/r/", "Ada", "hi", Moderation::None)))
        .await
        .unwrap();
    let item = s.outbox_claim().await.unwrap().expect("due");
    assert_eq!(item.kind, OutboxKind::OwnerNew);
    let later = causerie_comments::store::now_us() + 3_600_000_000;
    s.outbox_retry(item.id, later).await.unwrap();
    assert!(s.outbox_claim().await.unwrap().is_none(), "not yet due");
    assert_eq!(s.outbox_next_due().await.unwrap(), Some(later));
    s.outbox_retry(item.id, 0).await.unwrap();
    let again = s.outbox_claim().await.unwrap().expect("due again");
    assert_eq!((again.id, again.attempts), (item.id, 2));
}

async fn a_mail_link_acts_once(b: Backend) {
    let s = &b.store;
    let c = s
        .create_comment(to_owner(comment("/l/", "Ada", "hold me", Moderation::All)))
        .await
        .unwrap();
    let other = s
        .create_comment(comment("/l/", "Bo", "other", Moderation::All))
        .await
        .unwrap();
    let mail = s.outbox_claim().await.unwrap().expect("due").id;
    let subject = s.mail_subject(mail, c.id).await.unwrap().expect("about it");
    assert_eq!(
        (subject.author.as_str(), subject.status),
        ("Ada", Status::Pending)
    );
    assert!(s.mail_subject(mail, other.id).await.unwrap().is_none());
    assert_eq!(
        s.moderate_from_mail(mail, other.id, Action::Approve)
            .await
            .unwrap(),
        LinkOutcome::Missing,
        "a mail acts only on its own comment"
    );
    assert_eq!(
        s.moderate_from_mail(mail, c.id, Action::Approve)
            .await
            .unwrap(),
        LinkOutcome::Done
    );
    assert_eq!(
        s.moderate_from_mail(mail, c.id, Action::Delete)
            .await
            .unwrap(),
        LinkOutcome::AlreadyUsed
    );
    let page = s.page_items("/l/".into()).await.unwrap();
    assert_eq!(page.len(), 1, "approved, not deleted");
    assert_eq!(page[0].id, c.id);
    assert_eq!(page[0].updated, page[0].created, "approving is no edit");
}

fn subscriber(page: &str, author: &str, parent: Option<i64>) -> NewComment {
    let mut n = comment(page, author, &format!("by {author}"), Moderation::All);
    n.parent = parent;
    n.notices = Notices {
        mail: true,
        subscribe: true,
        ..Notices::default()
    };
    n
}

async fn a_subscription_is_confirmed_once_and_mails_replies_until_unsubscribed(b: Backend) {
    let s = &b.store;
    let ann = s
        .create_comment(subscriber("/s/", "Ann", None))
        .await
        .unwrap();
    assert!(
        s.outbox_claim().await.unwrap().is_none(),
        "nothing is mailed for a held comment"
    );
    s.moderate(vec![ann.id], Action::Approve).await.unwrap();
    let confirm = s.outbox_claim().await.unwrap().expect("confirmation");
    assert_eq!(confirm.kind, OutboxKind::Confirm);
    assert_eq!(confirm.recipient.as_deref(), Some("ann@example.org"));
    let sub = confirm.subscription_id.expect("its subscription");
    s.outbox_done(confirm.id).await.unwrap();
    assert_eq!(
        s.confirm_subscription(sub).await.unwrap(),
        LinkOutcome::Done
    );
    assert_eq!(
        s.confirm_subscription(sub).await.unwrap(),
        LinkOutcome::AlreadyUsed
    );
    assert_eq!(
        s.confirm_subscription(sub + 1000).await.unwrap(),
        LinkOutcome::Missing
    );
    let listed = s.subscriptions_beside(sub).await.unwrap();
    assert_eq!(listed.len(), 1);
    assert!(listed[0].confirmed);
    assert_eq!(
        (listed[0].comment_id, listed[0].page.as_str()),
        (ann.id, "/s/")
    );
    // a reply by someone else mails Ann once published; Ann's own does not
    let bo = s
        .create_comment(subscriber("/s/", "Bo", Some(ann.id)))
        .await
        .unwrap();
    let own = s
        .create_comment(subscriber("/s/", "Ann", Some(ann.id)))
        .await
        .unwrap();
    s.moderate(vec![bo.id, own.id], Action::Approve)
        .await
        .unwrap();
    let mut kinds = Vec::new();
    while let Some(i) = s.outbox_claim().await.unwrap() {
        kinds.push((i.kind, i.comment.id, i.recipient.clone()));
        s.outbox_done(i.id).await.unwrap();
    }
    kinds.sort_by_key(|k| (k.1, k.0.as_str()));
    assert_eq!(
        kinds,
        vec![
            (OutboxKind::Confirm, bo.id, Some("bo@example.org".into())),
            (OutboxKind::Reply, bo.id, Some("ann@example.org".into())),
            (OutboxKind::Confirm, own.id, Some("ann@example.org".into())),
        ]
    );
    // unsubscribing drops every subscription of the address, and unsent mails
    assert_eq!(s.subscriptions_beside(sub).await.unwrap().len(), 2);
    assert_eq!(s.unsubscribe(sub, None).await.unwrap(), LinkOutcome::Done);
    assert_eq!(
        s.unsubscribe(sub, None).await.unwrap(),
        LinkOutcome::Missing
    );
    assert!(s.subscriptions_beside(sub).await.unwrap().is_empty());
    let cy = s
        .create_comment(subscriber("/s/", "Cy", Some(ann.id)))
        .await
        .unwrap();
    s.moderate(vec![cy.id], Action::Approve).await.unwrap();
    let next = s.outbox_claim().await.unwrap().expect("Cy's confirmation");
    assert_eq!(next.kind, OutboxKind::Confirm, "no reply mail to Ann");
    assert!(s.outbox_claim().await.unwrap().is_none());
}

async fn trust_needs_a_verified_address(b: Backend) {
    let s = &b.store;
    let ann = s
        .create_comment(subscriber("/t/", "Ann", None))
        .await
        .unwrap();
    s.moderate(vec![ann.id], Action::Approve).await.unwrap();
    let addr = "ANN@example.org".to_string();
    assert_eq!(
        s.verified_trusted_key(addr.clone()).await.unwrap(),
        None,
        "unconfirmed"
    );
    let sub = s
        .outbox_claim()
        .await
        .unwrap()
        .unwrap()
        .subscription_id
        .unwrap();
    s.confirm_subscription(sub).await.unwrap();
    assert_eq!(
        s.verified_trusted_key(addr).await.unwrap().as_deref(),
        Some("key:Ann")
    );
    assert_eq!(
        s.verified_trusted_key("bo@example.org".into())
            .await
            .unwrap(),
        None
    );
}

async fn admin_rows_filter_and_escape_wildcards(b: Backend) {
    let s = &b.store;
    let root = s
        .create_comment(comment("/a/", "Ann", "a 50% cut", Moderation::None))
        .await
        .unwrap();
    let mut reply = comment("/a/", "Bo", "snake_case rules", Moderation::All);
    reply.parent = Some(root.id);
    s.create_comment(reply).await.unwrap();
    let mut spam = comment("/b/", "Cy", "50 percent", Moderation::None);
    spam.hold = true;
    spam.notices.spam_reason = Some("links");
    s.create_comment(spam).await.unwrap();
    let q = |search: Option<&str>, page: Option<&str>, status: Option<Status>| AdminQuery {
        status,
        page: page.map(str::to_string),
        search: search.map(str::to_string),
        limit: 50,
    };
    let authors = |rows: Vec<causerie_comments::store::admin::AdminRow>| -> Vec<String> {
        rows.into_iter().map(|r| r.item.comment.author).collect()
    };
    assert_eq!(
        authors(s.admin_rows(q(None, None, None)).await.unwrap()),
        ["Cy", "Bo", "Ann"]
    );
    assert_eq!(
        authors(s.admin_rows(q(Some("50%"), None, None)).await.unwrap()),
        ["Ann"]
    );
    assert_eq!(
        authors(s.admin_rows(q(Some("e_c"), None, None)).await.unwrap()),
        ["Bo"]
    );
    assert!(
        s.admin_rows(q(Some("50_"), None, None))
            .await
            .unwrap()
            .is_empty(),
        "_ is no wildcard"
    );
    assert_eq!(
        authors(s.admin_rows(q(Some("SNAKE"), None, None)).await.unwrap()),
        ["Bo"]
    );
    assert_eq!(
        authors(
            s.admin_rows(q(Some("cy@EXAMPLE"), None, None))
                .await
                .unwrap()
        ),
        ["Cy"]
    );
    assert_eq!(
        authors(s.admin_rows(q(None, Some("/a/"), None)).await.unwrap()),
        ["Bo", "Ann"]
    );
    let held = s
        .admin_rows(q(None, None, Some(Status::Pending)))
        .await
        .unwrap();
    let why: HashMap<_, _> = held
        .iter()
        .map(|r| {
            (
                r.item.comment.author.as_str(),
                (r.held_reason.as_deref(), r.parent_author.as_deref()),
            )
        })
        .collect();
    assert_eq!(why["Bo"], (Some("all"), Some("Ann")));
    assert_eq!(why["Cy"], (Some("links"), None));
    assert_eq!(why.len(), 2);
}

/// Two instances on one database drain one outbox: every row is claimed by
/// exactly one of them.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_instances_claim_each_mail_once() {
    let b = Backend::new(Kind::Postgres).await;
    let other = b.open().await;
    for i in 0..40 {
        b.store
            .create_comment(to_owner(comment(
                "/two/",
                "Ann",
                &format!("n{i}"),
                Moderation::None,
            )))
            .await
            .unwrap();
    }
    async fn drain(s: Store) -> Vec<i64> {
        let mut got = Vec::new();
        while let Some(i) = s.outbox_claim().await.unwrap() {
            got.push(i.id);
            tokio::task::yield_now().await;
            s.outbox_done(i.id).await.unwrap();
        }
        got
    }
    let mut tasks = Vec::new();
    for s in [
        b.store.clone(),
        other.clone(),
        b.store.clone(),
        other.clone(),
    ] {
        tasks.push(tokio::spawn(drain(s)));
    }
    let mut all = Vec::new();
    let mut busy = 0;
    for t in tasks {
        let got = t.await.unwrap();
        busy += usize::from(!got.is_empty());
        all.extend(got);
    }
    let claimed = all.len();
    all.sort();
    all.dedup();
    assert_eq!((claimed, all.len()), (40, 40), "each mail claimed once");
    assert!(busy >= 2, "the claims were shared, not serialised away");
}

/// `migrate-db` carries the outbox and subscriptions over: an unsent mail is
/// sent from PostgreSQL under its id (same Message-ID), a sent one is not,
/// a pending confirmation still works, and new rows get new ids.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn migrate_db_carries_the_outbox_and_subscriptions() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("c.db");
    let s = Store::open(&db, 0).unwrap();
    s.create_comment(to_owner(comment("/m/", "Ada", "one", Moderation::None)))
        .await
        .unwrap();
    let sent = s.outbox_claim().await.unwrap().unwrap();
    s.outbox_done(sent.id).await.unwrap();
    let mut ann = subscriber("/m/", "Ann", None);
    ann.notices.owner = Some("owner@example.net".into());
    let ann = s.create_comment(ann).await.unwrap();
    s.moderate(vec![ann.id], Action::Approve).await.unwrap();
    drop(s);
    let url = crate::pg::fresh_database();
    causerie_comments::migrate_db::copy_and_check(&db, &url)
        .await
        .unwrap();
    let pg = Store::connect(&url, 0).await.unwrap();
    let mut left = Vec::new();
    while let Some(i) = pg.outbox_claim().await.unwrap() {
        assert!(i.id > sent.id, "the sent mail is not sent again");
        left.push((i.kind, i.subscription_id));
        pg.outbox_done(i.id).await.unwrap();
    }
    left.sort_by_key(|k| k.0.as_str());
    assert_eq!(left.len(), 2, "{left:?}");
    assert_eq!(left[0].0, OutboxKind::Confirm);
    assert_eq!(left[1].0, OutboxKind::OwnerHeld);
    let sub = left[0].1.unwrap();
    assert_eq!(
        pg.confirm_subscription(sub).await.unwrap(),
        LinkOutcome::Done
    );
    assert_eq!(pg.subscriptions_beside(sub).await.unwrap().len(), 1);
    let next = pg
        .create_comment(to_owner(comment("/m/", "Bo", "new", Moderation::None)))
        .await
        .unwrap();
    let mail = pg.outbox_claim().await.unwrap().expect("the new mail");
    assert_eq!(mail.comment.id, next.id);
    assert!(mail.id > sent.id + 2, "a fresh id: {}", mail.id);
}
