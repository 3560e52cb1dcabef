//! The real `causerie` binary baking a conversation from its cache when the
//! comment service cannot be reached (the fixture's service,
//! `https://comments.example`, never answers), and waiting for a busy one
//! (a scripted server on 127.0.0.1:0 answering 503/429 with `Retry-After`).
//! The loop with a live service is tested end to end in
//! tests/e2e/conversation.test.mjs.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use causerie::conversation::{Item, ItemKind, cache};

const SERVICE: &str = "https://comments.example";

fn copy_dir(src: &Path, dst: &Path) {
    std::fs::create_dir_all(dst).unwrap();
    for e in std::fs::read_dir(src).unwrap() {
        let e = e.unwrap();
        let to = dst.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &to);
        } else {
            std::fs::copy(e.path(), &to).unwrap();
        }
    }
}

fn site() -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let dst = tmp.path().join("good");
    copy_dir(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/good"),
        &dst,
    );
    (tmp, dst)
}

fn build(root: &Path, env: &[(&str, &str)]) -> Output {
    let mut c = Command::new(env!("CARGO_BIN_EXE_causerie"));
    c.arg("build").current_dir(root);
    for (k, v) in env {
        c.env(k, v);
    }
    let o = c.output().unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    o
}

fn read(p: PathBuf) -> String {
    std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

fn item(id: i64, page: &str, parent: Option<i64>, kind: ItemKind, minute: u32) -> Item {
    Item {
        id,
        page: page.into(),
        parent,
        author: format!("Reader {id}"),
        website: Some(format!("https://reader{id}.example/")),
        author_photo: None,
        body_html: format!("<p>Words number {id}.</p>"),
        created: format!("2026-11-20T10:{minute:02}:00Z"),
        updated: None,
        kind,
        source: (kind != ItemKind::Comment).then(|| format!("https://elsewhere.example/{id}")),
        url: None,
        is_owner: id == 2,
        verified: false,
    }
}

fn seed(root: &Path, items: &[Item]) {
    seed_for(root, SERVICE, items);
}

/// Caches `items` as synced from `service` (the cache is per service).
fn seed_for(root: &Path, service: &str, items: &[Item]) {
    let map: BTreeMap<i64, Item> = items.iter().map(|i| (i.id, i.clone())).collect();
    cache::save_items(root, service, &map).unwrap();
}

#[test]
fn with_the_service_down_the_cached_conversation_is_baked_with_a_warning() {
    let (_tmp, root) = site();
    let p1 = "/posts/post-1/";
    seed(
        &root,
        &[
            item(1, p1, None, ItemKind::Comment, 1),
            item(2, p1, Some(1), ItemKind::Comment, 2),
            item(3, p1, None, ItemKind::Like, 3),
            item(4, p1, None, ItemKind::Mention, 4),
        ],
    );
    let o = build(&root, &[]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("warning: comments: the comment service did not answer")
            && err.contains("baked the 4 comments cached"),
        "{err}"
    );
    let out = root.join("public");
    let page = read(out.join("posts/post-1/index.html"));
    assert!(page.contains("<h2 id=\"comments-title\">3 thoughts on “Post number 1”</h2>"));
    let nested = page
        .split("id=\"comment-1\"")
        .nth(1)
        .and_then(|rest| rest.split("</ol></li>").next())
        .unwrap();
    assert!(
        nested.contains("<ol class=\"comment-replies\">") && nested.contains("id=\"comment-2\""),
        "the reply nests under its parent"
    );
    assert!(page.contains("comment p-comment h-entry comment-comment by-owner\" id=\"comment-2\""));
    let (entry, after) = page.rsplit_once("</article>").unwrap();
    assert!(
        entry.contains("<section id=\"comments\"") && !after.contains("id=\"comment-"),
        "the conversation is inside the post's h-entry"
    );
    assert!(page.contains("<h3 id=\"likes-title\">One person likes this</h3>"));
    assert!(page.contains("<h3 id=\"mentions-title\">One mention</h3>"));
    assert!(page.contains("data-causerie-baked=\"2026-11-20T10:04:00Z\""));
    assert!(page.contains("<option value=\"2\">Reply to #2 (Reader 2)</option>"));
    let feed = read(out.join("posts/post-1/comments.xml"));
    assert_eq!(
        feed.matches("<entry>").count(),
        3,
        "likes stay out of feeds"
    );
    assert!(feed.contains("<id>https://blog.example/posts/post-1/#comment-4</id>"));
    let site_feed = read(out.join("comments.xml"));
    assert_eq!(site_feed.matches("<entry>").count(), 3);
    let tag = read(out.join("tags/t1/index.html"));
    assert!(tag.contains("href=\"/posts/post-1/#comments\">3 comments</a>"));
    let other = read(out.join("posts/post-2/index.html"));
    assert!(other.contains("<h2 id=\"comments-title\">No comments yet</h2>"));
    assert!(!other.contains("data-causerie-baked"));
}

#[test]
fn a_new_comment_changes_only_the_pages_that_show_it() {
    let (_tmp, root) = site();
    seed(
        &root,
        &[item(1, "/posts/post-1/", None, ItemKind::Comment, 1)],
    );
    build(&root, &[]);
    let out = root.join("public");
    let before_1 = read(out.join("posts/post-1/index.html"));
    let before_2 = read(out.join("posts/post-2/index.html"));
    seed(
        &root,
        &[
            item(1, "/posts/post-1/", None, ItemKind::Comment, 1),
            item(5, "/posts/post-2/", None, ItemKind::Comment, 5),
        ],
    );
    let o = build(&root, &[("CAUSERIE_OFFLINE", "1")]);
    assert!(String::from_utf8_lossy(&o.stderr).contains("CAUSERIE_OFFLINE is set"));
    assert_eq!(
        read(out.join("posts/post-1/index.html")),
        before_1,
        "a comment elsewhere leaves this page byte-identical"
    );
    let after_2 = read(out.join("posts/post-2/index.html"));
    assert_ne!(after_2, before_2);
    assert!(after_2.contains("id=\"comment-5\""));
}

/// A tiny HTTP server on 127.0.0.1:0 standing in for a busy comment
/// service: it gives the scripted answers in order (the last one forever)
/// and counts the requests.
struct Service {
    url: String,
    requests: std::sync::Arc<std::sync::atomic::AtomicUsize>,
}

fn answer(status: &str, headers: &str, body: &str) -> String {
    format!(
        "HTTP/1.1 {status}\r\nContent-Type: application/json\r\n{headers}Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
}

fn busy(status: &str, retry_after: &str) -> String {
    answer(
        status,
        &format!("Retry-After: {retry_after}\r\n"),
        r#"{"error":{"field":null,"message":"the comment service is busy; try again shortly"}}"#,
    )
}

fn export_with(items: &[Item]) -> String {
    let body = serde_json::json!({
        "cursor": "2026-11-21T00:00:00Z",
        "comments": items,
        "removed": [],
    });
    answer("200 OK", "", &body.to_string())
}

fn service(script: Vec<String>) -> Service {
    use std::io::{BufRead, BufReader, Write};
    use std::sync::atomic::Ordering;
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let requests = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let counted = requests.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut line = String::new();
            // the request head: a GET has no body
            while reader.read_line(&mut line).map(|n| n > 0).unwrap_or(false) {
                if line == "\r\n" {
                    break;
                }
                line.clear();
            }
            let n = counted.fetch_add(1, Ordering::SeqCst);
            let reply = &script[n.min(script.len() - 1)];
            let _ = stream.write_all(reply.as_bytes());
        }
    });
    Service { url, requests }
}

impl Service {
    fn requests(&self) -> usize {
        self.requests.load(std::sync::atomic::Ordering::SeqCst)
    }
}

/// Points the site's `[comments] url` at `url`.
fn use_service(root: &Path, url: &str) {
    let config = root.join("causerie.toml");
    let text = read(config.clone()).replace(SERVICE, url);
    std::fs::write(config, text).unwrap();
}

#[test]
fn a_busy_service_is_waited_for_and_its_second_answer_baked() {
    let (_tmp, root) = site();
    let fresh = item(7, "/posts/post-1/", None, ItemKind::Comment, 7);
    let svc = service(vec![
        busy("503 Service Unavailable", "1"),
        export_with(&[fresh]),
    ]);
    use_service(&root, &svc.url);
    let started = std::time::Instant::now();
    let o = build(&root, &[]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("comment service busy, retrying in 1 s"),
        "{err}"
    );
    assert!(!err.contains("warning: comments"), "{err}");
    assert_eq!(svc.requests(), 2);
    assert!(
        started.elapsed() >= std::time::Duration::from_secs(1),
        "it waited"
    );
    let page = read(root.join("public/posts/post-1/index.html"));
    assert!(
        page.contains("id=\"comment-7\""),
        "the second answer is baked"
    );
}

#[test]
fn a_service_busy_forever_ends_with_the_cache_within_the_bound() {
    let (_tmp, root) = site();
    seed(
        &root,
        &[item(1, "/posts/post-1/", None, ItemKind::Comment, 1)],
    );
    // a proxy's 429 is waited for like the service's own 503
    let svc = service(vec![
        busy("429 Too Many Requests", "1"),
        busy("503 Service Unavailable", "1"),
    ]);
    use_service(&root, &svc.url);
    seed_for(
        &root,
        &svc.url,
        &[item(1, "/posts/post-1/", None, ItemKind::Comment, 1)],
    );
    let started = std::time::Instant::now();
    let o = build(&root, &[]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(svc.requests(), 3, "three tries, then the cache: {err}");
    assert_eq!(
        err.matches("comment service busy, retrying in 1 s").count(),
        2,
        "{err}"
    );
    assert_eq!(
        err.matches("warning: comments").count(),
        1,
        "warned once: {err}"
    );
    assert!(
        err.contains("still busy after 3 tries") && err.contains("baked the 1 comments cached"),
        "{err}"
    );
    assert!(
        started.elapsed() < std::time::Duration::from_secs(20),
        "bounded: {:?}",
        started.elapsed()
    );
    let page = read(root.join("public/posts/post-1/index.html"));
    assert!(
        page.contains("id=\"comment-1\""),
        "the cached comment is baked"
    );
}
