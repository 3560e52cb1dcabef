//! Dry runs, loopback targets, failing endpoints and sending before building.

use super::*;

#[test]
fn dry_run_prints_and_sends_nothing() {
    let server = Fixture::start(rocks);
    let root = tempfile::tempdir().unwrap();
    write_post(root.path(), "a", "A", &[server.url("/test/3")]);
    let out = run(root.path(), &["--allow-private-addresses", "--dry-run"]);
    assert!(out.status.success());
    let text = stdout(&out);
    assert!(
        text.contains(&format!(
            "would send  {SOURCE_BASE}posts/a/ -> {} (new)",
            server.url("/test/3")
        )),
        "{text}"
    );
    assert!(server.hits().is_empty());
    assert!(!root.path().join("webmentions.json").exists());
}

#[test]
fn loopback_targets_are_refused_without_the_flag() {
    let server = Fixture::start(rocks);
    let root = tempfile::tempdir().unwrap();
    let port = server.port;
    let links: Vec<String> = [
        format!("http://127.0.0.1:{port}/test/3"),
        format!("http://localhost:{port}/test/3"),
        format!("http://127.1:{port}/test/3"),
        format!("http://2130706433:{port}/test/3"),
        format!("http://[::ffff:127.0.0.1]:{port}/test/3"),
    ]
    .into();
    write_post(root.path(), "a", "A", &links);
    let out = run(root.path(), &[]);
    assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
    assert!(server.hits().is_empty(), "{:?}", server.hits());
    let text = stdout(&out);
    assert!(text.contains("not a public address"), "{text}");
    assert!(
        text.contains("0 sent, 0 pingbacks, 0 without endpoint, 5 failed"),
        "{text}"
    );
}

#[test]
fn failed_endpoint_exits_1_and_is_retried() {
    let server = Fixture::start(rocks);
    let root = tempfile::tempdir().unwrap();
    write_post(
        root.path(),
        "a",
        "A",
        &[server.url("/broken/1"), server.url("/test/3")],
    );
    let out = run(root.path(), &["--allow-private-addresses"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("1 webmention(s) failed"));
    assert!(
        stdout(&out).contains("endpoint answered 500"),
        "{}",
        stdout(&out)
    );
    server.clear();
    let out = run(root.path(), &["--allow-private-addresses"]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(server.posts_to("/broken/1/endpoint").len(), 1, "retried");
    assert!(
        server.posts_to("/test/3/webmention").is_empty(),
        "not re-sent"
    );
}

#[test]
fn sending_before_building_is_an_error_not_a_mass_deletion() {
    let root = tempfile::tempdir().unwrap();
    std::fs::write(
        root.path().join("webmentions.json"),
        r#"{"version":1,"sources":{"https://blog.example/posts/a/":{"targets":{"https://x.example/":{"hash":"h","result":"webmention","at":"t"}}}}}"#,
    )
    .unwrap();
    let out = run(root.path(), &[]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("build the site before sending"));
}
