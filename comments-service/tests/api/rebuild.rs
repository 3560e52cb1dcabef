//! The rebuild trigger: once per burst, durable across a crash, retried.

use crate::helpers::{TestApp, comment, eventually, lines, open_config};

fn config(dir: &std::path::Path, debounce_ms: u64, command: &str) -> String {
    let _ = dir;
    format!(
        "{}\n[rebuild]\ncommand = \"{command}\"\ndebounce_ms = {debounce_ms}\n",
        open_config()
    )
}

#[tokio::test]
async fn a_burst_of_comments_triggers_one_rebuild() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("rebuilds.txt");
    let cmd = format!("echo rebuilt >> {}", out.display());
    let app = TestApp::spawn(&config(dir.path(), 400, &cmd)).await;
    let mut tasks = Vec::new();
    for i in 0..10 {
        let (http, url) = (app.http.clone(), app.path("/api/comments"));
        tasks.push(tokio::spawn(async move {
            http.post(url)
                .header("content-type", "application/json")
                .body(comment("/r/", "A", &format!("burst {i}")).to_string())
                .send()
                .await
                .unwrap()
                .status()
                .as_u16()
        }));
    }
    for t in tasks {
        assert_eq!(t.await.unwrap(), 201);
    }
    assert!(eventually(10, || lines(&out) >= 1).await, "no rebuild ran");
    // give a second run every chance to (wrongly) happen
    tokio::time::sleep(std::time::Duration::from_millis(1500)).await;
    assert_eq!(lines(&out), 1);
    // a later change triggers again
    app.post_json(&comment("/r/", "A", "later")).await;
    assert!(eventually(10, || lines(&out) == 2).await);
    // a held comment is not an approved change: no rebuild
    drop(app);
}

#[tokio::test]
async fn a_change_before_a_crash_still_triggers_after_restart() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("rebuilds.txt");
    let cmd = format!("echo rebuilt >> {}", out.display());
    let mut app = TestApp::spawn(&config(dir.path(), 3000, &cmd)).await;
    let (s, _, _) = app
        .post_json(&comment("/r/", "A", "before the crash"))
        .await;
    assert_eq!(s, 201);
    app.kill9();
    assert_eq!(lines(&out), 0, "killed before the debounce ran out");
    app.start();
    assert!(
        eventually(15, || lines(&out) == 1).await,
        "the stored trigger did not fire after restart"
    );
}

#[tokio::test]
async fn a_failing_rebuild_is_retried() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("rebuilds.txt");
    let flag = dir.path().join("ready");
    let cmd = format!(
        "test -f {} || {{ echo not-ready-yet >&2; exit 3; }}; echo rebuilt >> {}; echo built-output-line",
        flag.display(),
        out.display()
    );
    let mut app = TestApp::spawn(&config(dir.path(), 100, &cmd)).await;
    app.post_json(&comment("/r/", "A", "x")).await;
    tokio::time::sleep(std::time::Duration::from_millis(800)).await;
    assert_eq!(lines(&out), 0);
    std::fs::write(&flag, "").unwrap();
    assert!(
        eventually(15, || lines(&out) == 1).await,
        "the failed rebuild was not retried"
    );
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    let log = app.stop();
    // the command's output goes to the log, and so does the failure
    assert!(
        log.contains("not-ready-yet") && log.contains("built-output-line"),
        "{log}"
    );
    assert!(log.contains("rebuild failed"), "{log}");
}

#[tokio::test]
async fn the_webhook_gets_one_post_per_burst() {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};
    let hits = Arc::new(AtomicUsize::new(0));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let hook = format!("http://{}/hook", listener.local_addr().unwrap());
    let h = hits.clone();
    let server = axum::Router::new().route(
        "/hook",
        axum::routing::post(move || {
            let h = h.clone();
            async move {
                h.fetch_add(1, Ordering::SeqCst);
                "ok"
            }
        }),
    );
    tokio::spawn(async move { axum::serve(listener, server).await.unwrap() });
    let cfg = format!(
        "{}\n[rebuild]\nwebhook = \"{hook}\"\ndebounce_ms = 300\n",
        open_config()
    );
    let app = TestApp::spawn(&cfg).await;
    for i in 0..5 {
        app.post_json(&comment("/w/", "A", &format!("c{i}"))).await;
    }
    assert!(
        eventually(10, || hits.load(Ordering::SeqCst) >= 1).await,
        "the webhook was not called"
    );
    tokio::time::sleep(std::time::Duration::from_millis(1000)).await;
    assert_eq!(hits.load(Ordering::SeqCst), 1);
}
