//! The memory test of `memory.rs` on PostgreSQL: the export walks a
//! server-side cursor, so a full export of a large store keeps peak RSS
//! near rest. The store is filled by the server itself (`generate_series`).

use crate::helpers::{TestApp, open_config};
use crate::memory::{MAX_RISE_KB, vm_kb};
use crate::pg;

const ROWS: i64 = 40_000;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_full_export_from_postgres_keeps_peak_rss_near_rest() {
    let (name, url) = pg::fresh_named();
    let mut app = TestApp::spawn(&format!("database_url = \"{url}\"\n{}", open_config())).await;
    app.stop();
    let md = "Thanks for the post. I tried the *second* approach and it worked, but \
              `cargo build` took **much** longer than I expected. ";
    let html = format!("<p>{}</p>", md.repeat(3));
    pg::cluster().psql(
        &name,
        &format!(
            "INSERT INTO comments (page, kind, status, author, email, website, body_md, body_html,
               is_owner, commenter_key, created_us, updated_us)
             SELECT '/big/' || (i % 10) || '/', 'comment', 'approved', 'Reader ' || i,
               'r@example.org', 'https://example.org/', '{md}', '{html}', false, 'key',
               1700000000000000 + i, 1700000000000000 + i
             FROM generate_series(0, {}) AS i",
            ROWS - 1
        ),
    );
    app.start();
    let pid = app.pid().unwrap();
    for _ in 0..3 {
        assert_eq!(app.get("/api/comments?page=/big/1/").await.0, 200);
    }
    let rest = vm_kb(pid, "VmHWM");
    let r = app.http.get(app.path("/api/export")).send().await.unwrap();
    assert_eq!(r.status(), 200);
    let body = r.bytes().await.unwrap();
    let v: serde_json::Value = serde_json::from_slice(&body).expect("whole JSON");
    assert_eq!(v["comments"].as_array().unwrap().len(), ROWS as usize);
    let rise = vm_kb(pid, "VmHWM") - rest;
    println!(
        "postgres: one export of {} MB raised peak RSS by {} kB (rest {} MB)",
        body.len() >> 20,
        rise,
        rest >> 10
    );
    assert!(
        rise <= MAX_RISE_KB,
        "one export of {} MB raised peak RSS by {} MB",
        body.len() >> 20,
        rise >> 10
    );
}
