//! Spam defences: honeypot, minimum time, links, blocklist, rate limit,
//! trusted proxies, closed pages from the manifest.

use serde_json::json;

use crate::helpers::{SITE, TestApp, comment, open_config};

fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64
}

#[tokio::test]
async fn a_filled_honeypot_is_answered_like_success_and_dropped() {
    let app = TestApp::spawn(&open_config()).await;
    let (s, h, _) = app
        .post_form(
            &[
                ("page", "/s/"),
                ("author", "Bot"),
                ("body", "buy"),
                ("homepage", "http://spam.example"),
            ],
            &[],
        )
        .await;
    assert_eq!(s, 303);
    assert!(h["location"].to_str().unwrap().contains("#comment-"));
    let (s, _, v) = app
        .post_json(&json!({"page": "/s/", "author": "Bot", "body": "buy", "homepage": "x"}))
        .await;
    assert_eq!(s, 202, "{v}");
    assert_eq!(app.thread("/s/").await["count"], 0);
    let (_, _, e) = app.get("/api/export").await;
    assert!(!e.to_string().contains("buy"));
}

#[tokio::test]
async fn a_post_sent_too_soon_after_page_load_is_refused() {
    let app = TestApp::spawn(&open_config()).await;
    let (s, _, v) = app
        .post_json(&json!({"page": "/s/", "author": "A", "body": "quick", "started": now_ms()}))
        .await;
    assert_eq!(
        (s, v["error"]["field"].as_str()),
        (422, Some("started")),
        "{v}"
    );
    let (s, _, _) = app
        .post_json(
            &json!({"page": "/s/", "author": "A", "body": "slow", "started": now_ms() - 60_000}),
        )
        .await;
    assert_eq!(s, 201);
}

#[tokio::test]
async fn many_links_or_a_blocked_word_hold_the_comment() {
    let cfg = format!("{}blocklist = [\"Casino\"]\n", open_config());
    let app = TestApp::spawn(&cfg).await;
    let links = "[a](https://a.example) [b](https://b.example) https://c.example https://d.example";
    let (s, _, v) = app.post_json(&comment("/s/", "A", links)).await;
    assert_eq!(s, 202, "{v}");
    assert_eq!(v["status"], "held");
    let (s, _, _) = app
        .post_json(&comment("/s/", "A", "best CASINO in town"))
        .await;
    assert_eq!(s, 202);
    let (s, _, _) = app.post_json(&comment("/s/", "A", "a fine comment")).await;
    assert_eq!(s, 201);
    assert_eq!(app.thread("/s/").await["count"], 1);
}

#[tokio::test]
async fn the_rate_limit_answers_429_with_retry_after() {
    let cfg = open_config().replace("comments_per_minute = 0", "comments_per_minute = 2");
    let app = TestApp::spawn(&cfg).await;
    for _ in 0..2 {
        let (s, _, _) = app.post_json(&comment("/r/", "A", "x")).await;
        assert_eq!(s, 201);
    }
    let (s, h, v) = app.post_json(&comment("/r/", "A", "x")).await;
    assert_eq!(s, 429, "{v}");
    let wait: u64 = h["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((1..=60).contains(&wait), "{wait}");
    assert!(v["error"]["message"].is_string());
    // a forged X-Forwarded-For does not get a fresh bucket: no proxy is trusted
    let r = app
        .http
        .post(app.path("/api/comments"))
        .header("content-type", "application/json")
        .header("x-forwarded-for", "198.51.100.1")
        .body(comment("/r/", "A", "x").to_string());
    assert_eq!(app.send(r).await.0, 429);
    assert_eq!(app.thread("/r/").await["count"], 2);
}

#[tokio::test]
async fn behind_a_trusted_proxy_each_forwarded_client_has_its_own_bucket() {
    let cfg = open_config()
        .replace("comments_per_minute = 0", "comments_per_minute = 1")
        .replacen(
            "moderation",
            "trusted_proxies = [\"127.0.0.1\"]\nmoderation",
            1,
        );
    let app = TestApp::spawn(&cfg).await;
    let post = |xff: &'static str| {
        app.http
            .post(app.path("/api/comments"))
            .header("content-type", "application/json")
            .header("x-forwarded-for", xff)
            .body(comment("/r/", "A", "x").to_string())
    };
    assert_eq!(app.send(post("198.51.100.1")).await.0, 201);
    assert_eq!(app.send(post("198.51.100.1")).await.0, 429);
    assert_eq!(app.send(post("198.51.100.2")).await.0, 201);
    // the rightmost untrusted hop counts, not what the client put first
    assert_eq!(app.send(post("203.0.113.5, 198.51.100.1")).await.0, 429);
}

/// Serves `/causerie-pages.json` on 127.0.0.1:0 like a built site would.
async fn site_with_manifest(json: &'static str) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let app = axum::Router::new().route(
        "/causerie-pages.json",
        axum::routing::get(move || async move { ([("content-type", "application/json")], json) }),
    );
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    format!("http://{addr}")
}

#[tokio::test]
async fn the_manifest_closes_pages_and_refuses_unknown_ones() {
    let site = site_with_manifest(
        r#"{"version": 1, "pages": {
            "/posts/open/": {"comments": "open", "closes": null},
            "/posts/shut/": {"comments": "closed", "closes": null},
            "/posts/old/": {"comments": "open", "closes": "2020-01-01T00:00:00Z"}}}"#,
    )
    .await;
    let app = TestApp::spawn(&open_config().replace(SITE, &site)).await;
    // the manifest is fetched in the background at start
    let mut ok = false;
    for _ in 0..100 {
        let (s, _, _) = app.post_json(&comment("/posts/nope/", "A", "x")).await;
        if s == 404 {
            ok = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert!(ok, "an unknown page is refused once the manifest is loaded");
    let (s, _, v) = app.post_json(&comment("/posts/shut/", "A", "x")).await;
    assert_eq!((s, v["error"]["field"].as_str()), (403, Some("page")));
    let (s, _, _) = app.post_json(&comment("/posts/old/", "A", "x")).await;
    assert_eq!(s, 403);
    let (s, _, _) = app.post_json(&comment("/posts/open/", "A", "x")).await;
    assert_eq!(s, 201);
}
