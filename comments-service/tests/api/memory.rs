//! Memory bounded by design (issue 13): the export of a large store streams,
//! heavy answers are limited in number, and the process comes back to rest.
//!
//! The store is filled with rusqlite straight into the file the service
//! migrated (one transaction: a second or two), then the real binary is
//! started on it and its peak RSS (`VmHWM` in `/proc/<pid>/status`) read
//! before and after. Before streaming, the export raised it by about 3 kB
//! per row: some 120 MB for this store.

use std::path::Path;
use std::time::{Duration, Instant};

use crate::helpers::{TestApp, open_config};

/// Approved comments in the store (about 26 MB of export JSON).
const ROWS: i64 = 40_000;
/// The most a full export may raise peak RSS.
pub const MAX_RISE_KB: u64 = 40 * 1024;

/// A `Vm*` line of `/proc/<pid>/status`, in kB.
pub fn vm_kb(pid: u32, key: &str) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    status
        .lines()
        .find_map(|l| l.strip_prefix(key)?.strip_prefix(':'))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or_else(|| panic!("no {key} in /proc/{pid}/status"))
}

/// Writes `rows` approved comments over ten pages in one transaction.
fn fill(db: &Path, rows: i64) {
    let mut c = rusqlite::Connection::open(db).unwrap();
    let tx = c.transaction().unwrap();
    {
        let mut st = tx
            .prepare(
                "INSERT INTO comments (page, kind, status, author, email, website, body_md,
                    body_html, is_owner, commenter_key, created_us, updated_us)
                 VALUES (?1, 'comment', 'approved', ?2, 'r@example.org', 'https://example.org/',
                    ?3, ?4, 0, 'key', ?5, ?5)",
            )
            .unwrap();
        let md = "Thanks for the post. I tried the *second* approach and it worked, but \
                  `cargo build` took **much** longer than I expected. ";
        let html = format!("<p>{}</p>\n", md.repeat(3));
        for i in 0..rows {
            st.execute(rusqlite::params![
                format!("/big/{}/", i % 10),
                format!("Reader {i}"),
                md,
                html,
                1_700_000_000_000_000 + i
            ])
            .unwrap();
        }
    }
    tx.commit().unwrap();
}

/// A service on a store of `ROWS` comments.
async fn big_store() -> TestApp {
    let mut app = TestApp::spawn(&open_config()).await;
    app.stop();
    fill(&app.db, ROWS);
    app.start();
    app
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn exports_of_a_large_store_keep_peak_rss_near_rest() {
    let app = big_store().await;
    let pid = app.pid().unwrap();
    // warm up the small paths so the baseline is the service at work, not at birth
    for _ in 0..3 {
        assert_eq!(app.get("/api/comments?page=/big/1/").await.0, 200);
    }
    let rest_hwm = vm_kb(pid, "VmHWM");
    let rest_rss = vm_kb(pid, "VmRSS");

    let r = app.http.get(app.path("/api/export")).send().await.unwrap();
    assert_eq!(r.status(), 200);
    let body = r.bytes().await.unwrap();
    let v: serde_json::Value = serde_json::from_slice(&body).expect("the export is whole JSON");
    assert_eq!(v["comments"].as_array().unwrap().len(), ROWS as usize);
    assert_eq!(v["removed"], serde_json::json!([]));
    let one = vm_kb(pid, "VmHWM") - rest_hwm;
    assert!(
        one <= MAX_RISE_KB,
        "one export of {} MB raised peak RSS by {} MB (rest {} MB)",
        body.len() >> 20,
        one >> 10,
        rest_hwm >> 10
    );

    // six at once: two stream, the others wait for a place (or get 503)
    let mut all = Vec::new();
    for _ in 0..6 {
        let (http, url) = (app.http.clone(), app.path("/api/export"));
        all.push(tokio::spawn(async move {
            let r = http.get(url).send().await.unwrap();
            let status = r.status().as_u16();
            let retry = r.headers().contains_key("retry-after");
            let len = r.bytes().await.unwrap().len();
            (status, retry, len)
        }));
    }
    let mut ok = 0;
    for t in all {
        let (status, retry, len) = t.await.unwrap();
        match status {
            200 => {
                assert_eq!(len, body.len(), "every export is whole");
                ok += 1;
            }
            503 => assert!(retry, "a 503 says when to come back"),
            other => panic!("unexpected status {other}"),
        }
    }
    assert!(ok >= 2, "at least the two first exports were served");
    let six = vm_kb(pid, "VmHWM") - rest_hwm;
    assert!(
        six <= MAX_RISE_KB,
        "six exports raised peak RSS by {} MB",
        six >> 10
    );
    tokio::time::sleep(Duration::from_millis(300)).await;
    let after = vm_kb(pid, "VmRSS");
    assert!(
        after <= rest_rss + MAX_RISE_KB / 2,
        "RSS went from {} MB at rest to {} MB after the exports",
        rest_rss >> 10,
        after >> 10
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_third_export_waits_then_gets_503_with_retry_after() {
    let app = big_store().await;
    // two exports whose bodies nobody reads hold both places once the
    // socket buffers are full
    let a = app.http.get(app.path("/api/export")).send().await.unwrap();
    let b = app.http.get(app.path("/api/export")).send().await.unwrap();
    assert_eq!((a.status().as_u16(), b.status().as_u16()), (200, 200));
    let asked = Instant::now();
    let (s, h, v) = app.get("/api/export").await;
    assert_eq!(s, 503, "{v}");
    assert!(asked.elapsed() >= Duration::from_secs(4), "it waited first");
    assert_eq!(h["retry-after"], "5");
    assert_eq!(v["error"]["field"], serde_json::Value::Null);
    assert!(v["error"]["message"].as_str().unwrap().contains("busy"));
    // the small paths are not behind the gate
    assert_eq!(app.get("/api/counts?page=/big/1/").await.0, 200);
    drop((a, b));
    // places come back when the clients go away
    let mut served = false;
    for _ in 0..50 {
        let r = app.http.get(app.path("/api/export")).send().await.unwrap();
        if r.status() == 200 {
            served = r.bytes().await.is_ok();
            break;
        }
    }
    assert!(served);
}

/// Nests a flat export list the way the thread answer does (parents first).
fn nest(flat: &[serde_json::Value]) -> Vec<serde_json::Value> {
    use std::collections::HashMap;
    let mut kids: HashMap<i64, Vec<serde_json::Value>> = HashMap::new();
    let mut roots = Vec::new();
    for c in flat.iter().rev() {
        let mut c = c.clone();
        let id = c["id"].as_i64().unwrap();
        c["replies"] = serde_json::Value::Array(kids.remove(&id).unwrap_or_default());
        match c["parent"].as_i64() {
            Some(p) => kids.entry(p).or_default().insert(0, c),
            None => roots.insert(0, c),
        }
    }
    roots
}

#[tokio::test]
async fn a_large_page_streams_the_thread_it_would_build() {
    let mut app = TestApp::spawn(&open_config()).await;
    app.stop();
    let rows = 1500;
    {
        let mut c = rusqlite::Connection::open(&app.db).unwrap();
        let tx = c.transaction().unwrap();
        for i in 1..=rows {
            // chains of four: a root, its reply, a reply to that, another reply to the root
            let parent = match i % 4 {
                1 => None,
                2 | 3 => Some(i - 1),
                _ => Some(i - 3),
            };
            tx.execute(
                "INSERT INTO comments (id, page, parent, kind, status, author, body_html,
                    created_us, updated_us) VALUES (?1, '/big/', ?2, 'comment', 'approved',
                    'R', '<p>x</p>', ?3, ?3)",
                rusqlite::params![i, parent, 1_700_000_000_000_000i64 + i],
            )
            .unwrap();
        }
        tx.commit().unwrap();
    }
    app.start();
    let (s, h, thread) = app.get("/api/comments?page=/big/").await;
    assert_eq!(s, 200, "{thread}");
    assert_eq!(h["content-type"], "application/json");
    let (_, _, export) = app.get("/api/export").await;
    let want = serde_json::json!({
        "page": "/big/",
        "count": rows,
        "comments": nest(export["comments"].as_array().unwrap()),
    });
    assert_eq!(
        thread["comments"].as_array().unwrap().len(),
        (rows / 4) as usize
    );
    assert!(
        thread == want,
        "the streamed thread differs from the nested export"
    );
    // small enough to be kept: the second read is the cached copy, the same
    assert_eq!(app.thread("/big/").await, thread);
}
