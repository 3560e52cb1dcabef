//! The database password never shows (stderr, errors, logs), and an
//! unreachable database fails start-up within seconds, naming host:port/db.

use std::io::{BufRead, BufReader};
use std::net::TcpListener;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use causerie_comments::store::Store;

use crate::pg;

const SECRET_PW: &str = "Sup3r-Secret-pw";

fn bin() -> Command {
    // debug everywhere: what must not show must not show even then
    let mut c = Command::new(env!("CARGO_BIN_EXE_causerie-comments"));
    c.env("RUST_LOG", "debug");
    c
}

#[test]
fn an_unreachable_database_fails_start_up_naming_the_host_only() {
    // a port nobody listens on
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let url = format!("postgres://writer:{SECRET_PW}@127.0.0.1:{port}/blog");
    let began = Instant::now();
    let out = bin()
        .args([
            "--site-url",
            "http://site.example/",
            "--listen",
            "127.0.0.1:0",
        ])
        .args(["--database-url", &url])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(began.elapsed() < Duration::from_secs(8));
    assert!(err.contains(&format!("127.0.0.1:{port}/blog")), "{err}");
    assert!(!err.contains(SECRET_PW), "the password shows: {err}");
}

#[tokio::test]
async fn a_server_that_never_answers_fails_within_the_connect_timeout() {
    // accepts connections (the kernel does) but never says a word
    let silent = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = silent.local_addr().unwrap().port();
    let url = format!("postgres://writer:{SECRET_PW}@127.0.0.1:{port}/blog");
    let began = Instant::now();
    let e = match Store::connect(&url, 0).await {
        Ok(_) => panic!("connected to nothing"),
        Err(e) => e.to_string(),
    };
    let took = began.elapsed();
    assert!(
        took >= Duration::from_secs(4) && took < Duration::from_secs(8),
        "{took:?}"
    );
    assert!(e.contains(&format!("127.0.0.1:{port}/blog")), "{e}");
    assert!(!e.contains(SECRET_PW), "{e}");
    drop(silent);
}

#[tokio::test]
async fn a_wrong_password_is_refused_without_showing_it() {
    let c = pg::cluster();
    let url = format!(
        "postgres://postgres:{SECRET_PW}@127.0.0.1:{}/postgres?sslmode=disable",
        c.port
    );
    let e = match Store::connect(&url, 0).await {
        Ok(_) => panic!("a wrong password was accepted"),
        Err(e) => format!("{e} {e:?}"),
    };
    assert!(e.contains("password authentication failed"), "{e}");
    assert!(!e.contains(SECRET_PW), "{e}");
}

#[test]
fn tls_required_is_refused_not_sent_in_clear() {
    let url = format!("postgres://w:{SECRET_PW}@127.0.0.1:5432/blog?sslmode=require");
    let out = bin()
        .args([
            "--site-url",
            "http://site.example/",
            "--listen",
            "127.0.0.1:0",
        ])
        .args(["--database-url", &url])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(err.contains("sslmode") && err.contains("TLS"), "{err}");
    assert!(!err.contains(SECRET_PW), "{err}");
}

#[test]
fn a_serving_instance_never_logs_the_password() {
    let url = pg::fresh_database();
    let password = &pg::cluster().password;
    let mut child = bin()
        .args([
            "--site-url",
            "http://site.example/",
            "--listen",
            "127.0.0.1:0",
        ])
        .args(["--database-url", &url])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let base = line
        .trim()
        .strip_prefix("listening on ")
        .expect(&line)
        .to_string();
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let http = reqwest::Client::new();
        let started = (std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_millis()
            - 10_000)
            .to_string();
        let r = http
            .post(format!("{base}/api/comments"))
            .header("idempotency-key", "one")
            .header("content-type", "application/json")
            .body(
                serde_json::json!({"page": "/p/", "author": "Ann", "email": "ann@private.example",
                    "body": "hi", "started": started})
                .to_string(),
            )
            .send()
            .await
            .unwrap();
        assert!(r.status().is_success(), "{}", r.status());
        let h = http.get(format!("{base}/healthz")).send().await.unwrap();
        assert_eq!(h.status(), 200);
    });
    // SAFETY: signalling our own child.
    unsafe { libc::kill(child.id() as i32, libc::SIGTERM) };
    let out = child.wait_with_output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("store=postgres 127.0.0.1:"), "{err}");
    assert!(
        !err.contains(password.as_str()),
        "the password shows: {err}"
    );
    // RUST_LOG=debug: the driver's statement parameters stay out too
    assert!(
        !err.contains("ann@private.example"),
        "an e-mail address shows"
    );
    assert!(
        !err.contains("with parameters"),
        "statement parameters show"
    );
}

#[test]
fn backup_on_postgres_points_to_pg_dump() {
    let url = format!("postgres://w:{SECRET_PW}@127.0.0.1:5432/blog");
    let dir = tempfile::tempdir().unwrap();
    let out = bin()
        .args(["--database-url", &url, "backup"])
        .arg(dir.path().join("copy.db"))
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.contains("pg_dump") && err.contains("127.0.0.1:5432/blog"),
        "{err}"
    );
    assert!(!err.contains(SECRET_PW), "{err}");
    assert!(!dir.path().join("copy.db").exists());
}
