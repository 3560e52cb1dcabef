//! `causerie serve` through the real binary on 127.0.0.1:0: edits show up
//! and the reload event arrives, a broken file shows the overlay and the
//! server stays up, deleting a post removes it from the lists, a used port
//! gets a clear message, Ctrl-C stops it cleanly, and `--comments` bakes a
//! comment posted to the local comment service.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdout, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_causerie");

fn write(path: &Path, text: &str) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

fn post(root: &Path, slug: &str, title: &str, date: &str, tags: &str, body: &str) {
    write(
        &root.join(format!("content/posts/{slug}.md")),
        &format!("+++\ntitle = \"{title}\"\ndate = \"{date}\"\ntags = [{tags}]\n+++\n{body}\n"),
    );
}

fn site(dir: &Path) -> PathBuf {
    let root = dir.join("site");
    write(
        &root.join("causerie.toml"),
        "base_url = \"https://blog.example/\"\ntitle = \"Serve test\"\nper_page = 5\n",
    );
    post(
        &root,
        "first",
        "First post",
        "2026-01-01",
        "\"rust\"",
        "Hello from the first post.",
    );
    post(
        &root,
        "second",
        "Second post",
        "2026-01-02",
        "\"rust\"",
        "The second post.",
    );
    post(
        &root,
        "third",
        "Third post",
        "2026-01-03",
        "",
        "The third post.",
    );
    root
}

/// A running `causerie serve`, killed on drop.
struct Server {
    child: Child,
    port: u16,
    lines: mpsc::Receiver<String>,
}

impl Drop for Server {
    fn drop(&mut self) {
        // Ctrl-C first, so serve stops its comment service too.
        interrupt(&self.child);
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Sends SIGINT (what Ctrl-C sends) to a child process.
fn interrupt(child: &Child) {
    let _ = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status();
}

fn read_lines(out: ChildStdout) -> mpsc::Receiver<String> {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for l in BufReader::new(out).lines().map_while(|l| l.ok()) {
            if tx.send(l).is_err() {
                break;
            }
        }
    });
    rx
}

fn serve(root: &Path, extra: &[&str]) -> Server {
    // Run in the site like an author does (`--root` defaults to `.`).
    let mut child = Command::new(BIN)
        .args(["serve", "--port", "0"])
        .current_dir(root)
        .args(extra)
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap();
    let lines = read_lines(child.stdout.take().unwrap());
    // From here the server is killed on drop, even if the test panics.
    let mut srv = Server {
        child,
        port: 0,
        lines,
    };
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        let l = srv
            .lines
            .recv_timeout(left)
            .expect("serve did not print its address");
        if let Some(rest) = l.strip_prefix("Listening for changes on http://127.0.0.1:") {
            srv.port = rest.trim_end_matches('/').parse().unwrap();
            return srv;
        }
    }
}

/// One HTTP/1.1 request; returns status and body.
fn http(port: u16, method: &str, path: &str, body: Option<(&str, &str)>) -> (u16, String) {
    let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    let mut req =
        format!("{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n");
    if let Some((ctype, b)) = body {
        req.push_str(&format!(
            "Content-Type: {ctype}\r\nContent-Length: {}\r\n",
            b.len()
        ));
        req.push_str("\r\n");
        req.push_str(b);
    } else {
        req.push_str("\r\n");
    }
    s.write_all(req.as_bytes()).unwrap();
    let mut raw = Vec::new();
    s.read_to_end(&mut raw).unwrap();
    let text = String::from_utf8_lossy(&raw).into_owned();
    let (head, rest) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let status = head.split(' ').nth(1).unwrap_or("0").parse().unwrap_or(0);
    let chunked = head
        .to_ascii_lowercase()
        .contains("transfer-encoding: chunked");
    (
        status,
        if chunked {
            dechunk(rest)
        } else {
            rest.to_string()
        },
    )
}

fn dechunk(mut s: &str) -> String {
    let mut out = String::new();
    while let Some((size, rest)) = s.split_once("\r\n") {
        let n = usize::from_str_radix(size.trim(), 16).unwrap_or(0);
        if n == 0 || rest.len() < n {
            break;
        }
        out.push_str(&rest[..n]);
        s = rest[n..].trim_start_matches("\r\n");
    }
    out
}

fn builds(port: u16) -> u64 {
    let (_, body) = http(port, "GET", "/_causerie/status", None);
    let v: serde_json::Value = serde_json::from_str(&body).unwrap();
    v["builds"].as_u64().unwrap()
}

/// Waits (bounded) until the server finished a build after `before`.
fn wait_build(port: u16, before: u64) -> serde_json::Value {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let (_, body) = http(port, "GET", "/_causerie/status", None);
        let v: serde_json::Value = serde_json::from_str(&body).unwrap();
        if v["builds"].as_u64().unwrap() > before {
            return v;
        }
        assert!(Instant::now() < deadline, "no rebuild happened");
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// Opens the live-reload event stream and returns a receiver of its events.
fn events(port: u16) -> mpsc::Receiver<String> {
    let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap();
    s.write_all(
        format!("GET /_causerie/livereload/event-stream HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nAccept: text/event-stream\r\n\r\n")
            .as_bytes(),
    )
    .unwrap();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for l in BufReader::new(s).lines().map_while(|l| l.ok()) {
            if let Some(ev) = l.strip_prefix("event: ")
                && tx.send(ev.to_string()).is_err()
            {
                break;
            }
        }
    });
    assert_eq!(rx.recv_timeout(Duration::from_secs(30)).unwrap(), "init");
    rx
}

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

#[test]
fn bad_config_at_start_keeps_the_server_up() {
    let tmp = tempfile::tempdir().unwrap();
    let root = site(tmp.path());
    write(
        &root.join("causerie.toml"),
        "title = \"No base url\"\nbogus = 1\n",
    );
    let srv = serve(&root, &[]);
    let port = srv.port;
    let (st, body) = http(port, "GET", "/", None);
    assert_eq!(st, 404);
    assert!(body.contains("causerie-error-overlay"));
    assert!(body.contains("causerie.toml"));
    let b = builds(port);
    write(
        &root.join("causerie.toml"),
        "base_url = \"https://blog.example/\"\ntitle = \"Back\"\n",
    );
    let s = wait_build(port, b);
    assert!(s["errors"].as_array().unwrap().is_empty(), "{s}");
    let (st, body) = http(port, "GET", "/", None);
    assert_eq!(st, 200);
    assert!(body.contains("Back") && !body.contains("causerie-error-overlay"));
}

#[test]
fn port_in_use_gets_a_clear_message() {
    let tmp = tempfile::tempdir().unwrap();
    let root = site(tmp.path());
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port();
    let out = Command::new(BIN)
        .args(["serve", "--port", &port.to_string(), "--root"])
        .arg(&root)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains(&format!("port {port} on 127.0.0.1 is already in use")),
        "{err}"
    );
    assert!(err.contains("--port"), "{err}");
}

#[cfg(unix)]
#[test]
fn ctrl_c_stops_cleanly() {
    let tmp = tempfile::tempdir().unwrap();
    let root = site(tmp.path());
    let mut srv = serve(&root, &[]);
    let _ev = events(srv.port); // an open tab must not block shutdown
    interrupt(&srv.child);
    let deadline = Instant::now() + Duration::from_secs(30);
    let status = loop {
        if let Some(s) = srv.child.try_wait().unwrap() {
            break s;
        }
        assert!(Instant::now() < deadline, "serve did not stop on SIGINT");
        std::thread::sleep(Duration::from_millis(50));
    };
    assert!(status.success(), "{status:?}");
    let rest: Vec<String> = srv.lines.try_iter().collect();
    assert!(rest.iter().any(|l| l == "stopped"), "{rest:?}");
}

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
