//! The Webmention and Pingback receivers of the real binary, against source
//! pages served by a local fixture server on 127.0.0.1.
//!
//! Verification is asynchronous, so tests wait (with a generous deadline,
//! never asserting speed) until the durable queue in the SQLite file is empty.

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

use serde_json::Value;

// ------------------------------------------------------------------ fixture

/// How the fixture answers one path.
#[derive(Clone)]
enum Answer {
    Page(u16, &'static str, String),
    /// `n` bytes of HTML that links to the target first, with a Content-Length.
    Huge(usize, String),
    /// HTML without end, no Content-Length, until the client hangs up.
    Endless(String),
    /// One byte every 100 ms until the client hangs up.
    Drip,
    /// Waits for the gate to open, then answers the page.
    Gated(Arc<(Mutex<bool>, Condvar)>, String),
}

#[derive(Clone, Default)]
struct Fixture {
    port: u16,
    routes: Arc<Mutex<HashMap<String, Answer>>>,
    hits: Arc<Mutex<Vec<String>>>,
    /// Paths whose streaming ended because the client went away.
    hung_up: Arc<Mutex<Vec<String>>>,
}

impl Fixture {
    fn start() -> Fixture {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let f = Fixture {
            port: listener.local_addr().unwrap().port(),
            ..Fixture::default()
        };
        let me = f.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let me = me.clone();
                std::thread::spawn(move || me.serve(stream));
            }
        });
        f
    }

    fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }

    fn set(&self, path: &str, answer: Answer) {
        self.routes.lock().unwrap().insert(path.to_string(), answer);
    }

    fn page(&self, path: &str, html: String) {
        self.set(path, Answer::Page(200, "text/html; charset=utf-8", html));
    }

    fn hits(&self) -> Vec<String> {
        self.hits.lock().unwrap().clone()
    }

    fn serve(&self, stream: TcpStream) {
        let mut reader = BufReader::new(stream.try_clone().unwrap());
        let mut line = String::new();
        if reader.read_line(&mut line).is_err() {
            return;
        }
        let path = line.split_whitespace().nth(1).unwrap_or("").to_string();
        loop {
            let mut h = String::new();
            if reader.read_line(&mut h).unwrap_or(0) == 0 || h == "\r\n" {
                break;
            }
        }
        self.hits.lock().unwrap().push(path.clone());
        let answer = self.routes.lock().unwrap().get(&path).cloned();
        let mut out = stream;
        let head = |status: u16, ct: &str, len: Option<usize>| {
            let mut h =
                format!("HTTP/1.1 {status} X\r\nContent-Type: {ct}\r\nConnection: close\r\n");
            if let Some(n) = len {
                h.push_str(&format!("Content-Length: {n}\r\n"));
            }
            h + "\r\n"
        };
        let result = match answer {
            None => out.write_all((head(404, "text/plain", Some(9)) + "not found").as_bytes()),
            Some(Answer::Page(status, ct, body)) => {
                out.write_all((head(status, ct, Some(body.len())) + &body).as_bytes())
            }
            Some(Answer::Gated(gate, body)) => {
                let (lock, cv) = &*gate;
                let mut open = lock.lock().unwrap();
                while !*open {
                    open = cv.wait(open).unwrap();
                }
                drop(open);
                out.write_all((head(200, "text/html", Some(body.len())) + &body).as_bytes())
            }
            Some(Answer::Huge(n, first)) => (|| {
                out.write_all(head(200, "text/html", Some(n)).as_bytes())?;
                out.write_all(first.as_bytes())?;
                let chunk = vec![b'x'; 64 * 1024];
                let mut sent = first.len();
                while sent < n {
                    let k = chunk.len().min(n - sent);
                    out.write_all(&chunk[..k])?;
                    sent += k;
                }
                Ok(())
            })(),
            Some(Answer::Endless(first)) => (|| {
                out.write_all(head(200, "text/html", None).as_bytes())?;
                out.write_all(first.as_bytes())?;
                let chunk = "<p>more</p>".repeat(4096);
                loop {
                    out.write_all(chunk.as_bytes())?;
                }
            })(),
            Some(Answer::Drip) => (|| {
                out.write_all(head(200, "text/html", None).as_bytes())?;
                loop {
                    out.write_all(b"<")?;
                    out.flush()?;
                    std::thread::sleep(Duration::from_millis(100));
                }
            })(),
        };
        if result.is_err() {
            self.hung_up.lock().unwrap().push(path);
        }
    }
}

// ------------------------------------------------------------------ service

struct Service {
    url: String,
    db: PathBuf,
    config: PathBuf,
    _dir: tempfile::TempDir,
    child: Option<Child>,
    http: reqwest::Client,
}

impl Service {
    fn start(config: &str) -> Service {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("c.db");
        let cfg = dir.path().join("c.toml");
        std::fs::write(&cfg, config).unwrap();
        let mut s = Service {
            url: String::new(),
            db,
            config: cfg,
            _dir: dir,
            child: None,
            http: reqwest::Client::builder().no_proxy().build().unwrap(),
        };
        s.spawn();
        s
    }

    fn spawn(&mut self) {
        let mut child = Command::new(env!("CARGO_BIN_EXE_causerie-comments"))
            .arg("--config")
            .arg(&self.config)
            .args(["--listen", "127.0.0.1:0", "--db"])
            .arg(&self.db)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let mut first = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut first)
            .unwrap();
        self.url = first
            .trim()
            .strip_prefix("listening on ")
            .unwrap()
            .to_string();
        self.child = Some(child);
    }

    fn kill9(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }

    fn pid(&self) -> u32 {
        self.child.as_ref().unwrap().id()
    }

    async fn webmention(&self, source: &str, target: &str) -> (u16, Value) {
        let form: Vec<(&str, &str)> = [("source", source), ("target", target)]
            .into_iter()
            .filter(|(_, v)| !v.is_empty())
            .collect();
        let r = self
            .http
            .post(format!("{}/webmention", self.url))
            .form(&form)
            .send()
            .await
            .unwrap();
        let status = r.status().as_u16();
        (
            status,
            serde_json::from_str(&r.text().await.unwrap()).unwrap_or(Value::Null),
        )
    }

    async fn xmlrpc(&self, body: String) -> String {
        let r = self
            .http
            .post(format!("{}/xmlrpc", self.url))
            .header("content-type", "text/xml")
            .body(body)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status().as_u16(), 200);
        r.text().await.unwrap()
    }

    async fn comments(&self, page: &str) -> Vec<Value> {
        let r = self
            .http
            .get(format!("{}/api/comments?page={page}", self.url))
            .send()
            .await
            .unwrap();
        let v: Value = serde_json::from_str(&r.text().await.unwrap()).unwrap();
        v["comments"].as_array().cloned().unwrap_or_default()
    }

    fn queue_len(&self) -> i64 {
        let conn = rusqlite::Connection::open_with_flags(
            &self.db,
            rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY,
        )
        .unwrap();
        conn.query_row("SELECT count(*) FROM mention_queue", [], |r| r.get(0))
            .unwrap()
    }

    /// Waits until every queued verification is done.
    async fn drained(&self) {
        let deadline = Instant::now() + Duration::from_secs(60);
        while self.queue_len() > 0 {
            assert!(
                Instant::now() < deadline,
                "the verification queue never drained"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    fn rss_kb(&self) -> u64 {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.pid())).unwrap();
        status
            .lines()
            .find_map(|l| l.strip_prefix("VmRSS:"))
            .and_then(|v| v.split_whitespace().next())
            .and_then(|v| v.parse().ok())
            .unwrap()
    }
}

impl Drop for Service {
    fn drop(&mut self) {
        self.kill9();
    }
}

const SITE: &str = "http://127.0.0.1:9";
const TARGET: &str = "http://127.0.0.1:9/posts/hello/";

fn config(extra: &str) -> String {
    format!("site_url = \"{SITE}\"\nmoderation = \"none\"\nallow_private_addresses = true\n{extra}")
}

fn entry(props: &str) -> String {
    format!(
        r#"<!doctype html><html><body><article class="h-entry">
        <a class="p-author h-card" href="https://alice.example/"><img src="/alice.jpg" alt="">Alice</a>
        {props}</article></body></html>"#
    )
}

fn by_source<'a>(items: &'a [Value], source: &str) -> Vec<&'a Value> {
    items.iter().filter(|c| c["source"] == source).collect()
}

// ------------------------------------------------------------------ tests

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

fn ping(source: &str, target: &str) -> String {
    format!(
        "<?xml version=\"1.0\"?><methodCall><methodName>pingback.ping</methodName><params>\
         <param><value><string>{source}</string></value></param>\
         <param><value><string>{target}</string></value></param></params></methodCall>"
    )
}

fn fault_code(answer: &str) -> Option<i64> {
    let i = answer.find("<int>")?;
    answer[i + 5..].split('<').next()?.parse().ok()
}

#[tokio::test]
async fn pingback_verifies_stores_a_mention_and_answers_standard_faults() {
    let fx = Fixture::start();
    let svc = Service::start(&config(""));
    let before = "words ".repeat(50);
    fx.page(
        "/wp",
        format!(r#"<html><body><div class="post"><p>{before} I read <a href="{TARGET}">Bob's post</a> today.</p></div></body></html>"#),
    );
    fx.page("/nolink", "<p>nothing</p>".into());
    let ok = svc.xmlrpc(ping(&fx.url("/wp"), TARGET)).await;
    assert!(
        ok.contains("<methodResponse><params>") && !ok.contains("fault"),
        "{ok}"
    );
    let items = svc.comments("/posts/hello/").await;
    let got = by_source(&items, &fx.url("/wp"));
    assert_eq!(got.len(), 1);
    assert_eq!(got[0]["kind"], "mention");
    let body = got[0]["body_html"].as_str().unwrap();
    assert!(
        body.contains("I read Bob&#39;s post today."),
        "excerpt around the link: {body}"
    );
    assert!(body.starts_with("<p>…"), "{body}");

    let cases = [
        (ping(&fx.url("/wp"), TARGET), 48),
        (ping(&fx.url("/nolink"), TARGET), 17),
        (ping(&fx.url("/missing"), TARGET), 16),
        (ping(&fx.url("/wp"), "https://elsewhere.example/x"), 33),
        (ping("not-a-url", TARGET), 16),
        (
            "<methodCall><methodName>pingback.ping</methodName><params></params></methodCall>"
                .into(),
            -32602,
        ),
        (
            "<methodCall><methodName>system.listMethods</methodName></methodCall>".into(),
            -32601,
        ),
        ("this is not xml <<<".into(), -32700),
    ];
    for (body, code) in cases {
        let answer = svc.xmlrpc(body.clone()).await;
        assert_eq!(fault_code(&answer), Some(code), "{body}\n{answer}");
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
