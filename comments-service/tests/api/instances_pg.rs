//! Several service instances on one PostgreSQL database: the rebuild runs
//! once per burst across all of them, and still after one is killed.

use std::time::Duration;

use crate::helpers::{TestApp, comment, eventually, lines, open_config};
use crate::pg;

fn config(url: &str, debounce_ms: u64, command: &str) -> String {
    format!(
        "database_url = \"{url}\"\n{}\n[rebuild]\ncommand = \"{command}\"\ndebounce_ms = {debounce_ms}\n",
        open_config()
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_burst_over_three_instances_triggers_one_rebuild() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("rebuilds.txt");
    // a slow command: a second instance has every chance to run it too
    let cmd = format!("echo rebuilt >> {}; sleep 1", out.display());
    let cfg = config(&pg::fresh_database(), 1000, &cmd);
    let apps = [
        TestApp::spawn(&cfg).await,
        TestApp::spawn(&cfg).await,
        TestApp::spawn(&cfg).await,
    ];
    let mut tasks = Vec::new();
    for i in 0..30 {
        let app = &apps[i % 3];
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
    tokio::time::sleep(Duration::from_millis(2500)).await;
    assert_eq!(lines(&out), 1, "one rebuild for the burst, on one instance");
    apps[1].post_json(&comment("/r/", "A", "later")).await;
    assert!(eventually(10, || lines(&out) == 2).await);
    tokio::time::sleep(Duration::from_millis(2000)).await;
    assert_eq!(lines(&out), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_change_on_a_killed_instance_is_rebuilt_by_another() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("rebuilds.txt");
    let cmd = format!("echo rebuilt >> {}", out.display());
    let cfg = config(&pg::fresh_database(), 2000, &cmd);
    let mut a = TestApp::spawn(&cfg).await;
    let b = TestApp::spawn(&cfg).await;
    let (s, _, _) = a.post_json(&comment("/r/", "A", "before the crash")).await;
    assert_eq!(s, 201);
    a.kill9();
    assert_eq!(lines(&out), 0, "killed before the debounce ran out");
    assert!(
        eventually(10, || lines(&out) == 1).await,
        "the surviving instance did not run the stored rebuild"
    );
    drop(b);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_new_comment_rate_limit_holds_across_instances() {
    let cfg = format!(
        "database_url = \"{}\"\nsite_url = \"{}\"\nmoderation = \"none\"\n\n[limits]\ncomments_per_minute = 3\n",
        pg::fresh_database(),
        crate::helpers::SITE
    );
    let apps = [TestApp::spawn(&cfg).await, TestApp::spawn(&cfg).await];
    let mut statuses = Vec::new();
    let mut retry = None;
    for i in 0..6 {
        let (s, h, v) = apps[i % 2]
            .post_json(&comment("/limit/", "A", &format!("n{i}")))
            .await;
        if s == 429 {
            assert_eq!(v["error"]["field"], "page", "{v}");
            retry = h
                .get("retry-after")
                .map(|r| r.to_str().unwrap().parse::<u64>().unwrap());
        }
        statuses.push(s);
    }
    // a window may turn over in the middle: then at most 3 more pass
    let passed = statuses.iter().filter(|s| **s == 201).count();
    assert!((3..=5).contains(&passed), "{statuses:?}");
    assert!(statuses.contains(&429), "{statuses:?}");
    assert!(retry.is_some_and(|r| (1..=61).contains(&r)), "{retry:?}");
    let (_, _, v) = apps[0].get("/api/comments?page=/limit/").await;
    assert_eq!(v["count"].as_u64(), Some(passed as u64));
}
