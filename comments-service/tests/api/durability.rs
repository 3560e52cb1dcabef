//! `kill -9` in the middle of a write load loses no acknowledged comment and
//! stores none twice.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use crate::helpers::{TestApp, comment, open_config};

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sigkill_mid_load_keeps_every_acknowledged_comment_exactly_once() {
    let mut app = TestApp::spawn(&open_config()).await;
    let acked: Arc<Mutex<Vec<(i64, String)>>> = Arc::default();
    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let mut clients = Vec::new();
    for c in 0..16 {
        let (http, url, acked, stop) = (
            app.http.clone(),
            app.path("/api/comments"),
            acked.clone(),
            stop.clone(),
        );
        clients.push(tokio::spawn(async move {
            for n in 0..400 {
                if stop.load(std::sync::atomic::Ordering::Relaxed) {
                    break;
                }
                let body = format!("client {c} comment {n}");
                let r = http
                    .post(&url)
                    .header("content-type", "application/json")
                    .body(comment(&format!("/load/{}/", n % 7), "Load", &body).to_string())
                    .send()
                    .await;
                let Ok(r) = r else { break };
                if r.status() != 201 {
                    break;
                }
                let Ok(text) = r.text().await else { break };
                let v: serde_json::Value = serde_json::from_str(&text).unwrap();
                acked
                    .lock()
                    .unwrap()
                    .push((v["id"].as_i64().unwrap(), body));
            }
        }));
    }
    // kill once a good number of writes are acknowledged, while clients still write
    for _ in 0..600 {
        if acked.lock().unwrap().len() >= 400 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    app.kill9();
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    for c in clients {
        let _ = c.await;
    }
    let acked = acked.lock().unwrap().clone();
    assert!(acked.len() >= 100, "load too small: {}", acked.len());
    app.start();
    let (s, _, v) = app.get("/api/export").await;
    assert_eq!(s, 200);
    let mut seen: HashMap<String, usize> = HashMap::new();
    let mut by_id: HashMap<i64, String> = HashMap::new();
    for c in v["comments"].as_array().unwrap() {
        let text = c["body_html"]
            .as_str()
            .unwrap()
            .trim()
            .trim_start_matches("<p>")
            .trim_end_matches("</p>")
            .to_string();
        *seen.entry(text.clone()).or_default() += 1;
        by_id.insert(c["id"].as_i64().unwrap(), text);
    }
    assert!(seen.values().all(|n| *n == 1), "a comment was stored twice");
    for (id, body) in &acked {
        assert_eq!(
            by_id.get(id),
            Some(body),
            "acknowledged comment {id} lost or changed"
        );
    }
}
