//! `serve --comments`: the local comment service runs, bakes new comments and stops with serve.

use super::*;

/// `causerie-comments` beside this crate's binary (built with the workspace).
fn comments_binary() -> Option<PathBuf> {
    let p =
        Path::new(BIN).with_file_name(format!("causerie-comments{}", std::env::consts::EXE_SUFFIX));
    p.is_file().then_some(p)
}

#[test]
fn comments_flag_runs_the_service_and_bakes_new_comments() {
    let Some(_) = comments_binary() else {
        eprintln!("causerie-comments is not built next to causerie; build the workspace first");
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    let root = site(tmp.path());
    let db = tmp.path().join("dev-comments.db");
    let srv = serve(
        &root,
        &["--comments", "--comments-db", db.to_str().unwrap()],
    );
    let port = srv.port;
    let (_, page) = http(port, "GET", "/posts/first/", None);
    // The form posts to the local service.
    let action = page
        .split("action=\"")
        .find_map(|s| s.split('"').next().filter(|a| a.ends_with("/api/comments")))
        .expect("a comment form")
        .to_string();
    let service = action.trim_end_matches("/api/comments");
    let service_port: u16 = service.rsplit(':').next().unwrap().parse().unwrap();
    assert!(service.starts_with("http://127.0.0.1:"));
    let b = builds(port);
    let (st, body) = http(
        service_port,
        "POST",
        "/api/comments",
        Some((
            "application/json",
            r#"{"page": "/posts/first/", "author": "Ada", "body": "A comment baked by the dev server."}"#,
        )),
    );
    assert_eq!(st, 201, "{body}");
    // The service calls the dev server back; it rebuilds with the comment.
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let (_, page) = http(port, "GET", "/posts/first/", None);
        if page.contains("A comment baked by the dev server.") {
            break;
        }
        assert!(Instant::now() < deadline, "the comment was not baked");
        std::thread::sleep(Duration::from_millis(100));
    }
    assert!(builds(port) > b);
    assert!(db.is_file(), "the named SQLite file holds the comments");
    // Ctrl-C stops the comment service with the dev server.
    drop(srv);
    let deadline = Instant::now() + Duration::from_secs(10);
    while TcpStream::connect(("127.0.0.1", service_port)).is_ok() {
        assert!(
            Instant::now() < deadline,
            "the comment service outlived serve"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    // Its conversation cache (named after a port of this run only) is gone.
    let caches = root.join(".causerie/conversation");
    let left: Vec<_> = std::fs::read_dir(&caches)
        .map(|d| d.flatten().map(|e| e.file_name()).collect())
        .unwrap_or_default();
    assert!(left.is_empty(), "dev caches left behind: {left:?}");
}

#[test]
fn the_comment_service_stops_when_serve_is_killed() {
    let Some(_) = comments_binary() else {
        panic!("causerie-comments is not built next to causerie; build the workspace first");
    };
    let tmp = tempfile::tempdir().unwrap();
    let root = site(tmp.path());
    let mut srv = serve(&root, &["--comments"]);
    let (_, page) = http(srv.port, "GET", "/posts/first/", None);
    let service_port: u16 = page
        .split("action=\"")
        .find_map(|s| s.split('"').next().filter(|a| a.ends_with("/api/comments")))
        .and_then(|a| a.trim_end_matches("/api/comments").rsplit(':').next())
        .and_then(|p| p.parse().ok())
        .expect("a comment form posting to the local service");
    assert!(TcpStream::connect(("127.0.0.1", service_port)).is_ok());
    // SIGKILL: no destructor of serve runs; the kernel must stop the child.
    srv.child.kill().unwrap();
    srv.child.wait().unwrap();
    let deadline = Instant::now() + Duration::from_secs(10);
    while TcpStream::connect(("127.0.0.1", service_port)).is_ok() {
        assert!(
            Instant::now() < deadline,
            "the comment service outlived a killed serve"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}
