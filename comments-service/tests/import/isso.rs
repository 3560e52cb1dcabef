//! An Isso database made by the real Isso (tests/.venv, pinned in
//! tests/requirements.txt): comments and a reply posted through its HTTP API.

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use super::helpers::{TestApp, items, open_config};
use super::{by_author, fixture, import, stderr, stdout};

/// Isso, killed on drop.
struct Isso(Child);

impl Drop for Isso {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

async fn post(http: &reqwest::Client, base: &str, uri: &str, body: Value) -> i64 {
    let r = http
        .post(format!("{base}/new"))
        .query(&[("uri", uri)])
        .header("content-type", "application/json")
        .body(body.to_string())
        .send()
        .await
        .unwrap();
    let status = r.status().as_u16();
    let text = r.text().await.unwrap_or_default();
    let v: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
    assert_eq!(status, 201, "Isso refused the comment: {v}");
    v["id"].as_i64().unwrap()
}

#[tokio::test]
async fn isso_database_made_by_the_real_isso() {
    let bin = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/.venv/bin/isso");
    assert!(
        bin.exists(),
        "Isso is not installed: python3 -m venv tests/.venv && tests/.venv/bin/pip install -r tests/requirements.txt (tests/run does this)"
    );
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let base = format!("http://127.0.0.1:{port}");
    let db = dir.path().join("isso.db");
    let cfg = dir.path().join("isso.cfg");
    std::fs::write(
        &cfg,
        format!(
            "[general]\ndbpath = {}\nhost = {base}/\n\n[server]\nlisten = {base}/\n\n[moderation]\nenabled = false\n\n[guard]\nenabled = false\n",
            db.display()
        ),
    )
    .unwrap();
    let isso = Isso(
        Command::new(&bin)
            .arg("-c")
            .arg(&cfg)
            .arg("run")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start isso"),
    );
    let http = reqwest::Client::builder().no_proxy().build().unwrap();
    let deadline = Instant::now() + Duration::from_secs(30);
    while http.get(format!("{base}/info")).send().await.is_err() {
        assert!(Instant::now() < deadline, "Isso did not start");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let first = post(
        &http,
        &base,
        "/posts/hello-world/",
        json!({"text": "Hello *from* Isso", "author": "Nina", "website": "https://nina.example/",
               "email": "nina@mail.example", "title": "Hello world"}),
    )
    .await;
    post(
        &http,
        &base,
        "/posts/hello-world/",
        json!({"text": "Thanks, Nina.", "author": "Oscar", "parent": first}),
    )
    .await;
    // An old URL, found through the manifest's aliases.
    post(
        &http,
        &base,
        "/2019/05/closed-post/",
        json!({"text": "<script>alert(1)</script> hi", "author": "Pat", "title": "Closed"}),
    )
    .await;
    drop(isso);

    let app = TestApp::spawn(&open_config()).await;
    let pages = fixture("causerie-pages.json");
    let out = import(&[
        "isso",
        db.to_str().unwrap(),
        "--db",
        app.db.to_str().unwrap(),
        "--pages",
        pages.to_str().unwrap(),
        "--owner",
        "Oscar",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(
        stdout(&out).trim(),
        "imported 3 comments (0 held), 0 mentions"
    );
    let thread = app.thread("/posts/hello-world/").await;
    let all = items(&thread);
    let nina = by_author(&all, "Nina");
    assert_eq!(nina["body_html"], "<p>Hello <em>from</em> Isso</p>\n");
    assert_eq!(nina["website"], "https://nina.example/");
    assert!(!thread.to_string().contains("nina@mail.example"));
    let oscar = &nina["replies"][0];
    assert_eq!(oscar["author"], "Oscar");
    assert_eq!(
        oscar["is_owner"], true,
        "--owner marks the owner's comments"
    );
    let closed = app.thread("/posts/closed-post/").await;
    let pat = by_author(&items(&closed), "Pat")["body_html"].to_string();
    assert!(!pat.contains("<script"), "{pat}");
}
