//! `causerie watch` through the real binaries: it builds `public/` with the
//! real `base_url`, rebuilds when a post is edited, bakes a comment when the
//! real comment service calls its rebuild hook, and stops cleanly on Ctrl-C.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_causerie");

fn write(path: &Path, text: &str) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

/// A child process killed on drop (so a failing test leaves nothing behind).
struct Proc {
    child: Child,
    lines: mpsc::Receiver<String>,
}

impl Drop for Proc {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Proc {
    fn start(cmd: &mut Command) -> Proc {
        let mut child = cmd
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap();
        let out = child.stdout.take().unwrap();
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            for l in BufReader::new(out).lines().map_while(|l| l.ok()) {
                if tx.send(l).is_err() {
                    break;
                }
            }
        });
        Proc { child, lines: rx }
    }

    /// The first line with `prefix`, without it (bounded wait).
    fn line_after(&self, prefix: &str) -> String {
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            let l = self
                .lines
                .recv_timeout(left)
                .unwrap_or_else(|_| panic!("no line starting {prefix:?}"));
            if let Some(i) = l.find(prefix) {
                return l[i + prefix.len()..].to_string();
            }
        }
    }
}

/// Waits (bounded) until `file` contains `text`.
fn wait_for(file: &Path, text: &str) -> String {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        if let Ok(s) = std::fs::read_to_string(file)
            && s.contains(text)
        {
            return s;
        }
        assert!(
            Instant::now() < deadline,
            "{} never contained {text:?}",
            file.display()
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// POSTs JSON over plain HTTP/1.1; returns the status.
fn post_json(port: u16, path: &str, body: &str) -> u16 {
    use std::io::{Read, Write};
    let mut s = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    write!(
        s,
        "POST {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    let mut raw = String::new();
    let _ = s.read_to_string(&mut raw);
    raw.split(' ')
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0)
}

fn comments_binary() -> PathBuf {
    let p =
        Path::new(BIN).with_file_name(format!("causerie-comments{}", std::env::consts::EXE_SUFFIX));
    assert!(
        p.is_file(),
        "causerie-comments is not built next to causerie: run `cargo build --workspace` first"
    );
    p
}

#[test]
fn watch_rebuilds_on_edits_and_on_the_comment_hook() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("site");
    write(
        &root.join("causerie.toml"),
        "base_url = \"https://blog.example/\"\ntitle = \"Watch test\"\n",
    );
    let post = root.join("content/posts/first.md");
    write(
        &post,
        "+++\ntitle = \"First\"\ndate = \"2026-01-01\"\n+++\nThe first words.\n",
    );
    let watch = Proc::start(
        Command::new(BIN)
            .args(["watch", "--port", "0"])
            .current_dir(&root),
    );
    let hook = watch.line_after("rebuild hook on ");
    assert!(hook.starts_with("http://127.0.0.1:"), "{hook}");
    let page = root.join("public/posts/first/index.html");
    let html = wait_for(&page, "The first words.");
    // Production output: the real base_url, no dev server address or reload script.
    assert!(html.contains("https://blog.example/posts/first/"));
    assert!(
        !html.contains("127.0.0.1"),
        "dev addresses leaked into public/"
    );
    assert!(!html.contains("livereload"));

    // An edit is rebuilt.
    write(
        &post,
        "+++\ntitle = \"First\"\ndate = \"2026-01-01\"\n+++\nEdited words.\n",
    );
    wait_for(&page, "Edited words.");

    // The real comment service calls the hook; the comment is baked in.
    let dir = tmp.path().join("comments");
    std::fs::create_dir_all(&dir).unwrap();
    write(
        &dir.join("comments.toml"),
        &format!(
            "site_url = \"https://blog.example/\"\nallow_private_addresses = true\nmoderation = \"none\"\n\n[rebuild]\nwebhook = \"{hook}\"\ndebounce_ms = 100\n"
        ),
    );
    let service = Proc::start(
        Command::new(comments_binary())
            .arg("--config")
            .arg(dir.join("comments.toml"))
            .args(["--listen", "127.0.0.1:0", "--db"])
            .arg(dir.join("c.db")),
    );
    let url = service.line_after("listening on ");
    let url = url.trim().trim_end_matches('/').to_string();
    // Point the site at the service: a config change is picked up too.
    write(
        &root.join("causerie.toml"),
        &format!(
            "base_url = \"https://blog.example/\"\ntitle = \"Watch test\"\n[comments]\nurl = \"{url}\"\n"
        ),
    );
    wait_for(&page, "action=\"");
    let port: u16 = url.rsplit(':').next().unwrap().parse().unwrap();
    let body = r#"{"page": "/posts/first/", "author": "Ada", "body": "Baked by causerie watch."}"#;
    assert_eq!(post_json(port, "/api/comments", body), 201);
    wait_for(&page, "Baked by causerie watch.");

    // Ctrl-C: a clean stop.
    Command::new("kill")
        .args(["-INT", &watch.child.id().to_string()])
        .status()
        .unwrap();
    watch.line_after("stopped");
}
