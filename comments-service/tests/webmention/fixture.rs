//! A fixture server for source pages, the real service binary, and helpers.

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
pub enum Answer {
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
pub struct Fixture {
    pub port: u16,
    pub routes: Arc<Mutex<HashMap<String, Answer>>>,
    pub hits: Arc<Mutex<Vec<String>>>,
    /// Paths whose streaming ended because the client went away.
    pub hung_up: Arc<Mutex<Vec<String>>>,
}

impl Fixture {
    pub fn start() -> Fixture {
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

    pub fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }

    pub fn set(&self, path: &str, answer: Answer) {
        self.routes.lock().unwrap().insert(path.to_string(), answer);
    }

    pub fn page(&self, path: &str, html: String) {
        self.set(path, Answer::Page(200, "text/html; charset=utf-8", html));
    }

    pub fn hits(&self) -> Vec<String> {
        self.hits.lock().unwrap().clone()
    }

    pub fn serve(&self, stream: TcpStream) {
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

pub struct Service {
    pub url: String,
    pub db: PathBuf,
    pub config: PathBuf,
    pub _dir: tempfile::TempDir,
    pub child: Option<Child>,
    pub http: reqwest::Client,
}

impl Service {
    pub fn start(config: &str) -> Service {
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

    pub fn spawn(&mut self) {
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

    pub fn kill9(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }

    pub fn pid(&self) -> u32 {
        self.child.as_ref().unwrap().id()
    }

    pub async fn webmention(&self, source: &str, target: &str) -> (u16, Value) {
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

    pub async fn xmlrpc(&self, body: String) -> String {
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

    pub async fn comments(&self, page: &str) -> Vec<Value> {
        let r = self
            .http
            .get(format!("{}/api/comments?page={page}", self.url))
            .send()
            .await
            .unwrap();
        let v: Value = serde_json::from_str(&r.text().await.unwrap()).unwrap();
        v["comments"].as_array().cloned().unwrap_or_default()
    }

    pub fn queue_len(&self) -> i64 {
        let conn = rusqlite::Connection::open_with_flags(
            &self.db,
            rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY,
        )
        .unwrap();
        conn.query_row("SELECT count(*) FROM mention_queue", [], |r| r.get(0))
            .unwrap()
    }

    /// Waits until every queued verification is done.
    pub async fn drained(&self) {
        let deadline = Instant::now() + Duration::from_secs(60);
        while self.queue_len() > 0 {
            assert!(
                Instant::now() < deadline,
                "the verification queue never drained"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    pub fn rss_kb(&self) -> u64 {
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

pub const SITE: &str = "http://127.0.0.1:9";
pub const TARGET: &str = "http://127.0.0.1:9/posts/hello/";

pub fn config(extra: &str) -> String {
    format!("site_url = \"{SITE}\"\nmoderation = \"none\"\nallow_private_addresses = true\n{extra}")
}

pub fn entry(props: &str) -> String {
    format!(
        r#"<!doctype html><html><body><article class="h-entry">
        <a class="p-author h-card" href="https://alice.example/"><img src="/alice.jpg" alt="">Alice</a>
        {props}</article></body></html>"#
    )
}

pub fn by_source<'a>(items: &'a [Value], source: &str) -> Vec<&'a Value> {
    items.iter().filter(|c| c["source"] == source).collect()
}

// ------------------------------------------------------------------ tests

pub fn ping(source: &str, target: &str) -> String {
    format!(
        "<?xml version=\"1.0\"?><methodCall><methodName>pingback.ping</methodName><params>\
         <param><value><string>{source}</string></value></param>\
         <param><value><string>{target}</string></value></param></params></methodCall>"
    )
}

pub fn fault_code(answer: &str) -> Option<i64> {
    let i = answer.find("<int>")?;
    answer[i + 5..].split('<').next()?.parse().ok()
}
