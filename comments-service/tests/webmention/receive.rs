//! Receiving: validation, the manifest, loopback, limits, allow and block lists.

use std::time::{Duration, Instant};

use crate::fixture::*;

#[tokio::test]
async fn each_validation_rule_refuses_with_400_naming_the_field_before_any_fetch() {
    let fx = Fixture::start();
    fx.page("/src", entry(&format!(r#"<a href="{TARGET}">t</a>"#)));
    let svc = Service::start(&config(""));
    let src = fx.url("/src");
    let cases: Vec<(&str, String, &str)> = vec![
        ("", TARGET.to_string(), "source"),
        (src.as_str(), String::new(), "target"),
        ("ftp://127.0.0.1/x", TARGET.to_string(), "source"),
        ("/relative/source", TARGET.to_string(), "source"),
        ("not a url", TARGET.to_string(), "source"),
        (src.as_str(), "mailto:me@example.com".to_string(), "target"),
        (src.as_str(), "posts/hello/".to_string(), "target"),
        (TARGET, TARGET.to_string(), "target"),
        (
            src.as_str(),
            "https://elsewhere.example/posts/hello/".to_string(),
            "target",
        ),
        (
            src.as_str(),
            "http://127.0.0.1:10/posts/hello/".to_string(),
            "target",
        ),
        (
            src.as_str(),
            "https://127.0.0.1:9/posts/hello/".to_string(),
            "target",
        ),
    ];
    for (source, target, field) in &cases {
        let (status, body) = svc.webmention(source, target).await;
        assert_eq!(status, 400, "{source} -> {target}: {body}");
        assert_eq!(
            body["error"]["field"], *field,
            "{source} -> {target}: {body}"
        );
        assert!(
            body["error"]["message"]
                .as_str()
                .is_some_and(|m| !m.is_empty())
        );
    }
    assert!(
        fx.hits().is_empty(),
        "fetched before validating: {:?}",
        fx.hits()
    );
    let (status, body) = svc.webmention(&src, TARGET).await;
    assert_eq!(status, 202, "{body}");
}

#[tokio::test]
async fn targets_must_be_pages_of_the_manifest_when_there_is_one() {
    let fx = Fixture::start();
    fx.set(
        "/causerie-pages.json",
        Answer::Page(
            200,
            "application/json",
            r#"{"version":1,"pages":{"/posts/hello/":{"comments":"open","closes":null}}}"#.into(),
        ),
    );
    let site = fx.url("/");
    let svc = Service::start(&format!(
        "site_url = \"{site}\"\nallow_private_addresses = true\n"
    ));
    let source = "http://127.0.0.1:1/a-source";
    // The manifest loads in the background at start: wait for it.
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let (status, body) = svc.webmention(source, &fx.url("/posts/nope/")).await;
        if status == 400 {
            assert_eq!(body["error"]["field"], "target");
            break;
        }
        assert!(Instant::now() < deadline, "the manifest never applied");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let (status, _) = svc.webmention(source, &fx.url("/posts/hello/")).await;
    assert_eq!(status, 202);
}

#[tokio::test]
async fn every_loopback_spelling_is_refused_without_allow_private_addresses() {
    let fx = Fixture::start();
    fx.page("/src", entry(&format!(r#"<a href="{TARGET}">t</a>"#)));
    let svc = Service::start(&format!("site_url = \"{SITE}\"\nmoderation = \"none\"\n"));
    let port = fx.port;
    let hosts = [
        "127.0.0.1",
        "127.1",
        "127.0.1",
        "0x7f.1",
        "0x7f.0.0.1",
        "0x7f000001",
        "2130706433",
        "017700000001",
        "0177.0.0.1",
        "127.000.000.001",
        "127.255.255.254",
        "[::1]",
        "[0:0:0:0:0:0:0:1]",
        "[::ffff:127.0.0.1]",
        "[::ffff:7f00:1]",
        "[::127.0.0.1]",
        "localhost",
        "LocalHost",
        "localhost.",
        "0.0.0.0",
        "0",
        "[::]",
        "10.0.0.1",
        "169.254.169.254",
        "[fe80::1]",
    ];
    for host in hosts {
        let source = format!("http://{host}:{port}/src");
        let (status, body) = svc.webmention(&source, TARGET).await;
        assert_eq!(status, 400, "{source}: {body}");
        assert_eq!(body["error"]["field"], "source", "{source}: {body}");
    }
    // The same via Pingback.
    let fault = svc
        .xmlrpc(ping(&format!("http://127.1:{port}/src"), TARGET))
        .await;
    assert!(fault.contains("<int>16</int>"), "{fault}");
    svc.drained().await;
    assert!(fx.hits().is_empty(), "the service fetched: {:?}", fx.hits());
    assert!(svc.comments("/posts/hello/").await.is_empty());
}

#[tokio::test]
async fn first_time_moderation_holds_the_first_mention_of_a_domain() {
    let fx = Fixture::start();
    let svc = Service::start(&format!(
        "site_url = \"{SITE}\"\nmoderation = \"first-time\"\nallow_private_addresses = true\n"
    ));
    fx.page(
        "/one",
        entry(&format!(r#"<a class="u-like-of" href="{TARGET}">l</a>"#)),
    );
    svc.webmention(&fx.url("/one"), TARGET).await;
    svc.drained().await;
    assert!(
        svc.comments("/posts/hello/").await.is_empty(),
        "held for moderation"
    );
    let conn =
        rusqlite::Connection::open_with_flags(&svc.db, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
            .unwrap();
    let status: String = conn
        .query_row(
            "SELECT status FROM comments WHERE source = ?1",
            [fx.url("/one")],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(status, "pending");
}

#[tokio::test]
async fn the_source_host_is_rate_limited() {
    // The default budget is 10 per source host per minute.
    let svc = Service::start(&config(""));
    let strict = Service::start(&config("\n[webmention]\nper_source_per_minute = 2\n"));
    let mut s = Vec::new();
    for i in 0..3 {
        s.push(
            strict
                .webmention(&format!("http://127.0.0.1:1/q{i}"), TARGET)
                .await
                .0,
        );
    }
    assert_eq!(s, [202, 202, 429]);
    let mut statuses = Vec::new();
    for i in 0..12 {
        statuses.push(
            svc.webmention(&format!("http://127.0.0.1:1/p{i}"), TARGET)
                .await
                .0,
        );
    }
    assert_eq!(statuses[..10], [202; 10]);
    assert_eq!(statuses[10..], [429, 429]);
    // Another host has its own budget.
    assert_eq!(svc.webmention("http://127.0.0.2:1/p", TARGET).await.0, 202);
}

#[tokio::test]
async fn blocked_domains_get_403_and_allowed_ones_skip_moderation() {
    let svc = Service::start(&format!(
        "site_url = \"{SITE}\"\nmoderation = \"all\"\nallow_private_addresses = true\n\n[webmention]\nblock = [\"spam.test\"]\nallow = [\"127.0.0.1\"]\n"
    ));
    let (status, body) = svc.webmention("http://www.spam.test/x", TARGET).await;
    assert_eq!(status, 403, "{body}");
    assert_eq!(body["error"]["field"], "source");
    let fx = Fixture::start();
    fx.page(
        "/ok",
        entry(&format!(r#"<a class="u-like-of" href="{TARGET}">l</a>"#)),
    );
    svc.webmention(&fx.url("/ok"), TARGET).await;
    svc.drained().await;
    assert_eq!(
        by_source(&svc.comments("/posts/hello/").await, &fx.url("/ok")).len(),
        1
    );
}
