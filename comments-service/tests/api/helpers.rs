//! Starting the real binary and talking to it.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use serde_json::Value;

pub const SITE: &str = "http://127.0.0.1:9";

/// The config most tests want: publish at once, no rate limit.
pub fn open_config() -> String {
    format!(
        "site_url = \"{SITE}\"\nmoderation = \"none\"\nadmin_token = \"the-admin-token-123\"\n\n[limits]\ncomments_per_minute = 0\n\n[spam]\nmin_submit_seconds = 2\n"
    )
}

/// A running service; killed on drop.
pub struct TestApp {
    pub url: String,
    pub dir: tempfile::TempDir,
    pub db: PathBuf,
    pub config: PathBuf,
    child: Option<Child>,
    stderr: Option<std::thread::JoinHandle<String>>,
    pub http: reqwest::Client,
    /// `RUST_LOG` of the service (`info` unless a test looks at debug logs).
    pub log: &'static str,
}

impl TestApp {
    /// Starts the binary with `config` (TOML text) on a fresh database.
    pub async fn spawn(config: &str) -> TestApp {
        TestApp::spawn_logging(config, "info").await
    }

    /// [`TestApp::spawn`] with `RUST_LOG` set to `log`.
    pub async fn spawn_logging(config: &str, log: &'static str) -> TestApp {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("comments.db");
        let cfg = dir.path().join("comments.toml");
        std::fs::write(&cfg, config).unwrap();
        let mut app = TestApp {
            url: String::new(),
            db,
            config: cfg,
            dir,
            child: None,
            stderr: None,
            http: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .no_proxy()
                .build()
                .unwrap(),
            log,
        };
        app.start();
        app
    }

    /// Starts (again) on the same database and config.
    pub fn start(&mut self) {
        let mut child = Command::new(env!("CARGO_BIN_EXE_causerie-comments"))
            .arg("--config")
            .arg(&self.config)
            .args(["--listen", "127.0.0.1:0", "--db"])
            .arg(&self.db)
            .env("RUST_LOG", self.log)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start causerie-comments");
        let mut first = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut first)
            .unwrap();
        let err = child.stderr.take().unwrap();
        self.stderr = Some(std::thread::spawn(move || {
            let mut s = String::new();
            let _ = std::io::Read::read_to_string(&mut BufReader::new(err), &mut s);
            s
        }));
        let url = first
            .trim()
            .strip_prefix("listening on ")
            .unwrap_or_else(|| panic!("first stdout line was {first:?}"))
            .to_string();
        assert!(url.starts_with("http://127.0.0.1:"), "{url}");
        self.url = url;
        self.child = Some(child);
    }

    /// `kill -9`, then returns what the service logged.
    pub fn kill9(&mut self) -> String {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
        self.stderr
            .take()
            .map(|h| h.join().unwrap_or_default())
            .unwrap_or_default()
    }

    /// Stops with SIGTERM (graceful) and returns the log.
    pub fn stop(&mut self) -> String {
        if let Some(mut c) = self.child.take() {
            unsafe_free_sigterm(c.id());
            let deadline = Instant::now() + Duration::from_secs(10);
            while Instant::now() < deadline {
                if let Ok(Some(_)) = c.try_wait() {
                    break;
                }
                std::thread::sleep(Duration::from_millis(20));
            }
            let _ = c.kill();
            let _ = c.wait();
        }
        self.stderr
            .take()
            .map(|h| h.join().unwrap_or_default())
            .unwrap_or_default()
    }

    /// The running service's process id.
    pub fn pid(&self) -> Option<u32> {
        self.child.as_ref().map(Child::id)
    }

    pub fn path(&self, p: &str) -> String {
        format!("{}{}", self.url, p)
    }

    /// POST /api/comments as JSON: (status, headers, body).
    pub async fn post_json(&self, body: &Value) -> (u16, HeaderMap, Value) {
        self.send(
            self.http
                .post(self.path("/api/comments"))
                .header("content-type", "application/json")
                .body(body.to_string()),
        )
        .await
    }

    /// POST /api/comments as an HTML form with extra headers: (status, headers, text).
    pub async fn post_form(
        &self,
        fields: &[(&str, &str)],
        headers: &[(&str, &str)],
    ) -> (u16, HeaderMap, String) {
        let body = url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs(fields)
            .finish();
        let mut rb = self
            .http
            .post(self.path("/api/comments"))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body);
        for (k, v) in headers {
            rb = rb.header(
                HeaderName::from_bytes(k.as_bytes()).unwrap(),
                HeaderValue::from_str(v).unwrap(),
            );
        }
        let r = rb.send().await.unwrap();
        let (s, h) = (r.status().as_u16(), r.headers().clone());
        (s, h, r.text().await.unwrap())
    }

    /// GET a path: (status, headers, JSON or Null).
    pub async fn get(&self, p: &str) -> (u16, HeaderMap, Value) {
        self.send(self.http.get(self.path(p))).await
    }

    /// The thread of `page` as answered by GET /api/comments.
    pub async fn thread(&self, page: &str) -> Value {
        let (s, _, v) = self.get(&format!("/api/comments?page={page}")).await;
        assert_eq!(s, 200, "{v}");
        v
    }

    pub async fn send(&self, rb: reqwest::RequestBuilder) -> (u16, HeaderMap, Value) {
        let r = rb.send().await.expect("request");
        let (s, h) = (r.status().as_u16(), r.headers().clone());
        let text = r.text().await.unwrap();
        let v = serde_json::from_str(&text).unwrap_or(Value::Null);
        (s, h, v)
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

/// SIGTERM through `kill(1)` (no libc dependency needed).
fn unsafe_free_sigterm(pid: u32) {
    let _ = Command::new("kill")
        .arg("-TERM")
        .arg(pid.to_string())
        .status();
}

/// A comment body as JSON.
pub fn comment(page: &str, author: &str, body: &str) -> Value {
    serde_json::json!({"page": page, "author": author, "body": body})
}

/// Every item with `body_html` anywhere in `v`.
pub fn items(v: &Value) -> Vec<&Value> {
    let mut out = Vec::new();
    fn walk<'a>(v: &'a Value, out: &mut Vec<&'a Value>) {
        match v {
            Value::Object(o) => {
                if o.contains_key("body_html") {
                    out.push(v);
                }
                o.values().for_each(|x| walk(x, out));
            }
            Value::Array(a) => a.iter().for_each(|x| walk(x, out)),
            _ => {}
        }
    }
    walk(v, &mut out);
    out
}

/// Polls `f` until it is true or `secs` pass.
pub async fn eventually(secs: u64, mut f: impl FnMut() -> bool) -> bool {
    let end = Instant::now() + Duration::from_secs(secs);
    while Instant::now() < end {
        if f() {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    f()
}

/// Lines in a file (0 if missing).
pub fn lines(p: &Path) -> usize {
    std::fs::read_to_string(p)
        .map(|s| s.lines().count())
        .unwrap_or(0)
}
