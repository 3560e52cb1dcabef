//! `causerie webmentions send` against local fixture servers on 127.0.0.1.
//!
//! The fixtures model every webmention.rocks discovery test (1–23) and its
//! update (1, 2) and delete (1) tests; the real site needs the internet, so
//! each page is served here with the same markup or headers, and the test
//! checks that the right endpoint (and no decoy) received the Webmention.

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::process::{Command, Output};
use std::sync::{Arc, Mutex};

const SOURCE_BASE: &str = "https://blog.example/";

/// One request the fixture server received.
#[derive(Debug, Clone)]
struct Hit {
    method: String,
    path: String,
    body: String,
}

type Reply = (u16, Vec<(String, String)>, String);

/// A tiny HTTP/1.1 server: one thread per connection, `Connection: close`,
/// every request logged, answers from a table built once the port is known.
struct Fixture {
    port: u16,
    hits: Arc<Mutex<Vec<Hit>>>,
}

impl Fixture {
    fn start(routes: impl Fn(u16) -> HashMap<String, Reply>) -> Fixture {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let table = Arc::new(routes(port));
        let hits = Arc::new(Mutex::new(Vec::new()));
        let log = hits.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let (table, log) = (table.clone(), log.clone());
                std::thread::spawn(move || serve(stream, &table, &log));
            }
        });
        Fixture { port, hits }
    }

    fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }

    fn hits(&self) -> Vec<Hit> {
        self.hits.lock().unwrap().clone()
    }

    /// Form fields of the POSTs to `path`.
    fn posts_to(&self, path: &str) -> Vec<HashMap<String, String>> {
        self.hits()
            .into_iter()
            .filter(|h| h.method == "POST" && h.path == path)
            .map(|h| {
                url::form_urlencoded::parse(h.body.as_bytes())
                    .into_owned()
                    .collect()
            })
            .collect()
    }

    fn clear(&self) {
        self.hits.lock().unwrap().clear();
    }
}

fn serve(stream: TcpStream, table: &HashMap<String, Reply>, log: &Mutex<Vec<Hit>>) {
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut line = String::new();
    if reader.read_line(&mut line).is_err() {
        return;
    }
    let mut parts = line.split_whitespace();
    let method = parts.next().unwrap_or("").to_string();
    let path = parts.next().unwrap_or("").to_string();
    let mut length = 0usize;
    loop {
        let mut header = String::new();
        if reader.read_line(&mut header).unwrap_or(0) == 0 || header == "\r\n" {
            break;
        }
        if let Some((k, v)) = header.split_once(':')
            && k.eq_ignore_ascii_case("content-length")
        {
            length = v.trim().parse().unwrap_or(0);
        }
    }
    let mut body = vec![0; length];
    let _ = reader.read_exact(&mut body);
    log.lock().unwrap().push(Hit {
        method: method.clone(),
        path: path.clone(),
        body: String::from_utf8_lossy(&body).into_owned(),
    });
    let key = format!("{method} {path}");
    let fallback =
        if method == "POST" && (path.contains("webmention") || path.starts_with("/test/15")) {
            (202, vec![], "accepted".to_string())
        } else {
            (404, vec![], "not found".to_string())
        };
    let (status, headers, body) = table.get(&key).cloned().unwrap_or(fallback);
    let mut out = format!(
        "HTTP/1.1 {status} X\r\nContent-Length: {}\r\nConnection: close\r\n",
        body.len()
    );
    for (k, v) in headers {
        out.push_str(&format!("{k}: {v}\r\n"));
    }
    out.push_str("\r\n");
    out.push_str(&body);
    let mut stream = stream;
    let _ = stream.write_all(out.as_bytes());
}

fn html(body: &str) -> Reply {
    (
        200,
        vec![("Content-Type".into(), "text/html; charset=utf-8".into())],
        format!("<!doctype html><html><head><title>t</title>{body}</html>"),
    )
}

fn with_link(link: &str, body: &str) -> Reply {
    let (s, mut h, b) = html(body);
    h.push(("Link".into(), link.into()));
    (s, h, b)
}

/// The webmention.rocks discovery tests 1–23 (plus pingback-only and
/// no-endpoint pages), each page at `/test/N` with its real endpoint at
/// `/test/N/webmention…` and decoys at `/wrong/N`.
fn rocks(port: u16) -> HashMap<String, Reply> {
    let abs = |p: &str| format!("http://127.0.0.1:{port}{p}");
    let mut t: HashMap<String, Reply> = HashMap::new();
    let mut page = |n: &str, r: Reply| {
        t.insert(format!("GET /test/{n}"), r);
    };
    page(
        "1",
        with_link("</test/1/webmention?head=true>; rel=webmention", ""),
    );
    page(
        "2",
        with_link(
            &format!("<{}>; rel=webmention", abs("/test/2/webmention?head=true")),
            "",
        ),
    );
    page(
        "3",
        html(r#"<link rel="webmention" href="/test/3/webmention"></head><body>"#),
    );
    page(
        "4",
        html(&format!(
            r#"<link rel="webmention" href="{}"></head><body>"#,
            abs("/test/4/webmention")
        )),
    );
    page(
        "5",
        html(r#"</head><body><a rel="webmention" href="/test/5/webmention">endpoint</a>"#),
    );
    page(
        "6",
        html(&format!(
            r#"</head><body><a href="{}" rel="webmention">endpoint</a>"#,
            abs("/test/6/webmention")
        )),
    );
    {
        let (s, mut h, b) = html("");
        h.push((
            "LinK".into(),
            "</test/7/webmention?head=true>; rel=webmention".into(),
        ));
        page("7", (s, h, b));
    }
    page(
        "8",
        with_link("</test/8/webmention?head=true>; rel=\"webmention\"", ""),
    );
    page(
        "9",
        html(r#"<link rel="webmention somethingelse" href="/test/9/webmention"></head><body>"#),
    );
    page(
        "10",
        with_link(
            "</test/10/webmention?head=true>; rel=\"webmention somethingelse\"",
            "",
        ),
    );
    page(
        "11",
        with_link(
            "</test/11/webmention>; rel=\"webmention\"",
            r#"<link rel="webmention" href="/wrong/11"></head><body><a rel="webmention" href="/wrong/11">x</a>"#,
        ),
    );
    page(
        "12",
        html(
            r#"<link rel="not-webmention" href="/wrong/12"><link rel="webmention" href="/test/12/webmention"></head><body>"#,
        ),
    );
    page(
        "13",
        html(
            r#"<!-- <link rel="webmention" href="/wrong/13"> --><link rel="webmention" href="/test/13/webmention"></head><body>"#,
        ),
    );
    page(
        "14",
        html(
            r#"</head><body><code>&lt;a href="/wrong/14" rel="webmention"&gt;&lt;/a&gt;</code><a href="/test/14/webmention" rel="webmention">x</a>"#,
        ),
    );
    page(
        "15",
        html(r#"<link rel="webmention" href=""></head><body>"#),
    );
    page(
        "16",
        html(
            r#"</head><body><a href="/test/16/webmention" rel="webmention">a</a><link rel="webmention" href="/wrong/16">"#,
        ),
    );
    page(
        "17",
        html(
            r#"<link rel="webmention" href="/test/17/webmention"></head><body><a href="/wrong/17" rel="webmention">a</a>"#,
        ),
    );
    {
        let (s, mut h, b) = html("");
        h.push(("Link".into(), "</wrong/18>; rel=\"other\"".into()));
        h.push((
            "Link".into(),
            "</test/18/webmention?head=true>; rel=\"webmention\"".into(),
        ));
        page("18", (s, h, b));
    }
    page(
        "19",
        with_link(
            "</wrong/19>; rel=\"other\", </test/19/webmention?head=true>; rel=\"webmention\"",
            "",
        ),
    );
    page(
        "20",
        html(
            r#"<link rel="webmention"></head><body><a href="/test/20/webmention" rel="webmention">a</a>"#,
        ),
    );
    page(
        "21",
        html(r#"<link rel="webmention" href="/test/21/webmention?query=yes"></head><body>"#),
    );
    page(
        "22",
        html(r#"<link rel="webmention" href="22/webmention"></head><body>"#),
    );
    page(
        "23/page",
        (
            302,
            vec![("Location".into(), "/test/23/page/final".into())],
            String::new(),
        ),
    );
    page(
        "23/page/final",
        html(r#"<link rel="webmention" href="webmention-endpoint/x1"></head><body>"#),
    );
    t.insert("GET /pingback/1".into(), {
        let (s, mut h, b) = html("");
        h.push(("X-Pingback".into(), "/xmlrpc".into()));
        (s, h, b)
    });
    t.insert(
        "POST /xmlrpc".into(),
        (
            200,
            vec![("Content-Type".into(), "text/xml".into())],
            "<?xml version=\"1.0\"?><methodResponse><params><param><value><string>ok</string></value></param></params></methodResponse>".into(),
        ),
    );
    t.insert("GET /none/1".into(), html("</head><body>no endpoint here"));
    for n in ["update/1", "update/2", "delete/1"] {
        t.insert(
            format!("GET /{n}"),
            html(&format!(
                r#"<link rel="webmention" href="/{n}/webmention"></head><body>"#
            )),
        );
    }
    t.insert(
        "GET /broken/1".into(),
        html(r#"<link rel="webmention" href="/broken/1/endpoint"></head><body>"#),
    );
    t.insert(
        "POST /broken/1/endpoint".into(),
        (500, vec![], "oops".into()),
    );
    t
}

/// The webmention.rocks pages and where their real endpoints are.
fn expected_endpoints() -> Vec<(String, String)> {
    let mut v: Vec<(String, String)> = Vec::new();
    for n in 1..=22 {
        let endpoint = match n {
            1 | 2 | 7 | 8 | 10 | 18 | 19 => format!("/test/{n}/webmention?head=true"),
            15 => "/test/15".to_string(),
            21 => "/test/21/webmention?query=yes".to_string(),
            _ => format!("/test/{n}/webmention"),
        };
        v.push((format!("/test/{n}"), endpoint));
    }
    v.push((
        "/test/23/page".into(),
        "/test/23/page/webmention-endpoint/x1".into(),
    ));
    v
}

fn write_post(root: &Path, slug: &str, title: &str, links: &[String]) {
    let dir = root.join("public/posts").join(slug);
    std::fs::create_dir_all(&dir).unwrap();
    let anchors: String = links
        .iter()
        .map(|l| format!(r#"<a href="{l}">link</a> "#))
        .collect();
    let page = format!(
        r#"<!doctype html><html><body><a href="https://nav.invalid/">nav</a>
<article class="h-entry"><h1 class="p-name">{title}</h1>
<div class="e-content"><p>{anchors}</p></div></article></body></html>"#
    );
    std::fs::write(dir.join("index.html"), page).unwrap();
}

fn run(root: &Path, extra: &[&str]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_causerie"));
    cmd.args(["webmentions", "send", "--root"])
        .arg(root)
        .args(["--base-url", SOURCE_BASE, "--host-interval-ms", "0"])
        .args(extra);
    cmd.output().unwrap()
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

mod discovery;
mod safety;
