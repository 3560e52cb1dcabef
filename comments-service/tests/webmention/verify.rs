//! Verifying sources: kinds, authors, hostile markup, updates, removals, crashes.

use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::fixture::*;

#[tokio::test]
async fn verified_mentions_get_their_kind_author_and_clean_content() {
    let fx = Fixture::start();
    let svc = Service::start(&config(""));
    let t = TARGET;
    let pages = [
        (
            "/reply",
            format!(
                r#"<a class="u-in-reply-to" href="{t}">re</a><div class="e-content"><p>Nice <em>post</em>!</p></div><time class="dt-published" datetime="2026-11-20T10:00:00Z">x</time>"#
            ),
            "reply",
        ),
        (
            "/like",
            format!(r#"<a class="u-like-of" href="{t}">liked</a>"#),
            "like",
        ),
        (
            "/repost",
            format!(
                r#"<div class="u-repost-of h-cite"><a class="u-url" href="{t}">shared</a></div>"#
            ),
            "repost",
        ),
        (
            "/bookmark",
            format!(r#"<a class="u-bookmark-of" href="{t}">saved</a>"#),
            "bookmark",
        ),
        (
            "/mention",
            format!(r#"<div class="e-content"><p>As <a href="{t}">Bob</a> wrote.</p></div>"#),
            "mention",
        ),
    ];
    for (path, props, _) in &pages {
        fx.page(path, entry(props));
    }
    fx.page(
        "/nolink",
        entry(r#"<div class="e-content"><p>no link here</p></div>"#),
    );
    fx.set(
        "/json",
        Answer::Page(200, "application/json", format!(r#"{{"url": "{t}"}}"#)),
    );
    for (path, _, _) in &pages {
        assert_eq!(svc.webmention(&fx.url(path), t).await.0, 202);
    }
    assert_eq!(svc.webmention(&fx.url("/nolink"), t).await.0, 202);
    assert_eq!(svc.webmention(&fx.url("/json"), t).await.0, 202);
    svc.drained().await;
    let items = svc.comments("/posts/hello/").await;
    for (path, _, kind) in &pages {
        let found = by_source(&items, &fx.url(path));
        assert_eq!(found.len(), 1, "{path}: {items:?}");
        assert_eq!(found[0]["kind"], *kind, "{path}");
        assert_eq!(found[0]["author"], "Alice", "{path}");
        assert_eq!(found[0]["website"], "https://alice.example/", "{path}");
        assert!(
            found[0]["author_photo"].is_null(),
            "photos are private by default"
        );
    }
    let reply = by_source(&items, &fx.url("/reply"))[0];
    assert_eq!(reply["body_html"], "<p>Nice <em>post</em>!</p>");
    assert_eq!(reply["created"], "2026-11-20T10:00:00Z");
    assert!(
        by_source(&items, &fx.url("/nolink")).is_empty(),
        "no link, nothing stored"
    );
    let json = by_source(&items, &fx.url("/json"));
    assert_eq!(json.len(), 1, "a JSON source that names the target counts");
    assert_eq!(json[0]["kind"], "mention");
}

#[tokio::test]
async fn resending_updates_and_410_404_or_a_dropped_link_remove() {
    let fx = Fixture::start();
    let svc = Service::start(&config(""));
    let src = fx.url("/post");
    let with = |text: &str| {
        entry(&format!(
            r#"<a class="u-in-reply-to" href="{TARGET}">re</a><div class="e-content"><p>{text}</p></div>"#
        ))
    };
    let stored = |items: Vec<Value>| -> Vec<String> {
        by_source(&items, &src)
            .iter()
            .map(|c| c["body_html"].as_str().unwrap_or("").to_string())
            .collect()
    };

    fx.page("/post", with("first version"));
    svc.webmention(&src, TARGET).await;
    svc.drained().await;
    assert_eq!(
        stored(svc.comments("/posts/hello/").await),
        ["<p>first version</p>"]
    );

    fx.page("/post", with("second version"));
    svc.webmention(&src, TARGET).await;
    svc.drained().await;
    assert_eq!(
        stored(svc.comments("/posts/hello/").await),
        ["<p>second version</p>"],
        "updated in place"
    );

    fx.set("/post", Answer::Page(410, "text/html", "gone".into()));
    svc.webmention(&src, TARGET).await;
    svc.drained().await;
    assert!(
        stored(svc.comments("/posts/hello/").await).is_empty(),
        "410 removes"
    );

    fx.page("/post", with("back again"));
    svc.webmention(&src, TARGET).await;
    svc.drained().await;
    assert_eq!(
        stored(svc.comments("/posts/hello/").await),
        ["<p>back again</p>"]
    );

    fx.page(
        "/post",
        entry(r#"<div class="e-content"><p>link removed</p></div>"#),
    );
    svc.webmention(&src, TARGET).await;
    svc.drained().await;
    assert!(
        stored(svc.comments("/posts/hello/").await).is_empty(),
        "no longer linking removes"
    );

    fx.page("/post", with("and back"));
    svc.webmention(&src, TARGET).await;
    svc.drained().await;
    fx.set("/post", Answer::Page(404, "text/html", "not found".into()));
    svc.webmention(&src, TARGET).await;
    svc.drained().await;
    assert!(
        stored(svc.comments("/posts/hello/").await).is_empty(),
        "404 removes"
    );
}

#[tokio::test]
async fn hostile_source_markup_is_stored_harmless() {
    let fx = Fixture::start();
    let svc = Service::start(&config(""));
    let deep = "<div>".repeat(5000);
    let html = format!(
        r#"<!doctype html><html><body><article class="h-entry" onload="x()">
        <span class="p-author h-card"><span class="p-name">&lt;script&gt;alert(1)&lt;/script&gt;"Mallory'</span>
          <a class="u-url" href="javascript:alert(1)">me</a><img class="u-photo" src="javascript:alert(2)"></span>
        <a class="u-in-reply-to" href="{TARGET}">re</a>
        <div class="e-content"><p onclick="steal()">Hi<script>alert(3)</script><style>body{{}}</style>
          <a href="javascript:alert(4)">click</a><img src=x onerror=alert(5)><iframe src="https://evil.example/"></iframe>
          <a href="/relative">rel</a><svg><script>alert(6)</script></svg><form action="https://evil.example/"><input name=a></form>
          <unclosed {deep}</p></div>
        <a class="u-url" href="data:text/html,boo">u</a>"#
    );
    fx.page("/evil", html);
    svc.webmention(&fx.url("/evil"), TARGET).await;
    svc.drained().await;
    let items = svc.comments("/posts/hello/").await;
    let item = by_source(&items, &fx.url("/evil"));
    assert_eq!(item.len(), 1, "{items:?}");
    let item = item[0];
    let body = item["body_html"].as_str().unwrap();
    for bad in [
        "<script",
        "onclick",
        "onerror",
        "javascript:",
        "<iframe",
        "<style",
        "<img",
        "<svg",
        "<form",
        "<input",
        "data:",
    ] {
        assert!(!body.contains(bad), "{bad} survived: {body}");
    }
    assert!(
        body.contains(&format!(r#"href="{}""#, fx.url("/relative"))),
        "relative links made absolute: {body}"
    );
    let author = item["author"].as_str().unwrap();
    assert!(!author.contains('<') && !author.contains('"'), "{author}");
    assert!(item["website"].is_null() || item["website"].as_str().unwrap().starts_with("http"));
    assert!(item["url"].is_null() || item["url"].as_str().unwrap().starts_with("http"));
    assert!(item["author_photo"].is_null());
}

#[tokio::test]
async fn huge_endless_and_slow_sources_are_cut_while_memory_and_health_hold() {
    let fx = Fixture::start();
    let svc = Service::start(&config("\n[webmention]\nfetch_timeout_secs = 3\n"));
    let link = format!(r#"<a href="{TARGET}">t</a>"#);
    fx.set("/huge", Answer::Huge(50 * 1024 * 1024, link.clone()));
    fx.set("/endless", Answer::Endless(link.clone()));
    fx.set("/drip", Answer::Drip);
    // Warm up (allocator, connection pools) before measuring.
    fx.page("/small", entry(&link));
    svc.webmention(&fx.url("/small"), TARGET).await;
    svc.drained().await;
    let before = svc.rss_kb();

    for path in ["/huge", "/endless", "/drip"] {
        assert_eq!(svc.webmention(&fx.url(path), TARGET).await.0, 202);
    }
    // While they stream, the service answers.
    let deadline = Instant::now() + Duration::from_secs(60);
    while fx.hung_up.lock().unwrap().len() < 3 {
        let health = svc
            .http
            .get(format!("{}/healthz", svc.url))
            .send()
            .await
            .unwrap();
        assert_eq!(health.status().as_u16(), 200);
        assert!(
            Instant::now() < deadline,
            "a source was never cut: {:?}",
            fx.hung_up.lock().unwrap()
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let after = svc.rss_kb();
    println!("service RSS: {before} kB before, {after} kB after 50 MB + endless + slow sources");
    assert!(
        after < before + 16 * 1024,
        "memory grew from {before} kB to {after} kB"
    );
    let items = svc.comments("/posts/hello/").await;
    for path in ["/huge", "/endless", "/drip"] {
        assert!(
            by_source(&items, &fx.url(path)).is_empty(),
            "{path} was stored"
        );
    }
}

#[tokio::test]
async fn a_queued_mention_survives_kill_9() {
    let fx = Fixture::start();
    let gate = Arc::new((Mutex::new(false), Condvar::new()));
    fx.set(
        "/slow",
        Answer::Gated(
            gate.clone(),
            entry(&format!(r#"<a class="u-like-of" href="{TARGET}">l</a>"#)),
        ),
    );
    let mut svc = Service::start(&config(""));
    assert_eq!(svc.webmention(&fx.url("/slow"), TARGET).await.0, 202);
    // The worker has taken it and waits on the source: crash now.
    let deadline = Instant::now() + Duration::from_secs(30);
    while !fx.hits().contains(&"/slow".to_string()) {
        assert!(Instant::now() < deadline);
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    svc.kill9();
    assert_eq!(svc.queue_len(), 1, "the 202 was on disk");
    // The dead worker's lease would expire in time; expire it now.
    rusqlite::Connection::open(&svc.db)
        .unwrap()
        .execute("UPDATE mention_queue SET taken_us = NULL", [])
        .unwrap();
    *gate.0.lock().unwrap() = true;
    gate.1.notify_all();
    svc.spawn();
    svc.drained().await;
    let items = svc.comments("/posts/hello/").await;
    assert_eq!(by_source(&items, &fx.url("/slow")).len(), 1, "{items:?}");
}
