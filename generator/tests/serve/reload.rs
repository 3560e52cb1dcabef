//! Edits reload the page, the overlay shows and clears, editors' save patterns rebuild once.

use super::*;

#[test]
fn edit_reloads_overlay_shows_and_clears_delete_removes_links() {
    let tmp = tempfile::tempdir().unwrap();
    let root = site(tmp.path());
    let srv = serve(&root, &[]);
    let port = srv.port;

    let (st, home) = http(port, "GET", "/", None);
    assert_eq!(st, 200);
    assert!(home.contains("First post") && home.contains("Third post"));
    assert!(
        home.contains("/_causerie/livereload/event-stream"),
        "no live-reload script"
    );
    // Links point at the dev server, not the public base URL.
    assert!(
        home.contains(&format!("http://127.0.0.1:{port}/posts/first/"))
            || home.contains("href=\"/posts/first/\"")
    );

    // An edit: the page changes and the reload event arrives.
    let ev = events(port);
    let b = builds(port);
    post(
        &root,
        "first",
        "First post",
        "2026-01-01",
        "\"rust\"",
        "Edited words appear here.",
    );
    let s = wait_build(port, b);
    assert!(s["errors"].as_array().unwrap().is_empty(), "{s}");
    assert_eq!(ev.recv_timeout(Duration::from_secs(30)).unwrap(), "reload");
    let (_, page) = http(port, "GET", "/posts/first/", None);
    assert!(page.contains("Edited words appear here."));

    // A broken file: the overlay names path:line, the server stays up.
    let b = builds(port);
    write(
        &root.join("content/posts/second.md"),
        "+++\ntitle = \"Second post\"\ndate = \"not a date\"\n+++\nbody\n",
    );
    let s = wait_build(port, b);
    let errors: Vec<String> = s["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e.as_str().unwrap().to_string())
        .collect();
    assert!(
        errors
            .iter()
            .any(|e| e.starts_with("content/posts/second.md:3:")),
        "{errors:?}"
    );
    let (st, page) = http(port, "GET", "/posts/third/", None);
    assert_eq!(st, 200);
    assert!(page.contains("causerie-error-overlay"));
    assert!(page.contains("content/posts/second.md:3:"));
    assert!(
        page.contains("Third post"),
        "the last good page is still served"
    );

    // Fixed: the overlay is gone.
    let b = builds(port);
    post(
        &root,
        "second",
        "Second post",
        "2026-01-02",
        "\"rust\"",
        "The second post, fixed.",
    );
    let s = wait_build(port, b);
    assert!(s["errors"].as_array().unwrap().is_empty(), "{s}");
    let (_, page) = http(port, "GET", "/posts/second/", None);
    assert!(!page.contains("causerie-error-overlay"));
    assert!(page.contains("The second post, fixed."));

    // Deleting a post removes its page and every link to it from the lists.
    let b = builds(port);
    std::fs::remove_file(root.join("content/posts/second.md")).unwrap();
    wait_build(port, b);
    let (st, body) = http(port, "GET", "/posts/second/", None);
    assert_eq!(st, 404);
    assert!(
        body.contains("There is nothing at this address."),
        "a missing page gets the site's 404.html: {body}"
    );
    for list in [
        "/",
        "/tags/rust/",
        "/tags/",
        "/feed.xml",
        "/sitemap.xml",
        "/posts/first/",
        "/posts/third/",
    ] {
        let (st, body) = http(port, "GET", list, None);
        assert_eq!(st, 200, "{list}");
        assert!(
            !body.contains("/posts/second/"),
            "{list} still links the deleted post"
        );
    }

    // A new post appears in the index.
    let b = builds(port);
    post(
        &root,
        "fourth",
        "Fourth post",
        "2026-01-04",
        "\"new tag\"",
        "Fresh.",
    );
    wait_build(port, b);
    let (_, home) = http(port, "GET", "/", None);
    assert!(home.contains("Fourth post"));
    let (st, _) = http(port, "GET", "/tags/new-tag/", None);
    assert_eq!(st, 200);
}

#[test]
fn editor_save_patterns_rebuild_once_and_are_picked_up() {
    let tmp = tempfile::tempdir().unwrap();
    let root = site(tmp.path());
    let srv = serve(&root, &[]);
    let port = srv.port;
    // Write to a temp file, then rename it over the post (vim, VS Code, …).
    let b = builds(port);
    let tmpfile = root.join("content/posts/.third.md.swp");
    write(
        &tmpfile,
        "+++\ntitle = \"Third post\"\ndate = \"2026-01-03\"\n+++\nSaved by rename.\n",
    );
    std::fs::rename(&tmpfile, root.join("content/posts/third.md")).unwrap();
    let s = wait_build(port, b);
    assert!(s["errors"].as_array().unwrap().is_empty(), "{s}");
    let (_, page) = http(port, "GET", "/posts/third/", None);
    assert!(page.contains("Saved by rename."));
    // The build reading the sources does not count as a change (no loop).
    let after = builds(port);
    std::thread::sleep(Duration::from_millis(700));
    assert_eq!(builds(port), after, "a build triggered another build");
    // A temp file alone changes nothing in the site.
    write(&root.join("content/posts/notes.md~"), "backup");
    let (st, _) = http(port, "GET", "/posts/notes/", None);
    assert_eq!(st, 404);
}
