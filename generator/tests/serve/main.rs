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

mod comments;
mod lifecycle;
mod reload;
