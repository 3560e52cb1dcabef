//! `migrate-db`: an SQLite store copied into PostgreSQL, whole, once, checked.

use std::path::Path;
use std::process::Command;

use causerie_comments::config::Moderation;
use causerie_comments::migrate_db::copy_and_check;
use causerie_comments::store::{Action, Mention, Store};

use crate::fixture::comment;
use crate::pg;

/// A SQLite store with a bit of everything in it.
async fn filled(db: &Path) -> Vec<i64> {
    let s = Store::open(db, 0).unwrap();
    let a = s
        .create_comment(comment("/m/", "Ann", "one", Moderation::None))
        .await
        .unwrap();
    let mut reply = comment("/m/", "Bob", "two", Moderation::FirstTime);
    reply.parent = Some(a.id);
    let b = s.create_comment(reply).await.unwrap();
    s.moderate(vec![b.id], Action::Approve).await.unwrap();
    let c = s
        .create_comment_once(
            comment("/m/", "Cy", "three", Moderation::None),
            Some("key-c".into()),
        )
        .await
        .unwrap();
    s.moderate(vec![c.id], Action::Reject).await.unwrap();
    s.upsert_mention(Mention {
        source: "https://m.example/x".into(),
        page: "/m/".into(),
        kind: causerie_comments::model::Kind::Like,
        author: "Mo".into(),
        website: None,
        url: None,
        author_photo: None,
        content_html: String::new(),
        published_us: None,
        parent: None,
        moderation: Moderation::None,
        notices: Default::default(),
    })
    .await
    .unwrap();
    s.enqueue_verification(
        "https://q.example/".into(),
        "https://site.example/m/".into(),
    )
    .await
    .unwrap();
    vec![a.id, b.id, c.id]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn an_sqlite_store_is_copied_whole_and_once() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("c.db");
    let ids = filled(&db).await;
    let url = pg::fresh_database();
    let (copied, items) = copy_and_check(&db, &url).await.unwrap();
    assert_eq!((copied.comments, copied.total, items), (4, 4, 3));
    assert!(copied.other_rows >= 5, "{copied:?}");
    let (again, _) = copy_and_check(&db, &url).await.unwrap();
    assert_eq!(
        (again.comments, again.other_rows),
        (0, 0),
        "a second run adds nothing"
    );

    let sqlite = Store::open(&db, 0).unwrap();
    let pg = Store::connect(&url, 0).await.unwrap();
    assert_eq!(
        pg.stored_secret(),
        sqlite.stored_secret(),
        "tokens stay valid"
    );
    let items = pg.page_items("/m/".into()).await.unwrap();
    assert_eq!(
        items.iter().map(|c| c.id).collect::<Vec<_>>(),
        vec![ids[0], ids[1], ids[2] + 1]
    );
    assert_eq!(items[1].parent, Some(ids[0]));
    // the retry of a post made before the move is still answered
    let retry = pg
        .create_comment_once(
            comment("/m/", "Cy", "three", Moderation::None),
            Some("key-c".into()),
        )
        .await
        .unwrap();
    assert!(retry.replayed);
    assert_eq!(retry.id, ids[2]);
    let job = pg
        .take_verification()
        .await
        .unwrap()
        .expect("the queue came along");
    assert_eq!(job.source, "https://q.example/");
    // new ids continue after the copied ones
    let next = pg
        .create_comment(comment("/m/", "Di", "four", Moderation::None))
        .await
        .unwrap();
    assert!(next.id > ids[2] + 1);
    // the copy has moved on: the check says so, and nothing else changes
    let e = copy_and_check(&db, &url).await.unwrap_err().to_string();
    assert!(e.contains("differs"), "{e}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_target_holding_another_conversation_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("c.db");
    filled(&db).await;
    let url = pg::fresh_database();
    let other = Store::connect(&url, 0).await.unwrap();
    other
        .create_comment(comment("/else/", "Zed", "mine", Moderation::None))
        .await
        .unwrap();
    let e = copy_and_check(&db, &url).await.unwrap_err().to_string();
    assert!(e.contains("another conversation"), "{e}");
    assert_eq!(
        other.page_items("/m/".into()).await.unwrap().len(),
        0,
        "nothing copied"
    );
}

#[test]
fn the_command_copies_and_says_it_checked() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("c.db");
    tokio::runtime::Runtime::new()
        .unwrap()
        .block_on(filled(&db));
    let url = pg::fresh_database();
    let run = || {
        Command::new(env!("CARGO_BIN_EXE_causerie-comments"))
            .args(["migrate-db", "--to", &url, "--db"])
            .arg(&db)
            .output()
            .unwrap()
    };
    let out = run();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(stdout.contains("4 new comments"), "{stdout}");
    assert!(
        stdout.contains("checked: the export of both is the same"),
        "{stdout}"
    );
    let again = run();
    assert!(String::from_utf8_lossy(&again.stdout).contains("0 new comments"));
    let all = format!("{stdout}{stderr}{}", String::from_utf8_lossy(&again.stdout));
    assert!(
        !all.contains(&pg::cluster().password),
        "the password shows: {all}"
    );
}
