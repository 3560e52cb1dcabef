//! Every webmention.rocks discovery case, then its update and delete tests.

use super::*;

#[test]
fn discovers_every_webmention_rocks_endpoint_and_sends_once() {
    let server = Fixture::start(rocks);
    let root = tempfile::tempdir().unwrap();
    let mut links: Vec<String> = expected_endpoints()
        .iter()
        .map(|(p, _)| server.url(p))
        .collect();
    links.push(server.url("/pingback/1"));
    links.push(server.url("/none/1"));
    write_post(root.path(), "hello", "Hello", &links);

    let out = run(root.path(), &["--allow-private-addresses"]);
    assert!(
        out.status.success(),
        "{}\n{}",
        stdout(&out),
        String::from_utf8_lossy(&out.stderr)
    );
    let source = format!("{SOURCE_BASE}posts/hello/");
    for (page, endpoint) in expected_endpoints() {
        let posts = server.posts_to(&endpoint);
        assert_eq!(
            posts.len(),
            1,
            "{page}: expected one Webmention at {endpoint}; hits: {:?}",
            server.hits()
        );
        assert_eq!(posts[0]["source"], source, "{page}");
        assert_eq!(
            posts[0]["target"],
            server.url(&page),
            "{page}: target is the URL as linked"
        );
    }
    assert!(
        server.hits().iter().all(|h| !h.path.starts_with("/wrong/")),
        "a decoy endpoint was used: {:?}",
        server.hits()
    );
    let pingbacks = server
        .hits()
        .into_iter()
        .filter(|h| h.path == "/xmlrpc")
        .collect::<Vec<_>>();
    assert_eq!(pingbacks.len(), 1);
    assert!(
        pingbacks[0]
            .body
            .contains("<methodName>pingback.ping</methodName>")
    );
    assert!(pingbacks[0].body.contains(&source));
    let text = stdout(&out);
    assert!(
        text.contains(
            "webmentions: 23 sent, 1 pingbacks, 1 without endpoint, 0 failed, 0 unchanged"
        ),
        "{text}"
    );

    // The state is committed beside the site and a second run sends nothing.
    let state = std::fs::read_to_string(root.path().join("webmentions.json")).unwrap();
    assert!(state.contains(&source));
    server.clear();
    let out = run(root.path(), &["--allow-private-addresses"]);
    assert!(out.status.success());
    assert!(server.hits().is_empty(), "{:?}", server.hits());
    assert!(
        stdout(&out).contains("0 failed, 25 unchanged"),
        "{}",
        stdout(&out)
    );
}

#[test]
fn update_and_delete_resend_as_webmention_rocks_expects() {
    let server = Fixture::start(rocks);
    let root = tempfile::tempdir().unwrap();
    let (u1, u2, d1) = (
        server.url("/update/1"),
        server.url("/update/2"),
        server.url("/delete/1"),
    );
    write_post(root.path(), "a", "A", &[u1.clone(), u2.clone()]);
    write_post(root.path(), "b", "B", std::slice::from_ref(&d1));
    let out = run(root.path(), &["--allow-private-addresses"]);
    assert!(out.status.success(), "{}", stdout(&out));
    assert_eq!(server.posts_to("/update/1/webmention").len(), 1);
    assert_eq!(server.posts_to("/update/2/webmention").len(), 1);
    assert_eq!(server.posts_to("/delete/1/webmention").len(), 1);

    // update/1: the post changes, the target hears again; update/2: the link
    // is removed, the target hears so it can drop the mention.
    server.clear();
    write_post(root.path(), "a", "A (edited)", std::slice::from_ref(&u1));
    // delete/1: the post is deleted.
    std::fs::remove_dir_all(root.path().join("public/posts/b")).unwrap();
    let out = run(root.path(), &["--allow-private-addresses"]);
    assert!(out.status.success(), "{}", stdout(&out));
    let text = stdout(&out);
    assert_eq!(server.posts_to("/update/1/webmention").len(), 1, "{text}");
    assert_eq!(server.posts_to("/update/2/webmention").len(), 1, "{text}");
    let deleted = server.posts_to("/delete/1/webmention");
    assert_eq!(deleted.len(), 1, "{text}");
    assert_eq!(deleted[0]["source"], format!("{SOURCE_BASE}posts/b/"));
    assert!(
        text.contains("(changed)")
            && text.contains("(link removed)")
            && text.contains("(post deleted)"),
        "{text}"
    );

    // Removed and deleted pairs leave the state; nothing more to send.
    let state = std::fs::read_to_string(root.path().join("webmentions.json")).unwrap();
    assert!(
        !state.contains("/update/2") && !state.contains("posts/b/"),
        "{state}"
    );
    server.clear();
    let out = run(root.path(), &["--allow-private-addresses"]);
    assert!(out.status.success());
    assert!(server.hits().is_empty(), "{:?}", server.hits());
}
