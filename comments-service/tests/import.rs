//! `causerie-comments import`: the real binary over fixture exports written to
//! the formats' published descriptions (tests/fixtures/import/), into a real
//! SQLite file, read back through the running service's HTTP API.

#[allow(dead_code)]
#[path = "api/helpers.rs"]
mod helpers;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use helpers::{TestApp, eventually, items, lines, open_config};
use serde_json::Value;

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/import")
        .join(name)
}

/// Runs `causerie-comments import ARGS…`.
fn import(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_causerie-comments"))
        .arg("import")
        .args(args)
        .output()
        .expect("run causerie-comments import")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Imports `file` into the running `app`'s database with the fixture manifest.
fn import_into(app: &TestApp, format: &str, file: &Path, extra: &[&str]) -> Output {
    let pages = fixture("causerie-pages.json");
    let mut args = vec![
        format,
        file.to_str().unwrap(),
        "--config",
        app.config.to_str().unwrap(),
        "--db",
        app.db.to_str().unwrap(),
        "--pages",
        pages.to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    let out = import(&args);
    assert!(out.status.success(), "import failed: {}", stderr(&out));
    out
}

fn by_author<'a>(all: &[&'a Value], name: &str) -> &'a Value {
    all.iter()
        .find(|c| c["author"] == name)
        .unwrap_or_else(|| panic!("no comment by {name}"))
}

/// Rows in the store, read with SQLite directly (for what the API hides).
fn count(db: &Path, sql: &str) -> i64 {
    let c = rusqlite::Connection::open(db).unwrap();
    c.query_row(sql, [], |r| r.get(0)).unwrap()
}

#[tokio::test]
async fn wordpress_org_conversation_keeps_threads_owner_and_moderation() {
    let app = TestApp::spawn(&open_config()).await;
    let out = import_into(&app, "wordpress", &fixture("wordpress-org.xml"), &[]);
    assert_eq!(
        stdout(&out).trim(),
        "imported 6 comments (1 held), 0 mentions; 2 spam or trash left out; 1 thread (1 items) match no page"
    );
    assert!(
        stderr(&out).contains("https://old.example/2019/06/gone/"),
        "unmatched thread reported: {}",
        stderr(&out)
    );

    let thread = app.thread("/posts/hello-world/").await;
    let text = thread.to_string();
    let all = items(&thread);
    assert_eq!(all.len(), 4, "{thread:#}");
    let bob = by_author(&all, "Bob ‹b›Reader‹/b›");
    assert_eq!(bob["created"], "2019-05-04T10:00:00Z");
    assert_eq!(bob["website"], "https://bob.example/");
    let ada = &bob["replies"][0];
    assert_eq!(ada["author"], "Ada");
    assert_eq!(ada["is_owner"], true, "the author's reply is the owner's");
    assert_eq!(ada["replies"][0]["author"], "Carol");
    assert_eq!(bob["is_owner"], false);
    // Frank answered a trashed comment: he now answers its parent.
    let frank = by_author(&all, "Frank");
    assert_eq!(frank["parent"], bob["id"]);
    // Spam, trash and the held comment are not public.
    for gone in ["Cheap Pills", "Eve", "Dave", "BUY CHEAP"] {
        assert!(!text.contains(gone), "{gone} is public: {text}");
    }
    // Sanitized as a new comment is; paragraphs and breaks kept.
    let body = bob["body_html"].as_str().unwrap();
    for bad in ["<script", "onerror", "javascript:", "<img"] {
        assert!(!body.contains(bad), "{bad} survived: {body}");
    }
    assert!(body.contains(r#"href="https://ok.example/""#), "{body}");
    assert!(
        body.contains("<br>") && body.contains("<p>A new paragraph.</p>"),
        "{body}"
    );
    // E-mail addresses are stored but never shown.
    assert!(
        !text.contains("@mail.example") && !text.contains("@old.example"),
        "{text}"
    );
    let export = app.get("/api/export").await.2.to_string();
    assert!(!export.contains("@mail.example"), "{export}");
    assert_eq!(
        count(
            &app.db,
            "SELECT count(*) FROM comments WHERE email = 'bob@mail.example'"
        ),
        1
    );
    assert_eq!(
        count(
            &app.db,
            "SELECT count(*) FROM comments WHERE status = 'pending' AND author = 'Dave'"
        ),
        1,
        "the pending comment is held for moderation"
    );
    // A closed post keeps the comments it had.
    let closed = app.thread("/posts/closed-post/").await;
    assert_eq!(items(&closed).len(), 1);
}

#[tokio::test]
async fn a_second_run_adds_nothing() {
    let app = TestApp::spawn(&open_config()).await;
    import_into(&app, "wordpress", &fixture("wordpress-org.xml"), &[]);
    let before = count(&app.db, "SELECT count(*) FROM comments");
    let out = import_into(&app, "wordpress", &fixture("wordpress-org.xml"), &[]);
    assert!(
        stdout(&out).starts_with("imported 0 comments (0 held), 0 mentions; 6 already imported"),
        "{}",
        stdout(&out)
    );
    assert_eq!(count(&app.db, "SELECT count(*) FROM comments"), before);
}

#[tokio::test]
async fn wordpress_com_pingbacks_and_trackbacks_are_mentions() {
    let app = TestApp::spawn(&open_config()).await;
    let out = import_into(&app, "wordpress", &fixture("wordpress-com.xml"), &[]);
    assert_eq!(
        stdout(&out).trim(),
        "imported 1 comment (0 held), 2 mentions"
    );
    let thread = app.thread("/posts/moving/").await;
    let all = items(&thread);
    let ping = all
        .iter()
        .find(|c| c["source"] == "https://other.example/2020/01/03/reply/")
        .expect("the pingback");
    assert_eq!(ping["kind"], "mention");
    assert!(
        ping["body_html"]
            .as_str()
            .unwrap()
            .contains("Ada writes about moving house"),
        "{ping}"
    );
    let track = all
        .iter()
        .find(|c| c["source"] == "https://third.example/t/moving-too")
        .expect("the trackback");
    assert_eq!(track["kind"], "mention");
    assert_eq!(by_author(&all, "Ivan")["kind"], "comment");
}

#[tokio::test]
async fn blogger_persian_blog_survives_byte_for_byte() {
    let app = TestApp::spawn(&open_config()).await;
    let out = import_into(&app, "blogger", &fixture("blogger.xml"), &[]);
    assert_eq!(
        stdout(&out).trim(),
        "imported 2 comments (0 held), 0 mentions"
    );
    let thread = app.thread("/posts/salam/").await;
    let all = items(&thread);
    let ali = by_author(&all, "علی\u{200c}رضا");
    assert_eq!(
        ali["body_html"],
        "سلام! این نوشته را خیلی دوست داشتم.<br>می‌خواهم بیشتر بخوانم."
    );
    assert_eq!(ali["created"], "2019-05-05T04:45:00Z");
    let reply = &ali["replies"][0];
    assert_eq!(reply["body_html"], "ممنون علی جان، به‌زودی می‌نویسم.");
    assert_eq!(
        reply["is_owner"], true,
        "the blog author's profile answered"
    );
}

#[tokio::test]
async fn disqus_export_keeps_parents_and_leaves_deleted_and_spam_out() {
    let app = TestApp::spawn(&open_config()).await;
    let out = import_into(&app, "disqus", &fixture("disqus.xml"), &[]);
    assert_eq!(
        stdout(&out).trim(),
        "imported 3 comments (0 held), 0 mentions; 2 spam or trash left out; 1 thread (1 items) match no page"
    );
    assert!(
        stderr(&out).contains("/2018/01/draft-that-vanished/"),
        "{}",
        stderr(&out)
    );
    let thread = app.thread("/posts/hello-world/").await;
    let text = thread.to_string();
    let all = items(&thread);
    let judy = by_author(&all, "Judy");
    assert!(
        !judy["body_html"].as_str().unwrap().contains("onclick"),
        "{judy}"
    );
    assert_eq!(judy["replies"][0]["author"], "Ada");
    assert_eq!(judy["replies"][0]["is_owner"], true);
    assert_eq!(by_author(&all, "Kim")["parent"], Value::Null);
    assert!(
        !text.contains("Mallory") && !text.contains("spam spam"),
        "{text}"
    );
    assert!(!text.contains("judy@mail.example"), "{text}");
}

#[tokio::test]
async fn without_a_manifest_threads_keep_their_old_paths() {
    let app = TestApp::spawn(&open_config()).await;
    let file = fixture("disqus.xml");
    let out = import(&[
        "disqus",
        file.to_str().unwrap(),
        "--db",
        app.db.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stdout(&out).starts_with("imported 4 comments"),
        "{}",
        stdout(&out)
    );
    let old = app.thread("/2018/01/draft-that-vanished/").await;
    assert_eq!(items(&old).len(), 1);
    let owner = import(&[
        "disqus",
        file.to_str().unwrap(),
        "--db",
        app.db.to_str().unwrap(),
        "--owner",
        "Judy",
    ]);
    assert!(
        stdout(&owner).contains("4 already imported"),
        "{}",
        stdout(&owner)
    );
}

#[tokio::test]
async fn site_dir_reads_the_built_manifest() {
    let app = TestApp::spawn(&open_config()).await;
    let site = app.dir.path().join("site");
    std::fs::create_dir_all(site.join("public")).unwrap();
    std::fs::copy(
        fixture("causerie-pages.json"),
        site.join("public/causerie-pages.json"),
    )
    .unwrap();
    let file = fixture("wordpress-com.xml");
    let out = import(&[
        "wordpress",
        file.to_str().unwrap(),
        "--db",
        app.db.to_str().unwrap(),
        "--site",
        site.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(items(&app.thread("/posts/moving/").await).len(), 3);
    // A site that was never built is an error naming the manifest.
    let bare = app.dir.path().join("bare");
    std::fs::create_dir_all(&bare).unwrap();
    let db = bare.join("c.db");
    let out = import(&[
        "wordpress",
        file.to_str().unwrap(),
        "--site",
        bare.to_str().unwrap(),
        "--db",
        db.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("causerie-pages.json"),
        "{}",
        stderr(&out)
    );
}

#[tokio::test]
async fn dry_run_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("fresh.db");
    let file = fixture("wordpress-org.xml");
    let pages = fixture("causerie-pages.json");
    let out = import(&[
        "wordpress",
        file.to_str().unwrap(),
        "--db",
        db.to_str().unwrap(),
        "--pages",
        pages.to_str().unwrap(),
        "--dry-run",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stdout(&out).starts_with("would import 6 comments (1 held)"),
        "{}",
        stdout(&out)
    );
    assert!(!db.exists(), "a dry run created the database");

    let app = TestApp::spawn(&open_config()).await;
    let before = count(&app.db, "SELECT count(*) FROM comments");
    let out = import_into(&app, "wordpress", &file, &["--dry-run"]);
    assert!(
        stdout(&out).starts_with("would import 6"),
        "{}",
        stdout(&out)
    );
    assert_eq!(count(&app.db, "SELECT count(*) FROM comments"), before);
}

#[tokio::test]
async fn a_truncated_file_names_its_position_and_changes_nothing() {
    let app = TestApp::spawn(&open_config()).await;
    import_into(&app, "wordpress", &fixture("wordpress-com.xml"), &[]);
    let before = count(&app.db, "SELECT count(*) FROM comments");
    let full = std::fs::read_to_string(fixture("wordpress-org.xml")).unwrap();
    let cut = &full[..full.find("Agreed with you").unwrap()];
    let bad = app.dir.path().join("cut.xml");
    std::fs::write(&bad, cut).unwrap();
    let pages = fixture("causerie-pages.json");
    let out = import(&[
        "wordpress",
        bad.to_str().unwrap(),
        "--db",
        app.db.to_str().unwrap(),
        "--pages",
        pages.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    let line = cut.lines().count();
    assert!(
        err.starts_with(&format!("{}:{line}:", bad.display())),
        "FILE:line:column first: {err}"
    );
    assert_eq!(stdout(&out), "", "no summary for a failed import");
    assert_eq!(count(&app.db, "SELECT count(*) FROM comments"), before);

    // Not even a fresh database is created.
    let fresh = app.dir.path().join("fresh.db");
    let out = import(&[
        "wordpress",
        bad.to_str().unwrap(),
        "--db",
        fresh.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(!fresh.exists());
}

#[tokio::test]
async fn dtd_entities_are_never_resolved() {
    let dir = tempfile::tempdir().unwrap();
    let secret = dir.path().join("secret.txt");
    std::fs::write(&secret, "TOP-SECRET-VALUE").unwrap();
    let wxr = std::fs::read_to_string(fixture("wordpress-com.xml"))
        .unwrap()
        .replacen(
            "<rss version",
            &format!(
                "<!DOCTYPE rss [<!ENTITY leak SYSTEM \"file://{}\"><!ENTITY lol \"lolololol\">]>\n<rss version",
                secret.display()
            ),
            1,
        )
        .replace("Good luck with the move!", "Good luck &leak; &lol;");
    let file = dir.path().join("dtd.xml");
    std::fs::write(&file, wxr).unwrap();
    let db = dir.path().join("c.db");
    let out = import(&[
        "wordpress",
        file.to_str().unwrap(),
        "--db",
        db.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let c = rusqlite::Connection::open(&db).unwrap();
    let body: String = c
        .query_row(
            "SELECT body_html FROM comments WHERE author = 'Ivan'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert!(
        !body.contains("TOP-SECRET") && !body.contains("lolololol"),
        "{body}"
    );
    assert!(body.contains("&amp;leak;"), "left as text: {body}");
}

#[tokio::test]
async fn an_import_requests_one_rebuild_from_the_running_service() {
    let dir = tempfile::tempdir().unwrap();
    let marker = dir.path().join("rebuilds.txt");
    let config = format!(
        "{}\n[rebuild]\ncommand = \"echo rebuilt >> {}\"\ndebounce_ms = 300\n",
        open_config(),
        marker.display()
    );
    let app = TestApp::spawn(&config).await;
    // Read a page first so the service has a cached answer to forget.
    assert_eq!(items(&app.thread("/posts/hello-world/").await).len(), 0);
    import_into(&app, "wordpress", &fixture("wordpress-org.xml"), &[]);
    assert!(
        eventually(10, || lines(&marker) >= 1).await,
        "no rebuild ran"
    );
    tokio::time::sleep(std::time::Duration::from_millis(1500)).await;
    assert_eq!(lines(&marker), 1, "one rebuild for the whole import");
    assert_eq!(items(&app.thread("/posts/hello-world/").await).len(), 4);
    // Nothing new: no rebuild.
    import_into(&app, "wordpress", &fixture("wordpress-org.xml"), &[]);
    tokio::time::sleep(std::time::Duration::from_millis(1500)).await;
    assert_eq!(lines(&marker), 1);
}

#[path = "import/isso.rs"]
mod isso;

#[path = "import/fuzz.rs"]
mod fuzz;
