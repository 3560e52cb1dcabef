//! The `[notify] webhook`: a JSON post per new or held comment through the
//! guarded client, retried from the outbox, with no e-mail address in it.

use std::sync::{Arc, Mutex};

use axum::http::StatusCode;
use axum::routing::post;
use serde_json::{Value, json};

use crate::helpers::{SITE, TestApp, eventually};

/// A real HTTP listener on 127.0.0.1:0 that records JSON bodies and answers
/// 500 to the first `fail_first` of them.
async fn listener(fail_first: usize) -> (String, Arc<Mutex<Vec<Value>>>) {
    let got: Arc<Mutex<Vec<Value>>> = Arc::default();
    let seen = Arc::new(Mutex::new(0usize));
    let g = got.clone();
    let app = axum::Router::new().route(
        "/hook",
        post(move |body: axum::body::Bytes| {
            let (g, seen) = (g.clone(), seen.clone());
            async move {
                let mut n = seen.lock().unwrap();
                *n += 1;
                if *n <= fail_first {
                    return StatusCode::INTERNAL_SERVER_ERROR;
                }
                g.lock()
                    .unwrap()
                    .push(serde_json::from_slice(&body).unwrap());
                StatusCode::NO_CONTENT
            }
        }),
    );
    let l = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hook", l.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(l, app).await.unwrap() });
    (url, got)
}

fn config(hook: &str, private: bool) -> String {
    format!(
        "site_url = \"{SITE}\"\nmoderation = \"all\"\nallow_private_addresses = {private}\n\n[limits]\ncomments_per_minute = 0\n\n[notify]\nwebhook = \"{hook}\"\n"
    )
}

fn held_comment() -> Value {
    json!({"page": "/posts/w/", "author": "Ada", "email": "ada@readers.example",
        "body": "a comment for the chat"})
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_held_comment_is_posted_to_the_webhook_after_a_failure_once() {
    let (hook, got) = listener(1).await;
    let app = TestApp::spawn(&config(&hook, true)).await;
    let (s, _, _) = app.post_json(&held_comment()).await;
    assert_eq!(s, 202);
    assert!(
        eventually(20, || !got.lock().unwrap().is_empty()).await,
        "delivered after a 500"
    );
    tokio::time::sleep(std::time::Duration::from_secs(2)).await;
    let got = got.lock().unwrap().clone();
    assert_eq!(got.len(), 1, "once: {got:?}");
    let b = &got[0];
    assert_eq!(b["event"], "comment.held");
    assert_eq!(b["page"], "/posts/w/");
    assert_eq!(b["author"], "Ada");
    assert_eq!(b["excerpt"], "a comment for the chat");
    assert_eq!(b["held_reason"], "all");
    assert!(
        b["links"]["approve"]
            .as_str()
            .unwrap()
            .contains("/mail/moderate?t=")
    );
    assert!(
        !b.to_string().contains("ada@readers.example"),
        "no address: {b}"
    );
}

#[tokio::test]
async fn the_guarded_client_refuses_a_loopback_webhook_by_default() {
    let (hook, got) = listener(0).await;
    let mut app = TestApp::spawn(&config(&hook, false)).await;
    let (s, _, _) = app.post_json(&held_comment()).await;
    assert_eq!(s, 202, "the comment is accepted");
    tokio::time::sleep(std::time::Duration::from_secs(3)).await;
    assert!(got.lock().unwrap().is_empty(), "never reached 127.0.0.1");
    let log = app.stop();
    assert!(log.contains("private address"), "{log}");
    assert!(!log.contains(&hook), "the webhook URL stays out of the log");
}
